"""The error types symhw raises, and the exit status each maps to."""

from __future__ import annotations

import reprlib
from functools import partial


class _Short(reprlib.Repr):
    def repr_int(self, x: int, level: int) -> str:
        if x.bit_length() > 256:  # repr of a 5,000-digit integer raises ValueError
            return f"<an integer of {x.bit_length():,} bits>"
        return super().repr_int(x, level)


_SHORT = _Short()  # keyword arguments only from Python 3.12
_SHORT.maxlevel, _SHORT.maxdict, _SHORT.maxlist, _SHORT.maxtuple = 3, 4, 6, 6
_SHORT.maxstring = _SHORT.maxother = _SHORT.maxlong = 80


def quote(value: object) -> str:
    """``repr(value)``, cut to about 80 characters, for an error message that shows what
    was given (a 5 MB string is shown by its ends, never echoed whole).

    >>> shown = quote("a" * 5_000_000)
    >>> len(shown), shown[:4], "..." in shown
    (80, "'aaa", True)
    >>> quote([[1, 2], {"a": 1}])
    "[[1, 2], {'a': 1}]"
    >>> quote(10**5000)
    '<an integer of 16,610 bits>'

    """
    return _SHORT.repr(value)


class SymhwError(Exception):
    """Base class of every error symhw raises on purpose."""

    exit_status = 1


class InputError(SymhwError):
    """Bad input: a malformed problem-set file, a wrong shape, an unknown name.

    The message names the problem, the field and the fix. The CLI exits with status 2.
    """

    exit_status = 2

    def __init__(self, message: str, *, problem: str | None = None, field: str | None = None):
        self.message = message
        self.problem = problem
        self.field = field
        where = []
        if problem is not None:
            where.append(f"problem {quote(problem)}")
        if field is not None:
            where.append(f"field {quote(field)}")
        prefix = ", ".join(where)
        super().__init__(f"{prefix}: {message}" if prefix else message)

    def __reduce__(self):
        # Keyword-only fields: pickle (used to return errors from worker processes) would
        # otherwise rebuild the error from its formatted text alone and lose them.
        return partial(InputError, problem=self.problem, field=self.field), (self.message,)


class VerificationError(SymhwError):
    """A derivation step whose two sides were shown to differ: a bug, never a sheet."""


class TexError(SymhwError):
    """pdflatex failed; the message carries the relevant lines of its log."""


class WorkerError(SymhwError):
    """An unexpected error in a worker process, carried back as its traceback text."""


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where the main program is, so that it stops as Ctrl-C does: workers
    and pdflatex are killed, temporary files removed, old outputs left as they were.
    The CLI exits with status 143 (128 + SIGTERM)."""
