"""The statement of a network's problem: its weights, data points and what to compute."""

from __future__ import annotations

import sympy as sp

from symhw.derivation import Paragraph
from symhw.mlp import Network, weight_symbol
from symhw.notation import GradientEntry
from symhw.problems.mlp_backprop.labels import Labels
from symhw.problems.mlp_backprop.nodes import SquaredNorm, shown
from symhw.problems.mlp_backprop.worked import Worked


def statement(net: Network, w: Worked) -> Paragraph:
    lab = Labels(net)
    segs: list = [
        f"A fully connected network with {net.depth} layer{'s' if net.depth > 1 else ''} "
        f"(widths {' → '.join(map(str, net.widths))}; activations "
        f"{', '.join(net.activations)}) has weights ",
    ]
    for layer, weights in enumerate(net.weights, start=1):
        segs += [
            ", " if layer > 1 else "",
            sp.Eq(lab.W(layer), shown(weights), evaluate=False),
        ]
    segs += [
        " (row 0 of each holds the bias weights: ",
        weight_symbol(1, 0, 1),
        " is the bias of unit 1 of layer 1, and units count from 1). ",
    ]
    xs = [p[0][:, 0].T for p in w.points]
    ys = [p[1][:, 0].T for p in w.points]
    if len(xs) == 1:
        x, y = (v[0] if len(v) == 1 else shown(v) for v in (xs[0], ys[0]))
        x_, y_ = sp.Symbol("x"), sp.Symbol("y")
        segs += ["For the input ", sp.Eq(x_, x, evaluate=False), " with target "]
        segs += [sp.Eq(y_, y, evaluate=False), ", "]
    else:
        segs += [f"For the {len(xs)} data points (x, y) = "]
        for x, y in zip(xs, ys, strict=True):
            segs += [sp.Tuple(shown(x), shown(y)), ", "]
    e = lab.e()
    loss = SquaredNorm(sp.MatAdd(lab.x(net.depth), sp.MatMul(-1, lab.y())))
    segs += [
        "compute the forward pass, the sensitivities ",
        sp.Symbol("delta^(l)"),
        " and the gradients ",
        GradientEntry(e, sp.Symbol("W^(l)")),
        " of ",
        sp.Eq(e, loss, evaluate=False),
        " (averaged over the points)." if len(xs) > 1 else ".",
    ]
    return Paragraph(tuple(segs))
