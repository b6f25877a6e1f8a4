"""Numbers from derivations: lambdified gradients, finite differences, reference code."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import sympy as sp

from symhw.activations import ACTIVATIONS
from symhw.derivation import NumericCheck, decade, numeric_check

#: How lambdified code evaluates symhw's own SymPy functions (numerically stable forms).
NUMPY_FUNCTIONS: dict[str, Callable] = {
    name: ACTIVATIONS[name].numpy for name in ("sigmoid", "softplus", "relu")
}
NUMPY_FUNCTIONS["Heaviside"] = lambda s, h0=0.0: np.where(s > 0, 1.0, np.where(s < 0, 0.0, h0))


#: The modules argument of every lambdify: symhw's functions, then NumPy's namespace. NumPy
#: is given as the module object, not the string "numpy": for the string, SymPy runs
#: ``from numpy import *``, which imports numpy.f2py and friends (~0.1 s per process).
MODULES = [NUMPY_FUNCTIONS, np]

#: Rows per block in :func:`vectorised_gradient` (8192 × 32 float64 is 2 MiB).
GRADIENT_BLOCK_ROWS = 8192


def lambdify(args, expr: sp.Expr) -> Callable:
    """``sympy.lambdify`` to NumPy, with symhw's activations and common subexpressions."""
    return sp.lambdify(args, expr, modules=MODULES, cse=True)


def vectorised_gradient(factor: sp.Expr, s: sp.Symbol, y: sp.Symbol) -> Callable:
    """∇E(w) = Xᵀ r / N with r_n = factor(x_nᵀw, y_n): one lambdified scalar, two products.

    >>> import sympy as sp
    >>> s, y = sp.symbols("s y")
    >>> g = vectorised_gradient(2 * (s - y), s, y)  # least squares
    >>> g(np.array([1.0]), np.array([[1.0], [2.0]]), np.array([0.0, 0.0]))
    array([5.])
    """
    r = lambdify((s, y), factor)

    def gradient(w: np.ndarray, X: np.ndarray, y_: np.ndarray) -> np.ndarray:
        # Row blocks small enough to stay in cache: X is read from memory once, not twice.
        g = np.zeros(X.shape[1], dtype=np.result_type(X, w, float))
        for start in range(0, len(y_), GRADIENT_BLOCK_ROWS):
            Xb, yb = X[start : start + GRADIENT_BLOCK_ROWS], y_[start : start + GRADIENT_BLOCK_ROWS]
            g += np.broadcast_to(r(Xb @ w, yb), yb.shape) @ Xb
        return g / len(y_)

    return gradient


#: Relative step of central differences: h_i = FD_STEP · max(1, |w_i|).
FD_STEP = 1e-6


def fd_steps(w: np.ndarray) -> np.ndarray:
    """The step of each coordinate, relative to its size (so huge weights still move f)."""
    return FD_STEP * np.maximum(1.0, np.abs(np.asarray(w, dtype=float)))


