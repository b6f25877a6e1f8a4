"""What a ``vary`` table says about one parameter, as data: ranges, choices, and where.

A parameter's entry in ``vary`` mirrors the parameter's own value. A table with ``range``
draws every number beneath it; a table with ``choices`` picks one of whole values; a list
or another table goes one level in (entry by entry, key by key); anything else is a fixed
value. :func:`parse_pattern` reads an entry, :func:`apply` draws a value from it.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Union

from symhw.errors import InputError, quote
from symhw.fields import SEQUENCE, Where
from symhw.params import parse_number

#: Decimals a drawn number may have, the size of a range's ends, the choices in one list,
#: the draws (ranges and choices) in one problem's vary table, and how deep it nests.
MAX_DECIMALS = 6
MAX_END = 10**15
MAX_CHOICES = 1000
MAX_DRAWS = 512
MAX_DEPTH = 8

DRAW_KEYS = {"range": ("range", "decimals", "exclude"), "choices": ("choices",)}


@dataclass(frozen=True, eq=False)
class Range:
    """Numbers low … high in steps of 10^-decimals (held as integers of that step), except
    ``exclude``; every one equally likely."""

    low: int
    high: int
    decimals: int
    exclude: tuple[int, ...]

    @property
    def size(self) -> int:
        return self.high - self.low + 1 - len(self.exclude)

    def value(self, k: int) -> int | Decimal:
        """The k-th allowed number (0 ≤ k < size): an int, or a Decimal with exactly
        ``decimals`` places, as a TOML file would give it.

        >>> Range(-10, 10, 1, (0,)).value(10), Range(-10, 10, 1, (0,)).value(9)
        (Decimal('0.1'), Decimal('-0.1'))
        """
        units = self.low + k
        for skipped in self.exclude:  # sorted: each excluded number at or below shifts by one
            if skipped <= units:
                units += 1
        return Decimal(units).scaleb(-self.decimals) if self.decimals else units

    def ends(self) -> tuple[int | Decimal, int | Decimal]:
        return self.value(0), self.value(self.size - 1)

    def shown(self) -> str:
        low, high = (Decimal(u).scaleb(-self.decimals) for u in (self.low, self.high))
        return f"range [{low}, {high}]"


@dataclass(frozen=True, eq=False)
class Choices:
    """One of whole values, each equally likely."""

    options: tuple[Any, ...]


@dataclass(frozen=True)
class Each:
    """A list whose entries vary each by its own pattern."""

    items: tuple[Pattern, ...]


@dataclass(frozen=True)
class Keys:
    """A table whose keys vary each by its own pattern; keys not named keep their value."""

    items: tuple[tuple[str, Pattern], ...]


@dataclass(frozen=True)
class Fixed:
    """A value used as written."""

    value: Any


Draw = Union[Range, Choices]  # noqa: UP007 - a runtime alias
Pattern = Union[Range, Choices, Each, Keys, Fixed]  # noqa: UP007
#: Picks a value for one draw: a Range's number or a Choices' option.
Pick = Callable[[Draw], Any]


def parse_pattern(value: object, where: Where, depth: int = 0) -> Pattern:
    """A vary entry as a pattern; a list without draws in it is a fixed value.

    >>> parse_pattern({"range": [-1, 1], "decimals": 1}, Where("q2", "vary.x")).shown()
    'range [-1.0, 1.0]'
    >>> parse_pattern([1, {"choices": [2, 3]}], Where("q2", "vary.x"))
    Each(items=(Fixed(value=1), Choices(options=(2, 3))))
    """
    if depth > MAX_DEPTH:
        raise where.error(f"nested more than {MAX_DEPTH} levels deep")
    if isinstance(value, dict) and any(k in DRAW_KEYS for k in value):
        return _parse_draw(value, where)
    if isinstance(value, dict):  # a table sets the keys it names; {} keeps a table as given
        return Keys(
            tuple(
                (k, parse_pattern(v, where.within(f"key {k}"), depth + 1)) for k, v in value.items()
            )
        )
    if isinstance(value, SEQUENCE):
        pattern = Each(
            tuple(
                parse_pattern(v, where.within(f"entry {i}"), depth + 1)
                for i, v in enumerate(value, start=1)
            )
        )
        return pattern if draws(pattern) else Fixed(value)
    return Fixed(value)


def _parse_draw(table: dict, where: Where) -> Draw:
    """``{range = [low, high], decimals = d, exclude = [...]}`` or ``{choices = [...]}``."""
    if "range" in table and "choices" in table:
        raise where.error("give either range or choices, not both")
    kind = "range" if "range" in table else "choices"
    unknown = [k for k in table if k not in DRAW_KEYS[kind]]
    if unknown:
        raise where.error(
            f"unknown key {quote(unknown[0])} beside {kind}; use {', '.join(DRAW_KEYS[kind])}"
        )
    if kind == "choices":
        options = table["choices"]
        if not isinstance(options, SEQUENCE) or not options or len(options) > MAX_CHOICES:
            raise where.error(
                f"choices must be a list of 1 to {MAX_CHOICES} values, e.g. "
                f'choices = ["tanh", "sigmoid"]; got {quote(options)}'
            )
        return Choices(tuple(options))
    return _parse_range(table, where)


def _exact(value: object, where: Where, what: str) -> Decimal:
    """A number as written (an int, a TOML decimal; a float by its shortest repr)."""
    if isinstance(value, float):
        value = Decimal(repr(value))
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise where.error(f"{what} must be a number such as -1 or 0.5, got {quote(value)}")
    d = Decimal(value)
    if not d.is_finite() or abs(d) > MAX_END:
        raise where.error(f"{what} must be between -1e15 and 1e15, got {quote(value)}")
    return d


def _units(d: Decimal, decimals: int, where: Where, what: str) -> int:
    scaled = d.scaleb(decimals)
    if scaled != scaled.to_integral_value():
        raise where.error(
            f"{what} {d} has more than {decimals} decimals: raise decimals or round it"
        )
    return int(scaled)


def _parse_range(table: dict, where: Where) -> Range:
    ends = table["range"]
    if not isinstance(ends, SEQUENCE) or len(ends) != 2:
        raise where.error(f"range must be [low, high], e.g. range = [-1, 1]; got {quote(ends)}")
    low, high = (_exact(v, where, "a range end") for v in ends)
    written = max(-min(d.as_tuple().exponent, 0) for d in (low, high))  # type: ignore[operator]
    decimals = table.get("decimals", written)
    if isinstance(decimals, bool) or not isinstance(decimals, int):
        raise where.error(f"decimals must be a whole number, got {quote(decimals)}")
    if not 0 <= decimals <= MAX_DECIMALS:
        raise where.error(f"decimals must be 0 to {MAX_DECIMALS}, got {decimals}")
    lo, hi = (_units(d, decimals, where, "range end") for d in (low, high))
    if lo > hi:
        raise where.error(f"empty range [{low}, {high}]: write the smaller end first")
    given = table.get("exclude", [])
    if not isinstance(given, SEQUENCE) or len(given) > MAX_CHOICES:
        raise where.error(
            f"exclude must be a list of numbers, e.g. exclude = [0]; got {quote(given)}"
        )
    out = {_units(_exact(v, where, "exclude"), decimals, where, "exclude") for v in given}
    pattern = Range(lo, hi, decimals, tuple(sorted(u for u in out if lo <= u <= hi)))
    if pattern.size < 1:
        raise where.error(f"empty range: exclude leaves nothing of [{low}, {high}]")
    return pattern


def draws(pattern: Pattern) -> list[Draw]:
    """The draws in a pattern, in order."""
    if isinstance(pattern, Range | Choices):
        return [pattern]
    if isinstance(pattern, Each):
        return [d for p in pattern.items for d in draws(p)]
    if isinstance(pattern, Keys):
        return [d for _, p in pattern.items for d in draws(p)]
    return []


#: What ``pick`` returns to keep the problem's own value (or, where it gives none, the
#: draw's first: a range's low end, the first choice).
KEEP = object()


def _kept(base: Any, first: Any) -> Any:
    return first if base is None else base


def apply(pattern: Pattern, base: Any, pick: Pick) -> Any:
    """The value ``pattern`` makes of ``base`` (the problem's own value, None if it gives
    none), each draw's value from ``pick`` (or :data:`KEEP`); ``base`` is not changed.

    >>> apply(Range(0, 9, 0, ()), [[1, 2], [3]], lambda d: 7)
    [[7, 7], [7]]
    """
    if isinstance(pattern, Fixed):
        return copy.deepcopy(pattern.value)
    if isinstance(pattern, Choices):
        value = pick(pattern)
        return copy.deepcopy(_kept(base, pattern.options[0]) if value is KEEP else value)
    if isinstance(pattern, Range):
        if isinstance(base, SEQUENCE):
            return [apply(pattern, b, pick) for b in base]
        value = pick(pattern)
        return _kept(base, pattern.value(0)) if value is KEEP else value
    if isinstance(pattern, Each):
        bases = base if isinstance(base, SEQUENCE) else [None] * len(pattern.items)
        return [apply(p, b, pick) for p, b in zip(pattern.items, bases, strict=True)]
    table = copy.deepcopy(base) if isinstance(base, dict) else {}
    for key, p in pattern.items:
        table[key] = apply(p, table.get(key), pick)
    return table


def _is_number(value: object) -> bool:
    """A number as a problem file gives one (``"1/10"`` included)."""
    try:
        parse_number(value, Where(None, ""))
    except InputError:
        return False
    return True


def check_fits(pattern: Pattern, base: Any, where: Where) -> None:
    """A pattern's shape fits the value it varies: a range over numbers (or over nothing),
    a list of draws over a list as long, a table of draws over a table."""
    if isinstance(pattern, Range):
        if isinstance(base, SEQUENCE):
            for i, b in enumerate(base, start=1):
                check_fits(pattern, b, where.within(f"entry {i}"))
        elif base is not None and not _is_number(base):
            raise where.error(f"a range draws numbers, but the problem gives {quote(base)} here")
    elif isinstance(pattern, Each) and isinstance(base, SEQUENCE):
        if len(base) != len(pattern.items):
            raise where.error(
                f"{len(pattern.items)} entries where the problem gives {len(base)}: give one "
                "per entry, or one range for all of them"
            )
        for i, (p, b) in enumerate(zip(pattern.items, base, strict=True), start=1):
            check_fits(p, b, where.within(f"entry {i}"))
    elif isinstance(pattern, Keys) and base is not None:
        if not isinstance(base, dict):
            raise where.error(f"a table of draws, but the problem gives {quote(base)} here")
        for key, p in pattern.items:
            check_fits(p, base.get(key), where.within(f"key {key}"))
