"""The parts of a conv-matrix sheet that are not derivations: sparsity figures and answers."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import sympy as sp

from symhw.conv import flip_kernels
from symhw.conv.backward import flipped_kernel, shown_kernel
from symhw.conv.exact import Product
from symhw.conv.layer import Layer
from symhw.conv.symbols import JSON_ENTRIES, shown_part, sparsity_pattern
from symhw.derivation import Answer, Figure, Paragraph
from symhw.notation import Dots, indexed_symbol

#: A numeric answer shows at most this many channels of a 2-D result (the JSON has all).
SHOWN_CHANNELS = 4


def _figure(layer: Layer, title: str, name: sp.Symbol, one_block: bool = False) -> Figure:
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


def figures(layer: Layer) -> list[Figure]:
    """A's pattern; and a channel block's when A's squares are too coarse to show its bands."""
    g = layer.geometry
    figures = [_figure(layer, "Sparsity pattern of A", sp.Symbol("A"))]
    rows, cols = g.matrix_shape
    b = max(1, math.ceil(max(rows, cols) / 64))  # as sparsity_pattern draws A
    if b > 1 and 8 * b > math.prod(g.out_size) and g.in_channels * g.out_channels > 1:
        name = indexed_symbol("A", sup=layer.s.channel_pair(0, 0))
        figures.append(_figure(layer, "Sparsity pattern of one channel block", name, True))
    return figures


def _kernels_json(layer: Layer) -> Any:
    """Every v^{ij} by input channel i then output channel j ("0"s across groups), as names;
    only the sizes past JSON_ENTRIES names."""
    g = layer.geometry
    shape = (g.in_channels, g.out_channels, *g.kernel)
    if math.prod(shape) > JSON_ENTRIES:
        return {"shape": list(shape), "entries": "omitted"}
    count = math.prod(g.weight_shape)
    v = flip_kernels(np.arange(count).reshape(g.weight_shape), g)  # which weight, flat
    names = layer.s.weight_names(v)
    table = np.full(shape, "0", dtype=object)
    for grp in range(g.groups):
        ins = slice(grp * g.in_per_group, (grp + 1) * g.in_per_group)
        table[ins, grp * g.out_per_group : (grp + 1) * g.out_per_group] = names[ins]
    return table.tolist()


def kernels_answer(layer: Layer) -> Answer:
    """The flipped kernels v^{ij}, by input channel i then output channel j."""
    g = layer.geometry
    pairs: list[tuple[int, int] | None] = [
        (i, j) for i in range(min(g.in_channels, 9)) for j in range(g.out_channels)
    ][:9]
    if g.in_channels * g.out_channels > 8:
        pairs = [*pairs[:2], None, (g.in_channels - 1, g.out_channels - 1)]

    def label(pair) -> sp.Expr:
        if pair is None:
            return Dots("⋮")
        return indexed_symbol("v", sup=layer.s.channel_pair(*pair))

    def kernel(pair) -> sp.ImmutableMatrix:
        if pair is None:
            k = np.full(g.kernel, Dots("⋮"), dtype=object)
        elif g.connected(*pair):
            k = flipped_kernel(layer, pair[0], pair[1] % g.out_per_group)
        else:
            k = np.zeros(g.kernel, dtype=int)
        return shown_kernel(k)

    labels = sp.ImmutableMatrix([label(p) for p in pairs])
    if g.dims == 1:
        value: Any = sp.ImmutableMatrix.vstack(*[kernel(p) for p in pairs])
    else:
        value = sp.BlockMatrix([[kernel(p)] for p in pairs])
    return Answer("backward_kernel", labels, value, _kernels_json(layer))


def matrix_answers(layer: Layer) -> tuple[Answer, Answer]:
    """A and Aᵀ: in full when small, else corners; JSON names up to JSON_ENTRIES, else sizes."""
    a = layer.A
    rows, cols = a.shape

    def too_big(r: int, c: int) -> dict[str, Any]:
        return {"rows": r, "columns": c, "nonzeros": layer.index_map.nnz, "entries": "omitted"}

    value = layer.explicit if layer.full else a.shown()
    value_t = layer.explicit.T if layer.transpose_fits else a.T.shown()
    return (
        Answer("A", sp.Symbol("A"), value, a.json_rows() or too_big(rows, cols)),
        Answer(
            "A_T",
            sp.MatrixSymbol("A", rows, cols).T,
            value_t,
            a.T.json_rows() or too_big(cols, rows),
        ),
    )


def tensor_answer(name: str, label: sp.Expr, result: Product) -> Answer:
    """A numeric result: per channel a row (1-D) or a matrix (2-D); corners only when large.
    A float64 result is shown rounded, as ≈, and written in full to JSON."""
    shape = result.shape

    def matrix(channel: tuple[int, ...]) -> sp.ImmutableMatrix:
        rows, cols = shape[len(channel) :]
        entry = lambda r, c: result.entry((*channel, int(r), int(c)))  # noqa: E731
        if rows * cols <= 16 * 16:
            return sp.ImmutableMatrix(rows, cols, entry)
        return shown_part(entry, rows, cols)

    if len(shape) == 2:
        value: Any = matrix(())
    else:
        count = min(shape[0], SHOWN_CHANNELS)
        channels: list[Any] = [matrix((c,)) for c in range(count - 1)]
        if shape[0] > SHOWN_CHANNELS:
            channels.append(Dots("⋯"))
        channels.append(matrix((shape[0] - 1,)))
        value = sp.Tuple(*channels)
    return Answer(name, label, value, result.json(), approximate=not result.exact)
