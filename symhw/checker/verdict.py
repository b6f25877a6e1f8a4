"""The verdict on one claim: read what was written (a value, or the steps that end in it),
follow each step from the one before, and judge the last against the exact value symhw
derives: ``correct``, ``rounding`` (a hand replay explains it), ``carried``, ``wrong`` (with
the entries or terms that differ), ``undecided`` (over the checking budget: never passed),
``unparsable`` or ``unknown``. Data only; the renderers word it."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace

import sympy as sp

from symhw.checker.claims import Claim, Number
from symhw.checker.expected import Expected, expected
from symhw.checker.names import Name, Names, NameTable
from symhw.checker.numbers import Entry, Written, judge, worst
from symhw.checker.parse import Parsed, parse
from symhw.checker.syntax import ClaimSyntaxError
from symhw.checker.terms import TermDiff, term_diff
from symhw.checker.vocabulary import NotationSlip, claim_names, notation_slips
from symhw.derivation import Quantities, Solution
from symhw.notation import Shape
from symhw.verify import Comparison, Instance, compare

#: Every verdict, best first; a claim's is its worst part's (a wrong value outweighs a step
#: that could not be read or decided).
VERDICTS = ("correct", "rounding", "carried", "undecided", "unparsable", "wrong", "unknown")


@dataclass(frozen=True)
class Problem:
    """What a problem's claims are checked against: its solution, its quantities, what its
    names mean, and the exact values of the hand replay (by answer name) where the problem
    has one."""

    solution: Solution
    quantities: Quantities
    names: Names
    replay: Mapping[str, object] = field(default_factory=dict)
    instance: Instance = field(default_factory=Instance)  # where vector notation is checked
    #: The problem's names meaning the writer's own values (what they wrote for a name
    #: before, else the hand replay's): a step that puts their numbers into a formula is
    #: checked against it. None where the problem has no such computation.
    writers: Callable[[Mapping[str, object]], Names] | None = None
    #: A value written for a whole family at once (q5's [w_3^ij, w_2^ij, w_1^ij] for
    #: every i and j) written out, one row per member; None where a problem has none.
    expand: Callable[[object], object] | None = None
    spec_kind: str = ""  # the problem's kind, for its notation rules
    #: Verdicts already given, by what decides them (the claim as written and the writer's
    #: earlier values): a class's files repeat most claims, and each is judged once.
    memo: dict = field(default_factory=dict, compare=False, repr=False)


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
class LabelCheck:
    """The writer's own name for the value (``label``), read: the value it stands for in the
    problem (None: it names nothing of the problem), and whether that is the claimed one."""

    written: str
    value: object
    ok: bool


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
    label: LabelCheck | None = None
    value_verdict: str = ""
    slips: tuple[NotationSlip, ...] = ()
    decimals: object = None  # the digits written, in the value's shape


def check_claims(claims, problem: Problem) -> list[Verdict]:
    """The verdicts on a problem's claims, in order: a later claim's steps are also read
    with the values the writer wrote before it (an error carried forward is not a new one)
    and with the names the writer introduced (their B for Aᵀ)."""
    claims = list(claims)
    _check_arguments(claims, problem)
    written: dict[str, object] = {}
    aliases: dict[Name, object] = {}
    out = []
    for claim in claims:
        key = (_content(claim), tuple(written.items()), tuple(aliases.items()))
        try:
            hit = problem.memo.get(key)
        except TypeError:  # something unhashable: no memo for this one
            key, hit = None, None
        if hit is None:
            hit = check_claim(claim, problem, _writer(problem, written, aliases))
            if key is not None and len(problem.memo) < MEMO_SIZE:
                problem.memo[key] = hit
        verdict = replace(hit, claim=claim)
        out.append(verdict)
        if claim.name is None or claim.entry or verdict.written is None:
            continue
        written[claim.quantity] = verdict.written
        introduced = verdict.label is not None and verdict.label.ok and verdict.label.value is None
        name = label_name(claim.label) if introduced else None
        if name is not None:
            aliases[name] = verdict.written
    return out


def _check_arguments(claims: list, problem: object) -> None:
    """The arguments of :func:`check_claims`, checked as the Python API's input."""
    if not isinstance(problem, Problem):
        raise TypeError(
            f"expected a Problem, got {type(problem).__name__}: make one with "
            "symhw.checker.context.problem_context(spec, solution)"
        )
    bad = next((c for c in claims if not isinstance(c, Claim)), None)
    if bad is not None:
        raise TypeError(
            f"expected Claims, got {type(bad).__name__}: read them with "
            "symhw.checker.claims.read_claims(path)"
        )


