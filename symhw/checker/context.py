"""Everything one problem's claims are checked against, gathered once per problem: its
solution, its checkable quantities, what its names mean, and the hand replay of a network
(every forward value rounded as a person does, :class:`~symhw.mlp.Rounded`)."""

from __future__ import annotations

from dataclasses import replace

import sympy as sp

from symhw.checker.expected import exact, problem_names
from symhw.checker.names import Name
from symhw.checker.verdict import Problem
from symhw.checker.vocabulary import kind_names, recipes
from symhw.conv.symbols import ConvSymbols
from symhw.derivation import Quantities, Solution
from symhw.lowering import Instance
from symhw.mlp import Rounded, backprop
from symhw.notation import GradientEntry, indexed_symbol
from symhw.problems import KINDS
from symhw.problems.mlp_backprop.inputs import network
from symhw.spec import ProblemSpec


def problem_context(spec: ProblemSpec, solution: Solution) -> Problem:
    """The :class:`~symhw.checker.verdict.Problem` of one solved problem."""
    kind = KINDS[spec.kind]
    quantities = (
        kind.quantities(spec.params, spec.id)
        if kind.quantities is not None
        else Quantities((), lambda name: None)
    )
    values = {a.name: exact(a.value) for a in solution.answers}
    if spec.kind == "mlp-backprop":  # the given weights W1 … WL go by names too
        layers = range(1, len(spec.params.weights) + 1)
        values.update({f"W{k}": quantities.find(f"W{k}").value for k in layers})
    table = problem_names(values.values())
    table = replace(table, entries={**table.entries, **_answer_labels(solution)})
    names = kind_names(spec, table, values)
    replay = _replay(spec)
    writers = None
    if spec.kind == "mlp-backprop":  # their own numbers, else the hand replay's

        def writers(written):
            return kind_names(spec, table, {**values, **replay, **written})

    expand = _channel_pairs(spec) if spec.kind == "conv-matrix" else None
    instance = _instance(spec, quantities)
    return Problem(
        solution, quantities, names, replay, instance, writers, expand, spec.kind,
        recipes=recipes(spec),
    )  # fmt: skip


def _channel_pairs(spec: ProblemSpec):
    """q5's families: a row written with superscript ij (w_3^ij) stands for one row per
    input channel i and output channel j, in that order, as the sheet says "i, j = 1, 2"."""
    from symhw.problems.conv_matrix.inputs import layer_geometry

    s = ConvSymbols(layer_geometry(spec.params, spec.id))
    g = s.geometry
    pairs = [(i, j) for i in range(g.in_channels) for j in range(g.out_channels)]

    def expand(value: object) -> object:
        if not isinstance(value, sp.MatrixBase) or 1 not in value.shape:
            return value  # a row of taps, written across or down
        family = [x for x in value.free_symbols if isinstance(x, sp.Symbol) and "^ij" in x.name]
        if not family:
            return value
        rows = []
        for i, j in pairs:
            named = {x: _renamed(x, s.channel_pair(i, j)) for x in family}
            rows.append(list(value.xreplace(named)))  # row-major: either way one row
        return sp.ImmutableMatrix(rows)

    return expand


def _renamed(symbol: sp.Symbol, pair: str) -> sp.Symbol:
    """w_3^ij as w_3^12: the family's superscript replaced by one pair of channels."""
    name = Name.of(symbol.name)
    return indexed_symbol(name.base, name.sub, pair)


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


def _answer_labels(solution: Solution) -> dict[Name, object]:
    """Each answer by the name the sheet labels it with (q5's A is the matrix A, so that a
    claim may write Aᵀ), where the label is a plain name."""
    out: dict[Name, object] = {}
    for answer in solution.answers:
        label = answer.label
        if isinstance(label, GradientEntry) or not isinstance(label, sp.Symbol | sp.MatrixSymbol):
            continue
        out[Name.of(str(label.name))] = exact(answer.value)
    return out
