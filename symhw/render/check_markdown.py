"""The feedback sheet of ``symhw check`` in Markdown: the counts, then each claim as
written, its verdict and what it rests on, from the report's plain data
(:func:`symhw.checker.report.report_data`)."""

from __future__ import annotations

from typing import Any

from symhw.render.feedback_items import VERDICT_WORDS, details
from symhw.render.markdown import escape


def feedback(data: dict[str, Any]) -> str:
    """The whole feedback sheet."""
    title = data["title"] or f"Claims on {data['problem_set']}, checked"
    counts = ", ".join(f"{n} {v}" for v, n in data["counts"].items() if n)
    out = [f"# {escape(title)}\n"]
    if data["source"]:
        out.append(f"Source: {escape(data['source'])}\n")
    n = len(data["claims"])
    out.append(f"**{n} claim{'' if n == 1 else 's'}: {counts}.**\n")
    problem = None
    for claim in data["claims"]:
        if claim["problem"] != problem:
            problem = claim["problem"]
            out.append(f"## {escape(problem)}\n")
        out.append(claim_feedback(claim))
    return "\n".join(out)


def claim_feedback(c: dict[str, Any], heading: bool = True) -> str:
    """One claim (an item of the report's ``claims``): a heading of the sheet, or with
    ``heading`` False its name and verdict in bold (a claim shown on its own)."""
    where = f" ({escape(c['source'])})" if c["source"] else ""
    name = escape(c["name"]) if c["name"] else "statement"
    head = f"{name}{where}: {VERDICT_WORDS[c['verdict']]}"
    lines = [f"### {head}\n" if heading else f"**{head}**\n"]
    if c["written"]:
        lines.append(f"- written: ${c['written']['latex']}$")
    if c["expected"] and c["verdict"] != "correct":
        lines.append(f"- expected: ${c['expected']['latex']}$")
    lines += [f"- {d}" for d in details(c, escape, _math)]
    if c.get("note"):
        lines.append(f"- note: {escape(c['note'])}")
    return "\n".join(lines) + "\n"


def _math(tex: str) -> str:
    return f"${tex}$"
