"""Plots: curves on axes (linear or logarithmic), and a sparsity pattern with its channel
blocks and named rows and columns."""

from __future__ import annotations

from typing import Any

import numpy as np

from symhw.figures import LinePlot, SparsityPattern
from symhw.render.mpl import ACCENT, GREY, label, math, matplotlib


def line_plot(fig: Any, plot: LinePlot) -> None:
    fig.set_size_inches(5.6, 2.9)
    left = 0.14 if any(plot.y_label) else 0.1  # room for the label beside the tick labels
    ax = fig.add_axes((left, 0.16, 0.96 - left, 0.8))
    for a, b in plot.shaded:
        ax.axvspan(a, b, color=GREY, lw=0, zorder=0)
    handles = [ax.plot(c.x, c.y, lw=1.6, label=label(c.label))[0] for c in plot.curves]
    if plot.shaded:  # one legend entry for all regions
        shade = matplotlib().patches.Patch(color=GREY, label=label(plot.shaded_label))
        handles.append(shade)
    ticker = matplotlib().ticker
    for log, scale, axis in (
        (plot.log_x, ax.set_xscale, ax.xaxis),
        (plot.log_y, ax.set_yscale, ax.yaxis),
    ):
        if log:  # powers of ten in Unicode: mathtext would parse every tick label
            scale("log")
            axis.set_major_formatter(ticker.FuncFormatter(_power_of_ten))
            axis.set_minor_locator(ticker.NullLocator())
    for mark in plot.marks:
        ax.plot([mark.x], [mark.y], "o", ms=3.5, color=ACCENT, zorder=3)
        ax.annotate(
            label(mark.label),
            (mark.x, mark.y),
            xytext=(5, -12),
            textcoords="offset points",
            fontsize=8,
            color=ACCENT,
        )
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


def sparsity(fig: Any, pattern: SparsityPattern) -> None:
    """Nonzeros in black, entry by entry (small) or by cells of b × b entries (large), with
    lines between the channel blocks and what rows and columns stand for. The cells are
    drawn as vector rectangles, never an image (its bytes would depend on Pillow)."""
    rows, cols = pattern.shape
    if pattern.row_names:  # square cells of at most half an inch
        cell = min(0.5, 4.4 / cols, 4.0 / rows)
        width, height = cols * cell, rows * cell
        if pattern.entries:  # wider than tall: a name such as w_1^11 is wider than tall
            width, height = cols * min(0.55, 4.4 / cols), rows * 0.72 * min(0.55, 4.4 / cols)
    else:
        width = 4.4
        height = min(max(width * rows / cols, 0.6), 5.0)
    left, top, right, bottom = 1.0, 0.6, 0.2, 0.08  # inches around the pattern
    fig.set_size_inches(left + width + right, bottom + height + top)
    w, h = left + width + right, bottom + height + top
    ax = fig.add_axes((left / w, bottom / h, width / w, height / h))
    mpl = matplotlib()
    cells = mpl.path.Path(*filled_cells(pattern.grid, pattern.cell))
    fill = NAMED_FILL if pattern.entries else FILLED
    ax.add_patch(mpl.patches.PathPatch(cells, facecolor=fill, lw=0, zorder=1))
    for r, c, name in pattern.entries:  # each nonzero written in its cell
        ax.text(c + 0.5, r + 0.5, math(name), ha="center", va="center", fontsize=8, zorder=2)
    for k in range(1, pattern.row_blocks):
        ax.axhline(k * rows / pattern.row_blocks, color=ACCENT, lw=1.6)
    for k in range(1, pattern.col_blocks):
        ax.axvline(k * cols / pattern.col_blocks, color=ACCENT, lw=1.6)
    _pattern_ticks(ax, pattern)
    rows_label = label(("rows ", *pattern.row_label))
    if len(pattern.row_label) > 1 and 0.075 * len(rows_label) > height:  # on two lines
        rows_label = label(("rows ", pattern.row_label[0])) + "\n" + label(pattern.row_label[1:])
    ax.set_ylabel(rows_label)
    ax.xaxis.set_label_position("top")
    ax.set_xlabel(label(("columns ", *pattern.col_label)))


FILLED = "0.2"
#: The nonzeros' colour when each holds its name (dark enough to see, light enough to read).
NAMED_FILL = "#c9d8ee"
_STEPS = np.array([[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]])


def filled_cells(grid: np.ndarray, cell: int) -> tuple[np.ndarray, np.ndarray]:
    """The true cells of ``grid`` as closed rectangles, one per run of consecutive true
    cells in a row (b × b entries a cell): vertices in matrix coordinates, and path codes.

    >>> vertices, codes = filled_cells(np.array([[True, True, False, True]]), 2)
    >>> vertices.reshape(-1, 5, 2)[:, :3].tolist()
    [[[0, 0], [4, 0], [4, 2]], [[6, 0], [8, 0], [8, 2]]]
    """
    padded = np.pad(grid.astype(np.int8), ((0, 0), (1, 1)))
    change = np.diff(padded, axis=1)
    rows, starts = np.nonzero(change == 1)
    _, ends = np.nonzero(change == -1)  # row-major: the nth end closes the nth start
    size = np.stack([ends - starts, np.ones_like(starts)], axis=1)[:, None, :]
    corner = np.stack([starts, rows], axis=1)[:, None, :]
    vertices = ((corner + _STEPS[None] * size) * cell).reshape(-1, 2)
    codes = np.tile([1, 2, 2, 2, 79], len(starts)).astype(np.uint8)  # MOVETO … CLOSEPOLY
    return vertices, codes


def _pattern_ticks(ax: Any, pattern: SparsityPattern) -> None:
    rows, cols = pattern.shape
    ax.xaxis.tick_top()
    if pattern.row_names and pattern.col_names:
        ax.set_yticks(np.arange(rows) + 0.5, [math(n) for n in pattern.row_names])
        ax.set_xticks(np.arange(cols) + 0.5, [math(n) for n in pattern.col_names])
        ax.tick_params(length=0)
        ax.set_xticks(np.arange(cols + 1), minor=True)
        ax.set_yticks(np.arange(rows + 1), minor=True)
        ax.grid(which="minor", color="0.8", lw=0.4)
    ax.set_xlim(0, cols)
    ax.set_ylim(rows, 0)
