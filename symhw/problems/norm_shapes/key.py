"""Part I of a norm-shapes problem: per case, what is averaged, how many entries, and the
boxed shapes; all taken from the verified derivation of the case."""

from __future__ import annotations

import sympy as sp

from symhw.derivation import Answer, Boxed, Derivation, KeyPart, Paragraph, excerpt
from symhw.notation import axes_shape
from symhw.problems.norm_shapes.averages import m, mu, shape, sigma
from symhw.problems.norm_shapes.cases import SPATIAL, Case
from symhw.problems.norm_shapes.wording import WHY_POSITIONS, after_layer, what

#: The steps of a case's derivation (averages.case_derivation) that Part I shows: how many
#: entries each statistic averages (2), μ (3) and σ² (4) as averages over them.
COUNT, MEAN, VAR = 2, 3, 4


def case_key(
    letter: str, case: Case, derivation: Derivation, answers: list[Answer]
) -> tuple[KeyPart, ...]:
    """(letter): what the norm averages over, μ and σ² as those averages, and the boxed
    shapes of μ and σ² written as the homework writes them (1 × C); the shape kept for
    inference is not asked (Part II shows it)."""
    by_name = {a.name.removeprefix(f"{case.name}_"): a for a in answers}
    spatial = sum(a in SPATIAL for a in case.layout)
    positions = " and every position" if spatial else ""
    averaged = what(case.norm, positions)
    if case.norm == "batch" and spatial:
        averaged += (WHY_POSITIONS,)
    keep = by_name["mean_shape"].value
    shown = (
        Answer(f"{case.name}_mean_shape", shape(mu), keep),
        Answer(f"{case.name}_var_shape", shape(sigma**2), keep),
    )
    return (
        Paragraph(
            (
                f"({letter}) After {after_layer(spatial)}, input ",
                axes_shape(case.layout),
                ". ",
                *averaged,
                " The entries ",
                derivation.steps[MEAN].lhs,
                " of μ and ",
                derivation.steps[VAR].lhs,
                " of σ² average ",
                m,
                " entries of ",
                sp.Symbol("x"),
                " each:",
            )
        ),
        excerpt(derivation, (COUNT, MEAN, VAR), ""),
        Boxed(
            shown,
            derived_in=derivation.title,
            question=f"({letter})",
            brief=Paragraph(
                (
                    sp.Eq(shape(mu), keep, evaluate=False),
                    ", ",
                    sp.Eq(shape(sigma**2), keep, evaluate=False),
                )
            ),
        ),
    )
