"""The picture of an mlp-backprop sheet: the network, LFD style, with its weights."""

from __future__ import annotations

from symhw.derivation import Figure, Paragraph
from symhw.figures import NetworkDiagram
from symhw.mlp import Network
from symhw.notation import indexed_symbol, layer_symbol
from symhw.problems.mlp_backprop.labels import vector_symbols

#: Edges are labelled with their weights up to this many; a larger network is drawn with
#: bare edges (its weights are in the tables).
LABELLED_EDGES = 40


def network_figure(net: Network) -> Figure:
    """The given network: bias nodes, every weight on its edge (while they fit).

    >>> import sympy as sp
    >>> fig = network_figure(Network((sp.ImmutableMatrix([[0, 1], [2, 3]]),), ("tanh",)))
    >>> fig.drawing.widths, fig.drawing.edges
    ((1, 2), 4)
    """
    inputs = tuple(vector_symbols("x", net.widths[0]))  # as the statement writes them
    diagram = NetworkDiagram(net.widths, net.weights, net.activations, inputs=inputs)
    labelled = diagram.edges <= LABELLED_EDGES
    if not labelled:
        diagram = NetworkDiagram(
            net.widths, net.weights, net.activations, edge_labels=False, inputs=inputs
        )
    sizes = "-".join(str(d) for d in net.widths)
    matrix = indexed_symbol("W", sup="(l)")
    if labelled:
        weights: tuple = (
            "each edge carries its weight ",
            indexed_symbol("w", "ij", "(l)"),
            " on it: row i of ",
            matrix,
            " (0: the bias), column j",
        )
    else:
        weights = (f"its {diagram.edges} edges are too many to label; the weights are the ", matrix)
    caption = (
        f"The {sizes} network: layer 0 is the input; the square node 1 of each layer feeds "
        "the bias weights of the next; ",
        *(
            (
                "each unit shows its output, ",
                layer_symbol("x", "l", "j"),
                " for unit j of layer l; ",
            )
            if labelled
            else ()
        ),
        *weights,
        ".",
    )
    return Figure("The network", diagram, Paragraph(caption))
