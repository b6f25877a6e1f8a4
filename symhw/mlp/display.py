"""How a network's passes appear on a sheet: shown matrices, decimals, rounding, verified steps."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sympy as sp
from sympy.matrices.expressions.matexpr import MatrixExpr

from symhw import dag
from symhw.activations import ACTIVATIONS
from symhw.builder import DerivationBuilder
from symhw.derivation import Derivation, Segment
from symhw.mlp import Network, Trace, round_decimals

s_ = sp.Symbol("s", real=True)
#: Expressions longer than this many operations are not written out in the δ check.
SHORT = 24


class Shown(MatrixExpr):
    """A matrix written one way (``display``) whose value is ``value``.

    Verification compares values; the sheet prints the display, with terminating decimals
    written as decimals.

    >>> from symhw.render.expr import latex
    >>> m = Shown(sp.MatrixSymbol("s^(1)", 1, 1), sp.Matrix([[sp.Rational(7, 10)]]))
    >>> latex(m), m.as_explicit()
    ('s^{(1)}', Matrix([[7/10]]))
    """

    def __new__(cls, display: sp.Basic, value: sp.MatrixBase):
        return sp.Basic.__new__(cls, sp.sympify(display, strict=True), sp.ImmutableMatrix(value))

    @property
    def display(self) -> sp.Basic:
        return self.args[0]

    @property
    def shape(self) -> tuple[int, int]:
        return self.args[1].shape

    def _entry(self, i, j, **kwargs):
        return self.args[1][i, j]

    def as_explicit(self) -> sp.ImmutableMatrix:
        return self.args[1]

    def doit(self, **hints) -> sp.ImmutableMatrix:
        return self.args[1]

    def _latex(self, printer) -> str:
        return printer._print(decimal(self.display))

    def _sympystr(self, printer) -> str:
        return printer._print(self.display)


def shown(display: sp.Basic, value: sp.MatrixBase | None = None) -> Shown:
    """``display`` standing for ``value``; without a value, for what it evaluates to."""
    return Shown(display, evaluate(display) if value is None else value)


def evaluate(display: sp.Basic) -> sp.ImmutableMatrix:
    """The value of a display built from explicit matrices: products, sums, ⊙ and ‖·‖².

    >>> a = sp.ImmutableMatrix([1, 2])
    >>> evaluate(Hadamard(a, sp.MatMul(2, a))).T, evaluate(SquaredNorm(a))
    (Matrix([[2, 8]]), Matrix([[5]]))
    """
    if isinstance(display, sp.MatrixBase):
        return sp.ImmutableMatrix(display)
    if isinstance(display, Hadamard):
        a, b = (evaluate(arg) for arg in display.args)
        return sp.ImmutableMatrix(a.multiply_elementwise(b))
    if isinstance(display, SquaredNorm):
        v = evaluate(display.args[0])
        return sp.ImmutableMatrix([[sum((c**2 for c in v), sp.Integer(0))]])
    if isinstance(display, Rounding):
        k = int(display.args[1])
        return evaluate(display.args[0]).applyfunc(lambda v: round_decimals(v, k))
    if isinstance(display, sp.MatrixExpr):
        return sp.ImmutableMatrix(display.doit())
    return sp.ImmutableMatrix([[display]])


def decimal(expr: sp.Basic) -> sp.Basic:
    """Terminating fractions written as decimals (7/10 → 0.7), kept from evaluating further.

    >>> from symhw.render.expr import latex
    >>> latex(decimal(sp.tanh(sp.Rational(7, 10))))
    '\\\\tanh{\\\\left(0.7 \\\\right)}'
    """
    reps = {}
    for r in expr.atoms(sp.Rational):
        if r.is_Integer or not _terminates(r.q):
            continue
        digits = len(str(abs(r.p))) + len(str(r.q))
        literal = sp.UnevaluatedExpr(sp.Float(abs(r), max(15, digits)))
        reps[r] = literal if r > 0 else -literal
    return expr.xreplace(reps) if reps else expr


def _terminates(q: int) -> bool:
    for p in (2, 5):
        while q % p == 0:
            q //= p
    return q == 1


class rounded(sp.Function):
    """round_k(v): v rounded to k decimals, halves away from zero; its value is exact."""

    nargs = 2

    def definition(self) -> sp.Rational:
        return round_decimals(self.args[0], int(self.args[1]))

    def _latex(self, printer) -> str:
        arg = printer._print(decimal(self.args[0]))
        return rf"\operatorname{{round}}_{{{self.args[1]}}}\left({arg}\right)"


class Hadamard(sp.Expr):
    """a ⊙ b, for display."""

    def _latex(self, printer) -> str:
        return " \\odot ".join(_grouped(printer, a) for a in self.args)

    def _sympystr(self, printer) -> str:
        return " (.) ".join(printer._print(a) for a in self.args)


class SquaredNorm(sp.Expr):
    """‖v‖², for display."""

    def _latex(self, printer) -> str:
        return rf"\left\|{printer._print(self.args[0])}\right\|^{{2}}"

    def _sympystr(self, printer) -> str:
        return f"norm({printer._print(self.args[0])})**2"


class Partial(sp.Expr):
    """∂f/∂v, for display."""

    def _latex(self, printer) -> str:
        f, v = (printer._print(a) for a in self.args)
        return rf"\frac{{\partial {f}}}{{\partial {v}}}"

    def _sympystr(self, printer) -> str:
        return f"d{printer._print(self.args[0])}/d{printer._print(self.args[1])}"


class Rounding(sp.Expr):
    """round_k(M) for a whole matrix, for display."""

    def _latex(self, printer) -> str:
        inner = printer._print(self.args[0])
        return rf"\operatorname{{round}}_{{{self.args[1]}}}\left({inner}\right)"


def _grouped(printer, a: sp.Basic) -> str:
    text = printer._print(a)
    return rf"\left({text}\right)" if isinstance(a, sp.MatAdd | sp.MatMul | sp.Add) else text


def theta(name: str, arg: sp.Basic) -> sp.Basic:
    """θ(arg) written with the activation's name (applied entrywise to a vector)."""
    return sp.Function(name)(arg)


