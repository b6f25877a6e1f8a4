"""Diagrams: a fully connected network (LFD style), residual blocks, and the axes a
normalization averages over."""

from __future__ import annotations

import math as math_
from typing import Any

import sympy as sp

from symhw.figures import AxesDiagram, BlockColumn, BlockDiagram, ConvBox, Label, NetworkDiagram
from symhw.notation import indexed_symbol, layer_symbol
from symhw.render.mpl import (
    ACCENT,
    INK,
    KEY_WIDTH,
    MAX_WIDTH,
    MIN_FONT,
    label,
    math,
    matplotlib,
)


def network(fig: Any, net: NetworkDiagram) -> None:
    """Layers left to right, the bias node 1 on top of each, each unit named by its output
    (x, x_j⁽ˡ⁾), weights on the edges where no other edge passes (:func:`_label_places`)."""
    depth, tallest = len(net.widths) - 1, max(net.widths) + 1
    xlim, ylim = (-1.2, 2.4 * depth + 1.0), (-(tallest / 2) - 1.1, tallest / 2 + 0.7)
    at = [_column(net.widths[k], k < depth, 2.4 * k) for k in range(depth + 1)]
    edges = [
        (layer, i, j, start, end)
        for layer in range(1, depth + 1)
        for i, start in enumerate(at[layer - 1])
        for j, end in enumerate(at[layer][1:] if layer < depth else at[layer])
    ]
    texts = [_number(net.weights[layer - 1][i, j]) for layer, i, j, _, _ in edges]
    segments = [(start, end) for *_, start, end in edges]
    nodes = [p for column in at for p in column]
    for grow in _GROWTH:  # the smallest size at which every weight has a clear place
        size = (
            min((0.6 + 1.05 * depth) * grow, MAX_WIDTH),
            min((0.6 + 0.42 * tallest) * grow, 6.0),
        )
        inch = (size[0] / (xlim[1] - xlim[0]), size[1] / (ylim[1] - ylim[0]))
        places, clears = (
            _label_places(segments, texts, nodes, inch) if net.edge_labels else ([], [])
        )
        if all(clears):
            break
    fig.set_size_inches(*size)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_axis_off()
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    for layer, i, j, start, end in edges:
        line = ax.plot(*zip(start, end, strict=True), color="0.55", lw=0.7, zorder=1)[0]
        line.set_gid(f"e{layer}_{i}_{j + 1}")
    for (layer, i, j, start, end), t, clear, words in zip(
        edges, places, clears, texts, strict=False
    ):
        point = (start[0] + t * (end[0] - start[0]), start[1] + t * (end[1] - start[1]))
        # no clear place: the label lies along its own edge, so it cannot be read as another's
        rise = (end[1] - start[1]) * inch[1], (end[0] - start[0]) * inch[0]
        angle = 0.0 if clear else math_.degrees(math_.atan2(*rise))
        _edge_label(ax, point, words, angle).set_gid(f"w{layer}_{i}_{j + 1}")  # w⁽ˡ⁾_ij
    for layer, column in enumerate(at):
        bias = layer < depth
        for k, (x, y) in enumerate(column):
            unit = k if bias else k + 1
            inside = "1" if bias and k == 0 else _unit_label(net, layer, unit)
            _node(ax, x, y, inside, square=bias and k == 0)
        _layer_caption(ax, net, layer, 2.4 * layer, -(tallest / 2) - 0.55)


#: How much a network's figure may grow (in both directions, within the page) so that
#: every weight finds a place on its edge clear of the others.
_GROWTH = (1.0, 1.25, 1.5, 1.75, 2.0, 2.5, 3.0, 4.0)


def _column(units: int, bias: bool, x: float) -> list[tuple[float, float]]:
    """Node centres of one layer, top to bottom: the bias node first (when there is one)."""
    n = units + bias
    return [(x, (n - 1) / 2 - k) for k in range(n)]


def _unit_label(net: NetworkDiagram, layer: int, unit: int) -> str:
    """Inside a unit's node, while the network is small enough for labels: its output as
    the text names it, the input's entries as the problem writes them (x, or x₁, x₂, …)
    and x_j⁽ˡ⁾ for unit j of layer l."""
    if not net.edge_labels:
        return ""
    if layer == 0 and net.inputs:
        return math(net.inputs[unit - 1])
    return math(layer_symbol("x", layer, unit))


