"""The numeric checks of a conv-matrix sheet: the structured operator at full size on random
data, and results from given numbers against the scattered float matrix."""

from __future__ import annotations

import numpy as np

from symhw.conv import (
    ConvIndexMap,
    backward_as_convolution,
    correlate,
    correlate_transpose,
)
from symhw.conv.backward_map import backward_map_matches
from symhw.conv.exact import Product, products, to_float
from symhw.derivation import NumericCheck, decade, numeric_check

#: Random-data checks pass when every entry agrees to this (entries are of order 1 to 100).
TOLERANCE = 1e-9


def _gap(a: np.ndarray, b: np.ndarray) -> float:
    """max |a - b|, computed in a's memory (a is overwritten)."""
    a = a.reshape(-1)
    np.subtract(a, b, out=a)
    return float(np.abs(a, out=a).max(initial=0.0))


def operator_checks(index_map: ConvIndexMap, seed: int = 0) -> tuple[NumericCheck, ...]:
    """Full-size checks of the structured operator: exact index maps, then random data."""
    g = index_map.geometry
    compared = backward_map_matches(index_map)
    checks = [
        numeric_check(
            f"the backward convolution places every weight where Aᵀ has it: {compared}", 0.0, 0.0
        )
    ]
    rng = np.random.default_rng(seed)
    w = rng.standard_normal(g.weight_shape)
    x = rng.standard_normal((g.in_channels, *g.size))
    y_err = _gap(correlate(w, x, g), index_map.matvec(w, x))
    del x  # the largest arrays are held two or three at a time
    gy = rng.standard_normal((g.out_channels, *g.out_size))  # drawn after x, as before
    scattered = index_map.matvec(w, gy, transpose=True)
    gx_err = max(
        _gap(correlate_transpose(w, gy, g), scattered),
        _gap(backward_as_convolution(w, gy, g), scattered),
    )
    nnz = f"{index_map.nnz} nonzeros, seed {seed}"
    checks.append(
        numeric_check(
            "on random data, Y = A x in convolution form (sliding windows) agrees with the "
            f"matrix A filled by scattering the weights ({nnz}) to within {decade(y_err)}",
            y_err,
            TOLERANCE,
        )
    )
    checks.append(
        numeric_check(
            "on the same data, Aᵀ ∂L/∂Y from the scattered matrix, by adding each tap's share "
            "back onto its window, and as the backward convolution with flipped kernels agree "
            f"to within {decade(gx_err)}",
            gx_err,
            TOLERANCE,
        )
    )
    return tuple(checks)


def _agreement(
    index_map: ConvIndexMap, w: np.ndarray, given: np.ndarray, result: np.ndarray, transpose: bool
) -> tuple[float, float]:
    """(largest |result - A v| over the largest Σ|w v|, and the bound it must be within), all
    in float64 (``w``, ``given`` and ``result`` as floats).

    A v from the scattered matrix in float64 errs by at most n·2^-53·Σ|w v| per entry (n
    terms); float inputs and the result add three roundings more: the bound is twice that.
    """
    g = index_map.geometry
    ref = index_map.matvec(w, given, transpose)
    scale = float(index_map.matvec(np.abs(w), np.abs(given), transpose).max(initial=0.0))
    gap = float(np.abs(result.reshape(-1) - ref).max(initial=0.0))
    terms = (g.out_per_group if transpose else g.in_per_group) * g.taps
    return (gap / scale if scale else gap), 2 * (terms + 3) * 2.0**-53


def exact_results(
    index_map: ConvIndexMap, weights: np.ndarray, x: np.ndarray | None, grad_y: np.ndarray | None
) -> tuple[Product | None, Product | None, tuple[NumericCheck, ...]]:
    """Y and ∂L/∂x from the given numbers (exact within the budget of
    :mod:`symhw.conv.exact`, else float64), each checked against the scattered float matrix."""
    inputs = {k: v for k, v in (("x", x), ("grad_y", grad_y)) if v is not None}
    floats = {k: to_float(v) for k, v in (("weights", weights), *inputs.items())}
    found = products(index_map.geometry, weights, inputs, floats)
    checks = [
        _product_check(index_map, floats["weights"], floats[name], found[key], name == "grad_y")
        for name, key in (("x", "y"), ("grad_y", "grad_x"))
        if key in found
    ]
    return found.get("y"), found.get("grad_x"), tuple(checks)


def _product_check(
    index_map: ConvIndexMap, w: np.ndarray, given: np.ndarray, p: Product, transpose: bool
) -> NumericCheck:
    gap, bound = _agreement(index_map, w, given, p.floats(), transpose)
    what, reference, v = ("∂L/∂x", "Aᵀ ∂L/∂Y", "∂L/∂Y") if transpose else ("Y", "A x", "x")
    within = (
        "exactly, in floats" if gap == 0 else f"to within {decade(gap)} times the largest Σ|w·{v}|"
    )
    if p.exact:
        text = f"{what} (exact) agrees with {reference} in floats {within}"
    else:
        text = (
            f"{what} is computed in float64, in a fixed order ({p.why_not}); in convolution "
            f"form it agrees with {reference} from the scattered matrix {within}"
        )
    return numeric_check(text, gap, bound)