def theta_prime(name: str, arg: sp.Basic) -> sp.Basic:
    """θ'(arg), written with the activation's name."""
    f = ACTIVATIONS[name].function(s_) if name != "identity" else sp.Function("identity")(s_)
    return sp.Subs(sp.Derivative(f, s_), s_, arg)


@dataclass(frozen=True)
class Labels:
    """Names of the displayed quantities; ``tilde`` for the hand replay."""

    net: Network
    tilde: bool = False

    def _m(self, letter: str, layer: int | None, rows: int, cols: int = 1) -> sp.MatrixSymbol:
        mark = "tilde" if self.tilde and letter in ("x", "s", "delta", "e") else ""
        sup = "" if layer is None else f"^({layer})"
        return sp.MatrixSymbol(f"{letter}{mark}{sup}", rows, cols)

    def x(self, layer: int) -> sp.MatrixSymbol:
        w = self.net.widths
        return self._m("x", layer, w[layer] + (layer < self.net.depth))

    def s(self, layer: int) -> sp.MatrixSymbol:
        return self._m("s", layer, self.net.widths[layer])

    def delta(self, layer: int) -> sp.MatrixSymbol:
        return self._m("delta", layer, self.net.widths[layer])

    def W(self, layer: int, bar: bool = False) -> sp.MatrixSymbol:
        w = self.net.weights[layer - 1]
        return self._m("Wbar" if bar else "W", layer, w.rows - bar, w.cols)

    def y(self) -> sp.MatrixSymbol:
        return self._m("y", None, self.net.widths[-1])

    def e(self) -> sp.Symbol:
        return sp.Symbol("etilde" if self.tilde else "e", real=True)

    def grad(self, layer: int) -> Partial:
        return Partial(self.e(), self.W(layer))


def _rounded_entries(col: sp.MatrixBase, k: int, skip_first: bool = False) -> sp.ImmutableMatrix:
    start = 1 if skip_first else 0
    return sp.ImmutableMatrix(
        [v if i < start or round_decimals(v, k) == v else rounded(v, k) for i, v in enumerate(col)]
    )


