"""How the hand replay works, and where it drifts most from the exact gradient."""

from __future__ import annotations

import sympy as sp

from symhw.derivation import Paragraph, Segment
from symhw.mlp import DERIVATIVE_FROM_OUTPUT, weight_symbol
from symhw.notation import GradientEntry, layer_symbol
from symhw.problems.mlp_backprop.labels import derivative_rule
from symhw.problems.mlp_backprop.nodes import Fixed, ThetaPrime
from symhw.problems.mlp_backprop.worked import Worked


def _hand_derivatives(activations: tuple[str, ...], rounding: int) -> list[Segment]:
    """How the hand replay gets θ' for each activation of the network, from the rules it uses
    (:data:`symhw.mlp.DERIVATIVE_FROM_OUTPUT`): ``1 - (x^(l))^2 for tanh, 1 for identity``."""
    s_l, x_l = layer_symbol("s", "l"), layer_symbol("x", "l")
    parts: list[Segment] = []
    for name in dict.fromkeys(activations):  # each once, in layer order
        rule = DERIVATIVE_FROM_OUTPUT[name]
        if rule is None:  # θ′ of s itself, at the rounded s
            closed = derivative_rule(name).rhs.subs(sp.Symbol("s", real=True), s_l)
            parts += [sp.Eq(ThetaPrime(s_l), closed, evaluate=False), f" for {name}"]
            parts += [" at the rounded ", s_l, f" (rounded to {rounding} decimals)"]
        else:
            written = rule(s_l, x_l).rewrite(sp.Piecewise)
            parts += [sp.Eq(ThetaPrime(s_l), written, evaluate=False), f" for {name}"]
        parts.append(", ")
    return ["taken from the rounded outputs: ", *parts[:-1], ";"]


def _largest_drift(exact: Worked, hand: Worked) -> tuple[float, int, int, int]:
    """The largest |hand − exact| over the gradient's entries, and where: (drift, l, i, j)."""
    drifts = [
        (abs(float(h[i, j] - exact.approx(g[i, j]))), layer, i, j)
        for layer, (g, h) in enumerate(zip(exact.grads, hand.grads, strict=True), start=1)
        for i in range(g.rows)
        for j in range(g.cols)
    ]
    return max(drifts, key=lambda d: d[0])


def replay_paragraph(exact: Worked, hand: Worked, decimals: int) -> Paragraph:
    """How the hand replay works, and where it drifts most from the exact gradient."""
    worst, layer, i, j = _largest_drift(exact, hand)
    e = sp.Symbol("e", real=True)
    # numbers as math: a number too long for a line of prose is displayed, its digits
    # continued on the next rows
    by_hand = Fixed(hand.grads[layer - 1][i, j], decimals)
    exactly = Fixed(exact.approx(exact.grads[layer - 1][i, j]), decimals)
    return Paragraph(
        (
            "By hand, every forward value ",
            layer_symbol("s", "l"),
            ", ",
            layer_symbol("x", "l"),
            f" is rounded to {hand.rounding} decimals as soon as it is computed; θ′ is then ",
            *_hand_derivatives(exact.net.activations, hand.rounding),
            " and the backward pass multiplies those rounded numbers exactly, "
            "as on a hand-written sheet. The tables compare this replay with the exact values. "
            "Rounding the forward pass alone moves the gradient by up to ",
            Fixed(worst, decimals),
            ", in ",
            GradientEntry(e, weight_symbol(layer, i, j + 1)),
            " (",
            by_hand,
            " by hand, ",
            exactly,
            " exactly): however carefully the "
            "backward pass is multiplied out, the hand answer keeps only the digits the rounded "
            "forward pass had.",
        )
    )
