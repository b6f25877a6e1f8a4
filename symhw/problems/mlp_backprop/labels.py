"""Names of a network's displayed quantities: x⁽ˡ⁾, s⁽ˡ⁾, δ⁽ˡ⁾, W⁽ˡ⁾, e, θ and θ'."""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from symhw.activations import ACTIVATIONS
from symhw.mlp import DERIVATIVE_FROM_OUTPUT, Network
from symhw.notation import GradientEntry, indexed_symbol, layer_symbol
from symhw.problems.mlp_backprop.nodes import ThetaPrime

s_ = sp.Symbol("s", real=True)


def theta(name: str, arg: sp.Basic) -> sp.Basic:
    """θ(arg) written with the activation's name (applied entrywise to a vector)."""
    return sp.Function(name)(arg)


def activated(name: str, s: sp.Basic, bias: bool) -> sp.Basic:
    """x⁽ˡ⁾ written with s⁽ˡ⁾: [1; θ(s⁽ˡ⁾)] below the output (``bias``), θ(s⁽ᴸ⁾) at it (s⁽ᴸ⁾
    itself for the identity)."""
    if bias:
        return sp.Matrix([1, theta(name, s)])
    return s if name == "identity" else sp.Matrix([theta(name, s)])


def theta_prime(arg: sp.Basic) -> sp.Basic:
    """θ′(arg), as the homework writes the activation's derivative whatever it is."""
    return ThetaPrime(arg)


def derivative_by_output(name: str, x: sp.Expr) -> sp.Expr | None:
    """θ′(s) written with the unit's output x = θ(s) where the activation allows it
    (:data:`symhw.mlp.DERIVATIVE_FROM_OUTPUT`: tanh 1 − x², sigmoid x(1 − x), identity 1);
    None for the others.

    >>> derivative_by_output("tanh", sp.Symbol("x")), derivative_by_output("relu", s_)
    (1 - x**2, None)
    """
    rule = DERIVATIVE_FROM_OUTPUT[name]
    form = None if rule is None else rule(s_, x)
    return None if form is None or s_ in form.free_symbols else form


def derivative_rule(name: str) -> sp.Eq:
    """θ′(s) = its closed form for activation ``name``, for the prose that introduces θ′.

    >>> derivative_rule("tanh")
    Eq(ThetaPrime(s), 1 - tanh(s)**2)
    """
    closed = ACTIVATIONS[name].derivative(s_)
    # ReLU's step, as cases: SymPy writes Heaviside as θ, the activation's own letter
    closed = closed.replace(sp.Heaviside, lambda a, *_: sp.Piecewise((1, a > 0), (0, True)))
    return sp.Eq(ThetaPrime(s_), closed, evaluate=False)


def vector_symbols(letter: str, n: int) -> sp.ImmutableMatrix:
    """x (one entry) or x_1, …, x_n: the names of a symbolic input or target.

    >>> vector_symbols("x", 1).T, vector_symbols("y", 2).T
    (Matrix([[x]]), Matrix([[y_1, y_2]]))
    """
    if n == 1:
        return sp.ImmutableMatrix([sp.Symbol(letter, real=True)])
    return sp.ImmutableMatrix([indexed_symbol(letter, j, real=True) for j in range(1, n + 1)])


@dataclass(frozen=True)
class Labels:
    """Names of the displayed quantities of ``net``; with ``tilde``, those of the hand replay
    (x̃⁽ˡ⁾, s̃⁽ˡ⁾, δ̃⁽ˡ⁾, ẽ)."""

    net: Network
    tilde: bool = False

    def _m(self, letter: str, layer: int | None, rows: int, cols: int = 1) -> sp.MatrixSymbol:
        mark = "tilde" if self.tilde and letter in ("x", "s", "delta", "e") else ""
        name = letter + mark if layer is None else layer_symbol(letter + mark, layer).name
        return sp.MatrixSymbol(name, rows, cols)

    def x(self, layer: int) -> sp.MatrixSymbol:
        """x⁽ˡ⁾, with its bias entry below the output layer."""
        return self._m("x", layer, self.net.widths[layer] + (layer < self.net.depth))

    def s(self, layer: int) -> sp.MatrixSymbol:
        """s⁽ˡ⁾, the pre-activation."""
        return self._m("s", layer, self.net.widths[layer])

    def delta(self, layer: int) -> sp.MatrixSymbol:
        """δ⁽ˡ⁾ = ∂e/∂s⁽ˡ⁾."""
        return self._m("delta", layer, self.net.widths[layer])

    def W(self, layer: int, bar: bool = False) -> sp.MatrixSymbol:
        """W⁽ˡ⁾, or W̄⁽ˡ⁾ (without its bias row) with ``bar``."""
        weights = self.net.weights[layer - 1]
        return self._m("Wbar" if bar else "W", layer, weights.rows - bar, weights.cols)

    def y(self) -> sp.MatrixSymbol:
        """The target y."""
        return self._m("y", None, self.net.widths[-1])

    def e(self) -> sp.Symbol:
        """The loss e (ẽ by hand)."""
        return sp.Symbol("etilde" if self.tilde else "e", real=True)

    def grad(self, layer: int) -> GradientEntry:
        """∂e/∂W⁽ˡ⁾."""
        return GradientEntry(self.e(), self.W(layer))