#: The most verdicts a problem remembers (a class of 200 files of 70 claims fits).
MEMO_SIZE = 100_000


def _content(claim: Claim) -> tuple:
    """What decides a claim's verdict: everything written but where it is (its index,
    field, source and note)."""
    return (claim.problem, claim.name, claim.value, claim.label, claim.steps, claim.let,
            claim.vars)  # fmt: skip


def _writer(problem: Problem, written: dict, aliases: dict) -> Names | None:
    """The problem's names meaning the writer's own values and the names they introduced."""
    names = problem.writers(written) if problem.writers is not None else problem.names
    if not aliases or not isinstance(names, NameTable):
        return names if problem.writers is not None else None
    return replace(names, entries={**names.entries, **aliases})


#: A label that is a name: a letter or a command, with a subscript and a superscript.
_LABEL = re.compile(r"\\?([A-Za-z]+)(?:_\{?([A-Za-z0-9,]+)\}?)?(?:\^\{?\(?([A-Za-z0-9,]+)\)?\}?)?")


def label_name(text: str | None) -> Name | None:
    """The :class:`~symhw.checker.names.Name` a simple label writes (``B``, ``\\delta^2``).

    >>> label_name("B"), label_name(r"\\delta^{(2)}").sup, label_name(r"\\frac{a}{b}")
    (Name(base='B', sub=None, sup=None, primes=0, sup_first=False), '2', None)
    """
    found = _LABEL.fullmatch(text.strip()) if text else None
    return None if found is None else Name(*found.groups())


def check_claim(claim: Claim, problem: Problem, writer: Names | None = None) -> Verdict:
    """The verdict on ``claim`` (one with a name; a standalone statement checks its steps
    only); ``writer``: the problem's names with the writer's own earlier values."""
    want = None
    if claim.name is not None:
        want = expected(problem.solution, problem.quantities, claim.quantity, claim.entry)
        if want is None:
            return Verdict(claim, "unknown", why=_known(problem))
    shape = want is not None and isinstance(want.value, Shape | sp.Tuple | tuple)
    unread: list[ClaimSyntaxError] = []
    try:
        names = claim_names(claim, problem.names)
        chains = _chains(claim, names, shape, unread)
        label = _label(claim, names, want, problem.instance)
    except ClaimSyntaxError as e:
        return Verdict(claim, "unparsable", want, why=str(e))
    theirs = _their_chains(claim, writer, shape)
    if want is None and theirs is not None:  # a statement: in the writer's own names
        chains, theirs = theirs, None
    first = claim.steps[0].strip() if claim.steps else ""
    skip = label is not None and first.startswith(claim.label.strip())
    failure = _first_failure(chains, theirs, problem.instance, skip)
    value, decimals = chains[-1][-1]
    if want is None:  # a statement: true when every step follows
        return Verdict(claim, "wrong" if failure else "correct", None, value, step=failure)
    if problem.expand is not None:
        value = problem.expand(value)
    carried = theirs[-1][-2][0] if theirs and len(theirs[-1]) > 1 else None
    replay = problem.replay.get(claim.name)
    judged = judge_value(value, decimals, want.value, replay, problem.instance, carried)
    flags = [judged.verdict, "wrong" if failure else "correct"]
    flags.append("wrong" if label is not None and not label.ok else "correct")
    flags.append("unparsable" if unread else "correct")
    slips = notation_slips(problem.spec_kind, claim)
    flags.append("wrong" if slips else "correct")
    why = "; ".join([judged.why, *(f"a step cannot be read: {e}" for e in unread)]).strip("; ")
    return Verdict(
        claim, worst_of(*flags), want, value, judged.entries, judged.terms, failure,
        why, judged.cells, label, judged.verdict, slips, decimals,
    )  # fmt: skip


