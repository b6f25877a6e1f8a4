"""A graded class's summary in Markdown (from :func:`symhw.grading.run.grade_class`'s
data): who was graded, the scoring rule, the spread of the totals, per answer how many
students got each verdict with its mean points and the diagnoses most often made (item
analysis), the answers a person has to decide, and the files not graded."""

from __future__ import annotations

from typing import Any

from symhw.render.grade_words import (
    found,
    graded_line,
    percent,
    points,
    rule,
    shown_verdicts,
    worth,
)
from symhw.render.markdown import escape, literal


def class_summary(data: dict[str, Any]) -> str:
    """The whole summary as a Markdown document."""
    s = data["summary"]
    out = [
        f"# Class summary: {escape(data['title'])}\n",
        graded_line(data, literal) + "\n",
        rule(data["grading"]) + "\n",
    ]
    t = s["totals"]
    if t["mean"] is not None:
        out.append(
            f"**Totals** (each student's answers are worth {worth(s['worth'])}): mean "
            f"{percent(t['mean'])}, median {percent(t['median'])}, lowest "
            f"{percent(t['min'])}, highest {percent(t['max'])}.\n"
        )
    if s["items"]:
        out += ["## Answers\n", _items(s["items"])]
    if s["unknown"]:
        out.append("## Claims on names no answer has (a misspelt name? decide by hand)\n")
        out.append("".join(
            f"- {literal(u['student'])}: {literal(u['field'])}\n" for u in s["unknown"]
        ))  # fmt: skip
    if s["review"]:
        out.append("## To decide by hand (undecided)\n")
        out.append("".join(
            f"- {literal(r['student'])}: {literal(r['problem'] + '.' + r['answer'])}\n"
            for r in s["review"]
        ))  # fmt: skip
    out += _not_graded(data)
    out += ["## Students\n", _students(data["students"])]
    return "\n".join(out)


def _students(students: list[dict[str, Any]]) -> str:
    rows = ["| student | submission | points | of | share |", "|---|---|---:|---:|---:|"]
    for st in students:
        given = st["submission"] is not None
        rows.append(
            f"| {literal(st['id'])} | {literal(st['submission']) if given else 'none'} | "
            f"{points(st['points'])} | {points(st['worth'])} | "
            f"{percent(st['points'] / st['worth']) if st['worth'] else ''} |"
        )
    return "\n".join(rows) + "\n"


def _items(items: list[dict[str, Any]]) -> str:
    shown = shown_verdicts(items)
    rows = [
        "| answer | points | asked | mean | " + " | ".join(shown) + " | most frequent diagnoses |",
        "|---|---:|---:|---:|" + "---:|" * len(shown) + "---|",
    ]
    for i in items:
        counts = " | ".join(str(i["counts"][v]) for v in shown)
        rows.append(
            f"| {literal(i['problem'] + '.' + i['answer'])} | {points(i['worth'])} | "
            f"{i['asked']} | {points(i['mean'])} | {counts} | {found(i, escape)} |"
        )
    return "\n".join(rows) + "\n"


def _not_graded(data: dict[str, Any]) -> list[str]:
    out = []
    if data["not_graded"]:
        out.append("## Files not graded\n")
        out.append(
            "".join(f"- {literal(f['file'])}: {escape(f['why'])}\n" for f in data["not_graded"])
        )
    if data["ignored"]:
        names = ", ".join(map(literal, data["ignored"]))
        out.append(f"Ignored (not a `.toml` file): {names}.\n")
    return out
