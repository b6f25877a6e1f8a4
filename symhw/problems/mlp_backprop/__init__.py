"""Question 2, generalised: forward and backward pass through a fully connected network."""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from symhw.derivation import Solution
from symhw.mlp import Network, Rounded, backprop, symbolic_weights
from symhw.params import Parameters, boolean, check_call, integer, param
from symhw.problems.mlp_backprop.answers import answers
from symhw.problems.mlp_backprop.checks import numeric_checks
from symhw.problems.mlp_backprop.delta_check import delta_check
from symhw.problems.mlp_backprop.inputs import activation_list, data_points, network, weight_list
from symhw.problems.mlp_backprop.labels import vector_symbols
from symhw.problems.mlp_backprop.passes import derivations
from symhw.problems.mlp_backprop.replay import replay_paragraph
from symhw.problems.mlp_backprop.statement import statement
from symhw.problems.mlp_backprop.tables import value_tables
from symhw.problems.mlp_backprop.worked import Worked, work

KIND = "mlp-backprop"
SUMMARY = (
    "forward and backward pass through a fully connected network, exact and rounded by hand, "
    "every δ checked against ∂e/∂s"
)


@dataclass(frozen=True)
class Params(Parameters):
    """Parameters of an ``mlp-backprop`` problem."""

    weights: tuple = param(
        parse=weight_list, help="W⁽¹⁾…W⁽ᴸ⁾, each (units in + 1 bias row) × units out"
    )
    x: tuple = param(
        parse=data_points,
        help=(
            "input: a number, a list, or a list of points (at most 4, and weights × points "
            "at most 576: what a 2-CPU machine derives in 20 s)"
        ),
    )
    y: tuple = param(parse=data_points, help="target(s), one per input point")
    activations: tuple | None = param(
        None, parse=activation_list, help="θ per layer (default: tanh, identity at the output)"
    )
    decimals: int = param(4, parse=integer(1, 15), help="decimals shown for approximate values")
    rounding: int = param(
        0, parse=integer(0, 12), help="hand replay rounded to k decimals (0: off)"
    )
    symbolic: bool = param(False, parse=boolean, help="weights, x and y as symbols w_ij^(l)")

    def check(self) -> None:
        validate(self)


def _symbolic(given: Network, x: sp.ImmutableMatrix, y: sp.ImmutableMatrix):
    """The same network with weights, input and target as symbols, and the given numbers."""
    net = Network(symbolic_weights(given.widths), given.activations)
    xs, ys = vector_symbols("x", len(x)), vector_symbols("y", len(y))
    at = {
        s: v
        for m, g in zip(net.weights, given.weights, strict=True)
        for s, v in zip(m, g, strict=True)
    }
    at.update({**dict(zip(xs, x, strict=True)), **dict(zip(ys, y, strict=True))})
    return net, (xs, ys), at


def validate(params: Params, problem_id: str | None = None) -> None:
    """Every check that needs no solving (shapes, names, limits), run when the file loads."""
    network(params, problem_id)


def solve(params: Params, problem_id: str = "q2", title: str | None = None) -> Solution:
    """Derive question 2 for the given network: exact, replayed by hand, verified.

    >>> p = Params(weights=(sp.ImmutableMatrix([0, 2]),), x=((3,),), y=((1,),),
    ...            activations=("identity",))
    >>> solve(p).answer("grad_W1").data
    [[10.0], [30.0]]
    """
    check_call(params, Params, problem_id, title)
    given = network(params, problem_id)
    points = [
        (sp.ImmutableMatrix(x), sp.ImmutableMatrix(y))
        for x, y in zip(params.x, params.y, strict=True)
    ]
    numeric = work(given, points, symbolic=False)
    if params.symbolic:
        net, point, at = _symbolic(given, *points[0])
        w = work(net, [point], symbolic=True, at=at)
    else:
        net, w = given, numeric
    parts = [*derivations(net, w), delta_check(net)]
    replays = None
    if params.rounding:
        k = params.rounding
        replays = [backprop(given, x, y, Rounded(k)) for x, y in points]
        parts += value_tables(w, replays, params.decimals, k)
        parts.append(replay_paragraph(k, numeric, replays, params.decimals))
        by_hand = Worked(given, tuple(points), tuple(replays), (), (), 0, {}, {})
        parts += derivations(given, by_hand, hand=k)
    else:
        parts += value_tables(w, None, params.decimals, 0)
    return Solution(
        problem_id,
        KIND,
        title or "Backpropagation through a fully connected network",
        statement(net, w),
        tuple(parts),
        answers(w, replays, params.symbolic, params.decimals),
        numeric_checks(given, numeric),
    )
