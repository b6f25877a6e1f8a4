"""Part I of question 1: θ' and ∇E_in in brief, boxed where derived, and the boxed reason
the gradient vanishes; all taken from the verified derivations :func:`solve` built."""

from __future__ import annotations

from dataclasses import replace

import sympy as sp

from symhw.activations import Activation
from symhw.derivation import (
    Answer,
    Boxed,
    Derivation,
    Figure,
    KeyPart,
    Paragraph,
    Step,
    excerpt,
)
from symhw.notation import Grad, Inner, LimitBothWays, Vec
from symhw.problems.activation_loss.symbols import E_in, Y, n, s, t, w, x_n, y_n

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
                "(b) Let the weights grow along any fixed direction ",
                u,
                ": ",
                sp.Eq(w, t * u, evaluate=False),
                ", ",
                t,
                " → ∞. Each term of the gradient is ",
                x_n,
                " times a factor of ",
                sp.Eq(sp.Symbol("s"), Inner(w, x_n), evaluate=False),
                " and ",
                sp.Eq(Y, y_n, evaluate=False),
                "; θ′ and that factor have these limits as ",
                s,
                " → ±∞:",
            )
        ),
        both_ways(limit),
        Boxed(
            (by_name["derivative_limit_pos"], by_name["derivative_limit_neg"]),
            statement=(said := conclusion(act, limits)),
            derived_in=limit.title,
            question="(b)",
            brief=Paragraph(said.segments[: 2 + len(GROWS)]),
        ),
    )


def both_ways(d: Derivation) -> Derivation:
    """The limits of ``d`` (steps ``lim f = v``, as s → ∞ and s → −∞ in turn), untitled,
    a pair with one value shown once as lim_{s → ±∞} f = v: the step for each direction
    was verified, and the line keeps their check."""
    steps: list[Step] = []
    for step in d.steps:
        if steps and _other_way(steps[-1], step):
            steps[-1] = replace(step, chain=(LimitBothWays(*step.lhs.args[:2]), step.rhs))
        else:
            steps.append(step)
    return Derivation("", tuple(steps))


def _other_way(pos: Step, neg: Step) -> bool:
    """Whether ``neg`` is the limit of ``pos``'s function as s → −∞ where ``pos`` is the one
    as s → ∞, with the same value, both verified."""
    a, b = pos.lhs, neg.lhs
    return (
        isinstance(a, sp.Limit)
        and isinstance(b, sp.Limit)
        and a.args[:2] == b.args[:2]
        and (a.args[2], b.args[2]) == (sp.oo, -sp.oo)
        and pos.rhs == neg.rhs
        and pos.check.verified
        and neg.check.verified
    )


#: How the weights grow, in the conclusion of (b): along u, with no sample orthogonal to it.
GROWS = (
    " at ",
    sp.Eq(w, t * u, evaluate=False),
    " as ",
    t,
    " → ∞, if ",
    sp.Ne(Inner(u, x_n), 0, evaluate=False),
    " for all ",
    n,
)


def conclusion(act: Activation, limits: dict[str, sp.Expr]) -> Paragraph:
    """What the limits above say about ∇E_in(t u) as t → ∞, when uᵀx_n ≠ 0 for every n:
    every pre-activation t uᵀx_n then goes to +∞ or −∞."""
    grows = GROWS
    pos, neg = limits["factor_pos"] == 0, limits["factor_neg"] == 0
    every = (": every pre-activation ", t * Inner(u, x_n), " then goes to ", sp.oo, " or ", -sp.oo)
    if pos and neg:
        where = f", where {act.name} saturates and" if act.name != "identity" else " and"
        return Paragraph(
            (
                Grad(E_in, w),
                " → 0",
                *grows,
                *every,
                f"{where} the factor tends to 0 in both directions, so every term of the "
                "gradient vanishes and gradient descent barely moves the weights (the "
                "vanishing-gradient problem).",
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
        (
            Grad(E_in, w),
            " does not tend to 0",
            *grows,
            ": the factor has a nonzero limit, so this pair does not saturate.",
        )
    )
