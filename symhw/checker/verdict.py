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

from symhw.checker.claims import Claim
from symhw.checker.expected import Expected, expected
from symhw.checker.names import Name, Names, NameTable
from symhw.checker.numbers import Entry, reproduces
from symhw.checker.parse import parse
from symhw.checker.steps import StepFailure, chains, first_failure
from symhw.checker.syntax import ClaimSyntaxError
from symhw.checker.terms import TermDiff
from symhw.checker.values import Cell, compare_safely, judge_value, numeric, shape_of
from symhw.checker.vocabulary import NotationSlip, claim_names, notation_slips
from symhw.derivation import Quantities, Solution
from symhw.lowering import Instance
from symhw.notation import Shape

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
    #: How a bare value of an answer is computed from the writer's earlier ones, as a
    #: step, by answer name (:func:`~symhw.checker.vocabulary.recipes`).
    recipes: Mapping[str, str] = field(default_factory=dict)
    #: Verdicts already given, by what decides them (the claim as written and the writer's
    #: earlier values): a class's files repeat most claims, and each is judged once.
    memo: dict = field(default_factory=dict, compare=False, repr=False)


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
    #: Another answer of the problem whose value this is (the right value under the
    #: wrong name: s⁽²⁾ written where δ⁽²⁾ is asked); None where there is none.
    equals: Expected | None = None

    def on(self, claim: Claim | None) -> Verdict:
        """The same verdict on another claim (or on none): ``replace(self, claim=claim)``
        without its generality, which cost half of a repeated claim's time (a class's files
        repeat a remembered verdict thousands of times)."""
        twin = object.__new__(Verdict)
        twin.__dict__.update(self.__dict__)
        twin.__dict__["claim"] = claim  # frozen: set as dataclasses' own __init__ sets it
        return twin


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
            hit = _name_sources(hit, problem, written, aliases)
            if key is not None and len(problem.memo) < MEMO_SIZE:
                problem.memo[key] = hit
        verdict = hit.on(claim)
        out.append(verdict)
        if claim.name is None or claim.entry or verdict.written is None:
            continue
        written[claim.quantity] = verdict.written
        _forget(aliases, problem, claim.quantity)
        name = _writers_label(verdict)
        if name is not None:
            aliases[name] = verdict.written
    return out


def _writers_label(verdict: Verdict) -> Name | None:
    """The name a claim's label gives its value in the writer's later lines: one they
    introduce (their B), or one of the problem's they use for another value (their δ² on
    s⁽²⁾: flagged here, and read as they meant it after, so that one slip is not counted
    again in every line that uses it)."""
    label = verdict.label
    if label is None:
        return None
    introduced = label.ok and label.value is None
    misused = not label.ok and label.value is not None
    return label_name(verdict.claim.label) if introduced or misused else None


def _forget(aliases: dict, problem: Problem, quantity: str) -> None:
    """The writer's own meaning of a problem's name dropped once they write the quantity
    that name stands for (their δ³ meant s⁽³⁾ until they wrote δ⁽³⁾ itself)."""
    entries = getattr(problem.names, "entries", {})
    stands = [n for n in aliases if n in entries]  # their names that are the problem's
    if not stands:
        return
    key = ("value of", quantity)
    if key not in problem.memo:  # once per problem, not once per claim of every file
        want = expected(problem.solution, problem.quantities, quantity)
        problem.memo[key] = None if want is None else want.value
    value = problem.memo[key]
    for name in stands:
        if value is not None and entries[name] == value:
            del aliases[name]


