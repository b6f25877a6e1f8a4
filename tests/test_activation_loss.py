"""Question 1 (activation + loss): derived gradients, θ' and its limits against independent numbers.

Every expected value comes from outside symhw: torch autograd on the loss written from its
definition, central finite differences of a NumPy loss written here, or hand-known limits.
"""

from __future__ import annotations

import functools

import numpy as np
import pytest
import sympy as sp
import torch
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from conftest import answers_error, run_cli, torch_activations
from symhw.derivation import Table
from symhw.errors import InputError
from symhw.lowering import Instance, lower
from symhw.numeric import NUMPY_FUNCTIONS
from symhw.problems.activation_loss import Params, solve
from symhw.problems.activation_loss.reference import gradient_function, risk_function

s = sp.Symbol("s", real=True)

#: (activation, loss) pairs the problem supports.
CASES = [
    ("tanh", "squared"),
    ("sigmoid", "squared"),
    ("identity", "squared"),
    ("softplus", "squared"),
    ("relu", "squared"),
    ("sigmoid", "cross-entropy"),
]
ACTIVATION_NAMES = ["tanh", "sigmoid", "identity", "softplus", "relu"]

TORCH_THETA = torch_activations()

#: loss(p, y) in torch.
TORCH_LOSS = {
    "squared": lambda p, y: (p - y) ** 2,
    "cross-entropy": lambda p, y: -(y * torch.log(p) + (1 - y) * torch.log(1 - p)),
}

#: θ in NumPy, written here (not symhw's forms), for the finite-difference reference.
NUMPY_THETA = {
    "tanh": np.tanh,
    "sigmoid": lambda u: 1.0 / (1.0 + np.exp(-u)),
    "identity": lambda u: u,
    "softplus": lambda u: np.log1p(np.exp(u)),
    "relu": lambda u: np.maximum(u, 0.0),
}

#: loss(p, y) in NumPy.
NUMPY_LOSS = {
    "squared": lambda p, y: (p - y) ** 2,
    "cross-entropy": lambda p, y: -(y * np.log(p) + (1 - y) * np.log(1 - p)),
}

#: lim θ'(s) as s → +∞ and s → -∞, worked out by hand.
HAND_LIMITS = {
    "tanh": (0, 0),
    "sigmoid": (0, 0),
    "identity": (1, 1),
    "softplus": (1, 0),
    "relu": (1, 0),
}

SETTINGS = settings(max_examples=20, deadline=None)


@functools.cache
def solution(activation: str, loss: str = "squared"):
    """Each derivation is slow (seconds; relu most): derive each case once per test run."""
    return solve(Params(activation=activation, loss=loss))


def random_data(seed: int, samples: int, dim: int, loss: str):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((samples, dim))
    # Cross-entropy needs targets in [0, 1]; the squared loss takes any real target.
    y = rng.uniform(0.0, 1.0, samples) if loss == "cross-entropy" else rng.standard_normal(samples)
    w = rng.standard_normal(dim)
    return X, y, w


def torch_gradient(activation: str, loss: str, w, X, y) -> np.ndarray:
    """∇E_in by autograd of E_in(w) = mean_n loss(θ(x_nᵀw), y_n) in float64."""
    wt = torch.tensor(w, dtype=torch.float64, requires_grad=True)
    Xt = torch.tensor(X, dtype=torch.float64)
    yt = torch.tensor(y, dtype=torch.float64)
    risk = TORCH_LOSS[loss](TORCH_THETA[activation](Xt @ wt), yt).mean()
    risk.backward()
    return wt.grad.numpy()


def numpy_risk(activation: str, loss: str, w, X, y) -> float:
    return float(np.mean(NUMPY_LOSS[loss](NUMPY_THETA[activation](X @ w), y)))


