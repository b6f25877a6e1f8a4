"""Renderers: one module per output format, all reading the same Solution data."""

from __future__ import annotations

from dataclasses import dataclass, replace

import sympy as sp

from symhw.derivation import Answer, Boxed, Paragraph, Solution

#: How much a sheet shows: ``answers`` (the summary table and the boxed answers), ``key``
#: (Part I: each question worked at textbook density, answers boxed where derived) or
#: ``full`` (Part I and the appendix of complete verified derivations, Part II).
DETAILS = ("answers", "key", "full")


@dataclass(frozen=True)
class Frame:
    """A document around its problems' sections: ``head``, the sections joined by
    ``between``, then ``tail``. A sheet writes the pieces one after another, so a large
    set is never one string in memory.

    A section may come in several pieces (a summary row, Part I, the appendix): then the
    document is every section's first piece joined by ``between``, then for each later
    piece k its ``(before, between)`` of ``parts[k - 1]``, and the pieces k of all sections.
    """

    head: str
    between: str
    tail: str
    parts: tuple[tuple[str, str], ...] = ()

    def join(self, sections: list) -> str:
        return b"".join(self.chunks([_encoded(s) for s in sections])).decode()

    def chunks(self, sections: list) -> list[bytes]:
        """The document as UTF-8 pieces around sections already encoded (each one piece,
        or a tuple of pieces)."""
        pieces = [s if isinstance(s, tuple) else (s,) for s in sections]
        out = [self.head.encode()]
        joins = [("", self.between), *self.parts]
        for k, (before, between) in enumerate(joins):
            out.append(before.encode())
            for i, section in enumerate(pieces):
                out += [between.encode(), section[k]] if i else [section[k]]
        return [*out, self.tail.encode()]


def _encoded(section: str | tuple[str, ...]) -> bytes | tuple[bytes, ...]:
    return section.encode() if isinstance(section, str) else tuple(s.encode() for s in section)


def anchor(sol: Solution, where: str, name: str = "") -> str:
    """A stable name for a place in the sheet, made of the problem id (letters, digits,
    ``_ - .``) and a name of the same characters: ``where`` is ``key`` (Part I) or ``app``
    (the appendix).

    >>> from symhw.derivation import Paragraph
    >>> anchor(Solution("q1", "k", "t", Paragraph(()), (), ()), "key", "gradient")
    'key-q1-gradient'
    """
    return f"{where}-{sol.problem_id}" + (f"-{name}" if name else "")


def box_name(box: Boxed, index: int) -> str:
    """The name of a boxed result: its first answer's, or ``conclusion<index>``."""
    return box.answers[0].name if box.answers else f"conclusion{index}"


def box_anchors(sol: Solution, box: Boxed, index: int) -> tuple[str, ...]:
    """The anchors of a boxed result in Part I, all at the box: one per answer it boxes
    (``key-q2-delta1``), or one for a conclusion (``box`` is the ``index``-th box).

    >>> a = Answer("a", sp.Symbol("a"), 1)
    >>> sol = Solution("q9", "k", "t", Paragraph(()), (), (a,), key=(Boxed((a,)), Boxed()))
    >>> [box_anchors(sol, b, i) for i, b in enumerate(sol.boxes())]
    [('key-q9-a',), ('key-q9-conclusion1',)]
    """
    names = [a.name for a in box.answers] or [box_name(box, index)]
    return tuple(anchor(sol, "key", n) for n in names)


def derivation_anchor(sol: Solution, box: Boxed) -> str:
    """Where a box's link goes: the appendix part that derives it, else the appendix's
    list of answers."""
    part = derived_in(sol, box)
    return anchor(sol, "app", "answers" if part is None else f"part{part}")


def linked_parts(sol: Solution) -> dict[int, str]:
    """The parts of the appendix a box of Part I links to (each has an anchor there), by
    index in ``sol.parts``, each with the anchor of the first box that links to it (the
    part's link back)."""
    out: dict[int, str] = {}
    for i, box in enumerate(sol.boxes()):
        part = derived_in(sol, box)
        if part is not None and part not in out:
            out[part] = anchor(sol, "key", box_name(box, i))
    return out


def derived_in(sol: Solution, box: Boxed) -> int | None:
    """The index in ``sol.parts`` of the part a box's result is derived in (None: the
    appendix's list of answers)."""
    if not box.derived_in:
        return None
    titles = [getattr(p, "title", None) for p in sol.parts]
    return titles.index(box.derived_in) if box.derived_in in titles else None


def answers_only(sol: Solution) -> tuple[Boxed, ...]:
    """The boxed results of a solution without the lines that derive them."""
    return tuple(replace(b, derivation=None) for b in sol.boxes())


@dataclass(frozen=True)
class SummaryRow:
    """One row of the summary table, for every format: the box it links to (``target``),
    the question it answers ("q1 (a)") and what it shows: one ``answer`` (its label and
    value), or ``words`` (a boxed conclusion's brief, else the conclusion). Beside an
    answer, ``words`` are what the row shows instead where the value does not fit a cell
    (the brief of a box of one answer, e.g. a 4 × 8 matrix described)."""

    target: str
    question: str
    words: Paragraph | None
    answer: Answer | None = None


def summary_table(sol: Solution) -> list[SummaryRow]:
    """The summary table's rows for one problem: a boxed conclusion is one row, its
    ``brief`` (else the conclusion itself); boxed answers are one row each, those the box's
    brief names (all of them where it names none), so three gradients boxed together are
    three rows.

    >>> a, b = Answer("a", sp.Symbol("a"), 1), Answer("b", sp.Symbol("b"), 2)
    >>> sol = Solution("q9", "k", "t", Paragraph(()), (), (a, b), key=(Boxed((a, b)),))
    >>> [(r.target, r.answer.name) for r in summary_table(sol)]
    [('key-q9-a', 'a'), ('key-q9-b', 'b')]
    """
    rows = []
    for i, box in enumerate(sol.boxes()):
        question = f"{sol.problem_id} {box.question}".strip()
        if box.statement is not None or not box.answers:
            words = box.brief if box.brief is not None else box.statement
            rows.append(SummaryRow(anchor(sol, "key", box_name(box, i)), question, words))
            continue
        shown = summarised(box)
        instead = box.brief if len(shown) == 1 else None
        rows += [SummaryRow(anchor(sol, "key", a.name), question, instead, a) for a in shown]
    return rows


def summarised(box: Boxed) -> tuple[Answer, ...]:
    """The answers of a box the summary table shows: those its brief mentions (a label, or
    an equation with it), else all; the brief thus picks the totals out of a box that also
    holds the counts per layer."""
    if box.brief is None:
        return box.answers
    maths = [seg for seg in box.brief.segments if isinstance(seg, sp.Basic)]
    named = tuple(a for a in box.answers if any(_mentions(m, a.label) for m in maths))
    return named or box.answers


def _mentions(math: sp.Basic, label: object) -> bool:
    return math == label or (isinstance(label, sp.Basic) and math.has(label))
