"""Question 4, generalised: which axes a normalization averages over, and its statistics' shapes.

The ``norm-shapes`` kind: each case (:mod:`.cases`) is a normalization on an input layout;
:mod:`.axes` finds the axes it averages over, :mod:`.averages` derives μ, σ² and their
shapes, :mod:`.numpy_check` confirms the shapes with NumPy.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from symhw.counts.layers import dim
from symhw.derivation import (
    Answer,
    Derivation,
    KeyPart,
    NumericCheck,
    Paragraph,
    Part,
    Quantities,
    Quantity,
    Segment,
    Solution,
    numeric_check,
)
from symhw.notation import Shape, axes_shape
from symhw.params import Parameters, check_call, param
from symhw.problems.norm_shapes.averages import case_derivation, shape, squeeze
from symhw.problems.norm_shapes.axes import statistics
from symhw.problems.norm_shapes.cases import (
    MAX_CASES,
    MAX_GROUPS,
    SEED_CASES,
    SPATIAL,
    Case,
    parse_cases,
)
from symhw.problems.norm_shapes.figures import averaged_axes, axes_figures
from symhw.problems.norm_shapes.key import case_key
from symhw.problems.norm_shapes.numpy_check import numpy_shape_check
from symhw.problems.norm_shapes.wording import KEPT, after_layer

KIND = "norm-shapes"
SUMMARY = (
    "shapes of the mean and variance of batch, layer, instance and group norm for a given "
    "layout, with the averaging formulas and the number of entries each statistic averages"
)


@dataclass(frozen=True)
class Params(Parameters):
    """Parameters of a ``norm-shapes`` problem."""

    cases: tuple[Case, ...] | None = param(
        None,
        parse=parse_cases,
        help=f"1 to {MAX_CASES} inputs: tables {{norm = batch|layer|instance|group, "
        f"layout = NC|NCL|NLC|NCHW|NHWC, groups (group norm, 1 to {MAX_GROUPS}; default "
        "symbolic G), name}; default the seed's N×C and N×H×W×C",
    )


def solve(params: Params, problem_id: str = "q4", title: str | None = None) -> Solution:
    """Derive the statistics' shapes for each case.

    >>> sol = solve(Params())
    >>> sol.answer("fc_mean_shape").value, sol.answer("conv_var_shape").value
    ((1, C), (1, 1, 1, C))
    """
    check_call(params, Params, problem_id, title)
    parts: list[Part] = []
    answers: list[Answer] = []
    checks: list[NumericCheck] = []
    key: list[KeyPart] = []
    statement: list[Segment] = [
        "For each input below, give the shapes of the mean and variance the normalization computes."
    ]
    cases = params.cases or SEED_CASES
    rows = []
    for letter, case in zip("abcdefghijklmnopqrstuvwxyz", cases, strict=False):
        spatial = sum(a in SPATIAL for a in case.layout)
        statement += [
            f" ({letter}) {case.norm.capitalize()} norm after {after_layer(spatial)}, input ",
            axes_shape(case.layout),
            ".",
        ]
        rows.append(averaged_axes(letter, case, statistics(case)))
        more_parts, more_answers, check = case_parts(letter, case)
        parts += more_parts
        answers += more_answers
        key += case_key(letter, case, more_parts[0], more_answers)
        checks.append(check)
    figures = axes_figures(rows)  # Part I shows them too, before the cases
    return Solution(
        problem_id,
        KIND,
        title or "Shapes of normalization statistics",
        Paragraph(tuple(statement)),
        (*figures, *parts),
        tuple(answers),
        tuple(checks),
        (*figures, *key),
    )


def case_parts(
    letter: str, case: Case
) -> tuple[list[Derivation | Paragraph], list[Answer], NumericCheck]:
    """One case's derivation and what PyTorch keeps; its answers; the NumPy check.

    >>> parts, answers, check = case_parts("a", Case("fc", "batch", "NC"))
    >>> [(a.name, a.value) for a in answers][-2:], check.passed
    ([('fc_mean_shape_squeezed', (C,)), ('fc_count', N)], True)
    """
    derivation, st = case_derivation(letter, case)
    ok, sizes = numpy_shape_check(case, st)
    check = numeric_check(
        f"({letter}) NumPy mean and var with axis={st.reduced}, keepdims=True: "
        f"{sizes}" + (" as derived" if ok else " differs from the derivation"),
        0.0 if ok else 1.0,
        0.0,
    )
    # Each case's statistics named apart: mu_fc, sigma_fc, m_fc (a name's own underscores
    # are more subscripts to SymPy).
    mu, sigma, m = (sp.Symbol(f"{name}_{case.name}") for name in ("mu", "sigma", "m"))
    keep, squeezed = Shape(*st.keepdims), Shape(*st.squeezed)
    answers = [
        Answer(f"{case.name}_mean_shape", shape(mu), keep),
        Answer(f"{case.name}_var_shape", shape(sigma**2), keep),
        Answer(f"{case.name}_mean_shape_squeezed", shape(squeeze(mu)), squeezed),
        Answer(f"{case.name}_count", m, st.count),
    ]
    return [derivation, Paragraph((KEPT[case.norm],))], answers, check


def quantities(params: Params, problem_id: str = "q4") -> Quantities:
    """What a person may write down besides the answers: each case's input shape
    (``fc_input_shape``: N × C), in the symbols of the answers.

    >>> quantities(Params()).find("conv_input_shape").value
    (N, H, W, C)
    """
    check_call(params, Params, problem_id, None)
    cases = {f"{c.name}_input_shape": c for c in params.cases or SEED_CASES}

    def find(name: object) -> Quantity | None:
        case = cases.get(name) if isinstance(name, str) else None
        if case is None:
            return None
        return Quantity(name, shape(sp.Symbol("x")), Shape(*(dim(a) for a in case.layout)))

    return Quantities(tuple(f"{n}, the shape of that input" for n in cases), find)
