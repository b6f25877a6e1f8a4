"""Map a function over a list in forked worker processes, results in input order.

Problems of a set are independent, so a sheet solves them side by side: one process per
usable CPU, forked after the imports (which cost about as much as the solving), so the
workers start at once. Where fork is unsafe or missing (macOS, Windows) or one worker is
asked for, the same function runs in this process, in order.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


def can_fork() -> bool:
    """True where worker processes can be forked (Linux and other POSIX systems; not macOS,
    whose system libraries are not fork-safe, nor Windows, which has no fork)."""
    return sys.platform != "darwin" and "fork" in multiprocessing.get_all_start_methods()


def usable_cpus() -> int:
    """CPUs this process may run on (respects taskset and container CPU sets)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def default_jobs(tasks: int) -> int:
    """Worker processes for ``tasks`` independent tasks: one per usable CPU, at most one per
    task, and 1 (in this process) where workers cannot be forked."""
    return max(1, min(tasks, usable_cpus())) if can_fork() else 1


def ordered_map(fn: Callable[[T], R], items: Iterable[T], jobs: int = 1) -> list[R]:
    """``[fn(x) for x in items]``, computed by up to ``jobs`` forked workers.

    ``fn`` and the results cross a process boundary, so they must pickle; an exception
    raised by ``fn`` is re-raised here, the first in input order, as in the serial loop.

    >>> ordered_map(abs, [-2, 1, -3], jobs=2)
    [2, 1, 3]
    """
    items = list(items)
    jobs = min(jobs, len(items))
    if jobs <= 1 or not can_fork():
        return [fn(x) for x in items]
    with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork")) as pool:
        try:
            return list(pool.map(fn, items))
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)
            raise
