"""The problem kinds symhw can solve: one module per question family."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from symhw.derivation import Solution
from symhw.problems import activation_loss


@dataclass(frozen=True)
class ProblemKind:
    """A question family: its parameter dataclass and its pure ``solve``."""

    name: str
    summary: str
    params: type
    solve: Callable[..., Solution]


KINDS: dict[str, ProblemKind] = {
    k.name: k
    for k in (
        ProblemKind(
            activation_loss.KIND,
            "gradient of E_in(w) = 1/N Σ ℓ(θ(wᵀx_n), y_n), θ' from its definition, and "
            "the limits that decide whether the gradient vanishes",
            activation_loss.Params,
            activation_loss.solve,
        ),
    )
}
