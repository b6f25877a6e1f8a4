"""Per-sample losses ℓ(p, y) of a prediction p and a target y."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import sympy as sp

from symhw.errors import InputError


@dataclass(frozen=True)
class Loss:
    """A loss: its SymPy form, a plain-Python form (for reference code), allowed activations."""

    name: str
    function: Callable[[sp.Expr, sp.Expr], sp.Expr]
    python: Callable[[float, float], float]
    activations: tuple[str, ...] | None = None  # None: any activation


def _squared(p, y):
    return (p - y) ** 2


def _cross_entropy(p, y):
    return -(y * math.log(p) + (1 - y) * math.log(1 - p))


LOSSES: dict[str, Loss] = {
    "squared": Loss("squared", _squared, _squared),
    "cross-entropy": Loss(
        "cross-entropy",
        lambda p, y: -(y * sp.log(p) + (1 - y) * sp.log(1 - p)),
        _cross_entropy,
        activations=("sigmoid",),
    ),
}


def get_loss(name: str, activation: str, *, problem: str | None = None) -> Loss:
    """Look a loss up by name and check that it fits the activation."""
    loss = LOSSES.get(name) if isinstance(name, str) else None
    if loss is None:
        raise InputError(
            f"unknown loss {name!r}; choose one of {', '.join(LOSSES)}",
            problem=problem,
            field="loss",
        )
    if loss.activations is not None and activation not in loss.activations:
        raise InputError(
            f"the {name} loss needs predictions in (0, 1): use activation = "
            f"{' or '.join(repr(a) for a in loss.activations)}, not {activation!r}",
            problem=problem,
            field="loss",
        )
    return loss
