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
        out.append(_claim(claim))
    return "\n".join(out)


def _claim(c: dict[str, Any]) -> str:
    where = f" ({escape(c['source'])})" if c["source"] else ""
    name = escape(c["name"]) if c["name"] else "statement"
    lines = [f"### {name}{where}: {VERDICT_WORDS[c['verdict']]}\n"]
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
