"""The backward pass as one formula: ∂L/∂x_{it} = Σ_j Σ_k w^{ij}_{K+1−k} Z_{j,t+d(k−1)},
with Z the zero-padded (and, for a stride, spread) ∂L/∂Y, Z_{j, p₀+s(t−1)+1} = ∂L/∂Y_{jt}.

Every index is read off the layer's own index rule (:class:`~symhw.conv.shape.Axis`): the
backward layer's :meth:`~symhw.conv.shape.Axis.source` gives where tap k reads Z, the flip
gives K+1−k, and :class:`~symhw.conv.windows.Scan` where ∂L/∂Y sits in Z. The formula is
verified by evaluating it, as printed, at every input position shown and comparing with the
row of Aᵀ ∂L/∂Y the index map gives (not with the correlation steps it summarises).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

import numpy as np
import sympy as sp

from symhw.builder import DerivationBuilder
from symhw.conv import ConvGeometry
from symhw.conv.symbols import LOSS
from symhw.conv.windows import Scan
from symhw.notation import GradientEntry, indexed_symbol
from symhw.problems.conv_matrix.general_equation import (
    CH_IN,
    CH_OUT,
    CHECK_TERMS,
    W_INDEXED,
    general_symbol,
    nested_sum,
    position_symbols,
    tap_symbols,
)
from symhw.problems.conv_matrix.layer import ShownLayer, flat_index

#: Z, indexed (1-based) as on the sheet: channel first, then the positions.
Z_INDEXED = sp.IndexedBase("Z")
RULE = "at each input shown: its row of Aᵀ ∂L/∂Y"
SUBSTITUTE = "Aᵀ ∂L/∂Y by output: the tap that reads x"
#: ∂L/∂Y indexed (1-based) as on the sheet, for checking the substitution step.
G_INDEXED = sp.IndexedBase("G")
PLACEMENT = "where ∂L/∂Y sits in Z (0 elsewhere)"


def backward_formula(g: ConvGeometry) -> tuple[sp.Expr, list[tuple[sp.Symbol, int, int]]]:
    """The summand w[i, j, K+1−k] Z[j, t+d(k−1)] of ∂L/∂x_{it}, and its limits (j over the
    output channels, k over the taps).

    >>> from symhw.conv import conv_geometry
    >>> term, limits = backward_formula(conv_geometry(2, 2, 4, 3))
    >>> term, limits
    (Z[j, k + t - 1]*w[i, j, 4 - k], [(j, 1, 2), (k, 1, 3)])
    """
    ins, taps = position_symbols(g.dims), tap_symbols(g.dims)
    back = g.backward().axes  # stride 1, no padding, the layer's dilation
    reads = [
        sp.expand(ax.source(t - 1, k - 1) + 1) for ax, t, k in zip(back, ins, taps, strict=True)
    ]
    # tap k−1 (0-based) of the reversed kernel is tap K−1−(k−1) of w: 1-based, K+1−k
    flipped = [n - (k - 1) for k, n in zip(taps, g.kernel, strict=True)]
    term = W_INDEXED[(CH_IN, CH_OUT, *flipped)] * Z_INDEXED[(CH_OUT, *reads)]
    limits = [
        (CH_OUT, 1, g.out_channels),
        *((k, 1, n) for k, n in zip(taps, g.kernel, strict=True)),
    ]
    return term, limits


def z_placement(g: ConvGeometry) -> sp.Eq:
    """Where ∂L/∂Y_{jt} sits in Z: Z_{j, p₀+1+s(t−1)} (p₀ zeros before, s the stride).

    >>> from symhw.conv import conv_geometry
    >>> z_placement(conv_geometry(2, 2, 4, 3)), z_placement(conv_geometry(1, 1, 5, 3, stride=2))
    (Eq(Z[j, t + 2], dL/dY_jt), Eq(Z[j, 2*t + 1], dL/dY_jt))
    """
    outs, scan = position_symbols(g.dims), Scan.backward(g)
    at = [
        sp.expand(off + 1 + st * (t - 1))
        for t, off, st in zip(outs, scan.offset, scan.step, strict=True)
    ]
    return sp.Eq(
        Z_INDEXED[(CH_OUT, *at)],
        GradientEntry(LOSS, general_symbol("Y", CH_OUT, outs)),
        evaluate=False,
    )


def shown_formula(g: ConvGeometry) -> sp.Eq:
    """∂L/∂x_{it} = Σ_j Σ_k w^{ij}_{K+1−k} Z_{j,...} as the sheet prints it (the weight
    named as the element equation names it, its tap index the flipped one)."""
    term, limits = backward_formula(g)
    weight = next(e for e in term.atoms(sp.Indexed) if e.base == W_INDEXED)
    z = next(e for e in term.atoms(sp.Indexed) if e.base == Z_INDEXED)
    taps = ",".join(str(k).replace(" ", "") for k in weight.indices[2:])
    shown = sp.Mul(indexed_symbol("w", taps, "ij"), z, evaluate=False)  # w before Z
    x = general_symbol("x", CH_IN, position_symbols(g.dims))
    return sp.Eq(GradientEntry(LOSS, x), nested_sum(shown, limits), evaluate=False)


def reading_tap(g: ConvGeometry) -> list[sp.Expr]:
    """The tap k through which output t′ reads input t (the inverse of the index rule
    s(t′−1) + d(k−1) − p + 1 = t), per axis; w^{ij}_k is 0 unless k is a tap.

    >>> from symhw.conv import conv_geometry
    >>> reading_tap(conv_geometry(2, 2, 4, 3)), reading_tap(conv_geometry(1, 1, 5, 3, stride=2))
    ([t - t' + 1], [t - 2*t' + 2])
    """
    ins, outs = position_symbols(g.dims), position_symbols(g.dims, "'")
    return [
        sp.expand((t - 1 - ax.source(u - 1, 0)) / ax.dilation + 1)
        for ax, t, u in zip(g.axes, ins, outs, strict=True)
    ]


def substitution_formula(g: ConvGeometry) -> sp.Eq:
    """∂L/∂x_{it} = Σ_j Σ_{t′} w^{ij}_{k(t, t′)} ∂L/∂Y_{jt′}: entry (i, t) of Aᵀ ∂L/∂Y, each
    output weighted by the tap that reads x_{it} (:func:`reading_tap`)."""
    taps = ",".join(str(k).replace(" ", "") for k in reading_tap(g))
    outs = position_symbols(g.dims, "'")
    grad_y = GradientEntry(LOSS, general_symbol("Y", CH_OUT, outs))
    term = sp.Mul(indexed_symbol("w", taps, "ij"), grad_y, evaluate=False)
    limits = [
        (CH_OUT, 1, g.out_channels),
        *((u, 1, n) for u, n in zip(outs, g.out_size, strict=True)),
    ]
    x = general_symbol("x", CH_IN, position_symbols(g.dims))
    return sp.Eq(GradientEntry(LOSS, x), nested_sum(term, limits), evaluate=False)


def change_of_index(g: ConvGeometry) -> list[tuple[sp.Eq, sp.Eq]]:
    """Per axis, the output t′ that tap k of the backward formula reads through Z (t′ in
    terms of t and k: where Z_{j,t+d(k−1)} holds ∂L/∂Y_{jt′}), and what the forward tap
    k(t, t′) becomes there: the flipped tap K+1−k, computed (raises if it were not).

    >>> from symhw.conv import conv_geometry
    >>> change_of_index(conv_geometry(2, 2, 4, 3))
    [(Eq(t', k + t - 3), Eq(t - t' + 1, 4 - k))]
    """
    term, _ = backward_formula(g)
    z = next(e for e in term.atoms(sp.Indexed) if e.base == Z_INDEXED)
    w = next(e for e in term.atoms(sp.Indexed) if e.base == W_INDEXED)
    at = z_placement(g).lhs.indices[1:]  # Z index of ∂L/∂Y_{jt}, in the output t
    outs = position_symbols(g.dims)
    primed = position_symbols(g.dims, "'")
    found = []
    for t, u, placed, read, k_at, flipped in zip(
        outs, primed, at, z.indices[1:], reading_tap(g), w.indices[2:], strict=True
    ):
        solved = _solve_linear(placed.xreplace({t: u}) - read, u)
        tap = sp.expand(k_at.xreplace({u: solved}))
        if sp.expand(tap - flipped) != 0:
            raise ValueError(f"tap {tap} is not the flipped tap {flipped}")
        found.append((sp.Eq(u, solved, evaluate=False), sp.Eq(k_at, tap, evaluate=False)))
    return found


def _solve_linear(expr: sp.Expr, u: sp.Symbol) -> sp.Expr:
    """The u where ``expr`` (linear in u, as every index rule of a layer is) is 0; sp.solve
    takes 0.1 s for it.

    >>> t, k, u = sp.symbols("t k u")
    >>> _solve_linear(u + 2 - (t + k - 1), u)
    k + t - 3
    """
    slope = sp.diff(expr, u)
    if slope == 0 or sp.diff(slope, u) != 0:
        raise ValueError(f"{expr} is not linear in {u}")
    return sp.expand(u - expr / slope)


def substitution_step(b: DerivationBuilder, layer: ShownLayer) -> None:
    """:func:`substitution_formula` as a step, checked at the inputs the sheet shows against
    the row of Aᵀ ∂L/∂Y the index map gives (each evaluation builds C_out × outputs terms)."""
    g, s = layer.geometry, layer.s
    shown = substitution_formula(g)
    per_case = g.out_channels * int(np.prod(g.out_size))
    cases = layer.shown(g.in_channels, g.size)[: max(0, CHECK_TERMS // per_case)]
    if not cases:
        budget = f"evaluating it builds {per_case:,} terms, over the budget of {CHECK_TERMS:,}"
        b.over_budget(shown.lhs, shown.rhs, rule=SUBSTITUTE, budget=budget)
        return
    ins, outs = position_symbols(g.dims), position_symbols(g.dims, "'")
    k_at = reading_tap(g)
    term = W_INDEXED[(CH_IN, CH_OUT, *k_at)] * G_INDEXED[(CH_OUT, *outs)]
    limits = [
        (CH_OUT, 1, g.out_channels),
        *((u, 1, n) for u, n in zip(outs, g.out_size, strict=True)),
    ]
    pairs = []
    for i, pos in cases:
        at = dict(zip((CH_IN, *ins), (i + 1, *(p + 1 for p in pos)), strict=True))
        for j, out in itertools.product(range(g.out_channels), np.ndindex(*g.out_size)):
            where = {**at, CH_OUT: j + 1, **dict(zip(outs, (o + 1 for o in out), strict=True))}
            ks = [k.xreplace(where) for k in k_at]
            is_tap = all(k.is_integer and 1 <= k <= n for k, n in zip(ks, g.kernel, strict=True))
            tap = tuple(int(k) - 1 for k in ks) if is_tap else None
            connected = g.connected(i, j) and tap is not None
            weight = s.weight(j, i % g.in_per_group, tap) if connected else sp.Integer(0)
            b.instance = b.instance.with_definition(W_INDEXED[(i + 1, j + 1, *ks)], weight)
            b.instance = b.instance.with_definition(
                G_INDEXED[(j + 1, *(o + 1 for o in out))], s.grad_y(j, out)
            )
        pairs.append((sp.Sum(term, *limits).xreplace(at), _transpose_row(layer, i, pos)))
    b.general(shown.lhs, shown.rhs, cases=pairs, rule=SUBSTITUTE)


def _define_entries(b: DerivationBuilder, layer: ShownLayer, z_at: Callable, cases) -> None:
    """w[i, j, k] (0 across groups) and Z[j, ...] as named entries, for the checks of the
    inputs ``cases``: every entry the formula can read there (Z's window of each tap)."""
    g, s, defs = layer.geometry, layer.s, {}
    back = g.backward().axes
    for i, pos in cases:
        for j in range(g.out_channels):
            local = i % g.in_per_group
            for tap in np.ndindex(*g.kernel):
                key = W_INDEXED[(i + 1, j + 1, *(k + 1 for k in tap))]
                defs[key] = s.weight(j, local, tap) if g.connected(i, j) else sp.Integer(0)
                at = tuple(ax.source(p, k) for ax, p, k in zip(back, pos, tap, strict=True))
                defs[Z_INDEXED[(j + 1, *(a + 1 for a in at))]] = z_at(j, at)
    for name, value in defs.items():
        b.instance = b.instance.with_definition(name, value)


def _transpose_row(layer: ShownLayer, i: int, pos: tuple[int, ...]) -> sp.Expr:
    """Entry (i, pos) of Aᵀ ∂L/∂Y: the row of Aᵀ from the index map, times ∂L/∂Y."""
    g, s = layer.geometry, layer.s
    m = i * int(np.prod(g.size)) + flat_index(g.size, pos)
    pairs = layer.index_map.nonzeros(m, transpose=True)
    return sp.Add(*[s.weight_flat(w) * s.grad_y_flat(r) for r, w in pairs])


def formula_step(b: DerivationBuilder, layer: ShownLayer, z_at: Callable) -> None:
    """The boxed formula as a step, checked at the inputs the sheet shows (within the term
    budget: each evaluation builds C_out × taps terms)."""
    g = layer.geometry
    shown = shown_formula(g)
    per_case = g.out_channels * g.taps
    cases = layer.shown(g.in_channels, g.size)[: max(0, CHECK_TERMS // per_case)]
    if not cases:
        b.over_budget(
            shown.lhs,
            shown.rhs,
            rule=RULE,
            budget=f"evaluating it builds {per_case:,} terms, over the budget of {CHECK_TERMS:,}",
        )
        return
    _define_entries(b, layer, z_at, cases)
    term, limits = backward_formula(g)
    general = sp.Sum(term, *limits)
    names = (CH_IN, *position_symbols(g.dims))
    pairs = [
        (
            general.xreplace(dict(zip(names, (i + 1, *(p + 1 for p in pos)), strict=True))),
            _transpose_row(layer, i, pos),
        )
        for i, pos in cases
    ]
    b.general(shown.lhs, shown.rhs, cases=pairs, rule=RULE)


def placement_step(b: DerivationBuilder, layer: ShownLayer, z_at: Callable) -> None:
    """Where ∂L/∂Y sits in Z, as a step checked against the Z shown, at every output (at
    the outputs the sheet shows, for a large layer)."""
    g = layer.geometry
    rule = z_placement(g)
    names = (CH_OUT, *position_symbols(g.dims))
    index = rule.lhs
    cases = []
    for j, pos in layer.shown(g.out_channels, g.out_size):
        at = dict(zip(names, (j + 1, *(p + 1 for p in pos)), strict=True))
        entry = index.xreplace(at)
        where = tuple(int(a) - 1 for a in entry.indices[1:])
        b.instance = b.instance.with_definition(entry, z_at(j, where))
        cases.append((entry, layer.s.grad_y(j, pos)))
    b.general(rule.lhs, rule.rhs, cases=cases, rule=PLACEMENT)
