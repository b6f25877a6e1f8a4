"""Timing helpers shared by the benchmark scripts."""

from __future__ import annotations

import time
from collections.abc import Callable


def best(
    f: Callable[[], object],
    repeat: int,
    warmup: float = 0.0,
    before: Callable[[], object] | None = None,
) -> float:
    """The fastest of ``repeat`` timed calls of ``f``.

    ``warmup`` seconds of untimed calls come first (threads, caches); ``before`` runs
    untimed before each timed call (e.g. to empty SymPy's cache). With no warm-up time, one
    untimed call is still made unless ``before`` is given (a cold build is what is measured).
    """
    end = time.perf_counter() + warmup
    while time.perf_counter() < end:
        f()
    if warmup == 0 and before is None:
        f()
    times = []
    for _ in range(repeat):
        if before is not None:
            before()
        start = time.perf_counter()
        f()
        times.append(time.perf_counter() - start)
    return min(times)
