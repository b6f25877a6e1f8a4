"""How SymPy expressions are written on a sheet: one LaTeX printer, one plain-text printer."""

from __future__ import annotations

import functools
from collections import OrderedDict

import sympy as sp
from sympy.printing.latex import LatexPrinter
from sympy.printing.precedence import PRECEDENCE
from sympy.printing.str import StrPrinter

from symhw.memo import by_identity, forgettable
from symhw.notation import (
    Dots,
    Grad,
    GradientEntry,
    Inner,
    LimitBothWays,
    MinOver,
    Norm,
    PartialDerivative,
    Shape,
    Vec,
    WrittenSum,
)
from symhw.render.decimals import as_decimals, fixed_point, grouped
from symhw.render.names import function_latex, symbol_latex


def _is_unevaluated_mul(expr: sp.Basic) -> bool:
    """A Mul built with ``evaluate=False`` to keep the factor order a person wrote."""
    return isinstance(expr, sp.Mul) and expr.args != sp.Mul(*expr.args).args


class _WrittenMul(sp.Mul):
    """A product whose factors print in the order they were given (SymPy sorts them)."""

    def as_ordered_factors(self, order=None):
        return list(self.args)


class SheetLatexPrinter(LatexPrinter):
    """LaTeX as on a solution sheet: w^T x_n, ∇_w, θ'(u), σ(s), factors in written order."""

    def __init__(self, settings: dict | None = None):
        super().__init__({"mul_symbol": None, **(settings or {})})

    def _print_Vec(self, expr: Vec) -> str:
        if expr.index is None:
            return expr.name
        return f"{expr.name}_{{{self._print(expr.index)}}}"

    def _print_Symbol(self, expr: sp.Symbol, style: str = "plain") -> str:
        """Indices in the order the name gives them: w_1^11 is w_{1}^{11} (SymPy would put
        the superscript first); word indices upright (:func:`~symhw.render.names.index_latex`)."""
        if expr in self._settings["symbol_names"] or self._settings["disable_split_super_sub"]:
            return super()._print_Symbol(expr, style)
        return symbol_latex(expr.name, style)

    def _deal_with_super_sub(self, string: str, style: str = "plain") -> str:
        """A function's name such as E_in: its indices as a symbol's (E_{\\mathrm{in}})."""
        return symbol_latex(string, style)

    def _print_Integer(self, expr: sp.Integer) -> str:
        return grouped(int(expr), THIN)

    _print_int = _print_Integer

    def _print_Rational(self, expr: sp.Rational) -> str:
        if expr.q == 1:
            return self._print_Integer(expr)
        sign = "- " if expr.p < 0 else ""
        p, q = (grouped(n, THIN) for n in (abs(expr.p), expr.q))
        return rf"{sign}\frac{{{p}}}{{{q}}}"

    def _print_MatrixBase(self, expr: sp.MatrixBase) -> str:
        """A 1 × 1 matrix is a scalar: printed as its entry, without brackets."""
        if expr.shape == (1, 1):
            return self._print(expr[0, 0])
        return super()._print_MatrixBase(expr)

    def _print_matrix_contents(self, expr: sp.MatrixBase) -> str:
        """As SymPy's, the rows read with ``tolist`` (SymPy slices each row out as a new
        matrix: ten times as long, and most of the time spent printing a small matrix)."""
        if not isinstance(expr, sp.MatrixBase):
            return super()._print_matrix_contents(expr)
        lines = [" & ".join(self._print(entry) for entry in row) for row in expr.tolist()]
        mat_str = self._settings["mat_str"]
        if mat_str is None:
            inline = self._settings["mode"] == "inline"
            mat_str = "smallmatrix" if inline else "matrix" if expr.cols <= 10 else "array"
        columns = "{" + "c" * expr.cols + "}" if mat_str == "array" else ""
        return rf"\begin{{{mat_str}}}{columns}" + r"\\".join(lines) + rf"\end{{{mat_str}}}"

    def parenthesize(self, item, level, is_neg=False, strict=False) -> str:
        """As SymPy's, a 1 × 1 matrix judged by its entry (it prints as the entry), and a
        negative number written to fixed decimals (``Fixed``) as a negative number."""
        item = _scalar(item)
        if type(item).__name__ == "Fixed":
            tex, add = self._print(item), PRECEDENCE["Add"]
            if tex.startswith("-") and (add < level or (not strict and add <= level)):
                return rf"\left({tex}\right)"
            return tex
        return super().parenthesize(item, level, is_neg, strict)

    def _print_Transpose(self, expr: sp.Transpose) -> str:
        if _is_scalar_matrix(expr.arg):  # a scalar is its own transpose
            return self._print(expr.arg)
        return super()._print_Transpose(expr)

    def _print_Inner(self, expr: Inner) -> str:
        a, b = expr.args
        return f"{self._print(a)}^{{T}} {self._print(b)}"

    def _print_Grad(self, expr: Grad) -> str:
        f, v = expr.args
        body = self._print(f)
        if isinstance(f, sp.Add | sp.Mul | sp.Pow | sp.Sum):
            body = rf"\left({body}\right)"
        return rf"\nabla_{{{self._print(v)}}} {body}"

    def _as_ordered_terms(self, expr: sp.Basic, order: str | None = None) -> list:
        """SymPy's order of the terms, worked out once per sum (by identity, as
        :func:`_cached_latex`): for a sum of numbers it evaluates every term, printing a sum
        asks twice (here and in LatexPrinter), and a sum recurs in the displays of a sheet."""
        key = (id(expr), order or self.order)  # SymPy's own default: the printer's order
        make = functools.partial(super()._as_ordered_terms, expr, order=order)
        return list(by_identity(_ORDERED, expr, make, _PRINTED_MAX, key))

    def _print_Add(self, expr: sp.Add, order: str | None = None) -> str:
        if isinstance(expr, WrittenSum) or any(_is_unevaluated_mul(t) for t in expr.args):
            return self._print_terms(list(expr.args))  # built in written order: keep it
        terms = self._as_ordered_terms(expr, order=order)
        if terms[0].could_extract_minus_sign():
            # tanh(s) - y rather than -y + tanh(s): lead with a positive term
            lead = next((t for t in terms if not t.could_extract_minus_sign()), None)
            if lead is not None:
                terms.remove(lead)
                return self._print_terms([lead, *terms])
        return super()._print_Add(expr, order)

    def _print_terms(self, terms: list[sp.Basic]) -> str:
        tex = ""
        for i, term in enumerate(terms):
            if _is_unevaluated_mul(term) and term.args[0] == -1:
                rest = term.args[1:]
                negative = True
                body = rest[0] if len(rest) == 1 else sp.Mul(*rest, evaluate=False)
            elif not _is_unevaluated_mul(term) and term.could_extract_minus_sign():
                negative, body = True, -term
            else:
                negative, body = False, term
            term_tex = self._print(body)
            if negative and isinstance(body, sp.Add):
                term_tex = rf"\left({term_tex}\right)"
            sign = ("- " if negative else "") if i == 0 else (" - " if negative else " + ")
            tex += sign + term_tex
        return tex

    def _print_Norm(self, expr) -> str:
        return rf"\left\|{self._print(expr.args[0])}\right\|"

    def _print_MinOver(self, expr: MinOver) -> str:
        f, index = expr.args
        return rf"\min_{{{self._print(index)}}} {self._print(f)}"

    def _print_LimitBothWays(self, expr: LimitBothWays) -> str:
        f, var = expr.args
        return self._print(sp.Limit(f, var, sp.oo)).replace(r"\infty", r"\pm\infty", 1)

    def _print_Shape(self, expr: Shape) -> str:
        """1 \times C, as the homework writes a shape."""
        return r" \times ".join(self._print(d) for d in expr.args)

    def _print_Mul(self, expr: sp.Mul) -> str:
        if not isinstance(expr, sp.Mul):  # _print_Pow hands over 1/x here
            return super()._print_Mul(expr)
        sums = [f for f in expr.args if isinstance(f, sp.Sum)]
        if len(sums) == 1 and not _is_unevaluated_mul(expr):
            # (c/N) Σ ... rather than (Σ ...)/N, as a sum is written on a sheet
            coeff = sp.Mul(*[f for f in expr.args if f is not sums[0]])
            return f"{self._print(coeff)} {self._print(sums[0])}"
        if expr.args[0] == -1 and len(expr.args) > 2 and _is_unevaluated_mul(expr):
            return "- " + self._print(sp.Mul(*expr.args[1:], evaluate=False))
        return super()._print_Mul(_WrittenMul(*expr.args, evaluate=False))

    def _print_MatMul(self, expr: sp.MatMul) -> str:
        # As SymPy prints it, but the sign is read off the leading scalar: SymPy asks
        # could_extract_minus_sign(), which negates the product and so multiplies explicit
        # matrices out (most of the time spent printing a backward pass).
        args = list(expr.args)
        negative = args[0].is_Number and args[0].is_extended_negative
        if negative:
            args = args[1:] if args[0] == -1 else [-args[0], *args[1:]]

        def factor(x: sp.Basic) -> str:
            if isinstance(x, sp.Mul) and not isinstance(x, sp.MatMul):
                return self._print(x)
            return self.parenthesize(x, PRECEDENCE["Mul"], False)

        tex = [factor(a) for a in args]
        joined = tex[0]
        for prev, a, t in zip(args, args[1:], tex[1:], strict=False):
            # two scalars side by side: 2 \cdot 3, not 2 3
            dot = _is_scalar_matrix(prev) and _is_scalar_matrix(a) and t[:1].isdigit()
            joined += (r" \cdot " if dot else " ") + t
        return ("- " if negative else "") + joined

    def _print_Subs(self, expr: sp.Subs) -> str:
        inner, variables, points = expr.args
        if (
            isinstance(inner, sp.Derivative)
            and len(variables) == 1
            and inner.variables == tuple(variables)
            and isinstance(inner.expr, sp.Function)
            and inner.expr.args == tuple(variables)
        ):
            name = self._function_name(inner.expr)
            return rf"{name}'\left({self._print(points[0])}\right)"
        if len(variables) > 1:  # several substitutions on one line: |_{a=1, b=2}
            pairs = zip(variables, points, strict=True)
            subs = r",\ ".join(f"{self._print(v)}={self._print(q)}" for v, q in pairs)
            return rf"\left. {self._print(inner)} \right|_{{{subs}}}"
        return super()._print_Subs(expr)

    def _function_name(self, f: sp.Function) -> str:
        return function_latex(type(f).__name__)

    def _named_function(self, expr: sp.Function, exp: str | None) -> str:
        name = self._function_name(expr)
        if exp is not None:
            name = f"{name}^{{{exp}}}"
        return rf"{name}\left({self._print(expr.args[0])}\right)"

    def _print_sigmoid(self, expr: sp.Function, exp: str | None = None) -> str:
        return self._named_function(expr, exp)

    _print_softplus = _print_sigmoid
    _print_relu = _print_sigmoid

    def _print_GradientEntry(self, expr: GradientEntry) -> str:
        return rf"\frac{{\partial {self._print(expr.of)}}}{{\partial {self._print(expr.wrt)}}}"

    def _print_PartialDerivative(self, expr: PartialDerivative) -> str:
        if len(expr.variables) != 1:
            return self._print_Derivative(expr)
        f, v = self._print(expr.expr), self._print(expr.variables[0])
        return rf"\frac{{\partial {f}}}{{\partial {v}}}"

    def _print_Dots(self, expr: Dots) -> str:
        return {"⋯": r"\cdots", "⋮": r"\vdots", "⋱": r"\ddots"}[expr.name]

    # The display nodes of mlp-backprop sheets (symhw.problems.mlp_backprop.nodes), matched
    # by class name: this layer does not import the problems.

    def _print_Shown(self, expr: sp.MatrixExpr) -> str:
        """The display, with terminating fractions written as decimals."""
        return self._print(as_decimals(expr.display))

    def _print_Approximated(self, expr: sp.MatrixExpr) -> str:
        """``display ≈ value`` to the node's decimals; a matrix as a bracketed matrix."""
        cells = _approximate_cells(self, expr)
        if len(cells) == 1 and len(cells[0]) == 1:  # a scalar such as e, or a 1 × 1 matrix
            return rf"{self._print_Shown(expr)} \approx {cells[0][0]}"
        body = r" \\ ".join(" & ".join(row) for row in cells)
        matrix = rf"\left[\begin{{matrix}}{body}\end{{matrix}}\right]"
        return rf"{self._print_Shown(expr)} \approx {matrix}"

    def _print_rounded(self, expr: sp.Function, exp: str | None = None) -> str:
        arg = self._print(as_decimals(expr.args[0]))
        tex = rf"\operatorname{{round}}_{{{expr.args[1]}}}\left({arg}\right)"
        return tex if exp is None else rf"{tex}^{{{exp}}}"

    def _print_Rounding(self, expr: sp.Expr) -> str:
        inner = self._print(expr.args[0])
        return rf"\operatorname{{round}}_{{{expr.args[1]}}}\left({inner}\right)"

    def _print_Hadamard(self, expr: sp.Expr) -> str:
        """a ⊙ b, a sum or product in parentheses; a · b when a and b are 1 × 1."""

        def factor(a: sp.Basic) -> str:
            tex = self._print(a)
            a = _scalar(a)
            sum_like = isinstance(a, sp.MatAdd | sp.MatMul | sp.Add)
            return rf"\left({tex}\right)" if sum_like else tex

        scalars = all(_explicit_scalar(a) for a in expr.args)
        return (r" \cdot " if scalars else r" \odot ").join(factor(a) for a in expr.args)

    def _print_SquaredNorm(self, expr: sp.Expr) -> str:
        """‖v‖², or (v)² when v has one entry (a scalar, as the homework writes e)."""
        inner = self._print(expr.args[0])
        if getattr(expr.args[0], "shape", None) == (1, 1):
            return rf"\left({inner}\right)^{{2}}"
        return rf"\left\|{inner}\right\|^{{2}}"

    def _print_ThetaPrime(self, expr: sp.Function, exp: str | None = None) -> str:
        """θ′(s): the derivative of a layer's activation, in the homework's notation."""
        tex = rf"\theta'\left({self._print(expr.args[0])}\right)"
        return tex if exp is None else rf"{tex}^{{{exp}}}"

    def _print_Fixed(self, expr: sp.Expr) -> str:
        return fixed_point(expr.exact, expr.decimals)