def finite_difference(f, w: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """(f(w + h e_i) - f(w - h e_i)) / 2h for each coordinate i."""
    grad = np.zeros_like(w)
    for i in range(len(w)):
        e = np.zeros_like(w)
        e[i] = h
        grad[i] = (f(w + e) - f(w - e)) / (2 * h)
    return grad


def data_strategy():
    return st.tuples(
        st.integers(0, 2**32 - 1),  # seed
        st.integers(1, 12),  # samples N
        st.integers(1, 5),  # dimension d
    )


# ---------------------------------------------------------------- the gradient function


@pytest.mark.parametrize(("activation", "loss"), CASES)
@SETTINGS
@given(data=data_strategy())
def test_gradient_matches_torch_autograd(activation, loss, data):
    seed, samples, dim = data
    X, y, w = random_data(seed, samples, dim, loss)
    if activation == "relu":
        assume(np.min(np.abs(X @ w)) > 1e-3)  # away from the kink, where θ' is undefined
    grad = gradient_function(activation, loss)
    np.testing.assert_allclose(
        grad(w, X, y), torch_gradient(activation, loss, w, X, y), rtol=1e-10, atol=1e-12
    )


@pytest.mark.parametrize(("activation", "loss"), CASES)
@SETTINGS
@given(data=data_strategy())
def test_gradient_matches_central_differences(activation, loss, data):
    seed, samples, dim = data
    X, y, w = random_data(seed, samples, dim, loss)
    if activation == "relu":
        assume(np.min(np.abs(X @ w)) > 1e-3)  # h = 1e-6 steps never cross the kink
    grad = gradient_function(activation, loss)
    fd = finite_difference(lambda v: numpy_risk(activation, loss, v, X, y), w)
    np.testing.assert_allclose(grad(w, X, y), fd, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize(
    ("w", "X", "y", "expected"),
    [
        # identity + squared: ∇ = (2/N) Σ (x_nᵀw - y_n) x_n, by hand.
        # N = 2: residuals (1·1 - 0, 2·1 - 1) = (1, 1); (2/2)(1·1 + 1·2) = 3.
        ([1.0], [[1.0], [2.0]], [0.0, 1.0], [3.0]),
        # N = 1, d = 2: residual (1 + 2) - 1 = 2; 2 · 2 · (1, 1) = (4, 4).
        ([1.0, 2.0], [[1.0, 1.0]], [1.0], [4.0, 4.0]),
        # A perfect fit has zero gradient.
        ([2.0, -1.0], [[1.0, 0.0], [0.0, 1.0]], [2.0, -1.0], [0.0, 0.0]),
    ],
)
def test_identity_gradient_by_hand(w, X, y, expected):
    grad = gradient_function("identity", "squared")
    np.testing.assert_allclose(
        grad(np.array(w), np.array(X), np.array(y)), np.array(expected), atol=1e-15
    )


@pytest.mark.parametrize(("activation", "loss"), CASES)
def test_risk_function_matches_numpy_definition(activation, loss):
    X, y, w = random_data(7, 6, 3, loss)
    risk = risk_function(activation, loss)
    assert risk(w, X, y) == pytest.approx(numpy_risk(activation, loss, w, X, y), rel=1e-12)


# ------------------------------------------------------ the tanh gradient in the seed's form


def seed_tanh_gradient(w, X, y):
    """(2/N) Σ_n (tanh(wᵀx_n) - y_n)(1 - tanh²(wᵀx_n)) x_n, one sample at a time."""
    total = np.zeros_like(w)
    for x_n, y_n in zip(X, y, strict=True):
        t = np.tanh(w @ x_n)
        total += (t - y_n) * (1 - t**2) * x_n
    return 2 * total / len(y)


def test_tanh_gradient_function_is_the_seed_form():
    X, y, w = random_data(11, 9, 4, "squared")
    grad = gradient_function("tanh", "squared")
    np.testing.assert_allclose(grad(w, X, y), seed_tanh_gradient(w, X, y), rtol=1e-12)


def test_tanh_gradient_answer_is_the_seed_form():
    """The displayed answer, written out at N = 3 and d = 2, evaluates to the seed's formula."""
    samples, dim = 3, 2
    answer = solution("tanh").answer("gradient").value
    N = next(sym for sym in answer.free_symbols if sym.name == "N")
    inst = Instance({N: samples}, dim=dim)
    X, y, w = random_data(5, samples, dim, "squared")
    values = {f"w[{k}]": w[k] for k in range(dim)}
    values |= {f"x[{i + 1}][{k}]": X[i, k] for i in range(samples) for k in range(dim)}
    values |= {f"y[{i + 1}]": y[i] for i in range(samples)}
    components = []
    for k in range(dim):
        scalar = lower(answer, inst, k)
        point = {sym: values[sym.name] for sym in scalar.free_symbols}
        components.append(float(scalar.subs(point)))
    np.testing.assert_allclose(components, seed_tanh_gradient(w, X, y), rtol=1e-12)


# ---------------------------------------------------------------- θ'(s) and its limits


def torch_theta_prime(activation: str, points: np.ndarray) -> np.ndarray:
    u = torch.tensor(points, dtype=torch.float64, requires_grad=True)
    TORCH_THETA[activation](u).sum().backward()
    return u.grad.numpy()


def numpy_of(expr: sp.Expr):
    """θ'(s) as a NumPy function of s, with symhw's sigmoid / softplus given NumPy meanings."""
    f = sp.lambdify(s, expr, modules=[NUMPY_FUNCTIONS, "numpy"])
    return lambda points: np.broadcast_to(f(points), points.shape)  # θ' = 1 is a constant


@pytest.mark.parametrize("activation", ACTIVATION_NAMES)
def test_activation_derivative_matches_torch_autograd(activation):
    theta_prime = solution(activation).answer("activation_derivative").value
    assert theta_prime.free_symbols <= {s}
    points = np.linspace(-6.0, 6.0, 60)  # an even count: 0, relu's kink, is not a point
    np.testing.assert_allclose(
        numpy_of(theta_prime)(points), torch_theta_prime(activation, points), rtol=1e-12, atol=1e-15
    )


@pytest.mark.parametrize("activation", ACTIVATION_NAMES)
@pytest.mark.parametrize(
    ("name", "sign", "side"),
    [
        ("derivative_limit_pos", 1.0, 0),
        ("derivative_limit_neg", -1.0, 1),
    ],
)
def test_derivative_limits(activation, name, sign, side):
    limit = solution(activation).answer(name).value
    assert isinstance(limit, sp.Number)  # an exact number, not an unevaluated Limit
    assert limit == HAND_LIMITS[activation][side]
    # θ' far out along the axis, by autograd, is already at its limit.
    far = torch_theta_prime(activation, np.array([sign * 30.0, sign * 60.0]))
    np.testing.assert_allclose(far, float(limit), atol=1e-9)


# ---------------------------------------------------------------- the derivation as a whole


@pytest.mark.parametrize(
    ("activation", "loss"),
    [("tanh", "squared"), ("sigmoid", "squared"), ("sigmoid", "cross-entropy")],
)
def test_every_step_is_verified(activation, loss):
    sol = solution(activation, loss)
    assert sol.steps
    for step in sol.steps:
        assert step.check.status in ("symbolic", "numeric", "definition"), step.rule
    assert [step.check.status for step in sol.steps].count("definition") == 1  # E_in := ...
    counts = sol.summary()
    assert counts["unverified"] == 0
    assert counts["symbolic"] + counts["numeric"] == len(sol.steps) - 1


@pytest.mark.parametrize(("activation", "loss"), CASES)
def test_numeric_cross_check_passed(activation, loss):
    checks = solution(activation, loss).numeric_checks
    assert checks
    for check in checks:
        assert check.passed
        assert check.max_error <= 1e-6


@pytest.mark.parametrize(("activation", "loss"), CASES)
def test_no_step_is_unverified(activation, loss):
    assert solution(activation, loss).summary()["unverified"] == 0


@pytest.mark.parametrize(
    ("loss", "expected"),
    [
        # cross-entropy with sigmoid: ∇ = (1/N) Σ (sig(wᵀx_n) - y_n) x_n, the factor 2 is absent.
        ("cross-entropy", 1.0),
        # squared: (2/N) Σ (sig - y) sig (1 - sig) x_n; at wᵀx = 0, sig = 1/2, sig(1 - sig) = 1/4.
        ("squared", 2 * 0.25),
    ],
)
def test_sigmoid_gradient_at_zero_weights_by_hand(loss, expected):
    # w = 0: every sig(wᵀx_n) = 1/2, so ∇ = c (1/N) Σ (1/2 - y_n) x_n with c from the table.
    X = np.array([[1.0, 2.0], [3.0, -1.0]])
    y = np.array([0.0, 1.0])
    by_hand = expected * np.array([(0.5 * 1 - 0.5 * 3) / 2, (0.5 * 2 + 0.5 * 1) / 2])
    grad = gradient_function("sigmoid", loss)
    np.testing.assert_allclose(grad(np.zeros(2), X, y), by_hand, rtol=1e-14)


# ---------------------------------------------------------------- input errors


def _check_data():
    """The finite-difference check's data, its seeded draw restated (Params defaults: seed
    0, N = 8, d = 3): X, y and the check's weights w0."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((8, 3))
    y = rng.uniform(0.05, 0.95, 8)
    return X, y, 0.5 * rng.standard_normal(3)


def _widest_direction(X, w0):
    """Of w0 and the samples, as unit vectors, the one whose least |uᵀx_n| is largest (by
    brute force, one candidate at a time)."""
    best, margin = None, -1.0
    for c in [w0, *X]:
        c = c / np.linalg.norm(c)
        m = min(abs(float(x @ c)) for x in X)
        if m > margin:
            best, margin = c, m
    return best, margin


@pytest.mark.parametrize(("activation", "loss"), CASES)
def test_the_growth_curve_matches_torch_on_the_check_data(activation, loss):
    """‖∇E_in(t u)‖ as plotted, against torch autograd at the same t along the direction
    recomputed here; no table of it is left in the appendix."""
    sol = solution(activation, loss)
    assert not any(isinstance(p, Table) for p in sol.parts)  # the plot replaced the table
    figure = next(p for p in sol.parts if getattr(p, "title", "").startswith("Gradient norm"))
    (curve,) = figure.drawing.curves
    X, y, w0 = _check_data()
    u, margin = _widest_direction(X, w0)
    assert margin > 0.2 > min(abs(X @ w0)) / np.linalg.norm(w0)  # away from uᵀx_n ≈ 0
    for t, norm in zip(curve.x, curve.y, strict=True):
        if loss == "cross-entropy":  # log σ saturates to log 0: use the logits form
            wt = torch.tensor(t * u, dtype=torch.float64, requires_grad=True)
            logits = torch.tensor(X, dtype=torch.float64) @ wt
            target = torch.tensor(y, dtype=torch.float64)
            torch.nn.functional.binary_cross_entropy_with_logits(logits, target).backward()
            expected = np.linalg.norm(wt.grad.numpy())
        else:
            expected = np.linalg.norm(torch_gradient(activation, loss, t * u, X, y))
        # 1 − tanh² loses digits deep in saturation: to the curve's precision, 5e-3
        assert norm == pytest.approx(expected, rel=5e-3, abs=1e-300), t


@pytest.mark.parametrize("activation", ["tanh", "identity", "softplus", "relu"])
def test_cross_entropy_needs_sigmoid(activation):
    """Refused when the parameters are made, before anything is solved."""
    with pytest.raises(InputError) as err:
        Params(activation=activation, loss="cross-entropy")
    assert err.value.field == "loss"
    assert "sigmoid" in str(err.value)


# ---------------------------------------------------------------- known defects


def test_numpy_sigmoid_is_accurate_in_the_left_tail():
    points = np.array([-45.0, -30.0, -20.0])
    exact = torch.sigmoid(torch.tensor(points, dtype=torch.float64)).numpy()
    np.testing.assert_allclose(NUMPY_FUNCTIONS["sigmoid"](points), exact, rtol=1e-12)


def test_a_wide_cross_entropy_check_is_confirmed():
    """d = 1000: the check's weights are scaled by 1/sqrt(d), so σ(wᵀx_n) does not saturate
    and the plain-Python reference keeps its digits (unscaled, it missed by 0.06)."""
    sol = solve(Params("sigmoid", "cross-entropy", check_samples=100, check_dim=1000))
    assert all(c.passed for c in sol.numeric_checks)


# ---------------------------------------------------------------- size limits


def test_the_largest_check_finishes_and_says_what_it_checked(tmp_path):
    """N = 10000, d = 1000 (the limits): 2001 evaluations of the plain-Python reference took
    89 s one coordinate at a time; the check now differentiates 49 evenly spaced coordinates
    (N·d·(2k + 1) ≤ 1e9) in blocks of columns and says so."""
    spec = tmp_path / "big.toml"
    spec.write_text(
        '[[problems]]\nid = "q1"\nkind = "activation-loss"\n'
        "check_samples = 10000\ncheck_dim = 1000\nseed = 4294967295\n",
        "utf-8",
    )
    done = run_cli("sheet", str(spec), "-o", str(tmp_path), "--format", "json", timeout=120)
    assert done.returncode == 0, done.stderr
    text = (tmp_path / "big.json").read_text("utf-8")
    assert "along 49 of its 1000 coordinates, evenly spaced" in text


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("check_samples = 10001", "'check_samples': must be at most 10000, got 10001"),
        ("check_dim = 1001", "'check_dim': must be at most 1000, got 1001"),
        ("seed = 4294967296", "'seed': must be at most 4294967295"),
        ("seed = -1", "'seed': must be at least 0"),
    ],
)
def test_sizes_past_the_limits_exit_2_naming_the_field(tmp_path, capsys, body, message):
    err = answers_error(tmp_path, capsys, f'id = "q1"\nkind = "activation-loss"\n{body}')
    assert message in err and err.count("\n") == 1
