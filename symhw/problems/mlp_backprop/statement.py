"""The statement of a network's problem: its weights, data points and what to compute."""

from __future__ import annotations

import sympy as sp

from symhw.derivation import Paragraph, Segment
from symhw.mlp import Network, weight_symbol
from symhw.notation import GradientEntry, layer_symbol
from symhw.problems.mlp_backprop.labels import Labels
from symhw.problems.mlp_backprop.nodes import SquaredNorm, shown
from symhw.problems.mlp_backprop.worked import Point, Worked


def _network(net: Network) -> list[Segment]:
    """The network's shape, activations and weight matrices."""
    labels = Labels(net)
    segs: list[Segment] = [
        f"A fully connected network with {net.depth} layer{'s' if net.depth > 1 else ''} "
        f"(widths {' → '.join(map(str, net.widths))}; activations "
        f"{', '.join(net.activations)}) has weights ",
    ]
    for layer, weights in enumerate(net.weights, start=1):
        segs += [", " if layer > 1 else "", sp.Eq(labels.W(layer), shown(weights), evaluate=False)]
    return [
        *segs,
        " (row 0 of each holds the bias weights: ",
        weight_symbol(1, 0, 1),
        " is the bias of unit 1 of layer 1, and units count from 1). ",
    ]


def _data(points: tuple[Point, ...]) -> list[Segment]:
    """The input and target, or the list of data points (x, y)."""
    xs = [x[:, 0].T for x, _ in points]
    ys = [y[:, 0].T for _, y in points]
    if len(xs) == 1:
        x, y = (v[0] if len(v) == 1 else shown(v) for v in (xs[0], ys[0]))
        return [
            "For the input ",
            sp.Eq(sp.Symbol("x"), x, evaluate=False),
            " with target ",
            sp.Eq(sp.Symbol("y"), y, evaluate=False),
            ", ",
        ]
    segs: list[Segment] = [f"For the {len(xs)} data points (x, y) = "]
    for x, y in zip(xs, ys, strict=True):
        segs += [sp.Tuple(shown(x), shown(y)), ", "]
    return segs


def statement(worked: Worked) -> Paragraph:
    """The question: the network, the data, and what to compute of e = ‖x⁽ᴸ⁾ − y‖²."""
    net, labels = worked.net, Labels(worked.net)
    e = labels.e()
    loss = SquaredNorm(sp.MatAdd(labels.x(net.depth), sp.MatMul(-1, labels.y())))
    task = [
        "compute the forward pass, the sensitivities ",
        layer_symbol("delta", "l"),
        " and the gradients ",
        GradientEntry(e, layer_symbol("W", "l")),
        " of ",
        sp.Eq(e, loss, evaluate=False),
        " (averaged over the points)." if len(worked.points) > 1 else ".",
    ]
    return Paragraph((*_network(net), *_data(worked.points), *task))
