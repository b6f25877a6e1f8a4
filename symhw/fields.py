"""Plain fields of symhw's input files, checked without SymPy: where a value was given
(:class:`Where`, for error messages), a table's keys, short names and text shown on a
sheet; the built-in problem set's name and the most problems a file may hold.

Claims files are read with these alone, in worker processes forked before SymPy is
imported (:mod:`symhw.checker.reading`); :mod:`symhw.params` builds the numeric parsers
on them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from symhw.charset import untypesettable
from symhw.errors import InputError, quote

#: The built-in problem set (symhw/data/hw2.toml).
BUILTIN = "hw2"
#: The most problems a problem-set or claims file may hold.
MAX_PROBLEMS = 50

#: What a list in a problem file may be given as from Python.
SEQUENCE = (list, tuple)


@dataclass(frozen=True)
class Where:
    """Which problem and field a value comes from, and where inside it (``context``, such
    as "layer 2"), for error messages."""

    problem: str | None
    field: str
    context: str = ""

    def error(self, message: str) -> InputError:
        text = f"{self.context}: {message}" if self.context else message
        return InputError(text, problem=self.problem, field=self.field)

    def within(self, context: str) -> Where:
        """The same field, one level in: ``where.within("layer 2")``."""
        inner = f"{self.context}: {context}" if self.context else context
        return Where(self.problem, self.field, inner)


def check_keys(table: dict, allowed: Iterable[str], where: Where) -> None:
    """Every key of a table is one of ``allowed`` (from Python, keys may be anything).

    >>> check_keys({"kind": 1, 2: 3}, ("kind",), Where(None, "blocks"))
    Traceback (most recent call last):
    ...
    symhw.errors.InputError: field 'blocks': unknown key 2; use kind
    """
    allowed = tuple(allowed)
    unknown = [k for k in table if not isinstance(k, str) or k not in allowed]
    if unknown:
        raise where.error(f"unknown key {quote(unknown[0])}; use {', '.join(allowed)}")


MAX_TEXT = 200


def sheet_text(value: object, where: Where) -> str:
    """Free text shown on a sheet (a title): 1 to 200 characters, each one it can typeset.

    >>> sheet_text("Übung 2", Where(None, "title"))
    'Übung 2'
    """
    if not isinstance(value, str):
        raise where.error(f"expected text in quotes, got {quote(value)}")
    if not value.strip() or len(value) > MAX_TEXT:
        raise where.error(
            f"expected a non-empty string of at most {MAX_TEXT} characters, got {len(value)}"
        )
    bad = untypesettable(value)
    if bad is not None:
        raise where.error(
            f"character {bad!r} (U+{ord(bad):04X}) cannot be typeset on the sheet; use Latin "
            "letters, digits, punctuation and common symbols, on one line"
        )
    return value


NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")


def short_name(value: object, where: Where) -> str:
    """A short name (a problem id, a file stem): letters, digits, '_', '-', '.'."""
    if not isinstance(value, str) or not NAME.fullmatch(value):
        raise where.error(
            f"{quote(value)} is not a valid name: use letters, digits, '_', '-' or '.' "
            "(at most 64 characters, starting with a letter or digit)"
        )
    return value
