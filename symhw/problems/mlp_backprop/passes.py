"""A network's passes as verified steps: forward, backward, gradients, their average."""

from __future__ import annotations

from collections.abc import Sequence

import sympy as sp

from symhw.activations import ACTIVATIONS
from symhw.builder import DerivationBuilder
from symhw.derivation import Derivation, Part, Segment
from symhw.mlp import Network, Trace, round_decimals
from symhw.notation import layer_symbol
from symhw.problems.mlp_backprop.labels import (
    Labels,
    activated,
    derivative_by_output,
    derivative_rule,
    theta_prime,
    vector_symbols,
)
from symhw.problems.mlp_backprop.nodes import Hadamard, Rounding, SquaredNorm, rounded, shown
from symhw.problems.mlp_backprop.worked import Worked

_sl, _xl = layer_symbol("s", "l"), layer_symbol("x", "l")


def intro_forward(named: tuple[sp.Symbol, ...]) -> tuple[Segment, ...]:
    """How the forward lines read, and which values are carried by name (``named``)."""
    delta = any(str(n).startswith("delta") for n in named)
    delta_lj = layer_symbol("delta", "l", "j")
    return (
        "Each line gives the quantity, its formula, the numbers substituted and the result, "
        "exactly. A pre-activation that is not a rational number is written ",
        layer_symbol("s", "l", "j"),
        " (entry j of ",
        _sl,
        " above) where later lines use it",
        *(
            (", and so is a long entry ", delta_lj, " of ", layer_symbol("delta", "l"))
            if delta
            else ()
        ),
        ".",
    )


def intro_backward(net: Network, end: tuple[Segment, ...] = (".",)) -> tuple[Segment, ...]:
    """What W̄ and ⊙ are, and θ′ for each activation of ``net`` (written with the unit's
    output x = θ(s) where it can be, as the homework does: 1 − x² for tanh); ``end`` ends
    the sentence."""
    x, s = sp.Symbol("x", real=True), sp.Symbol("s", real=True)
    rules: list[Segment] = []
    for name in dict.fromkeys(net.activations):  # each activation once, in layer order
        rule = derivative_rule(name)
        by_output = derivative_by_output(name, x)
        output = by_output is not None and rule.rhs != by_output  # another form: show it
        if output:
            rule = sp.Eq(rule, by_output, evaluate=False)
        rules += [", " if rules else "", rule, f" for {name}"]
        if output and not any(isinstance(r, sp.Eq) and r.has(x) for r in rules[:-2]):
            output_is = sp.Eq(x, sp.Function("theta")(s), evaluate=False)
            rules += [" (", output_is, ", the unit's output)"]
    return (
        layer_symbol("Wbar", "l+1"),
        " is ",
        layer_symbol("W", "l+1"),
        " without its bias row (the bias entry of ",
        _xl,
        " does not depend on ",
        _sl,
        "), ⊙ multiplies entry by entry, and θ′ is the derivative of the layer's activation θ: ",
        *rules,
        *end,
    )


def _titles(rounding: int | None, at: str) -> tuple[str, str, str]:
    """Titles of the forward pass, backward pass and gradients of one data point."""
    if rounding is None:
        return (f"Forward pass{at}", f"Backward pass{at}", f"Gradients{at}")
    return (
        f"By hand: forward pass rounded to {rounding} decimals{at}",
        f"By hand: backward pass{at}",
        f"By hand: gradients{at}",
    )


def _point_derivations(worked: Worked, n: int) -> list[Part]:
    """Forward pass, backward pass and gradients at data point ``n`` (the first exact one
    says how its lines read)."""
    net, rounding = worked.net, worked.rounding
    (_, y), trace = worked.points[n - 1], worked.traces[n - 1]
    forward, backward, gradients = _titles(
        rounding, f", data point {n}" if len(worked.points) > 1 else ""
    )
    first = n == 1 and rounding is None
    named = tuple(name for name, _ in worked.definitions)
    return [
        forward_derivation(
            net, trace, y, forward, rounding=rounding, intro=intro_forward(named) if first else None
        ),
        backward_derivation(
            net, trace, y, backward, rounding=rounding, intro=intro_backward(net) if first else None
        ),
        gradient_derivation(net, trace, gradients, rounding=rounding),
    ]


def derivations(worked: Worked) -> list[Part]:
    """Forward pass, backward pass and gradients at every data point (by hand when
    ``worked.rounding`` says so), then their average over the points."""
    parts: list[Part] = []
    for n in range(1, len(worked.points) + 1):
        parts += _point_derivations(worked, n)
    if len(worked.points) > 1 and worked.rounding is None:
        title = "Gradient averaged over the data points"
        parts.append(average_derivation(worked.net, worked.traces, worked.grads, title))
    return parts


