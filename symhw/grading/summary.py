"""A class summed up (item analysis): per answer, how many students got each verdict, the
mean points and the diagnoses most often made; the spread of the totals; and the answers a
person has to decide (``undecided``)."""

from __future__ import annotations

import statistics
from collections import Counter
from fractions import Fraction
from typing import Any

from symhw.grading.answers import GRADES

#: The diagnoses listed per answer, most frequent first.
TOP_DIAGNOSES = 3


def class_summary(students: list[dict[str, Any]]) -> dict[str, Any]:
    """The summary of a class's graded students (each with ``answers``, a list of
    :class:`~symhw.grading.answers.Graded`, ``points``, ``worth``, ``submission`` and
    ``unknown``, the fields of their claims on names no answer has). The totals are
    shares of what each student's answers are worth.

    >>> from symhw.grading.answers import Graded
    >>> one = lambda v, p: Graded("q1", "x", v, (), (("value",),) if p == 0 else (), p, 1)
    >>> s = class_summary([{"id": "a", "submission": "a.toml", "answers": [one("correct", 1)],
    ...     "points": 1, "worth": 1, "unknown": []}, {"id": "b", "submission": "b.toml",
    ...     "answers": [one("wrong", 0)], "points": 0, "worth": 1, "unknown": ["q1.xx"]}])
    >>> s["items"][0]["counts"]["wrong"], s["items"][0]["mean"], s["totals"]["median"]
    (1, Fraction(1, 2), Fraction(1, 2))
    >>> s["unknown"]
    [{'student': 'b', 'field': 'q1.xx'}]
    """
    submitted = [s for s in students if s["submission"] is not None]
    items: dict[tuple[str, str], list] = {}
    for student in submitted:
        for a in student["answers"]:
            items.setdefault((a.problem, a.answer), []).append(a)
    shares = [s["points"] / s["worth"] for s in submitted if s["worth"]]
    return {
        "students": len(students),
        "submitted": len(submitted),
        "worth": sorted({s["worth"] for s in students}),
        "totals": _spread(shares),
        "items": [_item(problem, answer, graded) for (problem, answer), graded in items.items()],
        "review": [
            {"student": s["id"], "problem": a.problem, "answer": a.answer}
            for s in submitted
            for a in s["answers"]
            if a.verdict == "undecided"
        ],
        "unknown": [{"student": s["id"], "field": f} for s in submitted for f in s["unknown"]],
    }


def _item(problem: str, answer: str, graded: list) -> dict[str, Any]:
    counts = Counter(a.verdict for a in graded)
    found = Counter(d for a in graded for d in a.diagnoses)
    top = sorted(found.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_DIAGNOSES]
    return {
        "problem": problem,
        "answer": answer,
        "asked": len(graded),
        "worth": max(a.worth for a in graded),
        "mean": sum((a.points for a in graded), start=Fraction(0)) / len(graded),
        "counts": {v: counts.get(v, 0) for v in GRADES},
        "diagnoses": [{"diagnosis": d, "students": n} for d, n in top],
    }


def _spread(shares: list[Fraction]) -> dict[str, Any]:
    """The spread of the students' totals, each as the share of what their answers are
    worth (variants may ask different answers: 46 points for one, 47 for another)."""
    if not shares:
        return {"mean": None, "median": None, "min": None, "max": None}
    return {
        "mean": sum(shares, start=Fraction(0)) / len(shares),
        "median": Fraction(statistics.median(shares)),
        "min": min(shares),
        "max": max(shares),
    }