def _their_chains(claim: Claim, writer: Names | None, shape: bool):
    """The claim read with the writer's own values, or None."""
    if writer is None:
        return None
    try:
        return _chains(claim, claim_names(claim, writer), shape)
    except ClaimSyntaxError:
        return None


def _label(claim: Claim, names: Names, want: Expected | None, inst: Instance):
    """The writer's label read and checked against the claimed value: right when it is the
    sheet's own name for it or stands for the same value; a bare new letter (B, g) is a
    name the writer introduces; an indexed name the problem does not have (g^1, Y^1) or
    one that stands for another value (δ^2 on s^(2)) is flagged."""
    if claim.label is None or want is None:
        return None
    value = parse(claim.label, names).value
    if _same_name(value, want.label):
        return LabelCheck(claim.label, want.value, True)
    foreign = isinstance(value, sp.Basic) and not isinstance(value, sp.MatrixBase)
    foreign = foreign and not value.is_number and not value.free_symbols & _known_symbols(names)
    if foreign:  # none of the problem's symbols: g^1, Y^2 (a power of a name it lacks)
        introduced = re.fullmatch(r"\\?[A-Za-z]+", claim.label.strip()) is not None
        return LabelCheck(claim.label, None, introduced)
    return LabelCheck(claim.label, value, _compare(value, want.value, inst).equal is True)


def _same_name(a: object, b: object) -> bool:
    """Two names of one thing, written alike but for case and parentheses around a layer
    (∂e/∂w^1 and ∂e/∂W^(1), x_{11} and x_11)."""

    def plain(x: object) -> str:
        return re.sub(r"[(){}\\ ]", "", str(x)).lower()

    return isinstance(a, sp.Basic) and isinstance(b, sp.Basic) and plain(a) == plain(b)


def _known_symbols(names: Names) -> set:
    entries = getattr(names, "entries", {})
    return {v for v in entries.values() if isinstance(v, sp.Basic)}


def _known(problem: Problem) -> str:
    names = [a.name for a in problem.solution.answers] + list(problem.quantities.families)
    return "; ".join(names)


def worst_of(*verdicts: str) -> str:
    return max(verdicts, key=VERDICTS.index)


Member = tuple[object, object]  # (value, decimals)


def _chains(claim: Claim, names: Names, shape: bool, errors: list | None = None):
    """The chains a claim writes, each a list of members (value, decimals): a step starting
    with ``=`` continues the chain before it, any other starts a new one; the claim's value
    ends the last chain (for a shape, the steps show the array and the value its shape).
    A step that cannot be read is put in ``errors`` (when given) and breaks its chain; the
    rest is still read. Raises :class:`ClaimSyntaxError` when nothing can be read."""
    chains: list[list[Member]] = []
    broken = False
    for text in claim.steps:
        try:
            parsed = parse(text, names, shape=shape and claim.value is None)
        except ClaimSyntaxError as e:
            if errors is None:
                raise
            errors.append(e)
            broken = True
            continue
        members = [(_plain(m.value), m.decimals) for m in parsed.members]
        if parsed.continues and chains and not broken:
            chains[-1] += members
        else:
            chains.append(members)
        broken = False
    if claim.value is not None:
        value = _value(claim.value, names, shape)
        if shape and chains and isinstance(chains[-1][-1][0], sp.MatrixBase):
            array = chains[-1][-1][0]  # the array written out: its shape must be the value's
            chains.append([(Shape(*array.shape), None), value])
        elif chains and not shape and not broken:
            chains[-1].append(value)
        else:
            chains.append([value])
    if not chains and errors:
        raise errors[0]
    return chains or [[(None, None)]]


