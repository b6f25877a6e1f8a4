"""The backward steps of a conv-matrix sheet: ∂L/∂x = Aᵀ ∂L/∂Y, and the backward convolution."""

from __future__ import annotations

import math

import numpy as np
import sympy as sp

from symhw.builder import DerivationBuilder
from symhw.conv import ConvGeometry, correlate, dilate_and_pad, flip_kernels
from symhw.conv.derivation import (
    CH_IN,
    CH_OUT,
    Layer,
    block_name,
    chain_rule,
    ensure_chain_rule,
    flat_index,
    general_symbol,
    grad_y_at,
    nested_sum,
    position_symbols,
)
from symhw.conv.symbols import LOSS, column, shown_part
from symhw.derivation import Derivation
from symhw.notation import GradientEntry, PartialDerivative, written_sum


def backward_pass(layer: Layer, previous: DerivationBuilder) -> DerivationBuilder:
    """∂L/∂x by the chain rule, element by element, then as Aᵀ ∂L/∂Y."""
    g = layer.geometry
    b = DerivationBuilder("Backward pass: ∂L/∂x = Aᵀ ∂L/∂Y", instance=previous.instance)
    s = layer.s
    ins, outs = position_symbols(g.dims), position_symbols(g.dims, "'")
    y = general_symbol("Y", CH_OUT, outs)
    chain = GradientEntry(LOSS, y) * PartialDerivative(y, general_symbol("x", CH_IN, ins))
    limits = [
        (CH_OUT, 1, g.out_channels),
        *((t, 1, n) for t, n in zip(outs, g.out_size, strict=True)),
    ]
    b.define(
        GradientEntry(LOSS, general_symbol("x", CH_IN, ins)),
        nested_sum(chain, limits),
        rule="chain rule",
    )
    for i, pos in layer.shown(g.in_channels, g.size):
        outputs = layer.readers(i, pos)
        if not layer.fits(len(outputs), gradient=True):
            continue
        x = s.x(i, pos)
        ensure_chain_rule(b, layer, i, pos)  # the sum over every output, checked against
        b.equal(s.grad_x(i, pos), chain_rule(b, layer, i, pos), rule="chain rule, terms not 0")
        if outputs:
            slopes = [sp.diff(written_sum(*layer.element_terms(j, t)), x) for j, t in outputs]
            terms = [k * s.grad_y(j, t) for k, (j, t) in zip(slopes, outputs, strict=True)]
            b.then(written_sum(*terms), rule="element equations")
    if layer.transpose_fits:
        for i, pos in layer.shown(g.in_channels, g.size):
            ensure_chain_rule(b, layer, i, pos)
        b.equal(
            column(s.array("grad_x")),
            sp.MatMul(layer.explicit.T, column(s.array("grad_y")), evaluate=False),
            rule="collect coefficients",
        )
        return b
    A = layer.A.T
    for i, pos in layer.shown(g.in_channels, g.size):
        row = i * math.prod(g.size) + flat_index(g.size, pos)
        terms = [
            A.entry(row, c) * grad_y_at(layer, c) for c, _ in layer.index_map.nonzeros(row, True)
        ]
        if s.grad_x(i, pos) in b.instance.definitions:
            b.equal(s.grad_x(i, pos), written_sum(*terms), rule="row of Aᵀ")
    return b


def _describe_padding(g: ConvGeometry) -> str:
    axes = ("",) if g.dims == 1 else (" rows", " columns")
    parts = []
    for axis, (left, right), s in zip(axes, g.backward_padding, g.stride, strict=True):
        dilate = f"{s - 1} zero{'s' if s != 2 else ''} between entries, " if s > 1 else ""

        def side(n: int, where: str) -> str:
            return f"{n} zero{'s' if n != 1 else ''} {where}" if n >= 0 else f"{-n} cut {where}"

        parts.append(f"{dilate}{side(left, 'before')} and {side(right, 'after')}{axis}")
    return "; ".join(parts)


