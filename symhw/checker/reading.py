"""A class's claims files read side by side: :func:`read_files`.

Reading a file is parsing its TOML (about 1 ms for the 25 KB handwritten HW2 file) and
turning its tables into claims (about 1.5 ms), and a class has hundreds. Many files are
read in forked worker processes, one chunk per CPU. This module and everything it imports
need no SymPy, NumPy or lark, so ``symhw check`` forks the readers first and imports the
checker *while they read* (``meanwhile``): the reading of a class's files and the half
second of imports share the CPUs instead of following each other.
"""

from __future__ import annotations

from collections.abc import Callable

from symhw.checker.claims import ClaimsFile, read_claims
from symhw.pool import chunked, default_jobs, ordered_map

#: Files read in worker processes from this many on (fewer are read here: a worker costs
#: about as much to start as reading four files).
READ_IN_WORKERS = 16


def read_files(
    paths: list[str], jobs: int | None = None, meanwhile: Callable[[], object] | None = None
) -> list[ClaimsFile]:
    """The claims files at ``paths``, in order, read in ``jobs`` worker processes (default:
    one per CPU) when there are many; the first bad file's error, as reading them in turn
    gives. ``meanwhile`` runs in this process while they are read, if they are read in
    workers (else not at all: it is a head start, never needed for the result)."""
    jobs = jobs if jobs is not None else default_jobs(len(paths))
    if jobs <= 1 or len(paths) < READ_IN_WORKERS:
        return [read_claims(p) for p in paths]
    read = ordered_map(_read, chunked(paths, jobs), jobs, meanwhile=meanwhile)
    return [f for chunk in read for f in chunk]


def _read(paths: list[str]) -> list[ClaimsFile]:
    return [read_claims(p) for p in paths]
