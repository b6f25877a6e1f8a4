"""Question 1, generalised: the gradient of E_in(w) = 1/N Σ ℓ(θ(wᵀx_n), y_n) and its limits."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import numpy as np
import sympy as sp

from symhw import numeric
from symhw.activations import ACTIVATIONS, Activation
from symhw.builder import DerivationBuilder
from symhw.derivation import (
    Answer,
    Derivation,
    Paragraph,
    ReferenceCode,
    Solution,
    Table,
    decade,
)
from symhw.losses import LOSSES, get_loss
from symhw.notation import Grad, Inner, MinOver, Norm, Vec, written
from symhw.params import Parameters, check_call, choice, integer, param
from symhw.verify import Instance, limit

KIND = "activation-loss"
SUMMARY = (
    "gradient of E_in(w) = 1/N Σ ℓ(θ(wᵀx_n), y_n), θ' from its definition, and the limits "
    "that decide whether the gradient vanishes"
)

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
REFERENCE_NAMES = {"squared": "squared_error_risk", "cross-entropy": "cross_entropy_risk"}

#: Sizes of the random check: X is N × d (80 MB at the largest), and the seed is 32 bits.
MAX_SAMPLES, MAX_DIM, MAX_SEED = 10_000, 1_000, 2**32 - 1

#: Where vector-notation steps are checked: three samples, vectors of length two.
INSTANCE = Instance({N: 3}, dim=2)


@dataclass(frozen=True)
class Params(Parameters):
    """Parameters of an ``activation-loss`` problem."""

    activation: str = param("tanh", parse=choice(ACTIVATIONS), help="the activation θ")
    loss: str = param("squared", parse=choice(LOSSES), help="the per-sample loss ℓ(p, y)")
    check_samples: int = param(
        8,
        parse=integer(1, MAX_SAMPLES),
        help=f"samples N of the random finite-difference check, 1 to {MAX_SAMPLES}",
    )
    check_dim: int = param(
        3,
        parse=integer(1, MAX_DIM),
        help=f"dimension d of that check, 1 to {MAX_DIM} (every coordinate is differentiated "
        f"while N·d·(2d + 1) ≤ {decade(numeric.FD_BUDGET)} multiply-adds, else evenly spaced ones)",
    )
    seed: int = param(
        0, parse=integer(0, MAX_SEED), help=f"seed of the random check data, 0 to {MAX_SEED}"
    )

    def check(self) -> None:
        validate(self)


def _unevaluated(*factors: sp.Expr) -> sp.Expr:
    """A product kept in the order written, with the 1s a person would not write dropped."""
    return written(*(f for f in factors if f != 1))


def derivative_derivation(act: Activation) -> Derivation:
    """θ'(s) from θ's definition: quotient rule where θ is a fraction, chain rule otherwise."""
    b = DerivationBuilder(f"Derivative of the activation {act.name}")
    theta = act(s)
    definition = act.definition(s)
    dtheta = sp.Derivative(theta, s)
    if definition != theta:
        b.equal(dtheta, sp.Derivative(definition, s), rule=f"definition of {act.name}")
    else:
        b.equal(dtheta, sp.Derivative(definition, s), rule="definition")
    num, den = sp.fraction(definition, exact=True)
    if den != 1 and definition.is_Mul | definition.is_Pow:
        dn, dd = sp.diff(num, s), sp.diff(den, s)
        # (f'g - f g') / g², every product written out as the rule states it
        numerator = sp.Add(
            sp.Mul(dn, den, evaluate=False), sp.Mul(-1, num, dd, evaluate=False), evaluate=False
        )
        quotient = numerator / den**2
        b.then(quotient, rule="quotient rule")
    elif isinstance(definition, sp.Max):
        b.then(sp.Piecewise((0, s < 0), (1, s > 0)), rule="derivative of each piece (s ≠ 0)")
    else:
        b.then(sp.diff(definition, s), rule="chain rule")
    closed = act.derivative(s)
    in_definition = (
        closed.replace(act.function, lambda u: sp.UnevaluatedExpr(act.definition(u)))
        if definition != theta
        else closed
    )
    if in_definition not in (closed, b.last):
        b.then(in_definition, rule="simplify")
    if closed != b.last:
        b.then(closed, rule=f"definition of {act.name}" if definition != theta else "simplify")
    return b.build()


def risk_expression(act: Activation, loss_name: str) -> sp.Expr:
    """E_in(w) = (1/N) Σ_n ℓ(θ(wᵀx_n), y_n), written as on the sheet."""
    term = LOSSES[loss_name].function(act(Inner(w, x_n)), y_n)
    return _unevaluated(1 / N, sp.Sum(term, (n, 1, N)))


def _theta_prime_at(act: Activation, u: sp.Expr) -> sp.Expr:
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
    b.then(gradient(rest, _theta_prime_at(act, u), Grad(u, w)), rule="chain rule (inner: θ)")
    b.then(gradient(rest, _theta_prime_at(act, u), x_n), rule="gradient of the inner product")
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


def limit_derivation(act: Activation, form: GradientForm) -> tuple[Derivation, dict[str, sp.Expr]]:
    """lim θ'(s) and lim of the per-sample factor as s → ±∞, computed with sympy.limit."""
    b = DerivationBuilder(
        "Limits as the pre-activation grows",
        intro=(
            "Write ",
            sp.Eq(s, Inner(w, x_n)),
            " and ",
            sp.Eq(Y, y_n),
            ". The derivative of the activation, and the whole factor that multiplies ",
            x_n,
            " in the gradient, behave as follows when s grows in either direction:",
        ),
    )
    closed = act.derivative(s)
    limits = {}
    for key, point in (("pos", sp.oo), ("neg", -sp.oo)):
        value = limit(closed, s, point)
        b.equal(sp.Limit(closed, s, point), value, rule="limit")
        limits[f"derivative_{key}"] = value
    for key, point in (("pos", sp.oo), ("neg", -sp.oo)):
        value = limit(form.factor, s, point)
        b.equal(sp.Limit(form.factor_shown, s, point), value, rule="limit")
        limits[f"factor_{key}"] = value
    return b.build(), limits


