"""The problem kinds symhw can solve: one module per question family.

Each module in ``MODULES`` defines ``KIND`` (its name), ``SUMMARY`` (one line), ``Params``
(a frozen dataclass of :func:`symhw.params.param` fields), a pure
``solve(params, problem_id, title) -> Solution`` and, where parameters constrain each other,
``validate(params, problem_id)``: the checks that need no solving, run when a file loads so
that a mistake in its last problem is reported before the first is solved.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module

from symhw.derivation import Solution

MODULES = ("activation_loss", "block_params", "norm_shapes", "mlp_backprop", "conv_matrix")


@dataclass(frozen=True)
class ProblemKind:
    """A question family: its parameter dataclass and its pure ``solve``."""

    name: str
    summary: str
    params: type
    solve: Callable[..., Solution]
    validate: Callable[[object, str], None]


def _no_constraints(params: object, problem_id: str) -> None:
    """For kinds whose fields are each checked as they are parsed."""


def _kind(module_name: str) -> ProblemKind:
    m = import_module(f"symhw.problems.{module_name}")
    return ProblemKind(
        m.KIND, m.SUMMARY, m.Params, m.solve, getattr(m, "validate", _no_constraints)
    )


KINDS: dict[str, ProblemKind] = {k.name: k for k in map(_kind, MODULES)}
