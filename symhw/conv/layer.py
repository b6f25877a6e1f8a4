"""A layer as a sheet sees it: its symbolic matrix, which entries are written out, and the
terms of each element equation, counted before any is built."""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import sympy as sp

from symhw.conv import ConvGeometry, ConvIndexMap
from symhw.conv.symbols import ConvSymbols, SymbolicConvMatrix

#: A is written out entry by entry up to this size; larger layers show corners and blocks.
FULL_ROWS = 24
FULL_COLS = {1: 12, 2: 9}  # 2-D names are wider
#: The most terms a sum on one line may have (per dims): products w x, and products with ∂L/∂Y,
#: which are wider. Longer sums are not written out; the checks at the end cover them.
MAX_TERMS = {1: 8, 2: 6}
MAX_GRADIENT_TERMS = {1: 6, 2: 4}


@dataclass(frozen=True)
class Layer:
    """A layer and its symbolic matrix, with which entries the sheet writes out."""

    geometry: ConvGeometry

    @cached_property
    def index_map(self) -> ConvIndexMap:
        return ConvIndexMap(self.geometry)

    @cached_property
    def A(self) -> SymbolicConvMatrix:
        return SymbolicConvMatrix(self.index_map)

    @property
    def s(self) -> ConvSymbols:
        return self.A.symbols

    @property
    def transpose_fits(self) -> bool:
        """Whether Aᵀ (as wide as A is tall) can be written out too."""
        return self.full and self.geometry.matrix_shape[0] <= FULL_COLS[self.geometry.dims]

    def fits(self, terms: int, gradient: bool = False) -> bool:
        """Whether a sum of this many terms fits on a line of the sheet."""
        return terms <= (MAX_GRADIENT_TERMS if gradient else MAX_TERMS)[self.geometry.dims]

    @property
    def full(self) -> bool:
        rows, cols = self.geometry.matrix_shape
        return rows <= FULL_ROWS and cols <= FULL_COLS[self.geometry.dims]

    @cached_property
    def explicit(self) -> sp.ImmutableMatrix:
        return self.A.explicit()

    def shown(self, channels: int, size: tuple[int, ...]) -> list[tuple[int, tuple[int, ...]]]:
        """Every (channel, position) when A is small; else corners and a middle position."""
        n = math.prod(size)
        if self.full:
            return [(c, p) for c in range(channels) for p in np.ndindex(*size)]
        flat = sorted({0, n // 2, n - 1})
        return [
            (c, tuple(int(v) for v in np.unravel_index(f, size)))
            for c in sorted({0, channels - 1})
            for f in flat
        ]

    def term_count(self, j: int, pos: tuple[int, ...]) -> int:
        """How many nonzero terms Y_{j,pos} has (without building them)."""
        return self.geometry.in_per_group * len(self.geometry.reads(pos))

    def element_terms(self, j: int, pos: tuple[int, ...]) -> list[sp.Expr]:
        """Y_{j,pos} = Σ_i Σ_k w_k^{ij} x_{i, s·pos + d·k - p}, written from the definition."""
        g = self.geometry
        first = j // g.out_per_group * g.in_per_group
        reads = g.reads(pos)
        return [
            self.s.weight(j, i - first, tap) * self.s.x(i, u)
            for i in range(first, first + g.in_per_group)
            for tap, u in reads
        ]

    def reader_count(self, i: int, pos: tuple[int, ...]) -> int:
        """How many outputs read x_{i,pos} (without listing them)."""
        return self.geometry.out_per_group * len(self.geometry.readers(pos))

    def readers_with_taps(
        self, i: int, pos: tuple[int, ...]
    ) -> list[tuple[int, tuple[int, ...], tuple[int, ...]]]:
        """(j, t, tap) of each output Y_{j,t} whose tap reads x_{i,pos}, in (j, t) order."""
        g = self.geometry
        first = i // g.in_per_group * g.out_per_group
        readers = g.readers(pos)
        found = [(j, t, tap) for j in range(first, first + g.out_per_group) for t, tap in readers]
        return sorted(found)

    def readers(self, i: int, pos: tuple[int, ...]) -> list[tuple[int, tuple[int, ...]]]:
        """The outputs (j, t) whose element equation contains x_{i,pos}."""
        return [(j, t) for j, t, _ in self.readers_with_taps(i, pos)]


def flat_index(size: tuple[int, ...], pos: tuple[int, ...]) -> int:
    return int(np.ravel_multi_index(pos, size))


def x_at(layer: Layer, col: int) -> sp.Symbol:
    g = layer.geometry
    i, u = divmod(col, math.prod(g.size))
    return layer.s.x(i, tuple(int(v) for v in np.unravel_index(u, g.size)))


def grad_y_at(layer: Layer, row: int) -> sp.Symbol:
    g = layer.geometry
    j, t = divmod(row, math.prod(g.out_size))
    return layer.s.grad_y(j, tuple(int(v) for v in np.unravel_index(t, g.out_size)))
