"""Display nodes of a network's sheet (printed by symhw.render.expr): shown, ⊙, ‖·‖², round,
θ′ and numbers written to a fixed number of decimals."""

from __future__ import annotations

import sympy as sp
from sympy.matrices.expressions.matexpr import MatrixExpr

from symhw.mlp import round_decimals


class Shown(MatrixExpr):
    """A matrix written one way (``display``) whose value is ``value``.

    Verification compares values; the sheet prints the display, with terminating decimals
    written as decimals. Like every node here, it holds values only: the printers of
    :mod:`symhw.render.expr` write it (``_print_Shown``).

    >>> from symhw.render.expr import latex
    >>> m = Shown(sp.MatrixSymbol("s^(1)", 1, 1), sp.Matrix([[sp.Rational(7, 10)]]))
    >>> latex(m), m.as_explicit()
    ('s^{(1)}', Matrix([[7/10]]))
    """

    def __new__(cls, display: sp.Basic, value: sp.MatrixBase):
        return sp.Basic.__new__(cls, sp.sympify(display, strict=True), sp.ImmutableMatrix(value))

    @property
    def display(self) -> sp.Basic:
        """What the sheet writes."""
        return self.args[0]

    @property
    def shape(self) -> tuple[int, int]:
        """The value's shape."""
        return self.args[1].shape

    def _entry(self, i, j, **kwargs):
        return self.args[1][i, j]

    def as_explicit(self) -> sp.ImmutableMatrix:
        """The value."""
        return self.args[1]

    def doit(self, **hints) -> sp.ImmutableMatrix:
        """The value: what verification compares."""
        return self.args[1]


def shown(display: sp.Basic, value: sp.MatrixBase | None = None) -> Shown:
    """``display`` standing for ``value``; without a value, for what it evaluates to."""
    return Shown(display, evaluate(display) if value is None else value)


def evaluate(display: sp.Basic) -> sp.ImmutableMatrix:
    """The value of a display built from explicit matrices: products, sums, ⊙ and ‖·‖².

    Numbers written to fixed decimals (:class:`Fixed`) stand for their exact values.

    >>> a = sp.ImmutableMatrix([1, 2])
    >>> evaluate(Hadamard(a, sp.MatMul(2, a))).T, evaluate(SquaredNorm(a))
    (Matrix([[2, 8]]), Matrix([[5]]))
    >>> evaluate(sp.ImmutableMatrix([Fixed(sp.Rational(21, 50), 4)]))
    Matrix([[21/50]])
    """
    fixed = {f: f.exact for f in display.atoms(Fixed)}
    if fixed:
        display = display.xreplace(fixed)
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


class rounded(sp.Function):
    """round_k(v): v rounded to k decimals, halves away from zero; its value is exact."""

    nargs = 2

    def definition(self) -> sp.Rational:
        """The rounded value, exactly (what verification substitutes)."""
        return round_decimals(self.args[0], int(self.args[1]))


class ThetaPrime(sp.Function):
    """θ′(arg): the derivative of the layer's activation at ``arg``, as the homework writes
    it (display only: a line's value says which activation it is)."""

    nargs = 1


class Hadamard(sp.Expr):
    """a ⊙ b, for display."""


class SquaredNorm(sp.Expr):
    """‖v‖², for display."""


class Rounding(sp.Expr):
    """round_k(M) for a whole matrix, for display."""


class Fixed(sp.Expr):
    """A number written with exactly ``decimals`` decimals, halves away from zero (display
    only; ``exact`` keeps the exact value).

    >>> from symhw.render.expr import latex
    >>> latex(Fixed(sp.Rational(17335296, 10**7), 4)), latex(Fixed(sp.Rational(81, 25), 4))
    ('1.7335', '3.2400')
    """

    def __new__(cls, value, decimals: int):
        return sp.Basic.__new__(cls, sp.sympify(value, strict=True), sp.Integer(decimals))

    @property
    def exact(self) -> sp.Expr:
        """The exact value."""
        return self.args[0]

    @property
    def decimals(self) -> int:
        """How many decimals are written."""
        return int(self.args[1])


class Approximated(Shown):
    r"""A shown answer followed by its value to ``decimals`` places: ``named ≈ [0.6044]``.

    Entries of ``approx`` that are rational are exact and written as such; the others are
    30-digit floats, written with ``decimals`` decimals (halves away from zero).

    >>> from symhw.render.expr import latex
    >>> t = sp.Matrix([1, sp.tanh(1)])
    >>> m = Approximated(t, t, sp.Matrix([1, sp.N(sp.tanh(1), 30)]), 4)
    >>> latex(m).split(r" \approx ")[1]
    '\\left[\\begin{matrix}1 \\\\ 0.7616\\end{matrix}\\right]'
    """

    def __new__(cls, display, value, approx, decimals):
        args = (sp.ImmutableMatrix(value), sp.ImmutableMatrix(approx), sp.Integer(decimals))
        return sp.Basic.__new__(cls, sp.sympify(display, strict=True), *args)

    @property
    def approx(self) -> sp.ImmutableMatrix:
        """The value written after ≈: exact rationals and 30-digit floats."""
        return self.args[2]

    @property
    def decimals(self) -> int:
        """How many decimals the floats of ``approx`` are written with."""
        return int(self.args[3])