def forward_derivation(
    net: Network,
    trace: Trace,
    y: sp.MatrixBase,
    title: str,
    *,
    k: int | None = None,
    intro: tuple[Segment, ...] | None = None,
) -> Derivation:
    """s⁽ˡ⁾, x⁽ˡ⁾ and e, each as formula, numbers substituted, result (rounded when ``k``)."""
    lab = Labels(net, tilde=k is not None)
    b = DerivationBuilder(title, intro=intro)
    x0 = trace.x[0]
    inputs = sp.ImmutableMatrix([1, *sp.symbols(f"x_1:{len(x0)}", real=True)])
    formula0 = sp.ImmutableMatrix([1, sp.Symbol("x", real=True)]) if len(x0) == 2 else inputs
    b.equal(shown(lab.x(0), x0), shown(formula0, x0), shown(x0), rule="bias entry 1, then x")
    for layer in range(1, net.depth + 1):
        w, s, used = net.weights[layer - 1], trace.s[layer - 1], trace.s_used[layer - 1]
        x_prev = trace.x[layer - 1]
        formula = sp.MatMul(sp.Transpose(lab.W(layer)), lab.x(layer - 1))
        numbers = sp.MatMul(sp.Transpose(w), x_prev)
        if k is not None and used != s:
            b.equal(
                shown(lab.s(layer), used),
                shown(Rounding(formula, sp.Integer(k)), used),
                shown(Rounding(numbers, sp.Integer(k))),
                shown(_rounded_entries(s, k)),
                shown(used),
                rule=f"forward pass, rounded to {k} decimals",
            )
        else:
            b.equal(
                shown(lab.s(layer), s),
                shown(formula, s),
                shown(numbers),
                shown(s),
                rule="forward pass",
            )
        name, hidden = net.activations[layer - 1], layer < net.depth
        out = trace.x[layer]
        applied = [ACTIVATIONS[name].function(v) for v in used]
        shape = ([1] if hidden else []) + [theta(name, lab.s(layer))]
        chain = [shown(lab.x(layer), out), shown(sp.Matrix(shape), out)]
        written = sp.ImmutableMatrix(([1] if hidden else []) + applied)
        if k is not None and written != out:
            chain.append(shown(_rounded_entries(written, k, skip_first=hidden)))
        elif written != out:
            chain.append(shown(written))
        chain.append(shown(out))
        rule = "bias entry 1, then θ" if hidden else "output activation"
        if k is not None and written != out:
            rule += f", rounded to {k} decimals"
        b.equal(*chain, rule=rule)
    residual = sp.MatAdd(trace.x[-1], sp.MatMul(-1, y))
    e = sp.ImmutableMatrix([[trace.e]])
    b.equal(
        shown(lab.e(), e),
        shown(SquaredNorm(sp.MatAdd(lab.x(net.depth), sp.MatMul(-1, lab.y()))), e),
        shown(SquaredNorm(residual)),
        shown(trace.e, e),
        rule="squared error",
    )
    return b.build()


def backward_derivation(
    net: Network,
    trace: Trace,
    y: sp.MatrixBase,
    title: str,
    *,
    tilde: bool = False,
    intro: tuple[Segment, ...] | None = None,
) -> Derivation:
    """δ⁽ᴸ⁾, then δ⁽ˡ⁾ from δ⁽ˡ⁺¹⁾ (without the bias row), each with the numbers substituted."""
    lab = Labels(net, tilde=tilde)
    b = DerivationBuilder(title, intro=intro)
    L = net.depth
    d = trace.delta[L - 1]
    residual = sp.MatMul(2, sp.MatAdd(trace.x[-1], sp.MatMul(-1, y)))
    b.equal(
        shown(lab.delta(L), d),
        shown(
            Hadamard(
                sp.MatMul(2, sp.MatAdd(lab.x(L), sp.MatMul(-1, lab.y()))),
                theta_prime(net.activations[-1], lab.s(L)),
            ),
            d,
        ),
        shown(Hadamard(residual, trace.derivative[L - 1])),
        shown(d),
        rule="output layer",
    )
    for layer in range(L - 1, 0, -1):
        d = trace.delta[layer - 1]
        wbar = net.weights[layer][1:, :]
        b.equal(
            shown(lab.delta(layer), d),
            shown(
                Hadamard(
                    theta_prime(net.activations[layer - 1], lab.s(layer)),
                    sp.MatMul(lab.W(layer + 1, bar=True), lab.delta(layer + 1)),
                ),
                d,
            ),
            shown(Hadamard(trace.derivative[layer - 1], sp.MatMul(wbar, trace.delta_used[layer]))),
            shown(d),
            rule="backpropagate (bias row dropped)",
        )
    return b.build()


