"""Numbers through symhw's structured operator vs torch: y = A x and grad_x = Aᵀ g.

symhw applies A in convolution form (one GEMM over the windows each tap reads) and Aᵀ by
adding each tap's share back onto its window; torch runs conv1d and conv_transpose1d. Both
run here, on the same float64 data, in alternating blocks; each figure is the best call.
The scattered sparse product (the matrix itself, via np.bincount) is shown for scale.

    python benchmarks/bench_conv_numeric.py [--repeat 30] [--threads N]

Target: both within 3× of torch at (C_in, C_out, L, K) = (64, 64, 1024, 3).
"""

from __future__ import annotations

import argparse

import numpy as np
import timing
import torch
import torch.nn.functional as F

from symhw.conv import (
    ConvIndexMap,
    backward_as_convolution,
    conv_geometry,
    correlate,
    correlate_transpose,
)

SHAPE = (64, 64, 1024, 3)
PADDING = 1
TARGET_RATIO = 3.0


def best(f, repeat: int, warmup: float = 0.3) -> float:
    """The fastest of ``repeat`` calls, after ``warmup`` seconds of calls (threads, caches)."""
    return timing.best(f, repeat, warmup=warmup)


def best_pair(ours, theirs, repeat: int, rounds: int = 3) -> tuple[float, float]:
    """Alternate blocks of the two, ``rounds`` times: this machine's load comes and goes."""
    pairs = [(best(ours, repeat), best(theirs, repeat)) for _ in range(rounds)]
    return min(p[0] for p in pairs), min(p[1] for p in pairs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--threads", type=int, default=None, help="torch threads (default: all)")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    cin, cout, length, kernel = SHAPE
    g = conv_geometry(cin, cout, length, kernel, padding=PADDING)
    rng = np.random.default_rng(0)
    w = rng.standard_normal(g.weight_shape)
    x = rng.standard_normal((cin, length))
    gy = rng.standard_normal((cout, *g.out_size))
    wt, xt, gt = (torch.tensor(a) for a in (w, x[None], gy[None]))

    y_torch = F.conv1d(xt, wt, padding=PADDING)[0].numpy()
    gx_torch = F.conv_transpose1d(gt, wt, padding=PADDING)[0].numpy()
    assert np.allclose(correlate(w, x, g), y_torch, atol=1e-10)
    assert np.allclose(correlate_transpose(w, gy, g), gx_torch, atol=1e-10)

    index_map = ConvIndexMap(g)
    triplets = index_map.triplets()
    rows, cols, weight = triplets

    def scattered(v, transpose=False):
        r, c = (cols, rows) if transpose else (rows, cols)
        n = g.matrix_shape[1 if transpose else 0]
        return np.bincount(r, weights=w.reshape(-1)[weight] * v.reshape(-1)[c], minlength=n)

    cases = [
        (
            "y = A x",
            lambda: correlate(w, x, g),
            lambda: F.conv1d(xt, wt, padding=PADDING),
            lambda: scattered(x),
        ),
        (
            "grad_x = Aᵀ g",
            lambda: correlate_transpose(w, gy, g),
            lambda: F.conv_transpose1d(gt, wt, padding=PADDING),
            lambda: scattered(gy, transpose=True),
        ),
        (
            "grad_x as flipped conv",
            lambda: backward_as_convolution(w, gy, g),
            lambda: F.conv_transpose1d(gt, wt, padding=PADDING),
            None,
        ),
    ]
    print(
        f"(C_in, C_out, L, K) = {SHAPE}, padding {PADDING}, float64, "
        f"{index_map.nnz:,d} nonzeros in A; torch threads {torch.get_num_threads()}"
    )
    print(f"{'':>24} {'symhw':>10} {'torch':>10} {'ratio':>7} {'scattered A':>12}")
    worst = 0.0
    with torch.no_grad():
        for name, ours, theirs, sparse in cases:
            t_ours, t_theirs = best_pair(ours, theirs, args.repeat)
            ratio = t_ours / t_theirs
            worst = max(worst, ratio) if name != "grad_x as flipped conv" else worst
            t_sparse = f"{best(sparse, 3, 0) * 1e3:9.2f} ms" if sparse else ""
            print(
                f"{name:>24} {t_ours * 1e3:7.2f} ms {t_theirs * 1e3:7.2f} ms {ratio:6.2f}× "
                f"{t_sparse:>12}"
            )
    verdict = "met" if worst <= TARGET_RATIO else "MISSED"
    print(f"target: y and grad_x within {TARGET_RATIO:g}× of torch: worst {worst:.2f}× ({verdict})")


if __name__ == "__main__":
    main()
