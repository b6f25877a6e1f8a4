"""Question 2, generalised: forward and backward pass through a fully connected network."""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from symhw.derivation import Part, Quantities, Solution
from symhw.mlp import Network, symbolic_weights
from symhw.params import Parameters, boolean, check_call, integer, param
from symhw.problems.mlp_backprop.answers import network_answers
from symhw.problems.mlp_backprop.checks import numeric_checks
from symhw.problems.mlp_backprop.delta_check import delta_check
from symhw.problems.mlp_backprop.figures import network_figure
from symhw.problems.mlp_backprop.inputs import activation_list, data_points, network, weight_list
from symhw.problems.mlp_backprop.key import network_key
from symhw.problems.mlp_backprop.labels import vector_symbols
from symhw.problems.mlp_backprop.passes import derivations
from symhw.problems.mlp_backprop.quantities import network_quantities
from symhw.problems.mlp_backprop.replay import replay_paragraph
from symhw.problems.mlp_backprop.statement import statement
from symhw.problems.mlp_backprop.tables import value_tables
from symhw.problems.mlp_backprop.worked import Point, Worked, by_hand, work

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


def _points(params: Params) -> list[Point]:
    """The data points (x, y) as columns."""
    pairs = zip(params.x, params.y, strict=True)
    return [(sp.ImmutableMatrix(x), sp.ImmutableMatrix(y)) for x, y in pairs]


def _symbolic(given: Network, point: Point) -> Worked:
    """The passes with weights, input and target as symbols, valued at the given numbers."""
    net = Network(symbolic_weights(given.widths), given.activations)
    x, y = point
    xs, ys = vector_symbols("x", len(x)), vector_symbols("y", len(y))
    at = dict(zip(xs, x, strict=True)) | dict(zip(ys, y, strict=True))
    for symbols, numbers in zip(net.weights, given.weights, strict=True):
        at.update(zip(symbols, numbers, strict=True))
    return work(net, [(xs, ys)], symbolic=True, at=at)


def _parts(worked: Worked, numeric: Worked, hand: Worked | None, decimals: int) -> tuple[Part, ...]:
    """The network, the derivations, the δ check, the value tables and, by hand, the replay."""
    parts = [
        network_figure(numeric.net),
        *derivations(worked),
        delta_check(worked.net),
        *value_tables(worked, hand, decimals),
    ]
    if hand:
        parts += [replay_paragraph(numeric, hand, decimals), *derivations(hand)]
    return tuple(parts)


def validate(params: Params, problem_id: str | None = None) -> None:
    """Every check that needs no solving (shapes, names, limits), run when the file loads."""
    network(params, problem_id)


def solve(params: Params, problem_id: str = "q2", title: str | None = None) -> Solution:
    """Derive question 2 for the given network: exact, replayed by hand, verified.

    >>> from symhw.render.json import answer_json
    >>> p = Params(weights=(sp.ImmutableMatrix([0, 2]),), x=((3,),), y=((1,),),
    ...            activations=("identity",))
    >>> answer_json(solve(p).answer("grad_W1"))
    [[10.0], [30.0]]
    """
    check_call(params, Params, problem_id, title)
    given = network(params, problem_id)
    points = _points(params)
    numeric = work(given, points, symbolic=False)
    worked = _symbolic(given, points[0]) if params.symbolic else numeric
    hand = by_hand(given, points, params.rounding) if params.rounding else None
    parts = _parts(worked, numeric, hand, params.decimals)
    answers = network_answers(worked, hand, params.symbolic, params.decimals)
    return Solution(
        problem_id,
        KIND,
        title or "Backpropagation through a fully connected network",
        statement(worked),
        parts,
        answers,
        numeric_checks(numeric),
        network_key(worked, answers, parts, params.decimals, params.symbolic),
    )


def quantities(params: Params, problem_id: str = "q2") -> Quantities:
    """What a person may write down besides the answers: the given weights W1 … WL.

    >>> from symhw.spec import load_problem_set
    >>> q2 = load_problem_set().problems[1]  # HW2's question 2
    >>> quantities(q2.params).find("W2").value.T
    Matrix([[1/5, 1, -3]])
    """
    check_call(params, Params, problem_id, None)
    return network_quantities(network(params, problem_id))
