"""What a figure shows, as data: curves, a network, residual blocks, a sparsity pattern.

Problem kinds build these from their own numbers (``problems/<kind>/figures.py``); only
:mod:`symhw.render.figures` draws them (this module imports no plotting library). A label
is a tuple of segments, as in a :class:`~symhw.derivation.Paragraph`: plain text and SymPy
expressions, printed by the renderer.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import sympy as sp

#: A label: text and SymPy expressions, in order.
Label = tuple[str | sp.Basic, ...]


@dataclass(frozen=True, eq=False)
class Curve:
    """y against x, sampled (float64 arrays of one length)."""

    label: Label
    x: np.ndarray
    y: np.ndarray


@dataclass(frozen=True)
class Mark:
    """A point of a plot pointed out: a dot at (x, y) and what it shows beside it."""

    x: float
    y: float
    label: Label


@dataclass(frozen=True, eq=False)
class LinePlot:
    """Curves on one pair of axes; ``shaded`` x-intervals (with what they mean) behind them,
    and points pointed out (``marks``).

    >>> s = np.linspace(-1.0, 1.0, 3)
    >>> LinePlot((Curve(("θ",), s, np.tanh(s)),), ("s",), ("",)).curves[0].y.shape
    (3,)
    """

    curves: tuple[Curve, ...]
    x_label: Label
    y_label: Label
    shaded: tuple[tuple[float, float], ...] = ()
    shaded_label: Label = ()
    log_x: bool = False
    log_y: bool = False
    marks: tuple[Mark, ...] = ()


@dataclass(frozen=True, eq=False)
class NetworkDiagram:
    """A fully connected network, LFD style: ``widths`` (d⁽⁰⁾, …, d⁽ᴸ⁾) units per layer, a
    bias node under every layer but the last, and ``weights`` W⁽ˡ⁾ ((d⁽ˡ⁻¹⁾ + 1) × d⁽ˡ⁾,
    row 0 the bias) on the edges when ``edge_labels``, else edges alone.
    ``activations`` names θ of layers 1…L; ``inputs`` the entries of the input as the
    problem writes them (x, or x₁, x₂, …; default x_j⁽⁰⁾)."""

    widths: tuple[int, ...]
    weights: tuple[sp.ImmutableMatrix, ...]
    activations: tuple[str, ...]
    edge_labels: bool = True
    inputs: tuple[sp.Basic, ...] = ()

    @property
    def edges(self) -> int:
        """One per weight, bias weights included."""
        return sum((a + 1) * b for a, b in zip(self.widths, self.widths[1:], strict=False))


@dataclass(frozen=True)
class ConvBox:
    """One convolution of a block: k × k, C_in → C_out, with its stride."""

    kernel: int
    c_in: int | sp.Expr
    c_out: int | sp.Expr
    stride: int = 1


@dataclass(frozen=True)
class BlockColumn:
    """A residual block drawn top to bottom: its convolutions (each followed by batch norm
    when ``batchnorm``, and ReLU but the last), the shortcut (a projection, or the identity
    when ``None``), the sum and a ReLU."""

    title: str
    convs: tuple[ConvBox, ...]
    shortcut: ConvBox | None = None
    batchnorm: bool = False


@dataclass(frozen=True)
class BlockDiagram:
    """Residual blocks side by side."""

    blocks: tuple[BlockColumn, ...]


@dataclass(frozen=True, eq=False)
class SparsityPattern:
    """Where a matrix has nonzeros: ``grid[i, j]`` is true when the ``cell`` × ``cell`` block
    of rows i·cell… and columns j·cell… holds one (``cell = 1``: entry by entry).

    The matrix is ``shape``; its rows fall into ``row_blocks`` equal bands and its columns
    into ``col_blocks`` (lines are drawn between them). ``row_label`` and ``col_label`` say
    what a row and a column stand for (Y_jt, x_it); ``row_names`` and ``col_names`` name
    each one when the pattern is small enough to label entry by entry, and ``entries``
    write each nonzero in its cell when it is smaller still.
    """

    grid: np.ndarray
    shape: tuple[int, int]
    cell: int
    row_blocks: int
    col_blocks: int
    row_label: Label
    col_label: Label
    row_names: tuple[sp.Basic, ...] = ()
    col_names: tuple[sp.Basic, ...] = ()
    #: (row, column, what the entry is) for every nonzero, when the pattern is small enough
    #: to write each one in its cell (w_k^ij); empty: the nonzeros are black cells.
    entries: tuple[tuple[int, int, sp.Basic], ...] = ()


@dataclass(frozen=True)
class AveragedAxes:
    """One tensor's axes (their sizes, e.g. N, H, W, C), which of them a statistic averages
    over, and the statistic's shape."""

    title: str
    axes: tuple[str, ...]
    sizes: tuple[sp.Expr, ...]
    averaged: tuple[bool, ...]
    result: tuple[sp.Expr, ...]


@dataclass(frozen=True)
class AxesDiagram:
    """Tensors one under another, the averaged axes of each highlighted."""

    rows: tuple[AveragedAxes, ...]


Drawing = LinePlot | NetworkDiagram | BlockDiagram | SparsityPattern | AxesDiagram
