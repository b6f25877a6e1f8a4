"""Part I of a network's sheet, as Learning From Data writes a backprop pass: each quantity
as formula, numbers substituted and result, to the sheet's decimals, boxed where derived.

Every line stands for the exact values of the appendix (its members carry them, and the
builder verifies the chain); a member written with rounded numbers is marked approximate
(shown after ≈) and checked to lie within rounding of the exact value here.
"""

from __future__ import annotations

import sympy as sp

from symhw.activations import ACTIVATIONS
from symhw.builder import DerivationBuilder
from symhw.derivation import Answer, Boxed, Derivation, Figure, KeyPart, Paragraph
from symhw.errors import VerificationError
from symhw.mlp import round_decimals
from symhw.notation import layer_symbol
from symhw.problems.mlp_backprop.answers import answer_name
from symhw.problems.mlp_backprop.labels import (
    Labels,
    activated,
    derivative_by_output,
    theta_prime,
)
from symhw.problems.mlp_backprop.nodes import Fixed, Hadamard, Shown, SquaredNorm, evaluate
from symhw.problems.mlp_backprop.passes import intro_backward
from symhw.problems.mlp_backprop.worked import Worked

#: Who x_j⁽ˡ⁾ is, for the lines of θ′ written with the outputs.
_OUTPUTS = ("; ", layer_symbol("x", "l", "j"), " is the output of unit j of layer l:")


class _Lines:
    """Builds the lines of one pass: quantity = formula (≈) numbers (≈) result."""

    def __init__(self, worked: Worked, decimals: int, cache: tuple[dict, dict]):
        self.worked, self.decimals = worked, decimals
        self.labels = Labels(worked.net)
        self.b = DerivationBuilder("")
        self.answers: list[Answer] = []
        self.given = DerivationBuilder("")  # the lines before the first boxed one
        self._approx, self._rounded = cache  # shared by the passes of one network

    def approx(self, m: sp.MatrixBase) -> sp.ImmutableMatrix:
        """``m`` to 30 digits (each matrix evaluated once: a pass reads its values often)."""
        m = sp.ImmutableMatrix(m)
        if m not in self._approx:
            self._approx[m] = m.applyfunc(self.worked.approx)
        return self._approx[m]

    def rounded(self, m: sp.MatrixBase) -> sp.ImmutableMatrix:
        """``m`` to the sheet's decimals, exactly (rationals written as decimals)."""
        m = sp.ImmutableMatrix(m)
        if m not in self._rounded:
            self._rounded[m] = self.approx(m).applyfunc(lambda v: round_decimals(v, self.decimals))
        return self._rounded[m]

    def written(self, m: sp.MatrixBase) -> sp.ImmutableMatrix:
        """``m`` as the sheet writes it: each entry that rounding changed with all the
        sheet's decimals (0.4200, not 0.42), the exact ones as they are (0.7)."""
        m = sp.ImmutableMatrix(m)
        r = self.rounded(m)
        entries = [v if v == e else Fixed(v, self.decimals) for v, e in zip(r, m, strict=True)]
        return sp.ImmutableMatrix(m.rows, m.cols, entries)

    def _inexact(self, shown: sp.ImmutableMatrix, value: sp.ImmutableMatrix) -> bool:
        """Whether ``shown`` (numbers) differs from the exact ``value``; raises if it is
        further from it than rounding to the sheet's decimals can explain."""
        diff = max(abs(a - b) for a, b in zip(self.approx(shown), self.approx(value), strict=True))
        scale = 1 + max(abs(v) for v in self.approx(value))
        if diff > 10 ** (1 - self.decimals) * scale:
            raise VerificationError(f"a rounded line of the key is off by {diff}")
        return diff > sp.Float(10) ** -25 * scale

    def line(
        self, name: str, label, formula, numbers, value: sp.MatrixBase, boxed: bool = True
    ) -> None:
        """``label = formula [≈] numbers [≈] result``; the result is answer ``name``
        (``boxed`` False: a line on the way, before the boxed ones, not boxed)."""
        value = sp.ImmutableMatrix(value)
        result, written = self.rounded(value), self.written(value)
        members, flags = [Shown(label, value), Shown(formula, value)], [False]
        if numbers is not None:
            members.append(Shown(numbers, value))
            flags.append(self._inexact(evaluate(numbers), value))
        inexact = self._inexact(result, value)
        members.append(Shown(written, value))
        flags.append(inexact or (len(flags) > 1 and flags[-1]))
        builder = self.b if boxed else self.given
        builder.equal(*members, rule="numbers substituted", approximate=tuple(flags))
        if boxed:
            self.answers.append(Answer(name, label, Shown(written, result), approximate=inexact))

    def derivative_line(self, layer: int) -> None:
        """θ′(s⁽ˡ⁾) = its form in the outputs x_j⁽ˡ⁾ (1 − (x_j⁽ˡ⁾)² for tanh) [≈] the
        derivative at the numbers [≈] result: a line on the way to δ⁽ˡ⁾, not boxed.

        The form in the outputs is checked at the exact outputs; the numbers are the
        derivative at s⁽ˡ⁾ as the forward pass wrote it."""
        net, trace, lab = self.worked.net, self.worked.traces[0], self.labels
        name, value = net.activations[layer - 1], sp.ImmutableMatrix(trace.derivative[layer - 1])
        members, flags = [Shown(theta_prime(lab.s(layer)), value)], []
        outputs = [layer_symbol("x", layer, j) for j in range(1, value.rows + 1)]
        forms = [derivative_by_output(name, x) for x in outputs]
        if forms[0] is not None and forms[0].free_symbols:
            first = 1 if layer < net.depth else 0  # x^(l) below the output: bias entry first
            exact = dict(zip(outputs, trace.x[layer][first:], strict=True))
            form = sp.ImmutableMatrix(forms)
            members.append(Shown(form, form.xreplace(exact)))
            flags.append(False)
        derivative, s = ACTIVATIONS[name].derivative, trace.s[layer - 1]
        if not all(derivative(v).is_Rational for v in self.rounded(s)):  # not a step's 0, 1
            at = sp.ImmutableMatrix([derivative(v) for v in self.written(s)])
            members.append(Shown(at, value))
            flags.append(self._inexact(evaluate(at), value))
        written = self.written(value)
        if len(members) == 1 or written != members[-1].display:
            members.append(Shown(written, value))
            flags.append(self._inexact(self.rounded(value), value) or (bool(flags) and flags[-1]))
        self.given.equal(*members, rule="derivative of θ", approximate=tuple(flags))

    def box(self, derived_in: str, brief: tuple[str, ...] = ()) -> Boxed:
        """The lines built, each result boxed; ``brief``: the answers the summary table
        shows (all by default), a column as a transposed row."""
        shown = [a for a in self.answers if not brief or a.name in brief]
        segments: list = []
        for a in shown:
            value = a.value.as_explicit()
            column = value.cols == 1 and value.rows > 1
            row = Shown(value.T, value.T) if column else a.value
            relation = " ≈ " if a.approximate else " = "
            segments += [", " if segments else "", a.label, relation, row, "ᵀ" if column else ""]
        return Boxed(
            tuple(self.answers),
            derived_in=derived_in,
            derivation=self.b.build(),
            brief=Paragraph(tuple(segments)),
        )


