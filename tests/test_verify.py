"""check_equal: true identities are verified, false ones raise, and quickly.

The identities are textbook facts (derivatives of tanh and the logistic function, the gradient
of least squares); the false ones are the slips a student makes (a sign, a factor 2).
"""

from __future__ import annotations

import random
import time

import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from symhw.activations import sigmoid, softplus
from symhw.errors import VerificationError
from symhw.lowering import Instance
from symhw.notation import Grad, Inner, Vec
from symhw.verify import Budget, check_equal, compare

s = sp.Symbol("s", real=True)
a, b = sp.symbols("a b", real=True)
N = sp.Symbol("N", integer=True, positive=True)
n = sp.Symbol("n", integer=True, positive=True)
w = Vec(sp.Symbol("w"))
x_n = Vec(sp.Symbol("x"), n)
y = sp.IndexedBase("y", real=True)

VERIFIED = ("symbolic", "numeric")
#: A false equality must be rejected by the cheap probe, not after minutes of simplify.
QUICK_SECONDS = 2.0


def least_squares(samples=N):
    """E(w) = (1/N) Σ_n (wᵀx_n - y_n)²."""
    return sp.Sum((Inner(w, x_n) - y[n]) ** 2, (n, 1, samples)) / samples


# ---------------------------------------------------------------- true scalar identities


@pytest.mark.parametrize(
    ("lhs", "rhs"),
    [
        # tanh' = 1 - tanh² = sech²
        (sp.Derivative(sp.tanh(s), s), 1 - sp.tanh(s) ** 2),
        (1 - sp.tanh(s) ** 2, 1 / sp.cosh(s) ** 2),
        # tanh from exponentials
        ((sp.exp(s) - sp.exp(-s)) / (sp.exp(s) + sp.exp(-s)), sp.tanh(s)),
        # the logistic function: σ' = σ(1 - σ), σ(-s) = 1 - σ(s), σ(s) = (1 + tanh(s/2)) / 2
        (sp.Derivative(sigmoid(s), s), sigmoid(s) * (1 - sigmoid(s))),
        (sp.Derivative(1 / (1 + sp.exp(-s)), s), sigmoid(s) * (1 - sigmoid(s))),
        (sigmoid(-s), 1 - sigmoid(s)),
        (sigmoid(s), (1 + sp.tanh(s / 2)) / 2),
        # softplus' = σ
        (sp.Derivative(sp.log(1 + sp.exp(s)), s), sigmoid(s)),
        (sp.Derivative(softplus(s), s), 1 / (1 + sp.exp(-s))),
        # algebra
        ((a + b) ** 2, a**2 + 2 * a * b + b**2),
        (sp.sin(s) ** 2 + sp.cos(s) ** 2, 1),
    ],
    ids=str,
)
def test_true_identity_is_verified(lhs, rhs):
    check = check_equal(lhs, rhs)
    assert check.status in VERIFIED
    assert check.verified


def test_tanh_derivative_is_decided_symbolically():
    assert check_equal(sp.Derivative(sp.tanh(s), s), 1 - sp.tanh(s) ** 2).status == "symbolic"


@settings(max_examples=20, deadline=None)
@given(p=st.integers(-9, 9), q=st.integers(-9, 9))
def test_binomial_square(p, q):
    """(p s + q)² = p² s² + 2 p q s + q² for integer p, q, and any other constant term is wrong."""
    check = check_equal((p * s + q) ** 2, p**2 * s**2 + 2 * p * q * s + q**2)
    assert check.status == "symbolic"
    with pytest.raises(VerificationError):
        check_equal((p * s + q) ** 2, p**2 * s**2 + 2 * p * q * s + q**2 + 1)


# ---------------------------------------------------------------- vector notation


@pytest.mark.parametrize(
    ("lhs", "rhs"),
    [
        # ∇_w (wᵀx_n) = x_n
        (Grad(Inner(w, x_n), w), x_n),
        # ∇_w (wᵀw) = 2 w
        (Grad(Inner(w, w), w), 2 * w),
        # ∇_w tanh(wᵀx_n) = (1 - tanh²(wᵀx_n)) x_n
        (Grad(sp.tanh(Inner(w, x_n)), w), (1 - sp.tanh(Inner(w, x_n)) ** 2) * x_n),
        # least squares: ∇E = (2/N) Σ (wᵀx_n - y_n) x_n
        (Grad(least_squares(), w), 2 * sp.Sum((Inner(w, x_n) - y[n]) * x_n, (n, 1, N)) / N),
    ],
    ids=str,
)
@pytest.mark.parametrize("dim", [1, 2, 3])
def test_vector_identity_is_verified_on_an_instance(lhs, rhs, dim):
    check = check_equal(lhs, rhs, Instance({N: 3}, dim=dim))
    assert check.status in VERIFIED
    if lhs.has(sp.Sum):
        assert "N = 3" in check.instance
    assert f"vectors of length {dim}" in check.instance