#: The thin space between digit groups in math: 18\,496.
THIN = r"\,"


def _is_scalar_matrix(x: object) -> bool:
    """An explicit 1 × 1 matrix, or its transpose: printed as its entry."""
    if isinstance(x, sp.Transpose):
        x = x.arg
    return isinstance(x, sp.MatrixBase) and x.shape == (1, 1)


def _explicit_scalar(x: sp.Basic) -> bool:
    """A scalar, or a 1 × 1 matrix written out (not a named matrix such as δ⁽³⁾, whose ⊙
    states the general rule)."""
    return getattr(x, "shape", (1, 1)) == (1, 1) and not x.atoms(sp.MatrixSymbol)


def _scalar(x: object) -> object:
    """A 1 × 1 matrix's entry (how it prints); anything else as it is."""
    if not _is_scalar_matrix(x):
        return x
    return x.arg[0, 0] if isinstance(x, sp.Transpose) else x[0, 0]


class SheetStrPrinter(StrPrinter):
    """Plain text for JSON: dot(w, x_n), grad_w(...), y[n], w_1^11."""

    def _print_Vec(self, expr: Vec) -> str:
        return expr.name if expr.index is None else f"{expr.name}_{self._print(expr.index)}"

    def _print_Inner(self, expr: Inner) -> str:
        return f"dot({self._print(expr.args[0])}, {self._print(expr.args[1])})"

    def _print_Norm(self, expr: Norm) -> str:
        return f"norm({self._print(expr.args[0])})"

    def _print_Grad(self, expr: Grad) -> str:
        return f"grad_{self._print(expr.args[1])}({self._print(expr.args[0])})"

    def _print_MinOver(self, expr: MinOver) -> str:
        return f"min_{self._print(expr.args[1])}({self._print(expr.args[0])})"

    def _print_LimitBothWays(self, expr: LimitBothWays) -> str:
        f, var = expr.args
        return f"Limit({self._print(f)}, {self._print(var)}, ±oo)"

    # The display nodes of mlp-backprop sheets, as in SheetLatexPrinter.

    def _print_Shown(self, expr: sp.MatrixExpr) -> str:
        return self._print(expr.display)

    def _print_Approximated(self, expr: sp.MatrixExpr) -> str:
        rows = "; ".join(", ".join(row) for row in _approximate_cells(self, expr))
        return f"{self._print_Shown(expr)} ≈ [{rows}]"

    def _print_Hadamard(self, expr: sp.Expr) -> str:
        return " (.) ".join(self._print(a) for a in expr.args)

    def _print_SquaredNorm(self, expr: sp.Expr) -> str:
        if getattr(expr.args[0], "shape", None) == (1, 1):
            return f"({self._print(expr.args[0])})**2"
        return f"norm({self._print(expr.args[0])})**2"

    def _print_ThetaPrime(self, expr: sp.Function) -> str:
        return f"theta'({self._print(expr.args[0])})"

    def _print_Fixed(self, expr: sp.Expr) -> str:
        return fixed_point(expr.exact, expr.decimals)


