"""SymPy nodes for textbook vector notation: x_n, w^T x_n and the gradient with respect to w.

They display as a student writes them and are lowered to explicit components (see
:mod:`symhw.verify`) whenever an equality that contains them is checked.
"""

from __future__ import annotations

import sympy as sp


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
