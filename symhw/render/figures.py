"""Figures drawn with matplotlib: SVG beside the Markdown, PDF for LaTeX; byte-identical
on every run (fixed hash salt, no dates or creator, matplotlib's own DejaVu fonts, no TeX).

The only module that imports matplotlib, and only when a figure is drawn (its import
costs more than SymPy's): ``import symhw`` does not pay it. Only ``matplotlib.figure`` and
the two backends are loaded, never pyplot.
"""

from __future__ import annotations

import functools
import io
from typing import Any

import numpy as np
import sympy as sp

from symhw.derivation import Figure, Solution
from symhw.figures import (
    AxesDiagram,
    BlockColumn,
    BlockDiagram,
    ConvBox,
    Drawing,
    Label,
    LinePlot,
    NetworkDiagram,
    SparsityPattern,
)
from symhw.notation import indexed_symbol
from symhw.render.expr import latex, text

#: File format of the figures each text format links: LaTeX includes PDF (pdflatex),
#: Markdown links SVG.
FIGURE_FORMAT = {"tex": "pdf", "md": "svg"}

#: Settings that make the bytes the same on every run and machine.
_RC = {
    "svg.hashsalt": "symhw",
    "svg.fonttype": "path",  # glyphs as outlines: the SVG needs no fonts where it is shown
    "pdf.fonttype": 3,
    "font.family": "DejaVu Sans",
    "mathtext.fontset": "dejavusans",
    "axes.unicode_minus": True,
    "font.size": 9,
}
_METADATA = {
    "svg": {"Creator": None, "Date": None, "Format": None, "Type": None},
    "pdf": {"Creator": None, "Producer": None, "CreationDate": None, "ModDate": None},
}
_GREY, _INK, _ACCENT = "0.85", "0.15", "#1f5fa8"
#: The widest figure, in inches: the sheet's line is 17 cm (6.69 in) and figures are
#: included at their natural size, so their text is the size it was drawn at.
MAX_WIDTH = 6.5


def figure_name(problem_id: str, index: int) -> str:
    """The file stem of a problem's ``index``-th figure (1-based): ``q1-2``."""
    return f"{problem_id}-{index}"


def figure_paths(sol: Solution, directory: str, fmt: str) -> dict[int, str]:
    """The relative path of each figure of ``sol`` (by its position in ``sol.parts``)."""
    positions = [i for i, p in enumerate(sol.parts) if isinstance(p, Figure)]
    return {
        i: f"{directory}/{figure_name(sol.problem_id, k)}.{fmt}"
        for k, i in enumerate(positions, start=1)
    }


def figure_files(sol: Solution, directory: str, formats: tuple[str, ...]) -> dict[str, bytes]:
    """Every figure of ``sol`` drawn in each file format of ``formats`` (``pdf``, ``svg``):
    ``{relative path: bytes}``, the paths :func:`figure_paths` gives the sections. Each
    figure is laid out once and saved in every format."""
    paths = {fmt: figure_paths(sol, directory, fmt) for fmt in formats}
    files = {}
    for i, part in enumerate(sol.parts):
        if isinstance(part, Figure) and formats:
            files.update(
                zip((paths[f][i] for f in formats), draw_all(part.drawing, formats), strict=True)
            )
    return dict(sorted(files.items(), key=lambda item: formats.index(item[0].rsplit(".", 1)[1])))


def draw(drawing: Drawing, fmt: str) -> bytes:
    """One drawing as the bytes of an ``svg`` or ``pdf`` file.

    >>> from symhw.figures import Curve, LinePlot
    >>> s = np.linspace(-2.0, 2.0, 5)
    >>> draw(LinePlot((Curve(("θ",), s, np.tanh(s)),), ("s",), ("",)), "pdf")[:5]
    b'%PDF-'
    """
    return draw_all(drawing, (fmt,))[0]


def draw_all(drawing: Drawing, formats: tuple[str, ...]) -> tuple[bytes, ...]:
    """One drawing, laid out once, saved in each of ``formats``."""
    with _matplotlib().rc_context(_RC):
        fig = build(drawing)
        out = []
        for fmt in formats:
            buffer = io.BytesIO()
            fig.savefig(buffer, format=fmt, metadata=_METADATA[fmt])
            out.append(buffer.getvalue())
    return tuple(out)


def build(drawing: Drawing) -> Any:
    """The drawing as a matplotlib ``Figure`` (not yet saved)."""
    mpl = _matplotlib()
    with mpl.rc_context(_RC):
        fig = mpl.figure.Figure()
        _DRAW[type(drawing)](fig, drawing)
    return fig


