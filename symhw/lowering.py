"""Vector notation lowered to scalars: the instance an equality is checked on.

An equality written with vectors, gradients, inner products and sums with symbolic bounds
(:mod:`symhw.notation`) is checked on a concrete *instance* (:class:`Instance`): sums are
expanded at stated sizes and vectors split into components, with every other symbol left
free. :func:`scalar_pairs` gives the pairs of scalars that must be equal for ``a = b``;
:mod:`symhw.verify` decides them.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

import sympy as sp
from sympy.concrete.expr_with_limits import ExprWithLimits

from symhw import dag
from symhw.errors import VerificationError
from symhw.memo import by_identity, forgettable
from symhw.notation import Grad, Inner, Vec, is_vector


@dataclass(frozen=True)
class Instance:
    """Where vector-notation equalities are checked: sizes of sums and vectors, and names.

    ``sizes`` maps symbolic bounds (such as N) to the integers they take; ``dim`` is the
    length of every :class:`~symhw.notation.Vec`; ``definitions`` maps a named expression
    (such as E_in(w)) to what it stands for.
    """

    sizes: Mapping[sp.Symbol, int] = field(default_factory=dict)
    dim: int = 2
    definitions: Mapping[sp.Basic, sp.Basic] = field(default_factory=dict)

    def describe(self) -> str:
        parts = [f"{s} = {v}" for s, v in sorted(self.sizes.items(), key=lambda kv: str(kv[0]))]
        return ", ".join([*parts, f"vectors of length {self.dim}"])

    def with_definition(self, name: sp.Basic, value: sp.Basic) -> Instance:
        return Instance(self.sizes, self.dim, {**self.definitions, name: value})


def component(vec: Vec, k: int) -> sp.Symbol:
    """The k-th component of a vector, as a real symbol (``x_n`` -> ``x[n,k]``)."""
    label = vec.name if vec.index is None else f"{vec.name}[{vec.index}]"
    return sp.Symbol(f"{label}[{k}]", real=True)


def lower(
    expr: sp.Basic, inst: Instance, k: int | None = None, memo: dict | None = None
) -> sp.Basic:
    """Rewrite vector notation as explicit scalar expressions (component ``k`` of a vector).

    Each distinct subexpression is lowered once (``memo``), so a large shared expression
    costs its graph, not its tree.
    """
    memo = {} if memo is None else memo
    if (expr, k) not in memo:
        memo[expr, k] = _lower(expr, inst, k, memo)
    return memo[expr, k]


def _lower(expr: sp.Basic, inst: Instance, k: int | None, memo: dict) -> sp.Basic:
    if expr in inst.definitions:
        return lower(inst.definitions[expr], inst, k, memo)
    if isinstance(expr, sp.Sum):
        bounds = [lower(b, inst) for _, lo, hi in expr.limits for b in (lo, hi)]
        if not all(b.is_Integer for b in bounds):  # symbolic bounds: left for doit() to sum
            return sp.Sum(lower(expr.function, inst, k, memo), *expr.limits)
        term = expr.function
        for var, lo, hi in reversed(expr.limits):
            lo, hi = (int(lower(b, inst)) for b in (lo, hi))
            term = sp.Add(*_terms(term, var, range(lo, hi + 1)))
        return lower(term, inst, k, memo)
    if isinstance(expr, Grad):
        f, v = expr.args
        if k is None:
            raise ValueError("a gradient is a vector: lower it one component at a time")
        return sp.diff(lower(f, inst), component(v, k))
    if isinstance(expr, Inner):
        a, b = expr.args
        return sp.Add(*[component(a, j) * component(b, j) for j in range(inst.dim)])
    if isinstance(expr, Vec):
        if k is None:
            raise ValueError(f"{expr} is a vector: lower it one component at a time")
        return component(expr, k)
    if isinstance(expr, sp.Indexed):  # y[2] -> a real symbol, so sampling never splits it
        return sp.Symbol(str(expr.func(*[lower(a, inst) for a in expr.args])), real=True)
    if isinstance(expr, sp.Symbol) and expr in inst.sizes:
        return sp.Integer(inst.sizes[expr])
    if not expr.args:
        return expr
    args = [lower(a, inst, k, memo) for a in expr.args]
    if all(new is old for new, old in zip(args, expr.args, strict=True)):
        return expr  # nothing to lower below: rebuilding would only cost time
    return expr.func(*args)


#: Objects whose ``variables`` are bound in them: a substitution for n, a sum over n.
_BINDERS = (sp.Subs, sp.Lambda, ExprWithLimits)


def _binds(o: sp.Basic, var: sp.Symbol) -> bool:
    """Whether ``o`` binds ``var``: d/dn (of any order, a symbolic one too), lim over n, a
    substitution for n, a sum or an integral over n."""
    if isinstance(o, sp.Derivative):  # .variables raises for an order such as (s, M)
        return any(v == var for v, _ in o.variable_count)
    if isinstance(o, sp.Limit):
        return o.args[1] == var
    return isinstance(o, _BINDERS) and var in o.variables


def _terms(term: sp.Basic, var: sp.Symbol, values: range) -> list[sp.Basic]:
    """``term`` at ``var`` = each of ``values``: every occurrence replaced at once
    (``xreplace``, several times faster than ``subs``), unless ``var`` is also bound inside
    the term (a derivative in n, a sum over n), which only ``subs`` leaves alone. (A
    PartialDerivative in another variable keeps its class, where ``subs`` would rebuild it
    as a Derivative: the same value.)

    >>> n, y = sp.Symbol("n"), sp.IndexedBase("y")
    >>> _terms(y[n] ** 2, n, range(1, 3)), _terms(sp.Derivative(n**2, n) + n, n, range(3, 4))
    ([y[1]**2, y[2]**2], [Subs(Derivative(n**2, n), n, 3) + 3])
    """
    if any(_binds(o, var) for o in dag.objects(term)):
        return [term.subs(var, i) for i in values]
    return [term.xreplace({var: sp.Integer(i)}) for i in values]


def scalar_pairs(a: object, b: object, inst: Instance) -> Iterator[tuple[sp.Expr, sp.Expr]]:
    """The pairs of scalars that must be equal for ``a = b`` to hold."""
    a, b = (_resolve(x, inst) for x in (a, b))
    matrices = [isinstance(x, sp.MatrixBase | sp.MatrixExpr) for x in (a, b)]
    if matrices[0] != matrices[1]:
        raise VerificationError("shapes differ: a matrix and a scalar")
    if matrices[0]:
        a, b = _explicit(a), _explicit(b)
        if a.shape != b.shape:
            raise VerificationError(f"shapes differ: {a.shape} and {b.shape}")
        for x, y in zip(a, b, strict=True):  # entries may use definitions too
            yield from scalar_pairs(x, y, inst)
        return
    if isinstance(a, tuple | sp.Tuple) or isinstance(b, tuple | sp.Tuple):
        if len(a) != len(b):
            raise VerificationError(f"lengths differ: {a} and {b}")
        for x, y in zip(a, b, strict=True):
            yield from scalar_pairs(x, y, inst)
        return
    a, b = sp.sympify(a, strict=True), sp.sympify(b, strict=True)  # never text
    if not (_notation(a, inst) or _notation(b, inst)):
        yield a, b  # nothing to lower: plain scalars
        return
    memo = _lowering_memo(inst)
    if any(dag.contains(x, (Vec, Grad)) and is_vector(x) for x in (a, b)):
        for k in range(inst.dim):
            yield lower(a, inst, k, memo), lower(b, inst, k, memo)
    else:
        yield lower(a, inst, None, memo), lower(b, inst, None, memo)


#: The :func:`lower` memo of each recent instance, shared by the checks made on it: the
#: steps of a derivation share their members (a = b = c lowers b for both links), and a
#: chain's checks share subexpressions. Equal expressions share an entry, as within one
#: check before (and as ``symhw.verify._evaluate`` shares its results).
_LOWERED: OrderedDict[int, tuple[Instance, dict]] = forgettable(OrderedDict())
_LOWERED_INSTANCES = 16


def _lowering_memo(inst: Instance) -> dict:
    return by_identity(_LOWERED, inst, dict, _LOWERED_INSTANCES)


def uses_instance(*exprs: object) -> bool:
    """Whether checking an equality of ``exprs`` needs an instance's sizes or vector
    length: some side holds a vector, a gradient, an inner product or a sum."""
    kinds = (Vec, Grad, Inner, sp.Sum)
    return any(isinstance(e, sp.Basic) and dag.contains(e, kinds) for e in exprs)


def _notation(expr: sp.Basic, inst: Instance) -> bool:
    """Whether :func:`lower` would change ``expr`` (one walk of its graph)."""
    special = (Vec, Grad, Inner, sp.Sum, sp.Indexed)
    named = {**inst.definitions, **inst.sizes}
    return any(isinstance(n, special) or n in named for n in dag.objects(expr))


def _explicit(m: object) -> sp.MatrixBase:
    """A matrix with its entries written out; a product of explicit matrices is multiplied
    (``MatMul.as_explicit`` would build and sum a ``Sum`` per entry, ~100x slower). An
    explicit matrix is taken as it is: its entries are only read."""
    if isinstance(m, sp.MatrixExpr) and not isinstance(m, sp.MatrixBase):
        m = m.doit(deep=False)
    return m if isinstance(m, sp.MatrixBase) else sp.Matrix(m)


def _resolve(x: object, inst: Instance) -> object:
    """What a defined name stands for: a scalar, or a tuple or matrix such as shape(mu)."""
    while isinstance(x, sp.Basic) and not isinstance(x, sp.MatrixBase) and x in inst.definitions:
        x = inst.definitions[x]
    return x
