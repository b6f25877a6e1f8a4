"""Building the symbolic A (and Aᵀ) of a 1-D convolution: symhw's index map vs a naive SymPy Matrix.

The naive baseline fills a SymPy Matrix entry by entry (the weight symbol or 0), as one would
by hand. symhw builds the weight symbols, the per-tap index map and every (row, column,
weight) triplet of A with NumPy; Aᵀ is the same triplets with rows and columns exchanged.
Both run here, in the same process; the naive build is skipped where its estimated time
(from its measured cost per entry) passes ``--naive-cutoff`` seconds.

    python benchmarks/bench_conv_build.py [--naive-cutoff 60]

Target: the structured build at (C, L, K) = (64, 1024, 3) in under 0.2 s.
"""

from __future__ import annotations

import argparse
import math

import sympy as sp
from sympy.core.cache import clear_cache
from timing import best

from symhw.conv import ConvIndexMap, conv_geometry
from symhw.conv.symbols import ConvSymbols, SymbolicConvMatrix

SHAPES = [(2, 4, 3), (4, 16, 3), (8, 32, 3), (8, 64, 3), (16, 128, 3), (32, 256, 3), (64, 1024, 3)]
TARGET_SHAPE, TARGET_SECONDS = (64, 1024, 3), 0.2


def naive(channels: int, length: int, kernel: int) -> sp.Matrix:
    """A filled entry by entry: A[(j, t), (i, u)] = w_{u-t+1}^{ij} where 0 <= u - t < K."""
    out_len = length - kernel + 1
    sep = "," if channels > 9 else ""  # the names symhw uses: w_{1}^{12}, w_{1}^{1,12}
    w = [
        [
            [sp.Symbol(f"w_{{{k + 1}}}^{{{i + 1}{sep}{j + 1}}}") for k in range(kernel)]
            for i in range(channels)
        ]
        for j in range(channels)
    ]
    a = sp.zeros(channels * out_len, channels * length)
    for r in range(a.rows):
        j, t = divmod(r, out_len)
        for c in range(a.cols):
            i, u = divmod(c, length)
            a[r, c] = w[j][i][u - t] if 0 <= u - t < kernel else 0
    return a


def structured(channels: int, length: int, kernel: int):
    """The weight symbols, the index map and the triplets of A (Aᵀ: the same, swapped)."""
    g = conv_geometry(channels, channels, length, kernel)
    index_map = ConvIndexMap(g)
    symbols = ConvSymbols(g).weights()
    rows, cols, weight = index_map.triplets()
    transpose = (cols, rows, weight)
    return index_map, symbols, (rows, cols, weight), transpose


def best_of(f, repeat: int) -> float:
    """The fastest of ``repeat`` runs, each with SymPy's cache (symbols included) emptied."""
    return best(f, repeat, before=clear_cache)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--naive-cutoff",
        type=float,
        default=60.0,
        help="skip the naive build where its estimated time passes this many seconds",
    )
    args = parser.parse_args()
    check = SymbolicConvMatrix(ConvIndexMap(conv_geometry(2, 2, 6, 3))).explicit()
    assert check == naive(2, 6, 3), "the two builds disagree"

    print(
        f"{'(C, L, K)':>15} {'entries':>12} {'nonzeros':>10} {'symhw':>10} {'naive':>12} "
        f"{'ratio':>8}"
    )
    per_entry = None
    for c, n, k in SHAPES:
        rows, cols = c * (n - k + 1), c * n
        entries = rows * cols
        t_fast = best_of(lambda c=c, n=n, k=k: structured(c, n, k), 3)
        nnz = ConvIndexMap(conv_geometry(c, c, n, k)).nnz
        estimate = None if per_entry is None else per_entry * entries
        if estimate is None or estimate <= args.naive_cutoff:
            t_naive = best_of(lambda c=c, n=n, k=k: naive(c, n, k), 1)
            per_entry = t_naive / entries
            naive_text, ratio = f"{t_naive:10.3f} s", f"{t_naive / t_fast:7.0f}×"
        else:
            naive_text, ratio = f"~{estimate:8.0f} s*", f"~{estimate / t_fast:6.0f}×"
        print(
            f"{(c, n, k)!s:>15} {entries:12,d} {nnz:10,d} {t_fast:8.4f} s {naive_text:>12} "
            f"{ratio:>8}"
        )
    if per_entry is not None:
        print(
            f"* estimated from the naive build's measured {per_entry * 1e6:.1f} µs per entry "
            f"(over the --naive-cutoff of {args.naive_cutoff:g} s)"
        )
    t = best_of(lambda: structured(*TARGET_SHAPE), 5)
    compact = best_of(lambda: ConvIndexMap(conv_geometry(64, 64, 1024, 3)).tap_pairs, 5)
    verdict = "met" if t < TARGET_SECONDS else "MISSED"
    print(
        f"target {TARGET_SHAPE}: structured A and Aᵀ (symbols + all "
        f"{math.prod((64, 64, 3 * 1022)):,d} triplets) in {t:.3f} s "
        f"(< {TARGET_SECONDS} s: {verdict}); the per-tap index map alone: {compact * 1e3:.2f} ms"
    )


if __name__ == "__main__":
    main()