def _plain(value: object) -> object:
    """A member as a value: a product of explicit matrices multiplied out, a 1 × 1 matrix
    as its entry (the homework writes [−1.48] and −1.48 alike)."""
    explicit = isinstance(value, sp.MatrixExpr) and not isinstance(value, sp.MatrixBase)
    if explicit and not value.atoms(sp.MatrixSymbol):
        value = value.as_explicit()
    if isinstance(value, sp.MatrixBase) and value.shape == (1, 1):
        return value[0, 0]
    return value


def _value(value: object, names: Names, shape: bool) -> tuple[object, object]:
    """A claims-file value as SymPy: numbers exactly with their decimals, text parsed, a
    vector or matrix entry by entry."""
    if isinstance(value, Number):
        f = value.exact
        return sp.Rational(f.numerator, f.denominator), value.decimals
    if isinstance(value, str):
        parsed: Parsed = parse(value, names, shape=shape)
        return _plain(parsed.value), parsed.decimals
    rows = [list(r) if isinstance(r, tuple) else [r] for r in value]
    cells = [[_value(c, names, False) for c in row] for row in rows]
    matrix = sp.ImmutableMatrix([[v for v, _ in row] for row in cells])
    decimals = tuple(tuple(d for _, d in row) for row in cells)
    if shape:
        return Shape(*matrix), None
    return matrix, decimals


def _first_failure(chains, theirs, inst: Instance, skip_label: bool) -> StepFailure | None:
    """The first member that does not follow from the one before it in its chain: equal,
    or (between numbers) the earlier one rounded or cut to the later one's decimals, or the
    earlier one read with the writer's own values (``theirs``: their numbers put into a
    formula). The label that starts the first chain (``skip_label``) is checked apart.
    ``index`` counts members over all chains, in the order written."""
    seen = 0
    for c, chain in enumerate(chains):
        start = 1 if (c == 0 and skip_label) or (_is_label(chain[0][0]) and len(chain) > 1) else 0
        for k in range(start + 1, len(chain)):
            (before, _), (after, decimals) = chain[k - 1], chain[k]
            why = _follows(before, after, decimals, inst)
            if why is not None and _theirs_follow(theirs, c, k, after, decimals, inst):
                why = None
            if why is not None:
                return StepFailure(seen + k, before, after, why)
        seen += len(chain)
    return None


def _theirs_follow(theirs, c: int, k: int, after, decimals, inst: Instance) -> bool:
    """Whether member k follows from member k − 1 read with the writer's own values."""
    if theirs is None or c >= len(theirs) or k >= len(theirs[c]):
        return False
    return _follows(theirs[c][k - 1][0], after, decimals, inst) is None


def _is_label(value: object) -> bool:
    """A member that only names what follows: a symbol (δ⁽²⁾, ∂L/∂x₁₃) or a function of
    symbols written as a name (E_in(w))."""
    from sympy.core.function import AppliedUndef

    return isinstance(value, sp.Symbol | sp.MatrixSymbol | AppliedUndef)


def _follows(before: object, after: object, decimals: object, inst: Instance) -> str | None:
    """None when ``after`` follows from ``before``; else why not."""
    if _shape_of(before) != _shape_of(after) and not isinstance(before, sp.MatrixExpr):
        return f"shapes differ: {_shape_of(before)} and {_shape_of(after)}"
    if _numeric(before) and _numeric(after):
        entries = _numbers(after, decimals, before, None)
        bad = [e for e in entries if e.verdict == "wrong"]
        return None if not bad else f"{len(bad)} of {len(entries)} numbers do not follow"
    outcome = _compare(before, after, inst)
    if outcome.equal is False:
        return outcome.why
    return None if outcome.equal else "undecided within the checking budget"


