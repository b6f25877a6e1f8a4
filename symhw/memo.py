"""Caches of one piece of work, and :func:`forget`, which empties them between pieces.

symhw remembers what it computes on a sheet's own expressions (an expression printed once
for every format, a value rounded once for the key and the check): bounded caches, which
one sheet fills only in part. A worker that writes variant after variant of a class set
would fill them all (its peak grew from 84 MiB at 10 variants to 168 at 150), for few
hits from one variant to the next: :func:`forgetting` empties them every
:data:`FORGET_EVERY` variants, so that a worker holds at most that many variants' worth,
whatever the size of the class. What every piece of work shares (a parser, a derivation
made once per activation, a symbol's name) is not registered and stays.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

C = TypeVar("C")
R = TypeVar("R")
V = TypeVar("V")

#: Pieces of work between two forgets. The unvaried problems of a class set are the same
#: in every variant, and their evaluations hit the cache across variants: forgetting after
#: every variant cost 3-4 % more CPU a variant, after every 4 nothing measurable (HW2's
#: class set; a worker then holds about 6 MiB more than after one variant).
FORGET_EVERY = 4

#: The caches :func:`forget` empties.
_CACHES: list[Any] = []
#: Pieces of work done by :func:`forgetting` since the last forget.
_done = [0]


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
    """Empty every cache registered by :func:`forgettable` (and count the pieces of work
    of :func:`forgetting` from 0): what comes next is computed afresh, as in a new
    process. The results are the same; only the time differs."""
    for cache in _CACHES:
        if hasattr(cache, "cache_clear"):
            cache.cache_clear()
        else:
            cache.clear()
    _done[0] = 0


def registered() -> tuple[Any, ...]:
    """The caches registered by :func:`forgettable`, in the order they were."""
    return tuple(_CACHES)


def forgetting(fn: Callable[..., R], *args: Any) -> R:
    """``fn(*args)``, one piece of work, then :func:`forget` if it is the
    :data:`FORGET_EVERY`-th since the last (even if it raised): a map's function whose
    caches do not grow from item to item (with ``functools.partial``).

    >>> forgetting(abs, -2)
    2
    """
    try:
        return fn(*args)
    finally:
        _done[0] += 1
        if _done[0] >= FORGET_EVERY:
            forget()


def by_identity(
    table: OrderedDict, obj: object, make: Callable[[], V], limit: int, key: Hashable = None
) -> V:
    """What ``make()`` gives for ``obj``, made once and remembered in ``table`` under ``key``
    (default ``id(obj)``; the entry holds ``obj``, so the id stays its own), the least
    recently used entry forgotten beyond ``limit``. By identity, not equality: SymPy calls
    some differently written objects equal.

    >>> table, made = OrderedDict(), []
    >>> x = [1]
    >>> by_identity(table, x, lambda: made.append(1) or len(made), 8), by_identity(table, x, len, 8)
    (1, 1)
    """
    key = id(obj) if key is None else key
    hit = table.get(key)
    if hit is None or hit[0] is not obj:
        hit = table[key] = (obj, make())
        if len(table) > limit:
            table.popitem(last=False)
    else:
        table.move_to_end(key)
    return hit[1]