#: Weight labels: font size (points), and the room kept around a label (inches).
_LABEL_PT, _CLEAR = MIN_FONT, 0.02
#: Nodes' half sizes (axes units): a unit's circle, a bias node's square.
_NODE_R = 0.3


def _label_places(
    segments: list[tuple[tuple[float, float], tuple[float, float]]],
    texts: list[str],
    nodes: list[tuple[float, float]],
    inch: tuple[float, float],
) -> tuple[list[float], list[bool]]:
    """Where along its edge (0 at its source, 1 at its target) each weight label goes: the
    first place from the source, in steps, whose label box clears every other edge, every
    node and the labels placed before it (the edges with the fewest such places choose
    first); where none does, the place with the most room. Computed in inches (``inch``:
    inches per axes unit in x and y), so the same on every run. Also says which labels
    found a clear place.

    >>> _label_places([((0, 0), (2, 0)), ((0, 1), (2, -1))], ["1", "2"], [], (1.0, 1.0))
    ([0.1, 0.1], [True, True])
    """
    import numpy as np

    scale = np.array(inch)
    ends = [(np.array(a) * scale, np.array(b) * scale) for a, b in segments]
    samples = np.linspace(0.0, 1.0, 120)[:, None]
    points = [a + samples * (b - a) for a, b in ends]
    node_box = np.array([_NODE_R, _NODE_R]) * scale
    centres = np.array(nodes, dtype=float).reshape(-1, 2) * scale
    steps = np.linspace(0.1, 0.9, 41)
    rooms, halves, wheres = [], [], []
    for k, ((a, b), words) in enumerate(zip(ends, texts, strict=True)):
        half = np.array([0.034 * len(words) + 0.03, 0.075]) * (_LABEL_PT / 7.5)  # padded
        where = a + steps[:, None] * (b - a)
        room = np.full(len(steps), np.inf)
        others = [p for m, p in enumerate(points) if m != k]
        if others:
            room = _clearance(where, half, np.concatenate(others), np.zeros(2))
        if len(centres):
            room = np.minimum(room, _clearance(where, half, centres, node_box))
        rooms.append(room)
        halves.append(half)
        wheres.append(where)
    # the edges with the fewest clear places first: they choose before the others crowd them
    order = sorted(range(len(ends)), key=lambda k: (int(np.sum(rooms[k] >= _CLEAR)), k))
    out, placed, clears = [0.0] * len(ends), [], [True] * len(ends)
    for k in order:
        room = rooms[k]
        for centre, size in placed:
            room = np.minimum(room, _clearance(wheres[k], halves[k], centre[None, :], size))
        room = np.round(room, 4)
        clear = np.flatnonzero(room >= _CLEAR)
        best = int(clear[0]) if len(clear) else int(np.argmax(room))
        clears[k] = len(clear) > 0
        placed.append((wheres[k][best], halves[k] if clears[k] else _turned(halves[k], ends[k])))
        out[k] = float(round(steps[best], 6))
    return out, clears


def _turned(half, end):
    """The half sizes of the upright box around a label box of half sizes ``half`` turned
    along the edge from ``end[0]`` to ``end[1]`` (a label with no clear place is)."""
    import numpy as np

    d = end[1] - end[0]
    c, s = np.abs(d) / max(float(np.hypot(*d)), 1e-12)
    return np.array([c * half[0] + s * half[1], s * half[0] + c * half[1]])


def _clearance(where, half, others, other_half):
    """For each candidate centre in ``where`` (a box of half sizes ``half``), the smallest
    gap to the boxes of half sizes ``other_half`` centred at ``others`` (negative: they
    overlap)."""
    import numpy as np

    gap = np.abs(where[:, None, :] - others[None, :, :]) - (half + other_half)
    return np.max(gap, axis=2).min(axis=1)


def _node(ax: Any, x: float, y: float, text_: str, square: bool) -> None:
    patches = matplotlib().patches
    if square:
        shape = patches.FancyBboxPatch((x - 0.2, y - 0.2), 0.4, 0.4, boxstyle="round,pad=0.02")
    else:
        shape = patches.Circle((x, y), 0.28)
    shape.set(facecolor="white" if square else "#e8eef7", edgecolor=INK, lw=1.0, zorder=3)
    ax.add_patch(shape)
    if text_:
        ax.text(x, y, text_, ha="center", va="center", zorder=4)


