"""Numbers from fully connected networks: straight-line gradient programs, lambdified, batched."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import sympy as sp

from symhw import numeric
from symhw.activations import ACTIVATIONS
from symhw.mlp import Named, Network, backprop
from symhw.verify import expand_functions


@dataclass(frozen=True)
class GradientProgram:
    """Reverse mode with intermediate symbols: ``definitions`` computed in order, then
    ``gradients`` (one matrix per layer) and the loss ``e``, both written with those names."""

    definitions: tuple[tuple[sp.Symbol, sp.Expr], ...]
    gradients: tuple[sp.ImmutableMatrix, ...]
    e: sp.Expr

    def operations(self) -> int:
        """Operations in the whole program (definitions, gradients and loss)."""
        exprs = [v for _, v in self.definitions] + [g for m in self.gradients for g in m]
        return int(sum(sp.count_ops(v) for v in [*exprs, self.e]))


def gradient_program(net: Network, x: sp.ImmutableMatrix, y: sp.ImmutableMatrix) -> GradientProgram:
    """The gradient of e at one data point as a straight-line program (size linear in depth).

    >>> from symhw.mlp import symbolic_weights
    >>> net = Network(symbolic_weights((1, 1)), ("tanh",))
    >>> p = gradient_program(net, sp.ImmutableMatrix([2]), sp.ImmutableMatrix([1]))
    >>> p.definitions[0]
    (s^(1)_1, w^(1)_01 + 2*w^(1)_11)
    """
    carry = Named(always=True)
    trace = backprop(net, x, y, carry)
    return GradientProgram(tuple(carry.definitions), trace.grads, trace.e)


def lambdify_program(
    program: GradientProgram, args: Sequence[sp.Symbol], *, eliminate_common: bool = True
) -> Callable:
    """A NumPy function ``f(*args) -> (e, [∂e/∂W⁽¹⁾ entries…], …)`` evaluating the program in order.

    The outputs are e followed by the entries of every gradient matrix, row by row. With
    ``eliminate_common``, ``sympy.cse(order="none")`` also shares what the program repeats
    (its default ordering is exponential on these graphs).
    """
    safe = {a: sp.Symbol(f"a{i}", real=True) for i, a in enumerate(args)}
    safe.update(
        {name: sp.Symbol(f"v{i}", real=True) for i, (name, _) in enumerate(program.definitions)}
    )
    steps = [(safe[n], v.xreplace(safe)) for n, v in program.definitions]
    outputs = [program.e.xreplace(safe)] + [g.xreplace(safe) for m in program.gradients for g in m]
    if eliminate_common:
        shared, reduced = sp.cse(
            [v for _, v in steps] + outputs, symbols=sp.numbered_symbols("c"), order="none"
        )
        names = [n for n, _ in steps]
        steps = _merge(shared, list(zip(names, reduced[: len(steps)], strict=True)))
        outputs = reduced[len(steps) - len(shared) :]
    return sp.lambdify(
        [safe[a] for a in args],
        outputs,
        modules=numeric.MODULES,
        cse=lambda exprs: (steps, exprs),
    )


def _merge(shared, steps):
    """Order cse's shared subexpressions and the program's steps so each follows its inputs."""
    items = list(steps) + list(shared)
    names = {n: i for i, (n, _) in enumerate(items)}
    waiting = [[names[s] for s in v.free_symbols if s in names] for _, v in items]
    users: list[list[int]] = [[] for _ in items]
    for i, deps in enumerate(waiting):
        for d in deps:
            users[d].append(i)
    count = [len(deps) for deps in waiting]
    ready = [i for i, c in enumerate(count) if c == 0]
    order = []
    while ready:
        i = ready.pop()
        order.append(items[i])
        for u in users[i]:
            count[u] -= 1
            if count[u] == 0:
                ready.append(u)
    if len(order) != len(items):
        raise ValueError("the program refers to a name it never defines")
    return order


def batch_gradient(net: Network) -> Callable[..., tuple]:
    """The averaged loss and gradient over a batch, as NumPy matrix products.

    θ and θ' of every layer are lambdified from SymPy (θ' by ``sympy.diff``); the backward
    pass is the seed's recursion on whole batches: S⁽ˡ⁾ = X⁽ˡ⁻¹⁾W⁽ˡ⁾, Δ⁽ˡ⁾ = θ'(S⁽ˡ⁾) ⊙
    (Δ⁽ˡ⁺¹⁾ W̄⁽ˡ⁺¹⁾ᵀ), ∂e/∂W⁽ˡ⁾ = X⁽ˡ⁻¹⁾ᵀ Δ⁽ˡ⁾ / N. ``X`` is N × d⁽⁰⁾, ``Y`` N × d⁽ᴸ⁾;
    ``weights`` (float arrays of the same shapes) replaces the network's own.

    >>> net = Network((sp.ImmutableMatrix([0, 2]),), ("identity",))
    >>> e, grads = batch_gradient(net)(np.array([[3.0]]), np.array([[1.0]]))
    >>> float(e), grads[0].ravel().tolist()
    (25.0, [10.0, 30.0])
    """
    weights = [np.array(w.tolist(), dtype=float) for w in net.weights]
    s = sp.Symbol("s", real=True)
    thetas, primes = [], []
    for name in net.activations:
        f = ACTIVATIONS[name].function(s)
        thetas.append(numeric.lambdify((s,), f))
        primes.append(numeric.lambdify((s,), sp.diff(f, s)))

    def gradient(X: np.ndarray, Y: np.ndarray, weights=weights) -> tuple[float, list[np.ndarray]]:
        n = X.shape[0]
        ones = np.ones((n, 1))
        xs, ss = [np.hstack([ones, X])], []
        for layer, w in enumerate(weights):
            S = xs[-1] @ w
            ss.append(S)
            out = np.broadcast_to(thetas[layer](S), S.shape)
            xs.append(out if layer == len(weights) - 1 else np.hstack([ones, out]))
        residual = xs[-1] - Y
        e = float(np.sum(residual**2) / n)
        back = 2.0 * residual
        grads = [None] * len(weights)
        for layer in range(len(weights) - 1, -1, -1):
            delta = primes[layer](ss[layer]) * back
            grads[layer] = xs[layer].T @ delta / n
            back = delta @ weights[layer][1:, :].T
        return e, grads

    return gradient


def evaluate_names(
    definitions: Sequence[tuple[sp.Symbol, sp.Expr]],
    point: dict[sp.Symbol, sp.Expr] | None = None,
    digits: int = 30,
) -> dict[sp.Symbol, sp.Float]:
    """The value of every name to ``digits`` digits, computed in program order (linear cost).

    >>> x = sp.Symbol("x")
    >>> a, b = sp.symbols("a b")
    >>> vals = evaluate_names([(a, x + 1), (b, 2 * a)], {x: 1})
    >>> float(vals[b])
    4.0
    """
    values: dict[sp.Symbol, sp.Expr] = dict(point or {})
    for name, expr in definitions:
        values[name] = sp.N(expand_functions(expr.xreplace(values)), digits)
    return values
