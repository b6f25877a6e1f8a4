"""The limits of θ' and of the gradient's per-sample factor as s → ±∞, and what they mean
for a gradient whose weights grow."""

from __future__ import annotations

import sympy as sp

from symhw.activations import Activation
from symhw.builder import DerivationBuilder
from symhw.derivation import Derivation, Paragraph
from symhw.notation import Inner, Vec
from symhw.problems.activation_loss.gradient import GradientForm
from symhw.problems.activation_loss.symbols import Y, s, t, w, x_n, y_n
from symhw.verify import limit


def limit_derivation(act: Activation, form: GradientForm) -> tuple[Derivation, dict[str, sp.Expr]]:
    """lim θ'(s) and lim of the per-sample factor as s → ±∞, computed with sympy.limit."""
    b = DerivationBuilder(
        "Limits as the pre-activation grows",
        intro=(
            "Write ",
            sp.Eq(s, Inner(w, x_n), evaluate=False),
            " and ",
            sp.Eq(Y, y_n, evaluate=False),
            ". The derivative of the activation, and the whole factor that multiplies ",
            x_n,
            " in the gradient, behave as follows when s grows in either direction:",
        ),
    )
    closed = act.derivative(s)
    limits = {}
    for key, point in (("pos", sp.oo), ("neg", -sp.oo)):
        value = limit(closed, s, point)
        b.equal(sp.Limit(closed, s, point), value, rule="limit")
        limits[f"derivative_{key}"] = value
    for key, point in (("pos", sp.oo), ("neg", -sp.oo)):
        value = limit(form.factor, s, point)
        b.equal(sp.Limit(form.factor_shown, s, point), value, rule="limit")
        limits[f"factor_{key}"] = value
    return b.build(), limits


def conclusion(act: Activation, limits: dict[str, sp.Expr]) -> Paragraph:
    u = Inner(w, x_n)
    lead = (
        "Let the weights grow along a direction, ",
        sp.Eq(w, t * Vec(sp.Symbol("u")), evaluate=False),
        " with ",
        sp.Symbol("t"),
        " → ∞, and suppose ",
        sp.Ne(Inner(Vec(sp.Symbol("u")), x_n), 0, evaluate=False),
        " for every sample. Then every pre-activation ",
        u,
        " tends to ",
        sp.oo,
        " or ",
        -sp.oo,
        ", and each term of the gradient is the factor above times the fixed vector ",
        x_n,
        ". ",
    )
    pos, neg = limits["factor_pos"] == 0, limits["factor_neg"] == 0
    if pos and neg:
        tail = (
            f"Both limits are 0, so every term tends to 0 and the gradient vanishes: {act.name} "
            "saturates, its derivative goes to 0, and gradient descent barely moves the weights "
            "(the vanishing-gradient problem).",
        )
    elif pos or neg:
        side = "positive" if pos else "negative"
        tail = (
            f"Only the terms whose pre-activation goes to {side} infinity vanish; the others "
            f"do not, so the gradient vanishes only when every sample lies on the {side} side.",
        )
    else:
        tail = (
            "Neither limit is 0 (for a generic target y), so the gradient does not vanish as the "
            "weights grow: this activation and loss do not saturate.",
        )
    if act.name != "identity" and limits["derivative_pos"] == limits["derivative_neg"] == 0:
        tail = (*tail, f" The cause is {act.name}': it tends to 0 in both directions.")
    return Paragraph((*lead, *tail))
