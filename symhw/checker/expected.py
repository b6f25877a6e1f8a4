"""What a claim is checked against: the exact value symhw derives for the name it gives
(an answer, an entry of one, or a checkable quantity), and the names the problem's own
symbols go by, so that a claim's ``C`` or ``s`` is the problem's C or s."""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import sympy as sp

from symhw.checker.names import Name, NameTable
from symhw.derivation import Quantities, Solution
from symhw.memo import forgettable
from symhw.notation import Dots, GradientEntry


@dataclass(frozen=True)
class Expected:
    """The exact value of a name, and how the sheet writes it."""

    name: str
    label: object
    value: object


def exact(value: object) -> object:
    """An answer's exact value: a matrix expression written out (mlp-backprop shows its
    values as display nodes around them), a 1 × 1 matrix as its entry."""
    if isinstance(value, sp.MatrixExpr) and not isinstance(value, sp.MatrixBase):
        value = _explicit(value)
    if isinstance(value, sp.MatrixBase):
        value = sp.ImmutableMatrix(value)
        if value.shape == (1, 1):
            return value[0, 0]
    return value


@forgettable
@functools.lru_cache(maxsize=1024)
def _explicit(value: sp.MatrixExpr) -> sp.MatrixBase:
    """A matrix expression written out (immutable), once per expression: checking HW2's
    claims asks 73 times for 32 of them (q2's products of weights and values), each
    product's entries built as sums and evaluated."""
    return value.as_explicit()


def expected(solution: Solution, quantities: Quantities, name: str, entry=()) -> Expected | None:
    """The value ``name`` (an answer, else a quantity) has, at its 1-based ``entry`` (a
    tuple's item, a vector's entry, a matrix's (row, column)); None if there is no such
    name or entry."""
    found = next((a for a in solution.answers if a.name == name), None)
    if found is not None:
        whole = Expected(name, found.label, _whole(found))
    else:
        q = quantities.find(name)
        if q is None:
            return None
        whole = Expected(name, q.label, exact(q.value))
    return whole if not entry else _entry(whole, entry)


#: The most entries of a matrix a claim is checked against in full (a sheet shows larger
#: ones by their corners; the whole is filled from the layer's index map up to this size).
MAX_ENTRIES = 65_536


def _whole(answer) -> object:
    """An answer's value in full: a matrix the sheet shows by its corners (⋯) is filled in
    from the answer's data (q5's A of a larger layer) where it has at most
    :data:`MAX_ENTRIES` entries."""
    value = exact(answer.value)
    shown = isinstance(value, sp.MatrixBase) and value.atoms(Dots)
    explicit = getattr(answer.data, "explicit", None)
    if shown and callable(explicit) and math.prod(answer.data.shape) <= MAX_ENTRIES:
        return explicit()
    return value


def _entry(whole: Expected, entry: tuple[int, ...]) -> Expected | None:
    value = whole.value
    at = tuple(i - 1 for i in entry)
    if isinstance(value, sp.MatrixBase):
        if len(at) == 1 and 1 in value.shape:
            at = (at[0], 0) if value.cols == 1 else (0, at[0])
        if len(at) != 2 or not all(0 <= i < n for i, n in zip(at, value.shape, strict=True)):
            return None
        return Expected(f"{whole.name}{list(entry)}", whole.label, value[at])
    if isinstance(value, tuple | sp.Tuple) and len(at) == 1 and 0 <= at[0] < len(value):
        return Expected(f"{whole.name}{list(entry)}", whole.label, value[at[0]])
    return None


def problem_names(values) -> NameTable:
    """The problem's symbols by the names a claim writes them with (``s`` is the problem's
    real s, ``C`` its positive integer C): every symbol of ``values``, keyed by its base,
    subscript and superscript as :mod:`symhw.notation` names it.

    >>> s = sp.Symbol("s", real=True)
    >>> problem_names([1 - sp.tanh(s) ** 2]).resolve(Name("s")) is s
    True
    """
    entries: dict[Name, sp.Basic] = {}
    for value in values:
        for symbol in _symbols(value):
            if isinstance(symbol, GradientEntry):
                continue  # the parser builds ∂L/∂Y_11 itself, alike
            entries.setdefault(Name.of(symbol.name), symbol)
    return NameTable(entries)


def _symbols(value: object) -> set:
    if isinstance(value, sp.MatrixBase):
        return set().union(*(_symbols(v) for v in value)) if value else set()
    if isinstance(value, tuple):
        return set().union(*(_symbols(v) for v in value)) if value else set()
    if isinstance(value, sp.Basic):
        return {s for s in value.free_symbols if isinstance(s, sp.Symbol)}
    return set()
