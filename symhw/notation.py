"""SymPy nodes for textbook vector notation: x_n, w^T x_n and the gradient with respect to w.

They display as a student writes them and are lowered to explicit components (see
:mod:`symhw.lowering`) whenever an equality that contains them is checked.
"""

from __future__ import annotations

import sympy as sp


def indexed_symbol(
    letter: str, sub: object = None, sup: object = None, **assumptions: bool
) -> sp.Symbol:
    """A symbol named in SymPy's own grammar, ``letter_sub^sup``: the indices are part of
    the name as SymPy reads it (``split_super_sub``), never LaTeX. An index is text, a
    number, or a tuple of them written with commas; the subscript comes first, and the
    sheet's printers write them in that order.

    >>> indexed_symbol("w", 1, (1, 1)), indexed_symbol("x", 12), indexed_symbol("A", sup="T")
    (w_1^11, x_12, A^T)
    >>> from sympy.printing.conventions import split_super_sub
    >>> split_super_sub(indexed_symbol("w", 3, (10, 2)).name)
    ('w', ['10,2'], ['3'])
    """
    name = letter
    for mark, index in (("_", sub), ("^", sup)):
        if index is not None:
            name += mark + _index_text(index)
    return sp.Symbol(name, **assumptions)


def _index_text(index: object) -> str:
    """One index as it reads in a name: 1, ij, or 10,2 when a part has several digits."""
    parts = [str(i) for i in index] if isinstance(index, tuple) else [str(index)]
    if any(ch in part for part in parts for ch in "_^{} "):
        raise ValueError(f"an index cannot contain _, ^, braces or spaces: {index!r}")
    return ("," if any(len(p) > 1 for p in parts) and len(parts) > 1 else "").join(parts)


def layer_symbol(letter: str, layer: object, sub: object = None, **assumptions: bool) -> sp.Symbol:
    """A quantity of layer l in the seed's notation, ``letter^(l)_sub``: the layer comes
    first, in parentheses, and the sheet prints it first (as SymPy prints any name). Indices
    are read as by :func:`indexed_symbol`.

    >>> layer_symbol("w", 1, (0, 1)), layer_symbol("s", "l", "j"), layer_symbol("W", "l+1")
    (w^(1)_01, s^(l)_j, W^(l+1))
    >>> from sympy.printing.conventions import split_super_sub
    >>> split_super_sub(layer_symbol("w", 3, (10, 2)).name)
    ('w', ['(3)'], ['10,2'])
    """
    name = f"{letter}^({_index_text(layer)})"
    if sub is not None:
        name += "_" + _index_text(sub)
    return sp.Symbol(name, **assumptions)


class Vec(sp.Function):
    """A column vector named by a symbol, optionally indexed: ``Vec(x, n)`` is x_n.

    >>> import sympy as sp
    >>> x, n = sp.Symbol("x"), sp.Symbol("n")
    >>> Vec(x, n).subs(n, 2)
    Vec(x, 2)
    """

    nargs = (1, 2)

    @property
    def name(self) -> str:
        return str(self.args[0])

    @property
    def index(self) -> sp.Basic | None:
        return self.args[1] if len(self.args) == 2 else None


class Inner(sp.Function):
    """The inner product u^T v of two :class:`Vec` (a real scalar)."""

    nargs = 2

    def _eval_is_real(self) -> bool:
        return True


class Grad(sp.Function):
    """The gradient of a scalar expression with respect to a :class:`Vec` (a vector)."""

    nargs = 2


class Norm(sp.Function):
    """The Euclidean norm of a vector expression (display only)."""

    nargs = 1


class MinOver(sp.Function):
    """``min_n f(n)``: the smallest value of an expression over an index (display only)."""

    nargs = 2


class LimitBothWays(sp.Function):
    """``lim_{v → ±∞} f``: the limits of ``f`` as ``v`` → ∞ and as ``v`` → −∞, one value
    for both (display only: each limit is a verified step of its own).

    >>> s = sp.Symbol("s")
    >>> LimitBothWays(1 / s, s).args
    (1/s, s)
    """

    nargs = 2


