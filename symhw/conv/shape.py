"""The shape of a convolution layer: sizes per axis, the output size, the index rule (which
input position each output reads through each tap, and its inverse), validation."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from symhw.errors import InputError, quote

Sizes = tuple[int, ...]

#: Names of the spatial axes (and of the problem fields that give their sizes).
AXIS_NAMES = {1: ("length",), 2: ("height", "width")}


@dataclass(frozen=True)
class Axis:
    """One spatial axis of a layer, and the index rule along it: output t reads input
    position :meth:`source` ``(t, k) = t·s + k·d − p`` through tap k (a position outside
    0 … n − 1 is the zero padding). Every other question about positions is this rule or
    its inverse.

    >>> ax = Axis(size=4, kernel=3, stride=1, padding=1, dilation=1, out_size=4)
    >>> ax.source(0, 0), list(ax.outputs(0)), list(ax.taps(0)), ax.readers(0)
    (-1, [1, 2, 3], [1, 2], [(1, 0), (0, 1)])
    """

    size: int
    kernel: int
    stride: int
    padding: int
    dilation: int
    out_size: int

    def source(self, t: Any, k: Any) -> Any:
        """t·s + k·d − p: the input position output t reads through tap k. Integers, NumPy
        arrays and SymPy expressions alike."""
        return t * self.stride + k * self.dilation - self.padding

    def outputs(self, k: int) -> range:
        """The outputs whose tap k reads the input rather than its padding."""
        first = self.source(0, k)
        lo = max(0, -(first // self.stride))  # the first t with source(t, k) >= 0
        hi = min(self.out_size, (self.size - 1 - first) // self.stride + 1)
        return range(lo, max(lo, hi))

    def taps(self, t: int) -> range:
        """The taps of output t that read the input rather than its padding."""
        first = self.source(t, 0)
        lo = max(0, -(first // self.dilation))  # the first k with source(t, k) >= 0
        hi = min(self.kernel, (self.size - 1 - first) // self.dilation + 1)
        return range(lo, max(lo, hi))

    def readers(self, u: int) -> list[tuple[int, int]]:
        """The inverse of :meth:`source`: every (output t, tap k) that reads input u, by tap."""
        found = []
        for k in range(self.kernel):
            t, rest = divmod(u - self.source(0, k), self.stride)
            if rest == 0 and 0 <= t < self.out_size:
                found.append((t, k))
        return found

    def tap(self, t: int, u: int) -> int | None:
        """The tap through which output t reads input u, or None if none does."""
        k, rest = divmod(u - self.source(t, 0), self.dilation)
        return k if rest == 0 and 0 <= k < self.kernel else None

    def span(self, u: int) -> tuple[int, int]:
        """(first, last) output whose kernel, first tap to last, reaches over input u, not
        clipped to the outputs that exist (whether a tap lands on u is not asked)."""
        last_tap = self.source(0, self.kernel - 1)
        return (u - last_tap) // self.stride, (u - self.source(0, 0)) // self.stride

    def pairs(self) -> int:
        """How many (output, tap) pairs read the input rather than its padding.

        >>> Axis(4, 3, 1, 1, 1, 4).pairs()  # length 4, kernel 3, padding 1: 4 × 3 minus 2 corners
        10
        """
        return sum(len(self.outputs(k)) for k in range(self.kernel))

    def backward_padding(self) -> tuple[int, int]:
        """Zeros added (negative: entries cut) before and after ∂L/∂Y spread by the stride.

        Before: d(K-1) - p, the input position the first output reads through its last tap;
        after: as many again, plus the input positions the stride skipped at the end.

        >>> Axis(size=5, kernel=3, stride=2, padding=0, dilation=1, out_size=2).backward_padding()
        (2, 2)
        """
        left = self.source(0, self.kernel - 1)
        spread = self.stride * (self.out_size - 1) + 1
        return left, self.size + self.dilation * (self.kernel - 1) - left - spread


@dataclass(frozen=True)
class ConvGeometry:
    """The shape of a 1-D or 2-D convolution layer; build it with :func:`conv_geometry`.

    >>> g = conv_geometry(2, 2, 4, 3)
    >>> g.out_size, g.matrix_shape, g.weight_shape
    ((2,), (4, 8), (2, 2, 3))
    """

    in_channels: int
    out_channels: int
    size: Sizes
    kernel: Sizes
    stride: Sizes
    padding: Sizes
    dilation: Sizes
    groups: int = 1

    @property
    def dims(self) -> int:
        return len(self.size)

    @property
    def out_size(self) -> Sizes:
        return tuple(
            (n + 2 * p - d * (k - 1) - 1) // s + 1
            for n, k, s, p, d in zip(
                self.size, self.kernel, self.stride, self.padding, self.dilation, strict=True
            )
        )

    @property
    def in_per_group(self) -> int:
        return self.in_channels // self.groups

    @property
    def out_per_group(self) -> int:
        return self.out_channels // self.groups

    @property
    def taps(self) -> int:
        return math.prod(self.kernel)

    @property
    def matrix_shape(self) -> tuple[int, int]:
        return self.out_channels * math.prod(self.out_size), self.in_channels * math.prod(self.size)

    @property
    def weight_shape(self) -> Sizes:
        """PyTorch layout: [out][in / groups][taps...]."""
        return (self.out_channels, self.in_per_group, *self.kernel)

    @cached_property
    def axes(self) -> tuple[Axis, ...]:
        """Each spatial axis with its sizes, for the index rule along it."""
        return tuple(
            Axis(n, k, s, p, d, m)
            for n, k, s, p, d, m in zip(
                self.size,
                self.kernel,
                self.stride,
                self.padding,
                self.dilation,
                self.out_size,
                strict=True,
            )
        )

    def source(self, position: Sizes, tap: Sizes) -> Sizes:
        """The input position output ``position`` reads through ``tap``: t·s + k·d − p on
        every axis (outside the input: the padding).

        >>> conv_geometry(1, 1, (5, 5), 3, stride=2, padding=1).source((1, 2), (0, 2))
        (1, 5)
        """
        return tuple(ax.source(t, k) for ax, t, k in zip(self.axes, position, tap, strict=True))

    def reads(self, position: Sizes) -> list[tuple[Sizes, Sizes]]:
        """(tap, input position) of every tap of output ``position`` that reads the input
        rather than its padding, taps in row-major order."""
        per_axis = [
            [(k, ax.source(t, k)) for k in ax.taps(t)]
            for ax, t in zip(self.axes, position, strict=True)
        ]
        return [
            (tuple(k for k, _ in pair), tuple(u for _, u in pair))
            for pair in itertools.product(*per_axis)
        ]

    def readers(self, position: Sizes) -> list[tuple[Sizes, Sizes]]:
        """The inverse of :meth:`source`: (output position, tap) of every pair that reads
        input ``position``.

        >>> conv_geometry(1, 1, 4, 3).readers((1,))
        [((1,), (0,)), ((0,), (1,))]
        """
        per_axis = [ax.readers(u) for ax, u in zip(self.axes, position, strict=True)]
        return [
            (tuple(t for t, _ in pair), tuple(k for _, k in pair))
            for pair in itertools.product(*per_axis)
        ]

    def connected(self, i: int, j: int) -> bool:
        """Whether input channel i feeds output channel j (0-based; false across groups)."""
        return i // self.in_per_group == j // self.out_per_group

    @property
    def backward_padding(self) -> tuple[tuple[int, int], ...]:
        """Zeros added (negative: entries cut) before and after the stride-dilated ∂L/∂Y,
        per axis (:meth:`Axis.backward_padding`)."""
        return tuple(ax.backward_padding() for ax in self.axes)

    def backward(self) -> ConvGeometry:
        """The backward pass as a convolution: channels swapped, stride 1, no padding."""
        return ConvGeometry(
            self.out_channels,
            self.in_channels,
            tuple(
                n + d * (k - 1)
                for n, k, d in zip(self.size, self.kernel, self.dilation, strict=True)
            ),
            self.kernel,
            (1,) * self.dims,
            (0,) * self.dims,
            self.dilation,
            self.groups,
        )


def _sizes(value: object, dims: int, field: str, minimum: int, problem: str | None) -> Sizes:
    """One whole number per axis: a single number applies to every axis."""
    items = [value] * dims if not isinstance(value, Sequence | np.ndarray) else list(value)
    if len(items) != dims or not all(
        isinstance(v, int | np.integer) and not isinstance(v, bool) for v in items
    ):
        raise InputError(
            (
                "expected a whole number (dims = 1)"
                if dims == 1
                else f"expected a whole number or a list of {dims} (one per axis)"
            )
            + f", got {quote(list(value) if isinstance(value, tuple) else value)}",
            problem=problem,
            field=field,
        )
    for v in items:
        if v < minimum:
            raise InputError(f"must be at least {minimum}, got {v}", problem=problem, field=field)
    return tuple(int(v) for v in items)


def conv_geometry(
    in_channels: int,
    out_channels: int,
    size: int | Sequence[int],
    kernel: int | Sequence[int],
    stride: int | Sequence[int] = 1,
    padding: int | Sequence[int] = 0,
    dilation: int | Sequence[int] = 1,
    groups: int = 1,
    *,
    problem: str | None = None,
) -> ConvGeometry:
    """A validated :class:`ConvGeometry`; ``size`` is L (1-D) or (H, W) (2-D).

    Bad values raise :class:`~symhw.errors.InputError` naming the field and the sizes.

    >>> conv_geometry(1, 1, (5, 5), 3, padding=1).out_size
    (5, 5)
    """
    dims = 1 if not isinstance(size, Sequence | np.ndarray) else len(size)
    if dims not in AXIS_NAMES:
        raise InputError(f"expected 1 or 2 spatial axes, got {dims}", problem=problem, field="size")
    names = AXIS_NAMES[dims]
    shape = tuple(
        _sizes(v, 1, f, 1, problem)[0] for v, f in zip(np.atleast_1d(size), names, strict=True)
    )
    channels = [
        _sizes(v, 1, f, 1, problem)[0]
        for v, f in (
            (in_channels, "in_channels"),
            (out_channels, "out_channels"),
            (groups, "groups"),
        )
    ]
    geometry = ConvGeometry(
        channels[0],
        channels[1],
        shape,
        _sizes(kernel, dims, "kernel", 1, problem),
        _sizes(stride, dims, "stride", 1, problem),
        _sizes(padding, dims, "padding", 0, problem),
        _sizes(dilation, dims, "dilation", 1, problem),
        channels[2],
    )
    _check_groups(geometry, problem)
    _check_kernel_fits(geometry, names, problem)
    return geometry


def _check_groups(g: ConvGeometry, problem: str | None) -> None:
    if g.in_channels % g.groups or g.out_channels % g.groups:
        raise InputError(
            f"groups = {g.groups} must divide in_channels = {g.in_channels} and "
            f"out_channels = {g.out_channels}",
            problem=problem,
            field="groups",
        )


def _check_kernel_fits(g: ConvGeometry, names: tuple[str, ...], problem: str | None) -> None:
    for axis, n, k, p, d in zip(names, g.size, g.kernel, g.padding, g.dilation, strict=True):
        span = d * (k - 1) + 1
        if span > n + 2 * p:
            raise InputError(
                f"the kernel spans {span} positions along the {axis} (kernel {k}, dilation {d}) "
                f"but the padded input has only {n + 2 * p} ({axis} {n} + 2 × padding {p}); "
                "use a smaller kernel or dilation, or more padding",
                problem=problem,
                field="kernel",
            )
