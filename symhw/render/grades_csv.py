"""A graded class as CSV, for a spreadsheet or a gradebook: ``grades.csv``, a row per
student and answer, and ``totals.csv``, a row per student (from
:func:`symhw.grading.run.grade_class`'s data)."""

from __future__ import annotations

import csv
import io
from typing import Any

from symhw.render.grade_words import diagnosis, points

GRADES_HEADER = (
    "student", "problem", "answer", "verdict", "points", "max_points", "diagnosis", "claims"
)  # fmt: skip
TOTALS_HEADER = ("student", "submission", "points", "max_points")


def grades_csv(data: dict[str, Any]) -> str:
    """Every student's every answer: its verdict, points, what it is worth, what went
    wrong and the claims it rests on (their fields in the student's file)."""
    rows = [
        (
            s["id"], a.problem, a.answer, a.verdict, points(a.points), points(a.worth),
            "; ".join(diagnosis(d) for d in a.diagnoses), " ".join(a.fields),
        )
        for s in data["students"]
        for a in s["answers"]
    ]  # fmt: skip
    return _csv(GRADES_HEADER, rows)


def totals_csv(data: dict[str, Any]) -> str:
    """Every student's total and what the answers are worth; a student with no
    submission has an empty submission column (and no points)."""
    rows = [
        (s["id"], s["submission"] or "", points(s["points"]), points(s["worth"]))
        for s in data["students"]
    ]
    return _csv(TOTALS_HEADER, rows)


def _csv(header: tuple[str, ...], rows: list[tuple]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()
