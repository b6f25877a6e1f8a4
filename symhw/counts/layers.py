"""Network layers as data, with parameter, operation and memory counts as formulas.

Every count is a :class:`Count`: a formula in generic symbols (C_in, k, C_out, ...), the
values of one layer, and the same formula with those values written in, so that a sheet can
show formula, substitution and result. Values may be integers or polynomials in a width
symbol (for comparisons symbolic in C).

Conventions (those of torchvision, fvcore and ``torch.utils.flop_counter``): a MAC is one
multiply-accumulate of a weight; FLOPs are 2 MACs; bias additions, normalization, ReLU,
pooling and the residual addition are not counted as MACs. Batch norm has 2C learnable
parameters (γ, β) and 2C running statistics (mean, variance), counted apart.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import NamedTuple

import sympy as sp

from symhw.notation import written, written_sum


def dim(name: str) -> sp.Symbol:
    """A positive integer symbol for a size (N, C, H, W, ...).

    >>> dim("N").is_positive
    True
    """
    return sp.Symbol(name, integer=True, positive=True)


N, C, H, W = dim("N"), dim("C"), dim("H"), dim("W")
C_in, C_out, k, s, H_out, W_out = (dim(n) for n in ("C_in", "C_out", "k", "s", "H_out", "W_out"))
p = sp.Symbol("p", integer=True, nonnegative=True)

#: A channel count: a number, or a polynomial in C when a comparison is symbolic.
Width = int | sp.Expr


@dataclass(frozen=True)
class Count:
    """A count: ``formula`` in generic symbols, evaluated at ``symbols = values``.

    >>> c = conv_parameters(Conv("conv1", 32, 32, 3, bias=True))
    >>> c.formula, c.value
    (C_out*(C_in*k**2 + 1), 9248)
    """

    formula: sp.Expr
    symbols: tuple[sp.Symbol, ...]
    values: tuple[sp.Expr, ...]
    substituted: sp.Expr  # the formula with the values written in, unevaluated

    @property
    def at(self) -> sp.Subs:
        """The formula at this layer's values, as an unevaluated substitution."""
        return sp.Subs(self.formula, self.symbols, self.values)

    @property
    def evaluated(self) -> sp.Expr:
        """The formula at the values, as SymPy evaluates it, by ``xreplace``: every symbol
        replaced at once, as "at these values" means (``subs`` replaces them one by one, and
        takes ten times as long)."""
        return self.formula.xreplace(dict(zip(self.symbols, self.values, strict=True)))

    @functools.cached_property
    def value(self) -> sp.Expr:
        """The formula at the values, expanded; worked out once per count (a sheet asks
        again for most)."""
        return sp.expand(self.evaluated.doit())


class Shape(NamedTuple):
    """An activation shape in canonical order (batch, channels, height, width)."""

    n: sp.Expr
    c: sp.Expr
    h: sp.Expr
    w: sp.Expr

    @property
    def elements(self) -> sp.Expr:
        return sp.expand(self.n * self.c * self.h * self.w)

    def in_layout(self, layout: str) -> tuple[sp.Expr, ...]:
        """The sizes in the order of ``layout`` ("NHWC" or "NCHW").

        >>> Shape(128, 32, 16, 16).in_layout("NHWC")
        (128, 16, 16, 32)
        """
        return tuple(getattr(self, letter.lower()) for letter in layout)


@dataclass(frozen=True)
class Conv:
    """A 2-D convolution C_in → C_out with a k×k kernel (padding k//2 unless given)."""

    name: str
    c_in: Width
    c_out: Width
    kernel: int
    stride: int = 1
    padding: int | None = None
    bias: bool = False

    @property
    def pad(self) -> int:
        return self.kernel // 2 if self.padding is None else self.padding


@dataclass(frozen=True)
class BatchNorm:
    """Batch normalization over ``channels`` channels."""

    name: str
    channels: Width


@dataclass(frozen=True)
class Pool:
    """Max or average pooling with a k×k window; ``kernel = 0`` is global average pooling."""

    name: str
    kind: str
    kernel: int = 0
    stride: int = 1
    padding: int = 0


@dataclass(frozen=True)
class Linear:
    """A fully connected layer C_in → C_out."""

    name: str
    c_in: Width
    c_out: Width
    bias: bool = True


#: A layer of a residual network, as counted here (``symhw.conv.layer.Layer`` is the
#: convolution of the conv-matrix problem, a different thing).
NetworkLayer = Conv | BatchNorm | Pool | Linear


def conv_parameters(conv: Conv) -> Count:
    """Weights C_out·C_in·k² (and C_out biases): C_out (C_in k² + 1) with bias.

    >>> conv_parameters(Conv("conv1", 128, 32, 1, bias=True)).value
    4128
    """
    kk = conv.kernel
    values = (
        sp.sympify(conv.c_out, strict=True),
        sp.sympify(conv.c_in, strict=True),
        sp.Integer(kk),
    )
    symbols = (C_out, C_in, k)
    if conv.bias:
        inner = written_sum(written(conv.c_in, kk, kk), 1)
        formula = written(C_out, C_in * k**2 + 1)
        return Count(formula, symbols, values, written(conv.c_out, inner))
    formula = written(C_out, C_in, k**2)
    return Count(formula, symbols, values, written(conv.c_out, conv.c_in, kk, kk))


