"""Map a function over a list in forked worker processes, results in input order.

Problems of a set are independent, so a sheet solves them side by side: one process per
usable CPU, forked after the imports (which cost about as much as the solving), so the
workers start at once. The same function runs in this process, in order, where forking is
unsafe: on macOS (system libraries are not fork-safe), on Windows (no fork), and in a
process running other Python threads (a Jupyter kernel, a web server), which a fork could
catch holding a lock.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import signal
import sys
import threading
import traceback
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import partial
from typing import TypeVar

from symhw.cleanup import die_with_parent
from symhw.errors import SymhwError, WorkerError
from symhw.signals import STOPS, held

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


def chunked(items: list[T], parts: int) -> list[list[T]]:
    """``items`` cut into at most ``parts`` runs of consecutive items, in order, of equal
    length but the last: for many cheap tasks, one per worker costs less than one per item
    (each task crosses the pool's pipe twice).

    >>> chunked([1, 2, 3, 4, 5], 2)
    [[1, 2, 3], [4, 5]]
    """
    size = max(1, -(-len(items) // max(1, parts)))
    return [items[k : k + size] for k in range(0, len(items), size)]


def _start_worker(parent: int) -> None:
    """Workers leave Ctrl-C to the parent, which stops the pool (no trace per worker); they
    die at SIGTERM (the parent's handler raises, which a worker must not) and with the
    parent, even one killed with SIGKILL, instead of waiting on its pipe forever."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGALRM, signal.SIG_DFL)  # the parent's stop retries are its own
    die_with_parent(parent)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, STOPS)  # held back while forking


def _call(fn: Callable[[T], R], x: T) -> R:
    """``fn(x)`` in a worker. symhw's errors cross back as they are; any other exception is
    sent as its traceback text, since not every exception survives pickling."""
    try:
        return fn(x)
    except SymhwError:
        raise
    except Exception as e:
        raise WorkerError(f"{type(e).__name__}: {e}\n{traceback.format_exc()}") from None


def ordered_map(
    fn: Callable[[T], R],
    items: Iterable[T],
    jobs: int = 1,
    cost: Callable[[T], float] | None = None,
    meanwhile: Callable[[], object] | None = None,
) -> list[R]:
    """``[fn(x) for x in items]``, computed by up to ``jobs`` forked workers.

    ``fn`` and the results cross a process boundary, so they must pickle; an exception
    raised by ``fn`` is re-raised here, the first in input order, as in the serial loop
    (other than symhw's own errors, as a :class:`WorkerError` with its traceback).

    ``cost`` estimates an item's work: the workers take the costliest items first (longest
    processing time first), so that no worker starts a long item when the others are nearly
    done. It changes when items are computed, never the results or their order.

    ``meanwhile`` runs in this process while the workers compute (its result is dropped);
    where the map runs here, in order, it is not run at all.

    >>> ordered_map(abs, [-2, 1, -3], jobs=2, cost=abs)
    [2, 1, 3]
    """
    items = list(items)
    jobs = min(jobs, len(items))
    if jobs <= 1 or not can_fork() or threading.active_count() > 1:
        return [fn(x) for x in items]
    order = sorted(range(len(items)), key=lambda i: -cost(items[i])) if cost else range(len(items))
    context = multiprocessing.get_context("fork")
    start = partial(_start_worker, os.getpid())
    pool = ProcessPoolExecutor(jobs, mp_context=context, initializer=start)
    try:
        with held(forks=True):  # workers fork (at the first submit) with Ctrl-C held back until
            futures = {i: pool.submit(_call, fn, items[i]) for i in order}  # each has set its
            # own handling
        if meanwhile is not None:
            meanwhile()
        done = [futures[i].result() for i in range(len(items))]  # the first error in input order
    except BrokenProcessPool:
        _terminate(pool)
        raise WorkerError(
            "a worker process died (out of memory, or killed by a signal); "
            "--jobs 1 runs everything in one process"
        ) from None
    except BaseException:  # an error, Ctrl-C or SIGTERM: stop the other workers now
        _terminate(pool)
        raise
    pool.shutdown(wait=True)
    return done


def _terminate(pool: ProcessPoolExecutor) -> None:
    """Stop every worker at once, without waiting on the pool's own machinery: they ignore
    Ctrl-C, and one still running its problem would keep the parent waiting."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    for process in processes:
        process.kill()
    manager = getattr(pool, "_executor_manager_thread", None)
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.join(timeout=5)
    if manager is not None:  # it sees the workers gone and ends; a bounded wait, all the same
        manager.join(timeout=5)


#: What :func:`shared_map` hands its workers, by the run's token (threads may each run
#: one): forked workers see it as it was when they were forked, nothing is pickled.
_SHARED: dict[int, object] = {}
_TOKENS = itertools.count()


def shared_map(
    fn: Callable[[object, T], R],
    shared: object,
    items: Iterable[T],
    jobs: int = 1,
    cost: Callable[[T], float] | None = None,
) -> list[R]:
    """``[fn(shared, x) for x in items]`` by :func:`ordered_map`, ``shared`` reaching the
    workers by the fork rather than through the pool's pipe (a class's 200 claims files
    took 0.3 s to pickle and unpickle): only the items and the results cross it."""
    token = next(_TOKENS)
    _SHARED[token] = shared
    try:
        tasks = [(token, fn, x) for x in items]
        weigh = None if cost is None else (lambda task: cost(task[2]))
        return ordered_map(_shared_call, tasks, jobs, weigh)
    finally:
        del _SHARED[token]


def _shared_call(task: tuple) -> object:
    token, fn, item = task
    return fn(_SHARED[token], item)
