"""The symbols of a convolution layer (w_k^ij, x_it, Y_jt, ∂L/∂Y_jt) and A in SymPy."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from functools import cached_property

import numpy as np
import sympy as sp

from symhw.conv import ConvGeometry, ConvIndexMap, flip_kernels
from symhw.notation import GradientEntry, indexed_symbol

LOSS = sp.Symbol("L")


def _joined(indices: tuple[int, ...], comma: bool) -> str:
    return ("," if comma else "").join(str(v) for v in indices)


@dataclass(frozen=True)
class ConvSymbols:
    """How the entries of one layer are named (indices 1-based, as on a sheet), in SymPy's
    grammar (:func:`~symhw.notation.indexed_symbol`).

    Indices are written side by side (``w_1^12``, ``x_23``) while every one has a single
    digit in 1-D, and with commas otherwise (``x_1,12``, ``x_1,2,3``).

    >>> s = ConvSymbols(ConvGeometry(2, 2, (4,), (3,), (1,), (0,), (1,)))
    >>> s.weight(0, 1, (2,)), s.x(1, (3,)), s.grad_y(0, (1,))
    (w_3^21, x_24, dL/dY_12)
    """

    geometry: ConvGeometry

    def _comma(self, channels: int, size: tuple[int, ...]) -> bool:
        return len(size) > 1 or max(channels, *size) > 9

    def channel_pair(self, i: int, j: int) -> str:
        """The index ij of w^ij, A^ij and v^ij for input channel i and output channel j
        (0-based), with a comma when the layer has more than nine channels.

        >>> ConvSymbols(ConvGeometry(2, 12, (4,), (3,), (1,), (0,), (1,))).channel_pair(0, 11)
        '1,12'
        """
        g = self.geometry
        return _joined((i + 1, j + 1), max(g.in_channels, g.out_channels) > 9)

    def weight(self, j: int, local: int, tap: tuple[int, ...]) -> sp.Symbol:
        """w_k^ij: output channel j, input ``local`` of j's group, kernel position ``tap``."""
        g = self.geometry
        i = (j // g.out_per_group) * g.in_per_group + local
        taps = _joined(tuple(k + 1 for k in tap), True)
        return indexed_symbol("w", taps, self.channel_pair(i, j))

    def weight_flat(self, index: int) -> sp.Symbol:
        g = self.geometry
        j, local, *tap = np.unravel_index(index, g.weight_shape)
        return self.weight(int(j), int(local), tuple(int(k) for k in tap))

    def _signal(self, letter: str, channel: int, pos: tuple[int, ...], channels, size):
        sub = _joined((channel + 1, *(p + 1 for p in pos)), self._comma(channels, size))
        return indexed_symbol(letter, sub)

    def x(self, i: int, pos: tuple[int, ...]) -> sp.Symbol:
        g = self.geometry
        return self._signal("x", i, pos, g.in_channels, g.size)

    def y(self, j: int, pos: tuple[int, ...]) -> sp.Symbol:
        g = self.geometry
        return self._signal("Y", j, pos, g.out_channels, g.out_size)

    def grad_y(self, j: int, pos: tuple[int, ...]) -> GradientEntry:
        return GradientEntry(LOSS, self.y(j, pos))

    def grad_x(self, i: int, pos: tuple[int, ...]) -> GradientEntry:
        return GradientEntry(LOSS, self.x(i, pos))

    def x_flat(self, col: int) -> sp.Symbol:
        """The entry of x that column ``col`` of A multiplies."""
        g = self.geometry
        i, u = divmod(int(col), math.prod(g.size))
        return self.x(i, tuple(int(v) for v in np.unravel_index(u, g.size)))

    def grad_y_flat(self, row: int) -> GradientEntry:
        """The entry of ∂L/∂Y that column ``row`` of Aᵀ multiplies."""
        g = self.geometry
        j, t = divmod(int(row), math.prod(g.out_size))
        return self.grad_y(j, tuple(int(v) for v in np.unravel_index(t, g.out_size)))

    def kernel(self, j: int, local: int) -> np.ndarray:
        """The kernel w^ij of output j and input ``local`` of its group, as symbols."""
        k = np.empty(self.geometry.kernel, dtype=object)
        for tap in np.ndindex(*k.shape):
            k[tap] = self.weight(j, local, tap)
        return k

    def flipped_kernel(self, i: int, jl: int) -> np.ndarray:
        """v^ij of the backward convolution, for input channel i and the ``jl``-th output
        channel j of i's group: w^ij reversed along every axis.

        >>> ConvSymbols(ConvGeometry(1, 1, (4,), (3,), (1,), (0,), (1,))).flipped_kernel(0, 0)
        array([w_3^11, w_2^11, w_1^11], dtype=object)
        """
        g = self.geometry
        j = i // g.in_per_group * g.out_per_group + jl
        return np.flip(self.kernel(j, i % g.in_per_group))

    def weight_names(self, indices: np.ndarray) -> np.ndarray:
        """The names (``w_1^11``, ``w_1,2^1,12``) of the weights with these flat indices, as
        :meth:`weight` names them, built as text: no symbol is made.

        >>> s = ConvSymbols(ConvGeometry(2, 12, (4,), (3,), (1,), (0,), (1,)))
        >>> s.weight_names(np.array([0, 71])).tolist()
        ['w_1^1,1', 'w_3^2,12']
        """
        g = self.geometry
        pair, tap = np.divmod(np.asarray(indices, dtype=np.int64).reshape(-1), g.taps)
        taps = {
            q: _joined(tuple(int(k) + 1 for k in np.unravel_index(q, g.kernel)), True)
            for q in set(tap.tolist())  # not np.unique: it imports numpy.ma (8 ms)
        }
        channels = {}
        for p in set(pair.tolist()):
            j, local = divmod(p, g.in_per_group)
            channels[p] = self.channel_pair((j // g.out_per_group) * g.in_per_group + local, j)
        names = [
            f"w_{taps[q]}^{channels[p]}" for p, q in zip(pair.tolist(), tap.tolist(), strict=True)
        ]
        return np.array(names, dtype=object).reshape(np.shape(indices))

    def weights(self) -> np.ndarray:
        """Every weight symbol, in PyTorch layout [out][in / groups][taps...]."""
        g = self.geometry
        w = np.empty(g.weight_shape, dtype=object)
        for j, local, *tap in np.ndindex(*g.weight_shape):
            w[(j, local, *tap)] = self.weight(j, local, tuple(tap))
        return w

    def array(self, name: str) -> np.ndarray:
        """All of x, y, grad_y or grad_x as an object array [channel][positions...]."""
        g = self.geometry
        f = getattr(self, name)
        channels, size = (
            (g.in_channels, g.size) if name in ("x", "grad_x") else (g.out_channels, g.out_size)
        )
        out = np.empty((channels, *size), dtype=object)
        for c, *pos in np.ndindex(*out.shape):
            out[(c, *pos)] = f(c, tuple(pos))
        return out


def column(values: np.ndarray) -> sp.ImmutableMatrix:
    """A tensor flattened in row-major order into a column (the vector A acts on)."""
    return sp.ImmutableMatrix(values.reshape(-1).tolist())


@dataclass(frozen=True)
class SymbolicConvMatrix:
    """A (or Aᵀ) with a symbol per weight, stored as the index map: entries on demand.

    >>> from symhw.conv import conv_geometry
    >>> a = SymbolicConvMatrix(ConvIndexMap(conv_geometry(1, 1, 3, 2)))
    >>> a.explicit()
    Matrix([
    [w_1^11, w_2^11,      0],
    [     0, w_1^11, w_2^11]])
    >>> a.T.entry(1, 0)
    w_2^11
    """

    index_map: ConvIndexMap
    transposed: bool = False

    @cached_property
    def symbols(self) -> ConvSymbols:
        return ConvSymbols(self.index_map.geometry)

    @property
    def T(self) -> SymbolicConvMatrix:
        return replace(self, transposed=not self.transposed)

    @property
    def shape(self) -> tuple[int, int]:
        rows, cols = self.index_map.geometry.matrix_shape
        return (cols, rows) if self.transposed else (rows, cols)

    def entry(self, row: int, col: int) -> sp.Expr:
        if self.transposed:
            row, col = col, row
        index = self.index_map.weight_at(row, col)
        return sp.Integer(0) if index is None else self.symbols.weight_flat(index)

    def explicit(self) -> sp.ImmutableMatrix:
        """Every entry, filled from the index map (for matrices small enough to show)."""
        rows, cols = self.shape
        flat: list[sp.Expr] = [sp.Integer(0)] * (rows * cols)
        weights = self.symbols.weights().reshape(-1)
        for r, c, w in zip(*self.index_map.triplets(self.transposed), strict=True):
            flat[int(r) * cols + int(c)] = weights[w]
        return sp.ImmutableMatrix(rows, cols, flat)

    def block(self, out_channel: int, in_channel: int) -> sp.ImmutableMatrix:
        """Block (j, i): how input channel i feeds output channel j (Toeplitz in 1-D)."""
        g = self.index_map.geometry
        m, n = math.prod(g.out_size), math.prod(g.size)
        return sp.ImmutableMatrix(
            m, n, lambda t, u: self.entry(out_channel * m + t, in_channel * n + u)
        )


@dataclass(frozen=True)
class BackwardKernels:
    """The kernels v^ij of the backward convolution as a table [in i][out j][taps...]: which
    weight of A each entry is (its flat index in PyTorch layout), −1 where channels i and j
    are in different groups (v^ij is 0 there).

    >>> from symhw.conv import conv_geometry
    >>> BackwardKernels(ConvSymbols(conv_geometry(2, 2, 4, 3, groups=2))).indices().tolist()
    [[[2, 1, 0], [-1, -1, -1]], [[-1, -1, -1], [5, 4, 3]]]
    """

    symbols: ConvSymbols

    @property
    def shape(self) -> tuple[int, ...]:
        g = self.symbols.geometry
        return (g.in_channels, g.out_channels, *g.kernel)

    def indices(self) -> np.ndarray:
        """The table of flat weight indices (for tables small enough to write out)."""
        g = self.symbols.geometry
        flat = np.arange(math.prod(g.weight_shape), dtype=np.int64).reshape(g.weight_shape)
        v = flip_kernels(flat, g)  # [in][out of its group][taps]
        table = np.full(self.shape, -1, dtype=np.int64)
        for grp in range(g.groups):
            ins = slice(grp * g.in_per_group, (grp + 1) * g.in_per_group)
            table[ins, grp * g.out_per_group : (grp + 1) * g.out_per_group] = v[ins]
        return table
