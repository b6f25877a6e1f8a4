"""Convolution (cross-correlation) as a structured matrix Y = A x: index map and numeric apply.

Rows of A are ordered (output channel j, output position t), columns (input channel i, input
position t'); positions of a 2-D map are flattened row by row. A is never stored densely:
:class:`ConvIndexMap` records, for each kernel tap, which (t, t') pairs it occupies, which is
the same for every pair of connected channels. Numbers are computed in convolution form
(sliding windows), the matrix is kept for display and proof. The layer's shape
(:class:`ConvGeometry`, :func:`conv_geometry`) lives in :mod:`symhw.conv.shape`.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from symhw.conv.shape import AXIS_NAMES, ConvGeometry, Sizes, conv_geometry
from symhw.errors import InputError


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
    def tap_pairs(self) -> tuple[tuple[np.ndarray, np.ndarray], ...]:
        """For each tap q (kernel positions in row-major order): flat (t, t') arrays."""
        g = self.geometry
        pairs = []
        for tap in np.ndindex(*g.kernel):
            outs, ins = [], []
            for k, n, s, p, d, m in zip(
                tap, g.size, g.stride, g.padding, g.dilation, g.out_size, strict=True
            ):
                lo = max(0, -((k * d - p) // s))  # first t with t s + k d - p >= 0
                hi = min(m, (n - 1 + p - k * d) // s + 1)  # one past the last inside
                t = np.arange(lo, max(lo, hi))
                outs.append(t)
                ins.append(t * s + k * d - p)
            out_flat = np.ravel_multi_index(np.ix_(*outs), g.out_size).ravel()
            in_flat = np.ravel_multi_index(np.ix_(*ins), g.size).ravel()
            pairs.append((out_flat.astype(np.int64), in_flat.astype(np.int64)))
        return tuple(pairs)

    def block_pattern(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(t, t', tap) of every nonzero of one channel block."""
        t = np.concatenate([o for o, _ in self.tap_pairs])
        u = np.concatenate([i for _, i in self.tap_pairs]).astype(np.int64)
        q = np.repeat(np.arange(len(self.tap_pairs)), [len(o) for o, _ in self.tap_pairs])
        return t, u, q

    @property
    def nnz(self) -> int:
        g = self.geometry
        return g.out_channels * g.in_per_group * sum(len(o) for o, _ in self.tap_pairs)

    def triplets(self, transpose: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(row, column, flat weight index) of every nonzero of A (of Aᵀ if ``transpose``)."""
        g = self.geometry
        t, u, q = self.block_pattern()
        big = max(*g.matrix_shape, math.prod(g.weight_shape)) >= 2**31
        dtype = np.int64 if big else np.int32
        j = np.repeat(np.arange(g.out_channels, dtype=dtype), g.in_per_group)
        local = np.tile(np.arange(g.in_per_group, dtype=dtype), g.out_channels)
        i = (j // g.out_per_group) * g.in_per_group + local
        rows = (j[:, None] * math.prod(g.out_size) + t.astype(dtype)[None, :]).ravel()
        cols = (i[:, None] * math.prod(g.size) + u.astype(dtype)[None, :]).ravel()
        weight = ((j * g.in_per_group + local)[:, None] * g.taps + q.astype(dtype)[None, :]).ravel()
        return (cols, rows, weight) if transpose else (rows, cols, weight)

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
        tap = []
        for a in range(g.dims):
            offset = int(us[a]) - int(ts[a]) * g.stride[a] + g.padding[a]
            k, rest = divmod(offset, g.dilation[a])
            if offset < 0 or rest or k >= g.kernel[a]:
                return None
            tap.append(k)
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
        """A v (Aᵀ v) from the scattered triplets, for float data of any size."""
        w = np.asarray(weights, dtype=float).reshape(-1)
        rows, cols, idx = self.triplets(transpose)
        n = self.geometry.matrix_shape[1 if transpose else 0]
        vals = w[idx] * np.asarray(v, dtype=float).reshape(-1)[cols]
        return np.bincount(rows, weights=vals, minlength=n)


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


def _window(g: ConvGeometry, tap: Sizes) -> tuple[slice, ...]:
    """The positions of the padded input that tap ``tap`` reads, for every output position."""
    return tuple(
        slice(k * d, k * d + s * (m - 1) + 1, s)
        for k, d, s, m in zip(tap, g.dilation, g.stride, g.out_size, strict=True)
    )


_SCRATCH = threading.local()


def _scratch(name: str, shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
    """A zero-initialised work array kept between calls of the same shape (numbers only).

    Allocating and freeing arrays of a few MB on every call costs more in page faults than
    the arithmetic; reusing them keeps the operator within reach of torch's allocator.
    """
    if dtype.kind == "O":  # exact numbers and symbols: a fresh array each time
        return np.zeros(shape, dtype)
    arrays = _SCRATCH.__dict__.setdefault("arrays", {})
    key = (name, shape, dtype.str)
    if key not in arrays:
        if len(arrays) > 16:
            arrays.clear()
        arrays[key] = np.zeros(shape, dtype)
    return arrays[key]


def _pad(x: np.ndarray, padding: Sizes) -> np.ndarray:
    """x inside a border of zeros (a scratch array: its border is never written)."""
    inner = tuple(slice(p, p + n) for n, p in zip(x.shape[1:], padding, strict=True))
    if not any(padding):
        return x
    shape = (x.shape[0], *(n + 2 * p for n, p in zip(x.shape[1:], padding, strict=True)))
    out = _scratch(f"padded {x.shape} by {padding}", shape, x.dtype)  # same border each call
    out[(slice(None), *inner)] = x
    return out


def correlate(weights: Any, x: Any, g: ConvGeometry) -> np.ndarray:
    """Y = A x in convolution form: the windows each tap reads, times the weights (one GEMM).

    Works for floats, exact Fractions and SymPy symbols (object arrays) alike.

    >>> correlate([[[1, 2, 3]]], [[1, 0, 0, 1]], conv_geometry(1, 1, 4, 3)).tolist()
    [[1, 3]]
    """
    w = check_shape(weights, g.weight_shape, "weights")
    xs = check_shape(x, (g.in_channels, *g.size), "x")
    dtype = np.result_type(w, xs)
    xp = _pad(xs.astype(dtype, copy=False), g.padding)
    y = np.empty((g.out_channels, math.prod(g.out_size)), dtype=dtype)
    ci, co = g.in_per_group, g.out_per_group
    # im2col: row (i, tap) holds what that tap reads of channel i at every output position
    cols = _scratch("columns", (ci, g.taps, *g.out_size), dtype)
    for grp in range(g.groups):
        xg = xp[grp * ci : (grp + 1) * ci]
        for q, tap in enumerate(np.ndindex(*g.kernel)):
            cols[:, q] = xg[(slice(None), *_window(g, tap))]
        wg = w[grp * co : (grp + 1) * co].reshape(co, ci * g.taps).astype(dtype, copy=False)
        np.matmul(wg, cols.reshape(ci * g.taps, -1), out=y[grp * co : (grp + 1) * co])
    return y.reshape(g.out_channels, *g.out_size)


def correlate_transpose(weights: Any, grad_y: Any, g: ConvGeometry) -> np.ndarray:
    """Aᵀ ∂L/∂Y in convolution form: Wᵀ ∂L/∂Y, each tap's share added back onto its window."""
    w = check_shape(weights, g.weight_shape, "weights")
    gy = check_shape(grad_y, (g.out_channels, *g.out_size), "grad_y")
    dtype = np.result_type(w, gy)
    padded = tuple(n + 2 * p for n, p in zip(g.size, g.padding, strict=True))
    gx = _scratch("gradient", (g.in_channels, *padded), dtype)
    gx[...] = 0
    ci, co = g.in_per_group, g.out_per_group
    shares = _scratch("shares", (ci, g.taps, *g.out_size), dtype)
    for grp in range(g.groups):
        wg = w[grp * co : (grp + 1) * co].reshape(co, ci * g.taps).astype(dtype, copy=False)
        gg = gy[grp * co : (grp + 1) * co].reshape(co, -1).astype(dtype, copy=False)
        # col2im: row (i, tap) of Wᵀ g is added back onto the window that tap read
        np.matmul(wg.T, gg, out=shares.reshape(ci * g.taps, -1))
        xg = gx[grp * ci : (grp + 1) * ci]
        for q, tap in enumerate(np.ndindex(*g.kernel)):
            xg[(slice(None), *_window(g, tap))] += shares[:, q]
    inner = tuple(slice(p, p + n) for n, p in zip(g.size, g.padding, strict=True))
    return gx[(slice(None), *inner)].copy()


def dilate_and_pad(grad_y: Any, g: ConvGeometry) -> np.ndarray:
    """∂L/∂Y with s - 1 zeros between entries and :attr:`~ConvGeometry.backward_padding` around.

    >>> dilate_and_pad([[1, 2]], conv_geometry(1, 1, 4, 3)).tolist()
    [[0, 0, 1, 2, 0, 0]]
    """
    gy = check_shape(grad_y, (g.out_channels, *g.out_size), "grad_y")
    size = g.backward().size
    z = np.zeros((g.out_channels, *size), dtype=gy.dtype)
    src, dst = [slice(None)], [slice(None)]
    for (left, _), s, m, n in zip(g.backward_padding, g.stride, g.out_size, size, strict=True):
        pos = left + s * np.arange(m)
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
    """∂L/∂x as a convolution: the dilated, padded ∂L/∂Y correlated with the flipped kernels."""
    return correlate(flip_kernels(weights, g), dilate_and_pad(grad_y, g), g.backward())


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