def _conclusion(act: Activation, limits: dict[str, sp.Expr]) -> Paragraph:
    u = Inner(w, x_n)
    lead = (
        "Let the weights grow along a direction, ",
        sp.Eq(w, t * Vec(sp.Symbol("u"))),
        " with ",
        sp.Symbol("t"),
        " → ∞, and suppose ",
        sp.Ne(Inner(Vec(sp.Symbol("u")), x_n), 0),
        " for every sample. Then every pre-activation ",
        u,
        " tends to ",
        sp.oo,
        " or ",
        -sp.oo,
        ", and each term of the gradient is the factor above times the fixed vector ",
        x_n,
        ". ",
    )
    pos, neg = limits["factor_pos"] == 0, limits["factor_neg"] == 0
    if pos and neg:
        tail = (
            f"Both limits are 0, so every term tends to 0 and the gradient vanishes: {act.name} "
            "saturates, its derivative goes to 0, and gradient descent barely moves the weights "
            "(the vanishing-gradient problem).",
        )
    elif pos or neg:
        side = "positive" if pos else "negative"
        tail = (
            f"Only the terms whose pre-activation goes to {side} infinity vanish; the others "
            f"do not, so the gradient vanishes only when every sample lies on the {side} side.",
        )
    else:
        tail = (
            "Neither limit is 0 (for a generic target y), so the gradient does not vanish as the "
            "weights grow: this activation and loss do not saturate.",
        )
    if act.name != "identity" and limits["derivative_pos"] == limits["derivative_neg"] == 0:
        tail = (*tail, f" The cause is {act.name}': it tends to 0 in both directions.")
    return Paragraph((*lead, *tail))


def derived_gradient(activation: str, loss: str) -> GradientForm:
    """The gradient in closed form, derived (and verified) for this activation and loss."""
    return _gradient_derivation(activation, loss)[1]


