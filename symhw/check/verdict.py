"""The verdict on one claim: read what was written (a value, or the steps that end in it),
follow each step from the one before, and judge the last against the exact value symhw
derives: ``correct``, ``rounding`` (a hand replay explains it), ``carried``, ``wrong`` (with
the entries or terms that differ), ``undecided`` (over the checking budget: never passed),
``unparsable`` or ``unknown``. Data only; the renderers word it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import sympy as sp

from symhw.check.claims import Claim, Number
from symhw.check.expected import Expected, expected
from symhw.check.names import Names
from symhw.check.numbers import Entry, Written, judge, worst
from symhw.check.parse import Parsed, parse
from symhw.check.syntax import ClaimSyntaxError
from symhw.check.terms import TermDiff, term_diff
from symhw.derivation import Quantities, Solution
from symhw.notation import Shape
from symhw.verify import compare

#: Every verdict, best first; a claim's is its worst part's.
VERDICTS = ("correct", "rounding", "carried", "wrong", "undecided", "unparsable", "unknown")


@dataclass(frozen=True)
class Problem:
    """What a problem's claims are checked against: its solution, its quantities, what its
    names mean, and the exact values of the hand replay (by answer name) where the problem
    has one."""

    solution: Solution
    quantities: Quantities
    names: Names
    replay: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class StepFailure:
    """The first step that does not follow from the one before: ``index`` of the member
    (0-based, in the order written), the two members, and why."""

    index: int
    before: object
    after: object
    why: str


@dataclass(frozen=True)
class Cell:
    """An entry of a written matrix that differs from the expected one (0-based index),
    with how its sum differs."""

    index: tuple[int, int]
    written: object
    expected: object
    terms: TermDiff | None


@dataclass(frozen=True)
class Verdict:
    """The verdict on one claim (:data:`VERDICTS`), and what it rests on: the exact value
    (``expected``), what was read (``written``), the numbers judged one by one
    (``entries``), how a written sum differs (``terms``), the first step that fails
    (``step``), the entries of a matrix that differ (``cells``), and ``why`` in words where
    only words can say it (the parser's message, or how an equality failed)."""

    claim: Claim
    verdict: str
    expected: Expected | None = None
    written: object = None
    entries: tuple[Entry, ...] = ()
    terms: TermDiff | None = None
    step: StepFailure | None = None
    why: str = ""
    cells: tuple[Cell, ...] = ()


def check_claim(claim: Claim, problem: Problem) -> Verdict:
    """The verdict on ``claim`` (one with a name; a standalone statement checks its steps
    only)."""
    want = None
    if claim.name is not None:
        want = expected(problem.solution, problem.quantities, claim.quantity, claim.entry)
        if want is None:
            return Verdict(claim, "unknown", why=_known(problem))
    shape = want is not None and isinstance(want.value, Shape | sp.Tuple | tuple)
    try:
        members = _members(claim, problem.names, shape)
    except ClaimSyntaxError as e:
        return Verdict(claim, "unparsable", want, why=str(e))
    failure = _first_failure(members)
    if want is None:  # a statement: true when every step follows
        return Verdict(claim, "wrong" if failure else "correct", None, members[-1][0], step=failure)
    value, decimals = members[-1]
    judged = judge_value(value, decimals, want.value, problem.replay.get(claim.name))
    verdict = judged.verdict if failure is None else worst_of(judged.verdict, "wrong")
    return Verdict(
        claim, verdict, want, value, judged.entries, judged.terms, failure, judged.why,
        judged.cells,
    )  # fmt: skip


def _known(problem: Problem) -> str:
    names = [a.name for a in problem.solution.answers] + list(problem.quantities.families)
    return "; ".join(names)


def worst_of(*verdicts: str) -> str:
    return max(verdicts, key=VERDICTS.index)


def _members(claim: Claim, names: Names, shape: bool) -> list[tuple[object, object]]:
    """Every member the claim writes, in order, each (value, decimals): its steps' members
    (a step starting with ``=`` continues the one before), then its value if it has one."""
    members: list[tuple[object, object]] = []
    for text in claim.steps:
        parsed = parse(text, names, shape=shape)
        members += [(m.value, m.decimals) for m in parsed.members]
    if claim.value is not None:
        members.append(_value(claim.value, names, shape))
    return members


def _value(value: object, names: Names, shape: bool) -> tuple[object, object]:
    """A claims-file value as SymPy: numbers exactly with their decimals, text parsed, a
    vector or matrix entry by entry."""
    if isinstance(value, Number):
        f = value.exact
        return sp.Rational(f.numerator, f.denominator), value.decimals
    if isinstance(value, str):
        parsed: Parsed = parse(value, names, shape=shape)
        return parsed.value, parsed.decimals
    rows = [list(r) if isinstance(r, tuple) else [r] for r in value]
    cells = [[_value(c, names, False) for c in row] for row in rows]
    matrix = sp.ImmutableMatrix([[v for v, _ in row] for row in cells])
    decimals = tuple(tuple(d for _, d in row) for row in cells)
    if shape:
        return Shape(*matrix), None
    return matrix, decimals


def _first_failure(members: list[tuple[object, object]]) -> StepFailure | None:
    """The first member that does not follow from the one before it: equal, or (between
    numbers) the earlier one rounded or cut to the later one's decimals. A first member
    that is only a name (the claim's label, ``δ^(2) = …``) is not compared."""
    start = 1 if members and _is_label(members[0][0]) else 0
    for k in range(start + 1, len(members)):
        (before, _), (after, decimals) = members[k - 1], members[k]
        why = _follows(before, after, decimals)
        if why is not None:
            return StepFailure(k, before, after, why)
    return None


def _is_label(value: object) -> bool:
    """A member that only names what follows: a symbol (δ⁽²⁾, ∂L/∂x₁₃) or a function of
    symbols written as a name (E_in(w))."""
    from sympy.core.function import AppliedUndef

    return isinstance(value, sp.Symbol | sp.MatrixSymbol | AppliedUndef)


def _follows(before: object, after: object, decimals: object) -> str | None:
    """None when ``after`` follows from ``before``; else why not."""
    if _numeric(before) and _numeric(after):
        entries = _numbers(after, decimals, before, None)
        bad = [e for e in entries if e.verdict == "wrong"]
        return None if not bad else f"{len(bad)} of {len(entries)} numbers do not follow"
    outcome = compare(before, after)
    if outcome.equal is False:
        return outcome.why
    return None if outcome.equal else "undecided within the checking budget"


@dataclass(frozen=True)
class _Judged:
    verdict: str
    entries: tuple[Entry, ...] = ()
    terms: TermDiff | None = None
    why: str = ""
    cells: tuple[Cell, ...] = ()


def judge_value(value: object, decimals: object, exact: object, replay: object) -> _Judged:
    """A written value against the exact one: number by number where both are numbers
    (with the hand replay's value, if any), else as an equality, with the terms that
    differ where it is false."""
    if _numeric(value) and _numeric(exact) and _same_shape(value, exact):
        entries = _numbers(value, decimals, exact, replay)
        return _Judged(worst(e.verdict for e in entries), tuple(entries))
    if _shape_of(value) != _shape_of(exact):
        transposed = isinstance(value, sp.MatrixBase) and value.T.shape == _shape_of(exact)
        if transposed and compare(value.T, exact).equal:
            return _Judged("wrong", why="transposed")
        return _Judged("wrong", why=f"shape {_shape_of(value)}, expected {_shape_of(exact)}")
    outcome = compare(value, exact)
    if outcome.equal:
        return _Judged("correct")
    if outcome.equal is None:
        return _Judged("undecided", why=outcome.check.method if outcome.check else "")
    if isinstance(value, sp.MatrixBase):
        return _Judged("wrong", why=outcome.why, cells=_cells(value, sp.ImmutableMatrix(exact)))
    terms = None
    if isinstance(value, sp.Expr) and isinstance(exact, sp.Expr):
        terms = term_diff(value, exact)
    return _Judged("wrong", terms=terms, why=outcome.why)


def _cells(value: sp.MatrixBase, exact: sp.MatrixBase) -> tuple[Cell, ...]:
    """The entries of a written matrix that differ from the expected ones (each compared
    as an equality: an entry written differently but equal is right)."""
    out = []
    for i in range(value.rows):
        for j in range(value.cols):
            a, b = value[i, j], exact[i, j]
            if a != b and compare(a, b).equal is not True:
                terms = term_diff(a, b) if isinstance(a, sp.Expr) else None
                out.append(Cell((i, j), a, b, terms))
    return tuple(out)


def _numeric(value: object) -> bool:
    if isinstance(value, sp.MatrixBase):
        return all(_numeric(v) for v in value)
    return isinstance(value, sp.Expr) and value.is_number and value.is_real is not False


def _shape_of(value: object) -> tuple:
    if isinstance(value, sp.MatrixBase):
        return value.shape
    if isinstance(value, tuple | sp.Tuple):
        return (len(value),)
    return ()


def _same_shape(value: object, exact: object) -> bool:
    return _shape_of(value) == _shape_of(exact)


def _numbers(value, decimals, exact, replay) -> list[Entry]:
    """Each written number judged against its exact (and replayed) counterpart."""
    if not isinstance(value, sp.MatrixBase):
        return [judge(Written(value, _leaf(decimals)), exact, replay=replay)]
    out = []
    for i in range(value.rows):
        for j in range(value.cols):
            d = decimals[i][j] if isinstance(decimals, tuple) else decimals
            r = replay[i, j] if isinstance(replay, sp.MatrixBase) else None
            out.append(judge(Written(value[i, j], d), exact[i, j], replay=r, index=(i, j)))
    return out


def _leaf(decimals: object) -> int | None:
    while isinstance(decimals, tuple):
        decimals = decimals[0] if decimals else None
    return decimals
