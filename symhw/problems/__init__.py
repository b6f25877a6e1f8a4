"""The problem kinds symhw can solve: one package per question family.

Each package in ``MODULES`` owns its kind whole (its inputs, its steps, its tables and
answers, its cross-checks), taking the mathematics from ``symhw.mlp``, ``symhw.conv`` and
``symhw.counts`` and leaving every printed form to ``symhw.render``. Its ``__init__``
defines ``KIND`` (its name), ``SUMMARY`` (one line), ``Params`` (a frozen dataclass of
:func:`symhw.params.param` fields deriving from :class:`symhw.params.Parameters`, so every
field is parsed and the fields are checked against each other when an instance is made: a
mistake in a file's last problem is reported before the first is solved) and a pure
``solve(params, problem_id, title) -> Solution``; and, where the kind has quantities worth
checking besides its answers (``symhw check``), ``quantities(params, problem_id) ->
Quantities``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module

import symhw.render.latex  # noqa: F401  (registers how a Solution shows itself in Jupyter)
from symhw.derivation import Quantities, Solution

MODULES = ("activation_loss", "block_params", "norm_shapes", "mlp_backprop", "conv_matrix")


@dataclass(frozen=True)
class ProblemKind:
    """A question family: its parameter dataclass and its pure ``solve``."""

    name: str
    summary: str
    params: type
    solve: Callable[..., Solution]
    #: ``quantities(params, problem_id) -> Quantities``: what else a person may write down and
    #: have checked besides the answers (``symhw check``); None where a kind has none yet.
    quantities: Callable[..., Quantities] | None = None


def _kind(module_name: str) -> ProblemKind:
    m = import_module(f"symhw.problems.{module_name}")
    return ProblemKind(m.KIND, m.SUMMARY, m.Params, m.solve, getattr(m, "quantities", None))


KINDS: dict[str, ProblemKind] = {k.name: k for k in map(_kind, MODULES)}
