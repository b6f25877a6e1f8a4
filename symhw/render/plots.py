"""Plots: curves on axes (linear or logarithmic), and a sparsity pattern with its channel
blocks and named rows and columns."""

from __future__ import annotations

from typing import Any

import numpy as np

from symhw.figures import LinePlot, SparsityPattern
from symhw.render.mpl import (
    ACCENT,
    GREY,
    KEY_WIDTH,
    MATH_FONT,
    MIN_FONT,
    label,
    math,
    matplotlib,
)


def line_plot(fig: Any, plot: LinePlot) -> None:
    width, height = KEY_WIDTH, 2.15  # beside its caption in Part I, text at its drawn size
    left = 0.62 if any(plot.y_label) else 0.42  # inches: the tick labels and the label
    bottom, top, right = 0.42, 0.33, 0.1  # the legend above the axes, on one line
    fig.set_size_inches(width, height)
    ax = fig.add_axes(
        (left / width, bottom / height, 1 - (left + right) / width, 1 - (bottom + top) / height)
    )
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
            fontsize=MIN_FONT,
            color=ACCENT,
        )
    lo, hi = float(plot.curves[0].x[0]), float(plot.curves[0].x[-1])
    ax.set_xlim(lo, hi)
    ax.set_xlabel(label(plot.x_label))
    ax.set_ylabel(label(plot.y_label))
    ax.grid(True, color="0.92", lw=0.6)
    if len(handles) > 1:  # one curve is named by its axis; above the axes, hiding none
        ax.legend(
            handles=handles, loc="lower center", bbox_to_anchor=(0.5, 1.0), frameon=False,
            ncols=len(handles), handlelength=1.4, columnspacing=1.0, borderaxespad=0.2,
        )  # fmt: skip


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
    left, top, right, bottom = 0.85, 0.6, 0.1, 0.08  # inches around the pattern
    room = KEY_WIDTH - left - right  # beside the caption; wider where the names need it
    if pattern.row_names:  # square cells of at most half an inch, wide enough for a name
        cell = max(min(0.5, room / cols, 4.0 / rows), 0.22)
        width, height = cols * cell, rows * cell
        if pattern.entries:  # wider than tall: a name such as w_1^11 is wider than tall
            cell = max(min(0.55, room / cols), 0.3)
            width, height = cols * cell, rows * 0.72 * cell
    else:
        width = room
        height = min(max(width * rows / cols, 0.6), 5.0)
    fig.set_size_inches(left + width + right, bottom + height + top)
    w, h = left + width + right, bottom + height + top
    ax = fig.add_axes((left / w, bottom / h, width / w, height / h))
    mpl = matplotlib()
    cells = mpl.path.Path(*filled_cells(pattern.grid, pattern.cell))
    fill = NAMED_FILL if pattern.entries else FILLED
    ax.add_patch(mpl.patches.PathPatch(cells, facecolor=fill, lw=0, zorder=1))
    for r, c, name in pattern.entries:  # each nonzero written in its cell
        ax.text(c + 0.5, r + 0.5, math(name), ha="center", va="center", fontsize=MATH_FONT,
                zorder=2)  # fmt: skip
    for k in range(1, pattern.row_blocks):
        ax.axhline(k * rows / pattern.row_blocks, color=ACCENT, lw=1.6)
    for k in range(1, pattern.col_blocks):
        ax.axvline(k * cols / pattern.col_blocks, color=ACCENT, lw=1.6)
    _pattern_ticks(ax, pattern)
    ax.set_ylabel(_rows_label(pattern, height))
    ax.xaxis.set_label_position("top")
    cols_label = label(("columns ", *pattern.col_label))
    if len(pattern.col_label) > 1 and 0.075 * len(cols_label) > width:  # on two lines
        cols_label = label(("columns ", pattern.col_label[0])) + "\n" + label(pattern.col_label[1:])
    ax.set_xlabel(cols_label)


def _rows_label(pattern: SparsityPattern, height: float) -> str:
    """What the rows stand for, beside the pattern's ``height`` (inches): on one line, or
    two, or only their name (``rows Y_jt``) where its words would run past the pattern."""
    whole = label(("rows ", *pattern.row_label))
    if 0.075 * len(whole) <= height or len(pattern.row_label) < 2:
        return whole
    tail = label(pattern.row_label[1:])
    head = label(("rows ", pattern.row_label[0]))
    return head + "\n" + tail if 0.075 * len(tail) <= height else head


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
