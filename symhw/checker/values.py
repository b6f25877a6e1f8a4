"""A written value against the exact one: number by number where both are numbers (with
the hand replay's and the writer's own carried values), else as an equality, with the
terms or matrix entries that differ. Data only."""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from symhw.checker.numbers import Entry, Written, judge, worst
from symhw.checker.terms import TermDiff, term_diff
from symhw.lowering import Instance
from symhw.notation import Shape
from symhw.verify import Comparison, compare


@dataclass(frozen=True)
class Cell:
    """An entry of a written matrix that differs from the expected one (0-based index),
    with how its sum differs."""

    index: tuple[int, int]
    written: object
    expected: object
    terms: TermDiff | None


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
    if numeric(value) and numeric(exact) and _same_shape(value, exact):
        carried = carried if numeric(carried) and _same_shape(carried, exact) else None
        entries = numbers(value, decimals, exact, replay, carried)
        return _Judged(worst(e.verdict for e in entries), tuple(entries))
    if shape_of(value) != shape_of(exact):
        transposed = isinstance(value, sp.MatrixBase) and value.T.shape == shape_of(exact)
        if transposed and compare_safely(value.T, exact, inst).equal:
            return _Judged("wrong", why=TRANSPOSED)
        return _Judged("wrong", why=f"shape {shape_of(value)}, expected {shape_of(exact)}")
    if _reordered(value, exact):
        return _Judged("wrong", why=REORDERED)
    outcome = compare_safely(value, exact, inst)
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
            if a != b and compare_safely(a, b, inst).equal is not True:
                terms = term_diff(a, b) if isinstance(a, sp.Expr) else None
                out.append(Cell((i, j), a, b, terms))
    return tuple(out)


#: Why a value is wrong when it is the expected one transposed, or a shape whose axes are
#: the expected ones in another order (NCHW's where NHWC's is asked).
TRANSPOSED = "transposed"
REORDERED = "the axes are in another order"


def _reordered(value: object, exact: object) -> bool:
    """Whether ``value`` is the shape ``exact`` with its axes in another order.

    >>> from symhw.notation import axes_shape
    >>> nchw, nhwc = axes_shape("NCHW"), axes_shape("NHWC")
    >>> _reordered(nchw, nhwc), _reordered(nhwc, nhwc)
    (True, False)
    """
    if not (isinstance(value, Shape) and isinstance(exact, Shape)) or value == exact:
        return False
    return sorted(map(str, value)) == sorted(map(str, exact))


def numeric(value: object) -> bool:
    if isinstance(value, sp.MatrixBase):
        return all(numeric(v) for v in value)
    return isinstance(value, sp.Expr) and value.is_number and value.is_real is not False


def shape_of(value: object) -> tuple:
    if isinstance(value, sp.MatrixBase):
        return value.shape
    if isinstance(value, tuple | sp.Tuple):
        return (len(value),)
    return ()


def _same_shape(value: object, exact: object) -> bool:
    return shape_of(value) == shape_of(exact)


def numbers(value, decimals, exact, replay, carried=None) -> list[Entry]:
    """Each written number judged against its exact, replayed and carried counterparts."""
    if not isinstance(value, sp.MatrixBase):
        return [judge(Written(value, _leaf(decimals)), exact, replay=replay, carried=carried)]
    out = []
    for i in range(value.rows):
        for j in range(value.cols):
            d = decimal_at(decimals, i, j)
            r = replay[i, j] if isinstance(replay, sp.MatrixBase) else None
            c = carried[i, j] if isinstance(carried, sp.MatrixBase) else None
            written = Written(value[i, j], d)
            out.append(judge(written, exact[i, j], replay=r, carried=c, index=(i, j)))
    return out


def decimal_at(decimals: object, i: int, j: int) -> int | None:
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


def compare_safely(a: object, b: object, inst: Instance) -> Comparison:
    """:func:`~symhw.verify.compare`, with what SymPy cannot compare at all (a vector
    against a scalar, an operation it does not define) undecided, never a crash."""
    try:
        return compare(a, b, inst)
    except (ValueError, TypeError, NotImplementedError, AttributeError, RecursionError) as e:
        return Comparison(None, why=f"cannot be compared: {type(e).__name__}: {e}")
