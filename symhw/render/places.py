"""Where the answer key derives a value (:func:`key_places`): the anchor of its box in Part I,
else of the appendix part that derives it, else of its question, named by the functions
the key's renderers mark those places with, so a link to it always lands."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from symhw.derivation import Derivation, Solution
from symhw.render import anchor, box_anchors, linked_parts


@dataclass(frozen=True)
class KeyPlace:
    """A place in the answer key (``symhw sheet``'s document, PDF and Markdown alike):
    ``anchor`` names it in both (``key-q2-delta1``); ``at`` says what is there: ``boxed``
    (the answer boxed in Part I, where it is derived), ``appendix`` (the part of the
    appendix titled ``title`` that derives it) or ``question`` (the question in Part I).
    The appendix is in the key at its default detail (``full``) only."""

    anchor: str
    at: str
    title: str = ""


def key_places(sol: Solution) -> Callable[[str | None, object], KeyPlace]:
    """Where the key derives a value of ``sol``, by its name (an answer's, a quantity's, or
    None for a statement) and its label (how the sheet writes it): the box of that answer;
    else the one appendix part that a box links to and that derives the label (a step of
    it, not a definition, starts with it: q2's s⁽¹⁾ in the forward pass); else the question.
    A name has one label in a problem: each name's place is worked out once.

    >>> import sympy as sp
    >>> from symhw.derivation import Answer, Boxed, Paragraph
    >>> a, b = Answer("a", sp.Symbol("a"), 1), Answer("b", sp.Symbol("b"), 2)
    >>> sol = Solution("q9", "k", "t", Paragraph(()), (), (a, b), key=(Boxed((a,)),))
    >>> place = key_places(sol)
    >>> place("a", a.label), place("b", b.label).anchor
    (KeyPlace(anchor='key-q9-a', at='boxed', title=''), 'key-q9')
    """
    boxed: dict[str, str] = {}
    for i, box in enumerate(sol.boxes()):
        for answer, target in zip(box.answers, box_anchors(sol, box, i), strict=False):
            boxed.setdefault(answer.name, target)
    derived = _derived(sol)
    question = KeyPlace(anchor(sol, "key"), "question")

    memo: dict[str | None, KeyPlace] = {}  # a class's files name the same values

    def place(name: str | None, label: object) -> KeyPlace:
        if name in memo:
            return memo[name]
        if name in boxed:
            found = KeyPlace(boxed[name], "boxed")
        else:
            try:
                found = derived.get(label) or question
            except TypeError:  # a label that cannot be hashed is no step's subject
                found = question
        if len(memo) < MEMO_SIZE:
            memo[name] = found
        return found

    return place


#: The most names a problem's places are remembered for (a name has one label in it).
MEMO_SIZE = 10_000


def _derived(sol: Solution) -> dict[object, KeyPlace]:
    """Each label a verified step of exactly one linked appendix part starts with (a step
    continuing a chain starts with the previous member: not a subject), and that part."""
    found: dict[object, set[int]] = {}
    for i in linked_parts(sol):
        part = sol.parts[i]
        if not isinstance(part, Derivation):
            continue
        for step in part.steps:
            if step.continues or step.check.status == "definition":
                continue
            try:
                found.setdefault(_subject(step.lhs), set()).add(i)
            except TypeError:  # unhashable: no label is it
                continue
    return {
        label: KeyPlace(anchor(sol, "app", f"part{i}"), "appendix", sol.parts[i].title)
        for label, (i, *more) in found.items()
        if not more
    }


def _subject(member: object) -> object:
    """What a step's first member names: itself, or what a display node shows of it
    (mlp-backprop's ``Shown``: s⁽¹⁾ written over its value, as the printers show it)."""
    shown = getattr(member, "display", None)
    return member if shown is None or callable(shown) else shown
