"""Words and numbers of a graded class, shared by its renderers (the CSV files and the
class summary in Markdown and LaTeX): points as decimals, a diagnosis in words, the
scoring rule in a sentence."""

from __future__ import annotations

from collections.abc import Callable
from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from fractions import Fraction
from typing import Any

#: Places a number of points is shown to when it is no terminating decimal (1/3: 0.3333).
PLACES = 4

_DIAGNOSES = {
    "rounding": "rounded intermediate values",
    "equals": "the value of {}",
    "carried": "carried from {}",
    "swapped": "symbols swapped",
    "missing-terms": "terms missing",
    "extra-terms": "extra terms",
    "factors": "a term's factor wrong",
    "cells": "matrix entries wrong",
    "transposed": "transposed",
    "axes-order": "axes in another order",
    "numbers": "wrong numbers",
    "step": "a step that does not follow",
    "label": "a label of another quantity",
    "slip": "a slip of notation",
    "unparsable": "cannot be read",
    "undecided": "not decided within the budget",
    "unknown": "an unknown name",
    "value": "wrong value",
}


def points(value: object) -> str:
    """Points as a decimal: exact where it terminates, else to :data:`PLACES` places.

    >>> points(Fraction(3, 2)), points(Fraction(1, 3)), points(2), points(None)
    ('1.5', '0.3333', '2', '')
    """
    if value is None:
        return ""
    number = Fraction(value)
    places = next((p for p in range(PLACES + 1) if (number * 10**p).denominator == 1), PLACES)
    with localcontext(prec=60):
        shown = Decimal(number.numerator) / Decimal(number.denominator)
        return str(shown.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN))


def percent(share: Fraction | None) -> str:
    """A share as a percentage, to one decimal (half to even).

    >>> percent(Fraction(5, 6)), percent(Fraction(1)), percent(None)
    ('83.3%', '100.0%', '')
    """
    if share is None:
        return ""
    with localcontext(prec=60):
        shown = Decimal(share.numerator * 100) / Decimal(share.denominator)
        return f"{shown.quantize(Decimal('0.1'), rounding=ROUND_HALF_EVEN)}%"


def worth(values: list) -> str:
    """What the students' answers are worth: one number, or the numbers it ranges over
    when variants ask different answers.

    >>> worth([Fraction(47)]), worth([Fraction(46), Fraction(47)])
    ('47 points', '46 or 47 points (their variants ask different answers)')
    """
    shown = [points(v) for v in values]
    if len(shown) == 1:
        return f"{shown[0]} point{'' if shown[0] == '1' else 's'}"
    return f"{', '.join(shown[:-1])} or {shown[-1]} points (their variants ask different answers)"


def diagnosis(code: tuple[str, ...]) -> str:
    """A diagnosis (:func:`symhw.grading.answers.diagnoses`) in words.

    >>> diagnosis(("factor", "-1")), diagnosis(("factor", "1/2")), diagnosis(("equals", "s2"))
    ('sign flipped', '1/2 times the expected', 'the value of s2')
    """
    kind, *detail = code
    if kind == "factor":
        return "sign flipped" if detail == ["-1"] else f"{detail[0]} times the expected"
    return _DIAGNOSES[kind].format(*detail)


def rule(grading: dict[str, Any]) -> str:
    """The scoring rule in a sentence.

    >>> rule({"points": "1", "rounding": "1", "carried": "1/2", "undecided": "0",
    ...       "answers": {"q1": "2", "q2": {"delta1": "3"}}})[:70]
    'Each answer 1 point (q1: 2 each; q2.delta1: 3); a rounding verdict ear'
    """
    given = []
    for problem, value in grading["answers"].items():
        if isinstance(value, dict):
            given += [f"{problem}.{name}: {points(Fraction(p))}" for name, p in value.items()]
        else:
            given.append(f"{problem}: {points(Fraction(value))} each")
    each = points(Fraction(grading["points"]))
    head = f"Each answer {each} point{'' if each == '1' else 's'}"
    if given:
        head += f" ({'; '.join(given)})"
    r, c, u = (_percent(Fraction(grading[v])) for v in ("rounding", "carried", "undecided"))
    return (
        f"{head}; a rounding verdict earns {r}, carried {c}, undecided {u}; wrong, "
        "unparsable and missing none."
    )


def _percent(share: Fraction) -> str:
    return f"{points(share * 100)}%"


def graded_line(data: dict[str, Any], name: Callable[[str], str]) -> str:
    """Who was graded, and who handed nothing in (``name`` sets an id as it is spelled)."""
    s = data["summary"]
    missing = [st["id"] for st in data["students"] if st["submission"] is None]
    line = (
        f"{name(data['problem_set'])}: {s['submitted']} of {s['students']} students graded, "
        "each against their own variant."
    )
    if missing:
        line += f" No submission from {len(missing)}: {', '.join(map(name, missing))}."
    return line


def shown_verdicts(items: list[dict[str, Any]]) -> list[str]:
    """The verdicts some student got on some answer: the columns of the answers' table."""
    return [v for v in items[0]["counts"] if any(i["counts"][v] for i in items)]


def found(item: dict[str, Any], text: Callable[[str], str]) -> str:
    """An answer's most frequent diagnoses, each with how many students made it."""
    return "; ".join(
        f"{text(diagnosis(tuple(d['diagnosis'])))} ({d['students']})" for d in item["diagnoses"]
    )


def totals_line(
    summary: dict[str, Any], bold: Callable[[str], str], text: Callable[[str], str]
) -> str | None:
    """The spread of the class's totals in a sentence (``bold`` sets its first word,
    ``text`` escapes the words and numbers); None when nobody was graded."""
    t = summary["totals"]
    if t["mean"] is None:
        return None
    return (
        f"{bold('Totals')} (each student's answers are worth {text(worth(summary['worth']))}): "
        f"mean {text(percent(t['mean']))}, median {text(percent(t['median']))}, lowest "
        f"{text(percent(t['min']))}, highest {text(percent(t['max']))}."
    )


def by_hand(summary: dict[str, Any]) -> list[tuple[str, list[tuple[str, str]]]]:
    """What a person has to look at, as headed lists of (student, claim or answer): claims
    on names no answer has, and answers symhw could not decide; the empty ones left out."""
    lists = [
        (
            "Claims on names no answer has (a misspelt name? decide by hand)",
            [(u["student"], u["field"]) for u in summary["unknown"]],
        ),
        (
            "To decide by hand (undecided)",
            [(r["student"], f"{r['problem']}.{r['answer']}") for r in summary["review"]],
        ),
    ]
    return [(heading, items) for heading, items in lists if items]