def _rounded_entries(
    col: sp.MatrixBase, rounding: int, skip_first: bool = False
) -> sp.ImmutableMatrix:
    """round_k(v) for every entry that rounding changes (the first left as it is)."""
    return sp.ImmutableMatrix(
        [
            v
            if (skip_first and i == 0) or round_decimals(v, rounding) == v
            else rounded(v, rounding)
            for i, v in enumerate(col)
        ]
    )


def _input_step(b: DerivationBuilder, labels: Labels, x0: sp.ImmutableMatrix) -> None:
    """x⁽⁰⁾ = [1; x]."""
    formula = sp.ImmutableMatrix([1, *vector_symbols("x", len(x0) - 1)])
    b.equal(shown(labels.x(0), x0), shown(formula, x0), shown(x0), rule="bias entry 1, then x")


def _pre_activation_step(
    b: DerivationBuilder, labels: Labels, trace: Trace, layer: int, rounding: int | None
) -> None:
    """s⁽ˡ⁾ = (W⁽ˡ⁾)ᵀ x⁽ˡ⁻¹⁾ with the numbers substituted (then rounded, by hand)."""
    s, used = trace.s[layer - 1], trace.s_used[layer - 1]
    formula = sp.MatMul(sp.Transpose(labels.W(layer)), labels.x(layer - 1))
    numbers = sp.MatMul(sp.Transpose(labels.net.weights[layer - 1]), trace.x[layer - 1])
    if rounding is None or used == s:
        chain = [shown(labels.s(layer), s), shown(formula, s), shown(numbers), shown(s)]
        b.equal(*chain, rule="forward pass")
        return
    k = sp.Integer(rounding)
    b.equal(
        shown(labels.s(layer), used),
        shown(Rounding(formula, k), used),
        shown(Rounding(numbers, k)),
        shown(_rounded_entries(s, rounding)),
        shown(used),
        rule=f"forward pass, rounded to {rounding} decimals",
    )


def _activation_step(
    b: DerivationBuilder, labels: Labels, trace: Trace, layer: int, rounding: int | None
) -> None:
    """x⁽ˡ⁾ = [1; θ(s⁽ˡ⁾)], or θ(s⁽ᴸ⁾) at the output, with the numbers substituted."""
    net = labels.net
    name, hidden = net.activations[layer - 1], layer < net.depth
    out, bias = trace.x[layer], [1] if hidden else []
    applied = [ACTIVATIONS[name].function(v) for v in trace.s_used[layer - 1]]
    written = sp.ImmutableMatrix(bias + applied)
    chain = [
        shown(labels.x(layer), out),
        shown(activated(name, labels.s(layer), hidden), out),
    ]
    rule = "bias entry 1, then θ" if hidden else "output activation"
    if written != out and rounding is not None:
        chain.append(shown(_rounded_entries(written, rounding, skip_first=hidden)))
        rule += f", rounded to {rounding} decimals"
    elif written != out:
        chain.append(shown(written))
    b.equal(*chain, shown(out), rule=rule)


def _loss_step(b: DerivationBuilder, labels: Labels, trace: Trace, y: sp.MatrixBase) -> None:
    """e = ‖x⁽ᴸ⁾ − y‖² with the numbers substituted."""
    e = sp.ImmutableMatrix([[trace.e]])
    named = SquaredNorm(sp.MatAdd(labels.x(labels.net.depth), sp.MatMul(-1, labels.y())))
    residual = sp.MatAdd(trace.x[-1], sp.MatMul(-1, y))
    chain = [shown(labels.e(), e), shown(named, e), shown(SquaredNorm(residual)), shown(trace.e, e)]
    if residual.shape == (1, 1) and sp.ImmutableMatrix(residual.doit())[0] ** 2 == trace.e:
        del chain[2]  # (x − y)² with the numbers is the result as written
    b.equal(*chain, rule="squared error")


def forward_derivation(
    net: Network,
    trace: Trace,
    y: sp.MatrixBase,
    title: str,
    *,
    rounding: int | None = None,
    intro: tuple[Segment, ...] | None = None,
) -> Derivation:
    """s⁽ˡ⁾, x⁽ˡ⁾ and e, each as formula, numbers substituted, result (by hand, rounded to
    ``rounding`` decimals)."""
    labels = Labels(net, tilde=rounding is not None)
    b = DerivationBuilder(title, intro=intro)
    _input_step(b, labels, trace.x[0])
    for layer in range(1, net.depth + 1):
        _pre_activation_step(b, labels, trace, layer, rounding)
        _activation_step(b, labels, trace, layer, rounding)
    _loss_step(b, labels, trace, y)
    return b.build()


