"""The pictures of an activation-loss sheet: θ and θ′ with θ's saturation shaded, and
‖∇E_in(t u)‖ against t along a direction u that keeps every sample away from uᵀx = 0."""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import sympy as sp

from symhw import numeric
from symhw.activations import Activation
from symhw.derivation import Figure, Paragraph
from symhw.figures import Curve, LinePlot, Mark
from symhw.notation import Grad, Inner, MinOver, Norm, Vec
from symhw.problems.activation_loss.symbols import E_in, n, s, t, w, w0, x_n

#: θ is drawn on [-S, S]; it is saturated where |θ′(s)| is under this share of its largest
#: value there (a sample whose wᵀx_n lies there passes back less than 5% of the gradient).
S_RANGE, SATURATED = 6.0, 0.05

#: The growth plot's direction u is the best of w₀ and this many first samples; its scales
#: t run from where every |t uᵀx_n| is under 0.1 (θ nearly linear) to where every one is
#: past FAR (θ′ is 0 in float64 for tanh and σ there or soon after), POINTS a decade.
DIRECTIONS, FAR, POINTS = 16, 20.0, 8

u = Vec(sp.Symbol("u"))


def activation_curves(act: Activation, points: int = 601) -> tuple[np.ndarray, ...]:
    """s, θ(s), θ′(s) on [-S, S] (θ′ in closed form, NumPy)."""
    grid = np.linspace(-S_RANGE, S_RANGE, points)
    return grid, act.numpy(grid), act.numpy_derivative(grid)


def runs(grid: np.ndarray, mask: np.ndarray) -> tuple[tuple[float, float], ...]:
    """The runs of the grid where ``mask`` holds, as (start, end) intervals.

    >>> runs(np.arange(5.0), np.array([True, False, True, True, False]))
    ((0.0, 0.0), (2.0, 3.0))
    """
    edges = np.flatnonzero(np.diff(np.concatenate(([0], mask.astype(np.int8), [0]))))
    return tuple(
        (float(grid[a]), float(grid[b - 1])) for a, b in zip(edges[::2], edges[1::2], strict=True)
    )


def saturated_intervals(
    grid: np.ndarray, derivative: np.ndarray
) -> tuple[tuple[float, float], ...]:
    """The runs of the grid where |θ′| < SATURATED · max |θ′|, as (start, end) intervals.

    >>> g = np.linspace(-4.0, 4.0, 9)  # 1 - tanh²(s) is 0.07 at |s| = 2, 0.0099 at 3
    >>> saturated_intervals(g, 1.0 - np.tanh(g) ** 2)
    ((-4.0, -3.0), (3.0, 4.0))
    """
    return runs(grid, np.abs(derivative) < SATURATED * np.max(np.abs(derivative)))


def saturated(values: np.ndarray, intervals: tuple[tuple[float, float], ...]) -> np.ndarray:
    """Which pre-activations lie in θ's saturated region: the intervals of the figure of θ,
    those reaching the edge of its range [-S, S] continued to infinity.

    >>> saturated(np.array([-9.0, 0.0, 2.5, 9.0]), ((-6.0, -2.0), (2.0, 6.0))).tolist()
    [True, False, True, True]
    """
    inside = np.zeros(values.shape, dtype=bool)
    for a, b in intervals:
        lo = -np.inf if a <= -S_RANGE else a
        hi = np.inf if b >= S_RANGE else b
        inside |= (values >= lo) & (values <= hi)
    return inside


def _figure(x: float) -> sp.Number:
    """A number to 3 significant figures, as the sheet prints it: 3.94 · 10⁻⁷, 0.422, 75.

    >>> _figure(3.9412e-7), _figure(74.99)
    (3.94e-7, 75)
    """
    rounded = float(f"{x:.3g}")
    return sp.Integer(int(rounded)) if rounded.is_integer() else sp.Float(f"{x:.3g}", 3)


def _at(scale: float) -> sp.Eq:
    """``t = 0.422``: a scale of the growth plot, to 3 significant figures."""
    return sp.Eq(t, _figure(float(scale)), evaluate=False)


def _regions(intervals: tuple[tuple[float, float], ...]) -> tuple:
    """Where s is saturated, in math: |s| > 2.18 when symmetric, else each interval."""
    (a, b), *rest = intervals
    if len(intervals) == 2 and a <= -S_RANGE and rest[0][1] >= S_RANGE and -b == rest[0][0]:
        return (sp.Gt(sp.Abs(s), _figure(rest[0][0]), evaluate=False),)
    out: list = []
    for a, b in intervals:
        if a <= -S_RANGE:
            where = sp.Lt(s, _figure(b), evaluate=False)
        elif b >= S_RANGE:
            where = sp.Gt(s, _figure(a), evaluate=False)
        else:
            where = sp.And(
                sp.Lt(_figure(a), s, evaluate=False),
                sp.Lt(s, _figure(b), evaluate=False),
                evaluate=False,
            )
        out += [" or " if out else "", where]
    return tuple(out)