def _edge_label(ax: Any, point: tuple[float, float], words: str, angle: float) -> Any:
    """A weight's label centred at ``point`` on its edge, on a white ground, turned by
    ``angle`` degrees (to lie along its edge)."""
    return ax.text(
        *point, words, ha="center", va="center", fontsize=_LABEL_PT, color=ACCENT, zorder=5,
        rotation=angle, rotation_mode="anchor",
        bbox={"boxstyle": "round,pad=0.1", "facecolor": "white", "edgecolor": "none"},
    )  # fmt: skip


def _number(value: sp.Expr) -> str:
    """A weight as a short label: an integer or a decimal of at most 4 significant figures,
    a symbol as math."""
    if value.is_Integer:
        return str(int(value)).replace("-", "−")
    if value.is_number:
        return f"{float(value):.4g}".replace("-", "−")
    return math(value)


def _layer_caption(ax: Any, net: NetworkDiagram, layer: int, x: float, y: float) -> None:
    if layer == 0:
        words: Label = ("input ", indexed_symbol("x", sup="(0)"))
    else:
        up = f"({layer})"
        words = (indexed_symbol("s", sup=up), " → ", indexed_symbol("x", sup=up))
        name = net.activations[layer - 1]
        ax.text(x, y - 0.45, f"θ = {_THETA.get(name, name)}", ha="center", va="center",
                fontsize=MIN_FONT, color="0.3")  # fmt: skip
    ax.text(x, y, label(words), ha="center", va="center")


_THETA = {"sigmoid": "σ"}


_STEP, _BOX = 4.8, 4.0  # distance between blocks, width of a box (axes units)


def blocks(fig: Any, diagram: BlockDiagram) -> None:
    """Each block top to bottom: input, its convolutions, the sum with the shortcut, output."""
    n = len(diagram.blocks)
    tallest = max(len(b.convs) for b in diagram.blocks)
    # two blocks beside the caption in Part I (KEY_WIDTH), three within the line (MAX_WIDTH)
    fig.set_size_inches(0.2 + (KEY_WIDTH - 0.2) / 2 * n, 1.5 + 0.6 * tallest)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_axis_off()
    ax.set_xlim(-(_BOX / 2 + 0.15), _STEP * (n - 1) + _BOX / 2 + 0.65)  # the shortcut label right
    ax.set_ylim(-(tallest * 1.05 + 2.15), 1.3)
    for k, block in enumerate(diagram.blocks):
        _block(ax, block, _STEP * k, tallest)


def _block(ax: Any, block: BlockColumn, x: float, tallest: int) -> None:
    first = block.convs[0]
    title = block.title if len(block.title) <= 28 else block.title[:27] + "…"
    ax.text(x, 1.0, title, ha="center", va="center", fontweight="bold")
    ax.text(x, 0.45, label(("input, ", first.c_in, " channels")), ha="center", va="center")
    y = 0.0
    for k, conv in enumerate(block.convs):
        _arrow(ax, x, y, y - 0.35)
        after = ("BN",) * block.batchnorm + ("ReLU",) * (k < len(block.convs) - 1)
        _conv_box(ax, x, y - 0.7, conv, after)
        y -= 1.05
    bottom = -(tallest * 1.05) - 0.45
    _arrow(ax, x, y, bottom + 0.2)
    _sum_and_shortcut(ax, block, x, bottom)
    out = block.convs[-1].c_out
    ax.text(x, bottom - 1.05, label(("ReLU → output,\n", out, " channels")), ha="center",
            va="center")  # fmt: skip


def _conv_box(ax: Any, x: float, y: float, conv: ConvBox, after: tuple[str, ...]) -> None:
    """A convolution: k×k, C_in → C_out; under it the stride and what follows it."""
    patches = matplotlib().patches
    half = _BOX / 2
    box = patches.FancyBboxPatch((x - half, y - 0.3), _BOX, 0.6, boxstyle="round,pad=0.03")
    box.set(facecolor="#e8eef7", edgecolor=INK, lw=1.0, zorder=2)
    ax.add_patch(box)
    words = (f"{conv.kernel}×{conv.kernel} conv, ", conv.c_in, " → ", conv.c_out)
    small = " · ".join((f"stride {conv.stride}",) * (conv.stride > 1) + after)
    ax.text(x, y + (0.11 if small else 0), label(words), ha="center", va="center",
            fontsize=MIN_FONT, zorder=3)  # fmt: skip
    if small:
        ax.text(x, y - 0.15, small, ha="center", va="center", fontsize=MIN_FONT, color="0.3",
                zorder=3)  # fmt: skip