def _name_sources(verdict: Verdict, problem: Problem, written: dict, aliases: dict):
    """``verdict`` with each carried entry naming the earlier claims it came from: a value
    the writer wrote before is a source when the step reproduces the carried number with it
    and no longer does with it taken away (the exact value, or the hand replay's, put back)."""
    carried = [e for e in verdict.entries if e.verdict == "carried"]
    if not carried:
        return verdict
    shape = isinstance(verdict.expected.value, Shape | sp.Tuple | tuple)
    members = _members(verdict.claim, _writer(problem, written, aliases), shape, problem)
    found: dict[tuple, list[str]] = {e.index: [] for e in carried}
    for quantity in written:
        less = {q: v for q, v in written.items() if q != quantity}
        without = _members(verdict.claim, _writer(problem, less, aliases), shape, problem)
        for e in carried:
            if any(
                reproduces(m, e) and not reproduces(w, e)
                for m, w in zip(members, without, strict=False)
            ):
                found[e.index].append(quantity)
    entries = tuple(
        replace(e, carried_from=tuple(found[e.index])) if e.index in found else e
        for e in verdict.entries
    )
    return replace(verdict, entries=entries)


def _with_recipe(claim: Claim, problem: Problem) -> Claim:
    """A bare value (no steps) with the step that computes it from the writer's earlier
    answers (:func:`~symhw.checker.vocabulary.recipes`), where its problem has one."""
    step = None if claim.steps or claim.entry else problem.recipes.get(claim.quantity)
    return claim if step is None else replace(claim, steps=(step,))


def _members(claim: Claim, writer: Names | None, shape: bool, problem: Problem) -> list:
    """The values of the claim's last chain but its last member, read with ``writer`` (a
    bare value's: its recipe's)."""
    theirs = _their_chains(_with_recipe(claim, problem), writer, shape)
    return [value for value, _ in theirs[-1][:-1]] if theirs else []


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
        origins: list = []
        written_chains = chains(claim, names, shape, unread, origins)
        label = _label(claim, names, want, problem.instance)
    except ClaimSyntaxError as e:
        return Verdict(claim, "unparsable", want, why=str(e))
    theirs = _their_chains(claim, writer, shape)
    if want is None and theirs is not None:  # a statement: in the writer's own names
        written_chains, theirs = theirs, None
    first = claim.steps[0].strip() if claim.steps else ""
    skip = label is not None and first.startswith(claim.label.strip())
    failure = first_failure(written_chains, theirs, problem.instance, skip)
    if failure is not None and problem.spec_kind == "mlp-backprop" and _writes_w(claim):
        failure = _without_bias(claim, names, writer, shape, failure, problem, skip)
    line = origins[failure.index] if failure is not None and failure.index < len(origins) else None
    if line is not None:
        failure = replace(failure, line=line, text=claim.steps[line])
    value, decimals = written_chains[-1][-1]
    if want is None:  # a statement: true when every step follows
        return Verdict(claim, "wrong" if failure else "correct", None, value, step=failure)
    if problem.expand is not None:
        value = problem.expand(value)
    carried = theirs[-1][-2][0] if theirs and len(theirs[-1]) > 1 else None
    computed = _with_recipe(claim, problem) if writer is not None else claim
    if carried is None and computed is not claim:  # a bare value its kind computes
        theirs = _their_chains(computed, writer, shape)
        carried = theirs[-1][-2][0] if theirs and len(theirs[-1]) > 1 else None
    replay = problem.replay.get(claim.name)
    judged = judge_value(value, decimals, want.value, replay, problem.instance, carried)
    flags = [judged.verdict, "wrong" if failure else "correct"]
    flags.append("wrong" if label is not None and not label.ok else "correct")
    flags.append("unparsable" if unread else "correct")
    slips = notation_slips(problem.spec_kind, claim)
    flags.append("wrong" if slips else "correct")
    why = "; ".join([judged.why, *(f"a step cannot be read: {e}" for e in unread)]).strip("; ")
    other = None
    if judged.verdict == "wrong" and not claim.entry:
        other = other_answer(value, decimals, problem, claim.quantity)
    return Verdict(
        claim, worst_of(*flags), want, value, judged.entries, judged.terms, failure,
        why, judged.cells, label, judged.verdict, slips, decimals, other,
    )  # fmt: skip


