"""Part I of question 1: θ' and ∇E_in in brief, boxed where derived, and the boxed reason
the gradient vanishes; all taken from the verified derivations :func:`solve` built."""

from __future__ import annotations

import sympy as sp

from symhw.activations import Activation
from symhw.derivation import Answer, Boxed, Derivation, Figure, KeyPart, Paragraph, excerpt
from symhw.notation import Grad, Inner, Vec
from symhw.problems.activation_loss.symbols import E_in, t, w, x_n

u = Vec(sp.Symbol("u"))


def activation_key(
    act: Activation,
    derivations: tuple[Derivation, Derivation, Derivation],
    answers: tuple[Answer, ...],
    limits: dict[str, sp.Expr],
    figure: Figure | None = None,
) -> tuple[KeyPart, ...]:
    """(a) θ' by its definition and ∇E_in by the chain rule, (b) the figure of θ and θ'
    (``figure``, the appendix's), the limits of θ' and of the per-sample factor, and the
    conclusion they give."""
    derivative, gradient, limit = derivations
    by_name = {a.name: a for a in answers}
    steps = len(gradient.steps)  # the last step of each excerpt is the box below it
    return (
        Paragraph(("(a) From the definition of the activation:",)),
        excerpt(derivative, tuple(range(len(derivative.steps) - 1)), ""),
        Boxed((by_name["activation_derivative"],), derived_in=derivative.title, question="(a)"),
        Paragraph(("By linearity and the chain rule, with the derivative just found:",)),
        excerpt(gradient, (1, 3) if steps > 4 else tuple(range(1, steps - 1)), ""),
        Boxed((by_name["gradient"],), derived_in=gradient.title, question="(a)"),
        *((figure,) if figure is not None else ()),
        Paragraph(
            (
                "(b) Each term of the gradient is ",
                x_n,
                " times a factor of ",
                sp.Eq(sp.Symbol("s"), Inner(w, x_n)),
                "; as the pre-activation grows in either direction:",
            )
        ),
        excerpt(limit, (2, 3), ""),
        Boxed(
            (by_name["derivative_limit_pos"], by_name["derivative_limit_neg"]),
            statement=(said := conclusion(act, limits, limits_of(by_name))),
            derived_in=limit.title,
            question="(b)",
            brief=Paragraph(said.segments[: 2 + len(GROWS)]),
        ),
    )


def limits_of(by_name: dict) -> tuple:
    """The limits of θ' in the words of the conclusion: ``(lim θ' = 0 as s → ±∞)``."""
    pos, neg = by_name["derivative_limit_pos"], by_name["derivative_limit_neg"]
    return (" (", sp.Eq(pos.label, pos.value), ", ", sp.Eq(neg.label, neg.value), ")")


#: How the weights grow, in the conclusion of (b): along u, with no sample orthogonal to it.
GROWS = (" at ", sp.Eq(w, t * u), " as ", t, " → ∞, if ", sp.Ne(Inner(u, x_n), 0), " for all n")


def conclusion(act: Activation, limits: dict[str, sp.Expr], said: tuple = ()) -> Paragraph:
    """What the limits say about ∇E_in(t u) as t → ∞, when uᵀx_n ≠ 0 for every n
    (``said``: the limits of θ' in words and math, told after the reason)."""
    grows = GROWS
    pos, neg = limits["factor_pos"] == 0, limits["factor_neg"] == 0
    if pos and neg:
        why = f" {act.name} saturates, its derivative vanishes:" if act.name != "identity" else ""
        return Paragraph(
            (
                Grad(E_in, w),
                " → 0",
                *grows,
                f".{why}",
                *said,
                " every term of the gradient tends to 0, so gradient descent barely "
                "moves the weights (the vanishing-gradient problem).",
            )
        )
    if pos or neg:
        side = "positive" if pos else "negative"
        return Paragraph(
            (
                Grad(E_in, w),
                f" → 0{grows[0]}",
                *grows[1:],
                f" and every pre-activation goes to {side} infinity; terms on the other side "
                "do not vanish, so in general the gradient does not vanish.",
                *said,
            )
        )
    return Paragraph(
        (Grad(E_in, w), " does not tend to 0", *grows, ": this pair does not saturate.", *said)
    )
