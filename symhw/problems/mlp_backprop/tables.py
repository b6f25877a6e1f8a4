"""The value tables of a network's sheet: decimals, the hand replay and its drift."""

from __future__ import annotations

import sympy as sp

from symhw.derivation import Segment, Table
from symhw.mlp import Trace, quantity_symbol, weight_symbol
from symhw.notation import GradientEntry, indexed_symbol
from symhw.problems.mlp_backprop.worked import Worked
from symhw.render.decimals import as_decimals, fixed_point

Row = tuple[Segment, ...]


def _drift(hand: sp.Expr, exact: sp.Expr, decimals: int) -> str:
    out = fixed_point(hand - exact, decimals)
    return out if out.startswith("-") or set(out) <= set("0.") else "+" + out


def _row(
    label: sp.Basic,
    value: sp.Expr,
    hand: sp.Expr | None,
    worked: Worked,
    decimals: int,
    exact_column: bool,
) -> Row:
    """label, [the exact value,] its value to ``decimals``, [the hand value, the drift]."""
    approx = worked.approx(value)
    row: list[Segment] = [label, *([as_decimals(value)] if exact_column else [])]
    row.append(fixed_point(approx, decimals))
    if hand is not None:
        row += [fixed_point(hand, decimals), _drift(hand, approx, decimals)]
    return tuple(row)


def _header(first: str, forward: bool, decimals: int, rounding: int | None) -> tuple[str, ...]:
    """Column titles; the forward table also has the exact form. By hand, only forward values
    are rounded: backward values are exact products of those (more decimals)."""
    head = [first] + (["exact"] if forward else []) + [f"value ({decimals} decimals)"]
    if rounding is None:
        return tuple(head)
    hand = (
        f"by hand ({rounding} decimals)"
        if forward
        else f"by hand (from the {rounding}-decimal forward)"
    )
    return (*head, hand, "drift (hand - exact)")


def _point_rows(
    worked: Worked, n: int, hand: Trace | None, decimals: int
) -> tuple[list[Row], list[Row]]:
    """The forward rows (s⁽ˡ⁾ and x⁽ˡ⁾ of every layer, then e) and the backward rows (δ⁽ˡ⁾)
    of data point ``n``, beside the hand replay's values of that point."""
    trace, depth = worked.traces[n - 1], worked.net.depth
    point = n if len(worked.traces) > 1 else None

    def hand_value(attr: str, index: int, j: int) -> sp.Expr | None:
        return getattr(hand, attr)[index][j] if hand else None

    forward, backward = [], []
    for layer in range(1, depth + 1):
        hidden = layer < depth
        for j, value in enumerate(trace.s[layer - 1], start=1):
            label = quantity_symbol("s", layer, j, point)
            h = hand_value("s_used", layer - 1, j - 1)
            forward.append(_row(label, value, h, worked, decimals, True))
        for j, value in enumerate(trace.x[layer][hidden:], start=1):
            label = quantity_symbol("x", layer, j, point)
            h = hand_value("x", layer, j - 1 + hidden)
            forward.append(_row(label, value, h, worked, decimals, True))
        for j, value in enumerate(trace.delta[layer - 1], start=1):
            label = quantity_symbol("delta", layer, j, point)
            h = hand_value("delta", layer - 1, j - 1)
            backward.append(_row(label, value, h, worked, decimals, False))
    e = indexed_symbol("e", point, real=True)
    forward.append(_row(e, trace.e, hand.e if hand else None, worked, decimals, True))
    return forward, backward


def _gradient_rows(worked: Worked, hand: Worked | None, decimals: int) -> list[Row]:
    """One row per weight: ∂e/∂w⁽ˡ⁾ᵢⱼ averaged over the points, by hand beside it."""
    e = sp.Symbol("e", real=True)
    rows = []
    for layer, g in enumerate(worked.grads, start=1):
        for i in range(g.rows):
            for j in range(g.cols):
                label = GradientEntry(e, weight_symbol(layer, i, j + 1))
                h = hand.grads[layer - 1][i, j] if hand else None
                rows.append(_row(label, g[i, j], h, worked, decimals, False))
    return rows


def value_tables(worked: Worked, hand: Worked | None, decimals: int) -> list[Table]:
    """Forward, backward and gradient values as decimals, with the hand replay and its drift."""
    forward, backward = [], []
    for n in range(1, len(worked.traces) + 1):
        rows = _point_rows(worked, n, hand.traces[n - 1] if hand else None, decimals)
        forward += rows[0]
        backward += rows[1]
    rounding = hand.rounding if hand else None
    return [
        Table("Forward table", _header("quantity", True, decimals, rounding), tuple(forward)),
        Table("Backward table", _header("quantity", False, decimals, rounding), tuple(backward)),
        Table(
            "Gradient table",
            _header("entry", False, decimals, rounding),
            tuple(_gradient_rows(worked, hand, decimals)),
        ),
    ]
