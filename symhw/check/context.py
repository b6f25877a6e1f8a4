"""Everything one problem's claims are checked against, gathered once per problem: its
solution, its checkable quantities, what its names mean, and the hand replay of a network
(every forward value rounded as a person does, :class:`~symhw.mlp.Rounded`)."""

from __future__ import annotations

import sympy as sp

from symhw.check.expected import exact, problem_names
from symhw.check.verdict import Problem
from symhw.check.vocabulary import kind_names
from symhw.derivation import Quantities, Solution
from symhw.mlp import Rounded, backprop
from symhw.problems import KINDS
from symhw.problems.mlp_backprop.inputs import network
from symhw.spec import ProblemSpec
from symhw.verify import Instance


def problem_context(spec: ProblemSpec, solution: Solution) -> Problem:
    """The :class:`~symhw.check.verdict.Problem` of one solved problem."""
    kind = KINDS[spec.kind]
    quantities = (
        kind.quantities(spec.params, spec.id)
        if kind.quantities is not None
        else Quantities((), lambda name: None)
    )
    values = {a.name: exact(a.value) for a in solution.answers}
    for name in ("W1", "W2", "W3", "W4", "W5", "W6", "W7", "W8"):
        found = quantities.find(name) if spec.kind == "mlp-backprop" else None
        if found is not None:
            values[name] = found.value
    table = problem_names(values.values())
    names = kind_names(spec, table, values)
    replay = _replay(spec)
    writers = None
    if spec.kind == "mlp-backprop":  # their own numbers, else the hand replay's

        def writers(written):
            return kind_names(spec, table, {**values, **replay, **written})

    return Problem(solution, quantities, names, replay, _instance(spec, quantities), writers)


def _instance(spec: ProblemSpec, quantities: Quantities) -> Instance:
    """Where a claim in vector notation is checked: the instance the kind's own
    derivation uses (q1: N = 3, vectors of length 2, E_in(w) the risk it defines)."""
    if spec.kind == "activation-loss":
        from symhw.problems.activation_loss.symbols import INSTANCE, E_in

        return INSTANCE.with_definition(E_in, quantities.find("loss").value)
    return Instance()


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