def load() -> None:
    """Import matplotlib now (a sheet does, before it forks its workers: they share it)."""
    _matplotlib()


@functools.cache
def _matplotlib() -> Any:
    """matplotlib with only what drawing needs: the Figure class and the two backends."""
    import matplotlib
    import matplotlib.backends.backend_pdf
    import matplotlib.backends.backend_svg
    import matplotlib.figure
    import matplotlib.mathtext
    import matplotlib.patches
    import matplotlib.ticker

    return matplotlib


def label(segments: Label) -> str:
    """A label as matplotlib text: prose as written, integers as digits (grouped by thin
    spaces from 10⁴ on), other SymPy parts as mathtext (their LaTeX, or their plain text
    where mathtext cannot set that LaTeX).

    >>> label(("input, ", 65536, " channels"))
    'input, 65\u2009536 channels'
    """
    return "".join(_segment(s) for s in segments)


def _segment(segment: str | int | sp.Basic) -> str:
    if isinstance(segment, str):
        return segment.replace("$", r"\$")
    if isinstance(segment, int | sp.Integer):
        n = int(segment)
        return (f"{n:,}".replace(",", "\u2009") if abs(n) >= 10_000 else str(n)).replace("-", "−")
    return _math(segment)


@functools.cache
def _math(expr: sp.Basic) -> str:
    parser = _matplotlib().mathtext.MathTextParser("path")
    source = f"${latex(expr)}$"
    try:
        parser.parse(source)
    except ValueError:
        return text(expr).replace("$", r"\$")
    return source


def _line_plot(fig: Any, plot: LinePlot) -> None:
    fig.set_size_inches(5.6, 2.9)
    ax = fig.add_axes((0.1, 0.16, 0.86, 0.8))
    for a, b in plot.shaded:
        ax.axvspan(a, b, color=_GREY, lw=0, zorder=0)
    handles = [ax.plot(c.x, c.y, lw=1.6, label=label(c.label))[0] for c in plot.curves]
    if plot.shaded:  # one legend entry for all regions
        shade = _matplotlib().patches.Patch(color=_GREY, label=label(plot.shaded_label))
        handles.append(shade)
    ticker = _matplotlib().ticker
    for log, scale, axis in (
        (plot.log_x, ax.set_xscale, ax.xaxis),
        (plot.log_y, ax.set_yscale, ax.yaxis),
    ):
        if log:  # powers of ten in Unicode: mathtext would parse every tick label
            scale("log")
            axis.set_major_formatter(ticker.FuncFormatter(_power_of_ten))
            axis.set_minor_locator(ticker.NullLocator())
    lo, hi = float(plot.curves[0].x[0]), float(plot.curves[0].x[-1])
    ax.set_xlim(lo, hi)
    ax.set_xlabel(label(plot.x_label))
    ax.set_ylabel(label(plot.y_label))
    ax.grid(True, color="0.92", lw=0.6)
    if len(handles) > 1:  # one curve is named by its axis
        ax.legend(handles=handles, loc="best", framealpha=0.9, edgecolor="none")


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def _power_of_ten(value: float, _position: int) -> str:
    """A log axis's tick label: 10⁻³ (ticks fall on powers of ten).

    >>> _power_of_ten(0.001, 0), _power_of_ten(100.0, 0)
    ('10⁻³', '10²')
    """
    return "10" + str(round(np.log10(value))).translate(_SUPERSCRIPT)


def _network(fig: Any, net: NetworkDiagram) -> None:
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
    patches = _matplotlib().patches
    if square:
        shape = patches.FancyBboxPatch((x - 0.2, y - 0.2), 0.4, 0.4, boxstyle="round,pad=0.02")
    else:
        shape = patches.Circle((x, y), 0.28)
    shape.set(facecolor="white" if square else "#e8eef7", edgecolor=_INK, lw=1.0, zorder=3)
    ax.add_patch(shape)
    if text_:
        ax.text(x, y, text_, ha="center", va="center", zorder=4)


def _edge_label(ax: Any, start, end, weight: sp.Expr, where: float) -> Any:
    """A weight on its edge, ``where`` (0 to 1) of the way through the middle of it."""
    t = 0.15 + 0.7 * where
    x, y = start[0] + t * (end[0] - start[0]), start[1] + t * (end[1] - start[1])
    return ax.text(
        x, y, _number(weight), ha="center", va="center", fontsize=7.5, color=_ACCENT, zorder=5,
        bbox={"boxstyle": "round,pad=0.1", "facecolor": "white", "edgecolor": "none"},
    )  # fmt: skip


