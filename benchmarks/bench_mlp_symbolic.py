"""Benchmark: symbolic gradients of a tanh network, reverse mode against direct ``sympy.diff``.

    python benchmarks/bench_mlp_symbolic.py                      # as in the issue (minutes)
    python benchmarks/bench_mlp_symbolic.py --direct-cutoff 5    # a quick look

For a fully connected tanh network of width 4 (4 inputs, 4 units a layer, symbolic weights,
inputs and targets), at each depth L:

* reverse: ``gradient_program`` — the backward recursion with an intermediate symbol for
  every s and δ (a straight-line program); its operation count and build time, and the time
  to lambdify it (with ``sympy.cse(order="none")``);
* direct: ``sympy.diff`` of the composed loss e(W) by every weight, run for growing depth
  until one depth takes longer than ``--direct-cutoff`` seconds (default 60, as in the issue).

The deepest program is evaluated at random numbers and compared with torch autograd.
Targets: reverse ≥ 100× faster than direct at depth 5, depth 64 in about a second
(``--check`` makes a missed target exit with status 2; a wrong gradient exits with status 1).
A target whose depth was not run (the direct baseline stopped earlier, or ``--max-depth``) is
reported as not measured, never as met.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np
import sympy as sp

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir))

from symhw.mlp import Network, composed_loss, symbolic_weights
from symhw.mlp.numeric import gradient_program, lambdify_program

WIDTH = 4
DEPTHS = (1, 2, 3, 4, 5, 6, 8, 12, 16, 24, 32, 48, 64)


def tanh_network(depth: int) -> tuple[Network, sp.ImmutableMatrix, sp.ImmutableMatrix]:
    net = Network(symbolic_weights((WIDTH,) * (depth + 1)), ("tanh",) * depth)
    x = sp.ImmutableMatrix(sp.symbols(f"x_1:{WIDTH + 1}", real=True))
    y = sp.ImmutableMatrix(sp.symbols(f"y_1:{WIDTH + 1}", real=True))
    return net, x, y


def reverse(depth: int) -> tuple[float, float, int, object]:
    """(build seconds, lambdify seconds, operations, NumPy function) of the reverse program."""
    net, x, y = tanh_network(depth)
    start = time.perf_counter()
    program = gradient_program(net, x, y)
    built = time.perf_counter() - start
    args = [w for m in net.weights for w in m] + list(x) + list(y)
    start = time.perf_counter()
    f = lambdify_program(program, args)
    return built, time.perf_counter() - start, program.operations(), f


def direct(depth: int, count: bool) -> tuple[float, int | None]:
    """(seconds, operations) of differentiating the composed loss by every weight."""
    net, x, y = tanh_network(depth)
    start = time.perf_counter()
    e = composed_loss(net, x, y)
    grads = [sp.diff(e, w) for m in net.weights for w in m]
    seconds = time.perf_counter() - start
    return seconds, int(sum(sp.count_ops(g) for g in grads)) if count else None


def torch_gradient(weights: list[np.ndarray], x: np.ndarray, y: np.ndarray) -> np.ndarray:
    import torch

    ws = [torch.tensor(w, requires_grad=True) for w in weights]
    one = torch.ones(1, dtype=torch.float64)
    h = torch.cat([one, torch.tensor(x)])
    for k, w in enumerate(ws):
        out = torch.tanh(w.T @ h)
        h = out if k == len(ws) - 1 else torch.cat([one, out])
    e = ((h - torch.tensor(y)) ** 2).sum()
    e.backward()
    return np.concatenate([[e.item()], *[w.grad.numpy().ravel() for w in ws]])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-depth", type=int, default=64)
    parser.add_argument("--direct-cutoff", type=float, default=60.0, help="seconds")
    parser.add_argument("--count-ops-up-to", type=int, default=4, help="direct depths to size")
    parser.add_argument("--check", action="store_true", help="exit 2 if a target is missed")
    args = parser.parse_args()

    print(f"tanh network, width {WIDTH}: symbolic gradient of e by every weight")
    print(f"{'depth':>5} {'ops':>8} {'build s':>9} {'lambdify s':>11} {'direct s':>10} "
          f"{'direct ops':>11} {'ratio':>8}")  # fmt: skip
    times: dict[int, tuple[float, float | None]] = {}
    direct_on = True
    f = None
    for depth in (d for d in DEPTHS if d <= args.max_depth):
        built, lam, ops, f = reverse(depth)
        d_time, d_ops = (None, None)
        if direct_on:
            d_time, d_ops = direct(depth, count=depth <= args.count_ops_up_to)
            direct_on = d_time <= args.direct_cutoff
        times[depth] = (built, d_time)
        ratio = f"{d_time / built:8.0f}" if d_time else f"{'':>8}"
        print(
            f"{depth:5d} {ops:8d} {built:9.3f} {lam:11.3f} "
            f"{'' if d_time is None else f'{d_time:10.2f}':>10} "
            f"{'' if d_ops is None else d_ops:>11} {ratio}"
        )
    deepest = max(times)
    rng = np.random.default_rng(0)
    weights = [0.5 * rng.standard_normal((WIDTH + 1, WIDTH)) for _ in range(deepest)]
    x, y = rng.standard_normal(WIDTH), rng.standard_normal(WIDTH)
    ours = np.array(f(*[w for m in weights for w in m.ravel()], *x, *y), dtype=float)
    err = float(np.max(np.abs(ours - torch_gradient(weights, x, y))))
    print(f"depth {deepest}: lambdified program against torch autograd: max |difference| {err:.1e}")
    if err > 1e-10:
        return 1
    report, missed = [], False
    if 5 in times and times[5][1] is not None:
        ratio = times[5][1] / times[5][0]
        missed |= ratio < 100
        report.append(f"depth 5 ratio {ratio:.0f} {'<' if ratio < 100 else '>='} 100")
    else:
        reached = max((d for d, (_, t) in times.items() if t is not None), default=0)
        report.append(f"depth 5 not measured (direct stopped after depth {reached})")
    if 64 in times:
        missed |= times[64][0] > 1.5
        report.append(f"depth 64 built in {times[64][0]:.2f} s (target about 1 s, at most 1.5)")
    else:
        report.append("depth 64 not measured (--max-depth)")
    print("targets: " + "; ".join(report) + (" — MISSED" if missed else ""))
    return 2 if missed and args.check else 0


if __name__ == "__main__":
    raise SystemExit(main())
