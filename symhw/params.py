"""Safe parsing of problem parameters: exact numbers, names from allow-lists, matrices.

Nothing here evaluates text: numbers go through :class:`fractions.Fraction`, names are
looked up in tables. Each parser takes ``(value, where)`` and raises :class:`InputError`
naming the problem and the field.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import sympy as sp

from symhw.errors import InputError
from symhw.render.latex import untypesettable  # the renderer knows what it can show


@dataclass(frozen=True)
class Where:
    """Which problem and field a value comes from (for error messages)."""

    problem: str | None
    field: str

    def error(self, message: str) -> InputError:
        return InputError(message, problem=self.problem, field=self.field)


Parser = Callable[[Any, Where], Any]


def parse_number(value: object, where: Where) -> sp.Rational:
    """An exact rational from a TOML number or a string such as ``"0.1"`` or ``"1/10"``.

    >>> parse_number("1/10", Where(None, "x")), parse_number(0.1, Where(None, "x"))
    (1/10, 1/10)
    """
    if isinstance(value, bool):
        raise where.error(f"expected a number, got {value!r}")
    if isinstance(value, int):
        if value and not 1 <= abs(value) <= LIMIT:
            raise where.error(_out_of_range(value))
        return sp.Integer(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise where.error(f"expected a finite number, got {value!r}")
        text = repr(value)  # the shortest decimal that reads back as this float: 0.1 -> 1/10
    elif isinstance(value, str):
        text = value.strip()
    else:
        raise where.error(f'expected a number such as 0.1 or "1/10", got {value!r}')
    if "_" in text:  # Fraction reads 1_000 and 1e1_000_000_000 (a hang): not a TOML number
        raise where.error(
            f'{value!r} is not a number: write a decimal such as 0.1 or a fraction such as "1/10"'
        )
    exponent = re.search(r"[eE]\s*([+-]?\d+)", text)
    if len(text) > MAX_NUMBER_TEXT or (exponent and abs(int(exponent[1])) > 2 * MAX_EXPONENT):
        raise where.error(_out_of_range(value))  # before Fraction builds a huge integer
    try:
        f = Fraction(text)
    except (ValueError, ZeroDivisionError):
        raise where.error(
            f'{value!r} is not a number: write a decimal such as 0.1 or a fraction such as "1/10"'
        ) from None
    if f and not LIMIT**-1 <= abs(f) <= LIMIT:
        raise where.error(_out_of_range(value))
    return sp.Rational(f.numerator, f.denominator)


#: Numbers are exact, but the float64 cross-checks must be able to confirm them: nonzero
#: magnitudes from 1e-15 to 1e15, written in at most 100 characters.
MAX_EXPONENT = 15
LIMIT = Fraction(10**MAX_EXPONENT)
MAX_NUMBER_TEXT = 100


def _out_of_range(value: object) -> str:
    return (
        f"{value!r} is out of range: give 0 or a number between 1e-{MAX_EXPONENT} and "
        f"1e{MAX_EXPONENT} in size (the float64 cross-checks could not confirm others)"
    )


def integer(minimum: int | None = None, maximum: int | None = None) -> Parser:
    """A parser for whole numbers within bounds."""

    def parse(value: object, where: Where) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise where.error(f"expected a whole number, got {value!r}")
        if minimum is not None and value < minimum:
            raise where.error(f"must be at least {minimum}, got {value}")
        if maximum is not None and value > maximum:
            raise where.error(f"must be at most {maximum}, got {value}")
        return value

    return parse


def choice(options: Iterable[str], key: str | None = None) -> Parser:
    """A parser for a name from an allow-list; ``key`` names it inside a table.

    >>> try:
    ...     choice(("basic", "bottleneck"), "kind")(None, Where("q3", "blocks"))
    ... except InputError as e:
    ...     print(e.message)
    missing kind; add kind = basic or bottleneck
    """
    allowed = tuple(options)

    def parse(value: object, where: Where) -> str:
        if value is None and key is not None:
            one_of = " or ".join(allowed) if len(allowed) == 2 else f"one of {', '.join(allowed)}"
            raise where.error(f"missing {key}; add {key} = {one_of}")
        if not isinstance(value, str) or value not in allowed:
            raise where.error(
                f"unknown {key or 'value'} {value!r}; choose one of {', '.join(allowed)}"
            )
        return value

    return parse


def boolean(value: object, where: Where) -> bool:
    if not isinstance(value, bool):
        raise where.error(f"expected true or false, got {value!r}")
    return value


MAX_TEXT = 200


def text(value: object, where: Where) -> str:
    """Free text shown on a sheet (a title): 1 to 200 characters, each one it can typeset.

    >>> text("Übung 2", Where(None, "title"))
    'Übung 2'
    """
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_TEXT:
        raise where.error(f"expected a non-empty string of at most {MAX_TEXT} characters")
    bad = untypesettable(value)
    if bad is not None:
        raise where.error(
            f"character {bad!r} (U+{ord(bad):04X}) cannot be typeset on the sheet; use Latin "
            "letters, digits, punctuation and common symbols, on one line"
        )
    return value


def matrix(value: object, where: Where) -> sp.Matrix:
    """A matrix as a list of rows; a flat list is a column."""
    if not isinstance(value, list) or not value:
        raise where.error("expected a matrix as a non-empty list of rows, e.g. [[0.1, 0.2]]")
    rows = [r if isinstance(r, list) else [r] for r in value]
    widths = {len(r) for r in rows}
    if len(widths) != 1 or 0 in widths:
        raise where.error(f"rows have different lengths {sorted(widths)}: every row needs one")
    return sp.Matrix([[parse_number(v, where) for v in r] for r in rows])


def param(default: Any = dataclasses.MISSING, *, parse: Parser, help: str) -> Any:
    """Declare a problem parameter: its parser and a one-line help text (see ``symhw list``)."""
    kwargs: dict[str, Any] = {"metadata": {"parse": parse, "help": help}}
    if default is not dataclasses.MISSING:
        kwargs["default"] = default
    return dataclasses.field(**kwargs)


def build_params(cls: type, table: dict[str, Any], problem: str | None) -> Any:
    """Instantiate the parameter dataclass ``cls`` from a TOML table, checking every field."""
    fields = {f.name: f for f in dataclasses.fields(cls)}
    unknown = sorted(set(table) - set(fields))
    if unknown:
        raise InputError(
            f"unknown parameter {unknown[0]!r}; this kind takes {', '.join(fields) or 'none'}",
            problem=problem,
            field=unknown[0],
        )
    values = {}
    for name, f in fields.items():
        if name in table:
            values[name] = f.metadata["parse"](table[name], Where(problem, name))
        elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            raise InputError(
                f"missing required parameter; add `{name} = ...` ({f.metadata['help']})",
                problem=problem,
                field=name,
            )
    return cls(**values)
