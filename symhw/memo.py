"""Caches of one piece of work, and :func:`forget`, which empties them between pieces.

symhw remembers what it computes on a sheet's own expressions (an expression printed once
for every format, a value rounded once for the key and the check): bounded caches, which
a sheet fills only in part. A worker that writes variant after variant of a class set
would fill them all (some 80 MiB at 150 variants, for hardly any hit from one variant to
the next): :func:`forget` between variants keeps its memory that of one variant. What is
shared by every piece of work (a parser, a derivation made once per activation, a
symbol's name) is not registered and stays.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

C = TypeVar("C")
R = TypeVar("R")

#: The caches :func:`forget` empties.
_CACHES: list[Any] = []


def forgettable(cache: C) -> C:
    """Register ``cache`` (a ``functools.lru_cache`` function, or a dict) for
    :func:`forget`, and return it: stacked above ``@functools.lru_cache``, or around a
    dict's literal.

    >>> import functools
    >>> @forgettable
    ... @functools.lru_cache(maxsize=16)
    ... def square(n):
    ...     return n * n
    >>> square(3), square.cache_info().currsize
    (9, 1)
    >>> forget(); square.cache_info().currsize
    0
    """
    _CACHES.append(cache)
    return cache


def forget() -> None:
    """Empty every cache registered by :func:`forgettable`: what comes next is computed
    afresh, as in a new process (the results are the same; only the time differs)."""
    for cache in _CACHES:
        if hasattr(cache, "cache_clear"):
            cache.cache_clear()
        else:
            cache.clear()


def registered() -> tuple[Any, ...]:
    """The caches registered by :func:`forgettable`, in the order they were."""
    return tuple(_CACHES)


def forgetting(fn: Callable[..., R], *args: Any) -> R:
    """``fn(*args)``, then :func:`forget` (even if it raised): a map's function that
    leaves nothing behind from one item to the next (with ``functools.partial``).

    >>> forgetting(abs, -2)
    2
    """
    try:
        return fn(*args)
    finally:
        forget()
