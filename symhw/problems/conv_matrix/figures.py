"""The pictures of a conv-matrix sheet: the sparsity pattern of A, and of one channel block."""

from __future__ import annotations

import math

import numpy as np
import sympy as sp

from symhw.conv import ConvIndexMap
from symhw.derivation import Figure, Paragraph
from symhw.notation import indexed_symbol
from symhw.problems.conv_matrix.layer import ShownLayer


def _figure(layer: ShownLayer, title: str, name: sp.Symbol, one_block: bool = False) -> Figure:
    grid, b = sparsity_pattern(layer.index_map, one_block=one_block)
    g, index_map = layer.geometry, layer.index_map
    rows, cols = (math.prod(g.out_size), math.prod(g.size)) if one_block else g.matrix_shape
    nnz = index_map.block_nnz if one_block else index_map.nnz
    what = (
        "each filled cell is a nonzero entry"
        if b == 1
        else f"each cell stands for a {b} × {b} block and is filled where the block has a nonzero"
    )
    percent = f"{100 * nnz / (rows * cols):.2f}".rstrip("0").rstrip(".")
    caption = (
        name,
        f" is {rows:,} × {cols:,} with {nnz:,} nonzeros ({percent}% of its entries); {what}.",
    )
    return Figure(title, grid, Paragraph(caption))


def figures(layer: ShownLayer) -> list[Figure]:
    """A's pattern; and a channel block's when A's squares are too coarse to show its bands."""
    g = layer.geometry
    figures = [_figure(layer, "Sparsity pattern of A", sp.Symbol("A"))]
    rows, cols = g.matrix_shape
    b = max(1, math.ceil(max(rows, cols) / 64))  # as sparsity_pattern draws A
    if b > 1 and 8 * b > math.prod(g.out_size) and g.in_channels * g.out_channels > 1:
        name = indexed_symbol("A", sup=layer.s.channel_pair(0, 0))
        figures.append(_figure(layer, "Sparsity pattern of one channel block", name, True))
    return figures


def sparsity_pattern(
    index_map: ConvIndexMap, cells: int = 64, one_block: bool = False
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
