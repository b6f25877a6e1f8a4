"""Numeric cross-checks: central differences confirm a gradient only where float64 can."""

from __future__ import annotations

import numpy as np
import pytest

from symhw.errors import VerificationError
from symhw.numeric import finite_difference_check


def big_quadratic(w: np.ndarray) -> float:
    return 1e10 * float(w @ w)  # gradient 2e10 w, by hand


W = np.array([1e3, -2e3, 5e2])


def test_a_large_but_well_scaled_gradient_is_confirmed():
    check = finite_difference_check("g", "f", big_quadratic, W, 2e10 * W, 1e-5)
    assert check.passed and check.confirmed


def test_a_gradient_25_percent_off_is_caught_at_any_scale():
    with pytest.raises(VerificationError, match="cross-check failed"):
        finite_difference_check("g", "f", big_quadratic, W, 0.75 * 2e10 * W, 1e-5)


def test_numbers_far_apart_are_reported_as_unconfirmed_not_passed():
    """A bias of 0.5 beside a loss of 1e24: the difference quotient's rounding (~1e15) is
    larger than the gradient itself, so no tolerance could make the check mean anything."""
    w = np.array([0.5, 1e12])

    def loss(v: np.ndarray) -> float:
        return float((v[0] + v[1]) ** 2)

    wrong = np.zeros(2)  # even an all-zero gradient must not pass
    check = finite_difference_check("it", "the loss", loss, w, wrong, 1e-5)
    assert not check.confirmed and not check.passed
    assert "cannot be compared with central finite differences" in check.description
