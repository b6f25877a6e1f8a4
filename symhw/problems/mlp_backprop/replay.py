"""How the hand replay works, and where it drifts most from the exact gradient."""

from __future__ import annotations

import sympy as sp

from symhw.derivation import Paragraph
from symhw.mlp import DERIVATIVE_FROM_OUTPUT, Trace, average, weight_symbol
from symhw.notation import GradientEntry
from symhw.problems.mlp_backprop.worked import Worked
from symhw.render.decimals import fixed_point


def _hand_derivatives(activations: tuple[str, ...], k: int) -> list:
    """How the hand replay gets θ' for each activation of the network, from the rules it uses
    (:data:`symhw.mlp.DERIVATIVE_FROM_OUTPUT`): ``1 - (x^(l))^2 for tanh, 1 for identity``."""
    s_l, x_l = sp.Symbol("s^(l)"), sp.Symbol("x^(l)")
    parts: list = []
    for name in dict.fromkeys(activations):  # each once, in layer order
        rule = DERIVATIVE_FROM_OUTPUT[name]
        if rule is None:
            parts += [f"{name}' at the rounded ", s_l, f" (rounded to {k} decimals)"]
        else:
            parts += [rule(s_l, x_l).rewrite(sp.Piecewise), f" for {name}"]
        parts.append(", ")
    return ["taken from the rounded outputs: ", *parts[:-1], ";"]


def replay_paragraph(k: int, w: Worked, replays: list[Trace], decimals: int) -> Paragraph:
    """How the hand replay works, and where it drifts most from the exact gradient."""
    hand = [average([r.grads[i] for r in replays]) for i in range(w.net.depth)]
    drifts = [
        (abs(float(h[i, j] - w.approx(g[i, j]))), layer, i, j)
        for layer, (g, h) in enumerate(zip(w.grads, hand, strict=True), start=1)
        for i in range(g.rows)
        for j in range(g.cols)
    ]
    worst, layer, i, j = max(drifts, key=lambda d: d[0])
    e = sp.Symbol("e", real=True)
    by_hand = fixed_point(hand[layer - 1][i, j], decimals)
    exactly = fixed_point(w.approx(w.grads[layer - 1][i, j]), decimals)
    return Paragraph(
        (
            "By hand, every forward value ",
            sp.Symbol("s^(l)"),
            ", ",
            sp.Symbol("x^(l)"),
            f" is rounded to {k} decimals as soon as it is computed; θ' is then ",
            *_hand_derivatives(w.net.activations, k),
            " and the backward pass multiplies those rounded numbers exactly, "
            "as on a hand-written sheet. The tables compare this replay with the exact values. "
            "Rounding the forward pass alone moves the gradient by up to "
            f"{fixed_point(worst, decimals)}, in ",
            GradientEntry(e, weight_symbol(layer, i, j + 1)),
            f" ({by_hand} by hand, {exactly} exactly): however carefully the "
            "backward pass is multiplied out, the hand answer keeps only the digits the rounded "
            "forward pass had.",
        )
    )
