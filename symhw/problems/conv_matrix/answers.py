"""The answers of a conv-matrix sheet: A, Aᵀ, the backward kernels, and numeric results."""

from __future__ import annotations

from typing import Any

import numpy as np
import sympy as sp

from symhw.conv.exact import Product
from symhw.conv.symbols import BackwardKernels
from symhw.derivation import Answer
from symhw.notation import Dots, indexed_symbol
from symhw.problems.conv_matrix.corners import corners, shown_kernel, shown_part
from symhw.problems.conv_matrix.layer import ShownLayer

#: A numeric answer shows at most this many channels of a 2-D result (the JSON has all).
SHOWN_CHANNELS = 4


def kernels_answer(layer: ShownLayer) -> Answer:
    """The flipped kernels v^ij, by input channel i then output channel j."""
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
            k = layer.s.flipped_kernel(pair[0], pair[1] % g.out_per_group)
        else:
            k = np.zeros(g.kernel, dtype=int)
        return shown_kernel(k)

    labels = sp.ImmutableMatrix([label(p) for p in pairs])
    if g.dims == 1:
        value: Any = sp.ImmutableMatrix.vstack(*[kernel(p) for p in pairs])
    else:
        value = sp.BlockMatrix([[kernel(p)] for p in pairs])
    return Answer("backward_kernel", labels, value, BackwardKernels(layer.s))


def matrix_answers(layer: ShownLayer) -> tuple[Answer, Answer]:
    """A and Aᵀ: in full when small, else corners (the data: the matrices themselves)."""
    a = layer.A
    rows, cols = a.shape
    value = layer.explicit if layer.full else corners(a)
    value_t = layer.explicit.T if layer.transpose_fits else corners(a.T)
    return (
        Answer("A", sp.Symbol("A"), value, a),
        Answer(
            "A_T",
            sp.MatrixSymbol("A", rows, cols).T,
            value_t,
            a.T,
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
    return Answer(name, label, value, result, approximate=not result.exact)
