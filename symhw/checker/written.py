"""What a claim writes, read exactly and within limits: its value (a number with the
digits written, text kept as written for :mod:`symhw.checker.parse`, a vector, a matrix),
its text fields (label, steps, definitions, renamings) and a Python value given from a
notebook. Nothing here evaluates, sympifies or parses the text of a claim; every error is
one :class:`~symhw.errors.InputError` naming the field and the fix."""

from __future__ import annotations

import math
import re
import sys
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

from symhw.charset import untypesettable
from symhw.errors import quote
from symhw.fields import SEQUENCE, Where

#: Limits of one claims file (each refused with the field named): claims in all, characters
#: in a string, entries of a vector or matrix, steps, definitions or renamings of a claim.
MAX_CLAIMS = 2_000
MAX_STRING = 4_000
MAX_ENTRIES = 1 << 16
MAX_ITEMS = 200
#: Numbers: digits of an integer (q3's FLOP counts reach 29), significant digits of a
#: decimal, and digits of a decimal before or after its point.
MAX_INTEGER_DIGITS = 40
MAX_SIGNIFICANT = 30
MAX_PLACES = 40


@dataclass(frozen=True)
class Number:
    """A number as written: its exact value, and the decimals it claims (digits after the
    point, ``0.60`` → 2; negative for ``1.2e3``, claimed to the hundred), None when exact
    (an integer, or a fraction ``"1/3"``). ``written`` is the text it came from: a string
    as given, a TOML number as its Decimal prints (``1.0e-3`` → ``0.0010``, same digits)."""

    exact: Fraction
    decimals: int | None
    written: str


#: A leaf of a value: a number, or text kept as written for the expression parser.
Scalar = Number | str
#: A claimed value: a scalar, a vector (tuple) or a matrix (tuple of equal-length rows).
Value = Scalar | tuple[Scalar, ...] | tuple[tuple[Scalar, ...], ...]


def value_of(value: object, where: Where) -> Value:
    """A scalar, a vector (array) or a matrix (array of equal-length arrays)."""
    if not isinstance(value, SEQUENCE):
        return _scalar(value, where)
    if not value:
        raise where.error("an empty array: give a vector [a, b] or a matrix [[a, b], [c, d]]")
    if len(value) > MAX_ENTRIES:
        raise where.error(_too_many(len(value)))
    rows = [isinstance(v, SEQUENCE) for v in value]
    if all(rows):
        return _matrix(value, where)
    if any(rows):
        i = rows.index(not rows[0]) + 1
        kinds = ("an array", "not an array") if rows[0] else ("not an array", "an array")
        raise where.error(
            f"entry 1 is {kinds[0]} but entry {i} is {kinds[1]}: a vector has numbers or "
            "strings, a matrix has rows (arrays) only"
        )
    return tuple(_scalar(v, where.within(f"entry {i}")) for i, v in enumerate(value, 1))


def _matrix(rows: Any, where: Where) -> tuple[tuple[Scalar, ...], ...]:
    total = sum(len(r) for r in rows)
    if total > MAX_ENTRIES:
        raise where.error(_too_many(total))
    for r, row in enumerate(rows, start=1):
        if any(isinstance(v, SEQUENCE) for v in row):
            raise where.error(
                f"row {r} has an array inside: a value nests at most two arrays deep (a "
                "matrix as a list of rows)"
            )
    widths = sorted({len(r) for r in rows})
    if widths[0] == 0:
        raise where.error("a matrix row is empty: every row needs its entries")
    if len(widths) > 1:
        raise where.error(
            f"rows have different lengths {widths[:6]}: a matrix is rectangular; give every "
            "row all its entries"
        )
    return tuple(
        tuple(_scalar(v, where.within(f"row {r}, column {c}")) for c, v in enumerate(row, 1))
        for r, row in enumerate(rows, 1)
    )


def _too_many(count: int) -> str:
    return f"{count:,} entries; a vector or matrix has at most {MAX_ENTRIES:,}"


