"""Question 1, generalised: the gradient of E_in(w) = 1/N Σ ℓ(θ(wᵀx_n), y_n) and its limits.

The ``activation-loss`` kind: θ' from θ's definition (:mod:`.derivative`), ∇E_in by the
chain rule (:mod:`.gradient`), the limits as the pre-activation grows (:mod:`.limits`), the
gradient checked against a plain-Python reference (:mod:`.reference`) and its norm along a
growing direction drawn (:mod:`.figures`); the notation is :mod:`.symbols`.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from symhw import numeric
from symhw.activations import ACTIVATIONS, Activation
from symhw.derivation import Answer, Paragraph, Quantities, Quantity, Solution, decade
from symhw.losses import LOSSES, get_loss
from symhw.notation import Grad
from symhw.params import Parameters, check_call, choice, integer, param
from symhw.problems.activation_loss.derivative import derivative_derivation
from symhw.problems.activation_loss.figures import activation_figure, growth_figure
from symhw.problems.activation_loss.gradient import (
    GradientForm,
    gradient_derivation,
    risk_expression,
)
from symhw.problems.activation_loss.key import activation_key
from symhw.problems.activation_loss.limits import conclusion, limit_derivation
from symhw.problems.activation_loss.reference import (
    gradient_function,
    reference_code,
    risk_function,
)
from symhw.problems.activation_loss.symbols import E_in, N, s, w, x_n, y_n

KIND = "activation-loss"
SUMMARY = (
    "gradient of E_in(w) = 1/N Σ ℓ(θ(wᵀx_n), y_n), θ' from its definition, and the limits "
    "that decide whether the gradient vanishes"
)

#: Sizes of the random check: X is N × d (80 MB at the largest), and the seed is 32 bits.
MAX_SAMPLES, MAX_DIM, MAX_SEED = 10_000, 1_000, 2**32 - 1


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
    d_grad, form = gradient_derivation(act, params.loss)
    d_lim, limits = limit_derivation(act, form)
    checks = numeric.activation_loss_checks(
        risk=risk_function(params.activation, params.loss),
        gradient=gradient_function(params.activation, params.loss),
        samples=params.check_samples,
        dim=params.check_dim,
        seed=params.seed,
    )
    d_derivative = derivative_derivation(act)
    figure = activation_figure(act)
    parts = (
        figure,
        d_derivative,
        d_grad,
        d_lim,
        conclusion(act, limits),
        reference_code(params.loss),
        growth_figure(
            act,
            gradient_function(params.activation, params.loss),
            params.check_samples,
            params.check_dim,
            params.seed,
        ),
    )
    loss = LOSSES[params.loss]
    answers = _answers(act, form, limits)
    return Solution(
        problem_id,
        KIND,
        title or f"Gradient of the {act.name} {loss.name}-loss risk",
        _statement(act, params.loss),
        parts,
        answers,
        checks,
        activation_key(act, (d_derivative, d_grad, d_lim), answers, limits, figure),
    )


def _statement(act: Activation, loss: str) -> Paragraph:
    """The question; θ is defined where (a) derives θ', which starts from its definition."""
    return Paragraph(
        (
            "Let ",
            sp.Eq(E_in, risk_expression(act, loss), evaluate=False),
            " for ",
            N,
            " examples ",
            sp.Tuple(x_n, y_n),
            f", with activation θ = {act.name} and the {LOSSES[loss].name} loss. (a) Derive ",
            Grad(E_in, w),
            ". (b) What happens to the gradient as the weights grow?",
        )
    )


def _answers(act: Activation, form: GradientForm, limits: dict[str, sp.Expr]) -> tuple[Answer, ...]:
    derivative = sp.Derivative(act(s), s)
    return (
        Answer("activation_derivative", derivative, act.derivative(s)),
        Answer("gradient", Grad(E_in, w), form.expression),
        Answer("derivative_limit_pos", sp.Limit(derivative, s, sp.oo), limits["derivative_pos"]),
        Answer("derivative_limit_neg", sp.Limit(derivative, s, -sp.oo), limits["derivative_neg"]),
    )


def quantities(params: Params, problem_id: str = "q1") -> Quantities:
    """What a person may write down besides the answers: the risk E_in itself (``loss``).

    >>> quantities(Params("tanh")).find("loss").value
    Sum((tanh(Inner(Vec(w), Vec(x, n))) - y[n])**2, (n, 1, N))/N
    """
    check_call(params, Params, problem_id, None)
    risk = risk_expression(ACTIVATIONS[params.activation], params.loss)

    def find(name: object) -> Quantity | None:
        return Quantity("loss", E_in, risk) if name == "loss" else None

    return Quantities(("loss, the risk E_in(w) the question defines",), find)