def gradient_function(activation: str, loss: str) -> Callable[..., np.ndarray]:
    """The derived gradient as a NumPy function ``grad(w, X, y)`` (X has one row per sample).

    It keeps the matrix structure: the derived per-sample factor is lambdified as a scalar
    function of s = Xw and y, and NumPy forms Xᵀ r / N.
    """
    return numeric.vectorised_gradient(derived_gradient(activation, loss).factor, s, Y)


def risk_function(activation: str, loss: str) -> Callable[..., float]:
    """The plain-Python reference implementation of E_in, bound to this activation."""
    reference, theta = numeric.REFERENCE_RISK[loss], ACTIVATIONS[activation].numpy
    return lambda w_, X, y_: reference(w_, X, y_, theta)


def validate(params: Params, problem_id: str | None = None) -> None:
    """The loss must fit the activation (cross-entropy needs σ); run when the file loads."""
    get_loss(params.loss, params.activation, problem=problem_id)


def solve(params: Params, problem_id: str = "q1", title: str | None = None) -> Solution:
    """Derive question 1 for the given activation and loss.

    >>> sol = solve(Params("tanh"))
    >>> sol.answer("activation_derivative").value
    1 - tanh(s)**2
    """
    check_call(params, Params, problem_id, title)
    act = ACTIVATIONS[params.activation]
    loss = LOSSES[params.loss]
    d_act = derivative_derivation(act)
    d_grad, form = gradient_derivation(act, params.loss)
    d_lim, limits = limit_derivation(act, form)
    statement = Paragraph(
        (
            "Let ",
            sp.Eq(E_in, risk_expression(act, params.loss)),
            f" with activation θ = {act.name}" + (", θ(s) = " if act.definition(s) != s else ""),
            *((act.definition(s),) if act.definition(s) != s else ()),
            f" and the {loss.name} loss. (a) Derive ",
            Grad(E_in, w),
            ". (b) Explain what happens to the gradient as the weights grow.",
        )
    )
    checks, table = numeric.activation_loss_checks(
        risk=risk_function(params.activation, params.loss),
        gradient=gradient_function(params.activation, params.loss),
        samples=params.check_samples,
        dim=params.check_dim,
        seed=params.seed,
    )
    reference = ReferenceCode(
        "Reference implementation",
        numeric.REFERENCE_RISK[params.loss],
        identifiers={REFERENCE_NAMES[params.loss]: "risk"},
        intro=Paragraph(
            (
                "The finite-difference check differentiates this plain-Python implementation of ",
                E_in,
                ", not the derived formula:",
            )
        ),
    )
    parts = (
        d_act,
        d_grad,
        d_lim,
        _conclusion(act, limits),
        reference,
        Table(
            "Gradient norm along a growing direction",
            (t, Norm(sp.Subs(Grad(E_in, w), w, t * w0)), MinOver(sp.Abs(t * Inner(w0, x_n)), n)),
            table,
            Paragraph(
                (
                    "The data are those of the finite-difference check and ",
                    w0,
                    " is its random weight vector. Each term of the sum is scaled by ",
                    _theta_prime_at(act, t * Inner(w0, x_n)),
                    ", so as t grows the norm follows the samples whose ",
                    sp.Abs(t * Inner(w0, x_n)),
                    " is still small (last column), not the typical sample:",
                )
            ),
        ),
    )
    answers = (
        Answer("activation_derivative", sp.Derivative(act(s), s), act.derivative(s)),
        Answer("gradient", Grad(E_in, w), form.expression),
        Answer(
            "derivative_limit_pos",
            sp.Limit(sp.Derivative(act(s), s), s, sp.oo),
            limits["derivative_pos"],
        ),
        Answer(
            "derivative_limit_neg",
            sp.Limit(sp.Derivative(act(s), s), s, -sp.oo),
            limits["derivative_neg"],
        ),
    )
    return Solution(
        problem_id,
        KIND,
        title or f"Gradient of the {act.name} {loss.name}-loss risk",
        statement,
        parts,
        answers,
        checks,
    )