def _forward(
    worked: Worked, decimals: int, title: str, cache: tuple[dict, dict]
) -> tuple[Derivation, Boxed]:
    """The lines on the way (x^(0), each s and hidden x), then x^(L) and e boxed."""
    net, trace = worked.net, worked.traces[0]
    (_, y), L = worked.points[0], net.depth
    f = _Lines(worked, decimals, cache)
    lab = f.labels
    x0 = sp.ImmutableMatrix([1, *trace.x[0][1:]])
    f.line("x0", lab.x(0), sp.ImmutableMatrix([1, sp.Symbol("x", real=True)]), None, x0, False)
    for layer in range(1, L + 1):
        weights, hidden = net.weights[layer - 1], layer < L
        x_before = f.written(trace.x[layer - 1])
        formula = sp.MatMul(sp.Transpose(lab.W(layer)), lab.x(layer - 1))
        numbers = sp.MatMul(sp.Transpose(weights), x_before)
        f.line(answer_name("s", layer), lab.s(layer), formula, numbers, trace.s[layer - 1], False)
        name, bias = net.activations[layer - 1], [1] if hidden else []
        act = ACTIVATIONS[name].function
        applied = [act(v) for v in f.written(trace.s[layer - 1])] if hidden else None
        f.line(
            answer_name("x", layer),
            lab.x(layer),
            activated(name, lab.s(layer), hidden),
            sp.ImmutableMatrix([*bias, *applied]) if applied else None,
            trace.x[layer],
            not hidden,  # the output x^(L) is an answer; the hidden x's are on the way
        )
    named = SquaredNorm(sp.MatAdd(lab.x(L), sp.MatMul(-1, lab.y())))
    numbers = SquaredNorm(sp.MatAdd(f.written(trace.x[L]), sp.MatMul(-1, y)))
    f.line("e", lab.e(), named, numbers, sp.ImmutableMatrix([[trace.e]]))
    return f.given.build(), f.box(title, (answer_name("x", L), "e"))