def linear_parameters(fc: Linear) -> Count:
    """Weights C_out·C_in (and C_out biases).

    >>> linear_parameters(Linear("fc", 512, 1000)).value
    513000
    """
    values = (sp.sympify(fc.c_out, strict=True), sp.sympify(fc.c_in, strict=True))
    if fc.bias:
        shown = written(fc.c_out, written_sum(fc.c_in, 1))
        return Count(written(C_out, C_in + 1), (C_out, C_in), values, shown)
    return Count(written(C_out, C_in), (C_out, C_in), values, written(fc.c_out, fc.c_in))


def parameter_count(layer: NetworkLayer) -> Count | None:
    """The learnable parameters of a layer, or None if it has none.

    >>> parameter_count(BatchNorm("bn1", 64)).value
    128
    """
    if isinstance(layer, Conv):
        return conv_parameters(layer)
    if isinstance(layer, Linear):
        return linear_parameters(layer)
    if isinstance(layer, BatchNorm):
        return Count(
            2 * C, (C,), (sp.sympify(layer.channels, strict=True),), written(2, layer.channels)
        )
    return None


def buffer_count(layer: NetworkLayer) -> Count | None:
    """Running statistics (not learnable): batch norm keeps a mean and a variance per channel.

    >>> buffer_count(BatchNorm("bn1", 64)).value, buffer_count(Conv("c", 3, 8, 3))
    (128, None)
    """
    if isinstance(layer, BatchNorm):
        return Count(
            2 * C, (C,), (sp.sympify(layer.channels, strict=True),), written(2, layer.channels)
        )
    return None


def output_size(size: sp.Expr, kernel: int, stride: int, padding: int) -> sp.Expr:
    """⌊(H + 2p − k)/s⌋ + 1, the output height of a window sliding over ``size`` rows.

    >>> output_size(224, 7, 2, 3)
    112
    """
    if isinstance(size, int) or sp.sympify(size, strict=True).is_number:
        return sp.Integer((int(size) + 2 * padding - kernel) // stride + 1)
    if kernel == 2 * padding + 1:  # "same" padding: ⌈H/s⌉, which is H/s when s divides H
        return sp.sympify(size, strict=True) / stride
    raise ValueError("symbolic sizes need odd kernels with padding k//2")


def output_size_count(size: sp.Expr, kernel: int, stride: int, padding: int) -> Count:
    """The output-size formula as a :class:`Count` (for display of strided layers).

    >>> output_size_count(112, 3, 2, 1).value
    56
    """
    formula = written_sum(sp.floor(written_sum(H, 2 * p, -k) / s), 1)
    inner = written_sum(size, written(2, padding), -kernel)
    quotient = written(inner, sp.Pow(stride, -1, evaluate=False))
    shown = written_sum(sp.floor(quotient, evaluate=False), 1)
    values = (
        sp.sympify(size, strict=True),
        sp.Integer(padding),
        sp.Integer(kernel),
        sp.Integer(stride),
    )
    return Count(formula, (H, p, k, s), values, shown)


def output_shape(layer: NetworkLayer, shape: Shape) -> Shape:
    """The shape a layer produces from ``shape``.

    >>> output_shape(Conv("conv1", 3, 64, 7, stride=2), Shape(1, 3, 224, 224))
    Shape(n=1, c=64, h=112, w=112)
    """
    if isinstance(layer, Conv):
        h, w = (output_size(d, layer.kernel, layer.stride, layer.pad) for d in shape[2:])
        return Shape(shape.n, sp.sympify(layer.c_out, strict=True), h, w)
    if isinstance(layer, Pool):
        if layer.kernel == 0:
            return Shape(shape.n, shape.c, sp.Integer(1), sp.Integer(1))
        h, w = (output_size(d, layer.kernel, layer.stride, layer.padding) for d in shape[2:])
        return Shape(shape.n, shape.c, h, w)
    if isinstance(layer, Linear):
        return Shape(shape.n, sp.sympify(layer.c_out, strict=True), sp.Integer(1), sp.Integer(1))
    return shape


def mac_count(layer: NetworkLayer, shape: Shape) -> Count | None:
    """Multiply-accumulates of a layer on an input of ``shape`` (None if it has no weights).

    >>> mac_count(Conv("conv1", 32, 32, 3), Shape(128, 32, 16, 16)).value
    301989888
    """
    out = output_shape(layer, shape)
    if isinstance(layer, Conv):
        kk = layer.kernel
        values = (out.n, out.h, out.w, out.c, sp.sympify(layer.c_in, strict=True), sp.Integer(kk))
        shown = written(out.n, out.h, out.w, out.c, layer.c_in, kk, kk)
        formula = written(N, H_out, W_out, C_out, C_in, k**2)
        return Count(formula, (N, H_out, W_out, C_out, C_in, k), values, shown)
    if isinstance(layer, Linear):
        values = (out.n, sp.sympify(layer.c_out, strict=True), sp.sympify(layer.c_in, strict=True))
        shown = written(out.n, layer.c_out, layer.c_in)
        return Count(written(N, C_out, C_in), (N, C_out, C_in), values, shown)
    return None
