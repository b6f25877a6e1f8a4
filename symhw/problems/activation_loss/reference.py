"""The plain-Python reference implementation the finite-difference check differentiates,
and the derived gradient as the NumPy function it is checked against."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from symhw import numeric
from symhw.activations import ACTIVATIONS
from symhw.derivation import Paragraph, ReferenceCode
from symhw.problems.activation_loss.gradient import derived_gradient
from symhw.problems.activation_loss.symbols import E_in, Y, s

REFERENCE_NAMES = {"squared": "squared_error_risk", "cross-entropy": "cross_entropy_risk"}


def gradient_function(activation: str, loss: str) -> Callable[..., np.ndarray]:
    """The derived gradient as a NumPy function ``grad(w, X, y)`` (X has one row per sample).

    It keeps the matrix structure: the derived per-sample factor is lambdified as a scalar
    function of s = Xw and y, and NumPy forms Xᵀ r / N.
    """
    return numeric.vectorised_gradient(derived_gradient(activation, loss).factor, s, Y)


def risk_function(activation: str, loss: str) -> Callable[..., float]:
    """The plain-Python reference implementation of E_in, bound to this activation."""
    reference, theta = numeric.REFERENCE_RISK[loss], ACTIVATIONS[activation].numpy
    return lambda w_, X, y_: reference(w_, X, y_, theta)


def reference_code(loss: str) -> ReferenceCode:
    """The reference implementation of E_in for ``loss``, as the sheet shows it."""
    return ReferenceCode(
        "Reference implementation",
        numeric.REFERENCE_RISK[loss],
        identifiers={REFERENCE_NAMES[loss]: "risk"},
        intro=Paragraph(
            (
                "The finite-difference check differentiates this plain-Python implementation of ",
                E_in,
                ", not the derived formula:",
            )
        ),
    )
