"""Part I of a conv-matrix problem: the element equation and A, boxed; the one-line reason
∂L/∂x = Aᵀ ∂L/∂Y and Aᵀ, boxed; the backward pass as a convolution: the padded ∂L/∂Y, a
reversed kernel, one entry worked, the kernels and the whole rule boxed.

Everything shown is a step of the verified derivations :func:`solve` built, or a sentence
made from the layer's geometry (the padding, the flip and the channel swap).
"""

from __future__ import annotations

import sympy as sp

from symhw.conv.symbols import LOSS
from symhw.derivation import Answer, Boxed, Derivation, KeyPart, Paragraph, Part, excerpt
from symhw.notation import GradientEntry, PartialDerivative, indexed_symbol

#: Titles of the parts of :func:`solve` that Part I draws on (their beginnings).
ELEMENTS, MATRIX, BACKWARD, CONVOLUTION = (
    "Element equations",
    "The convolution as a matrix",
    "Backward pass",
    "The backward pass as a convolution",
)


def _derivation(parts: tuple[Part, ...], title: str) -> Derivation | None:
    return next((p for p in parts if isinstance(p, Derivation) and p.title.startswith(title)), None)


def _grad_x() -> sp.Expr:
    """∂L/∂x = Aᵀ ∂L/∂Y."""
    return sp.Eq(
        GradientEntry(LOSS, sp.Symbol("x")),
        sp.Mul(sp.Symbol("A^T"), GradientEntry(LOSS, sp.Symbol("Y")), evaluate=False),
    )


def _brief_a(by_name: dict[str, Answer]) -> Paragraph:
    rows, cols = by_name["A"].data.shape
    return Paragraph(
        ("Y = A x, ", sp.Symbol("A"), f" {rows} × {cols}, a Toeplitz block per channel pair")
    )


def _reason() -> Paragraph:
    """Why the backward pass is Aᵀ: Y = A x is linear, so each slope is an entry of A."""
    y, x, a = sp.Symbol("Y_r"), sp.Symbol("x_m"), sp.Symbol("A_rm")
    r = sp.Symbol("r", integer=True, positive=True)
    return Paragraph(
        (
            "(b) Y = A x is linear in x, so ",
            sp.Eq(PartialDerivative(y, x), a),
            " for every output r and input m, and the chain rule gives ",
            sp.Eq(
                GradientEntry(LOSS, x), sp.Sum(a * GradientEntry(LOSS, y), (r, 1, sp.Symbol("R")))
            ),
            " (R outputs), that is ",
            _grad_x(),
            ", with",
        )
    )


def _worked_entry(d: Derivation) -> tuple[int, ...]:
    """The steps of the convolution Part I shows: Z, the first reversed kernel, and the
    entry worked out with the most nonzero products (with the step dropping the zeros)."""
    first = {}
    for i, step in enumerate(d.steps):
        first.setdefault(step.rule, i)
    keep = [first[r] for r in ("spread, padded", "reversed kernel") if r in first]
    entries = [i for i, s in enumerate(d.steps) if s.rule == "correlate Z with v"]
    if entries:
        best = min(entries, key=lambda i: str(d.steps[i].rhs).count("*0"))
        keep += [best] + ([best + 1] if best + 1 < len(d.steps) else [])
        if best + 1 < len(d.steps) and not d.steps[best + 1].continues:
            keep.pop()
    return tuple(keep)


def conv_key(parts: tuple[Part, ...], answers: list[Answer]) -> tuple[KeyPart, ...]:
    """(a) the element equation and A; (b) the reason and Aᵀ; (c) the backward pass as a
    convolution and its rule, in words and boxed (a figure of A's pattern goes after (a)
    once it is drawn). A layer whose derivations are missing keeps the default key."""
    by_name = {a.name: a for a in answers}
    elements, matrix = _derivation(parts, ELEMENTS), _derivation(parts, MATRIX)
    backward, convolution = _derivation(parts, BACKWARD), _derivation(parts, CONVOLUTION)
    if None in (elements, matrix, backward, convolution):
        return ()
    intro = convolution.intro.segments if convolution.intro else ()
    return (
        Paragraph(("(a) Each output is a sum over the input channels and the kernel taps:",)),
        excerpt(elements, (0,), ""),
        Paragraph(("Reading off the coefficient of every input gives Y = A x with",)),
        Boxed((by_name["A"],), derived_in=matrix.title, question="(a)", brief=_brief_a(by_name)),
        _reason(),
        Boxed(
            (by_name["A_T"],),
            derived_in=backward.title,
            question="(b)",
            brief=Paragraph((_grad_x(),)),
        ),
        Paragraph(("(c) The same sums, read as a convolution:",)),
        excerpt(convolution, _worked_entry(convolution), ""),
        Boxed(
            (by_name["backward_kernel"],),
            derived_in=convolution.title,
            question="(c)",
            brief=Paragraph(
                (
                    indexed_symbol("v", sup="ij"),
                    ": the kernel ",
                    indexed_symbol("w", sup="ij"),
                    " reversed",
                )
            ),
        ),
        Boxed(
            statement=Paragraph(
                (GradientEntry(LOSS, sp.Symbol("x")), " is a convolution. ", *intro)
            ),
            derived_in=convolution.title,
            question="(c)",
            brief=Paragraph(("∂L/∂x: the padded ∂L/∂Y convolved with the reversed kernels",)),
        ),
    )
