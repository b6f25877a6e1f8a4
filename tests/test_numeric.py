"""Numeric cross-checks: central differences confirm a gradient only where float64 can."""

from __future__ import annotations

import numpy as np
import pytest

from symhw.errors import VerificationError
from symhw.numeric import (
    FD_BUDGET,
    REFERENCE_RISK,
    activation_loss_checks,
    central_difference,
    checked_coordinates,
    fd_steps,
    finite_difference_check,
)


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


# ------------------------------------------------ the bounded finite-difference check


def loop_central_difference(f, w: np.ndarray, h: np.ndarray) -> np.ndarray:
    """(f(w + h_i e_i) - f(w - h_i e_i)) / 2h_i, one point per call, written here."""
    out = np.empty(len(w))
    for i in range(len(w)):
        e = np.zeros(len(w))
        e[i] = h[i]
        out[i] = (f(w + e) - f(w - e)) / (2 * h[i])
    return out


@pytest.mark.parametrize("loss", ["squared", "cross-entropy"])
def test_the_reference_on_a_block_of_columns_gives_the_one_point_differences(loss, monkeypatch):
    """The plain-Python reference evaluated at a matrix of weight vectors (one column per
    point) equals it evaluated one point at a time, to the rounding of a difference quotient
    (a matrix product rounds X[n] @ w in another order than a dot product: ~ε|f|/h). Blocks
    of 7 coordinates (14 columns), so the last block is partial."""
    import symhw.numeric as numeric

    monkeypatch.setattr(numeric, "FD_BLOCK_ENTRIES", 14 * 300)
    rng = np.random.default_rng(3)
    X, y, w = rng.standard_normal((20, 300)), rng.uniform(0.1, 0.9, 20), rng.standard_normal(300)
    w *= 0.05
    risk, sigmoid = REFERENCE_RISK[loss], (lambda u: 1.0 / (1.0 + np.exp(-u)))
    by_columns = central_difference(lambda v: risk(v, X, y, sigmoid), w, columns=True)
    one_by_one = loop_central_difference(lambda v: risk(v, X, y, sigmoid), w, fd_steps(w))
    noise = 100 * np.finfo(float).eps * abs(risk(w, X, y, sigmoid)) / 1e-6
    assert noise < 1e-7
    np.testing.assert_allclose(by_columns, one_by_one, rtol=0, atol=noise)


@pytest.mark.parametrize(
    ("samples", "dim", "count"),
    [
        (8, 3, 3),  # 8·3·7 multiply-adds: every coordinate
        (100, 1000, 1000),  # 100·1000·2001 = 2.001e8 ≤ 1e9
        (10_000, 1000, 49),  # 1e9 / 1e7 = 100 evaluations: f(w) and 2·49
        (10_000, 1, 1),
    ],
)
def test_checked_coordinates_fit_the_budget(samples, dim, count):
    coords = checked_coordinates(samples, dim)
    assert len(coords) == count == len(set(coords.tolist()))
    assert coords.min() == 0 and coords.max() < dim
    assert samples * dim * (2 * count + 1) <= FD_BUDGET


def test_a_wrong_component_on_a_checked_coordinate_is_caught_under_the_budget(monkeypatch):
    """With the budget at 1e5 multiply-adds, N = 50 and d = 40 allow 24 coordinates; a
    gradient wrong in one of them fails, and the description says how many were checked."""
    import symhw.numeric as numeric

    monkeypatch.setattr(numeric, "FD_BUDGET", 10**5)
    theta = np.tanh

    def gradient(w, X, y):  # by hand: (2/N) Xᵀ[(tanh(Xw) - y)(1 - tanh²(Xw))]
        t = np.tanh(X @ w)
        return 2 * X.T @ ((t - y) * (1 - t**2)) / len(y)

    def risk(w, X, y):
        return REFERENCE_RISK["squared"](w, X, y, theta)

    (check,) = activation_loss_checks(risk, gradient, 50, 40, 0)
    assert check.passed and "along 24 of its 40 coordinates" in check.description
    coords = numeric.checked_coordinates(50, 40)

    def wrong(w, X, y):
        g = gradient(w, X, y)
        g[coords[5]] *= 1.01
        return g

    with pytest.raises(VerificationError, match="cross-check failed"):
        activation_loss_checks(risk, wrong, 50, 40, 0)
