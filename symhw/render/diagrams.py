"""Diagrams: a fully connected network (LFD style), residual blocks, and the axes a
normalization averages over."""

from __future__ import annotations

from typing import Any

import sympy as sp

from symhw.figures import AxesDiagram, BlockColumn, BlockDiagram, ConvBox, Label, NetworkDiagram
from symhw.notation import indexed_symbol
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
    """Layers left to right, the bias node 1 on top of each, weights on the edges."""
    depth, tallest = len(net.widths) - 1, max(net.widths) + 1
    fig.set_size_inches(min(1.0 + 1.7 * depth, MAX_WIDTH), min(0.9 + 0.55 * tallest, 6.0))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_axis_off()
    ax.set_xlim(-1.2, 2.4 * depth + 1.0)
    ax.set_ylim(-(tallest / 2) - 1.1, tallest / 2 + 0.7)
    at = [_column(net.widths[k], k < depth, 2.4 * k) for k in range(depth + 1)]
    for layer in range(1, depth + 1):
        w = net.weights[layer - 1]
        for i, start in enumerate(at[layer - 1]):
            for j, end in enumerate(at[layer][1:] if layer < depth else at[layer]):
                ax.plot(*zip(start, end, strict=True), color="0.55", lw=0.7, zorder=1)
                if net.edge_labels:
                    where = (i * w.cols + j + 0.5) / (w.rows * w.cols)  # each edge its own x
                    mark = _edge_label(ax, start, end, w[i, j], where)
                    mark.set_gid(f"w{layer}_{i}_{j + 1}")  # an id in the SVG: w⁽ˡ⁾_ij
    for layer, nodes in enumerate(at):
        bias = layer < depth
        for k, (x, y) in enumerate(nodes):
            unit = k if bias else k + 1
            inside = "1" if bias and k == 0 else _unit_label(net, layer, unit)
            _node(ax, x, y, inside, square=bias and k == 0)
        _layer_caption(ax, net, layer, 2.4 * layer, -(tallest / 2) - 0.55)


def _column(units: int, bias: bool, x: float) -> list[tuple[float, float]]:
    """Node centres of one layer, top to bottom: the bias node first (when there is one)."""
    n = units + bias
    return [(x, (n - 1) / 2 - k) for k in range(n)]


_SUBSCRIPT = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def _unit_label(net: NetworkDiagram, layer: int, unit: int) -> str:
    """Inside a unit's node, while the network is small enough for labels: x₁, x₂, … for
    the inputs and θ for the units that apply an activation (LFD's picture)."""
    if not net.edge_labels:
        return ""
    return "x" + str(unit).translate(_SUBSCRIPT) if layer == 0 else "θ"


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


def _edge_label(ax: Any, start, end, weight: sp.Expr, where: float) -> Any:
    """A weight on its edge, ``where`` (0 to 1) of the way through the middle of it."""
    t = 0.15 + 0.7 * where
    x, y = start[0] + t * (end[0] - start[0]), start[1] + t * (end[1] - start[1])
    return ax.text(
        x, y, _number(weight), ha="center", va="center", fontsize=MIN_FONT, color=ACCENT, zorder=5,
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