def activation_figure(act: Activation) -> Figure:
    grid, value, derivative = activation_curves(act)
    shaded = saturated_intervals(grid, derivative)
    theta = act(s)
    slope = sp.Derivative(theta, s)
    plot = LinePlot(
        (Curve((theta,), grid, value), Curve((slope,), grid, derivative)),
        (s,),
        (theta, " and ", slope),
        shaded,
        ("saturated",),
    )
    if shaded:
        where = (
            "shaded where ",
            sp.Abs(slope),
            " is under 5% of its largest value (",
            *_regions(shaded),
            "): a sample whose ",
            Inner(w, x_n),
            " lies there passes back almost no gradient.",
        )
    else:
        where = (
            slope,
            " stays at least 5% of its largest value on ",
            sp.Interval(-int(S_RANGE), int(S_RANGE)),
            ": ",
            theta,
            " does not saturate there.",
        )
    caption = (theta, " and its derivative ", slope, "; ", *where)
    return Figure("The activation and its derivative", plot, Paragraph(caption))


def growth_direction(X: np.ndarray, w_start: np.ndarray) -> tuple[np.ndarray, int | None]:
    """The unit direction u, among w₀ and the first :data:`DIRECTIONS` samples, whose least
    |uᵀx_n| is largest (the first on a tie), and which sample it is (None: w₀).

    >>> X = np.array([[1.0, 0.0], [1.0, 0.1], [0.0, 1.0]])
    >>> u, m = growth_direction(X, np.array([1.0, 0.0]))
    >>> m, np.round(u, 3).tolist()
    (1, [0.995, 0.1])
    """
    candidates = np.vstack([w_start, X[:DIRECTIONS]])
    lengths = np.linalg.norm(candidates, axis=1)
    usable = lengths > 0
    unit = candidates[usable] / lengths[usable, None]
    margins = np.min(np.abs(X @ unit.T), axis=0)
    best = int(np.argmax(margins))
    index = int(np.flatnonzero(usable)[best])
    return unit[best], (None if index == 0 else index - 1)


def growth_scales(projections: np.ndarray) -> np.ndarray:
    """The scales t of the growth plot (powers of ten at both ends, :data:`POINTS` a
    decade): from all |t uᵀx_n| under 0.1 to all past :data:`FAR`, at most 8 decades."""
    sizes = np.abs(projections)
    top = float(np.max(sizes)) if np.any(sizes > 0) else 1.0
    least = float(np.min(sizes[sizes > 0])) if np.any(sizes > 0) else 1.0
    lo = np.floor(np.log10(0.1 / top))
    hi = min(np.ceil(np.log10(FAR / least)), lo + 8)
    return np.logspace(lo, hi, int(hi - lo) * POINTS + 1)


def growth_figure(
    act: Activation, gradient: Callable[..., np.ndarray], samples: int, dim: int, seed: int
) -> Figure:
    """‖∇E_in(t u)‖ on log-log axes, on the data of the finite-difference check, along the
    direction :func:`growth_direction` picks; shaded where every sample is saturated, the
    largest value marked where the norm rises first."""
    X, y, w_start = numeric.random_problem(samples, dim, seed)
    direction, sample = growth_direction(X, w_start)
    projections = X @ direction
    scales = growth_scales(projections)
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        norms = np.array([np.linalg.norm(gradient(t_ * direction, X, y)) for t_ in scales])
    keep = norms > 0
    fine = np.logspace(np.log10(scales[0]), np.log10(scales[-1]), 64 * (len(scales) - 1) + 1)
    intervals = saturated_intervals(*activation_curves(act)[::2])
    every = np.array([bool(np.all(saturated(f * projections, intervals))) for f in fine])
    shaded = runs(fine, every)
    peak = rise(norms)
    marks = ()
    if peak is not None:  # it rises first: the largest value, where it is
        marks = (Mark(float(scales[peak]), float(norms[peak]), (_figure(norms[peak]),)),)
    norm = Norm(sp.Subs(Grad(E_in, w), w, t * u))
    plot = LinePlot(
        (Curve((norm,), scales[keep], norms[keep]),),
        (t,),
        (norm,),
        shaded,
        ("every ", t * Inner(u, x_n), " saturated"),
        log_x=True,
        log_y=True,
        marks=marks,
    )
    facts = GrowthFacts(X, w_start, direction, sample, scales, norms, shaded, peak)
    caption = Paragraph(growth_caption(facts, samples, dim, seed))
    return Figure("Gradient norm as the weights grow", plot, caption)


