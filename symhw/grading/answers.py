"""A student's answers graded, from their feedback report (:mod:`symhw.checker.report`
data): each answer asked of their variant gets the verdict of the claims that give it,
what went wrong as short diagnoses a class can be counted by, and its points.

An answer is given by the claims named after it (``basic_layers_bias``, or its entries
``basic_layers_bias[1]``); given more than once, it is graded on the weakest (a second
value is no second chance); not given, it is ``missing``. Claims on other quantities (a
step's intermediate value) are in the feedback, not in the grades.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from symhw.checker.values import REORDERED, TRANSPOSED
from symhw.checker.verdict import VERDICTS
from symhw.scoring import Scoring

#: Every verdict an answer can get, best first: the checker's, then ``missing``.
GRADES = (*VERDICTS, "missing")


@dataclass(frozen=True)
class Graded:
    """One answer of one student: its verdict, the claims (fields) it rests on, what
    went wrong (:func:`diagnoses`), its points and what it is worth."""

    problem: str
    answer: str
    verdict: str
    fields: tuple[str, ...]
    diagnoses: tuple[tuple[str, ...], ...]
    points: Fraction
    worth: Fraction


def graded_answers(
    report: dict[str, Any] | None,
    asked: tuple[tuple[str, tuple[str, ...]], ...],
    scoring: Scoring,
) -> list[Graded]:
    """Each answer asked (by problem, in sheet order) graded from a report's claims; with no
    report (nothing submitted), every answer ``missing``."""
    claims = report["claims"] if report is not None else []
    by_answer: dict[tuple[str, str], list[dict]] = {}
    for claim in claims:
        name = claim.get("name")
        if name is not None:
            by_answer.setdefault((claim["problem"], name.partition("[")[0]), []).append(claim)
    out = []
    for problem, names in asked:
        for answer in names:
            given = by_answer.get((problem, answer), [])
            verdict = max((c["verdict"] for c in given), key=GRADES.index, default="missing")
            found = tuple(dict.fromkeys(d for c in given for d in diagnoses(c)))
            worth = scoring.points_of(problem, answer)
            points = worth * scoring.share(verdict)
            fields = tuple(c["field"] for c in given)
            out.append(Graded(problem, answer, verdict, fields, found, points, worth))
    return out


def diagnoses(claim: dict[str, Any]) -> tuple[tuple[str, ...], ...]:
    """What went wrong in a claim, as short codes with their details, the same for every
    student who made the slip (no student's numbers in them), so a class's can be counted:
    ``("rounding",)``, ``("carried", "delta1")``, ``("equals", "s2")`` (the value of
    another answer), ``("factor", "-1")`` (the whole expression times a factor),
    ``("swapped",)``, ``("missing-terms",)``, ``("extra-terms",)``, ``("cells",)``,
    ``("numbers",)`` (numbers that are wrong), ``("step",)`` (a step that does not follow),
    ``("label",)`` (a label that stands for another quantity), ``("slip",)``,
    ``("unparsable",)``, ``("undecided",)``; ``("value",)`` when a wrong value has none of
    these. A correct claim has none.

    >>> diagnoses({"verdict": "wrong", "terms": {"whole": {"text": "-1"}, "swapped": []}})
    (('factor', '-1'),)
    """
    verdict = claim["verdict"]
    if verdict == "correct":
        return ()
    if verdict in ("unparsable", "undecided", "unknown"):
        return ((verdict,),)
    found: list[tuple[str, ...]] = []
    entries = claim.get("entries") or []
    if any(e["verdict"] == "rounding" for e in entries):
        found.append(("rounding",))
    for source in dict.fromkeys(s for e in entries for s in e.get("carried_from") or ()):
        found.append(("carried", source))
    if claim.get("equals"):
        found.append(("equals", claim["equals"]["name"]))
    found.extend(_terms(claim.get("terms")))
    if claim.get("cells"):
        found.append(("cells",))
    if claim.get("why") in (TRANSPOSED, REORDERED):
        found.append(("transposed" if claim["why"] == TRANSPOSED else "axes-order",))
    wrong = [e for e in entries if e["verdict"] == "wrong"]
    if wrong and not claim.get("equals"):
        found.append(("factor", "-1") if all(map(_negated, wrong)) else ("numbers",))
    if claim.get("step"):
        found.append(("step",))
    if claim.get("label") and not claim["label"]["ok"]:
        found.append(("label",))
    if claim.get("slips"):
        found.append(("slip",))
    if not found and claim.get("value_verdict") == "rounding":
        found.append(("rounding",))
    if not found:
        found.append(("value",))
    return tuple(found)


def _negated(entry: dict[str, Any]) -> bool:
    """Whether a wrong number is the expected one with its sign flipped (at the digits
    written: 0.2353 for -0.2353)."""
    try:
        written, expected = Decimal(entry["written"]), Decimal(entry["expected"])
    except (ArithmeticError, TypeError, ValueError):
        return False
    return written != 0 and written == -expected


def _terms(terms: dict[str, Any] | None) -> list[tuple[str, ...]]:
    if not terms:
        return []
    found: list[tuple[str, ...]] = []
    if terms.get("whole"):
        found.append(("factor", terms["whole"]["text"]))
    for key, code in (("swapped", "swapped"), ("missing", "missing-terms"),
                      ("extra", "extra-terms"), ("factors", "factors")):  # fmt: skip
        if terms.get(key):
            found.append((code,))
    return found
