"""Which axes a normalization averages over, and the shapes of its statistics."""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from symhw.counts.layers import dim
from symhw.notation import written
from symhw.problems.norm_shapes.cases import Case


@dataclass(frozen=True)
class Statistics:
    """Where a normalization's statistics live, for one case.

    ``axes`` are the axes of the (for group norm: reshaped) input; ``reduced`` the positions
    averaged over; ``shape`` the input's sizes along ``axes``.
    """

    axes: tuple[str, ...]
    shape: tuple[sp.Expr, ...]
    reduced: tuple[int, ...]

    @property
    def keepdims(self) -> tuple[sp.Expr, ...]:
        return tuple(sp.Integer(1) if i in self.reduced else d for i, d in enumerate(self.shape))

    @property
    def squeezed(self) -> tuple[sp.Expr, ...]:
        return tuple(d for i, d in enumerate(self.shape) if i not in self.reduced)

    @property
    def count(self) -> sp.Expr:
        """Entries averaged for each statistic."""
        return written(*(self.shape[i] for i in self.reduced))


def statistics(case: Case) -> Statistics:
    """The axes a normalization averages over, on the input (reshaped for group norm).

    >>> st = statistics(Case("conv", "batch", "NHWC"))
    >>> st.keepdims, st.squeezed
    ((1, 1, 1, C), (C,))
    """
    axes = tuple(case.layout)
    if case.norm == "group":  # C splits into G groups of C/G channels
        i = axes.index("C")
        axes = (*axes[:i], "G", "c", *axes[i + 1 :])
    shape = tuple(_size(a, case) for a in axes)
    keep = {"batch": {"C"}, "layer": {"N"}, "instance": {"N", "C"}, "group": {"N", "G"}}
    reduced = tuple(i for i, a in enumerate(axes) if a not in keep[case.norm])
    return Statistics(axes, shape, reduced)


def _size(axis: str, case: Case) -> sp.Expr:
    if axis == "G":
        return case.group_count
    if axis == "c":
        return dim("C") / case.group_count
    return dim(axis)


def statistic_shape(
    average: sp.Sum, sizes: tuple[tuple[sp.Symbol, sp.Expr], ...], keepdims: bool = True
) -> sp.Tuple:
    """The shape of an average: length 1 (dropped without keepdims) where its index is summed.

    Read off the averaging formula itself (its free indices), so that the shapes the sheet
    states are checked against the formula rather than against the list they came from.

    >>> n, c = sp.symbols("n c", integer=True, positive=True)
    >>> N, C = dim("N"), dim("C")
    >>> mean = sp.Sum(sp.IndexedBase("x")[n, c], (n, 1, N))
    >>> statistic_shape(mean, ((n, N), (c, C))), statistic_shape(mean, ((n, N), (c, C)), False)
    ((1, C), (C,))
    """
    free = average.free_symbols
    shape = (size if index in free else sp.Integer(1) for index, size in sizes)
    if not keepdims:
        shape = (size for index, size in sizes if index in free)
    return sp.Tuple(*shape)
