"""Safe parsing of problem parameters: exact numbers, names from allow-lists, matrices.

Nothing here evaluates text: numbers go through :class:`fractions.Fraction`, names are
looked up in tables. Each parser takes ``(value, where)`` and raises :class:`InputError`
naming the problem and the field.

The same parsers guard the Python API: every kind's ``Params`` derives from
:class:`Parameters`, which parses each field when an instance is made. So a parser also
accepts what it returns (tuples as well as lists, SymPy rationals and matrices, parsed
records), and parsing twice changes nothing.
"""

from __future__ import annotations

import dataclasses
import math
import numbers
import re
from collections.abc import Callable, Iterable
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

import numpy as np
import sympy as sp

from symhw.errors import InputError, quote
from symhw.fields import SEQUENCE, Where, sheet_text, short_name

Parser = Callable[[Any, Where], Any]


def parse_number(value: object, where: Where) -> sp.Rational:
    """An exact rational from a TOML number or a string such as ``"0.1"`` or ``"1/10"``.

    Decimals are read as written (problem files are read with ``parse_float=Decimal``), so
    0.1 is 1/10 and 1e-400 is out of range, not 0.

    >>> parse_number("1/10", Where(None, "x")), parse_number(0.1, Where(None, "x"))
    (1/10, 1/10)
    """
    if isinstance(value, bool):
        raise where.error(f"expected a number, got {quote(value)}")
    if isinstance(value, numbers.Rational):  # int, Fraction, a SymPy or NumPy integer...
        return _in_range(Fraction(int(value.numerator), int(value.denominator)), value, where)
    if isinstance(value, sp.Float):  # SymPy's decimal digits, as written: Float(0.1) -> 1/10
        value = str(value) if value.is_finite else float(value)
    elif isinstance(value, numbers.Real) and not isinstance(value, float | Decimal):
        value = float(value)  # e.g. np.float32
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise where.error(f"expected a finite number, got {value!r}")
        value = repr(float(value))  # the shortest decimal that reads back as this float
    if isinstance(value, Decimal):  # a TOML float, as written
        if not value.is_finite():
            raise where.error(f"expected a finite number, got {value}")
        return _in_range(_decimal_fraction(value, where, str(value)), str(value), where)
    if not isinstance(value, str):
        raise where.error(f'expected a number such as 0.1 or "1/10", got {quote(value)}')
    return _in_range(_text_fraction(value.strip(), where), value, where)


_NOT_A_NUMBER = 'is not a number: write a decimal such as 0.1 or a fraction such as "1/10"'
_INTEGER = re.compile(r"[+-]?[0-9]+")


def _text_fraction(text: str, where: Where) -> Fraction:
    """``"p/q"`` or a decimal, in ASCII digits (no ``_``, as in TOML), read exactly."""
    if len(text) > MAX_NUMBER_TEXT:
        raise where.error(_out_of_range(text))
    if not text.isascii() or "_" in text:
        raise where.error(f"{quote(text)} {_NOT_A_NUMBER}")
    if "/" in text:
        p, _, q = text.partition("/")
        if not (_INTEGER.fullmatch(p.strip()) and _INTEGER.fullmatch(q.strip())) or not int(q):
            raise where.error(f"{quote(text)} {_NOT_A_NUMBER}")
        return Fraction(int(p), int(q))
    try:
        d = Decimal(text)
    except InvalidOperation:
        raise where.error(f"{quote(text)} {_NOT_A_NUMBER}") from None
    if not d.is_finite():
        raise where.error(f"expected a finite number, got {quote(text)}")
    return _decimal_fraction(d, where, text)


def _decimal_fraction(d: Decimal, where: Where, shown: str) -> Fraction:
    """A finite Decimal as a Fraction; one far out of range is refused before its digits are
    expanded (1e1000000000 would be a billion-digit integer)."""
    if d and not -2 * MAX_EXPONENT <= d.adjusted() <= 2 * MAX_EXPONENT:
        raise where.error(_out_of_range(shown))
    return Fraction(d)


def _in_range(f: Fraction, given: object, where: Where) -> sp.Rational:
    if f and not LIMIT**-1 <= abs(f) <= LIMIT:
        raise where.error(_out_of_range(given))
    return sp.Rational(f.numerator, f.denominator)


#: Numbers are exact, but the float64 cross-checks must be able to confirm them: nonzero
#: magnitudes from 1e-15 to 1e15, written in at most 100 characters.
MAX_EXPONENT = 15
LIMIT = Fraction(10**MAX_EXPONENT)
MAX_NUMBER_TEXT = 100


def _out_of_range(value: object) -> str:
    return (
        f"{quote(value)} is out of range: give 0 or a number between 1e-{MAX_EXPONENT} and "
        f"1e{MAX_EXPONENT} in size (the float64 cross-checks could not confirm others)"
    )