def is_vector(expr: object) -> bool:
    """Whether an expression built from these nodes is vector-valued.

    >>> import sympy as sp
    >>> w, x, n = Vec(sp.Symbol("w")), Vec(sp.Symbol("x"), sp.Symbol("n")), sp.Symbol("n")
    >>> is_vector(Inner(w, x)), is_vector(3 * x), is_vector(Grad(Inner(w, x), w))
    (False, True, True)
    """
    if isinstance(expr, Vec | Grad):
        return True
    if isinstance(expr, Inner | sp.Function):
        return False
    if isinstance(expr, sp.Add | sp.Mul | sp.Sum | sp.Pow):
        return any(is_vector(a) for a in expr.args)
    return False


class WrittenSum(sp.Add):
    """A sum whose terms print in the order given (SymPy would sort them).

    >>> a, b = sp.symbols("a b")
    >>> str(WrittenSum(b, a, evaluate=False))
    'b + a'
    """

    def as_ordered_terms(self, order=None, data=False):
        return list(self.args)

    def doit(self, **hints) -> sp.Expr:
        """Evaluated, it is an ordinary sum: the written order is for display only."""
        return sp.Add(*[a.doit(**hints) if isinstance(a, sp.Basic) else a for a in self.args])


def written(*factors: object) -> sp.Expr:
    """A product kept in the order written, e.g. 32·3·3 (SymPy would evaluate it).

    >>> written(32, 3, 3)
    32*3*3
    """
    args = [sp.sympify(f, strict=True) for f in factors]
    if not args:
        return sp.Integer(1)
    return args[0] if len(args) == 1 else sp.Mul(*args, evaluate=False)


def written_sum(*terms: object) -> sp.Expr:
    """A sum kept in the order written (printed in that order too).

    >>> written_sum(4128, 9248, 4224).args
    (4128, 9248, 4224)
    """
    args = [sp.sympify(t, strict=True) for t in terms]
    if not args:
        return sp.Integer(0)
    return args[0] if len(args) == 1 else WrittenSum(*args, evaluate=False)


class GradientEntry(sp.Symbol):
    """∂f/∂v as a symbol of its own: an entry of an upstream gradient, or the name of a
    whole gradient such as ∂e/∂W⁽ˡ⁾ (``wrt`` a matrix symbol).

    >>> GradientEntry(sp.Symbol("L"), indexed_symbol("Y", 11))
    dL/dY_11
    """

    def __new__(cls, of: sp.Symbol, wrt: sp.Symbol | sp.MatrixSymbol):
        obj = super().__new__(cls, f"d{of.name}/d{wrt.name}")
        obj.of, obj.wrt = of, wrt
        return obj

    def __getnewargs_ex__(self):
        return (self.of, self.wrt), {}


class PartialDerivative(sp.Derivative):
    """A derivative written ∂f/∂v even when f is a single symbol (an entry of a Jacobian)."""


class Dots(sp.Symbol):
    """An ellipsis standing for the entries of a matrix that are not shown: ⋯, ⋮ or ⋱."""


class Shape(sp.Tuple):
    """The shape of an array, written as the homework writes it: 1 × C (a tuple to SymPy,
    so its entries are compared one by one; plain text keeps the tuple form).

    >>> from symhw.counts.layers import dim
    >>> tuple(Shape(1, dim("C"))) == (1, dim("C")), str(Shape(1, dim("C")))
    (True, '(1, C)')
    """


def axes_shape(axes: str | tuple[str, ...]) -> Shape:
    """The shape of an array by the names of its axes, as prose writes it in math: N × C,
    N × H × W × C, k × k.

    >>> str(axes_shape("NHWC")), str(axes_shape(("k", "k")))
    ('(N, H, W, C)', '(k, k)')
    """
    return Shape(*(sp.Symbol(a) for a in axes))
