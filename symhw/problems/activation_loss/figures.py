"""The pictures of an activation-loss sheet: θ and θ′ with θ's saturation shaded, and
‖∇E_in(t w₀)‖ against t."""

from __future__ import annotations

import numpy as np
import sympy as sp

from symhw import numeric
from symhw.activations import Activation
from symhw.derivation import Figure, Paragraph
from symhw.figures import Curve, LinePlot
from symhw.notation import Grad, Norm
from symhw.problems.activation_loss.symbols import E_in, s, t, w, w0

#: θ is drawn on [-S, S]; it is saturated where |θ′(s)| is under this share of its largest
#: value there (a sample whose wᵀx_n lies there passes back less than 5% of the gradient).
S_RANGE, SATURATED = 6.0, 0.05


def activation_curves(act: Activation, points: int = 601) -> tuple[np.ndarray, ...]:
    """s, θ(s), θ′(s) on [-S, S] (θ′ in closed form, NumPy)."""
    grid = np.linspace(-S_RANGE, S_RANGE, points)
    return grid, act.numpy(grid), act.numpy_derivative(grid)


def saturated_intervals(
    grid: np.ndarray, derivative: np.ndarray
) -> tuple[tuple[float, float], ...]:
    """The runs of the grid where |θ′| < SATURATED · max |θ′|, as (start, end) intervals.

    >>> g = np.linspace(-4.0, 4.0, 9)  # 1 - tanh²(s) is 0.07 at |s| = 2, 0.0099 at 3
    >>> saturated_intervals(g, 1.0 - np.tanh(g) ** 2)
    ((-4.0, -3.0), (3.0, 4.0))
    """
    low = np.abs(derivative) < SATURATED * np.max(np.abs(derivative))
    edges = np.flatnonzero(np.diff(np.concatenate(([0], low.astype(np.int8), [0]))))
    return tuple(
        (float(grid[a]), float(grid[b - 1])) for a, b in zip(edges[::2], edges[1::2], strict=True)
    )


def activation_figure(act: Activation) -> Figure:
    grid, value, derivative = activation_curves(act)
    shaded = saturated_intervals(grid, derivative)
    theta = act(s)
    plot = LinePlot(
        (Curve((theta,), grid, value), Curve((sp.Derivative(theta, s),), grid, derivative)),
        (s,),
        ("",),
        shaded,
        ("saturated",),
    )
    where = (
        "shaded where |θ′(s)| is under 5% of its largest value: a sample whose wᵀx_n lies "
        "there passes back almost no gradient."
        if shaded
        else f"θ′ stays at least 5% of its largest value on [−{S_RANGE:g}, {S_RANGE:g}]: "
        "θ does not saturate there."
    )
    caption = (theta, " and its derivative ", sp.Derivative(theta, s), "; ")
    return Figure("The activation and its derivative", plot, Paragraph((*caption, where)))


def growth_figure(gradient, samples: int, dim: int, seed: int) -> Figure:
    """‖∇E_in(t w₀)‖ on log-log axes, where it is positive in float64."""
    scales = numeric.GROWTH_CURVE
    norms = numeric.gradient_norms(gradient, samples, dim, seed, scales)
    keep = norms > 0
    norm = Norm(sp.Subs(Grad(E_in, w), w, t * w0))
    plot = LinePlot(
        (Curve((norm,), scales[keep], norms[keep]),), (t,), (norm,), log_x=True, log_y=True
    )
    caption = [
        "The gradient norm along the direction ",
        w0,
        " of the finite-difference check, on its data, as t grows from 0.1 to 1000 (both "
        "axes logarithmic)",
    ]
    if not keep.all():
        caption.append(f"; from t = {scales[~keep][0]:.3g} on it is exactly 0 in float64")
    return Figure("Gradient norm as the weights grow", plot, Paragraph((*caption, ".")))