def as_int(value: object) -> object:
    """A whole number given from Python as a NumPy or SymPy integer, as an ``int``; any
    other value unchanged, for the caller's own check to refuse.

    >>> as_int(np.int64(3)), as_int(sp.Integer(4)), as_int(True), as_int("5")
    (3, 4, True, '5')
    """
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return int(value)
    return value


def as_sequence(value: object) -> object:
    """A NumPy array or SymPy matrix given from Python as nested lists; anything else
    unchanged (at most 2**16 entries are listed; a larger array is left for the caller's
    check to refuse by its size)."""
    if isinstance(value, np.ndarray | sp.MatrixBase) and math.prod(value.shape) <= 1 << 16:
        return value.tolist()
    return value


def integer(minimum: int | None = None, maximum: int | None = None) -> Parser:
    """A parser for whole numbers within bounds."""

    def parse(value: object, where: Where) -> int:
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            raise where.error(f"expected a whole number, got {quote(value)}")
        value = int(value)
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
                f"unknown {key or 'value'} {quote(value)}; choose one of {', '.join(allowed)}"
            )
        return value

    return parse


def boolean(value: object, where: Where) -> bool:
    if not isinstance(value, bool):
        raise where.error(f"expected true or false, got {quote(value)}")
    return value


def matrix(value: object, where: Where) -> sp.Matrix:
    """A matrix as a list of rows; a flat list is a column. From Python, also a SymPy
    matrix whose entries are numbers (each parsed as a number in a file would be).

    >>> matrix(sp.ImmutableMatrix([[1, 0.5]]), Where(None, "w"))
    Matrix([[1, 1/2]])
    >>> matrix(sp.Matrix([[sp.Symbol("a")]]), Where(None, "w"))
    Traceback (most recent call last):
    ...
    symhw.errors.InputError: field 'w': expected a number such as 0.1 or "1/10", got a
    """
    if isinstance(value, sp.MatrixBase | np.ndarray):
        value = value.tolist()
    if not isinstance(value, SEQUENCE) or not value:
        raise where.error("expected a matrix as a non-empty list of rows, e.g. [[0.1, 0.2]]")
    rows = [r if isinstance(r, SEQUENCE) else [r] for r in value]
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


class Parameters:
    """Base of every kind's ``Params`` (a frozen dataclass of :func:`param` fields).

    Making an instance parses every field with its parser, as a problem file's values are
    parsed, so the Python API is held to the same rules: no unparsed value reaches SymPy,
    and a wrong value is an :class:`InputError` naming the field. Then :meth:`check` tests
    the fields against each other.

    >>> from symhw.problems.conv_matrix import Params
    >>> Params(dims=3)
    Traceback (most recent call last):
    ...
    symhw.errors.InputError: field 'dims': must be at most 2, got 3
    """

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):  # type: ignore[arg-type]
            value = getattr(self, f.name)
            if value is None and f.default is None:  # an optional field left out
                continue
            object.__setattr__(self, f.name, f.metadata["parse"](value, Where(None, f.name)))
        self.check()

    def check(self) -> None:
        """Constraints between fields (a kind overrides this); raise :class:`InputError`."""


def check_call(params: object, cls: type, problem_id: object, title: object) -> None:
    """The arguments of a kind's ``solve``, checked as a problem file's would be.

    >>> from symhw.problems.norm_shapes import Params
    >>> check_call({"cases": []}, Params, "q4", None)
    Traceback (most recent call last):
    ...
    TypeError: expected symhw.problems.norm_shapes.Params, got dict: make one with Params(...)
    """
    if not isinstance(params, cls):
        raise TypeError(
            f"expected {cls.__module__}.{cls.__qualname__}, got {type(params).__name__}: "
            f"make one with {cls.__qualname__}(...)"
        )
    short_name(problem_id, Where(None, "problem_id"))
    if title is not None:
        sheet_text(title, Where(None, "title"))


def build_params(cls: type, table: dict[str, Any], problem: str | None) -> Any:
    """Instantiate the parameter dataclass ``cls`` from a TOML table, checking every field
    and the fields against each other; errors name ``problem``."""
    if not issubclass(cls, Parameters):
        raise TypeError(f"{cls.__name__} must derive from symhw.params.Parameters")
    fields = {f.name: f for f in dataclasses.fields(cls)}
    unknown = sorted(set(table) - set(fields))
    if unknown:
        raise InputError(
            f"unknown parameter {quote(unknown[0])}; this kind takes {', '.join(fields) or 'none'}",
            problem=problem,
            field=unknown[0],
        )
    for name, f in fields.items():
        if name not in table and f.default is dataclasses.MISSING:
            raise InputError(
                f"missing required parameter; add `{name} = ...` ({f.metadata['help']})",
                problem=problem,
                field=name,
            )
    try:
        return cls(**table)
    except InputError as e:
        raise InputError(e.message, problem=problem, field=e.field) from None
