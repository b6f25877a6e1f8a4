"""Machine-checking of displayed equalities: symbolically first, numerically when undecided.

An equality written in vector notation (:mod:`symhw.notation`) is checked on a concrete
*instance*: sums with symbolic bounds are expanded at stated sizes and vectors are split
into components, with every other symbol left free. The check says which instance it used.

Every method is tried only within a :class:`Budget` of expression sizes, so that a check
ends in bounded work and the same way on every machine; what the budget rules out is
reported as such (status ``"budget"``), never passed.
"""

from __future__ import annotations

import functools
import random
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field

import mpmath
import sympy as sp
from sympy.concrete.expr_with_limits import ExprWithLimits

from symhw import dag
from symhw.derivation import Check, decade
from symhw.errors import VerificationError
from symhw.memo import forgettable
from symhw.notation import Grad, Inner, Vec, is_vector
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
            term = sp.Add(*[_at(term, var, i) for i in range(lo, hi + 1)])
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


#: Objects whose ``variables`` are bound in them: d/dn, a substitution for n, a sum over n.
_BINDERS = (sp.Derivative, sp.Subs, sp.Lambda, ExprWithLimits)


def _binds(o: sp.Basic, var: sp.Symbol) -> bool:
    if isinstance(o, sp.Limit):  # lim_{n -> a} binds n
        return o.args[1] == var
    return isinstance(o, _BINDERS) and var in o.variables


def _at(term: sp.Basic, var: sp.Symbol, i: int) -> sp.Basic:
    """``term`` with ``var`` = i: every occurrence replaced at once (``xreplace``, several
    times faster than ``subs``), unless ``var`` is also bound inside it (a derivative in n,
    a sum over n), which only ``subs`` leaves alone.

    >>> n, y = sp.Symbol("n"), sp.IndexedBase("y")
    >>> _at(y[n] ** 2, n, 3), _at(sp.Derivative(n**2, n) + n, n, 3)
    (y[3]**2, Subs(Derivative(n**2, n), n, 3) + 3)
    """
    if any(_binds(o, var) for o in dag.objects(term)):
        return term.subs(var, i)
    return term.xreplace({var: sp.Integer(i)})


def _scalar_pairs(a: object, b: object, inst: Instance) -> Iterator[tuple[sp.Expr, sp.Expr]]:
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
            yield from _scalar_pairs(x, y, inst)
        return
    if isinstance(a, tuple | sp.Tuple) or isinstance(b, tuple | sp.Tuple):
        if len(a) != len(b):
            raise VerificationError(f"lengths differ: {a} and {b}")
        for x, y in zip(a, b, strict=True):
            yield from _scalar_pairs(x, y, inst)
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
#: check before (and as :func:`_evaluate` shares its results).
_LOWERED: OrderedDict[int, tuple[Instance, dict]] = forgettable(OrderedDict())
_LOWERED_INSTANCES = 16


def _lowering_memo(inst: Instance) -> dict:
    hit = _LOWERED.get(id(inst))
    if hit is None or hit[0] is not inst:  # the entry holds the instance: its id is unique
        hit = _LOWERED[id(inst)] = (inst, {})
        if len(_LOWERED) > _LOWERED_INSTANCES:
            _LOWERED.popitem(last=False)
    _LOWERED.move_to_end(id(inst))
    return hit[1]


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
        pairs = list(_scalar_pairs(a, b, inst))
    except VerificationError as e:  # shapes or lengths differ
        return Comparison(False, why=str(e))
    uses_instance = any(
        isinstance(e, sp.Basic) and dag.contains(e, (Vec, Grad, Inner, sp.Sum)) for e in (a, b)
    )
    where = f"instantiated at {inst.describe()}" if uses_instance else ""
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