def gradient_derivation(
    net: Network, trace: Trace, title: str, *, tilde: bool = False
) -> Derivation:
    """∂e/∂W⁽ˡ⁾ = x⁽ˡ⁻¹⁾ (δ⁽ˡ⁾)ᵀ with the numbers substituted."""
    lab = Labels(net, tilde=tilde)
    b = DerivationBuilder(title)
    for layer in range(1, net.depth + 1):
        g = trace.grads[layer - 1]
        b.equal(
            shown(lab.grad(layer), g),
            shown(sp.MatMul(lab.x(layer - 1), sp.Transpose(lab.delta(layer))), g),
            shown(sp.MatMul(trace.x[layer - 1], sp.Transpose(trace.delta_used[layer - 1]))),
            shown(g),
            rule="outer product",
        )
    return b.build()


def average_derivation(
    net: Network, traces: list[Trace], grads: list[sp.ImmutableMatrix], title: str
) -> Derivation:
    """∂e/∂W⁽ˡ⁾ = (1/N) Σ_n ∂e_n/∂W⁽ˡ⁾ over the data points."""
    lab = Labels(net)
    b = DerivationBuilder(title)
    n = len(traces)
    for layer in range(1, net.depth + 1):
        terms = sp.MatAdd(*[t.grads[layer - 1] for t in traces], evaluate=False)
        b.equal(
            shown(lab.grad(layer), grads[layer - 1]),
            shown(sp.MatMul(sp.Rational(1, n), terms)),
            shown(grads[layer - 1]),
            rule=f"average over the {n} data points",
        )
    return b.build()


def _short(expr: sp.Basic) -> bool:
    """At most :data:`SHORT` operations (counted only when the tree is small: ``count_ops``
    walks the tree, which for e through eight layers has millions of nodes)."""
    return dag.tree_size(expr, 4 * SHORT + 4) <= 4 * SHORT + 4 and sp.count_ops(expr) <= SHORT


def delta_check_derivation(
    net: Network,
    title: str,
    sigma: Callable[[int], sp.ImmutableMatrix],
    pairs: Callable[[int], tuple[sp.ImmutableMatrix, sp.ImmutableMatrix, sp.Expr]],
    intro: tuple[Segment, ...],
) -> Derivation:
    """δ⁽ˡ⁾ = ∂e/∂s⁽ˡ⁾ for every layer, as identities in the pre-activations s⁽ˡ⁾.

    ``pairs(l)`` gives δ⁽ˡ⁾ from the recursion, ∂e/∂s⁽ˡ⁾ by differentiating e directly, and
    e itself, all as functions of the symbols ``sigma(l)``.
    """
    lab = Labels(net)
    b = DerivationBuilder(title, intro=intro)
    for layer in range(1, net.depth + 1):
        recursion, direct, e = pairs(layer)
        if _short(e):
            rule = f"e through layers {layer} to {net.depth}"
            b.equal(shown(lab.e(), sp.ImmutableMatrix([[e]])), shown(e), rule=rule)
        partials = shown(sp.Matrix([Partial(lab.e(), v) for v in sigma(layer)]), direct)
        short = all(_short(v) for v in (*recursion, *direct))
        chain = [shown(recursion), partials, shown(direct)] if short else [partials]
        rule = (
            "recursion, then e differentiated directly"
            if short
            else "recursion and e differentiated directly agree (too long to show)"
        )
        b.equal(shown(lab.delta(layer), recursion), *chain, rule=rule)
    return b.build()
