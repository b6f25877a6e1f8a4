"""A layer as its sheet shows it: its symbolic matrix, and which entries are written out."""

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
class ShownLayer:
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


def flat_index(size: tuple[int, ...], pos: tuple[int, ...]) -> int:
    """The position's place when positions are flattened row by row (as A orders them)."""
    return int(np.ravel_multi_index(pos, size))