def backward_derivation(
    net: Network,
    trace: Trace,
    y: sp.MatrixBase,
    title: str,
    *,
    rounding: int | None = None,
    intro: tuple[Segment, ...] | None = None,
) -> Derivation:
    """δ⁽ᴸ⁾, then δ⁽ˡ⁾ from δ⁽ˡ⁺¹⁾ (without the bias row), each with the numbers substituted
    (by hand: from the forward pass rounded to ``rounding`` decimals)."""
    labels = Labels(net, tilde=rounding is not None)
    b = DerivationBuilder(title, intro=intro)
    L = net.depth
    d = trace.delta[L - 1]
    residual = sp.MatMul(2, sp.MatAdd(trace.x[-1], sp.MatMul(-1, y)))
    named = sp.MatMul(2, sp.MatAdd(labels.x(L), sp.MatMul(-1, labels.y())))
    b.equal(
        shown(labels.delta(L), d),
        shown(Hadamard(named, theta_prime(labels.s(L))), d),
        shown(Hadamard(residual, trace.derivative[L - 1])),
        shown(d),
        rule="output layer",
    )
    for layer in range(L - 1, 0, -1):
        d = trace.delta[layer - 1]
        wbar = net.weights[layer][1:, :]
        back = sp.MatMul(labels.W(layer + 1, bar=True), labels.delta(layer + 1))
        derivative, after = trace.derivative[layer - 1], trace.delta_used[layer]
        numbers = Hadamard(derivative, sp.MatMul(wbar, after))
        b.equal(
            shown(labels.delta(layer), d),
            shown(Hadamard(theta_prime(labels.s(layer)), back), d),
            *([shown(numbers)] if _substitutable(derivative, after) else []),
            shown(d),
            rule="backpropagate (bias row dropped)",
        )
    return b.build()


#: A number with more digits than this is not substituted into a product on the sheet
#: (the hand replay's δ̃ multiply rounded numbers exactly: 130 digits by layer 8); the line
#: goes from the formula to the result, whose entries are written one by one.
SUBSTITUTED_DIGITS = 40


def _substitutable(*ms: sp.MatrixBase) -> bool:
    """Whether every number of ``ms`` is short enough to be substituted into a product."""
    for v in (v for m in ms for v in m):
        if v.is_Rational and len(str(abs(v.p))) + len(str(v.q)) > SUBSTITUTED_DIGITS:
            return False
    return True


def gradient_derivation(
    net: Network, trace: Trace, title: str, *, rounding: int | None = None
) -> Derivation:
    """∂e/∂W⁽ˡ⁾ = x⁽ˡ⁻¹⁾ (δ⁽ˡ⁾)ᵀ with the numbers substituted (by hand when ``rounding``)."""
    labels = Labels(net, tilde=rounding is not None)
    b = DerivationBuilder(title)
    for layer in range(1, net.depth + 1):
        g, x, d = trace.grads[layer - 1], trace.x[layer - 1], trace.delta_used[layer - 1]
        numbers = [shown(sp.MatMul(x, sp.Transpose(d)))] if _substitutable(x, d) else []
        b.equal(
            shown(labels.grad(layer), g),
            shown(sp.MatMul(labels.x(layer - 1), sp.Transpose(labels.delta(layer))), g),
            *numbers,
            shown(g),
            rule="outer product",
        )
    return b.build()


def average_derivation(
    net: Network, traces: Sequence[Trace], grads: Sequence[sp.ImmutableMatrix], title: str
) -> Derivation:
    """∂e/∂W⁽ˡ⁾ = (1/N) Σ_n ∂e_n/∂W⁽ˡ⁾ over the data points."""
    labels = Labels(net)
    b = DerivationBuilder(title)
    n = len(traces)
    for layer in range(1, net.depth + 1):
        terms = sp.MatAdd(*[t.grads[layer - 1] for t in traces], evaluate=False)
        b.equal(
            shown(labels.grad(layer), grads[layer - 1]),
            shown(sp.MatMul(sp.Rational(1, n), terms)),
            shown(grads[layer - 1]),
            rule=f"average over the {n} data points",
        )
    return b.build()
