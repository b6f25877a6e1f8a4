"""Numbers someone wrote, judged against the exact value: correct at the precision written,
a rounding the writer's own computation explains, an error carried from an earlier claim of
theirs, or wrong. Pure data in, data out; the words are the renderers'."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import sympy as sp

from symhw.mlp import digits50, round_decimals

#: The verdicts of one number, best first: a claim is as good as its worst entry.
ORDER = ("correct", "rounding", "carried", "wrong")


@dataclass(frozen=True)
class Written:
    """A number as written: its exact value and the digits after the point (None: written
    exactly, an integer or a fraction; negative: to the ten, hundred, ... as 1.2e3 claims)."""

    value: sp.Rational
    decimals: int | None = None


@dataclass(frozen=True)
class Entry:
    """The verdict on one written number (``index``: its place in a vector or matrix).

    ``expected`` is the exact value at the written precision (rounded half away from zero);
    ``explained_by`` the value that explains a ``rounding`` (the replay's, or the exact one
    when the writer cut digits) or a ``carried`` entry (recomputed from the writer's own
    earlier claims, ``carried_from``); ``truncated``: the digits were cut, not rounded.
    """

    index: tuple[int, ...]
    written: Written
    verdict: str
    exact: sp.Expr
    expected: sp.Rational
    explained_by: sp.Rational | None = None
    truncated: bool = False
    carried_from: tuple[str, ...] = ()


def _number(value: object) -> sp.Expr:
    """A value as a SymPy number (Python ints and Fractions converted; text refused: this
    package never hands SymPy a string)."""
    if isinstance(value, bool | str):
        raise TypeError(f"expected a number, got {type(value).__name__}")
    if isinstance(value, int):
        return sp.Integer(value)
    if isinstance(value, Fraction):
        return sp.Rational(value.numerator, value.denominator)
    if not isinstance(value, sp.Expr):
        raise TypeError(f"expected a number, got {type(value).__name__}")
    return value


def truncate_decimals(value: sp.Expr, k: int) -> sp.Rational:
    """``value`` with its digits after the k-th decimal cut (toward zero), exactly.

    >>> truncate_decimals(sp.Rational(-87552, 100000), 3), truncate_decimals(sp.pi, 2)
    (-7/8, 157/50)
    """
    scale = sp.Integer(10) ** k
    scaled = _number(value) * scale
    if not scaled.is_Rational:
        scaled = digits50(scaled)  # shared with round_decimals, which evaluates it too
    n = sp.floor(abs(scaled))
    return sp.sign(scaled) * sp.Integer(int(n)) / scale


def _places(written: Written, exact: sp.Expr) -> int | None:
    """Decimals to compare at: as written; an integer written for a value that is not one
    claims 0 decimals; an exact fraction or integer for an exact value, None (exactly)."""
    if written.decimals is not None:
        return written.decimals
    return 0 if written.value.is_Integer and not isinstance(exact, sp.Integer) else None


def _matches(written: sp.Rational, value: sp.Expr, places: int | None) -> str | None:
    """'rounded' or 'truncated' when ``value`` at ``places`` is what was written, else None."""
    if places is None:
        return "rounded" if _number(value) == written else None
    if round_decimals(value, places) == written:
        return "rounded"
    return "truncated" if truncate_decimals(value, places) == written else None


def judge(
    written: Written,
    exact: sp.Expr,
    *,
    replay: sp.Expr | None = None,
    carried: sp.Expr | None = None,
    carried_from: tuple[str, ...] = (),
    index: tuple[int, ...] = (),
) -> Entry:
    """The verdict on one number, in the order of :data:`ORDER`.

    >>> judge(Written(sp.Rational(-1368, 1000), 3), sp.Rational(-1350266, 10**6),
    ...       replay=sp.Rational(-1368, 1000)).verdict
    'rounding'
    """
    places = _places(written, exact)
    expected = exact if places is None else round_decimals(exact, places)
    entry = Entry(index, written, "correct", exact, expected)
    how = _matches(written.value, exact, places)
    if how == "rounded":
        return entry
    if how == "truncated":  # the writer cut the exact value's digits instead of rounding
        return Entry(index, written, "rounding", exact, expected, exact, True)
    for verdict, value, named in (("rounding", replay, ()), ("carried", carried, carried_from)):
        how = None if value is None else _matches(written.value, value, places)
        if how is not None:
            explained = _number(value)
            return Entry(
                index, written, verdict, exact, expected, explained, how == "truncated", named
            )
    return Entry(index, written, "wrong", exact, expected)


def reproduces(value: object, entry: Entry) -> bool:
    """Whether ``value`` (a number, or a matrix holding the entry's place) gives the number
    written at ``entry`` at the digits it was written with.

    >>> e = judge(Written(sp.Rational(1736, 1000), 3), sp.Rational(1701, 1000))
    >>> reproduces(sp.Rational(17355, 10000), e), reproduces(sp.Rational(17345, 10000), e)
    (True, False)
    """
    if isinstance(value, sp.MatrixBase):
        rows, cols = value.shape
        if len(entry.index) != 2 or entry.index[0] >= rows or entry.index[1] >= cols:
            return False
        value = value[entry.index]
    if not (isinstance(value, sp.Expr) and value.is_number and value.is_finite):
        return False
    return _matches(entry.written.value, value, _places(entry.written, entry.exact)) is not None


def worst(verdicts) -> str:
    """The worst of some verdicts (a claim is as good as its worst entry).

    >>> worst(["correct", "rounding", "correct"])
    'rounding'
    """
    return max(verdicts, key=ORDER.index, default="correct")
