"""The backward steps of a conv-matrix sheet: ∂L/∂x by the chain rule, then = Aᵀ ∂L/∂Y."""

from __future__ import annotations

import math

import sympy as sp

from symhw.builder import DerivationBuilder
from symhw.conv.equations import reader_count, readers_with_taps
from symhw.conv.symbols import LOSS, column
from symhw.notation import GradientEntry, PartialDerivative, written_sum
from symhw.problems.conv_matrix.general_equation import (
    CH_IN,
    CH_OUT,
    chain_rule,
    chain_rule_budget,
    chain_rule_sum,
    ensure_chain_rule,
    general_symbol,
    nested_sum,
    position_symbols,
)
from symhw.problems.conv_matrix.layer import ShownLayer, flat_index


def backward_pass(layer: ShownLayer, previous: DerivationBuilder) -> DerivationBuilder:
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
        if layer.fits(reader_count(g, pos), gradient=True):
            _chain_rule_steps(b, layer, i, pos)
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
        if not layer.fits(reader_count(g, pos), gradient=True):
            continue
        row = i * math.prod(g.size) + flat_index(g.size, pos)
        terms = [A.entry(row, c) * s.grad_y_flat(c) for c, _ in layer.index_map.nonzeros(row, True)]
        checked_gradient(b, layer, i, pos, written_sum(*terms), rule="row of Aᵀ")
    return b


def _chain_rule_steps(
    b: DerivationBuilder, layer: ShownLayer, i: int, pos: tuple[int, ...]
) -> None:
    """∂L/∂x_{i,pos} by the chain rule over the outputs that read it, then with each slope
    ∂Y/∂x read off its element equation (the weight of the tap that reads x_{i,pos})."""
    s, ci = layer.s, layer.geometry.in_per_group
    readers = readers_with_taps(layer.geometry, i, pos)
    slopes = [s.weight(j, i % ci, tap) * s.grad_y(j, t) for j, t, tap in readers]
    reason = chain_rule_budget(layer, i, pos)
    if reason is not None:
        b.over_budget(
            s.grad_x(i, pos), chain_rule_sum(layer, i, pos), rule=CHAIN_RULE, budget=reason
        )
        if readers:
            b.over_budget(
                written_sum(*slopes), rule="element equations", budget=reason, continues=True
            )
        return
    ensure_chain_rule(b, layer, i, pos)  # the sum over every output, checked against
    b.equal(s.grad_x(i, pos), chain_rule(b, layer, i, pos), rule=CHAIN_RULE)
    if readers:
        b.then(written_sum(*slopes), rule="element equations")


CHAIN_RULE = "chain rule, terms not 0"


def checked_gradient(
    b: DerivationBuilder, layer: ShownLayer, i: int, pos: tuple[int, ...], value: sp.Expr, rule: str
) -> None:
    """∂L/∂x_{i,pos} = value, checked against the chain rule (within the term budget)."""
    reason = chain_rule_budget(layer, i, pos)
    if reason is not None:
        b.over_budget(layer.s.grad_x(i, pos), value, rule=rule, budget=reason)
        return
    ensure_chain_rule(b, layer, i, pos)
    b.equal(layer.s.grad_x(i, pos), value, rule=rule)