def _scalar(value: object, where: Where) -> Scalar:
    """A number (TOML integer or decimal, as written) or text (a plain number read as one)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return Number(Fraction(_integer(value, where)), None, str(value))
    if isinstance(value, float):  # from Python
        value = _float(value, where)
    if isinstance(value, Decimal):
        return _decimal(value, str(value), where)
    if isinstance(value, Fraction):
        n, d = _integer(value.numerator, where), _integer(value.denominator, where)
        return Number(value, None, str(value) if d == 1 else f"{n}/{d}")
    if isinstance(value, str):
        text = math_of(value, where)
        return _number_text(text, where) or text
    raise where.error(
        "expected a number, a string, a vector [a, b] or a matrix [[a, b], [c, d]] of them, "
        f"got {quote(value)}"
    )


#: A float given from Python keeps this many significant digits fewer than a float holds
#: (``sys.float_info.dig``, 15): 12.
FLOAT_NOISE = 3


def _float(value: float, where: Where) -> Decimal:
    """A float as the shortest decimal that reads back as it (``repr``: 1.736 claims three
    decimals, and 0.60 is the float 0.6: write the text "0.60" to claim two). A float with
    more than ``sys.float_info.dig - FLOAT_NOISE`` significant digits was computed, not
    written (``math.tanh(0.7)``): its last digits are rounding noise, so it is read rounded
    to that many (0.6043677771171636 as 0.604367777117)."""
    return float_decimal(value, sys.float_info.dig - FLOAT_NOISE, where)


def float_decimal(value: float, kept: int, where: Where) -> Decimal:
    """``value`` (finite) as the shortest decimal that reads back as it in its own type
    (``str``; ``repr`` for a Python float), rounded to ``kept`` significant digits where
    it has more."""
    if not math.isfinite(value):
        raise where.error(f"expected a finite number, got {value!r}")
    d = Decimal(repr(float(value)) if isinstance(value, float) else str(value))
    if len(d.as_tuple().digits) > kept:
        d = d.quantize(Decimal(1).scaleb(d.adjusted() - kept + 1), rounding=ROUND_HALF_EVEN)
    return d


def _integer(n: int, where: Where) -> int:
    if abs(n) >= 10**MAX_INTEGER_DIGITS:
        raise where.error(
            f"{quote(n)} has more than {MAX_INTEGER_DIGITS} digits; an integer has at most that"
        )
    return n


def _decimal(d: Decimal, written: str, where: Where) -> Number:
    """A finite decimal, its decimals as written (``0.60``: 2, ``1.0e-3``: 4, ``1.2e3``: -2)."""
    if not d.is_finite():
        raise where.error(f"expected a finite number, got {quote(written)}")
    exponent, digits = d.as_tuple().exponent, len(d.as_tuple().digits)
    if digits > MAX_SIGNIFICANT:
        raise where.error(
            f"{quote(written)} has {digits} significant digits; a decimal has at most "
            f'{MAX_SIGNIFICANT} (or give the exact value as a fraction "p/q")'
        )
    if d.adjusted() >= MAX_PLACES or exponent < -MAX_PLACES:
        raise where.error(
            f"{quote(written)} has more than {MAX_PLACES} digits before or after its point; "
            "give a number of at most that many"
        )
    return Number(Fraction(d), -exponent, written)


_DECIMAL_TEXT = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_INTEGER_TEXT = re.compile(r"[+-]?[0-9]+")
_FRACTION_TEXT = re.compile(r"([+-]?[0-9]+) */ *([0-9]+)")


def _number_text(text: str, where: Where) -> Number | None:
    """The number a string is when it is a plain decimal, integer or fraction p/q (ASCII
    digits only; anything else is left to the expression parser), or None."""
    bare = text.strip()
    if _INTEGER_TEXT.fullmatch(bare):
        return Number(Fraction(_integer_text(bare, where)), None, text)
    if fraction := _FRACTION_TEXT.fullmatch(bare):
        p, q = (_integer_text(s, where) for s in fraction.groups())
        if not q:
            raise where.error(f"{quote(text)} divides by zero; give a nonzero denominator")
        return Number(Fraction(p, q), None, text)
    if _DECIMAL_TEXT.fullmatch(bare):
        try:
            d = Decimal(bare)
        except InvalidOperation:  # an exponent Decimal cannot hold
            raise where.error(f"{quote(text)} is out of range: give a smaller exponent") from None
        return _decimal(d, text, where)
    return None


def _integer_text(digits: str, where: Where) -> int:
    if len(digits.lstrip("+-")) > MAX_INTEGER_DIGITS:
        raise where.error(
            f"{quote(digits)} has more than {MAX_INTEGER_DIGITS} digits; an integer has at most "
            "that"
        )
    return int(digits)


# --------------------------------------------------------------------------- text

#: Control characters (tab, line feed and carriage return aside) and lone surrogates.
_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def text_of(value: object, where: Where, what: str) -> str:
    """A string of 1 to :data:`MAX_STRING` characters, no control characters or NUL."""
    if not isinstance(value, str):
        raise where.error(f"expected {what} in quotes, got {quote(value)}")
    if len(value) > MAX_STRING:
        raise where.error(
            f"{len(value):,} characters; a string in a claims file has at most {MAX_STRING:,}"
        )
    if not value.strip():
        raise where.error(f"empty; give {what}")
    if bad := _FORBIDDEN.search(value):
        ch = bad.group()
        raise where.error(
            f"character U+{ord(ch):04X} at position {bad.start() + 1} is not allowed; use "
            "printable text (line breaks and tabs are fine)"
        )
    return value


def math_of(value: object, where: Where) -> str:
    """Mathematics as written (LaTeX or plain), kept as it is for the expression parser."""
    return text_of(value, where, "mathematics (LaTeX or plain, e.g. '1 - \\tanh^2(s)')")


def line_of(value: object, where: Where) -> str:
    """Text shown on the feedback sheet as it is: one line the sheet can typeset."""
    text = text_of(value, where, "text")
    if (bad := untypesettable(text)) is not None:
        raise where.error(
            f"character {bad!r} (U+{ord(bad):04X}) cannot be typeset on the sheet; use Latin "
            "letters, digits, punctuation and common symbols, on one line"
        )
    return text


def strings_of(value: object, where: Where) -> tuple[str, ...]:
    """``steps`` or ``let``: a non-empty array of mathematics strings."""
    if not isinstance(value, SEQUENCE) or not value:
        raise where.error(
            "expected a non-empty array of strings, e.g. ['a = b', '= c'], got " + quote(value)
        )
    if len(value) > MAX_ITEMS:
        raise where.error(f"{len(value):,} strings; a claim has at most {MAX_ITEMS} here")
    return tuple(math_of(v, Where(None, f"{where.field}[{i}]")) for i, v in enumerate(value, 1))


def renamings_of(value: object, where: Where) -> tuple[tuple[str, str], ...]:
    """``vars``: the writer's variables and the answer's, ``{ x = "s" }``."""
    if not isinstance(value, dict) or not value:
        raise where.error(
            "expected a table of the writer's variables and the answer's, e.g. "
            f'vars = {{ x = "s" }}, got {quote(value)}'
        )
    if len(value) > MAX_ITEMS:
        raise where.error(f"{len(value):,} renamings; a claim has at most {MAX_ITEMS}")
    return tuple(
        (math_of(k, where.within("a variable")), math_of(v, where.within(quote(k))))
        for k, v in value.items()
    )
