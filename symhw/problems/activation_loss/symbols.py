"""The notation of the activation-loss problem: E_in(w) = 1/N Σ ℓ(θ(wᵀx_n), y_n)."""

from __future__ import annotations

import sympy as sp

from symhw.lowering import Instance
from symhw.notation import Vec

N = sp.Symbol("N", integer=True, positive=True)
n = sp.Symbol("n", integer=True, positive=True)
s = sp.Symbol("s", real=True)
w = Vec(sp.Symbol("w"))
x_n = Vec(sp.Symbol("x"), n)
y = sp.IndexedBase("y", real=True)
y_n = y[n]
Y = sp.Symbol("y", real=True)  # y_n where a scalar function of (s, y) is meant
E_in = sp.Function("E_in")(w)
t = sp.Symbol("t", positive=True)
w0 = Vec(sp.Symbol("w_0"))

#: Where vector-notation steps are checked: three samples, vectors of length two.
INSTANCE = Instance({N: 3}, dim=2)