def _number(value: sp.Expr) -> str:
    """A weight as a short label: an integer or a decimal of at most 4 significant figures,
    a symbol as math."""
    if value.is_Integer:
        return str(int(value)).replace("-", "−")
    if value.is_number:
        return f"{float(value):.4g}".replace("-", "−")
    return _math(value)


def _layer_caption(ax: Any, net: NetworkDiagram, layer: int, x: float, y: float) -> None:
    if layer == 0:
        words: Label = ("input ", indexed_symbol("x", sup="(0)"))
    else:
        up = f"({layer})"
        words = (indexed_symbol("s", sup=up), " → ", indexed_symbol("x", sup=up))
        name = net.activations[layer - 1]
        ax.text(x, y - 0.45, f"θ = {_THETA.get(name, name)}", ha="center", va="center",
                fontsize=8, color="0.3")  # fmt: skip
    ax.text(x, y, label(words), ha="center", va="center")


_THETA = {"sigmoid": "σ"}


_STEP, _BOX = 4.8, 3.6  # distance between blocks, width of a box (axes units)


def _blocks(fig: Any, diagram: BlockDiagram) -> None:
    """Each block top to bottom: input, its convolutions, the sum with the shortcut, output."""
    n = len(diagram.blocks)
    tallest = max(len(b.convs) for b in diagram.blocks)
    fig.set_size_inches(0.3 + 2.05 * n, 1.9 + 0.85 * tallest)  # 3 blocks: MAX_WIDTH
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_axis_off()
    ax.set_xlim(-_STEP / 2, _STEP * (n - 0.5))
    ax.set_ylim(-(tallest * 1.05 + 1.9), 1.3)
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
    ax.text(x, bottom - 0.95, label(("ReLU → output, ", out, " channels")), ha="center",
            va="center")  # fmt: skip


def _conv_box(ax: Any, x: float, y: float, conv: ConvBox, after: tuple[str, ...]) -> None:
    """A convolution: k×k, C_in → C_out; under it the stride and what follows it."""
    patches = _matplotlib().patches
    half = _BOX / 2
    box = patches.FancyBboxPatch((x - half, y - 0.3), _BOX, 0.6, boxstyle="round,pad=0.03")
    box.set(facecolor="#e8eef7", edgecolor=_INK, lw=1.0, zorder=2)
    ax.add_patch(box)
    words = (f"{conv.kernel}×{conv.kernel} conv, ", conv.c_in, " → ", conv.c_out)
    small = " · ".join((f"stride {conv.stride}",) * (conv.stride > 1) + after)
    ax.text(x, y + (0.1 if small else 0), label(words), ha="center", va="center", fontsize=8,
            zorder=3)  # fmt: skip
    if small:
        ax.text(x, y - 0.15, small, ha="center", va="center", fontsize=7, color="0.3", zorder=3)


def _arrow(ax: Any, x: float, y0: float, y1: float) -> None:
    ax.annotate("", (x, y1), (x, y0), arrowprops={"arrowstyle": "->", "lw": 1.0, "color": _INK})


def _sum_and_shortcut(ax: Any, block: BlockColumn, x: float, y: float) -> None:
    """The ⊕ at the bottom and the shortcut from the input around the right side."""
    patches = _matplotlib().patches
    ax.add_patch(patches.Circle((x, y), 0.2, facecolor="white", edgecolor=_INK, lw=1.0, zorder=3))
    ax.text(x, y, "+", ha="center", va="center", zorder=4)
    right = x + _BOX / 2 + 0.25
    ax.plot([x, right, right], [0.2, 0.2, y], color=_INK, lw=1.0, zorder=1)
    _arrow_h(ax, right, x + 0.2, y)
    _arrow(ax, x, y - 0.2, y - 0.7)
    if block.shortcut is None:
        words: Label = ("identity",)
    else:
        s = block.shortcut
        words = ("1×1 conv, ", s.c_in, " → ", s.c_out)
    ax.text(right + 0.08, (0.2 + y) / 2, label(words), rotation=90, ha="left", va="center",
            fontsize=7.5, color="0.3")  # fmt: skip


