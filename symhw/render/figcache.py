"""A content-addressed cache of figure files, so that a sheet drawn before is not drawn
again (and matplotlib, whose import costs more than SymPy's, is not imported at all when
every figure of a run is found).

An entry's key is the SHA-256 of: the drawing's data, serialised exactly (floats as their
hexadecimal form, arrays as dtype, shape and bytes, SymPy expressions as their tree with
exact numbers), the file format, the versions of matplotlib and fontTools (which write the
files), and the bytes of the code that draws (:data:`CODE`). Entries live in
``$XDG_CACHE_HOME/symhw/figures`` (default ``~/.cache/symhw/figures``), in a directory
per version of the code and libraries (an older one can be deleted), one file each,
written to a temporary file and renamed into place; each starts with the SHA-256 of its
contents, checked on every read: a corrupt or truncated entry is drawn again, never used.
A cache directory that cannot be made or written is skipped silently (the figures are
drawn). ``SYMHW_CACHE=off`` switches the cache off.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import importlib.util
import os
import sys
import tempfile
from pathlib import Path

import numpy as np
import sympy as sp

#: The files whose bytes are part of every key: the drawing code, the printers its labels
#: use, and the figure data's definitions (in symhw/).
CODE = (
    "render/figures.py",
    "render/plots.py",
    "render/diagrams.py",
    "render/mpl.py",
    "render/expr.py",  # labels are printed by the sheet's printer, with names and decimals
    "render/names.py",
    "render/decimals.py",
    "figures.py",
    "notation.py",
)
#: The files that say which matplotlib and fontTools write the figures (their versions).
LIBRARIES = (("matplotlib", "_version.py"), ("fontTools", "__init__.py"))
_HEADER = b"symhw figure cache 1\n"
_OFF = ("off", "0", "no", "false")


def directory() -> Path | None:
    """Where entries go, or None when ``SYMHW_CACHE`` switches the cache off."""
    if os.environ.get("SYMHW_CACHE", "").strip().lower() in _OFF:
        return None
    base = os.environ.get("XDG_CACHE_HOME", "")
    root = Path(base) if os.path.isabs(base) else Path.home() / ".cache"  # XDG: absolute only
    return root / "symhw" / "figures"


def entries() -> Path | None:
    """The directory of this code's entries (one per drawing code and library versions,
    under :func:`directory`), or None when the cache is off."""
    root = directory()
    try:
        return None if root is None else root / _environment().hex()[:16]
    except OSError:  # the drawing code cannot be read (a zipped install): no cache
        return None


def expect_misses() -> bool:
    """Whether a run will draw figures: the cache is off, or holds nothing yet for this
    code (a first run, or the first after the drawing code or matplotlib changed). A sheet
    then imports matplotlib before its workers fork, once for all of them."""
    where = entries()
    return where is None or not where.is_dir()


def key(drawing: object, fmt: str) -> str:
    """The entry name of ``drawing`` saved as ``fmt``: hex SHA-256 (see the module)."""
    return keys(drawing, (fmt,))[fmt]


def keys(drawing: object, formats: tuple[str, ...]) -> dict[str, str]:
    """:func:`key` of each format (the drawing's data serialised once)."""
    data = hashlib.sha256()
    _feed(data, drawing)
    return {
        fmt: hashlib.sha256(
            _HEADER + _environment() + fmt.encode() + b"\0" + data.digest()
        ).hexdigest()
        for fmt in formats
    }


@functools.cache
def _environment() -> bytes:
    """The code and library versions every key covers (read once a process, without
    importing matplotlib)."""
    symhw = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256(f"{sys.version_info[:2]}\0".encode())
    for name in CODE:
        digest.update(name.encode() + b"\0" + (symhw / name).read_bytes())
    for package, file in LIBRARIES:
        spec = importlib.util.find_spec(package)
        origin = Path(spec.origin).parent / file if spec and spec.origin else None
        digest.update(package.encode() + b"\0")
        digest.update(origin.read_bytes() if origin and origin.is_file() else b"missing")
    digest.update(f"numpy {np.__version__} sympy {sp.__version__}".encode())
    return digest.digest()


def _feed(digest, value: object) -> None:
    """Add ``value`` to ``digest`` unambiguously: a type tag, then the value; containers
    item by item with their lengths. An unknown type raises TypeError (no caching)."""
    if isinstance(value, np.ndarray):
        data = np.ascontiguousarray(value)
        _tagged(digest, b"A", f"{data.dtype.str}{data.shape}".encode() + data.tobytes())
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        _tagged(digest, b"D", _type_name(value).encode())
        for field in dataclasses.fields(value):
            _tagged(digest, b"f", field.name.encode())
            _feed(digest, getattr(value, field.name))
    elif isinstance(value, sp.Basic | sp.MatrixBase):
        _feed_sympy(digest, value)
    elif isinstance(value, tuple | list):
        _tagged(digest, b"T", str(len(value)).encode())
        for item in value:
            _feed(digest, item)
    else:
        _tagged(digest, b"P", _plain(value))


def _plain(value: object) -> bytes:
    """A Python scalar as exact text: type and value (floats in hexadecimal)."""
    if value is None or isinstance(value, bool | str | int | np.integer | np.bool_):
        return f"{type(value).__name__}:{value}".encode()
    if isinstance(value, float | np.floating):
        return f"float:{float(value).hex()}".encode()
    raise TypeError(f"cannot key a figure holding {type(value).__name__}")


def _feed_sympy(digest, expr: sp.Basic | sp.MatrixBase) -> None:
    """An expression as its tree: class, then exact atoms (a Float as its binary mantissa
    and exponent, a symbol with its assumptions), or its arguments in their stored order."""
    if isinstance(expr, sp.MatrixBase):
        _tagged(digest, b"M", f"{expr.shape}".encode())
        for entry in expr:
            _feed_sympy(digest, entry)
        return
    _tagged(digest, b"S", _type_name(expr).encode())
    if isinstance(expr, sp.Float):
        _tagged(digest, b"r", f"{expr._mpf_}{expr._prec}".encode())
    elif isinstance(expr, sp.Rational):
        _tagged(digest, b"q", f"{expr.p}/{expr.q}".encode())
    elif isinstance(expr, sp.Symbol):
        dummy = getattr(expr, "dummy_index", None)  # a Dummy: a new key each run (no hit)
        facts = sorted(expr.assumptions0.items())
        _tagged(digest, b"y", f"{expr.name}\0{facts}\0{dummy}".encode())
    elif isinstance(expr, sp.Atom):  # NumberSymbol, Str, …: srepr is exact for these
        _tagged(digest, b"a", sp.srepr(expr).encode())
    elif not expr.args:
        raise TypeError(f"cannot key a figure holding {type(expr).__name__}")
    _tagged(digest, b"n", str(len(expr.args)).encode())
    for arg in expr.args:
        _feed(digest, arg)


def _type_name(value: object) -> str:
    cls = type(value)
    return f"{cls.__module__}.{cls.__qualname__}"


def _tagged(digest, tag: bytes, data: bytes) -> None:
    digest.update(tag + str(len(data)).encode() + b":" + data)


def load(where: Path, name: str) -> bytes | None:
    """The file stored under ``name``, or None when there is none or it is corrupt."""
    try:
        stored = (where / name).read_bytes()
    except OSError:
        return None
    head, _, data = stored.partition(b"\n")
    if hashlib.sha256(data).hexdigest().encode() != head:
        return None
    return data


def store(where: Path, name: str, data: bytes) -> None:
    """Store ``data`` under ``name`` atomically: written beside it, then renamed (any
    error: nothing stored, nothing said)."""
    temporary = None
    try:
        where.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=where, prefix=".part-")
        with os.fdopen(handle, "wb") as out:
            out.write(hashlib.sha256(data).hexdigest().encode() + b"\n" + data)
        os.replace(temporary, where / name)
        temporary = None
    except OSError:
        pass
    finally:
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)
