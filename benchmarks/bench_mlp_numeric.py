"""Benchmark: the lambdified gradient of a numeric network on a batch, against torch autograd.

    python benchmarks/bench_mlp_numeric.py                   # N = 10**5, widths 4-8-8-1
    python benchmarks/bench_mlp_numeric.py --n 10000 --widths 1 2 1 1

Same float64 data and weights, best of ``--repeat`` runs each, loss averaged over the batch:

* symhw batch: ``batch_gradient(net)`` — θ and θ' lambdified from SymPy, the seed's backward
  recursion on whole batches with NumPy matrix products;
* symhw program: the reverse-mode straight-line program of one data point
  (``gradient_program``, lambdified) evaluated entry by entry on the whole batch;
* torch: autograd of the same network on the CPU (forward + backward).

Target: the faster of the two symhw gradients within 2× of torch (``--check`` makes a missed
target exit with status 2; a gradient that disagrees with torch always exits with status 1).
"""

from __future__ import annotations

import argparse
import itertools
import os
import sys

import numpy as np
import sympy as sp

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir))

from timing import best

from symhw.mlp import Network
from symhw.mlp.numeric import batch_gradient, gradient_program, lambdify_program

TARGET = 2.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--widths", type=int, nargs="+", default=[4, 8, 8, 1])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()

    import torch

    torch.set_num_threads(os.cpu_count() or 1)
    rng = np.random.default_rng(0)
    widths = args.widths
    depth = len(widths) - 1
    weights = [np.round(rng.uniform(-1, 1, (a + 1, b)), 2) for a, b in itertools.pairwise(widths)]
    acts = ("tanh",) * (depth - 1) + ("identity",)
    net = Network(
        tuple(sp.ImmutableMatrix([[sp.Rational(str(v)) for v in r] for r in w]) for w in weights),
        acts,
    )
    X = rng.standard_normal((args.n, widths[0]))
    Y = rng.standard_normal((args.n, widths[-1]))

    batch = batch_gradient(net)
    xs = sp.ImmutableMatrix(sp.symbols(f"x_1:{widths[0] + 1}", real=True))
    ys = sp.ImmutableMatrix(sp.symbols(f"y_1:{widths[-1] + 1}", real=True))
    program = lambdify_program(gradient_program(net, xs, ys), [*xs, *ys])

    def by_program():
        out = program(*X.T, *Y.T)
        return [np.mean(np.broadcast_to(v, (args.n,))) for v in out]

    ws = [torch.tensor(w, requires_grad=True) for w in weights]
    Xt, Yt = torch.tensor(X), torch.tensor(Y)

    def by_torch():
        for w in ws:
            w.grad = None
        h = torch.cat([torch.ones(args.n, 1, dtype=torch.float64), Xt], dim=1)
        for k, w in enumerate(ws):
            s = h @ w
            out = torch.tanh(s) if k < depth - 1 else s
            h = (
                out
                if k == depth - 1
                else torch.cat([torch.ones(args.n, 1, dtype=torch.float64), out], 1)
            )
        e = ((h - Yt) ** 2).sum(dim=1).mean()
        e.backward()
        return e.item(), [w.grad.numpy().copy() for w in ws]

    e_ref, g_ref = by_torch()
    e_ours, g_ours = batch(X, Y)
    flat_ref = np.concatenate([[e_ref], *[g.ravel() for g in g_ref]])
    flat_batch = np.concatenate([[e_ours], *[g.ravel() for g in g_ours]])
    flat_prog = np.array(by_program())
    err_batch = float(np.max(np.abs(flat_batch - flat_ref)))
    err_prog = float(np.max(np.abs(flat_prog - flat_ref)))

    times = {
        "symhw batch (NumPy, lambdified θ, θ')": best(lambda: batch(X, Y), args.repeat),
        "symhw program (lambdified, per entry)": best(by_program, args.repeat),
        "torch autograd (CPU)": best(by_torch, args.repeat),
    }
    base = times["torch autograd (CPU)"]
    print(f"network {'-'.join(map(str, widths))} ({', '.join(acts)}), batch N = {args.n}, float64")
    for name, t in times.items():
        print(f"  {name:40s} {t * 1e3:9.2f} ms   {t / base:5.2f}x torch")
    print(f"  max |difference| from torch: batch {err_batch:.1e}, program {err_prog:.1e}")
    if max(err_batch, err_prog) > 1e-9:
        return 1
    ratio = min(t for name, t in times.items() if name.startswith("symhw")) / base
    met = ratio <= TARGET
    verdict = "met" if met else "MISSED"
    print(f"target: the faster symhw gradient within {TARGET}x of torch: {verdict} ({ratio:.2f}x)")
    return 2 if args.check and not met else 0


if __name__ == "__main__":
    raise SystemExit(main())
