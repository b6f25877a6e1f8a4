"""The values a network's sheet shows: both passes at every point, exact and to 30 digits."""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from symhw.mlp import Named, Network, Trace, average, backprop, full_values
from symhw.mlp.numeric import evaluate_names
from symhw.verify import expand_functions


@dataclass(frozen=True)
class Worked:
    """Everything computed for the sheet: the named traces, exact and 30-digit values."""

    net: Network
    points: tuple[tuple[sp.ImmutableMatrix, sp.ImmutableMatrix], ...]
    traces: tuple[Trace, ...]
    definitions: tuple[tuple[sp.Symbol, sp.Expr], ...]
    grads: tuple[sp.ImmutableMatrix, ...]
    e: sp.Expr
    floats: dict
    exact_names: dict

    def exact(self, expr):
        """``expr`` with every name replaced by its exact value (left unevaluated)."""
        with sp.evaluate(False):
            return expr.xreplace(self.exact_names)

    def approx(self, expr) -> sp.Expr:
        return sp.N(expand_functions(sp.sympify(expr, strict=True).xreplace(self.floats)), 30)


def work(net: Network, points, *, symbolic: bool, at: dict | None = None) -> Worked:
    """Both passes at every point, with named intermediates; values to 30 digits."""
    carry = Named(always=symbolic)
    several = len(points) > 1
    traces = tuple(
        backprop(net, x, y, carry, n if several else None) for n, (x, y) in enumerate(points, 1)
    )
    grads = tuple(average([t.grads[k] for t in traces]) for k in range(net.depth))
    e = sum((t.e for t in traces), sp.Integer(0)) / len(traces)
    exact = full_values(carry.definitions)
    floats = evaluate_names(carry.definitions, at)
    return Worked(net, tuple(points), traces, tuple(carry.definitions), grads, e, floats, exact)