def backward_convolution(layer: Layer, previous: DerivationBuilder) -> tuple[Derivation, ...]:
    """The backward pass as a cross-correlation of the dilated, padded ∂L/∂Y with v^{ij}.

    A small layer gets a second derivation: the whole convolution against Aᵀ ∂L/∂Y.
    """
    g = layer.geometry
    s = layer.s
    if layer.full:
        z = dilate_and_pad(s.array("grad_y"), g)

        def z_at(j: int, at: tuple[int, ...]) -> sp.Expr:
            return sp.sympify(z[(j, *at)], strict=True)
    else:

        def z_at(j: int, at: tuple[int, ...]) -> sp.Expr:
            return _z_entry(layer, j, at)

    v = flip_kernels(s.weights(), g)
    back = g.backward()
    z_name = sp.Symbol("Z" if g.dims == 1 else "Z^{j}")
    intro = (
        "Spread ∂L/∂Y out by the stride and pad it ("
        if any(st > 1 for st in g.stride)
        else "Pad ∂L/∂Y (",
        _describe_padding(g),
        ") into ",
        z_name,
        ", reverse every kernel, and swap the channel roles: channel ",
        CH_OUT,
        " of ",
        sp.Symbol("Z"),
        " is scanned by ",
        sp.Symbol("v^{ij}"),
        ", the reversed ",
        sp.Symbol("w^{ij}"),
        ", to write channel ",
        CH_IN,
        " of ",
        GradientEntry(LOSS, sp.Symbol("x")),
        f", with stride 1, dilation {_axes(g.dilation)} and no padding.",
    )
    b = DerivationBuilder(
        "The backward pass as a convolution", instance=previous.instance, intro=intro
    )
    channels = range(g.out_channels) if layer.full else sorted({0, g.out_channels - 1})
    size = back.size
    for j in channels if g.dims == 2 else [None]:
        if j is None:  # 1-D: one row per output channel
            rows, cols = g.out_channels, size[0]
            entry = lambda r, c: z_at(int(r), (int(c),))  # noqa: E731
        else:
            rows, cols = size
            entry = lambda r, c, j=j: z_at(j, (int(r), int(c)))  # noqa: E731
        shown = (
            sp.ImmutableMatrix(rows, cols, entry) if layer.full else shown_part(entry, rows, cols)
        )
        name = sp.Symbol("Z" if j is None else f"Z^{{{j + 1}}}")
        b.define(name, shown, rule="spread, padded")
    pairs = [(i, j) for i in range(g.in_channels) for j in range(g.out_channels)]
    pairs = [(i, j) for i, j in pairs if g.connected(i, j)]
    for i, j in pairs if layer.full else sorted({pairs[0], pairs[-1]}):
        kernel = v[i, j % g.out_per_group]
        b.define(
            sp.Symbol(f"v^{{{block_name(layer, i, j).name[3:-1]}}}"),
            sp.ImmutableMatrix(kernel.reshape(-1, kernel.shape[-1]).tolist()),
            rule="reversed kernel",
        )
    for i, pos in layer.shown(g.in_channels, g.size):
        if s.grad_x(i, pos) not in b.instance.definitions:
            continue
        first = i // g.in_per_group * g.out_per_group
        products, kept = [], []
        for jl in range(g.out_per_group):
            for tap in np.ndindex(*g.kernel):
                at = tuple(u + k * d for u, k, d in zip(pos, tap, back.dilation, strict=True))
                entry = z_at(first + jl, at)
                products.append(sp.Mul(v[(i, jl, *tap)], entry, evaluate=False))
                if entry != 0:
                    kept.append(v[(i, jl, *tap)] * entry)
        zeros = len(products) - len(kept)  # "w · 0" is narrower than w ∂L/∂Y
        if not layer.fits(len(kept) + 2 * zeros // 3, gradient=True):
            continue
        b.equal(s.grad_x(i, pos), written_sum(*products), rule="correlate Z with v")
        b.then(written_sum(*kept), rule="drop zeros")
    if not layer.transpose_fits:
        return (b.build(),)
    check = DerivationBuilder(
        "The convolution equals Aᵀ ∂L/∂Y",
        intro=(
            "Left, the matrix product; right, the backward convolution: ",
            z_name,
            " correlated with the kernels ",
            sp.Symbol("v^{ij}"),
            ", computed on its own. They agree entry by entry:",
        ),
    )
    check.equal(
        sp.MatMul(layer.explicit.T, column(s.array("grad_y")), evaluate=False),
        column(correlate(v, z, back)),
        rule="correlate Z with v",
    )
    return b.build(), check.build()


def _axes(values: tuple[int, ...]) -> str:
    return str(values[0]) if len(set(values)) == 1 else " × ".join(map(str, values))


def _z_entry(layer: Layer, j: int, at: tuple[int, ...]) -> sp.Expr:
    """Entry ``at`` of channel j of Z: the ∂L/∂Y entry placed there, or 0."""
    g = layer.geometry
    t = []
    for z, (left, _), s, m in zip(at, g.backward_padding, g.stride, g.out_size, strict=True):
        q, r = divmod(z - left, s)
        if r or not 0 <= q < m:
            return sp.Integer(0)
        t.append(q)
    return layer.s.grad_y(j, tuple(t))