def rise(norms: np.ndarray) -> int | None:
    """Where a curve that rises before it falls (to under half its top) is highest, else
    None.

    >>> rise(np.array([1.0, 3.0, 1.0])), rise(np.array([1.0, 3.0, 2.0])), rise(np.ones(3))
    (1, None, None)
    """
    positive = np.flatnonzero(norms > 0)
    if len(positive) < 3:
        return None
    peak = int(np.argmax(norms))
    falls = norms[positive[-1]] < norms[peak] / 2
    return peak if positive[0] < peak < positive[-1] and falls else None


@dataclass(frozen=True, eq=False)
class GrowthFacts:
    """What the growth plot shows, for its caption: the data, the direction (``sample``:
    which sample it is, None for w₀), the scales and norms, the shaded runs and the peak."""

    X: np.ndarray
    w_start: np.ndarray
    direction: np.ndarray
    sample: int | None
    scales: np.ndarray
    norms: np.ndarray
    shaded: tuple[tuple[float, float], ...]
    peak: int | None


def growth_caption(f: GrowthFacts, samples: int, dim: int, seed: int) -> tuple:
    """The caption of the growth plot: the data, why this direction, what the curve does."""
    start = f.w_start / (np.linalg.norm(f.w_start) or 1.0)
    named = w0 if f.sample is None else Vec(sp.Symbol("x"), f.sample + 1)
    out: list = [
        Norm(sp.Subs(Grad(E_in, w), w, t * u)),
        " as ",
        t,
        f" grows, on the data of the finite-difference check (N = {samples}, d = {dim}, "
        f"seed {seed}); both axes logarithmic. The direction ",
        u,
        " is ",
        named,
        " scaled to length 1: of ",
        w0,
        " (the check's weights) and the first samples, the one whose least ",
        sp.Abs(Inner(u, x_n)),
        " is largest, ",
        sp.Eq(
            MinOver(sp.Abs(Inner(u, x_n)), n),
            _figure(np.min(np.abs(f.X @ f.direction))),
            evaluate=False,
        ),
        " (",
        _figure(np.min(np.abs(f.X @ start))),
        " along ",
        w0,
        *_boundary(np.abs(f.X @ f.direction)),
    ]
    if f.peak is not None:
        out += [
            "While every ",
            sp.Abs(t * Inner(u, x_n)),
            " is small the norm need not fall: here it first rises, to ",
            _figure(f.norms[f.peak]),
            " at ",
            _at(f.scales[f.peak]),
            " (marked). ",
        ]
    out += _shaded_sentence(f)
    zero = np.flatnonzero(f.norms == 0)
    if len(zero):
        out += ["From ", _at(f.scales[zero[0]]), " on it is exactly 0 in float64."]
    return tuple(out)


def _boundary(sizes: np.ndarray) -> tuple:
    """Whether some sample still lies near uᵀx = 0 (under a tenth of the median |uᵀx_n|)."""
    boundary = sp.Eq(Inner(u, Vec(sp.Symbol("x"))), 0, evaluate=False)
    median = statistics.median(sizes.tolist())  # np.median imports numpy.ma: 0.02 s
    if np.min(sizes) >= 0.1 * median:
        return ("): no sample lies near the boundary ", boundary, ", where terms vanish last. ")
    return (
        f"): of {len(sizes)} samples some still lie near the boundary ",
        boundary,
        ", and their terms vanish last. ",
    )


def _shaded_sentence(f: GrowthFacts) -> list:
    """Where every sample is saturated (shaded), and how far the norm falls there."""
    if not f.shaded:
        return ["At no ", t, " here is every sample in the saturated region of the activation. "]
    begin = f.shaded[0][0]
    inside = np.flatnonzero((f.scales >= begin) & (f.norms > 0))
    out = [
        "Shaded: every ",
        t * Inner(u, x_n),
        " lies in the activation's saturated region (shaded in its figure), from ",
        _at(begin),
        " on",
    ]
    if len(inside) > 1:
        a, b = inside[0], inside[-1]
        first, last = (
            (_figure(f.norms[a]), " at ", _at(f.scales[a])),
            (
                _figure(f.norms[b]),
                " at ",
                _at(f.scales[b]),
            ),
        )
        if f.norms[b] < f.norms[a] / 10:
            out += ["; there the norm falls from ", *first, " to ", *last]
        else:
            out += ["; yet there the norm does not vanish (", *first, ", ", *last, ")"]
            out += [": the factor has a nonzero limit"]
    return [*out, ". "]
