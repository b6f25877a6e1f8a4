"""Machine-checking of displayed equalities: symbolically first, numerically when undecided.

An equality written in vector notation (:mod:`symhw.notation`) is checked on a concrete
*instance*: sums with symbolic bounds are expanded at stated sizes and vectors are split
into components, with every other symbol left free. The check says which instance it used.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field

import sympy as sp

from symhw.derivation import Check
from symhw.errors import VerificationError
from symhw.notation import Grad, Inner, Vec, is_vector

NUMERIC_POINTS = 6
NUMERIC_DIGITS = 30
NUMERIC_TOLERANCE = 1e-20


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


def lower(expr: sp.Basic, inst: Instance, k: int | None = None) -> sp.Basic:
    """Rewrite vector notation as explicit scalar expressions (component ``k`` of a vector)."""
    if expr in inst.definitions:
        return lower(inst.definitions[expr], inst, k)
    if isinstance(expr, sp.Sum):
        bounds = [lower(b, inst) for _, lo, hi in expr.limits for b in (lo, hi)]
        if not all(b.is_Integer for b in bounds):  # symbolic bounds: left for doit() to sum
            return sp.Sum(lower(expr.function, inst, k), *expr.limits)
        term = expr.function
        for var, lo, hi in reversed(expr.limits):
            lo, hi = (int(lower(b, inst)) for b in (lo, hi))
            term = sp.Add(*[term.subs(var, i) for i in range(lo, hi + 1)])
        return lower(term, inst, k)
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
    args = [lower(a, inst, k) for a in expr.args]
    if all(new is old for new, old in zip(args, expr.args, strict=True)):
        return expr  # nothing to lower below: rebuilding would only cost time
    return expr.func(*args)


def _scalar_pairs(a: object, b: object, inst: Instance) -> Iterator[tuple[sp.Expr, sp.Expr]]:
    """The pairs of scalars that must be equal for ``a = b`` to hold."""
    a, b = (_resolve(x, inst) for x in (a, b))
    if isinstance(a, sp.MatrixBase | sp.MatrixExpr) or isinstance(b, sp.MatrixBase | sp.MatrixExpr):
        a, b = _explicit(a), _explicit(b)
        if a.shape != b.shape:
            raise VerificationError(f"shapes differ: {a.shape} and {b.shape}")
        for x, y in zip(a, b, strict=True):  # entries may use definitions too
            yield from _scalar_pairs(x, y, inst)
        return
    if isinstance(a, tuple | sp.Tuple) or isinstance(b, tuple | sp.Tuple):
        if len(a) != len(b):
            raise VerificationError(f"lengths differ: {a} and {b}")
        for x, y in zip(a, b, strict=True):
            yield from _scalar_pairs(x, y, inst)
        return
    a, b = sp.sympify(a, strict=True), sp.sympify(b, strict=True)  # never text
    if is_vector(a) or is_vector(b):
        for k in range(inst.dim):
            yield lower(a, inst, k), lower(b, inst, k)
    else:
        yield lower(a, inst), lower(b, inst)


def _explicit(m: object) -> sp.Matrix:
    """A matrix with its entries written out; a product of explicit matrices is multiplied
    (``MatMul.as_explicit`` would build and sum a ``Sum`` per entry, ~100x slower)."""
    if isinstance(m, sp.MatrixExpr) and not isinstance(m, sp.MatrixBase):
        m = m.doit(deep=False)
    return sp.Matrix(m)


def _resolve(x: object, inst: Instance) -> object:
    """What a defined name stands for: a scalar, or a tuple or matrix such as shape(mu)."""
    while isinstance(x, sp.Basic) and not isinstance(x, sp.MatrixBase) and x in inst.definitions:
        x = inst.definitions[x]
    return x


def expand_functions(expr: sp.Basic) -> sp.Basic:
    """Replace every function that knows its own definition (``definition()``) by it."""
    return expr.replace(
        lambda e: isinstance(e, sp.Function) and hasattr(e, "definition"),
        lambda e: e.definition(),
    )


def limit(expr: sp.Expr, var: sp.Symbol, point: sp.Expr, direction: str = "+-") -> sp.Expr:
    """``sympy.limit`` of ``expr`` (functions expanded to their definitions), memoised.

    Problems compute a limit with this function and the check of the step that shows it
    evaluates the same ``Limit`` through it, so each limit is computed once per run.

    >>> s = sp.Symbol("s", real=True)
    >>> limit(1 - sp.tanh(s) ** 2, s, sp.oo)
    0
    """
    if point.is_infinite:
        direction = "-" if point.is_positive else "+"
    return _limit(expr, var, point, direction)


@functools.lru_cache(maxsize=256)
def _limit(expr: sp.Expr, var: sp.Symbol, point: sp.Expr, direction: str) -> sp.Expr:
    expanded = expand_functions(expr)
    if point.is_infinite:
        # The algebra of limits: substitute ±oo and let SymPy's extended arithmetic evaluate.
        # Determinate results (tanh(oo) = 1, e^(-oo) = 0, c * 0 = 0) are the limit; an
        # indeterminate form (0 * oo, oo - oo, oo / oo) gives nan and falls through to
        # the Gruntz algorithm, which is about 100 times slower.
        at = expanded.subs(var, point)
        if (
            not at.free_symbols & {var}
            and not at.has(sp.nan, sp.zoo, sp.AccumBounds)
            and (at.is_finite or at in (sp.oo, -sp.oo))
        ):
            return at
    return sp.limit(expanded, var, point, dir=direction)


@functools.lru_cache(maxsize=4096)
def _evaluate(expr: sp.Basic) -> sp.Basic:
    """Expand known functions and evaluate unevaluated operations (limits through the cache).

    Memoised: the middle member of a chain ``a = b = c`` is checked twice, and a derivation's
    members recur (two of every three evaluations on the HW2 sheet repeat an earlier one).
    """
    expr = expr.replace(
        lambda e: isinstance(e, sp.Limit),
        lambda e: limit(e.args[0], e.args[1], e.args[2], str(e.args[3])),
    )
    return expand_functions(expr).doit()


_CHEAP = (("evaluates to 0", lambda d: d), ("expands to 0", sp.expand))
_COSTLY: tuple[tuple[str, Callable[[sp.Basic], sp.Basic]], ...] = (
    ("cancels to 0", lambda d: sp.cancel(sp.together(d))),
    ("cancels to 0 in exponential form", lambda d: sp.cancel(sp.together(d.rewrite(sp.exp)))),
    ("simplifies to 0", sp.simplify),
    ("simplifies to 0 in exponential form", lambda d: sp.simplify(d.rewrite(sp.exp))),
)


def _first_zero(d: sp.Basic, simplifiers) -> str | None:
    for name, f in simplifiers:
        try:
            if f(d) == 0:
                return name
        except (TypeError, ValueError, NotImplementedError, RecursionError):
            continue
    return None


def _sample(sym: sp.Symbol, rng: random.Random) -> sp.Rational:
    if sym.is_integer:
        return sp.Integer(rng.randint(1, 5))
    lo = sp.Rational(1, 10) if sym.is_positive else sp.Integer(-2)
    return lo + sp.Rational(rng.randint(0, 1000), 500) * (2 - lo) / 2


def _numeric_max(d: sp.Basic, rng: random.Random, points: int = NUMERIC_POINTS) -> float | None:
    """max |d| over ``points`` random rational points, in 30-digit arithmetic.

    A point where d cannot be evaluated (a pole, log of a negative) is replaced by another,
    up to four tries a point; None if that still leaves too few points.
    """
    syms = sorted(d.free_symbols, key=str)
    worst, seen = 0.0, 0
    for _ in range(4 * points):
        point = {s: _sample(s, rng) for s in syms}
        value = sp.N(d.subs(point), NUMERIC_DIGITS)
        if not value.is_number or value.has(sp.nan, sp.zoo, sp.oo, -sp.oo):
            continue
        try:
            worst = max(worst, float(abs(value)))
        except TypeError:
            continue
        seen += 1
        if seen == points:
            return worst
    return None


def check_equal(a: object, b: object, inst: Instance | None = None) -> Check:
    """Check ``a = b``; return how it was verified, or raise if it is false.

    >>> import sympy as sp
    >>> s = sp.Symbol("s", real=True)
    >>> check_equal(sp.Derivative(sp.tanh(s), s), 1 - sp.tanh(s) ** 2).status
    'symbolic'
    """
    inst = inst or Instance()
    pairs = list(_scalar_pairs(a, b, inst))
    uses_instance = any(isinstance(e, sp.Basic) and e.has(Vec, Grad, Inner, sp.Sum) for e in (a, b))
    where = f"instantiated at {inst.describe()}" if uses_instance else ""
    methods: set[str] = set()
    undecided: list[sp.Basic] = []
    rng = random.Random(636)
    for lhs, rhs in pairs:
        left, right = (_evaluate(sp.sympify(e, strict=True)) for e in (lhs, rhs))
        if left == right:  # also decides infinite limits, where a difference is undefined
            methods.add("both sides evaluate to the same value")
            continue
        if any(e.has(sp.oo, -sp.oo, sp.zoo, sp.nan) for e in (left, right)):
            # Unequal infinite values: no difference or sampling can reconcile them.
            raise VerificationError(f"{a} = {b} is false: the two sides are {left} and {right}")
        d = left - right
        name = _first_zero(d, _CHEAP)
        if name is None:
            # A false equality is caught here, before any costly simplification is tried.
            probe = _numeric_max(d, rng, points=1)
            if probe is not None and probe > NUMERIC_TOLERANCE:
                raise VerificationError(
                    f"{a} = {b} is false: |difference| = {probe:.3g} at a random point"
                )
            name = _first_zero(d, _COSTLY)
        if name is None:
            undecided.append(d)
        else:
            methods.add("difference " + name)
    if not undecided:
        method = "; ".join(sorted(methods)) if methods else "both sides empty"
        return Check("symbolic", method, where)
    worst, unevaluable = 0.0, False
    for d in undecided:  # every pair, so that a false one raises even after an undecided one
        err = _numeric_max(d, rng)
        if err is None:
            unevaluable = True
            continue
        if err > NUMERIC_TOLERANCE:
            raise VerificationError(f"{a} = {b} is false: |difference| = {err:.3g} at a point")
        worst = max(worst, err)
    if unevaluable:
        return Check("unverified", "neither simplification nor numeric evaluation decided")
    method = (
        f"|difference| at most {worst:.1g} at {NUMERIC_POINTS} random points "
        f"({NUMERIC_DIGITS}-digit arithmetic)"
    )
    return Check("numeric", method, where, tolerance=NUMERIC_TOLERANCE)
