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
    displayed as ``= ...`` under it. ``approximate`` marks, link by link, a member written
    with rounded numbers (shown after ≈): its value, the one verified, is still exact.
    """

    chain: tuple[Any, ...]
    rule: str
    check: Check
    note: str = ""
    continues: bool = False
    approximate: tuple[bool, ...] = ()

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
class Quantity:
    """A value of a problem that a person may write down and have checked (``symhw check``),
    beyond its answers: an intermediate of a derivation (q5's Y_11, ∂L/∂x_13), a shape.

    ``name`` is how a claims file names it (``Y_11``, ``dL/dx_13``, ``x_shape``), ``label``
    how the sheet writes it, ``value`` its exact value (SymPy; a
    :class:`~symhw.notation.Shape` for a shape, an ImmutableMatrix for a vector).
    """

    name: str
    label: Any
    value: Any


@dataclass(frozen=True)
class Quantities:
    """The checkable quantities of one problem, found by name on demand (a layer may have
    65,536 outputs: none is built until asked for).

    ``families`` describe the names in words, for an error that lists what the problem has
    (``Y_jt (j = 1..2, t = 1..2)``); ``find(name)`` gives the :class:`Quantity` or None.
    """

    families: tuple[str, ...]
    find: Callable[[str], Quantity | None]


@dataclass(frozen=True)
class Boxed:
    """A result boxed in Part I of a sheet (the answer key), where it is derived.

    ``answers`` carry the names of the solution's answers (a key may show an answer in a
    form of its own, e.g. numbers where the appendix shows the exact expression); each is
    boxed in a display of its own or, with ``derivation``, at the end of the chain that
    derives it (chain k, a step and the steps continuing it, ends in answer k).
    ``statement`` is a conclusion in words and math that the verified steps above it
    establish, boxed as a whole. ``derived_in`` is the
    title of the part of :attr:`Solution.parts` (the appendix) that derives it in full: the
    box links there. ``question`` names the part of the question it answers ("(a)"), and
    ``brief`` is what the summary table shows (default: the answers).
    """

    answers: tuple[Answer, ...] = ()
    statement: Paragraph | None = None
    derived_in: str = ""
    question: str = ""
    brief: Paragraph | None = None
    #: Where the answers are derived in Part I itself: chain k of it ends in answer k, and
    #: that last member is what is boxed (no separate display).
    derivation: Derivation | None = None
    #: The answers shown as a table, boxed as a whole (its cells are their values).
    table: Table | None = None


#: What Part I of a sheet is made of: short prose, compact verified derivations, tables
#: and the boxed results (a figure too, where one is drawn).
KeyPart = Paragraph | Derivation | Table | Figure | Boxed


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
    #: Part I of the sheet, the answer key (``parts`` are its appendix); empty: the answers
    #: boxed, as :meth:`key_parts` gives them.
    key: tuple[KeyPart, ...] = ()

    @property
    def steps(self) -> tuple[Step, ...]:
        return tuple(s for p in self.parts if isinstance(p, Derivation) for s in p.steps)

    def _repr_latex_(self) -> str | None:  # Jupyter: the derivations and boxed answers
        return _shown_in_jupyter(self)

    def key_parts(self) -> tuple[KeyPart, ...]:
        """The answer key: :attr:`key`, or every answer boxed when the kind gives none."""
        return self.key or (Boxed(self.answers),)

    def boxes(self) -> tuple[Boxed, ...]:
        """The boxed results of the answer key, in order."""
        return tuple(p for p in self.key_parts() if isinstance(p, Boxed))

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


def excerpt(d: Derivation, keep: tuple[int, ...], title: str | None = None) -> Derivation:
    """Some steps of a verified derivation, in order, for Part I of a sheet.

    Nothing new is claimed: each step kept was verified when it was built, and a step that
    continues a chain is kept only after another step of the same chain (every member of a
    chain equals its first, so ``= b`` under ``a = ...`` stays true with steps between left
    out).

    >>> from symhw.builder import DerivationBuilder
    >>> b = DerivationBuilder("d")
    >>> _ = b.equal(sp.Integer(4), sp.Integer(2) * 2, rule="r")
    >>> _ = b.then(sp.Integer(1) + 3, rule="r")
    >>> _ = b.then(sp.Integer(2) ** 2, rule="r")
    >>> [str(s.rhs) for s in excerpt(b.build(), (0, 2)).steps]
    ['4', '4']
    """
    keep = tuple(sorted(keep))
    for before, i in zip((None, *keep), keep, strict=False):
        chained = before is not None and all(s.continues for s in d.steps[before + 1 : i + 1])
        if d.steps[i].continues and not chained:
            raise ValueError(f"step {i} of {d.title!r} continues a chain with no step kept")
    steps = tuple(d.steps[i] for i in keep)
    return Derivation(d.title if title is None else title, steps, None)


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
