"""∇E_in by linearity and the chain rule, down to the seed's closed form."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import sympy as sp

from symhw.activations import ACTIVATIONS, Activation
from symhw.builder import DerivationBuilder
from symhw.derivation import Derivation
from symhw.losses import LOSSES
from symhw.notation import Grad, Inner, written
from symhw.problems.activation_loss.symbols import INSTANCE, E_in, N, Y, n, s, w, x_n, y_n


def _unevaluated(*factors: sp.Expr) -> sp.Expr:
    """A product kept in the order written, with the 1s a person would not write dropped."""
    return written(*(f for f in factors if f != 1))


def risk_expression(act: Activation, loss_name: str) -> sp.Expr:
    """E_in(w) = (1/N) Σ_n ℓ(θ(wᵀx_n), y_n), written as on the sheet."""
    term = LOSSES[loss_name].function(act(Inner(w, x_n)), y_n)
    return _unevaluated(1 / N, sp.Sum(term, (n, 1, N)))


def theta_prime_at(act: Activation, u: sp.Expr) -> sp.Expr:
    """θ'(u) as an unevaluated derivative at u (displayed as θ'(u))."""
    return sp.Subs(sp.Derivative(act(s), s), s, u)


@dataclass(frozen=True)
class GradientForm:
    """The derived gradient: ∇E_in = (1/N) Σ_n factor(wᵀx_n, y_n) x_n, shown with prefactor."""

    prefactor: sp.Expr
    factor: sp.Expr  # the whole per-sample factor, a function of s = wᵀx_n and Y = y_n
    factor_shown: sp.Expr  # the same, with its factors in the order of the derivation
    expression: sp.Expr


def gradient_derivation(act: Activation, loss_name: str) -> tuple[Derivation, GradientForm]:
    """∇E_in by linearity and the chain rule, ending in the seed's form (derived once)."""
    return _gradient_derivation(act.name, loss_name)


@cache
def _gradient_derivation(activation: str, loss_name: str) -> tuple[Derivation, GradientForm]:
    act = ACTIVATIONS[activation]
    loss = LOSSES[loss_name]
    u = Inner(w, x_n)
    p = sp.Symbol("p", real=True)
    b = DerivationBuilder("Gradient of the empirical risk", instance=INSTANCE)
    b.define(E_in, risk_expression(act, loss_name))
    b.equal(
        Grad(E_in, w),
        _unevaluated(1 / N, sp.Sum(Grad(loss.function(act(u), y_n), w), (n, 1, N))),
        rule="linearity of the gradient",
    )
    dl_dp = sp.diff(loss.function(p, y_n), p).subs(p, act(u))
    coeff, rest = sp.factor_terms(dl_dp).as_coeff_Mul()

    def gradient(*factors: sp.Expr) -> sp.Expr:
        return _unevaluated(coeff / N, sp.Sum(_unevaluated(*factors), (n, 1, N)))

    b.then(gradient(rest, Grad(act(u), w)), rule="chain rule (outer: the loss)")
    b.then(gradient(rest, theta_prime_at(act, u), Grad(u, w)), rule="chain rule (inner: θ)")
    b.then(gradient(rest, theta_prime_at(act, u), x_n), rule="gradient of the inner product")
    closed = act.derivative(u)
    b.then(gradient(rest, closed, x_n), rule=f"substitute {act.name}' derived above")
    factors = [rest, closed]
    simpler = sp.factor_terms(sp.cancel(sp.Mul(*factors).subs(u, s))).subs(s, u)
    if sp.count_ops(simpler) < sp.count_ops(sp.Mul(*factors)):
        factors = [simpler]
        b.then(gradient(simpler, x_n), rule="simplify")
    scalar = [f.subs({u: s, y_n: Y}) for f in factors]
    per_sample = coeff * sp.Mul(*scalar)
    shown = _unevaluated(coeff, *scalar)
    form = GradientForm(coeff / N, per_sample, shown, b.last)
    return b.build(), form


def derived_gradient(activation: str, loss: str) -> GradientForm:
    """The gradient in closed form, derived (and verified) for this activation and loss."""
    return _gradient_derivation(activation, loss)[1]