@dataclass(frozen=True)
class _Judged:
    """How a value compares with the exact one (the value part of a :class:`Verdict`)."""

    verdict: str
    entries: tuple[Entry, ...] = ()
    terms: TermDiff | None = None
    why: str = ""
    cells: tuple[Cell, ...] = ()


def judge_value(
    value: object,
    decimals: object,
    exact: object,
    replay: object,
    inst: Instance,
    carried: object = None,
) -> _Judged:
    """A written value against the exact one: number by number where both are numbers
    (with the hand replay's value, if any), else as an equality, with the terms that
    differ where it is false."""
    if _numeric(value) and _numeric(exact) and _same_shape(value, exact):
        carried = carried if _numeric(carried) and _same_shape(carried, exact) else None
        entries = _numbers(value, decimals, exact, replay, carried)
        return _Judged(worst(e.verdict for e in entries), tuple(entries))
    if _shape_of(value) != _shape_of(exact):
        transposed = isinstance(value, sp.MatrixBase) and value.T.shape == _shape_of(exact)
        if transposed and _compare(value.T, exact, inst).equal:
            return _Judged("wrong", why="transposed")
        return _Judged("wrong", why=f"shape {_shape_of(value)}, expected {_shape_of(exact)}")
    outcome = _compare(value, exact, inst)
    if outcome.equal:
        return _Judged("correct")
    if outcome.equal is None:
        return _Judged("undecided", why=outcome.check.method if outcome.check else outcome.why)
    if isinstance(value, sp.MatrixBase):
        cells = _cells(value, sp.ImmutableMatrix(exact), inst)
        return _Judged("wrong", why=outcome.why, cells=cells)
    terms = None
    if isinstance(value, sp.Expr) and isinstance(exact, sp.Expr):
        terms = term_diff(value, exact)
    return _Judged("wrong", terms=terms, why=outcome.why)


def _cells(value: sp.MatrixBase, exact: sp.MatrixBase, inst: Instance) -> tuple[Cell, ...]:
    """The entries of a written matrix that differ from the expected ones (each compared
    as an equality: an entry written differently but equal is right)."""
    out = []
    for i in range(value.rows):
        for j in range(value.cols):
            a, b = value[i, j], exact[i, j]
            if a != b and _compare(a, b, inst).equal is not True:
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


def _numbers(value, decimals, exact, replay, carried=None) -> list[Entry]:
    """Each written number judged against its exact, replayed and carried counterparts."""
    if not isinstance(value, sp.MatrixBase):
        return [judge(Written(value, _leaf(decimals)), exact, replay=replay, carried=carried)]
    out = []
    for i in range(value.rows):
        for j in range(value.cols):
            d = _decimal_at(decimals, i, j)
            r = replay[i, j] if isinstance(replay, sp.MatrixBase) else None
            c = carried[i, j] if isinstance(carried, sp.MatrixBase) else None
            written = Written(value[i, j], d)
            out.append(judge(written, exact[i, j], replay=r, carried=c, index=(i, j)))
    return out


def _decimal_at(decimals: object, i: int, j: int) -> int | None:
    """The decimals written for entry (i, j); None where the writer's layout does not say
    (a block such as tanh(s⁽¹⁾) stacked under a 1 stands for two entries)."""
    if not isinstance(decimals, tuple):
        return decimals
    row = decimals[i] if i < len(decimals) else None
    if not isinstance(row, tuple):
        return row
    return row[j] if j < len(row) else None


def _leaf(decimals: object) -> int | None:
    while isinstance(decimals, tuple):
        decimals = decimals[0] if decimals else None
    return decimals


def _compare(a: object, b: object, inst: Instance) -> Comparison:
    """:func:`~symhw.verify.compare`, with what SymPy cannot compare at all (a vector
    against a scalar, an operation it does not define) undecided, never a crash."""
    try:
        return compare(a, b, inst)
    except (ValueError, TypeError, NotImplementedError, AttributeError, RecursionError) as e:
        return Comparison(None, why=f"cannot be compared: {type(e).__name__}: {e}")