@pytest.mark.parametrize(
    ("lhs", "rhs"),
    [
        # the factor 2 forgotten
        (Grad(least_squares(), w), sp.Sum((Inner(w, x_n) - y[n]) * x_n, (n, 1, N)) / N),
        # the 1/N forgotten
        (Grad(least_squares(), w), 2 * sp.Sum((Inner(w, x_n) - y[n]) * x_n, (n, 1, N))),
        # the sign of the residual flipped
        (Grad(least_squares(), w), 2 * sp.Sum((y[n] - Inner(w, x_n)) * x_n, (n, 1, N)) / N),
        # ∇_w (wᵀw) = w
        (Grad(Inner(w, w), w), w),
        # ∇_w tanh(wᵀx_n) with the square of tanh added instead of subtracted
        (Grad(sp.tanh(Inner(w, x_n)), w), (1 + sp.tanh(Inner(w, x_n)) ** 2) * x_n),
    ],
    ids=str,
)
def test_false_vector_identity_raises_quickly(lhs, rhs):
    start = time.perf_counter()
    with pytest.raises(VerificationError, match="is false"):
        check_equal(lhs, rhs, Instance({N: 3}, dim=2))
    assert time.perf_counter() - start < QUICK_SECONDS


# ---------------------------------------------------------------- false scalar identities


@pytest.mark.parametrize(
    ("lhs", "rhs"),
    [
        (sp.Derivative(sp.tanh(s), s), 1 + sp.tanh(s) ** 2),
        (sp.Derivative(sp.tanh(s), s), 1 - sp.tanh(s)),
        (sp.Derivative(sigmoid(s), s), sigmoid(s) * (1 + sigmoid(s))),
        (sigmoid(-s), sigmoid(s)),
        (sp.Derivative(sp.log(1 + sp.exp(s)), s), sp.exp(s)),
        ((a + b) ** 2, a**2 + b**2),
    ],
    ids=str,
)
def test_false_identity_raises_quickly(lhs, rhs):
    start = time.perf_counter()
    with pytest.raises(VerificationError, match="is false"):
        check_equal(lhs, rhs)
    assert time.perf_counter() - start < QUICK_SECONDS


# ---------------------------------------------------------------- matrices and tuples


def test_matrices_are_compared_elementwise():
    lhs = sp.Matrix([[sp.sin(s) ** 2 + sp.cos(s) ** 2, 2 * s], [0, sp.Derivative(s**3, s)]])
    rhs = sp.Matrix([[1, s + s], [0, 3 * s**2]])
    assert check_equal(lhs, rhs).status in VERIFIED


@pytest.mark.parametrize(("row", "col"), [(0, 0), (0, 1), (1, 0), (1, 1)])
def test_one_wrong_matrix_entry_raises(row, col):
    lhs = sp.Matrix([[1, 2 * s], [0, 3 * s**2]])
    rhs = lhs.copy()
    rhs[row, col] += 1
    with pytest.raises(VerificationError):
        check_equal(lhs, rhs)


def test_matrix_products_are_multiplied_out():
    a = sp.ImmutableMatrix([[1, s], [0, 2]])
    x = sp.ImmutableMatrix([s, 3])
    product = sp.MatMul(a, x, evaluate=False)
    assert check_equal(product, sp.Matrix([4 * s, 6])).status in VERIFIED  # s + 3s, 2 * 3
    with pytest.raises(VerificationError):
        check_equal(product, sp.Matrix([4 * s, 7]))
    with pytest.raises(VerificationError, match="shape"):
        check_equal(sp.MatMul(a.T, x, evaluate=False), sp.Matrix([[4 * s, 6]]))


@pytest.mark.parametrize(
    ("lhs", "rhs"),
    [
        (sp.Matrix([[1, 2]]), sp.Matrix([[1], [2]])),  # a row is not a column
        (sp.Matrix([[1, 2]]), sp.Matrix([[1, 2, 0]])),
        (sp.eye(2), sp.eye(3)),
    ],
    ids=str,
)
def test_matrix_shape_mismatch_raises(lhs, rhs):
    with pytest.raises(VerificationError, match="shape"):
        check_equal(lhs, rhs)


