"""Convolution (cross-correlation) as a structured matrix Y = A x: index map and numeric apply.

Rows of A are ordered (output channel j, output position t), columns (input channel i, input
position t'); positions of a 2-D map are flattened row by row. A is never stored densely:
:class:`ConvIndexMap` records, for each kernel tap, which (t, t') pairs it occupies, which is
the same for every pair of connected channels. Numbers are computed in convolution form
(sliding windows), the matrix is kept for display and proof. The layer's shape
(:class:`ConvGeometry`, :func:`conv_geometry`) lives in :mod:`symhw.conv.shape`.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from symhw.conv.shape import AXIS_NAMES, ConvGeometry, Sizes, conv_geometry
from symhw.conv.windows import Scan, scan_correlate, scan_correlate_transpose
from symhw.errors import InputError

#: Nonzeros of A expanded at once when it is applied (bounds the work arrays: ~40 MB).
CHUNK = 1 << 20


def _index_type(largest: int) -> np.dtype:
    return np.dtype(np.int32 if largest < 2**31 else np.int64)


@dataclass(frozen=True)
class ConvIndexMap:
    """Where each weight sits in A: ``A[row, col] = weights.flat[w]`` for each triplet.

    Tap q (a kernel position) occupies the same (t, t') pairs in every channel block, so the
    map stores only those pairs, once per tap; :meth:`triplets` expands them for all channels.
    Aᵀ is the same map with rows and columns exchanged.

    >>> m = ConvIndexMap(conv_geometry(1, 1, 4, 3))
    >>> [a.tolist() for a in m.triplets()]
    [[0, 1, 0, 1, 0, 1], [0, 1, 1, 2, 2, 3], [0, 0, 1, 1, 2, 2]]
    """

    geometry: ConvGeometry

    @cached_property
    def _pattern(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(t, t') of one channel block's nonzeros, tap after tap, and where each tap starts."""
        g = self.geometry
        per_tap = []
        for tap in np.ndindex(*g.kernel):
            ranges = [ax.outputs(k) for ax, k in zip(g.axes, tap, strict=True)]
            outs = [np.arange(r.start, r.stop) for r in ranges]
            ins = [ax.source(t, k) for ax, t, k in zip(g.axes, outs, tap, strict=True)]
            per_tap.append((outs, ins))
        counts = [math.prod(len(t) for t in outs) for outs, _ in per_tap]
        starts = np.concatenate([[0], np.cumsum(counts, dtype=np.int64)])
        dtype = _index_type(max(*g.matrix_shape))
        t_all, u_all = np.empty(starts[-1], dtype), np.empty(starts[-1], dtype)
        for (outs, ins), (a, b) in zip(per_tap, itertools.pairwise(starts), strict=True):
            t_all[a:b] = np.ravel_multi_index(np.ix_(*outs), g.out_size).ravel()
            u_all[a:b] = np.ravel_multi_index(np.ix_(*ins), g.size).ravel()
        return t_all, u_all, starts

    @property
    def tap_pairs(self) -> tuple[tuple[np.ndarray, np.ndarray], ...]:
        """For each tap q (kernel positions in row-major order): flat (t, t') arrays (views)."""
        t, u, starts = self._pattern
        return tuple((t[a:b], u[a:b]) for a, b in itertools.pairwise(starts))

    def block_pattern(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(t, t', tap) of every nonzero of one channel block."""
        t, u, starts = self._pattern
        q = np.repeat(np.arange(len(starts) - 1, dtype=np.int32), np.diff(starts))
        return t, u, q

    @property
    def block_nnz(self) -> int:
        """Nonzeros of one channel block (every connected pair has the same)."""
        return int(self._pattern[2][-1])

    @property
    def nnz(self) -> int:
        """Nonzeros of A."""
        g = self.geometry
        return g.out_channels * g.in_per_group * self.block_nnz

    def chunks(
        self, transpose: bool = False, size: int = CHUNK
    ) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """(row, column, flat weight index) of the nonzeros of A (of Aᵀ if ``transpose``),
        about ``size`` at a time: channel pair after channel pair, each block in tap order."""
        g = self.geometry
        t, u, starts = self._pattern
        dtype = _index_type(max(*g.matrix_shape, math.prod(g.weight_shape)))
        t, u = t.astype(dtype, copy=False), u.astype(dtype, copy=False)
        m, n = math.prod(g.out_size), math.prod(g.size)
        pairs, block = g.out_channels * g.in_per_group, len(t)
        per = max(1, size // max(1, block))
        for first in range(0, pairs, per):
            p = np.arange(first, min(pairs, first + per), dtype=dtype)
            j, local = np.divmod(p, dtype.type(g.in_per_group))
            i = (j // g.out_per_group) * g.in_per_group + local
            for a in range(0, block, size):
                b = min(block, a + size)
                q = (np.searchsorted(starts, np.arange(a, b), side="right") - 1).astype(dtype)
                rows = (j[:, None] * m + t[None, a:b]).ravel()
                cols = (i[:, None] * n + u[None, a:b]).ravel()
                weight = (p[:, None] * g.taps + q[None, :]).ravel()
                yield (cols, rows, weight) if transpose else (rows, cols, weight)

    def triplets(self, transpose: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(row, column, flat weight index) of every nonzero of A (of Aᵀ if ``transpose``)."""
        g = self.geometry
        empty = np.zeros(0, _index_type(max(*g.matrix_shape, math.prod(g.weight_shape))))
        parts = [(empty, empty, empty), *self.chunks(transpose, size=max(1, self.nnz))]
        rows, cols, weight = (np.concatenate([c[k] for c in parts]) for k in range(3))
        return rows, cols, weight

    def weight_at(self, row: int, col: int) -> int | None:
        """The flat weight index at A[row, col], or None where A is 0."""
        g = self.geometry
        row, col = int(row), int(col)
        j, t = divmod(row, math.prod(g.out_size))
        i, u = divmod(col, math.prod(g.size))
        if not g.connected(i, j):
            return None
        ts = np.unravel_index(t, g.out_size)
        us = np.unravel_index(u, g.size)
        tap = [ax.tap(int(a), int(b)) for ax, a, b in zip(g.axes, ts, us, strict=True)]
        if None in tap:
            return None
        q = int(np.ravel_multi_index(tuple(tap), g.kernel))
        return (j * g.in_per_group + i % g.in_per_group) * g.taps + q

    def nonzeros(self, index: int, transpose: bool = False) -> list[tuple[int, int]]:
        """(column, flat weight index) of each nonzero in one row of A (of Aᵀ if ``transpose``).

        >>> ConvIndexMap(conv_geometry(1, 1, 4, 3)).nonzeros(1, transpose=True)
        [(0, 1), (1, 0)]
        """
        g = self.geometry
        m, n = math.prod(g.out_size), math.prod(g.size)
        channel, pos = divmod(int(index), n if transpose else m)
        if transpose:  # input channel i: every output channel of its group
            first = channel // g.in_per_group * g.out_per_group
            pairs = [(j, channel % g.in_per_group) for j in range(first, first + g.out_per_group)]
        else:
            first = channel // g.out_per_group * g.in_per_group
            pairs = [(channel, i - first) for i in range(first, first + g.in_per_group)]
        found = []
        for q, (outs, ins) in enumerate(self.tap_pairs):
            here, there = (ins, outs) if transpose else (outs, ins)
            k = int(np.searchsorted(here, pos))  # both are increasing
            if k < len(here) and here[k] == pos:
                for j, local in pairs:
                    col = (
                        j * m + int(there[k]) if transpose else (first + local) * n + int(there[k])
                    )
                    found.append((col, (j * g.in_per_group + local) * g.taps + q))
        return sorted(found)

    def dense(self, weights: Any) -> np.ndarray:
        """A as a dense array, filled by scattering the weights (for small layers)."""
        w = check_shape(weights, self.geometry.weight_shape, "weights")
        rows, cols, idx = self.triplets()
        a = np.zeros(self.geometry.matrix_shape, dtype=w.dtype)
        a[rows, cols] = w.reshape(-1)[idx]
        return a

    def matvec(self, weights: Any, v: Any, transpose: bool = False) -> np.ndarray:
        """A v (Aᵀ v) from the scattered triplets, a chunk at a time, for float data of any size."""
        w = np.asarray(weights, dtype=float).reshape(-1)
        vs = np.asarray(v, dtype=float).reshape(-1)
        n = self.geometry.matrix_shape[1 if transpose else 0]
        out = np.zeros(n)
        for rows, cols, idx in self.chunks(transpose):
            if len(rows):
                lo, hi = int(rows.min()), int(rows.max()) + 1
                out[lo:hi] += np.bincount(rows - lo, weights=w[idx] * vs[cols], minlength=hi - lo)
        return out


def check_shape(value: Any, shape: Sizes, field: str, problem: str | None = None) -> np.ndarray:
    """``value`` as an array of the given shape, or an InputError that names both shapes."""
    arr = np.asarray(value, dtype=object if _has_objects(value) else None)
    if arr.shape != tuple(shape):
        found = "".join(f"[{n}]" for n in arr.shape) or "a single number"
        raise InputError(
            f"has shape {found} but this layer needs {''.join(f'[{n}]' for n in shape)}",
            problem=problem,
            field=field,
        )
    return arr


def _has_objects(value: Any) -> bool:
    return isinstance(value, np.ndarray) and value.dtype == object


def correlate(weights: Any, x: Any, g: ConvGeometry) -> np.ndarray:
    """Y = A x in convolution form: for each tap, the weights times the window it reads.

    Works for floats, exact numbers and SymPy symbols (object arrays) alike; the zero
    padding is never built (see :mod:`symhw.conv.windows`).

    >>> correlate([[[1, 2, 3]]], [[1, 0, 0, 1]], conv_geometry(1, 1, 4, 3)).tolist()
    [[1, 3]]
    """
    w = check_shape(weights, g.weight_shape, "weights")
    xs = check_shape(x, (g.in_channels, *g.size), "x")
    return scan_correlate(w, xs, Scan.forward(g), g.groups)


def correlate_transpose(weights: Any, grad_y: Any, g: ConvGeometry) -> np.ndarray:
    """Aᵀ ∂L/∂Y in convolution form: each tap's share Wᵀ ∂L/∂Y added back onto its window."""
    w = check_shape(weights, g.weight_shape, "weights")
    gy = check_shape(grad_y, (g.out_channels, *g.out_size), "grad_y")
    return scan_correlate_transpose(w, gy, Scan.forward(g), g.groups)


def dilate_and_pad(grad_y: Any, g: ConvGeometry) -> np.ndarray:
    """∂L/∂Y with s - 1 zeros between entries and :attr:`~ConvGeometry.backward_padding` around.

    >>> dilate_and_pad([[1, 2]], conv_geometry(1, 1, 4, 3)).tolist()
    [[0, 0, 1, 2, 0, 0]]
    """
    gy = check_shape(grad_y, (g.out_channels, *g.out_size), "grad_y")
    size, scan = g.backward().size, Scan.backward(g)
    z = np.zeros((g.out_channels, *size), dtype=gy.dtype)
    src, dst = [slice(None)], [slice(None)]
    for axis, n in enumerate(size):
        pos = scan.positions(axis)
        keep = (pos >= 0) & (pos < n)
        src.append(np.flatnonzero(keep))
        dst.append(pos[keep])
    z[np.ix_(np.arange(g.out_channels), *dst[1:])] = gy[np.ix_(np.arange(g.out_channels), *src[1:])]
    return z


def flip_kernels(weights: Any, g: ConvGeometry) -> np.ndarray:
    """The backward kernels: v[i][j] is w[j][i] reversed along every axis (channels swapped).

    >>> flip_kernels([[[1, 2, 3]]], conv_geometry(1, 1, 4, 3)).tolist()
    [[[3, 2, 1]]]
    """
    w = check_shape(weights, g.weight_shape, "weights")
    flipped = w[(slice(None), slice(None), *(slice(None, None, -1),) * g.dims)]
    ci, co = g.in_per_group, g.out_per_group
    v = np.empty((g.in_channels, co, *g.kernel), dtype=w.dtype)
    for grp in range(g.groups):
        v[grp * ci : (grp + 1) * ci] = flipped[grp * co : (grp + 1) * co].swapaxes(0, 1)
    return v


def backward_as_convolution(weights: Any, grad_y: Any, g: ConvGeometry) -> np.ndarray:
    """∂L/∂x as a convolution: the spread, padded ∂L/∂Y (Z) correlated with the flipped
    kernels, with stride 1. Z is not built: each tap reads only the entries that hold ∂L/∂Y.

    >>> backward_as_convolution([[[1, 2, 3]]], [[1, 10]], conv_geometry(1, 1, 4, 3)).tolist()
    [[1, 12, 23, 30]]
    """
    gy = check_shape(grad_y, (g.out_channels, *g.out_size), "grad_y")
    return scan_correlate(flip_kernels(weights, g), gy, Scan.backward(g), g.groups)


__all__ = [
    "AXIS_NAMES",
    "ConvGeometry",
    "ConvIndexMap",
    "backward_as_convolution",
    "check_shape",
    "conv_geometry",
    "correlate",
    "correlate_transpose",
    "dilate_and_pad",
    "flip_kernels",
]