def _arrow_h(ax: Any, x0: float, x1: float, y: float) -> None:
    ax.annotate("", (x1, y), (x0, y), arrowprops={"arrowstyle": "->", "lw": 1.0, "color": _INK})


def _sparsity(fig: Any, pattern: SparsityPattern) -> None:
    """Nonzeros in black, entry by entry (small) or as an image of cells (large), with lines
    between the channel blocks and what rows and columns stand for."""
    rows, cols = pattern.shape
    if pattern.row_names:  # square cells of at most half an inch
        cell = min(0.5, 4.4 / cols, 4.0 / rows)
        width, height = cols * cell, rows * cell
    else:
        width = 4.4
        height = min(max(width * rows / cols, 0.6), 5.0)
    left, top, right, bottom = 1.0, 0.75, 0.2, 0.15  # inches around the pattern
    fig.set_size_inches(left + width + right, bottom + height + top)
    w, h = left + width + right, bottom + height + top
    ax = fig.add_axes((left / w, bottom / h, width / w, height / h))
    grid_rows, grid_cols = pattern.grid.shape
    b = pattern.cell  # the image's cells cover b × b entries each, the last ones partly
    ax.imshow(
        pattern.grid, cmap="Greys", vmin=0, vmax=1.25, interpolation="nearest",
        extent=(0, grid_cols * b, grid_rows * b, 0), aspect="auto",
    )  # fmt: skip
    for k in range(1, pattern.row_blocks):
        ax.axhline(k * rows / pattern.row_blocks, color=_ACCENT, lw=1.2)
    for k in range(1, pattern.col_blocks):
        ax.axvline(k * cols / pattern.col_blocks, color=_ACCENT, lw=1.2)
    _pattern_ticks(ax, pattern)
    ax.set_ylabel(label(("rows ", *pattern.row_label)))
    ax.xaxis.set_label_position("top")
    ax.set_xlabel(label(("columns ", *pattern.col_label)))


def _pattern_ticks(ax: Any, pattern: SparsityPattern) -> None:
    rows, cols = pattern.shape
    ax.xaxis.tick_top()
    if pattern.row_names and pattern.col_names:
        ax.set_yticks(np.arange(rows) + 0.5, [_math(n) for n in pattern.row_names])
        ax.set_xticks(np.arange(cols) + 0.5, [_math(n) for n in pattern.col_names])
        ax.tick_params(length=0)
        ax.set_xticks(np.arange(cols + 1), minor=True)
        ax.set_yticks(np.arange(rows + 1), minor=True)
        ax.grid(which="minor", color="0.8", lw=0.4)
    ax.set_xlim(0, cols)
    ax.set_ylim(rows, 0)


def _axes(fig: Any, diagram: AxesDiagram) -> None:
    """Each tensor as a row of boxes, one per axis, filled where the statistic averages;
    then the statistic's shape."""
    widest = max(len(r.axes) for r in diagram.rows)
    fig.set_size_inches(min(3.0 + 0.7 * widest, MAX_WIDTH), 0.3 + 0.55 * len(diagram.rows))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_axis_off()
    ax.set_xlim(-3.2, widest + 3.2)
    ax.set_ylim(-len(diagram.rows) + 0.35, 0.85)
    patches = _matplotlib().patches
    for k, row in enumerate(diagram.rows):
        y = -k
        ax.text(-3.1, y, row.title, ha="left", va="center")
        cells = zip(row.axes, row.sizes, row.averaged, strict=True)
        for i, (name, size, averaged) in enumerate(cells):
            box = patches.Rectangle((i, y - 0.3), 0.9, 0.6, lw=1.0, edgecolor=_INK,
                                    facecolor=_ACCENT if averaged else "white")  # fmt: skip
            ax.add_patch(box)
            colour = "white" if averaged else _INK
            named = str(size) == name  # the size is the axis's own letter: say it once
            ax.text(i + 0.45, y + (0 if named else 0.08), name, ha="center", va="center",
                    color=colour, fontsize=8)  # fmt: skip
            if not named:
                ax.text(i + 0.45, y - 0.15, label((size,)), ha="center", va="center",
                        color=colour, fontsize=6.5)  # fmt: skip
        shape = " × ".join(label((d,)) for d in row.result)
        ax.text(len(row.axes) + 0.2, y, "→ " + shape, ha="left", va="center")


_DRAW = {
    LinePlot: _line_plot,
    NetworkDiagram: _network,
    BlockDiagram: _blocks,
    SparsityPattern: _sparsity,
    AxesDiagram: _axes,
}