def test_tuples_are_compared_elementwise():
    assert check_equal((sp.Derivative(s**2, s), 1), (2 * s, 1)).status in VERIFIED
    with pytest.raises(VerificationError):
        check_equal((2 * s, 1), (2 * s, 2))
    with pytest.raises(VerificationError, match="length"):
        check_equal((1, 2), (1, 2, 3))


# ---------------------------------------------------------------- limits, finite and infinite


@pytest.mark.parametrize(
    ("lhs", "rhs"),
    [
        (sp.Limit(1 - sp.tanh(s) ** 2, s, sp.oo), 0),
        (sp.Limit(1 - sp.tanh(s) ** 2, s, -sp.oo), 0),
        (sp.Limit(sp.tanh(s), s, sp.oo), 1),
        (sp.Limit(sp.tanh(s), s, -sp.oo), -1),
        (sp.Limit(1 / (1 + sp.exp(-s)), s, sp.oo), 1),
        (sp.Limit(sp.log(1 + sp.exp(s)), s, -sp.oo), 0),
        # infinite values: a difference oo - oo is undefined, so these need care
        (sp.Limit(sp.exp(s), s, sp.oo), sp.oo),
        (sp.Limit(s, s, -sp.oo), -sp.oo),
        (sp.Limit(sp.log(1 + sp.exp(s)), s, sp.oo), sp.oo),
        (sp.Limit(2 * (s - a), s, sp.oo), sp.oo),
    ],
    ids=str,
)
def test_limit_is_verified(lhs, rhs):
    assert check_equal(lhs, rhs).status in VERIFIED


@pytest.mark.parametrize(
    ("lhs", "rhs"),
    [
        (sp.Limit(sp.tanh(s), s, -sp.oo), 1),
        (sp.Limit(1 - sp.tanh(s) ** 2, s, sp.oo), 1),
        (sp.Limit(1 / (1 + sp.exp(-s)), s, -sp.oo), 1),
    ],
    ids=str,
)
def test_wrong_finite_limit_raises(lhs, rhs):
    with pytest.raises(VerificationError):
        check_equal(lhs, rhs)


@pytest.mark.parametrize(
    ("lhs", "rhs"),
    [
        (sp.Limit(sp.exp(s), s, sp.oo), -sp.oo),
        (sp.Limit(sp.exp(s), s, sp.oo), 0),
        (sp.Limit(sp.tanh(s), s, sp.oo), sp.oo),
    ],
    ids=str,
)
def test_wrong_infinite_limit_raises(lhs, rhs):
    with pytest.raises(VerificationError):
        check_equal(lhs, rhs)


_s, _y = sp.symbols("s y", real=True)


@pytest.mark.parametrize(
    "expr",
    [
        1 - sp.tanh(_s) ** 2,
        2 * (sp.tanh(_s) - _y) * (1 - sp.tanh(_s) ** 2),
        2 * (_s - _y),
        _s * sp.exp(-_s),  # 0 * oo at +oo: indeterminate, must fall through to Gruntz
        sp.exp(_s) / (1 + sp.exp(_s)),  # oo / oo at +oo
        (1 + 1 / _s) ** _s,  # 1 ** oo
        sp.sin(_s) / _s,  # bounded oscillation over oo
    ],
)
@pytest.mark.parametrize("point", [sp.oo, -sp.oo])
def test_limits_at_infinity_agree_with_the_gruntz_algorithm(expr, point):
    from symhw.verify import limit

    direction = "-" if point == sp.oo else "+"
    assert limit(expr, _s, point) == sp.limit(expr, _s, point, dir=direction)


def test_a_pole_at_a_sample_point_is_stepped_over(monkeypatch):
    """s = 1 is a point of the sampling grid; 1/(s - 1) is not evaluable there."""
    import symhw.verify as verify

    values = iter([sp.Integer(1), sp.Rational(1, 3), sp.Rational(3, 7), sp.Rational(5, 9)])
    monkeypatch.setattr(verify, "_sample", lambda sym, rng: next(values))
    pair = (1 / (s - 1), -1 / (1 - s))
    assert verify._sample_pairs([pair], random.Random(0), points=3) == (0.0, False)
    assert next(values, None) is None  # the pole was stepped over: all four points drawn


