"""Machine-checking of displayed equalities: symbolically first, numerically when undecided.

An equality written in vector notation (:mod:`symhw.notation`) is checked on a concrete
*instance* (:mod:`symhw.lowering`): sums with symbolic bounds are expanded at stated sizes
and vectors are split into components, with every other symbol left free. The check says
which instance it used.

Every method is tried only within a :class:`Budget` of expression sizes, so that a check
ends in bounded work and the same way on every machine; what the budget rules out is
reported as such (status ``"budget"``), never passed.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import mpmath
import sympy as sp

from symhw import dag
from symhw.derivation import Check, decade
from symhw.errors import VerificationError
from symhw.lowering import Instance, scalar_pairs, uses_instance
from symhw.memo import forgettable
from symhw.program import Program, Value

NUMERIC_POINTS = 6
#: Seed of the random points an undecided equality is sampled at. Any fixed number would
#: do: fixing it makes every run check the same points, so a sheet's text (which names how
#: each step was checked) is the same on every run. 636 is the seed homework's course number.
SAMPLE_SEED = 636
NUMERIC_DIGITS = 30
#: |left - right| / max(1, |left|, |right|) at every sample point, in NUMERIC_DIGITS digits.
NUMERIC_TOLERANCE = 1e-20


@dataclass(frozen=True)
class Budget:
    """How much work one check may do, counted in expression sizes (never in seconds, so a
    sheet comes out the same on every machine). Sizes are those of :mod:`symhw.dag`.

    ``evaluate``: tree nodes (:func:`~symhw.dag.tree_size`) of either side above which the
    pair is not evaluated symbolically at all (definitions, derivatives and sums done by
    SymPy, which walks the tree): it goes straight to sampling, as written.
    ``expand``: estimated tree size of the expanded difference
    (:func:`~symhw.dag.expanded_size`) above which ``expand`` is not tried.
    ``simplify``: tree nodes of the difference above which ``cancel`` and ``simplify``
    are not tried. Every difference they decide in the test suite and on the HW2 sheet has
    at most 440 nodes; at 1,700 (layer 1 of a 3-layer sigmoid network) one ``cancel`` runs
    for minutes.
    ``sample``: node evaluations at one sample point (:func:`~symhw.dag.evaluation_cost`,
    all undecided pairs of the check together) above which nothing is sampled and the check
    is reported ``"budget"``; 50,000 evaluations take about a second in 30 digits.

    On a 2-CPU machine, the default budget keeps a check within a few seconds.
    """

    evaluate: int = 5_000
    expand: int = 5_000
    simplify: int = 500
    sample: int = 50_000


BUDGET = Budget()


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


@forgettable
@functools.lru_cache(maxsize=4096)
def _evaluate(expr: sp.Basic, definitions: bool = True) -> sp.Basic:
    """Evaluate unevaluated operations (limits through the cache) and, with ``definitions``,
    replace known functions by their definitions.

    Memoised: the middle member of a chain ``a = b = c`` is checked twice, and a derivation's
    members recur (two of every three evaluations on the HW2 sheet repeat an earlier one).
    """
    expr = expr.replace(
        lambda e: isinstance(e, sp.Limit),
        lambda e: limit(e.args[0], e.args[1], e.args[2], str(e.args[3])),
    )
    return (expand_functions(expr) if definitions else expr).doit()


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


def _cheap(d: sp.Basic, budget: Budget, opaque: sp.Basic | None = None):
    """The cheap simplifiers for ``d`` within the budget; ``opaque`` is the same difference
    with every function kept whole (a polynomial identity in θ(s) holds for any θ)."""
    out: list[tuple[str, Callable[[sp.Basic], sp.Basic]]] = [("evaluates to 0", lambda x: x)]
    if dag.expanded_size(d) <= budget.expand:
        out.append(("expands to 0", sp.expand))
    if opaque is not None and opaque != d and dag.expanded_size(opaque) <= budget.expand:
        out.append(("expands to 0 with functions kept whole", lambda _: sp.expand(opaque)))
    return out


def _sample(sym: sp.Symbol, rng: random.Random) -> sp.Rational:
    if sym.is_integer:
        return sp.Integer(rng.randint(1, 5))
    lo = sp.Rational(1, 10) if sym.is_positive else sp.Integer(-2)
    return lo + sp.Rational(rng.randint(0, 1000), 500) * (2 - lo) / 2


def _relative_error(left: Value, right: Value) -> float | None:
    """|left - right| / max(1, |left|, |right|), or None where a side has no value."""
    if left is None or right is None:
        return None
    with mpmath.workdps(2 * NUMERIC_DIGITS):
        return float(abs(left - right) / max(1, abs(left), abs(right)))


def _errors(program: Program, point: dict, pairs: int) -> list[float | None]:
    """The relative error of each pair at ``point``. Where one is over the tolerance the
    program is run again in twice the digits before the error is believed, so that rounding
    in a long computation never condemns a true equality."""
    values = program.values(point, NUMERIC_DIGITS)
    errors = [_relative_error(values[2 * i], values[2 * i + 1]) for i in range(pairs)]
    if any(e is not None and e > NUMERIC_TOLERANCE for e in errors):
        values = program.values(point, 2 * NUMERIC_DIGITS)
        errors = [_relative_error(values[2 * i], values[2 * i + 1]) for i in range(pairs)]
    return errors


def _sample_pairs(
    pairs: list[tuple[sp.Basic, sp.Basic]], rng: random.Random, points: int = NUMERIC_POINTS
) -> tuple[float, bool]:
    """Compare each pair at ``points`` random rational points (shared by the pairs), in
    :data:`NUMERIC_DIGITS`-digit arithmetic: (largest relative error, whether some pair
    could not be evaluated at enough points); raises :class:`_False` at a false pair.

    A point where a pair cannot be evaluated (a pole, log of a negative) is replaced by
    another, up to four tries a point.
    """
    program = Program([e for pair in pairs for e in pair])
    seen, worst = [0] * len(pairs), 0.0
    for _ in range(4 * points):
        if min(seen) >= points:
            break
        point = {s: _sample(s, rng) for s in program.symbols}
        for i, err in enumerate(_errors(program, point, len(pairs))):
            if err is None or seen[i] >= points:
                continue
            if err > NUMERIC_TOLERANCE:
                raise _False(err, point, pairs[i])
            worst, seen[i] = max(worst, err), seen[i] + 1
    return worst, min(seen) < points


class _False(Exception):
    """The pair is false: ``args[0]`` is why (a sampled pair's relative error, or a
    sentence); a sampled pair also gives the point and the scalar pair that differ there."""

    @property
    def why(self) -> str:
        why = self.args[0]
        if isinstance(why, float):
            return f"|difference| = {why:.3g} of the larger side at a random point"
        return why

    @property
    def point(self) -> dict | None:
        return self.args[1] if len(self.args) > 1 else None

    @property
    def pair(self) -> tuple[sp.Basic, sp.Basic] | None:
        return self.args[2] if len(self.args) > 2 else None


def _described(x: object, limit: int = 400) -> str:
    """``x`` as text, or its size where the text would be too long to be of use."""
    if isinstance(x, sp.Basic) and dag.tree_size(x) > limit:
        return f"<an expression of {dag.tree_size(x):,} nodes>"
    return str(x)


def _false(a: object, b: object, why: str) -> VerificationError:
    return VerificationError(f"{_described(a)} = {_described(b)} is false: {why}")


def _decide(lhs: object, rhs: object, rng: random.Random, budget: Budget):
    """How ``lhs = rhs`` was shown symbolically, or the pair (as evaluated) left undecided.

    Raises :class:`_False` when a random point shows it false.
    """
    lhs, rhs = (sp.sympify(e, strict=True) for e in (lhs, rhs))
    if max(dag.tree_size(e, budget.evaluate) for e in (lhs, rhs)) > budget.evaluate:
        return lhs, rhs  # too large for SymPy's tree walks: sampled as written
    left, right = (_evaluate(e) for e in (lhs, rhs))
    if left == right:  # also decides infinite limits, where a difference is undefined
        return "both sides evaluate to the same value"
    if any(e.has(sp.oo, -sp.oo, sp.zoo, sp.nan) for e in (left, right)):
        # Unequal infinite values: no difference or sampling can reconcile them.
        raise _False(f"the two sides are {left} and {right}")
    d = left - right
    opaque = _evaluate(lhs, definitions=False) - _evaluate(rhs, definitions=False)
    name = _first_zero(d, _cheap(d, budget, opaque))
    if name is None:
        # A false equality is caught here, before any costly simplification is tried.
        _sample_pairs([(left, right)], rng, points=1)
        if dag.tree_size(d, budget.simplify) <= budget.simplify:
            name = _first_zero(d, _COSTLY)
    return (left, right) if name is None else "difference " + name


def _sampled(pairs: list, rng: random.Random, budget: Budget, where: str) -> Check:
    """The check of pairs no simplification decided: sampled, or over the budget."""
    cost = dag.evaluation_cost([e for pair in pairs for e in pair], limit=budget.sample)
    if cost > budget.sample:
        method = f"not sampled: over the budget of {budget.sample:,} node evaluations a point"
        return Check("budget", method, where)
    worst, short = _sample_pairs(pairs, rng)  # every pair, so that a false one raises
    if short:
        return Check("unverified", "neither simplification nor numeric evaluation decided")
    method = (
        f"|difference| at most {decade(worst)} of the larger side (or absolute, below 1) "
        f"at {NUMERIC_POINTS} random points ({NUMERIC_DIGITS}-digit arithmetic)"
    )
    return Check("numeric", method, where, tolerance=NUMERIC_TOLERANCE)


@dataclass(frozen=True)
class Comparison:
    """The outcome of :func:`compare`: whether ``a = b`` holds.

    ``equal`` is True (``check`` says how it was shown), False (``why`` says why; when a
    random point showed it, ``point`` maps each free symbol to the rational it took and
    ``pair`` is the scalar pair that differs there), or None: undecided within the budget
    (``check`` says which budget, or that nothing decided it). Never a silent pass.
    """

    equal: bool | None
    check: Check | None = None
    why: str = ""
    point: Mapping[sp.Symbol, sp.Rational] | None = None
    pair: tuple[sp.Basic, sp.Basic] | None = None


def compare(
    a: object, b: object, inst: Instance | None = None, budget: Budget = BUDGET
) -> Comparison:
    """Whether ``a = b`` holds, without raising when it does not: for checking what someone
    else wrote, where a false equality is an answer, not an error.

    >>> s = sp.Symbol("s", real=True)
    >>> compare(sp.Derivative(sp.tanh(s), s), 1 - sp.tanh(s) ** 2).equal
    True
    >>> wrong = compare(sp.Derivative(sp.tanh(s), s), 1 + sp.tanh(s) ** 2)
    >>> wrong.equal, sorted(wrong.point) == [s]
    (False, True)
    """
    inst = inst or Instance()
    try:
        pairs = list(scalar_pairs(a, b, inst))
    except VerificationError as e:  # shapes or lengths differ
        return Comparison(False, why=str(e))
    where = f"instantiated at {inst.describe()}" if uses_instance(a, b) else ""
    try:
        check = _checked(pairs, budget, where)
    except _False as e:
        return Comparison(False, why=e.why, point=e.point, pair=e.pair)
    return Comparison(True if check.verified else None, check)


def _checked(pairs: list[tuple[sp.Basic, sp.Basic]], budget: Budget, where: str) -> Check:
    """How the pairs were shown equal (or why not decided); raises :class:`_False`."""
    methods: set[str] = set()
    undecided: list[tuple[sp.Basic, sp.Basic]] = []
    rng = random.Random(SAMPLE_SEED)
    for lhs, rhs in pairs:
        outcome = _decide(lhs, rhs, rng, budget)
        if isinstance(outcome, str):
            methods.add(outcome)
        else:
            undecided.append(outcome)
    if undecided:
        return _sampled(undecided, rng, budget, where)
    method = "; ".join(sorted(methods)) if methods else "both sides empty"
    return Check("symbolic", method, where)


def check_equal(
    a: object, b: object, inst: Instance | None = None, budget: Budget = BUDGET
) -> Check:
    """Check ``a = b`` within ``budget``; return how it was verified, or raise if it is false.

    >>> import sympy as sp
    >>> s = sp.Symbol("s", real=True)
    >>> check_equal(sp.Derivative(sp.tanh(s), s), 1 - sp.tanh(s) ** 2).status
    'symbolic'
    """
    outcome = compare(a, b, inst, budget)
    if outcome.equal is False:
        raise _false(a, b, outcome.why)
    return outcome.check
