"""Counts as polynomials in a width C: blocks whose widths are multiples of C, their
per-layer parameters and MACs, and the widths at which one block is the cheaper."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

import sympy as sp

from symhw.counts.blocks import Block, traced_layers
from symhw.counts.layers import C, C_out, Count, H, N, Shape, W, mac_count, parameter_count
from symhw.notation import written

#: Widths are positive: C ranges over (0, ∞).
POSITIVE = sp.Interval.open(0, sp.oo)


def symbolic_block(block: Block, unit: int) -> Block:
    """The block with every width written as a multiple of C (C stands for ``unit``).

    >>> symbolic_block(Block("bottleneck", 128, 128, 32), 32).mid
    C
    """

    def width(value):
        return None if value is None else sp.Rational(value, unit) * C

    return replace(block, c_in=width(block.c_in), c_out=width(block.c_out), mid=width(block.mid))


def layer_parameters(block: Block) -> list[sp.Expr]:
    """Each parametrised layer's count in layer order, as C_out·(C_in k² + 1) with bias.

    >>> layer_parameters(Block("bottleneck", 4 * C, 4 * C, C, bias=True))
    [C*(4*C + 1), C*(9*C + 1), (4*C)*(C + 1)]
    """
    counts = (parameter_count(layer) for layer in block.layers())
    return [_factored(c) for c in counts if c is not None]


def _factored(count: Count) -> sp.Expr:
    """C_out·(rest) kept as written when the count has a bias term (C·(4C + 1)), else factored."""
    if count.symbols[0] == C_out:
        rest = sp.expand(count.value / count.values[0])
        if rest.is_Add:
            return written(count.values[0], rest)
    return sp.factor(count.value)


def layer_sum(counts: Iterable[Count | None]) -> sp.Expr:
    """Σ of each layer's count formula with its values substituted: what a block total *is*.

    Computed from the layers, independently of how a sheet writes the terms or the
    polynomial; the steps that state a total are checked against it.

    >>> layer_sum(parameter_count(layer) for layer in Block("basic", C, C).layers())
    18*C**2
    """
    terms = [c.evaluated for c in counts if c]
    return sp.Add(*terms)


def layer_macs(block: Block) -> list[sp.Expr]:
    """Each conv's MACs on an N×H×W input, factored (e.g. 9 C² H N W).

    >>> layer_macs(Block("basic", C, C))
    [9*C**2*H*N*W, 9*C**2*H*N*W]
    """
    shape = Shape(N, block.c_in, H, W)
    counts = (mac_count(layer, s) for layer, s in traced_layers(block, shape))
    return [sp.factor(c.value) for c in counts if c is not None]


def cheaper_widths(difference: sp.Expr) -> tuple[sp.Set, list[sp.Expr]]:
    """Where ``difference = P_a(C) - P_b(C)`` is positive for C > 0, and its positive roots.

    Parameter counts are polynomials in C, so this is real-root isolation on one polynomial
    (``solve_univariate_inequality`` would also try periodicity and simplify: 100x slower).

    >>> cheaper_widths(C**2 - 4*C)
    (Interval.open(4, oo), [4])
    """
    poly = sp.Poly(difference, C)
    if poly.is_zero:
        return sp.S.EmptySet, []
    cheaper = sp.Union(*sp.solve_poly_inequality(poly, ">")) & POSITIVE
    roots = sorted({r for r in poly.real_roots() if r.is_positive})
    return cheaper, roots
