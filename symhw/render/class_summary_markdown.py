"""A graded class's summary in Markdown (from :func:`symhw.grading.run.grade_class`'s
data): who was graded, the scoring rule, the spread of the totals, per answer how many
students got each verdict with its mean points and the diagnoses most often made (item
analysis), the answers a person has to decide, and the files not graded."""

from __future__ import annotations

from typing import Any

from symhw.render.grade_words import (
    by_hand,
    found,
    graded_line,
    percent,
    points,
    rule,
    shown_verdicts,
    totals_line,
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
    totals = totals_line(s, lambda word: f"**{word}**", str)
    if totals is not None:
        out.append(totals + "\n")
    if s["items"]:
        out += ["## Answers\n", _items(s["items"])]
    for heading, items in by_hand(s):
        out.append(f"## {heading}\n")
        out.append("".join(f"- {literal(who)}: {literal(what)}\n" for who, what in items))
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
