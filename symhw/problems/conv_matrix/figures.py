"""The pictures of a conv-matrix sheet: the sparsity pattern of A, and of one channel block."""

from __future__ import annotations

import math

import numpy as np
import sympy as sp

from symhw.conv import ConvIndexMap
from symhw.derivation import Figure, Paragraph
from symhw.figures import SparsityPattern
from symhw.notation import indexed_symbol
from symhw.problems.conv_matrix.layer import ShownLayer

#: Patterns up to this many rows and columns are drawn entry by entry, each row and column
#: named (up to ``WRITTEN``, each nonzero written in its cell); larger ones as a grid of
#: at most ``CELLS`` × ``CELLS`` cells. Lines between the channel blocks are drawn along an
#: axis with at most ``MAX_LINES`` channels.
NAMED, CELLS, MAX_LINES = 24, 128, 32
#: Up to this many rows and columns, each nonzero is written in its cell (w_k^ij).
WRITTEN = 12


def _figure(layer: ShownLayer, title: str, name: sp.Symbol, one_block: bool = False) -> Figure:
    g, index_map, s = layer.geometry, layer.index_map, layer.s
    if one_block:
        rows, cols, bands = math.prod(g.out_size), math.prod(g.size), (1, 1)
    else:
        (rows, cols), bands = g.matrix_shape, (g.out_channels, g.in_channels)
        bands = tuple(n if n <= MAX_LINES else 1 for n in bands)  # denser lines hide A
    cells = NAMED if max(rows, cols) <= NAMED else CELLS
    grid, b = sparsity_pattern(index_map, cells, one_block=one_block)
    named = b == 1 and not one_block and max(rows, cols) <= NAMED
    written = named and max(rows, cols) <= WRITTEN
    pattern = SparsityPattern(
        grid,
        (rows, cols),
        b,
        *bands,
        row_label=(indexed_symbol("Y", "jt"), " (output channel j, position t)"),
        col_label=(indexed_symbol("x", "it"), " (input channel i, position t)"),
        row_names=tuple(s.y(*_unflat(r, g.out_size)) for r in range(rows)) if named else (),
        col_names=tuple(s.x_flat(c) for c in range(cols)) if named else (),
        entries=_entries(layer) if written else (),
    )
    nnz = index_map.block_nnz if one_block else index_map.nnz
    caption = _caption(name, rows, cols, nnz, b, bands, written)
    return Figure(title, pattern, Paragraph(caption))


def _entries(layer: ShownLayer) -> tuple[tuple[int, int, sp.Basic], ...]:
    """Every nonzero of A with the weight it holds, from the index map."""
    rows, cols, index = layer.index_map.triplets()
    return tuple(
        (int(r), int(c), layer.s.weight_flat(int(w)))
        for r, c, w in zip(rows, cols, index, strict=True)
    )


def _unflat(row: int, size: tuple[int, ...]) -> tuple[int, tuple[int, ...]]:
    j, t = divmod(row, math.prod(size))
    return j, tuple(int(v) for v in np.unravel_index(t, size))


def _caption(
    name: sp.Symbol, rows: int, cols: int, nnz: int, b: int, bands, written: bool = False
) -> tuple:
    what = (
        "each shaded cell is a nonzero entry, the weight it holds written in it"
        if written
        else "each black cell is a nonzero entry"
        if b == 1
        else f"each cell stands for a {b} × {b} block and is black where the block has a nonzero"
    )
    lines = {
        (True, True): "; the blue lines separate the channel blocks (rows by output channel, "
        "columns by input channel)",
        (True, False): "; the blue lines separate the output channels",
        (False, True): "; the blue lines separate the input channels",
    }.get((bands[0] > 1, bands[1] > 1), "")
    percent = f"{100 * nnz / (rows * cols):.2f}".rstrip("0").rstrip(".")
    return (
        name,
        f" is {rows:,} × {cols:,} with {nnz:,} nonzeros ({percent}% of its entries); "
        f"{what}{lines}.",
    )


def figures(layer: ShownLayer) -> list[Figure]:
    """A's pattern; and a channel block's when A's cells are too coarse to show its bands."""
    g = layer.geometry
    figures = [_figure(layer, "Sparsity pattern of A", sp.Symbol("A"))]
    rows, cols = g.matrix_shape
    b = max(1, math.ceil(max(rows, cols) / CELLS))  # as sparsity_pattern draws A
    if b > 1 and 8 * b > math.prod(g.out_size) and g.in_channels * g.out_channels > 1:
        name = indexed_symbol("A", sup=layer.s.channel_pair(0, 0))
        figures.append(_figure(layer, "Sparsity pattern of one channel block", name, True))
    return figures


def sparsity_pattern(
    index_map: ConvIndexMap, cells: int = CELLS, one_block: bool = False
) -> tuple[np.ndarray, int]:
    """Which b × b blocks of A (of one channel block) hold a nonzero (b = 1 while the matrix
    has at most ``cells`` rows and columns), a chunk of nonzeros at a time.

    >>> from symhw.conv import ConvIndexMap, conv_geometry
    >>> grid, b = sparsity_pattern(ConvIndexMap(conv_geometry(1, 1, 3, 2)))
    >>> grid.astype(int).tolist(), b
    ([[1, 1, 0], [0, 1, 1]], 1)
    """
    g = index_map.geometry
    rows, cols = (math.prod(g.out_size), math.prod(g.size)) if one_block else g.matrix_shape
    b = max(1, math.ceil(max(rows, cols) / cells))
    grid = np.zeros((math.ceil(rows / b), math.ceil(cols / b)), dtype=bool)
    if one_block:
        t, u, _ = index_map.block_pattern()
        grid[t // b, u // b] = True
        return grid, b
    for r, c, _ in index_map.chunks():
        grid[r // b, c // b] = True
    return grid, b
