"""Frozen data for derivations: steps with their verification, derivations, solutions."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import sympy as sp

from symhw.errors import VerificationError
from symhw.figures import Drawing

Status = Literal["definition", "symbolic", "numeric", "unverified", "budget"]

#: A piece of prose: plain text and inline SymPy expressions, rendered in order.
Segment = str | sp.Basic


#: How each kind of object shows itself in Jupyter, as LaTeX: registered by the LaTeX
#: renderer when it is imported (the core imports no renderer; `symhw.problems` imports it).
JUPYTER_LATEX: dict[type, Callable[[Any], str]] = {}


def _shown_in_jupyter(obj: object) -> str | None:
    show = JUPYTER_LATEX.get(type(obj))
    return None if show is None else show(obj)  # None: IPython shows the plain repr


@dataclass(frozen=True)
class Check:
    """How one displayed equality was verified.

    ``status`` is ``"symbolic"`` (the difference simplified to 0), ``"numeric"`` (the
    difference was below ``tolerance`` at several random points), ``"definition"`` (the step
    introduces a name: nothing to check), ``"unverified"`` (neither could decide; the sheet
    says so) or ``"budget"`` (deciding it would exceed a stated size budget, so it was not
    tried; the sheet says "not verified (budget)" and ``method`` says which budget).
    """

    status: Status
    method: str
    instance: str = ""
    tolerance: float | None = None

    @property
    def verified(self) -> bool:
        return self.status in ("symbolic", "numeric")


@dataclass(frozen=True)
class Step:
    """One displayed relation ``chain[0] = chain[1] = ...`` and the rule that justifies it.

    Build steps with :class:`DerivationBuilder`, which verifies each one as it is made.
    ``continues`` marks a step whose first member is the previous step's last one: it is
    displayed as ``= ...`` under it.
    """

    chain: tuple[Any, ...]
    rule: str
    check: Check
    note: str = ""
    continues: bool = False

    @property
    def lhs(self) -> Any:
        return self.chain[0]

    @property
    def rhs(self) -> Any:
        return self.chain[-1]


@dataclass(frozen=True)
class Paragraph:
    """Prose with inline math: a tuple of strings and SymPy expressions."""

    segments: tuple[Segment, ...]


@dataclass(frozen=True)
class Derivation:
    """A titled block of verified steps, shown as one aligned display."""

    title: str
    steps: tuple[Step, ...]
    intro: Paragraph | None = None

    def _repr_latex_(self) -> str | None:  # Jupyter
        return _shown_in_jupyter(self)


@dataclass(frozen=True)
class Table:
    """A table of values: a header row and rows of strings or SymPy expressions."""

    title: str
    header: tuple[Segment, ...]
    rows: tuple[tuple[Segment, ...], ...]
    intro: Paragraph | None = None


@dataclass(frozen=True)
class ReferenceCode:
    """A plain-Python reference implementation, shown as math (rendered by latexify-py)."""

    title: str
    function: Callable[..., Any]
    identifiers: Mapping[str, str] = field(default_factory=dict)
    intro: Paragraph | None = None


@dataclass(frozen=True)
class Figure:
    """A picture: what to draw (:mod:`symhw.figures` data, made from the problem's own
    numbers), drawn by :mod:`symhw.render.figures` into files the sheet links."""

    title: str
    drawing: Drawing
    caption: Paragraph | None = None


Part = Paragraph | Derivation | Table | ReferenceCode | Figure


@dataclass(frozen=True)
class Answer:
    """A named result: ``label`` (how it is displayed) equals ``value`` (exact SymPy), or
    with ``approximate`` is shown as ≈ a rounded ``value`` (the JSON keeps the full value).

    ``data`` is the result itself where ``value`` is a form made for display (numbers
    written to some decimals, a matrix shown by its corners): the JSON shows ``data``, and
    :mod:`symhw.render.json` alone decides how.
    """

    name: str
    label: Any
    value: Any
    data: Any = None
    approximate: bool = False


@dataclass(frozen=True)
class NumericCheck:
    """A cross-check of the derived result against an independent numeric computation."""

    description: str
    max_error: float
    tolerance: float
    confirmed: bool = True  # False: the computation could not decide (the description says why)

    @property
    def passed(self) -> bool:
        return self.confirmed and self.max_error <= self.tolerance


@dataclass(frozen=True)
class Solution:
    """Everything a sheet shows about one problem."""

    problem_id: str
    kind: str
    title: str
    statement: Paragraph
    parts: tuple[Part, ...]
    answers: tuple[Answer, ...]
    numeric_checks: tuple[NumericCheck, ...] = ()

    @property
    def steps(self) -> tuple[Step, ...]:
        return tuple(s for p in self.parts if isinstance(p, Derivation) for s in p.steps)

    def _repr_latex_(self) -> str | None:  # Jupyter: the derivations and boxed answers
        return _shown_in_jupyter(self)

    def answer(self, name: str) -> Answer:
        for a in self.answers:
            if a.name == name:
                return a
        raise KeyError(name)

    def summary(self) -> dict[str, int]:
        """Counts of steps by verification status (definitions are not counted as checks)."""
        counts = {"symbolic": 0, "numeric": 0, "unverified": 0, "budget": 0, "definition": 0}
        for s in self.steps:
            counts[s.check.status] += 1
        return counts


def decade(x: float) -> str:
    """The smallest power of ten at or above x, as text: a bound stable across machines."""
    if x <= 0:
        return "0"
    return f"1e{math.ceil(math.log10(x))}"


def numeric_check(description: str, max_error: float, tolerance: float) -> NumericCheck:
    """Record a numeric cross-check; raise if it failed (a wrong sheet is never written)."""
    check = NumericCheck(description, float(max_error), float(tolerance))
    if not check.passed:
        raise VerificationError(
            f"numeric cross-check failed: {description}: "
            f"max error {check.max_error:.3g} > tolerance {tolerance:.3g}"
        )
    return check
