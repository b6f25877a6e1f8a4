"""Names of a network's displayed quantities: x⁽ˡ⁾, s⁽ˡ⁾, δ⁽ˡ⁾, W⁽ˡ⁾, e, θ and θ'."""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from symhw.activations import ACTIVATIONS
from symhw.mlp import Network
from symhw.notation import GradientEntry

s_ = sp.Symbol("s", real=True)


def theta(name: str, arg: sp.Basic) -> sp.Basic:
    """θ(arg) written with the activation's name (applied entrywise to a vector)."""
    return sp.Function(name)(arg)


def theta_prime(name: str, arg: sp.Basic) -> sp.Basic:
    """θ'(arg), written with the activation's name."""
    f = ACTIVATIONS[name].function(s_) if name != "identity" else sp.Function("identity")(s_)
    return sp.Subs(sp.Derivative(f, s_), s_, arg)


def vector_symbols(letter: str, n: int) -> sp.ImmutableMatrix:
    """x (one entry) or x_1, …, x_n: the names of a symbolic input or target."""
    if n == 1:
        return sp.ImmutableMatrix([sp.Symbol(letter, real=True)])
    return sp.ImmutableMatrix(sp.symbols(f"{letter}_1:{n + 1}", real=True))


@dataclass(frozen=True)
class Labels:
    """Names of the displayed quantities; ``tilde`` for the hand replay."""

    net: Network
    tilde: bool = False

    def _m(self, letter: str, layer: int | None, rows: int, cols: int = 1) -> sp.MatrixSymbol:
        mark = "tilde" if self.tilde and letter in ("x", "s", "delta", "e") else ""
        sup = "" if layer is None else f"^({layer})"
        return sp.MatrixSymbol(f"{letter}{mark}{sup}", rows, cols)

    def x(self, layer: int) -> sp.MatrixSymbol:
        w = self.net.widths
        return self._m("x", layer, w[layer] + (layer < self.net.depth))

    def s(self, layer: int) -> sp.MatrixSymbol:
        return self._m("s", layer, self.net.widths[layer])

    def delta(self, layer: int) -> sp.MatrixSymbol:
        return self._m("delta", layer, self.net.widths[layer])

    def W(self, layer: int, bar: bool = False) -> sp.MatrixSymbol:
        w = self.net.weights[layer - 1]
        return self._m("Wbar" if bar else "W", layer, w.rows - bar, w.cols)

    def y(self) -> sp.MatrixSymbol:
        return self._m("y", None, self.net.widths[-1])

    def e(self) -> sp.Symbol:
        return sp.Symbol("etilde" if self.tilde else "e", real=True)

    def grad(self, layer: int) -> GradientEntry:
        return GradientEntry(self.e(), self.W(layer))