def test_an_unevaluable_pair_does_not_hide_a_false_one(monkeypatch):
    """g(s) = h(s) can be decided neither way; s = 1/2 is false, though true at the one point
    the quick probe tries. The check must still raise, not report 'unverified'."""
    import symhw.verify as verify

    calls = iter(range(10**6))
    half, others = sp.Rational(1, 2), [sp.Rational(k, 11) for k in range(1, 60)]
    monkeypatch.setattr(
        verify, "_sample", lambda sym, rng: half if next(calls) < 5 else others.pop()
    )
    g, h = sp.Function("g")(s), sp.Function("h")(s)
    with pytest.raises(VerificationError, match="is false"):
        check_equal((g, s), (h, half))


# ---------------------------------------------------------------- budgets


def chain_rule_pair(depth: int, factor: int = 2):
    """f ↦ tanh(f) + f²/4 nested ``depth`` times (a tree of 2^depth nodes; bounded on
    [-2, 2]), and its derivative by the chain rule written out: g ↦ (1 - tanh(f)² + f/factor) g.
    """
    with sp.evaluate(False):
        f, g = s, sp.Integer(1)
        for _ in range(depth):
            f, g = sp.tanh(f) + f**2 / 4, (1 - sp.tanh(f) ** 2 + f / factor) * g
    return f, g


def test_a_graph_too_large_for_simplification_is_sampled():
    """At depth 40 no tree walk ends; sampling the graph at 30 digits decides it."""
    from symhw.dag import LazyDerivative

    f, g = chain_rule_pair(40)
    check = check_equal(LazyDerivative(f, s), g)
    assert check.status == "numeric"
    assert "random points" in check.method


def test_a_false_derivative_of_a_large_graph_raises():
    from symhw.dag import LazyDerivative

    f, wrong = chain_rule_pair(40, factor=3)
    with pytest.raises(VerificationError, match="is false") as err:
        check_equal(LazyDerivative(f, s), wrong)
    assert "nodes>" in str(err.value)  # named by its size, not printed in full


def test_past_the_sampling_budget_the_check_says_budget():
    from symhw.dag import LazyDerivative
    from symhw.verify import Budget

    f, g = chain_rule_pair(40)
    check = check_equal(LazyDerivative(f, s), g, budget=Budget(sample=100))
    assert check.status == "budget" and not check.verified
    assert "over the budget of 100 node evaluations" in check.method


def test_simplification_is_skipped_past_its_budget(monkeypatch):
    """A difference over the simplify budget never reaches cancel or simplify."""
    import symhw.verify as verify
    from symhw.verify import Budget

    seen = []
    original = verify._first_zero
    monkeypatch.setattr(
        verify,
        "_first_zero",
        lambda d, simplifiers: seen.append(simplifiers) or original(d, simplifiers),
    )
    check = check_equal(sp.sin(s) ** 2 + sp.cos(s) ** 2, 1, budget=Budget(simplify=3))
    assert check.status == "numeric"
    assert all(sims is not verify._COSTLY for sims in seen)


# compare: the same decisions as check_equal, returned instead of raised (for `symhw check`)


def test_compare_returns_a_counterexample_point_for_a_false_equality():
    """tanh'(s) = 1 + tanh(s)^2 is false everywhere but s = 0: the point must show it."""
    s = sp.Symbol("s", real=True)
    outcome = compare(sp.Derivative(sp.tanh(s), s), 1 + sp.tanh(s) ** 2)
    assert outcome.equal is False
    value = outcome.point[s]
    assert isinstance(value, sp.Rational) and value != 0
    left, right = (sp.N(e.subs(s, value), 30) for e in outcome.pair)
    assert abs(left - right) > 1e-3  # they differ at the point, as said


def test_compare_says_how_a_true_equality_was_shown():
    x = sp.Symbol("x")
    outcome = compare((x + 1) ** 2, x**2 + 2 * x + 1)
    assert outcome.equal is True and outcome.check.status == "symbolic"
    assert outcome.check.method == "difference expands to 0"


def test_compare_reports_shapes_that_differ_without_raising():
    outcome = compare(sp.Matrix([1, 2]), sp.Matrix([[1, 2]]))
    assert outcome.equal is False and "shapes differ: (2, 1) and (1, 2)" in outcome.why


def test_compare_leaves_an_equality_over_the_budget_undecided_never_passed():
    x = sp.Symbol("x")
    big = sum(x**k for k in range(60))
    outcome = compare(big, big + 0 * x, budget=Budget(evaluate=10, sample=10))
    assert outcome.equal is None and outcome.check.status == "budget"


def test_check_equal_raises_what_compare_returns():
    x = sp.Symbol("x")
    with pytest.raises(VerificationError, match="is false: shapes differ"):
        check_equal(sp.Matrix([x]), sp.Matrix([x, x]))