def approximate_cells(expr: sp.MatrixExpr) -> list[list[str]]:
    """The LaTeX of each entry an ``Approximated`` node writes after its ≈."""
    return _approximate_cells(SheetLatexPrinter(), expr)


def _approximate_cells(printer, expr: sp.MatrixExpr) -> list[list[str]]:
    """The entries of an ``Approximated`` node's value: a rational exactly (as decimals where
    they terminate), anything else to the node's decimals."""

    def cell(v: sp.Expr) -> str:
        return printer._print(as_decimals(v)) if v.is_Rational else fixed_point(v, expr.decimals)

    return [[cell(v) for v in expr.approx.row(i)] for i in range(expr.approx.rows)]


_PRINTED: OrderedDict[int, tuple[object, str]] = forgettable(OrderedDict())
_ORDERED: OrderedDict[tuple[int, str | None], tuple[object, list]] = forgettable(OrderedDict())
_PRINTED_MAX = 8192


def _cached_latex(expr: object) -> str:
    """Print each *object* once (keyed by identity, not equality: SymPy calls
    ``Subs(f, (a, b), (1, 2))`` and ``Subs(f, (a, b), (2, 1))`` equal when f is symmetric,
    yet they are written differently)."""
    if isinstance(expr, sp.MatrixBase) and not isinstance(expr, sp.ImmutableMatrix):
        return SheetLatexPrinter().doprint(expr)  # mutable: it may change between prints
    return by_identity(_PRINTED, expr, lambda: SheetLatexPrinter().doprint(expr), _PRINTED_MAX)


def latex(expr: object) -> str:
    """LaTeX for one expression as it appears on a sheet.

    >>> import sympy as sp
    >>> from symhw.notation import Inner, Vec
    >>> n = sp.Symbol("n")
    >>> latex(sp.tanh(Inner(Vec(sp.Symbol("w")), Vec(sp.Symbol("x"), n))))
    '\\\\tanh{\\\\left(w^{T} x_{n} \\\\right)}'
    """
    return _cached_latex(expr)  # every format prints the same expressions: print each once


def text(expr: object) -> str:
    """Plain text for one expression (used in JSON)."""
    return SheetStrPrinter().doprint(expr)
