"""What the names of a problem mean to a claim on it: the problem's own symbols (by the
names :mod:`symhw.notation` gives them), each kind's notation as the homework writes it
(q1's w, x_n, y_n and ∇ in w; q5's ∂L/∂y_11 for ∂L/∂Y_11), and a claim's own ``let``
definitions (the writer's g(x) = tanh(x)) and ``vars`` renamings (the writer's x is s)."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

import sympy as sp

from symhw.checker.claims import Claim
from symhw.checker.names import Fn, Name, Names, NameTable
from symhw.checker.parse import parse
from symhw.checker.syntax import ClaimSyntaxError
from symhw.conv.symbols import ConvSymbols
from symhw.spec import ProblemSpec

#: A ``let`` definition: a function of one variable, ``g(x) = \tanh(x)``.
_LET = re.compile(r"\s*\\?([A-Za-z]+)\s*\(\s*\\?([A-Za-z]+)\s*\)\s*=\s*(.+)", re.S)


def kind_names(spec: ProblemSpec, table: NameTable, values: dict[str, object]) -> NameTable:
    """The problem's names with its kind's notation added; where both name one thing, the
    notation wins (q1's w is the vector Vec(w), not the symbol inside it)."""
    extra, gradient = {}, table.gradient_variable
    if spec.kind == "activation-loss":
        from symhw.problems.activation_loss import symbols as q1

        extra = {
            Name("w"): q1.w,
            Name("x", "n"): q1.x_n,
            Name("y", "n"): q1.y_n,
            Name("N"): q1.N,
            Name("n"): q1.n,
            Name("s"): q1.s,
            Name("E", "in"): Fn("E_in", lambda w: q1.E_in.func(w)),
        }
        gradient = q1.w
    elif spec.kind == "conv-matrix":
        extra = _conv_aliases(spec)
    elif spec.kind == "mlp-backprop":
        extra, families = _network_names(spec, values), table.families | _LAYER_LETTERS
        return NameTable({**table.entries, **extra}, families, gradient)
    return NameTable({**table.entries, **extra}, table.families, gradient)  # the notation wins


#: The letters of a network's per-layer quantities: a superscript on them is the layer.
_LAYER_LETTERS = frozenset({"x", "s", "delta", "W", "w"})


def _network_names(spec: ProblemSpec, values: dict[str, object]) -> dict[Name, object]:
    """x^l, s^l, δ^l and W^l (w^l too) as the homework writes them, with or without
    parentheses around the layer, each its exact value; "bias" the 1 of x's first entry,
    y the target."""
    out: dict[Name, object] = {Name("bias"): sp.Integer(1)}
    for answer, value in values.items():
        found = re.fullmatch(r"(x|s|delta|W)([0-9]+)", answer)
        if found is None:
            continue
        letter, layer = found.groups()
        for sup in (layer, f"({layer})"):
            out[Name(letter, None, sup)] = value
            if letter == "W":
                out[Name("w", None, sup)] = value
    ys = spec.params.y
    if len(ys) == 1:
        y = sp.ImmutableMatrix(ys[0])  # parsed numbers already
        out[Name("y")] = y[0, 0] if y.shape == (1, 1) else y
    return out


def _conv_aliases(spec: ProblemSpec) -> dict[Name, sp.Basic]:
    """Y_jt also written y_jt (as in ∂L/∂y_11), x_it also X_it."""
    from symhw.problems.conv_matrix.inputs import layer_geometry

    s = ConvSymbols(layer_geometry(spec.params, spec.id))
    out: dict[Name, sp.Basic] = {}
    for letter, alias, array in (("Y", "y", s.array("y")), ("x", "X", s.array("x"))):
        for symbol in array.reshape(-1):
            sub = symbol.name.split("_", 1)[1]
            out[Name(letter, sub)] = symbol
            out[Name(alias, sub)] = symbol
    return out


def claim_names(claim: Claim, names: Names) -> Names:
    """The problem's names with the claim's ``let`` functions and ``vars`` renamings."""
    if not (claim.let or claim.vars) or not isinstance(names, NameTable):
        return names
    entries = dict(names.entries)
    for writer, ours in claim.vars:
        if not re.fullmatch(r"\\?[A-Za-z]+", writer):
            continue  # an expression (w^T x_n): renamed after reading, by renamings()
        entries[Name(writer.lstrip("\\"))] = parse(ours, names).value
    with_vars = replace(names, entries=entries)
    for text in claim.let:
        found = _LET.fullmatch(text)
        if found is None:
            raise ClaimSyntaxError("a let defines a function of one variable: g(x) = ...", text, 0)
        name, var, body = found.groups()
        local = replace(with_vars, entries={**entries, Name(var): sp.Dummy(var)})
        dummy = local.entries[Name(var)]
        value = parse(body, local).value
        entries[Name(name)] = Fn(name, lambda a, v=value, d=dummy: v.xreplace({d: a}))
    return replace(names, entries=entries)


@dataclass(frozen=True)
class NotationSlip:
    """A symbol written where the problem's notation needs another, found in the text as
    written (the value may still come out right: θ′ of the identity is 1 whatever it is
    given): ``written`` (\\delta^3), ``expected`` (s^(3)) and ``where`` (Θ').)"""

    written: str
    expected: str
    where: str


#: An activation (or its derivative) applied to δ^l: it takes the pre-activation s^l.
_ACTIVATION_OF_DELTA = re.compile(
    r"(\\tanh|\\sigma|\\text\{Identity\}|Identity|\\Theta|\\theta)\s*('?)\s*"
    r"\(\s*\\delta\s*\^\s*\{?\(?(\d+)\)?\}?\s*\)"
)


def notation_slips(kind: str, claim: Claim) -> tuple[NotationSlip, ...]:
    """Where a claim on a network applies an activation or its derivative to δ⁽ˡ⁾ (q2's
    tanh(δ²), Θ′(δ³)): each takes the pre-activation s⁽ˡ⁾ of the layer the claim is about
    (x⁽ˡ⁾ = θ(s⁽ˡ⁾), δ⁽ˡ⁾ = θ′(s⁽ˡ⁾) ⊙ …), so it is a slip whatever the numbers say.

    >>> c = Claim("q2", 0, "q2.x3", "x3", None, steps=(r"x^3 = [\\text{Identity}(\\delta^2)]",))
    >>> [(s.written, s.expected) for s in notation_slips("mlp-backprop", c)]
    [('\\\\delta^2', 's^(3)')]
    """
    if kind != "mlp-backprop" or claim.quantity is None:
        return ()
    layer = re.search(r"[0-9]+$", claim.quantity)
    texts = [*claim.steps, *([claim.value] if isinstance(claim.value, str) else [])]
    slips = []
    for text in texts:
        for m in _ACTIVATION_OF_DELTA.finditer(text):
            expected = f"s^({layer.group() if layer else m.group(3)})"
            where = m.group(1).lstrip("\\").replace("text{Identity}", "Identity") + m.group(2)
            slips.append(NotationSlip(f"\\delta^{m.group(3)}", expected, where))
    return tuple(slips)


#: θ′(s⁽ᴸ⁾) of an output activation, in its output x⁽ᴸ⁾ (``{x}``): δ⁽ᴸ⁾ = 2(x⁽ᴸ⁾ − y)θ′(s⁽ᴸ⁾).
_OUTPUT_DERIVATIVE = {"identity": "", "tanh": " (1 - ({x})^2)", "sigmoid": " {x} (1 - {x})"}


def recipes(spec: ProblemSpec) -> dict[str, str]:
    r"""How a bare value of an answer (no steps written) is computed from the writer's
    earlier answers, as a step in the claims' notation, by answer name: a value computed
    rightly from a wrong earlier one is then ``carried``, not a new error. A network's
    weight gradients x⁽ˡ⁻¹⁾(δ⁽ˡ⁾)ᵀ, pre-activations (W⁽ˡ⁾)ᵀx⁽ˡ⁻¹⁾ and output δ⁽ᴸ⁾ (the
    squared error's 2(x⁽ᴸ⁾ − y) times θ′ in the output, for identity, tanh and sigmoid);
    none for other kinds.

    >>> from symhw.spec import load_problem_set
    >>> q2 = load_problem_set().problems[1]
    >>> made = recipes(q2)
    >>> made["grad_W2"], made["s1"], made["delta3"]
    ('x^{1} (\\delta^{2})^T', '(W^{1})^T x^{0}', '2 (x^{3} - y)')
    """
    if spec.kind != "mlp-backprop":
        return {}
    layers = len(spec.params.weights)
    out = {}
    for layer in range(1, layers + 1):
        out[f"grad_W{layer}"] = rf"x^{{{layer - 1}}} (\delta^{{{layer}}})^T"
        out[f"s{layer}"] = rf"(W^{{{layer}}})^T x^{{{layer - 1}}}"
    derivative = _OUTPUT_DERIVATIVE.get(spec.params.activations[-1])
    if derivative is not None:
        x = f"x^{{{layers}}}"
        out[f"delta{layers}"] = f"2 ({x} - y)" + derivative.format(x=x)
    return out
