"""Numbers for a conv-matrix problem: given tensors, exact results and full-size operator checks."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np
import sympy as sp

from symhw.builder import DerivationBuilder
from symhw.conv import (
    ConvGeometry,
    ConvIndexMap,
    backward_as_convolution,
    correlate,
    correlate_transpose,
)
from symhw.conv.backward_map import backward_map_matches
from symhw.conv.symbols import column
from symhw.derivation import Derivation, NumericCheck, decade, numeric_check
from symhw.errors import InputError
from symhw.params import Where, parse_number

#: Random-data checks pass when every entry agrees to this (entries are of order 1 to 100).
TOLERANCE = 1e-9


def _shape(value: Any) -> tuple[int, ...]:
    return (len(value), *_shape(value[0])) if isinstance(value, tuple | list) and value else ()


def parse_tensor(value: object, where: Where) -> tuple:
    """Nested lists of exact numbers (any depth), checked to be rectangular.

    >>> parse_tensor([[0.5, 1], [2, "1/3"]], Where(None, "x"))
    ((1/2, 1), (2, 1/3))
    """
    if not isinstance(value, list):
        raise where.error(f"expected nested lists of numbers such as [[0.5, 1.0]], got {value!r}")

    def walk(v: object) -> Any:
        if not isinstance(v, list):
            return parse_number(v, where)
        if not v:
            raise where.error("contains an empty list")
        items = tuple(walk(u) for u in v)
        shapes = sorted({_shape(u) for u in items})
        if len(shapes) > 1:
            found = " and ".join("".join(f"[{n}]" for n in s) or "a number" for s in shapes)
            raise where.error(f"is ragged: its entries have shapes {found}")
        return items

    return walk(value)


LAYOUTS = {
    "weights": "[out_channels][in_channels / groups][kernel taps]",
    "x": "[in_channels][input positions]",
    "grad_y": "[out_channels][output positions]",
}


def exact_tensor(value: Any, shape: tuple[int, ...], field: str, problem: str | None) -> np.ndarray:
    """A given tensor as exact Fractions, or an InputError naming the field and both shapes."""
    try:
        arr = np.array(value, dtype=object)
    except ValueError:
        arr = None
    if arr is None or arr.shape != shape:
        found = "ragged" if arr is None else "".join(f"[{n}]" for n in arr.shape) or "a number"
        raise InputError(
            f"has shape {found} but this layer needs {''.join(f'[{n}]' for n in shape)} "
            f"({LAYOUTS[field]})",
            problem=problem,
            field=field,
        )
    where = Where(problem, field)
    flat = [
        v
        if isinstance(v, sp.Rational)
        else parse_number(v.item() if isinstance(v, np.generic) else v, where)
        for v in arr.flat
    ]
    return np.array([Fraction(int(r.p), int(r.q)) for r in flat], dtype=object).reshape(shape)


def rational(values: np.ndarray) -> np.ndarray:
    """Fractions (or ints) as SymPy rationals, same shape."""
    out = np.empty(values.shape, dtype=object)
    for idx, v in np.ndenumerate(values):
        f = Fraction(v)
        out[idx] = sp.Rational(f.numerator, f.denominator)
    return out


def numbers_derivation(
    explicit: sp.ImmutableMatrix,
    symbols: np.ndarray,
    weights: np.ndarray,
    x: np.ndarray | None,
    grad_y: np.ndarray | None,
    y: np.ndarray | None,
    grad_x: np.ndarray | None,
) -> Derivation:
    """Y = A x and Aᵀ ∂L/∂Y with the given numbers put into A (small layers)."""
    values = dict(zip(symbols.reshape(-1), rational(weights).reshape(-1), strict=True))
    a = explicit.xreplace(values)
    b = DerivationBuilder("With the given numbers")
    if x is not None and y is not None:
        b.equal(
            sp.MatMul(a, column(rational(x)), evaluate=False),
            column(rational(y)),
            rule="given weights and input",
        )
    if grad_y is not None and grad_x is not None:
        b.equal(
            sp.MatMul(a.T, column(rational(grad_y)), evaluate=False),
            column(rational(grad_x)),
            rule="given weights and ∂L/∂Y",
        )
    return b.build()


def operator_checks(g: ConvGeometry, seed: int = 0) -> tuple[NumericCheck, ...]:
    """Full-size checks of the structured operator: exact index maps, then random data."""
    compared = backward_map_matches(g)
    checks = [
        numeric_check(
            f"the backward convolution places every weight where Aᵀ has it: {compared}", 0.0, 0.0
        )
    ]
    rng = np.random.default_rng(seed)
    w = rng.standard_normal(g.weight_shape)
    x = rng.standard_normal((g.in_channels, *g.size))
    gy = rng.standard_normal((g.out_channels, *g.out_size))
    index_map = ConvIndexMap(g)
    y_err = np.max(np.abs(correlate(w, x, g).reshape(-1) - index_map.matvec(w, x)))
    scattered = index_map.matvec(w, gy, transpose=True)
    gx_err = max(
        np.max(np.abs(correlate_transpose(w, gy, g).reshape(-1) - scattered)),
        np.max(np.abs(backward_as_convolution(w, gy, g).reshape(-1) - scattered)),
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


def exact_results(
    g: ConvGeometry, weights: np.ndarray, x: np.ndarray | None, grad_y: np.ndarray | None
) -> tuple[np.ndarray | None, np.ndarray | None, tuple[NumericCheck, ...]]:
    """Y and ∂L/∂x in exact arithmetic (convolution form), checked against the float matrix."""
    index_map = ConvIndexMap(g)
    w = weights.astype(float)
    y = gx = None
    checks = []
    if x is not None:
        y = correlate(weights, x, g)
        err = np.max(np.abs(y.astype(float).reshape(-1) - index_map.matvec(w, x.astype(float))))
        checks.append(numeric_check(f"Y agrees with A x in floats to {decade(err)}", err, 1e-9))
    if grad_y is not None:
        gx = correlate_transpose(weights, grad_y, g)
        err = np.max(
            np.abs(gx.astype(float).reshape(-1) - index_map.matvec(w, grad_y.astype(float), True))
        )
        checks.append(
            numeric_check(f"∂L/∂x agrees with Aᵀ ∂L/∂Y in floats to {decade(err)}", err, 1e-9)
        )
    return y, gx, tuple(checks)
