"""The shape of a convolution layer: sizes per axis, the output size, validation of the input."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from symhw.errors import InputError, quote

Sizes = tuple[int, ...]

#: Names of the spatial axes (and of the problem fields that give their sizes).
AXIS_NAMES = {1: ("length",), 2: ("height", "width")}


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

    def connected(self, i: int, j: int) -> bool:
        """Whether input channel i feeds output channel j (0-based; false across groups)."""
        return i // self.in_per_group == j // self.out_per_group

    @property
    def backward_padding(self) -> tuple[tuple[int, int], ...]:
        """Zeros added (negative: entries cut) before and after the stride-dilated ∂L/∂Y.

        Left: d(K-1) - p; right: the same plus the input positions the stride skipped at the end.
        """
        pads = []
        for n, k, s, p, d, m in zip(
            self.size,
            self.kernel,
            self.stride,
            self.padding,
            self.dilation,
            self.out_size,
            strict=True,
        ):
            left = d * (k - 1) - p
            pads.append((left, n + d * (k - 1) - left - (s * (m - 1) + 1)))
        return tuple(pads)

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
    g = geometry
    if g.in_channels % g.groups or g.out_channels % g.groups:
        raise InputError(
            f"groups = {g.groups} must divide in_channels = {g.in_channels} and "
            f"out_channels = {g.out_channels}",
            problem=problem,
            field="groups",
        )
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
    return geometry
