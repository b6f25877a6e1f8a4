"""The inputs of an mlp-backprop problem: weights, data points, activations, and their limits."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
import sympy as sp

from symhw.activations import ACTIVATIONS
from symhw.errors import InputError, quote
from symhw.fields import SEQUENCE, Where
from symhw.mlp import Network
from symhw.params import choice, matrix, parse_number

if TYPE_CHECKING:
    from symhw.problems.mlp_backprop import Params

#: The sheet derives every layer at every data point. Measured on a 2-CPU machine, a whole
#: run (PDF included) stays within 20 s up to 4 points and 576 weights × points: 8 layers
#: of 8 units at 1 point take about 10 s, 2 layers of 8 at 4 points (576) about 10 s, one
#: 8-unit layer at 8 points (also 576) 20 s, and 8 layers of 8 at 2 points 23 s.
MAX_LAYERS, MAX_UNITS, MAX_POINTS = 8, 8, 4
MAX_WEIGHT_PASSES = 576


def weight_list(value: object, where: Where) -> tuple[sp.ImmutableMatrix, ...]:
    """Weight matrices, one per layer; each a list of rows, a flat list being a column."""
    example = "weights = [[[0.1, 0.2], [0.3, 0.4]], [0.2, 1, -3]]"
    if not isinstance(value, SEQUENCE):
        raise where.error(
            f"expected a list of weight matrices, one per layer, e.g. {example}; got {quote(value)}"
        )
    if not value:
        raise where.error(f"the network is empty: give one weight matrix per layer, e.g. {example}")
    if len(value) > MAX_LAYERS:  # sizes first: no number is parsed for a network refused
        raise where.error(f"{len(value)} layers; at most {MAX_LAYERS} fit on a sheet")
    out = []
    for layer, item in enumerate(value, start=1):
        rows, cols = _size(item)
        if rows > MAX_UNITS + 1 or cols > MAX_UNITS:
            raise where.error(
                f"layer {layer}: W is {rows}×{cols}; at most {MAX_UNITS + 1}×{MAX_UNITS} (a bias "
                f"row and {MAX_UNITS} inputs, by {MAX_UNITS} units) fit on a sheet"
            )
        out.append(sp.ImmutableMatrix(matrix(item, where.within(f"layer {layer}"))))
    return tuple(out)


def _size(item: object) -> tuple[int, int]:
    """Rows and the widest row of a matrix as given, counted without reading a number."""
    if isinstance(item, sp.MatrixBase | np.ndarray):
        return (item.shape[0], item.shape[1] if len(item.shape) > 1 else 1)
    if not isinstance(item, SEQUENCE):
        return (1, 1)
    return (len(item), max((len(r) if isinstance(r, SEQUENCE) else 1 for r in item), default=0))


def data_points(value: object, where: Where) -> tuple[tuple[sp.Rational, ...], ...]:
    """A number or a list of numbers is one data point; a list of lists is several."""
    if isinstance(value, np.ndarray | sp.MatrixBase):  # from Python: rows are points
        if value.shape[0] > MAX_POINTS or math.prod(value.shape) > MAX_POINTS * MAX_UNITS:
            raise where.error(f"a {value.shape} array; at most {MAX_POINTS} points")
        value = value.tolist()
    if isinstance(value, SEQUENCE) and value and all(isinstance(v, SEQUENCE) for v in value):
        points = value
    elif isinstance(value, SEQUENCE) and any(isinstance(v, SEQUENCE) for v in value):
        raise where.error(
            "mix of numbers and lists: give one point as [a, b] or several as [[a], [b]]"
        )
    else:
        points = [value if isinstance(value, SEQUENCE) else [value]]
    if len(points) > MAX_POINTS:  # sizes first: no number is parsed for data refused
        raise where.error(
            f"{len(points)} data points; at most {MAX_POINTS}: the sheet derives every "
            "layer at every point, and 8 points take more than 20 s on a 2-CPU machine"
        )
    if any(len(p) > MAX_UNITS for p in points):
        raise where.error(f"a point of {max(map(len, points))} numbers; at most {MAX_UNITS}")
    out = []
    for p in points:
        if not p:
            raise where.error("a data point needs at least one number")
        out.append(tuple(parse_number(v, where) for v in p))
    if len({len(p) for p in out}) != 1:
        raise where.error(f"data points have different lengths {sorted({len(p) for p in out})}")
    return tuple(out)


def activation_list(value: object, where: Where) -> tuple[str, ...]:
    """One activation name per layer.

    >>> activation_list(["tanh", 1], Where(None, "activations"))
    Traceback (most recent call last):
    ...
    symhw.errors.InputError: field 'activations': layer 2: unknown activation 1; choose one of ...
    """
    if not isinstance(value, SEQUENCE) or not value:
        raise where.error('expected a list of names, one per layer, e.g. ["tanh", "identity"]')
    name = choice(ACTIVATIONS, "activation")
    return tuple(name(v, where.within(f"layer {layer}")) for layer, v in enumerate(value, start=1))


def _check_layers(params: Params, problem: str | None) -> int:
    """Each W⁽ˡ⁾ has a bias row and a row per unit before it, and the network fits on a
    sheet; the number of output units."""
    units = len(params.x[0])
    for layer, weights in enumerate(params.weights, start=1):
        before = "the input x has" if layer == 1 else "the previous layer has"
        noun = "entries" if layer == 1 else "units"
        shape = f"({weights.rows}, {weights.cols})"
        if weights.rows != units + 1:
            raise InputError(
                f"layer {layer}: W has shape {shape} but {before} {units} {noun}, "
                f"so W needs {units + 1} rows (bias row + {units})",
                problem=problem,
                field="weights",
            )
        if weights.cols > MAX_UNITS:
            raise InputError(
                f"layer {layer}: {weights.cols} units; at most {MAX_UNITS} fit on a sheet",
                problem=problem,
                field="weights",
            )
        units = weights.cols
    depth = len(params.weights)
    if depth > MAX_LAYERS or len(params.x[0]) > MAX_UNITS:
        raise InputError(
            f"{depth} layers and {len(params.x[0])} inputs; at most {MAX_LAYERS} layers and "
            f"{MAX_UNITS} inputs fit on a sheet",
            problem=problem,
            field="weights",
        )
    return units


def _activations(params: Params, problem: str | None) -> tuple[str, ...]:
    """One known activation per layer (default: tanh, and identity at the output)."""
    depth = len(params.weights)
    names = params.activations or ("tanh",) * (depth - 1) + ("identity",)
    if len(names) != depth:
        raise InputError(
            f"{len(names)} activations for {depth} layers: give one per layer",
            problem=problem,
            field="activations",
        )
    for layer, name in enumerate(names, start=1):
        if name not in ACTIVATIONS:
            raise InputError(
                f"layer {layer}: unknown activation {quote(name)}; choose one of "
                f"{', '.join(ACTIVATIONS)}",
                problem=problem,
                field="activations",
            )
    return tuple(names)


def _check_targets(params: Params, units: int, problem: str | None) -> None:
    """One target per input, each with one entry per output unit."""
    if len(params.y) != len(params.x):
        raise InputError(
            f"{len(params.x)} inputs but {len(params.y)} targets: give one target per input",
            problem=problem,
            field="y",
        )
    if len(params.y[0]) != units:
        raise InputError(
            f"y has {len(params.y[0])} entries but the output layer has {units} units",
            problem=problem,
            field="y",
        )


def network(params: Params, problem: str | None = None) -> Network:
    """The network the parameters describe; every shape and name is checked."""
    units = _check_layers(params, problem)
    activations = _activations(params, problem)
    _check_targets(params, units, problem)
    _check_passes(params, problem)
    if params.symbolic and len(params.x) > 1:
        raise InputError(
            "the symbolic mode takes one data point", problem=problem, field="symbolic"
        )
    return Network(tuple(params.weights), activations)


def _check_passes(params: Params, problem: str | None) -> None:
    """Weights × points within what a sheet derives in 20 s."""
    points, depth = len(params.x), len(params.weights)
    weights = sum(m.rows * m.cols for m in params.weights)
    if points * weights > MAX_WEIGHT_PASSES:
        raise InputError(
            f"{points} data points through {depth} layers with {weights} weights: the sheet "
            f"derives every weight at every point, and past {MAX_WEIGHT_PASSES} weights × "
            f"points (here {points * weights}) a run takes more than 20 s on a 2-CPU machine; "
            "use fewer data points or a smaller network",
            problem=problem,
            field="x",
        )
