"""What a claim writes, read into chains of members (``a = b = c``; a step starting with
``=`` continues the one before), and the first member that does not follow from the one
before it: equal, or (between numbers) rounded or cut to the later one's digits, or read
with the writer's own values."""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp
from sympy.core.function import AppliedUndef

from symhw.checker.claims import Claim, Number
from symhw.checker.expected import exact
from symhw.checker.names import Names
from symhw.checker.numbers import Entry
from symhw.checker.parse import Parsed, parse
from symhw.checker.syntax import ClaimSyntaxError
from symhw.checker.values import compare_safely, numbers, numeric, shape_of
from symhw.lowering import Instance
from symhw.notation import Shape


@dataclass(frozen=True)
class StepFailure:
    """The first step that does not follow from the one before: ``index`` of the member
    (0-based, in the order written), the two members, and why; between numbers, the
    written numbers that do not follow (``entries``: each judged against the one before)."""

    index: int
    before: object
    after: object
    why: str
    entries: tuple[Entry, ...] = ()
    #: Where a random point showed two expressions unequal: each free symbol's value, and
    #: the two sides' values there (before, after); empty where numbers were compared.
    point: tuple[tuple[sp.Basic, sp.Rational], ...] = ()
    sides: tuple[sp.Basic, sp.Basic] | None = None
    #: The step (index in the claim's ``steps``) the member is written in, and its text;
    #: None for the claim's value, or where it is not known.
    line: int | None = None
    text: str | None = None


Member = tuple[object, object]  # (value, decimals)


def chains(
    claim: Claim,
    names: Names,
    shape: bool,
    errors: list | None = None,
    origins: list | None = None,
):
    """The chains a claim writes, each a list of members (value, decimals): a step starting
    with ``=`` continues the chain before it, any other starts a new one; the claim's value
    ends the last chain (for a shape, the steps show the array and the value its shape).
    A step that cannot be read is put in ``errors`` (when given) and breaks its chain; the
    rest is still read. Raises :class:`ClaimSyntaxError` when nothing can be read.
    ``origins`` (when given) gets, member by member in the order written, the step each
    comes from (its index in ``claim.steps``; None for the claim's value)."""
    chains: list[list[Member]] = []
    where: list[int | None] = []
    broken = False
    for step, text in enumerate(claim.steps):
        try:
            parsed = parse(text, names, shape=shape and claim.value is None)
        except ClaimSyntaxError as e:
            if errors is None:
                raise
            errors.append(e)
            broken = True
            continue
        members = [(_plain(m.value), m.decimals) for m in parsed.members]
        where += [step] * len(members)
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
            where += [where[-1] if where else None, None]
        elif chains and not shape and not broken:
            chains[-1].append(value)
            where.append(None)
        else:
            chains.append([value])
            where.append(None)
    if not chains and errors:
        raise errors[0]
    if origins is not None:
        origins[:] = where
    return chains or [[(None, None)]]


def _plain(value: object) -> object:
    """A member as a value: a product of explicit matrices multiplied out, a 1 × 1 matrix
    as its entry (the homework writes [−1.48] and −1.48 alike)."""
    symbolic = isinstance(value, sp.MatrixExpr) and not isinstance(value, sp.MatrixBase)
    if symbolic and value.atoms(sp.MatrixSymbol):
        return value  # names of matrices: nothing to multiply out
    return exact(value)


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


def first_failure(chains, theirs, inst: Instance, skip_label: bool) -> StepFailure | None:
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
                before = _their_member(theirs, c, k - 1, before)  # what they meant
                wrong = _unfollowed(before, after, decimals)
                point, sides = ((), None) if wrong else _counterexample(before, after, inst)
                return StepFailure(seen + k, before, after, why, wrong, point, sides)
        seen += len(chain)
    return None


def _unfollowed(before: object, after: object, decimals: object) -> tuple[Entry, ...]:
    """The numbers of ``after`` that are not ``before``'s at the digits written."""
    if not (numeric(before) and numeric(after)):
        return ()
    if (
        isinstance(before, sp.MatrixBase)
        and before.shape == (1, 1)
        and not isinstance(after, sp.MatrixBase)
    ):  # [−1.368] before −1.368: the homework writes them alike
        before = before[0, 0]
    if shape_of(before) != shape_of(after):
        return ()
    return tuple(e for e in numbers(after, decimals, before, None) if e.verdict == "wrong")


def _counterexample(before: object, after: object, inst: Instance) -> tuple[tuple, object]:
    """Where two expressions were shown unequal at a random point: the point (symbols in
    order) and the two sides' values there; nothing where no point showed it."""
    if numeric(before) and numeric(after):
        return (), None
    outcome = compare_safely(_squeezed(before, after), after, inst)
    if outcome.equal is not False or not outcome.point:
        return (), None
    point = tuple(sorted(outcome.point.items(), key=lambda kv: sp.default_sort_key(kv[0])))
    return point, outcome.pair


def _squeezed(before: object, after: object) -> object:
    """A 1 × 1 matrix before a number as its entry: the homework writes [−1.368] and
    −1.368 alike."""
    one = isinstance(before, sp.MatrixBase) and before.shape == (1, 1)
    return before[0, 0] if one and not isinstance(after, sp.MatrixBase) else before


def _sized(value: object) -> str:
    shape = shape_of(value)
    return "a number" if not shape else " × ".join(map(str, shape))


def _their_member(theirs, c: int, k: int, ours: object) -> object:
    """Member k of chain c as the writer's own names give it (their values, the names
    they gave), else as the problem's names give it: a step that follows under neither
    is shown against what the writer meant by it."""
    if theirs is None or c >= len(theirs) or k >= len(theirs[c]):
        return ours
    mine = theirs[c][k][0]
    return mine if shape_of(mine) == shape_of(ours) else ours


def _theirs_follow(theirs, c: int, k: int, after, decimals, inst: Instance) -> bool:
    """Whether member k follows from member k − 1 read with the writer's own values."""
    if theirs is None or c >= len(theirs) or k >= len(theirs[c]):
        return False
    return _follows(theirs[c][k - 1][0], after, decimals, inst) is None


def _is_label(value: object) -> bool:
    """A member that only names what follows: a symbol (δ⁽²⁾, ∂L/∂x₁₃) or a function of
    symbols written as a name (E_in(w))."""
    return isinstance(value, sp.Symbol | sp.MatrixSymbol | AppliedUndef)


def _follows(before: object, after: object, decimals: object, inst: Instance) -> str | None:
    """None when ``after`` follows from ``before``; else why not."""
    before = _squeezed(before, after)
    explicit = isinstance(before, sp.MatrixBase) or not isinstance(before, sp.MatrixExpr)
    if shape_of(before) != shape_of(after) and explicit:
        return f"the step before is {_sized(before)}, this one {_sized(after)}"
    if numeric(before) and numeric(after):
        entries = numbers(after, decimals, before, None)
        bad = [e for e in entries if e.verdict == "wrong"]
        return None if not bad else f"{len(bad)} of {len(entries)} numbers do not follow"
    outcome = compare_safely(before, after, inst)
    if outcome.equal is False:
        return outcome.why
    return None if outcome.equal else "undecided within the checking budget"
