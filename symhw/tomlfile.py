"""TOML input files read safely: a regular UTF-8 file of bounded size, parsed with
decimals as written, keys of bounded parts and nesting of bounded depth, and every
failure one :class:`~symhw.errors.InputError` naming the file.

The parser is tomli, the library the standard library's tomllib was made from, in its
compiled build (mypyc), at 2.8 times the speed (about 1 ms for the 25 KB handwritten HW2
claims file against 2.6 ms for ``tomllib.loads``), which a class of hundreds of files
feels. It reads TOML 1.1 (inline tables over several lines, ``\\e`` and ``\\x`` escapes,
times without seconds) as well as 1.0: more documents than Python 3.11's tomllib, and for
some malformed ones another error or position. Control characters an escape can write are
refused where text is read, as those of TOML 1.0's ``\\u`` escapes always were.

Nothing else here needs more than the standard library, so that a class's claims files can
be read in worker processes forked before SymPy is imported (:mod:`symhw.checker.reading`).
"""

from __future__ import annotations

import os
import re
import stat
from decimal import Decimal
from pathlib import Path
from typing import Any

import tomli

from symhw.errors import InputError, quote

#: The largest input file read (a problem set with numeric tensors included).
MAX_FILE_BYTES = 4 << 20


def read_regular_file(path: Path, limit: int, what: str) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes; anything else (a directory,
    a FIFO that would block, /dev/zero that never ends, a huge file) is an InputError."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as e:
        raise InputError(f"cannot read {what} {quote(str(path))}: {e.strerror}") from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise InputError(f"{quote(str(path))} is not a regular file; give a {what} file")
        data = os.read(fd, limit + 1)  # a regular file gives all it has, up to the limit
    finally:
        os.close(fd)
    if len(data) > limit:
        raise InputError(
            f"{quote(str(path))} is over {limit >> 20} MiB; a {what} file is at most that"
        )
    return data


#: Strings and comments, to be skipped when keys are looked at (multi-line ones included).
_STRINGS = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*+"""|\'\'\'.*?\'\'\'|"(?:[^"\\\n]|\\.)*+"|\'[^\'\n]*+\'|#[^\n]*+',
    re.S,
)
#: The most parts a dotted key or a table name may have; a problem file needs three.
MAX_KEY_PARTS = 32
_DOTTED = re.compile(rf"(?<![\w-])(?:[\w-]++\s*+\.\s*+){{{MAX_KEY_PARTS}}}[\w-]")


def _check_dotted_keys(text: str, shown: str, what: str) -> None:
    """Refuse keys of many parts before the parser sees them: it takes time quadratic in the
    parts (a 40 kB key of 20,000 parts: 7 s)."""
    if _DOTTED.search(_STRINGS.sub("s", text)):
        raise InputError(
            f"{quote(shown)} has a dotted key or table name of more than {MAX_KEY_PARTS} "
            f"parts; a {what} file needs at most three"
        )


def parse_toml(text: str, shown: str, what: str) -> dict[str, Any]:
    """A TOML document (the text of ``shown``, a ``what`` file) as a dict, decimals as
    written (1e-400 is not 0); whatever the parser would choke on or fail at is one
    InputError naming the file.

    >>> parse_toml("x = 0.60", "f.toml", "claims")
    {'x': Decimal('0.60')}
    >>> parse_toml("x = 1e99999999999999999999", "f.toml", "claims")
    Traceback (most recent call last):
    ...
    symhw.errors.InputError: 'f.toml' has a number symhw cannot read: an exponent too large ...
    """
    _check_dotted_keys(text, shown, what)
    try:
        data = tomli.loads(text, parse_float=Decimal)
    except tomli.TOMLDecodeError as e:
        raise InputError(f"{quote(shown)} is not valid TOML: {e}") from None
    except ValueError as e:  # an integer of over 4,300 digits (Python's conversion limit)
        raise InputError(f"{quote(shown)} has a number symhw cannot read: {e}") from None
    except ArithmeticError:  # decimal.InvalidOperation: an exponent Decimal cannot hold
        raise InputError(
            f"{quote(shown)} has a number symhw cannot read: an exponent too large "
            "(such as 1e99999999999999999999)"
        ) from None
    except RecursionError:  # the parser recurses once per nesting level
        data = None
    if data is None or _depth(data) > MAX_NESTING:
        raise InputError(
            f"{quote(shown)} nests arrays or tables too deeply for a {what} file "
            f"(more than {MAX_NESTING} inside one another)"
        )
    return data


#: The most arrays and tables a TOML document may hold inside one another (a problem file
#: needs four: problems, a problem, a matrix and its rows). A limit of its own, not the
#: parser's RecursionError alone: where that comes depends on the parser, and for the
#: standard library's tomllib on the process's recursion limit (torch and hypothesis raise
#: it), so the same file would be refused in one process and read in another.
MAX_NESTING = 32


def _depth(data: dict[str, Any]) -> int:
    """How many arrays and tables lie inside one another in ``data``, the document
    counted as none (walked without recursion).

    >>> _depth({"a": 1}), _depth({"a": [1, [2]]}), _depth({"t": {"m": [[1]]}})
    (0, 2, 3)
    """
    deepest, stack = 0, [(data, 0)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        children = node.values() if isinstance(node, dict) else node
        stack.extend((c, depth + 1) for c in children if isinstance(c, dict | list))
    return deepest


def read_toml(path: Path, what: str) -> dict[str, Any]:
    """The TOML document in the regular file ``path``, read by :func:`parse_toml`."""
    return parse_toml(read_text(path, what), str(path), what)


def read_text(path: Path, what: str) -> str:
    """The text of the regular file ``path`` (at most :data:`MAX_FILE_BYTES`, UTF-8, a
    byte-order mark allowed)."""
    return decoded(read_regular_file(path, MAX_FILE_BYTES, what), path)


def decoded(raw: bytes, path: Path) -> str:
    """The bytes of the file ``path`` as UTF-8 text, a byte-order mark allowed."""
    try:
        return raw.decode("utf-8-sig")  # a byte-order mark is not an error
    except UnicodeDecodeError:
        raise InputError(f"{quote(str(path))} is not UTF-8 text") from None