def _arrow(ax: Any, x: float, y0: float, y1: float) -> None:
    ax.annotate("", (x, y1), (x, y0), arrowprops={"arrowstyle": "->", "lw": 1.0, "color": INK})


def _sum_and_shortcut(ax: Any, block: BlockColumn, x: float, y: float) -> None:
    """The ⊕ at the bottom and the shortcut from the input around the right side."""
    patches = matplotlib().patches
    ax.add_patch(patches.Circle((x, y), 0.2, facecolor="white", edgecolor=INK, lw=1.0, zorder=3))
    ax.text(x, y, "+", ha="center", va="center", zorder=4)
    right = x + _BOX / 2 + 0.25
    ax.plot([x, right, right], [0.2, 0.2, y], color=INK, lw=1.0, zorder=1)
    _arrow_h(ax, right, x + 0.2, y)
    _arrow(ax, x, y - 0.2, y - 0.7)
    if block.shortcut is None:
        words: Label = ("identity",)
    else:
        s = block.shortcut
        words = ("1×1 conv, ", s.c_in, " → ", s.c_out)
    ax.text(right + 0.08, (0.2 + y) / 2, label(words), rotation=90, ha="left", va="center",
            fontsize=MIN_FONT, color="0.3")  # fmt: skip


def _arrow_h(ax: Any, x0: float, x1: float, y: float) -> None:
    ax.annotate("", (x1, y), (x0, y), arrowprops={"arrowstyle": "->", "lw": 1.0, "color": INK})


def axes(fig: Any, diagram: AxesDiagram) -> None:
    """Each tensor as a row of boxes, one per axis, filled where the statistic averages;
    then the statistic's shape."""
    widest = max(len(r.axes) for r in diagram.rows)
    fig.set_size_inches(min(3.0 + 0.7 * widest, MAX_WIDTH), 0.6 + 0.55 * len(diagram.rows))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_axis_off()
    ax.set_xlim(-3.2, widest + 3.2)
    ax.set_ylim(-len(diagram.rows) + 0.35, 1.4)
    patches = matplotlib().patches
    _axes_legend(ax, 0.95)
    for k, row in enumerate(diagram.rows):
        y = -k
        ax.text(-3.1, y, row.title, ha="left", va="center")
        cells = zip(row.axes, row.sizes, row.averaged, strict=True)
        for i, (name, size, averaged) in enumerate(cells):
            box = patches.Rectangle((i, y - 0.3), 0.9, 0.6, lw=1.0, edgecolor=INK,
                                    facecolor=ACCENT if averaged else "white")  # fmt: skip
            ax.add_patch(box)
            colour = "white" if averaged else INK
            named = str(size) == name  # the size is the axis's own letter: say it once
            ax.text(i + 0.45, y + (0 if named else 0.12), name, ha="center", va="center",
                    color=colour, fontsize=MIN_FONT)  # fmt: skip
            if not named:
                size_text = label((size,)) if size.is_Symbol else _ratio(size)
                ax.text(i + 0.45, y - 0.16, size_text, ha="center", va="center",
                        color=colour, fontsize=MIN_FONT)  # fmt: skip
        shape = " × ".join(label((d,)) for d in row.result)
        ax.text(len(row.axes) + 0.2, y, "→ " + shape, ha="left", va="center")


def _axes_legend(ax: Any, y: float) -> None:
    """What the two kinds of box mean, on a line of its own above the tensors."""
    patches = matplotlib().patches
    for x, fill, words in ((-3.1, ACCENT, "averaged over (size 1 in μ and σ²)"),
                           (1.6, "white", "kept")):  # fmt: skip
        ax.add_patch(patches.Rectangle((x, y - 0.15), 0.4, 0.3, lw=1.0, edgecolor=INK,
                                       facecolor=fill))  # fmt: skip
        ax.text(x + 0.55, y, words, ha="left", va="center", fontsize=MIN_FONT)


def _ratio(size: Any) -> str:
    """A size such as C/G on one line (a stacked fraction is too small to read in a box),
    digits grouped from 10⁴ on: C/65 536."""
    num, den = size.as_numer_denom()
    return "/".join(label((part,)) for part in (num, den)) if den != 1 else label((size,))
