"""Y and ∂L/∂x from numbers given for a conv-matrix problem: their derivation with the numbers
put into A (small layers), their answers and their checks."""

from __future__ import annotations

import numpy as np
import sympy as sp

from symhw.builder import DerivationBuilder
from symhw.conv.given import rational
from symhw.conv.symbols import LOSS, column
from symhw.derivation import Answer, Derivation, NumericCheck, Part
from symhw.notation import GradientEntry
from symhw.problems.conv_matrix.answers import tensor_answer
from symhw.problems.conv_matrix.checks import exact_results
from symhw.problems.conv_matrix.layer import ShownLayer


def given_numbers(
    layer: ShownLayer, w: np.ndarray, x: np.ndarray | None, gy: np.ndarray | None
) -> tuple[list[Part], list[Answer], list[NumericCheck]]:
    """Y and ∂L/∂x from the given numbers: sheet parts, answers and checks."""
    y, gx, checks = exact_results(layer.index_map, w, x, gy)
    parts, answers = [], []
    exact = all(p is None or p.exact for p in (y, gx))
    if layer.full and exact:
        shown_gx = gx if layer.transpose_fits else None  # Aᵀ too wide to write out
        parts.append(
            numbers_derivation(
                layer.explicit,
                layer.s.weights(),
                w,
                x,
                gy,
                None if y is None else y.rationals(),
                None if shown_gx is None else shown_gx.rationals(),
            )
        )
    if y is not None:
        answers.append(tensor_answer("y", sp.Symbol("Y"), y))
    if gx is not None:
        answers.append(tensor_answer("grad_x", GradientEntry(LOSS, sp.Symbol("x")), gx))
    return parts, answers, list(checks)


def numbers_derivation(
    explicit: sp.ImmutableMatrix,
    symbols: np.ndarray,
    weights: np.ndarray,
    x: np.ndarray | None,
    grad_y: np.ndarray | None,
    y: np.ndarray | None,
    grad_x: np.ndarray | None,
) -> Derivation:
    """Y = A x and Aᵀ ∂L/∂Y with the given numbers put into A (small layers)."""
    values = dict(zip(symbols.reshape(-1), rational(weights).reshape(-1), strict=True))
    a = explicit.xreplace(values)
    b = DerivationBuilder("With the given numbers")
    if x is not None and y is not None:
        b.equal(
            sp.MatMul(a, column(rational(x)), evaluate=False),
            column(rational(y)),
            rule="given weights and input",
        )
    if grad_y is not None and grad_x is not None:
        b.equal(
            sp.MatMul(a.T, column(rational(grad_y)), evaluate=False),
            column(rational(grad_x)),
            rule="given weights and ∂L/∂Y",
        )
    return b.build()
