"""Sliding windows without padded grids: which output positions each kernel tap reaches.

A convolution reads a grid that is mostly zeros when it is padded (the forward pass) or
spread out by the stride and padded (∂L/∂Y in the backward pass). Neither grid is built
here: a :class:`Scan` says where the stored values sit in the grid, and
:func:`tap_windows` gives, for one kernel tap, the output positions whose window lands on a
stored value and which values those are, as strided slices. A convolution then costs one
multiply-add per nonzero of its matrix, however large the padding, stride or dilation.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from symhw.conv.shape import Axis, ConvGeometry, Sizes


@dataclass(frozen=True)
class Scan:
    """A cross-correlation over a grid of which only some positions hold values.

    Output t reads grid position ``axes[a].source(t, k)`` through tap k: the index rule of
    the layer doing the scan (:class:`~symhw.conv.shape.Axis`). The stored value with index q
    sits at grid position offset + q·step (per axis). The forward pass scans x in its own
    coordinates (offset 0, step 1; positions outside it are the padding); the backward pass
    scans Z with the backward layer (stride 1, no padding), where ∂L/∂Y_t sits at
    d(K-1) - p + s·t (offset d(K-1) - p, step s): the input position the forward pass reads
    through its last tap.
    """

    axes: tuple[Axis, ...]
    offset: Sizes
    step: Sizes
    stored: Sizes  # how many values each axis holds

    @property
    def out_size(self) -> Sizes:
        return tuple(ax.out_size for ax in self.axes)

    @property
    def kernel(self) -> Sizes:
        return tuple(ax.kernel for ax in self.axes)

    @staticmethod
    def forward(g: ConvGeometry) -> Scan:
        """x in its zero padding, scanned as the layer does."""
        return Scan(g.axes, (0,) * g.dims, (1,) * g.dims, g.size)

    @staticmethod
    def backward(g: ConvGeometry) -> Scan:
        """∂L/∂Y spread by the stride and padded (Z), scanned with stride 1 to give ∂L/∂x."""
        left = tuple(left for left, _ in g.backward_padding)
        return Scan(g.backward().axes, left, g.stride, g.out_size)

    def reads(self, position: Sizes, tap: Sizes) -> Sizes:
        """The grid position output ``position`` reads through ``tap``."""
        return tuple(ax.source(t, k) for ax, t, k in zip(self.axes, position, tap, strict=True))

    def positions(self, axis: int) -> np.ndarray:
        """Where the stored values sit in the grid along one axis."""
        return self.offset[axis] + self.step[axis] * np.arange(self.stored[axis])

    def stored_at(self, position: Sizes) -> Sizes | None:
        """The index of the stored value at a grid position, or None where the grid is 0.

        >>> from symhw.conv.shape import conv_geometry
        >>> scan = Scan.backward(conv_geometry(1, 1, 5, 3, stride=2))  # Z = 0 0 a 0 b 0 0
        >>> [scan.stored_at((z,)) for z in range(7)]
        [None, None, (0,), None, (1,), None, None]
        """
        found = []
        for z, off, st, n in zip(position, self.offset, self.step, self.stored, strict=True):
            q, rest = divmod(z - off, st)
            if rest or not 0 <= q < n:
                return None
            found.append(q)
        return tuple(found)


def axis_window(
    out_len: int, stride: int, shift: int, step: int, stored: int
) -> tuple[slice, slice] | None:
    """(output slice, stored slice) of one tap along one axis, or None if it reads no value.

    Output t reads grid position t·stride + shift, where the value with index q sits at
    q·step: t takes the part of an arithmetic progression for which q is a whole number in
    range.

    >>> axis_window(4, 1, -1, 1, 4)  # shift -1: padding 1, first tap
    (slice(1, 4, 1), slice(0, 3, 1))
    >>> axis_window(5, 1, -2, 2, 2)  # values at grid positions 2 and 4 (offset 2, step 2)
    (slice(2, 5, 2), slice(0, 2, 1))
    """
    g = math.gcd(stride, step)
    if shift % g:
        return None
    a, b = stride // g, step // g
    t0 = (-shift // g) * pow(a, -1, b) % b if b > 1 else 0  # t·stride + shift ≡ 0 (mod step)
    q0 = (t0 * stride + shift) // step
    lo = -(q0 // a) if q0 < 0 else 0  # the first i with q0 + a·i >= 0
    hi = min((out_len - 1 - t0) // b, (stored - 1 - q0) // a)
    if hi < lo:
        return None
    count = hi - lo + 1
    t, q = t0 + b * lo, q0 + a * lo
    return slice(t, t + b * (count - 1) + 1, b), slice(q, q + a * (count - 1) + 1, a)


def tap_windows(scan: Scan) -> list[tuple[int, tuple[slice, ...], tuple[slice, ...]]]:
    """(flat tap index, output slices, stored slices) of every tap that reads a value."""
    per_axis = [
        [  # output t reads ax.source(t, k) = t·stride + ax.source(0, k), minus the offset
            axis_window(ax.out_size, ax.stride, ax.source(0, k) - off, st, n)
            for k in range(ax.kernel)
        ]
        for ax, off, st, n in zip(scan.axes, scan.offset, scan.step, scan.stored, strict=True)
    ]
    found = []
    for q, tap in enumerate(np.ndindex(*scan.kernel)):
        axes = [per_axis[a][k] for a, k in enumerate(tap)]
        if all(w is not None for w in axes):
            found.append((q, tuple(w[0] for w in axes), tuple(w[1] for w in axes)))
    return found


def counts(slices: tuple[slice, ...]) -> tuple[int, ...]:
    """How many positions each slice of a window holds."""
    return tuple(len(range(s.start, s.stop, s.step)) for s in slices)


#: Entries of a tap's window multiplied at once (bounds the work arrays: ~8 MB of floats).
CHUNK = 1 << 20


def pieces(
    out: tuple[slice, ...], src: tuple[slice, ...], channels: int
) -> list[tuple[tuple[slice, ...], tuple[slice, ...]]]:
    """A tap's (output, stored) window cut along its first axis into pieces of about
    CHUNK entries over ``channels`` channels."""
    sizes = counts(out)
    rows = max(1, CHUNK // max(1, channels * math.prod(sizes[1:])))
    found = []
    for first in range(0, sizes[0], rows):
        last = min(sizes[0], first + rows)
        cut = [
            slice(s.start + first * s.step, s.start + (last - 1) * s.step + 1, s.step)
            for s in (out[0], src[0])
        ]
        found.append(((cut[0], *out[1:]), (cut[1], *src[1:])))
    return found


def scan_correlate(weights: np.ndarray, values: np.ndarray, scan: Scan, groups: int) -> np.ndarray:
    """Σ over taps of the weights times the values each tap's window reads: [out][positions].

    ``weights`` is [out][in / groups][taps...], ``values`` [in][stored...]; each tap is one
    (batched over groups) matrix product over the positions it reaches.
    """
    c_out, ci = weights.shape[0], weights.shape[1]
    co = c_out // groups
    dtype = np.result_type(weights, values)
    w = weights.reshape(groups, co, ci, -1).astype(dtype, copy=False)
    v = values.reshape(groups, ci, *values.shape[1:])
    y = np.zeros((groups, co, *scan.out_size), dtype=dtype)
    for q, window, reads in tap_windows(scan):
        for out, src in pieces(window, reads, groups * max(ci, co)):
            read = v[(slice(None), slice(None), *src)].reshape(groups, ci, -1)
            part = np.matmul(w[..., q], read).reshape(groups, co, *counts(out))
            y[(slice(None), slice(None), *out)] += part
    return y.reshape(c_out, *scan.out_size)


def scan_correlate_transpose(
    weights: np.ndarray, grad: np.ndarray, scan: Scan, groups: int
) -> np.ndarray:
    """The adjoint of :func:`scan_correlate`: each tap's Wᵀ g added back onto what it read."""
    c_out, ci = weights.shape[0], weights.shape[1]
    co = c_out // groups
    dtype = np.result_type(weights, grad)
    w = weights.reshape(groups, co, ci, -1).astype(dtype, copy=False)
    gg = grad.reshape(groups, co, *scan.out_size)
    out = np.zeros((groups, ci, *scan.stored), dtype=dtype)
    for q, window, reads in tap_windows(scan):
        for tout, src in pieces(window, reads, groups * max(ci, co)):
            read = gg[(slice(None), slice(None), *tout)].reshape(groups, co, -1)
            share = np.matmul(w[..., q].swapaxes(1, 2), read).reshape(groups, ci, *counts(src))
            out[(slice(None), slice(None), *src)] += share
    return out.reshape(groups * ci, *scan.stored)
