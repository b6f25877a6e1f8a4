"""Nothing left behind, however a run ends: temporary paths and process groups are also
handed to a guardian process, which removes and kills whatever is still registered when
this process is gone, even after a SIGKILL that runs no ``finally``.

The guardian is a fork that blocks reading a pipe from this process; the pipe's end of
file (this process, and every worker forked from it, has exited) is its signal. The
command line starts one (:func:`start_guardian`); without it, registering is free and
cleaning up is left to the ``finally`` blocks, as in any library. Worker processes call
:func:`die_with_parent` so that they do not outlive a killed parent.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import shutil
import signal
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

_PR_SET_PDEATHSIG = 1
_write_end: int | None = None


def start_guardian() -> None:
    """Fork the guardian (once per process; POSIX only, else nothing happens)."""
    global _write_end
    if _write_end is not None or not hasattr(os, "fork"):
        return
    read_end, write_end = os.pipe()  # not inherited by exec'd programs (pdflatex)
    if os.fork() == 0:
        os.close(write_end)
        _serve(read_end)
    os.close(read_end)
    _write_end = write_end


def _send(op: str, kind: str, value: str | int) -> None:
    global _write_end
    if _write_end is None:
        return
    token = os.fsencode(str(value)).hex()  # any file name, on one line
    try:
        os.write(_write_end, f"{op}{kind} {token}\n".encode())
    except OSError:  # the guardian is gone (killed by hand): the finally blocks remain
        os.close(_write_end)
        _write_end = None


@contextlib.contextmanager
def guarded_path(path: str | os.PathLike) -> Iterator[Path]:
    """While the block runs, ``path`` (a file or a directory tree) is removed by the
    guardian if this process dies; the block's own cleanup is still the first line."""
    _send("+", "p", os.fspath(path))
    try:
        yield Path(path)
    finally:
        _send("-", "p", os.fspath(path))


@contextlib.contextmanager
def temporary_directory(prefix: str = "symhw-") -> Iterator[Path]:
    """A new temporary directory, removed with its contents when the block ends, and by
    the guardian if this process dies first."""
    path = tempfile.mkdtemp(prefix=prefix)
    with guarded_path(path):
        try:
            yield Path(path)
        finally:
            shutil.rmtree(path, ignore_errors=True)


@contextlib.contextmanager
def guarded_group(pgid: int) -> Iterator[int]:
    """While the block runs, process group ``pgid`` is killed if this process dies."""
    _send("+", "g", pgid)
    try:
        yield pgid
    finally:
        _send("-", "g", pgid)


def _serve(read_end: int) -> None:
    """The guardian: collect registrations until end of file, then clean up and exit."""
    try:
        os.setsid()  # a kill of this process's group leaves the guardian to clean up
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, signal.SIG_IGN)
        null = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(null, fd)
        os.closerange(3, read_end)
        os.closerange(read_end + 1, 1 << 16)  # nobody's pipe stays open because of us
        paths: dict[str, None] = {}
        groups: dict[int, None] = {}
        pending = b""
        while chunk := os.read(read_end, 65536):
            *lines, pending = (pending + chunk).split(b"\n")
            for line in lines:
                op, kind, token = line[:1], line[1:2], bytes.fromhex(line[3:].decode())
                table = paths if kind == b"p" else groups
                key = os.fsdecode(token) if kind == b"p" else int(token)
                if op == b"+":
                    table[key] = None
                else:
                    table.pop(key, None)
        for pgid in groups:
            with contextlib.suppress(OSError):
                os.killpg(pgid, signal.SIGKILL)
        for path in reversed(paths):
            if os.path.isdir(path) and not os.path.islink(path):
                shutil.rmtree(path, ignore_errors=True)
            else:
                with contextlib.suppress(OSError):
                    os.unlink(path)
    finally:
        os._exit(0)


def die_with_parent(parent: int) -> None:
    """Ask Linux to SIGKILL this process when its parent ``parent`` exits; exit at once
    if it already has. A no-op elsewhere (workers are only forked on Linux-like systems)."""
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:
        os._exit(1)