def _without_bias(claim, names, writer, shape, failure, problem: Problem, skip: bool):
    """A network's backward step read with each w⁽ˡ⁾ (lower case) as W⁽ˡ⁾ without its bias
    row, the weights δ⁽ˡ⁾ = θ′(s⁽ˡ⁾) ⊗ W⁽ˡ⁺¹⁾δ⁽ˡ⁺¹⁾ takes (the handwritten sheet's
    (1 − 0.9²)(2)(−3.6)): where the steps then go further, that is how they were meant;
    where they fail at the same step, its numbers are shown rather than shapes."""
    try:
        ours = chains(claim, _unbiased(names), shape)
    except ClaimSyntaxError:
        return failure
    theirs = _their_chains(claim, None if writer is None else _unbiased(writer), shape)
    other = first_failure(ours, theirs, problem.instance, skip)
    if other is None or other.index > failure.index:
        return other
    clearer = other.index == failure.index and other.entries and not failure.entries
    return other if clearer else failure  # numbers that differ, not shapes


#: A lower-case w with a layer, as a step writes it (w^3, w^{(2)}), not inside a word.
_LOWER_W = re.compile(r"(?<![A-Za-z\\])w\s*\^")


def _writes_w(claim: Claim) -> bool:
    return any(_LOWER_W.search(step) for step in claim.steps)


def _unbiased(names: Names) -> Names:
    """``names`` with each lower-case w⁽ˡ⁾ a matrix without its first (bias) row."""
    if not isinstance(names, NameTable):
        return names

    def cut(name: Name, value: object) -> object:
        many = isinstance(value, sp.MatrixBase) and value.rows > 1
        return value[1:, :] if name.base == "w" and many else value

    return replace(names, entries={n: cut(n, v) for n, v in names.entries.items()})


def other_answer(value: object, decimals: object, problem: Problem, name: str):
    """The first other answer of the problem that ``value`` is (at the digits written, or
    as the hand replay rounds it), as an :class:`Expected`; None where there is none.
    Numbers, vectors, matrices of numbers and shapes are compared; an expression only
    where it is written as the other is (after expanding), so that the search costs no
    symbolic proof."""
    for other in _answers(problem):
        if other.name == name or shape_of(other.value) != shape_of(value):
            continue
        if numeric(value) and numeric(other.value):
            replay = problem.replay.get(other.name)
            judged = judge_value(value, decimals, other.value, replay, problem.instance)
            if judged.verdict in ("correct", "rounding"):
                return other
        elif _written_alike(value, other.value):
            return other
    return None


def _answers(problem: Problem) -> list[Expected]:
    """The problem's answers with their exact values, worked out once per problem."""
    key = ("answers",)
    if key not in problem.memo:
        found = (expected(problem.solution, problem.quantities, a.name)
                 for a in problem.solution.answers)  # fmt: skip
        problem.memo[key] = [e for e in found if e is not None and _comparable(e.value)]
    return problem.memo[key]


def _comparable(value: object) -> bool:
    return isinstance(value, sp.Expr | sp.MatrixBase | Shape)


#: Expressions larger than this are not compared with another answer's.
MAX_OPS = 200


def _written_alike(a: object, b: object) -> bool:
    if isinstance(a, Shape) or isinstance(b, Shape):
        return a == b
    if not (isinstance(a, sp.Expr) and isinstance(b, sp.Expr)) or a.is_number or b.is_number:
        return False
    if sp.count_ops(a) > MAX_OPS or sp.count_ops(b) > MAX_OPS:
        return False
    return a == b or sp.expand(a - b) == 0


def _their_chains(claim: Claim, writer: Names | None, shape: bool):
    """The claim read with the writer's own values, or None."""
    if writer is None:
        return None
    try:
        return chains(claim, claim_names(claim, writer), shape)
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
    return LabelCheck(claim.label, value, compare_safely(value, want.value, inst).equal is True)


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
