"""Display nodes of a network's sheet: shown matrices, ⊙, ‖·‖², rounding, fixed decimals."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, localcontext

import sympy as sp
from sympy.matrices.expressions.matexpr import MatrixExpr

from symhw.mlp import round_decimals


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


def fmt(value: sp.Expr, decimals: int) -> str:
    """A value written with ``decimals`` decimals (halves away from zero), at any magnitude.

    >>> fmt(sp.Rational(-5, 8), 2), fmt(sp.Integer(10) ** 40 / 3, 1)[-4:]
    ('-0.63', '33.3')
    >>> fmt(-sp.exp(-sp.Integer(10) ** 45), 3)
    '0.000'

    """
    value = sp.sympify(value, strict=True)
    if value.has(sp.UnevaluatedExpr):  # a decimal as the sheet writes it (-0.5 and all)
        value = value.doit()
    if abs(sp.N(value, 15)) < sp.Float(10) ** -(decimals + 2):  # 0 at these decimals, even
        value = sp.Integer(0)  # at e^(-10^45), whose exponent no Decimal can hold
    digits = 40 + max(0, Decimal(str(sp.N(value, 15))).adjusted()) + decimals
    d = Decimal(str(sp.N(value, digits)))
    with localcontext() as ctx:  # quantize needs every digit before the point, plus decimals
        ctx.prec = max(28, d.adjusted() + decimals + 2)
        d = d.quantize(Decimal(1).scaleb(-decimals), ROUND_HALF_UP)
    out = f"{d:f}"
    return out[1:] if out.startswith("-") and set(out[1:]) <= set("0.") else out


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


class Fixed(sp.Expr):
    """A number written with exactly ``k`` decimals, halves away from zero (display only;
    ``args[0]`` keeps the exact value).

    >>> from symhw.render.expr import latex
    >>> latex(Fixed(sp.Rational(17335296, 10**7), 4)), latex(Fixed(sp.Rational(81, 25), 4))
    ('1.7335', '3.2400')
    """

    def __new__(cls, value, decimals: int):
        return sp.Basic.__new__(cls, sp.sympify(value, strict=True), sp.Integer(decimals))

    def _latex(self, printer) -> str:
        return fmt(self.args[0], int(self.args[1]))

    _sympystr = _latex


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

    def _cells(self, printer) -> list[list[str]]:
        approx, k = self.args[2], int(self.args[3])

        def cell(v):
            return printer._print(decimal(v)) if v.is_Rational else fmt(v, k)

        return [[cell(v) for v in approx.row(i)] for i in range(approx.rows)]

    def _latex(self, printer) -> str:
        cells = self._cells(printer)
        if not isinstance(self.display, sp.MatrixBase | sp.MatrixExpr):  # a scalar such as e
            return rf"{super()._latex(printer)} \approx {cells[0][0]}"
        body = r" \\ ".join(" & ".join(row) for row in cells)
        matrix = rf"\left[\begin{{matrix}}{body}\end{{matrix}}\right]"
        return rf"{super()._latex(printer)} \approx {matrix}"

    def _sympystr(self, printer) -> str:
        rows = "; ".join(", ".join(row) for row in self._cells(printer))
        return f"{super()._sympystr(printer)} ≈ [{rows}]"
