"""The backward pass as a convolution: the spread, padded ∂L/∂Y (Z) scanned by the reversed
kernels v^ij, step by step, and for a small layer checked whole against Aᵀ ∂L/∂Y."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import sympy as sp

from symhw.builder import DerivationBuilder
from symhw.conv import ConvGeometry, correlate, dilate_and_pad, flip_kernels
from symhw.conv.equations import reader_count
from symhw.conv.symbols import LOSS, column
from symhw.conv.windows import Scan
from symhw.derivation import Derivation
from symhw.notation import GradientEntry, indexed_symbol, written_sum
from symhw.problems.conv_matrix.backward_formula import (
    formula_step,
    placement_step,
    substitution_step,
)
from symhw.problems.conv_matrix.corners import shown_kernel, shown_part
from symhw.problems.conv_matrix.general_equation import (
    CH_IN,
    CH_OUT,
    chain_rule_budget,
    ensure_chain_rule,
)
from symhw.problems.conv_matrix.layer import ShownLayer
from symhw.problems.conv_matrix.statement import axes_text

#: Entry ``at`` of channel j of Z, as a function (j, at) -> SymPy expression.
ZLookup = Callable[[int, tuple[int, ...]], sp.Expr]


def describe_padding(g: ConvGeometry) -> str:
    axes = ("",) if g.dims == 1 else (" rows", " columns")
    parts = []
    for axis, (left, right), s in zip(axes, g.backward_padding, g.stride, strict=True):
        dilate = f"{s - 1} zero{'s' if s != 2 else ''} between entries, " if s > 1 else ""

        def side(n: int, where: str) -> str:
            return f"{n} zero{'s' if n != 1 else ''} {where}" if n >= 0 else f"{-n} cut {where}"

        parts.append(f"{dilate}{side(left, 'before')} and {side(right, 'after')}{axis}")
    return "; ".join(parts)


def _z_lookup(layer: ShownLayer) -> ZLookup:
    """Entry ``at`` of channel j of Z, as a function (j, at) -> SymPy expression."""
    if not layer.full:
        return lambda j, at: _z_entry(layer, j, at)
    z = dilate_and_pad(layer.s.array("grad_y"), layer.geometry)
    return lambda j, at: sp.sympify(z[(j, *at)], strict=True)


def _intro(g: ConvGeometry) -> tuple:
    return (
        "Spread " if any(st > 1 for st in g.stride) else "Pad ",
        GradientEntry(LOSS, sp.Symbol("Y")),
        " out by the stride and pad it (" if any(st > 1 for st in g.stride) else " (",
        describe_padding(g),
        ") into ",
        _z_name(g),
        ", reverse every kernel, and swap the channel roles: channel ",
        CH_OUT,
        " of ",
        sp.Symbol("Z"),
        " is scanned by ",
        indexed_symbol("v", sup="ij"),
        ", the reversed ",
        indexed_symbol("w", sup="ij"),
        ", to write channel ",
        CH_IN,
        " of ",
        GradientEntry(LOSS, sp.Symbol("x")),
        f", with stride 1, dilation {axes_text(g.dilation)} and no further padding.",
    )


def _define_z_and_kernels(b: DerivationBuilder, layer: ShownLayer, z_at: ZLookup) -> None:
    """Z (corners only for a large layer) and the reversed kernels v^ij (the first and last
    connected pair only for a large layer)."""
    g = layer.geometry
    channels = range(g.out_channels) if layer.full else sorted({0, g.out_channels - 1})
    size = g.backward().size
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
        name = sp.Symbol("Z") if j is None else indexed_symbol("Z", sup=j + 1)
        b.define(name, shown, rule="spread, padded")
    last = (g.in_channels - 1, g.out_channels - 1)  # connected: the last group's last pair
    pairs = (
        [(i, j) for i in range(g.in_channels) for j in range(g.out_channels) if g.connected(i, j)]
        if layer.full
        else sorted({(0, 0), last})
    )
    for i, j in pairs:
        b.define(
            indexed_symbol("v", sup=layer.s.channel_pair(i, j)),
            shown_kernel(layer.s.flipped_kernel(i, j % g.out_per_group)),
            rule="reversed kernel",
        )


def _correlation_steps(b: DerivationBuilder, layer: ShownLayer, z_at: ZLookup) -> None:
    """∂L/∂x_{i,pos} as the products of v with the window of Z it reads, then without zeros."""
    g, scan = layer.geometry, Scan.backward(layer.geometry)
    for i, pos in layer.shown(g.in_channels, g.size):
        kept_count = reader_count(g, pos)
        zeros = g.out_per_group * g.taps - kept_count  # "w · 0" is narrower than w ∂L/∂Y
        if not layer.fits(kept_count + 2 * zeros // 3, gradient=True):
            continue
        first = i // g.in_per_group * g.out_per_group
        products, kept = [], []
        for jl in range(g.out_per_group):
            v = layer.s.flipped_kernel(i, jl)
            for tap in np.ndindex(*g.kernel):
                entry = z_at(first + jl, scan.reads(pos, tap))
                products.append(sp.Mul(v[tap], entry, evaluate=False))
                if entry != 0:
                    kept.append(v[tap] * entry)
        reason = chain_rule_budget(layer, i, pos)
        grad_x = layer.s.grad_x(i, pos)
        if reason is not None:
            b.over_budget(grad_x, written_sum(*products), rule=CORRELATE, budget=reason)
            b.over_budget(written_sum(*kept), rule="drop zeros", budget=reason, continues=True)
            continue
        ensure_chain_rule(b, layer, i, pos)
        b.equal(grad_x, written_sum(*products), rule=CORRELATE)
        b.then(written_sum(*kept), rule="drop zeros")


CORRELATE = "correlate Z with v"
#: Up to this many columns of Aᵀ (1-D), Aᵀ ∂L/∂Y leads its line in the check derivation.
NARROW_PRODUCT = 8


def backward_convolution(layer: ShownLayer, previous: DerivationBuilder) -> tuple[Derivation, ...]:
    """The backward pass as a cross-correlation of the dilated, padded ∂L/∂Y with v^ij.

    A small layer gets a second derivation: the whole convolution against Aᵀ ∂L/∂Y.
    """
    g, s = layer.geometry, layer.s
    z_at = _z_lookup(layer)
    b = DerivationBuilder(
        "The backward pass as a convolution", instance=previous.instance, intro=_intro(g)
    )
    _define_z_and_kernels(b, layer, z_at)
    substitution_step(b, layer)
    placement_step(b, layer, z_at)
    formula_step(b, layer, z_at)
    _correlation_steps(b, layer, z_at)
    if not layer.transpose_fits:
        return (b.build(),)
    check = DerivationBuilder(
        "The convolution equals Aᵀ ∂L/∂Y",
        instance=previous.instance,  # ∂L/∂x by the chain rule, as the backward pass has it
        intro=(
            "The matrix product and the backward convolution: ",
            _z_name(g),
            " correlated with the kernels ",
            indexed_symbol("v", sup="ij"),
            ", computed on its own. They agree entry by entry:",
        ),
    )
    z = dilate_and_pad(s.array("grad_y"), g)
    product = sp.MatMul(layer.explicit.T, column(s.array("grad_y")), evaluate=False)
    convolution = column(correlate(flip_kernels(s.weights(), g), z, g.backward()))
    if g.dims == 1 and g.matrix_shape[0] <= NARROW_PRODUCT:  # narrow enough to lead its line
        check.equal(product, convolution, rule=CORRELATE)
        return b.build(), check.build()
    # Too wide to lead a line: a short name first, the product reflowed after it, and long
    # entries of the convolution named after it.
    grad_x = GradientEntry(LOSS, sp.Symbol("x"))
    check.define(grad_x, column(s.array("grad_x")), rule="stacked as x is")
    check.equal(grad_x, product, convolution, rule=CORRELATE)
    return b.build(), check.build()


def _z_name(g: ConvGeometry) -> sp.Symbol:
    """Z (1-D: one row per channel) or Z^j (2-D: one matrix per channel j)."""
    return sp.Symbol("Z") if g.dims == 1 else indexed_symbol("Z", sup="j")


def _z_entry(layer: ShownLayer, j: int, at: tuple[int, ...]) -> sp.Expr:
    """Entry ``at`` of channel j of Z: the ∂L/∂Y entry placed there, or 0."""
    t = Scan.backward(layer.geometry).stored_at(at)
    return sp.Integer(0) if t is None else layer.s.grad_y(j, t)
