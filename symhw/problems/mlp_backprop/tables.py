"""The value tables of a network's sheet: decimals, the hand replay and its drift."""

from __future__ import annotations

import sympy as sp

from symhw.derivation import Table
from symhw.mlp import Trace, average, quantity_symbol, weight_symbol
from symhw.notation import GradientEntry
from symhw.problems.mlp_backprop.worked import Worked
from symhw.render.decimals import as_decimals, fixed_point


def _drift(hand: sp.Expr, exact: sp.Expr, decimals: int) -> str:
    out = fixed_point(hand - exact, decimals)
    return out if out.startswith("-") or set(out) <= set("0.") else "+" + out


def _row(label, exact_shown, value, hand, w: Worked, decimals: int, with_exact: bool):
    row = [label]
    if with_exact:
        row.append(exact_shown)
    row.append(fixed_point(w.approx(value), decimals))
    if hand is not None:
        row += [fixed_point(hand, decimals), _drift(hand, w.approx(value), decimals)]
    return tuple(row)


def _header(first: str, forward: bool, decimals: int, k: int) -> tuple[str, ...]:
    """Column titles; the forward table also has the exact form. By hand, only forward values
    are rounded to k decimals: backward values are exact products of those (more decimals)."""
    head = [first] + (["exact"] if forward else []) + [f"value ({decimals} decimals)"]
    hand = f"by hand ({k} decimals)" if forward else f"by hand (from the {k}-decimal forward)"
    return tuple(head + ([hand, "drift (hand - exact)"] if k else []))


def value_tables(w: Worked, replays: list[Trace] | None, decimals: int, k: int) -> list[Table]:
    """Forward, backward and gradient values as decimals, with the hand replay and its drift."""
    several = len(w.traces) > 1
    forward, backward = [], []
    for n, trace in enumerate(w.traces, start=1):
        hand = replays[n - 1] if replays else None
        point = n if several else None
        for layer in range(1, w.net.depth + 1):
            hidden = layer < w.net.depth
            for j, value in enumerate(trace.s[layer - 1], start=1):
                h = hand.s_used[layer - 1][j - 1] if hand else None
                label = quantity_symbol("s", layer, j, point)
                forward.append(_row(label, as_decimals(value), value, h, w, decimals, True))
            for j, value in enumerate(trace.x[layer][hidden:], start=1):
                h = hand.x[layer][j - 1 + hidden] if hand else None
                label = quantity_symbol("x", layer, j, point)
                forward.append(_row(label, as_decimals(value), value, h, w, decimals, True))
            for j, value in enumerate(trace.delta[layer - 1], start=1):
                h = hand.delta[layer - 1][j - 1] if hand else None
                label = quantity_symbol("delta", layer, j, point)
                backward.append(_row(label, None, value, h, w, decimals, False))
        e_label = sp.Symbol(f"e_{n}" if several else "e", real=True)
        h = hand.e if hand else None
        forward.append(_row(e_label, as_decimals(trace.e), trace.e, h, w, decimals, True))
    hand_grads = (
        [average([r.grads[i] for r in replays]) for i in range(w.net.depth)] if replays else None
    )
    gradient = []
    e = sp.Symbol("e", real=True)
    for layer, g in enumerate(w.grads, start=1):
        for i in range(g.rows):
            for j in range(g.cols):
                h = hand_grads[layer - 1][i, j] if hand_grads else None
                label = GradientEntry(e, weight_symbol(layer, i, j + 1))
                gradient.append(_row(label, None, g[i, j], h, w, decimals, False))
    return [
        Table("Forward table", _header("quantity", True, decimals, k), tuple(forward)),
        Table("Backward table", _header("quantity", False, decimals, k), tuple(backward)),
        Table("Gradient table", _header("entry", False, decimals, k), tuple(gradient)),
    ]
