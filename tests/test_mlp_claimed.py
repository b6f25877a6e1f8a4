"""A hand computation carrying someone's own values (symhw check, issue 12), on q2 of the
handwritten sheet: the products of the writer's own numbers, multiplied out by hand here."""

from __future__ import annotations

import pytest
import sympy as sp

from symhw.mlp import Network, Rounded, backprop
from symhw.mlp.claimed import Claimed

R = sp.Rational
NET = Network(
    (
        sp.ImmutableMatrix([[R(1, 10), R(2, 10)], [R(3, 10), R(4, 10)]]),
        sp.ImmutableMatrix([R(2, 10), 1, -3]),
        sp.ImmutableMatrix([1, 2]),
    ),
    ("tanh", "tanh", "identity"),
)
X, Y = sp.ImmutableMatrix([2]), sp.ImmutableMatrix([1])


def col(*values: str) -> sp.ImmutableMatrix:
    return sp.ImmutableMatrix([R(v) for v in values])


def test_the_writers_delta1_carried_into_de_dW1():
    """L95 writes δ⁽¹⁾ = [−0.875, 1.736]; L97's ∂e/∂W⁽¹⁾ = x⁽⁰⁾(δ⁽¹⁾)ᵀ with x⁽⁰⁾ = [1; 2]
    is then [[−0.875, 1.736], [−1.75, 3.472]] (2 × 1.736 = 3.472, not the sheet's 3.467)."""
    trace = backprop(NET, X, Y, Claimed(2, {("delta", 1): col("-0.875", "1.736")}))
    assert trace.grads[0] == sp.Matrix([[R("-0.875"), R("1.736")], [R("-1.75"), R("3.472")]])


def test_without_claims_it_is_the_hand_replay():
    """δ⁽¹⁾ of the 2-decimal replay: (1 − 0.60²)(0.2 ... ) = −0.87552 and 1.7335296."""
    claimed, rounded = (backprop(NET, X, Y, c) for c in (Claimed(2), Rounded(2)))
    assert claimed.delta[0] == rounded.delta[0] == col("-0.87552", "1.7335296")


def test_written_forward_values_replace_the_computed_ones():
    """With x⁽¹⁾ written as [1; 0.61; 0.76] (0.61 instead of 0.60), δ⁽¹⁾₁ is
    (1 − 0.61²) × 1 × δ⁽²⁾ (W⁽²⁾ without its bias row is [1; −3]), δ⁽²⁾ from the same x⁽¹⁾:
    s⁽²⁾ = 0.2 + 0.61 − 2.28 = −1.47."""
    trace = backprop(NET, X, Y, Claimed(2, {("x", 1): col("1", "0.61", "0.76")}))
    assert trace.s[1][0] == R("-1.47")
    assert trace.delta[0][0] == (1 - R("0.61") ** 2) * 1 * trace.delta[1][0]


def test_a_written_value_of_the_wrong_shape_is_refused():
    with pytest.raises(ValueError, match="delta1 written with shape"):
        backprop(NET, X, Y, Claimed(2, {("delta", 1): col("1", "2", "3")}))
