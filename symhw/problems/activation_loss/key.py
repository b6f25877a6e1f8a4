"""Part I of question 1: θ' and ∇E_in in brief, boxed where derived, and the boxed reason
the gradient vanishes; all taken from the verified derivations :func:`solve` built."""

from __future__ import annotations

import sympy as sp

from symhw.activations import Activation
from symhw.derivation import Answer, Boxed, Derivation, KeyPart, Paragraph, excerpt
from symhw.notation import Grad, Inner, Vec
from symhw.problems.activation_loss.symbols import E_in, t, w, x_n

u = Vec(sp.Symbol("u"))


def activation_key(
    act: Activation,
    derivations: tuple[Derivation, Derivation, Derivation],
    answers: tuple[Answer, ...],
    limits: dict[str, sp.Expr],
) -> tuple[KeyPart, ...]:
    """(a) θ' by its definition and ∇E_in by the chain rule, (b) the limits of θ' and of
    the per-sample factor, and the conclusion they give (a figure of θ and θ' goes before
    (b) once one is drawn)."""
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
        Paragraph(
            (
                "(b) Each term of the gradient is ",
                x_n,
                " times a factor of ",
                sp.Eq(sp.Symbol("s"), Inner(w, x_n)),
                ", and as the pre-activation grows",
            )
        ),
        excerpt(limit, (2, 3), ""),
        Boxed(
            (by_name["derivative_limit_pos"], by_name["derivative_limit_neg"]),
            derived_in=limit.title,
            question="(b)",
        ),
        Boxed(
            statement=(said := conclusion(act, limits)),
            derived_in=limit.title,
            question="(b)",
            brief=Paragraph(said.segments[: 2 + len(GROWS)]),
        ),
    )


#: How the weights grow, in the conclusion of (b): along u, with no sample orthogonal to it.
GROWS = (" at ", sp.Eq(w, t * u), " as ", t, " → ∞, if ", sp.Ne(Inner(u, x_n), 0), " for all n")


def conclusion(act: Activation, limits: dict[str, sp.Expr]) -> Paragraph:
    """What the limits say about ∇E_in(t u) as t → ∞, when uᵀx_n ≠ 0 for every n."""
    grows = GROWS
    pos, neg = limits["factor_pos"] == 0, limits["factor_neg"] == 0
    if pos and neg:
        why = f" {act.name} saturates, its derivative vanishes:" if act.name != "identity" else ""
        return Paragraph(
            (
                Grad(E_in, w),
                " → 0",
                *grows,
                f".{why} every term of the gradient tends to 0, so gradient descent barely "
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
            )
        )
    return Paragraph(
        (Grad(E_in, w), " does not tend to 0", *grows, ": this pair does not saturate.")
    )
