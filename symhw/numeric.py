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


def central_difference(f: Callable[[np.ndarray], float], w: np.ndarray) -> np.ndarray:
    """The gradient of f at w by central differences, one coordinate at a time.

    >>> central_difference(lambda v: float(v @ v), np.array([1.0, -2.0])).round(6)
    array([ 2., -4.])
    """
    g = np.empty_like(w, dtype=float)
    for i, h in enumerate(fd_steps(w)):
        e = np.zeros_like(w, dtype=float)
        e[i] = h
        g[i] = (f(w + e) - f(w - e)) / (2 * h)
    return g


def finite_difference_check(
    lead: str,
    of: str,
    f: Callable[[np.ndarray], float],
    w: np.ndarray,
    derived,
    rel: float,
    detail: str = "",
) -> NumericCheck:
    """``derived`` (a gradient at w) against central differences of f, to ``rel`` of its size.

    A difference quotient carries rounding noise of about 100 ε |f| / h_i. Where that noise
    exceeds the tolerance, float64 cannot confirm the gradient (numbers far apart: a loss of
    1e24 with a bias of 0.5); the check then says so and is not counted as passed, instead
    of passing with a tolerance that would accept anything.
    """
    w = np.asarray(w, dtype=float)
    derived = np.asarray(derived, dtype=float)
    wanted = rel * max(1.0, float(np.max(np.abs(derived))))
    f_w = float(f(w))
    noise = 100 * np.finfo(float).eps * abs(f_w) / fd_steps(w)
    if float(np.max(noise)) > wanted:
        return NumericCheck(
            f"{lead} cannot be compared with central finite differences of {of} in float64: "
            f"|f| = {abs(f_w):.1e} swamps steps of {float(np.min(fd_steps(w))):.0e}{detail}",
            math.inf,
            wanted,
            confirmed=False,
        )
    err = float(np.max(np.abs(central_difference(f, w) - derived)))
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
            y[n] * math.log(theta(X[n] @ w)) + (1 - y[n]) * math.log(1 - theta(X[n] @ w))
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
GROWTH = (1, 10, 100, 1000)


def random_problem(samples: int, dim: int, seed: int):
    """Seeded random data (X, y, w) for the numeric checks; targets lie in (0, 1)."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((samples, dim))
    y = rng.uniform(0.05, 0.95, samples)
    # wᵀx_n ~ N(0, 3/4) whatever d (weights 0.5·N(0, 1) at d = 3): large d does not saturate θ
    w = (0.5 * np.sqrt(3) / np.sqrt(dim)) * rng.standard_normal(dim)
    return X, y, w


def activation_loss_checks(
    risk: Callable, gradient: Callable, samples: int, dim: int, seed: int
) -> tuple[tuple[NumericCheck, ...], tuple[tuple[str, str], ...]]:
    """Check the derived gradient against central differences of the reference E_in.

    Returns the check and a table, for growing t on the same data, of ‖∇E_in(t w)‖ and of
    min_n |t wᵀx_n|, the least saturated sample (3 significant figures each).
    """
    X, y, w = random_problem(samples, dim, seed)
    derived = gradient(w, X, y)
    check = finite_difference_check(
        "gradient",
        "the reference implementation",
        lambda v: risk(v, X, y),
        w,
        derived,
        FD_TOLERANCE,
        f" (N = {samples}, d = {dim}, seed {seed})",
    )
    least = float(np.min(np.abs(X @ w)))
    with np.errstate(over="ignore", under="ignore"):
        rows = tuple(
            (str(t), f"{np.linalg.norm(gradient(t * w, X, y)):#.3g}", f"{t * least:#.3g}")
            for t in GROWTH
        )
    return (check,), rows
