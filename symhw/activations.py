"""Activation functions: their SymPy form, definition, known derivative and NumPy form."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import sympy as sp
from mpmath.libmp import prec_to_dps

from symhw.errors import InputError


class _Defined(sp.Function):
    """A function with a closed-form ``definition()``: numbers evaluate through it."""

    nargs = 1

    def definition(self) -> sp.Expr:
        raise NotImplementedError

    def _eval_evalf(self, prec: int) -> sp.Expr:
        return self.definition().evalf(prec_to_dps(prec))


class sigmoid(_Defined):
    """The logistic function 1 / (1 + e^{-s})."""

    def definition(self) -> sp.Expr:
        return 1 / (1 + sp.exp(-self.args[0]))

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return sigmoid(self.args[0]) * (1 - sigmoid(self.args[0]))

    def _eval_rewrite_as_exp(self, arg, **kwargs) -> sp.Expr:
        return 1 / (1 + sp.exp(-arg))

    def _eval_is_real(self) -> bool | None:
        return self.args[0].is_real

    def _eval_is_positive(self) -> bool | None:
        return self.args[0].is_real


class softplus(_Defined):
    """The smooth ReLU log(1 + e^{s})."""

    def definition(self) -> sp.Expr:
        return sp.log(1 + sp.exp(self.args[0]))

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return sigmoid(self.args[0])

    def _eval_rewrite_as_exp(self, arg, **kwargs) -> sp.Expr:
        return sp.log(1 + sp.exp(arg))

    def _eval_is_real(self) -> bool | None:
        return self.args[0].is_real


class relu(_Defined):
    """The rectifier max(0, s); it evaluates at numbers (relu(-2) = 0)."""

    @classmethod
    def eval(cls, arg: sp.Expr) -> sp.Expr | None:
        if arg.is_number and arg.is_real:
            return sp.Max(0, arg)
        return None

    def definition(self) -> sp.Expr:
        return sp.Max(0, self.args[0])

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return sp.Heaviside(self.args[0], 0)

    def _eval_is_real(self) -> bool | None:
        return self.args[0].is_real


@dataclass(frozen=True)
class Activation:
    """One activation θ: SymPy form, its definition, θ' in closed form, and NumPy forms.

    ``derivative`` is the textbook closed form of θ' (for tanh, 1 - tanh²); derivations
    check it against the derivative of ``definition`` rather than trusting it.
    """

    name: str
    function: Callable[[sp.Expr], sp.Expr]
    definition: Callable[[sp.Expr], sp.Expr]
    derivative: Callable[[sp.Expr], sp.Expr]
    numpy: Callable[[np.ndarray], np.ndarray]
    numpy_derivative: Callable[[np.ndarray], np.ndarray]

    def __call__(self, s: sp.Expr) -> sp.Expr:
        return self.function(s)


def _np_sigmoid(s: np.ndarray) -> np.ndarray:
    """1 / (1 + e^{-s}) as exp(-log(1 + e^{-s})): no overflow, full relative accuracy."""
    return np.exp(-np.logaddexp(0.0, -s))


ACTIVATIONS: dict[str, Activation] = {
    a.name: a
    for a in (
        Activation(
            "tanh",
            sp.tanh,
            lambda s: (sp.exp(s) - sp.exp(-s)) / (sp.exp(s) + sp.exp(-s)),
            lambda s: 1 - sp.tanh(s) ** 2,
            np.tanh,
            lambda s: 1.0 - np.tanh(s) ** 2,
        ),
        Activation(
            "sigmoid",
            sigmoid,
            lambda s: 1 / (1 + sp.exp(-s)),
            lambda s: sigmoid(s) * (1 - sigmoid(s)),
            _np_sigmoid,
            lambda s: _np_sigmoid(s) * (1.0 - _np_sigmoid(s)),
        ),
        Activation(
            "identity",
            lambda s: s,
            lambda s: s,
            lambda s: sp.Integer(1),
            lambda s: s,
            np.ones_like,
        ),
        Activation(
            "softplus",
            softplus,
            lambda s: sp.log(1 + sp.exp(s)),
            sigmoid,
            lambda s: np.logaddexp(0.0, s),
            _np_sigmoid,
        ),
        Activation(
            "relu",
            relu,
            lambda s: sp.Max(0, s),
            lambda s: sp.Heaviside(s, 0),
            lambda s: np.maximum(s, 0.0),
            lambda s: (s > 0).astype(float),
        ),
    )
}


def get_activation(name: str, *, field: str = "activation", problem: str | None = None):
    """Look an activation up by name; an unknown name is an :class:`InputError`.

    >>> get_activation("tanh").derivative(sp.Symbol("s"))
    1 - tanh(s)**2
    """
    try:
        return ACTIVATIONS[name]
    except (KeyError, TypeError):
        raise InputError(
            f"unknown activation {name!r}; choose one of {', '.join(ACTIVATIONS)}",
            problem=problem,
            field=field,
        ) from None
