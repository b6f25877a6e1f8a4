"""The output formats symhw writes, in the order it writes them, and the check of a
``--format`` list. Standard library only: ``symhw check`` checks its arguments before
SymPy is imported."""

from __future__ import annotations

from collections.abc import Iterable

from symhw.errors import InputError

FORMATS = ("tex", "pdf", "md", "json")


def check_formats(formats: Iterable[str]) -> tuple[str, ...]:
    """The requested formats as a tuple, each one known (else exit 2 naming --format).

    >>> check_formats(["md", "tex"])
    ('md', 'tex')
    """
    formats = tuple(formats)
    bad = [f for f in formats if f not in FORMATS]
    if bad or not formats:
        raise InputError(
            f"unknown format {bad[0] if bad else ''!r}; choose from {', '.join(FORMATS)}",
            field="--format",
        )
    return formats
