"""The conditions a variant may be required to meet: a fixed vocabulary, never an expression.

Each condition names the kinds it applies to, parses its setting as a problem field is
parsed, and tests drawn parameters with a cheap float64 pass (no SymPy, no solving).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from symhw.activations import ACTIVATIONS
from symhw.conv.exact import products, to_float
from symhw.fields import Where
from symhw.params import Parser, boolean, parse_number
from symhw.problems.conv_matrix.inputs import given_tensors, layer_geometry
from symhw.problems.mlp_backprop.inputs import network

#: Activations that saturate: |s| bounded keeps θ' away from 0.
SATURATING = ("tanh", "sigmoid")
#: A float64 value this small counts as 0 (an exact 0 at the first layer, where s is a sum
#: of products of the given numbers, comes out as 0.0 exactly).
ZERO = 1e-12


@dataclass(frozen=True)
class Condition:
    """One word of the vocabulary: its test ``holds[kind](params, setting)`` for each kind
    it applies to, its setting's parser, and what it requires, in words."""

    name: str
    holds: dict[str, Callable[[Any, Any], bool]]
    parse: Parser
    text: Callable[[Any], str]


@dataclass(frozen=True)
class Pass:
    """One data point through the network: s⁽ˡ⁾ and δ⁽ˡ⁾ = ∂e/∂s⁽ˡ⁾ per layer, float64."""

    s: tuple[np.ndarray, ...]
    delta: tuple[np.ndarray, ...]


@np.errstate(all="ignore")  # huge weights give inf and nan: a condition fails, no warning
def mlp_passes(params: Any) -> list[Pass]:
    """Forward and backward pass at every data point, with e = Σ (x⁽ᴸ⁾ − y)².

    >>> from symhw.problems.mlp_backprop import Params
    >>> p = Params(weights=([[0], [2]],), x=3, y=1, activations=("identity",))
    >>> [(q.s[0].tolist(), q.delta[0].tolist()) for q in mlp_passes(p)]
    [([6.0], [10.0])]
    """
    net = network(params)
    ws = [np.array(w.tolist(), dtype=float) for w in net.weights]
    thetas = [ACTIVATIONS[name] for name in net.activations]
    out = []
    for x, y in zip(params.x, params.y, strict=True):
        h = np.array([1.0, *map(float, x)])
        hs, ss = [], []
        for w, theta in zip(ws, thetas, strict=True):
            hs.append(h)
            ss.append(w.T @ h)
            h = np.concatenate([[1.0], theta.numpy(ss[-1])])
        delta = (
            2.0 * (h[1:] - np.array([float(v) for v in y])) * thetas[-1].numpy_derivative(ss[-1])
        )
        deltas = [delta]
        for layer in range(len(ws) - 2, -1, -1):
            delta = thetas[layer].numpy_derivative(ss[layer]) * (ws[layer + 1][1:] @ delta)
            deltas.insert(0, delta)
        out.append(Pass(tuple(ss), tuple(deltas)))
    return out


def _unsaturated(params: Any, bound: Any) -> bool:
    names = network(params).activations
    return all(
        np.all(np.abs(s) <= float(bound))
        for p in mlp_passes(params)
        for s, name in zip(p.s, names, strict=True)
        if name in SATURATING
    )


def _relu_inputs_nonzero(params: Any, on: bool) -> bool:
    names = network(params).activations
    return not on or all(
        np.all(np.abs(s) > ZERO)
        for p in mlp_passes(params)
        for s, name in zip(p.s, names, strict=True)
        if name == "relu"
    )


def _deltas_nonzero(params: Any, on: bool) -> bool:
    """Each δ⁽ˡ⁾ (hence each ∂e/∂W⁽ˡ⁾ = x⁽ˡ⁻¹⁾ δ⁽ˡ⁾ᵀ, x₀ = 1) has an entry that is not 0."""
    passes = mlp_passes(params)
    layers = len(passes[0].delta)
    return not on or all(
        any(np.any(np.abs(p.delta[layer]) > ZERO) for p in passes) for layer in range(layers)
    )


def _positive(value: object, where: Where) -> Any:
    number = parse_number(value, where)
    if number <= 0:
        raise where.error(f"must be above 0, got {value}")
    return number


def _conv_results_nonzero(params: Any, on: bool) -> bool:
    """Y = A x and ∂L/∂x = Aᵀ ∂L/∂Y, where numbers are given, each have an entry that is not
    0 (exact integer products, as the sheet computes them within its budget)."""
    if not on or params.weights is None:
        return True
    g = layer_geometry(params)
    w, x, gy = given_tensors(params, g, None)
    inputs = {k: v for k, v in (("x", x), ("grad_y", gy)) if v is not None}
    floats = {k: to_float(v) for k, v in (("weights", w), *inputs.items())}
    return all(np.any(p.values != 0) for p in products(g, w, inputs, floats).values())


CONDITIONS: dict[str, Condition] = {
    c.name: c
    for c in (
        Condition(
            "max_abs_s",
            {"mlp-backprop": _unsaturated},
            _positive,
            lambda b: f"|s| ≤ {b} at every tanh or sigmoid unit (so θ does not saturate)",
        ),
        Condition(
            "relu_input_nonzero",
            {"mlp-backprop": _relu_inputs_nonzero},
            boolean,
            lambda _: "no relu unit's input s is 0 (where relu has no derivative)",
        ),
        Condition(
            "answers_nonzero",
            {"mlp-backprop": _deltas_nonzero, "conv-matrix": _conv_results_nonzero},
            boolean,
            lambda _: (
                "each numeric answer (every δ⁽ˡ⁾ and ∂e/∂W⁽ˡ⁾; Y and ∂L/∂x) has an "
                "entry that is not 0"
            ),
        ),
    )
}


def for_kind(kind: str) -> list[str]:
    """The conditions a kind's problems may require."""
    return [name for name, c in CONDITIONS.items() if kind in c.holds]