def _backward(
    worked: Worked, decimals: int, title: str, cache: tuple[dict, dict]
) -> tuple[Derivation, Boxed]:
    """θ′(s⁽ˡ⁾) of each layer on the way (unboxed), then each δ⁽ˡ⁾ boxed."""
    net, trace = worked.net, worked.traces[0]
    (_, y), L = worked.points[0], net.depth
    f = _Lines(worked, decimals, cache)
    lab = f.labels
    for layer in range(L, 0, -1):
        f.derivative_line(layer)
    formula = Hadamard(
        sp.MatMul(2, sp.MatAdd(lab.x(L), sp.MatMul(-1, lab.y()))), theta_prime(lab.s(L))
    )
    residual = sp.MatMul(2, sp.MatAdd(f.written(trace.x[L]), sp.MatMul(-1, y)))
    numbers = Hadamard(residual, f.written(trace.derivative[L - 1]))
    f.line(answer_name("delta", L), lab.delta(L), formula, numbers, trace.delta[L - 1])
    for layer in range(L - 1, 0, -1):
        back = sp.MatMul(lab.W(layer + 1, bar=True), lab.delta(layer + 1))
        formula = Hadamard(theta_prime(lab.s(layer)), back)
        wbar = net.weights[layer][1:, :]
        numbers = Hadamard(
            f.written(trace.derivative[layer - 1]),
            sp.MatMul(wbar, f.written(trace.delta[layer])),
        )
        f.line(
            answer_name("delta", layer), lab.delta(layer), formula, numbers, trace.delta[layer - 1]
        )
    return f.given.build(), f.box(title)


def _gradients(worked: Worked, decimals: int, title: str, cache: tuple[dict, dict]) -> Boxed:
    net, trace = worked.net, worked.traces[0]
    f = _Lines(worked, decimals, cache)
    lab = f.labels
    for layer in range(1, net.depth + 1):
        formula = sp.MatMul(lab.x(layer - 1), sp.Transpose(lab.delta(layer)))
        numbers = sp.MatMul(
            f.written(trace.x[layer - 1]), sp.Transpose(f.written(trace.delta[layer - 1]))
        )
        f.line(
            answer_name("grad_W", layer), lab.grad(layer), formula, numbers, trace.grads[layer - 1]
        )
    return f.box(title)


#: The largest network Part I works number by number, as on a hand-written sheet: layers
#: of at most this many units, numbers of at most this many decimals. A larger one (an 8×8
#: network at 15 decimals) has products of columns no line holds: its answers are boxed
#: alone, and the appendix derives them.
HAND_UNITS, HAND_DECIMALS = 4, 6


def hand_sized(widths: tuple[int, ...], decimals: int) -> bool:
    """Whether Part I works a network of these ``widths`` number by number.

    >>> hand_sized((1, 2, 1, 1), 4), hand_sized((8, 8, 8), 4), hand_sized((2, 2), 15)
    (True, False, False)
    """
    return max(widths) <= HAND_UNITS and decimals <= HAND_DECIMALS


def network_key(
    worked: Worked, answers: tuple[Answer, ...], parts: tuple, decimals: int, symbolic: bool
) -> tuple[KeyPart, ...]:
    """Forward pass, backward pass and gradients with the numbers substituted, each answer
    boxed on its line (the hand replay is not asked: Part II shows it). A symbolic network,
    one of several data points, or one larger than a hand computes (:func:`hand_sized`) is
    keyed by its boxed answers alone (empty: the default key, which reflows wide answers)."""
    if symbolic or len(worked.points) > 1 or not hand_sized(worked.net.widths, decimals):
        return ()
    # the derivations' titles, by position among derivations only (a figure or a table
    # may come before them in the appendix)
    titles = [p.title for p in parts if isinstance(p, Derivation)]
    cache: tuple[dict, dict] = ({}, {})
    figures = [p for p in parts if isinstance(p, Figure)][:1]  # the network, as the appendix
    key: list[KeyPart] = [
        *figures,
        Paragraph((f"Forward pass (numbers to {decimals} decimals; ≈ where rounded):",)),
        *_forward(worked, decimals, titles[0], cache),
        Paragraph(intro_backward(worked.net, _OUTPUTS)),
        *_backward(worked, decimals, titles[1], cache),
        Paragraph(
            (
                "The gradient of each layer is the outer product of its input ",
                layer_symbol("x", "l-1"),
                " and its ",
                layer_symbol("delta", "l"),
                ":",
            )
        ),
        _gradients(worked, decimals, titles[2], cache),
    ]
    return tuple(key)
