"""Part I of a norm-shapes problem: per case, what is averaged, how many entries, and the
boxed shapes; all taken from the verified derivation of the case."""

from __future__ import annotations

import sympy as sp

from symhw.derivation import Answer, Boxed, Derivation, KeyPart, Paragraph, excerpt
from symhw.problems.norm_shapes.averages import mu, shape, sigma
from symhw.problems.norm_shapes.cases import SPATIAL, Case
from symhw.problems.norm_shapes.wording import WHAT

#: The steps of a case's derivation (averages.case_derivation) that Part I shows: μ as an
#: average (3) and how many entries it averages (2).
MEAN, COUNT = 3, 2


def case_key(
    letter: str, case: Case, derivation: Derivation, answers: list[Answer]
) -> tuple[KeyPart, ...]:
    """(letter): what the norm averages over, μ as that average, and the boxed shapes of μ
    and σ² (named as in the formula above them); the shape kept for inference and the
    count are not asked (Part II shows them)."""
    by_name = {a.name.removeprefix(f"{case.name}_"): a for a in answers}
    positions = " and every position" if any(a in SPATIAL for a in case.layout) else ""
    what = WHAT[case.norm].format(positions=positions)
    keep = by_name["mean_shape"].value
    shown = (
        Answer(f"{case.name}_mean_shape", shape(mu), keep),
        Answer(f"{case.name}_var_shape", shape(sigma**2), keep),
    )
    return (
        Paragraph((f"({letter}) Input {'×'.join(case.layout)}. {what}",)),
        excerpt(derivation, (MEAN, COUNT), ""),
        Boxed(
            shown,
            derived_in=derivation.title,
            question=f"({letter})",
            brief=Paragraph((sp.Eq(shape(mu), keep), ", ", sp.Eq(shape(sigma**2), keep))),
        ),
    )