def central_difference(
    f: Callable[[np.ndarray], float],
    w: np.ndarray,
    coords: np.ndarray | None = None,
    *,
    columns: bool = False,
) -> np.ndarray:
    """The gradient of f at w by central differences along ``coords`` (default: all of them).

    With ``columns``, f takes a d × m matrix whose columns are points and returns their m
    values (a plain-Python reference written with ``@`` and NumPy functions does): the
    points are then evaluated a block of columns per call, not one per call.

    >>> central_difference(lambda v: float(v @ v), np.array([1.0, -2.0])).round(6)
    array([ 2., -4.])
    >>> central_difference(lambda V: (V * V).sum(axis=0), np.array([1.0, -2.0]), columns=True)
    array([ 2., -4.])
    """
    w = np.asarray(w, dtype=float)
    coords = np.arange(len(w)) if coords is None else np.asarray(coords)
    steps = fd_steps(w)[coords]
    g = np.empty(len(coords))
    block = max(1, FD_BLOCK_ENTRIES // (2 * len(w))) if columns else 1
    for start in range(0, len(coords), block):
        at, h = coords[start : start + block], steps[start : start + block]
        b = len(at)
        points = np.repeat(w[:, None], 2 * b, axis=1)  # w + h_i e_i, then w - h_i e_i
        points[at, np.arange(b)] += h
        points[at, b + np.arange(b)] -= h
        if columns:
            values = np.asarray(f(points), dtype=float).reshape(2 * b)
        else:
            values = np.array([f(points[:, j]) for j in range(2 * b)], dtype=float)
        g[start : start + b] = (values[:b] - values[b:]) / (2 * h)
    return g


#: Entries of the point matrix handed to a column-wise f at once (2 MiB of float64: the
#: matrix stays in cache while a plain-Python reference multiplies each sample row by it).
FD_BLOCK_ENTRIES = 1 << 18


def finite_difference_check(
    lead: str,
    of: str,
    f: Callable[[np.ndarray], float],
    w: np.ndarray,
    derived,
    rel: float,
    detail: str = "",
    coords: np.ndarray | None = None,
    *,
    columns: bool = False,
) -> NumericCheck:
    """``derived`` (a gradient at w) against central differences of f, to ``rel`` of its size,
    along ``coords`` (default: every coordinate; ``columns`` as in :func:`central_difference`).

    A difference quotient carries rounding noise of about 100 ε |f| / h_i. Where that noise
    exceeds the tolerance, float64 cannot confirm the gradient (numbers far apart: a loss of
    1e24 with a bias of 0.5); the check then says so and is not counted as passed, instead
    of passing with a tolerance that would accept anything.
    """
    w = np.asarray(w, dtype=float)
    coords = np.arange(len(w)) if coords is None else np.asarray(coords)
    derived = np.asarray(derived, dtype=float)[coords]
    wanted = rel * max(1.0, float(np.max(np.abs(derived))))
    f_w = float(f(w))
    steps = fd_steps(w)[coords]
    noise = 100 * np.finfo(float).eps * abs(f_w) / steps
    if float(np.max(noise)) > wanted:
        return NumericCheck(
            f"{lead} cannot be compared with central finite differences of {of} in float64: "
            f"|f| = {abs(f_w):.1e} swamps steps of {float(np.min(steps)):.0e}{detail}",
            math.inf,
            wanted,
            confirmed=False,
        )
    err = float(np.max(np.abs(central_difference(f, w, coords, columns=columns) - derived)))
    return numeric_check(
        f"{lead} agrees with central finite differences of {of} to within {decade(err)}{detail}",
        err,
        wanted + float(np.max(noise)),
    )


def squared_error_risk(w, X, y, theta):
    N = len(y)
    return sum((theta(X[n] @ w) - y[n]) ** 2 for n in range(N)) / N


def cross_entropy_risk(w, X, y, theta):
    N = len(y)
    return (
        -sum(
            y[n] * np.log(theta(X[n] @ w)) + (1 - y[n]) * np.log(1 - theta(X[n] @ w))
            for n in range(N)
        )
        / N
    )


#: Plain-Python E_in for each loss, written independently of any derivation.
REFERENCE_RISK: dict[str, Callable] = {
    "squared": squared_error_risk,
    "cross-entropy": cross_entropy_risk,
}

FD_TOLERANCE = 1e-6


def random_problem(samples: int, dim: int, seed: int):
    """Seeded random data (X, y, w) for the numeric checks; targets lie in (0, 1)."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((samples, dim))
    y = rng.uniform(0.05, 0.95, samples)
    # wᵀx_n ~ N(0, 3/4) whatever d (weights 0.5·N(0, 1) at d = 3): large d does not saturate θ
    w = (0.5 * np.sqrt(3) / np.sqrt(dim)) * rng.standard_normal(dim)
    return X, y, w


#: Multiply-adds the finite-difference check may spend in the reference implementation:
#: one evaluation at one weight vector costs N·d, a coordinate needs two (w ± h e_i).
FD_BUDGET = 10**9


def checked_coordinates(samples: int, dim: int) -> np.ndarray:
    """The coordinates the check differentiates the reference along: all d of them where
    N·d·(2d + 1) ≤ :data:`FD_BUDGET`, else the k evenly spaced ones, 0, d/k, 2d/k, ..., that
    N·d·(2k + 1) ≤ FD_BUDGET allows. The budget is a count, so the sheet is deterministic.

    >>> checked_coordinates(8, 3)
    array([0, 1, 2])
    >>> coords = checked_coordinates(10_000, 1000)
    >>> len(coords), coords[:3]
    (49, array([ 0, 20, 40]))
    """
    k = min(dim, max(1, (FD_BUDGET // (samples * dim) - 1) // 2))
    return np.arange(k) * dim // k


def activation_loss_checks(
    risk: Callable, gradient: Callable, samples: int, dim: int, seed: int
) -> tuple[NumericCheck, ...]:
    """Check the derived gradient against central differences of the reference E_in.

    The reference is evaluated at a block of weight vectors per call (the columns of a
    matrix: its ``X[n] @ w`` then gives one pre-activation per column), along the
    coordinates :func:`checked_coordinates` allows; the description says how many.
    """
    X, y, w = random_problem(samples, dim, seed)
    derived = gradient(w, X, y)
    coords = checked_coordinates(samples, dim)
    detail = f" (N = {samples}, d = {dim}, seed {seed})"
    if len(coords) < dim:
        detail = (
            f" along {len(coords)} of its {dim} coordinates, evenly spaced (N = {samples}, "
            f"d = {dim}, seed {seed}; all {dim} would exceed the check's budget of "
            f"{decade(FD_BUDGET)} multiply-adds)"
        )
    check = finite_difference_check(
        "gradient",
        "the reference implementation",
        lambda v: risk(v, X, y),
        w,
        derived,
        FD_TOLERANCE,
        detail,
        coords,
        columns=True,
    )
    return (check,)
