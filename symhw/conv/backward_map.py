"""Where the backward convolution puts each weight, compared exactly with where Aᵀ has it.

Both are bilinear in the weights and ∂L/∂Y, so equal (position, weight) triplets prove the
two equal for every value. Aᵀ's triplets come from the index map; the backward
convolution's from its own definition: Z holds ∂L/∂Y spread by the stride and padded
(:meth:`~symhw.conv.windows.Scan.backward`), and is scanned by the flipped kernels with
their channels swapped (:func:`~symhw.conv.flip_kernels`). Only the entries of Z that hold
∂L/∂Y are visited, so a layer whose Z is mostly zeros costs no more than its A.
"""

from __future__ import annotations

import math

import numpy as np

from symhw.conv import ConvGeometry, ConvIndexMap, flip_kernels
from symhw.conv.windows import CHUNK, Scan, counts, pieces, tap_windows
from symhw.errors import VerificationError

#: Up to this many nonzeros, every (position, weight) triplet of Aᵀ is compared at once.
EXACT_LIMIT = 1 << 22


def _flat(slices: tuple[slice, ...], size: tuple[int, ...]) -> np.ndarray:
    ranges = [np.arange(s.start, s.stop, s.step) for s in slices]
    return np.ravel_multi_index(np.ix_(*ranges), size).ravel()


def _source(g: ConvGeometry) -> np.ndarray:
    """Which weight of A each entry of the backward kernels v[i][j][taps] is (flat index)."""
    count = math.prod(g.weight_shape)
    index = np.arange(count, dtype=np.int32 if count < 2**31 else np.int64)
    return flip_kernels(index.reshape(g.weight_shape), g)


def backward_triplets(g: ConvGeometry) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(row of Aᵀ, column of Aᵀ, flat weight index) of each product the backward convolution
    forms with an entry of Z that holds ∂L/∂Y (its other products are with zeros)."""
    m, n = math.prod(g.out_size), math.prod(g.size)
    v = _source(g).reshape(g.in_channels, g.out_per_group, g.taps)
    i = np.repeat(np.arange(g.in_channels), g.out_per_group)  # output channel of ∂L/∂x
    jl = np.tile(np.arange(g.out_per_group), g.in_channels)
    j = i // g.in_per_group * g.out_per_group + jl  # the channel of Z it reads
    parts = []
    for q, outs, stored in tap_windows(Scan.backward(g)):
        u, t = _flat(outs, g.size), _flat(stored, g.out_size)
        rows = (i[:, None] * n + u[None, :]).ravel()
        cols = (j[:, None] * m + t[None, :]).ravel()
        parts.append((rows, cols, np.repeat(v[i, jl, q], len(u))))
    empty = np.zeros(0, dtype=np.int64)
    return tuple(np.concatenate([empty, *(p[k] for p in parts)]) for k in range(3))  # type: ignore[return-value]


def _all_triplets_match(index_map: ConvIndexMap) -> bool:
    g = index_map.geometry
    rows, cols, weight = index_map.triplets(transpose=True)
    b_rows, b_cols, b_weight = backward_triplets(g)
    m = g.out_channels * math.prod(g.out_size)
    key = rows.astype(np.int64) * m + cols
    b_key = b_rows * m + b_cols
    order, b_order = np.argsort(key, kind="stable"), np.argsort(b_key, kind="stable")
    return np.array_equal(key[order], b_key[b_order]) and np.array_equal(
        weight[order], b_weight[b_order]
    )


def _blocks_match(index_map: ConvIndexMap) -> bool:
    """One channel block tap by tap (every pair of channels has the same pattern), then
    which weight of A each flipped, channel-swapped kernel entry is, for every pair."""
    g = index_map.geometry
    forward = index_map.tap_pairs
    flipped = np.arange(g.taps).reshape(g.kernel)[(slice(None, None, -1),) * g.dims].ravel()
    seen = set()
    for q, outs, stored in tap_windows(Scan.backward(g)):
        t, u = forward[flipped[q]]
        seen.add(int(flipped[q]))
        if len(t) != math.prod(counts(outs)):
            return False
        start = 0
        for o, st in pieces(outs, stored, 1):  # a piece at a time: no block-sized arrays
            end = start + math.prod(counts(o))
            if not (
                np.array_equal(u[start:end], _flat(o, g.size))
                and np.array_equal(t[start:end], _flat(st, g.out_size))
            ):
                return False
            start = end
    if any(len(forward[q][0]) and q not in seen for q in range(g.taps)):
        return False
    source = _source(g).reshape(g.in_channels, g.out_per_group, g.taps)
    step = max(1, CHUNK // (g.out_per_group * g.taps))  # input channels at a time
    jl = np.arange(g.out_per_group)[None, :, None]
    for first in range(0, g.in_channels, step):
        i = np.arange(first, min(g.in_channels, first + step))[:, None, None]
        j = i // g.in_per_group * g.out_per_group + jl
        pair = j * g.in_per_group + i % g.in_per_group  # channel pair (j, i) of A, its order
        if not np.array_equal(source[i[:, 0, 0]], pair * g.taps + flipped[None, None, :]):
            return False
    return True


def backward_map_matches(index_map: ConvIndexMap) -> str:
    """Compare where the backward convolution and Aᵀ put each weight; say what was compared.

    Raises VerificationError if they differ.

    >>> from symhw.conv import conv_geometry
    >>> backward_map_matches(ConvIndexMap(conv_geometry(2, 2, 4, 3)))
    '24 (position, weight) pairs compared exactly'
    """
    g = index_map.geometry
    if index_map.nnz <= EXACT_LIMIT:
        same, what = _all_triplets_match(index_map), f"{index_map.nnz} (position, weight) pairs"
    else:
        same = _blocks_match(index_map)
        what = (
            f"the {index_map.block_nnz:,} positions of one channel block tap by tap (every "
            f"pair of channels shares them) and the {math.prod(g.weight_shape):,} weights of "
            "the flipped, channel-swapped kernels"
        )
    if not same:
        raise VerificationError("the backward convolution does not place the weights as Aᵀ does")
    return f"{what} compared exactly"
