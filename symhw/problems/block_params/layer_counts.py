"""Counts shown as derivations: each layer's formula, the substitution and the result; totals;
and the table of each layer's activation memory."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

import sympy as sp

from symhw.builder import DerivationBuilder
from symhw.counts.layers import (
    BatchNorm,
    C_in,
    C_out,
    Conv,
    H_out,
    Linear,
    N,
    NetworkLayer,
    Pool,
    Shape,
    W_out,
    buffer_count,
    k,
    mac_count,
    output_shape,
    output_size_count,
    parameter_count,
)
from symhw.derivation import Answer, Derivation, NumericCheck, Paragraph, Part, Segment, Table
from symhw.notation import indexed_symbol, written, written_sum
from symhw.problems.block_params.wording import describe


class Counted(NamedTuple):
    """What a sheet shows of a counting problem: the question, its parts, answers, checks."""

    statement: Paragraph
    parts: tuple[Part, ...]
    answers: tuple[Answer, ...]
    checks: tuple[NumericCheck, ...] = ()


def count_symbol(letter: str, name: str, *, tilde: bool = False) -> sp.Symbol:
    """The symbol of one count, e.g. ``P_conv1`` or, for counts without bias, ``P̃_conv1``.

    The name is SymPy's grammar (``tilde`` is its modifier); the underscores of a label such
    as basic_2 are further subscripts to SymPy, printed P_{basic 2}, as the sheets show them.

    >>> count_symbol("P", "conv1", tilde=True), count_symbol("M", "basic_2")
    (Ptilde_conv1, M_basic_2)
    """
    return sp.Symbol(f"{letter}{'tilde' if tilde else ''}_{name}")


@dataclass(frozen=True)
class CountResult:
    """A derivation of a total, the total and the per-layer values and symbols (in layer
    order)."""

    derivation: Derivation
    total: sp.Expr
    per_layer: tuple[sp.Expr, ...]
    total_symbol: sp.Symbol
    layer_symbols: tuple[sp.Symbol, ...] = ()


def _what_parameters(layer: NetworkLayer) -> str:
    if isinstance(layer, BatchNorm):
        return "γ and β per channel"
    has_bias = isinstance(layer, Conv | Linear) and layer.bias
    return "weights and biases" if has_bias else "weights, no bias"


def sum_steps(b: DerivationBuilder, total: sp.Symbol, names, values, rule: str) -> sp.Expr:
    """``total := Σ m·name = Σ m·value = result`` for ``names`` given as (symbol, m) pairs."""
    terms = [written(m, n) if m != 1 else n for n, m in names]
    b.define(total, written_sum(*terms), rule=rule)
    if len(terms) > 1:
        shown = [written(m, v) if m != 1 else v for v, (_, m) in zip(values, names, strict=True)]
        b.then(written_sum(*shown), rule="substitute")
        b.then(sp.expand(b.last.doit()), rule="add")
    else:
        b.then(values[0], rule="substitute")
    return b.last


def parameter_derivation(
    title: str,
    layers: Iterable[NetworkLayer],
    total: sp.Symbol,
    *,
    tilde: bool = False,
    intro: tuple[Segment, ...] | None = None,
    buffers: sp.Symbol | None = None,
) -> CountResult:
    """One step per layer with parameters, ``P = formula|values = substitution = result``;
    then the total.

    >>> from symhw.counts.blocks import Block
    >>> block = Block("basic", 32, 32, bias=True)
    >>> r = parameter_derivation("basic", block.layers(), sp.Symbol("P"))
    >>> r.total, r.per_layer
    (18496, (9248, 9248))
    """
    b = DerivationBuilder(title, intro=intro)
    names, values, norms = [], [], []
    for layer in layers:
        count = parameter_count(layer)
        if count is None:
            continue
        sym = count_symbol("P", layer.name, tilde=tilde)
        if isinstance(layer, BatchNorm):
            norms.append((sym, count.value))
        _count_steps(b, sym, count, f"{describe(layer)}: {_what_parameters(layer)}")
        names.append((sym, 1))
        values.append(count.value)
    value = sum_steps(b, total, names, values, "sum over the layers")
    if buffers is not None and norms:
        sum_steps(
            b,
            buffers,
            [(n, 1) for n, _ in norms],
            [v for _, v in norms],
            "running mean and variance: 2C per batch norm, as many as its γ and β",
        )
    return CountResult(b.build(), value, tuple(values), total, tuple(n for n, _ in names))


def _count_steps(b: DerivationBuilder, sym: sp.Symbol, count, rule: str) -> None:
    """``sym := formula at its values`` = the numbers substituted = the product."""
    b.define(sym, count.at, rule=rule)
    b.then(count.substituted, rule="substitute")
    b.then(count.value, rule="multiply")


def buffer_derivation(title: str, layers: Iterable[NetworkLayer], total: sp.Symbol) -> CountResult:
    """Running statistics of the batch-norm layers: 2C each (a mean and a variance).

    >>> from symhw.counts.blocks import Block
    >>> block = Block("basic", 64, 64, batchnorm=True)
    >>> buffer_derivation("buffers", block.layers(), sp.Symbol("B")).total
    256
    """
    b = DerivationBuilder(title)
    names, values = [], []
    for layer in layers:
        count = buffer_count(layer)
        if count is None:
            continue
        sym = count_symbol("B", layer.name)
        _count_steps(b, sym, count, f"{describe(layer)}: running mean and variance")
        names.append((sym, 1))
        values.append(count.value)
    value = sum_steps(b, total, names, values, "sum over the batch-norm layers")
    return CountResult(b.build(), value, tuple(values), total)


def mac_derivation(
    title: str,
    traced: Iterable[tuple[NetworkLayer, Shape]],
    total: sp.Symbol,
    flops: sp.Symbol,
) -> CountResult:
    """MACs of each conv/linear layer on its input (output sizes derived where they shrink);
    the total, and FLOPs = 2·MACs.

    >>> from symhw.counts.blocks import Block, traced_layers
    >>> traced = traced_layers(Block("basic", 32, 32), Shape(128, 32, 16, 16))
    >>> mac_derivation("MACs", traced, sp.Symbol("M"), sp.Symbol("F")).total
    603979776
    """
    traced = list(traced)
    b = DerivationBuilder(title, intro=_mac_intro(traced))
    names, values = [], []
    for layer, shape in traced:
        _output_size_steps(b, layer, shape)
        count = mac_count(layer, shape)
        if count is None:
            continue
        sym = count_symbol("M", layer.name)
        _count_steps(b, sym, count, describe(layer))
        names.append((sym, 1))
        values.append(count.value)
    value = sum_steps(b, total, names, values, "sum over the layers")
    flop_steps(b, total, value, flops)
    return CountResult(b.build(), value, tuple(values), total)


def _mac_intro(traced: list[tuple[NetworkLayer, Shape]]) -> tuple[Segment, ...]:
    linear = any(isinstance(layer, Linear) for layer, _ in traced)
    return (
        "A conv does one MAC per weight at each output position: ",
        written(N, H_out, W_out, C_out, C_in, k**2),
        " for a batch of ",
        N,
        *(("; a linear layer ", written(N, C_out, C_in)) if linear else ()),
        ".",
    )


def _output_size_steps(b: DerivationBuilder, layer: NetworkLayer, shape: Shape) -> None:
    """``H_out,conv1 := ⌊(H + 2p − k)/s⌋ + 1`` at the layer's sizes, where a stride shrinks
    the output (the width follows the same formula)."""
    if not (isinstance(layer, Conv | Pool) and layer.kernel and layer.stride != 1):
        return
    pad = layer.pad if isinstance(layer, Conv) else layer.padding
    size = output_size_count(shape.h, layer.kernel, layer.stride, pad)
    rule = f"{describe(layer)}: output height (and width)"
    b.define(indexed_symbol("H", ("out", layer.name)), size.at, rule=rule)
    b.then(size.substituted, rule="substitute")
    b.then(size.value, rule="evaluate")


def flop_steps(b: DerivationBuilder, macs: sp.Symbol, value: sp.Expr, flops: sp.Symbol) -> None:
    """``F = 2 M = 2·value = result``: a MAC is one multiplication and one addition."""
    b.define(flops, written(2, macs), rule="2 FLOPs per MAC")
    b.then(written(2, value), rule="substitute")
    b.then(2 * value, rule="multiply")


def memory_table(
    title: str, traced: Iterable[tuple[NetworkLayer, Shape]], layout: str, total: sp.Symbol
) -> Table:
    """Each layer's output: its shape in ``layout``, elements, and bytes in float32; the last
    row is ``total``, their sum.

    >>> from symhw.counts.blocks import Block, traced_layers
    >>> traced = traced_layers(Block("basic", 32, 32), Shape(128, 32, 16, 16))
    >>> table = memory_table("memory", traced, "NHWC", sp.Symbol("A"))
    >>> table.rows[0][2:], table.rows[-1][3:]
    (('128×16×16×32', 1048576, 4194304), (2097152, 8388608))
    """
    rows = []
    for layer, shape in traced:
        out = output_shape(layer, shape)
        shape_text = "×".join(str(d) for d in out.in_layout(layout))
        rows.append((layer.name, describe(layer), shape_text, out.elements, 4 * out.elements))
    elements = sum((row[3] for row in rows), sp.Integer(0))
    rows.append((total, "sum", "", elements, 4 * elements))
    return Table(
        title,
        ("layer", "", f"output ({layout})", "elements", "bytes (float32)"),
        tuple(rows),
        Paragraph(
            (
                "Activation memory ",
                total,
                ": the output each layer stores for its backward pass (ReLU and the residual "
                "addition work in place). The block's input, which the first layers' backward "
                "pass also reads, is counted with the layer that produced it.",
            )
        ),
    )
