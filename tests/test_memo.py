"""Caches of one piece of work (symhw/memo.py). A class set's worker forgets them every
few variants, so that its memory does not grow with the size of the class (issue 13:
peak memory independent of N). Every cache in symhw is either forgotten so or
kept on purpose, listed here with why it cannot grow with the class: a new cache must
take a side, or these tests fail."""

from __future__ import annotations

import functools
import importlib
import pkgutil

import pytest
from hypothesis import given
from hypothesis import strategies as st

import symhw
from conftest import REPO
from symhw import memo
from symhw.classset import class_set, write_class_set
from symhw.render.json import Members, dump_answers, dumped_pieces

#: Caches kept from one variant to the next, and why they stay small.
KEPT = {
    "symhw.checker.parse.parser": "one parser per mode: two entries",
    "symhw.checker.tables._kept": "the package's parser tables, read once",
    "symhw.program._definition": "one per function class and arity",
    "symhw.program._partial": "one per function class, arity and argument",
    "symhw.problems.activation_loss.gradient._gradient_derivation": "one per activation and loss",
    "symhw.render.names.symbol_latex": "symbol names, the same in every variant (bounded)",
    "symhw.render.figcache._environment": "one: the code and library versions",
    "symhw.render.mpl.matplotlib": "one: the module",
    "symhw.render.mpl.math": "figure labels, the same in every variant (bounded)",
    "symhw.verify._limit": "the derivations' limits, the same in every variant (bounded)",
}


def _caches() -> dict[str, object]:
    """Every ``functools`` cache defined in symhw (module functions and methods), by name."""
    found = {}
    for info in pkgutil.walk_packages(symhw.__path__, "symhw."):
        if info.name == "symhw.__main__":  # runs the command line
            continue
        module = importlib.import_module(info.name)
        classes = [c for c in vars(module).values() if isinstance(c, type)]
        for holder in (module, *classes):
            for obj in vars(holder).values():
                if hasattr(obj, "cache_info") and obj.__module__.startswith("symhw."):
                    found[f"{obj.__module__}.{obj.__qualname__}"] = obj
    return found


def _size(cache: object) -> int:
    return cache.cache_info().currsize if hasattr(cache, "cache_info") else len(cache)


def test_every_cache_is_forgotten_between_variants_or_kept_on_purpose():
    caches = _caches()
    registered = {id(c) for c in memo.registered()}
    undecided = [n for n, c in caches.items() if id(c) not in registered and n not in KEPT]
    assert undecided == [], "register each with memo.forgettable, or add it to KEPT with why"
    assert sorted(set(KEPT) - set(caches)) == []  # no stale entry
    assert not set(KEPT) & {n for n, c in caches.items() if id(c) in registered}
    assert len(registered) >= 8  # the expressions' caches: printed, evaluated, rounded...


def test_forgetting_empties_the_caches_every_so_many_calls_even_when_one_raises():
    @memo.forgettable
    @functools.lru_cache(maxsize=16)
    def double(n: int) -> int:
        return 2 * n

    table = memo.forgettable({})

    def fails(n: int) -> None:
        table[n] = double(n)
        raise ValueError(n)

    memo.forget()
    for n in range(1, memo.FORGET_EVERY):
        assert memo.forgetting(double, n) == 2 * n
    assert double.cache_info().currsize == memo.FORGET_EVERY - 1  # kept until the last
    with pytest.raises(ValueError):
        memo.forgetting(fails, 0)
    assert (double.cache_info().currsize, table) == (0, {})


def test_a_class_set_worker_holds_at_most_forget_every_variants(tmp_path):
    """Solved in this process (one job), as in a worker: the variants fill the caches (the
    test could fail), and the class set's map empties them every FORGET_EVERY variants."""
    cs = class_set(REPO / "examples" / "hw2-class.toml", 7, ("md",), "key", tmp_path / "a")
    assert memo.FORGET_EVERY > 1
    ids = [str(i) for i in range(1, memo.FORGET_EVERY + 1)]
    memo.forget()
    write_class_set(cs, ids[:-1], jobs=1)
    filled = [_size(c) for c in memo.registered()]
    assert sum(filled) > 100, filled
    write_class_set(cs, ids[-1:], jobs=1)
    assert [_size(c) for c in memo.registered() if _size(c)] == []


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3)
    ),
    max_leaves=12,
)


def _streaming(data: object, depth: int) -> object:
    """``data`` with its dicts, down to ``depth``, made :class:`Members` (made as written)."""
    if type(data) is not dict or depth == 0:
        return data
    return Members(iter([(k, _streaming(v, depth - 1)) for k, v in data.items()]))


@given(st.dictionaries(st.text(max_size=3), _JSON, max_size=4), st.integers(0, 3))
def test_a_manifest_written_member_by_member_is_the_same_text(data, depth):
    """The class set's manifest is written a record at a time (its parent process held
    every record at once: 29 MiB more at 300 variants), byte for byte as before: NaN and
    infinities by json.dumps, as indented leaves them."""
    expected = dump_answers(data).encode()
    assert b"".join(dumped_pieces({"head": 1, "v": _streaming(data, depth)})) == (
        dump_answers({"head": 1, "v": data}).encode()
    )
    assert b"".join(dumped_pieces(data)) == expected
