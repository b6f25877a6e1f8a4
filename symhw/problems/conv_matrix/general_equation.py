"""The general element equation, and the definitions the steps of a sheet are checked against.

Each written-out entry Y_{j,t} is checked against the general equation Σ_i Σ_k w_k^ij
x_{i, s(t-1)+d(k-1)-p+1} evaluated at (j, t), and each ∂L/∂x_{i,t} against the chain rule
summed over the outputs around it. Evaluating the general equation builds C_in / groups ×
kernel positions terms per output, so a step whose check would build more than
:data:`CHECK_TERMS` is shown "not verified (budget)" instead: a count, the same on every
machine.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import sympy as sp

from symhw.builder import DerivationBuilder
from symhw.conv import ConvGeometry
from symhw.conv.equations import readers
from symhw.notation import PartialDerivative, indexed_symbol, written_sum
from symhw.problems.conv_matrix.layer import ShownLayer

#: Channel indices as they appear in the prose of a sheet.
CH_IN, CH_OUT = sp.symbols("i j")
#: The weights and inputs of the general element equation, indexed (1-based) as on the sheet.
W_INDEXED, X_INDEXED = sp.IndexedBase("w"), sp.IndexedBase("x")
#: The most terms of the general element equation one step's check may build (over all the
#: outputs it uses); a step past it is shown "not verified (budget)".
CHECK_TERMS = 1024
#: Up to this many outputs, the chain rule for ∂L/∂x_{it} is checked summed over all of them.
ALL_OUTPUTS = 64


def position_symbols(dims: int, prime: str = "") -> tuple[sp.Symbol, ...]:
    """t (1-D) or m, n (2-D), optionally primed: the positions in the general equations."""
    return tuple(sp.Symbol(n + prime) for n in ("t",) if dims == 1) or tuple(
        sp.Symbol(n + prime) for n in ("m", "n")
    )


def tap_symbols(dims: int) -> tuple[sp.Symbol, ...]:
    """k (1-D) or a, b (2-D): the kernel positions in the general equations."""
    return (sp.Symbol("k"),) if dims == 1 else sp.symbols("a b")


def general_symbol(letter: str, channel: sp.Symbol, positions: tuple[sp.Symbol, ...]) -> sp.Symbol:
    """A display name with symbolic indices: Y_jt, x_i,m,n, ..."""
    sep = "" if len(positions) == 1 else ","
    return indexed_symbol(letter, sep.join(map(str, (channel, *positions))))


def nested_sum(term: sp.Expr, limits: list[tuple[sp.Symbol, int, int]]) -> sp.Expr:
    """Σ Σ ... written as nested sums (SymPy would merge them into one multi-limit sum)."""
    for limit in reversed(limits):
        term = sp.Sum(sp.UnevaluatedExpr(term), limit)
    return term


def general_formula(g: ConvGeometry) -> tuple[sp.Expr, list[tuple[sp.Symbol, int, int]]]:
    """The summand w[i, j, k] x[i, s(t - 1) + d(k - 1) - p + 1] of Y_{jt}, and its limits."""
    outs, taps = position_symbols(g.dims), tap_symbols(g.dims)
    src = [
        sp.expand(ax.source(t - 1, k - 1) + 1) for ax, t, k in zip(g.axes, outs, taps, strict=True)
    ]
    term = W_INDEXED[(CH_IN, CH_OUT, *taps)] * X_INDEXED[(CH_IN, *src)]
    limits = [(CH_IN, 1, g.in_channels), *((k, 1, n) for k, n in zip(taps, g.kernel, strict=True))]
    return term, limits


def general_element(layer: ShownLayer, j: int, pos: tuple[int, ...]) -> sp.Expr:
    """Y_{j,pos} (0-based) from the general element equation: its x index, a SymPy expression
    in t and the taps, evaluated at pos for every tap, summed over the input channels of j's
    group (weights across groups are 0) with x outside the signal set to 0.

    It is read off the formula as the sheet prints it (:func:`general_formula`), not from
    :func:`~symhw.conv.equations.element_terms` or the index map behind A, so the entries
    written out on the sheet are checked against it.

    >>> from symhw.conv import conv_geometry
    >>> y21 = general_element(ShownLayer(conv_geometry(2, 2, 4, 3)), 1, (0,))
    >>> sorted(map(str, y21.args))[:3]
    ['w_1^12*x_11', 'w_1^22*x_21', 'w_2^12*x_12']
    """
    g = layer.geometry
    term, _ = general_formula(g)
    x_index = next(e for e in term.atoms(sp.Indexed) if e.base == X_INDEXED)
    at = dict(zip(position_symbols(g.dims), (p + 1 for p in pos), strict=True))
    sources = []  # per axis, the 0-based input position each tap reads
    for index, k, size in zip(x_index.indices[1:], tap_symbols(g.dims), g.kernel, strict=True):
        line = sp.expand(index.xreplace(at))  # a k + b, as the sheet's formula gives it
        a, b = int(line.coeff(k, 1)), int(line.coeff(k, 0))
        sources.append(a * np.arange(1, size + 1) + b - 1)
    first = j // g.out_per_group * g.in_per_group
    terms = []
    for tap in np.ndindex(*g.kernel):
        u = tuple(int(src[k]) for src, k in zip(sources, tap, strict=True))
        if all(0 <= v < n for v, n in zip(u, g.size, strict=True)):
            terms += [
                layer.s.weight(j, i - first, tap) * layer.s.x(i, u)
                for i in range(first, first + g.in_per_group)
            ]
    return sp.Add(*terms)


def general_terms(g: ConvGeometry) -> int:
    """Terms the general equation has at one output (before x outside the signal drops out)."""
    return g.in_per_group * g.taps


def over_budget(layer: ShownLayer, outputs: int) -> str | None:
    """Why checking against the general equation at ``outputs`` outputs is not tried, or None.

    >>> from symhw.conv import conv_geometry
    >>> layer = ShownLayer(conv_geometry(4096, 1, 3, 3))
    >>> print(over_budget(layer, 1))  # doctest: +NORMALIZE_WHITESPACE
    checking it would build the general element equation at 1 output: 12,288 terms, over the
    budget of 1,024
    """
    terms = outputs * general_terms(layer.geometry)
    if terms <= CHECK_TERMS:
        return None
    return (
        f"checking it would build the general element equation at {outputs:,} "
        f"output{'s' if outputs != 1 else ''}: {terms:,} terms, over the budget of "
        f"{CHECK_TERMS:,}"
    )


def ensure_defined(b: DerivationBuilder, layer: ShownLayer, j: int, pos: tuple[int, ...]) -> None:
    """Let checks use Y_{j,pos} = the general element equation at (j, pos) (shown or not)."""
    y = layer.s.y(j, pos)
    if y not in b.instance.definitions:
        b.instance = b.instance.with_definition(y, general_element(layer, j, pos))


def chain_rule_sum(layer: ShownLayer, i: int, pos: tuple[int, ...]) -> sp.Expr:
    """Σ ∂L/∂Y ∂Y/∂x_{i,pos} over the outputs that read x_{i,pos}, as written."""
    s, x = layer.s, layer.s.x(i, pos)
    outputs = readers(layer.geometry, i, pos)
    return written_sum(*[s.grad_y(j, t) * PartialDerivative(s.y(j, t), x) for j, t in outputs])


def chain_rule(b: DerivationBuilder, layer: ShownLayer, i: int, pos: tuple[int, ...]) -> sp.Expr:
    """:func:`chain_rule_sum`, with the equations of its outputs defined for the checks."""
    for j, t in readers(layer.geometry, i, pos):
        ensure_defined(b, layer, j, t)
    return chain_rule_sum(layer, i, pos)


def _near(layer: ShownLayer, i: int, pos: tuple[int, ...]) -> tuple[list[int], list[range]]:
    """The channels and, per axis, the positions of the outputs the chain-rule check sums
    over: all when few, else those of the channels connected to i whose window (widened by
    one on each side) can reach ``pos``."""
    g = layer.geometry
    if g.out_channels * math.prod(g.out_size) <= ALL_OUTPUTS:
        return list(range(g.out_channels)), [range(m) for m in g.out_size]
    first = i // g.in_per_group * g.out_per_group
    spans = [ax.span(u) for ax, u in zip(g.axes, pos, strict=True)]
    ranges = [
        range(max(0, lo - 1), min(ax.out_size, hi + 2))
        for ax, (lo, hi) in zip(g.axes, spans, strict=True)
    ]
    return list(range(first, first + g.out_per_group)), ranges


def near_count(layer: ShownLayer, i: int, pos: tuple[int, ...]) -> int:
    """How many outputs the chain-rule check of ∂L/∂x_{i,pos} sums over."""
    channels, ranges = _near(layer, i, pos)
    return len(channels) * math.prod(len(r) for r in ranges)


def chain_rule_budget(layer: ShownLayer, i: int, pos: tuple[int, ...]) -> str | None:
    """Why ∂L/∂x_{i,pos} is not checked against the chain rule over every output, or None."""
    return over_budget(layer, near_count(layer, i, pos))


def chain_rule_all(
    b: DerivationBuilder, layer: ShownLayer, i: int, pos: tuple[int, ...]
) -> sp.Expr:
    """Σ_j Σ_t ∂L/∂Y_{jt} ∂Y_{jt}/∂x_{i,pos} over every output (see :func:`_near`), zero
    terms included, each Y by the general element equation: what the shown sums, of the
    nonzero terms only, are checked against."""
    x, s = layer.s.x(i, pos), layer.s
    channels, ranges = _near(layer, i, pos)
    outputs = [(j, tuple(t)) for j in channels for t in itertools.product(*ranges)]
    for j, t in outputs:
        ensure_defined(b, layer, j, t)
    return sp.Add(*[s.grad_y(j, t) * PartialDerivative(s.y(j, t), x) for j, t in outputs])


def ensure_chain_rule(
    b: DerivationBuilder, layer: ShownLayer, i: int, pos: tuple[int, ...]
) -> None:
    """Let checks use ∂L/∂x_{i,pos} by the chain rule (over all outputs), shown or not."""
    name = layer.s.grad_x(i, pos)
    if name not in b.instance.definitions:
        b.instance = b.instance.with_definition(name, chain_rule_all(b, layer, i, pos))
