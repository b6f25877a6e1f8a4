"""Everything one problem's claims are checked against, gathered once per problem: its
solution, its checkable quantities, what its names mean, and the hand replay of a network
(every forward value rounded as a person does, :class:`~symhw.mlp.Rounded`)."""

from __future__ import annotations

import sympy as sp

from symhw.check.expected import exact, problem_names
from symhw.check.verdict import Problem
from symhw.derivation import Quantities, Solution
from symhw.mlp import Rounded, backprop
from symhw.problems import KINDS
from symhw.problems.mlp_backprop.inputs import network
from symhw.spec import ProblemSpec


def problem_context(spec: ProblemSpec, solution: Solution) -> Problem:
    """The :class:`~symhw.check.verdict.Problem` of one solved problem."""
    kind = KINDS[spec.kind]
    quantities = (
        kind.quantities(spec.params, spec.id)
        if kind.quantities is not None
        else Quantities((), lambda name: None)
    )
    values = [exact(a.value) for a in solution.answers]
    return Problem(solution, quantities, problem_names(values), _replay(spec))


def _replay(spec: ProblemSpec) -> dict[str, object]:
    """The hand replay's exact values by answer name (x0…, s1…, delta1…, grad_W1…, e) of a
    network with one data point and a rounding; none otherwise."""
    params = spec.params
    if spec.kind != "mlp-backprop" or not params.rounding or len(params.x) != 1:
        return {}
    net = network(params, spec.id)
    x, y = (sp.ImmutableMatrix(v) for v in (params.x[0], params.y[0]))
    trace = backprop(net, x, y, Rounded(params.rounding))
    out: dict[str, object] = {f"x{k}": exact(v) for k, v in enumerate(trace.x)}
    for layer in range(1, net.depth + 1):
        out[f"s{layer}"] = exact(trace.s_used[layer - 1])  # as written: rounded
        out[f"delta{layer}"] = exact(trace.delta[layer - 1])
        out[f"grad_W{layer}"] = exact(trace.grads[layer - 1])
    out["e"] = trace.e
    return out
