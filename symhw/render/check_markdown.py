"""The feedback sheet of ``symhw check`` in Markdown, laid out as the answer key's Part I: a
summary table of the verdicts per question, then per question (its title as the key writes
it) each claim as written, its verdict, what it rests on, and a link to where the answer key
derives it (an anchor of the key's Markdown beside it), from the report's plain data
(:func:`symhw.checker.report.report_data`)."""

from __future__ import annotations

from typing import Any

from symhw.render.feedback_items import (
    VERDICT_WORDS,
    by_problem,
    details,
    grade_note,
    key_file,
    key_note,
    key_place,
    shows_expected,
)
from symhw.render.markdown import escape, literal


def feedback(data: dict[str, Any], linked: bool = False) -> str:
    """The whole feedback sheet; ``linked``: the answer key's Markdown is beside it, so each
    claim links into it (else each names its place)."""
    title = data["title"] or f"Claims on {data['problem_set']}, checked"
    counts = ", ".join(f"{n} {v}" for v, n in data["counts"].items() if n)
    out = [f"# {escape(title)}\n"]
    if data["source"]:
        out.append(f"Source: {escape(data['source'])}\n")
    graded = grade_note(data, escape, literal)
    if graded is not None:
        out.append(f"**{graded[0]}** {graded[1]}\n")
    file = key_file(data, "md")
    out.append(key_note(data, file, linked, escape, _code) + "\n")
    n = len(data["claims"])
    out.append(f"**{n} claim{'' if n == 1 else 's'}: {counts}.**\n")
    if data["problems"]:
        out.append(_summary(data))
    target = file if linked else None
    for problem, about, claims in by_problem(data):
        out.append(_heading(problem, about, target))
        out += [claim_feedback(claim, target) for claim in claims]
    return "\n".join(out)


def _code(command: str) -> str:
    return f"`{command}`"


def _summary(data: dict[str, Any]) -> str:
    """The verdicts at a glance, as the key's first table: per question (a link to its
    claims) the count of each verdict any claim got."""
    shown = [v for v, n in data["counts"].items() if n]
    rows = [
        "| question | " + " | ".join(shown) + " |",
        "|---|" + "---:|" * len(shown),
        *(
            f"| [{escape(p['id'])}](#check-{p['id']}) | "
            + " | ".join(str(p["counts"][v]) for v in shown)
            + " |"
            for p in data["problems"]
        ),
        "| all | " + " | ".join(str(data["counts"][v]) for v in shown) + " |",
    ]
    return "\n".join(rows) + "\n"


def _heading(problem: str, about: dict[str, Any] | None, file: str | None) -> str:
    """A question's heading as the key's Part I writes it, an anchor for the summary
    table, and a link to the question in the key."""
    name = escape(f"{problem}. {about['title']}" if about else problem)
    link = ""
    if file is not None and about is not None:
        link = f"\n[answer key: {escape(problem)} ↗]({file}#{about['anchor']})\n"
    return f'<a id="check-{problem}"></a>\n## {name}\n{link}'


def claim_feedback(c: dict[str, Any], file: str | None = None, heading: bool = True) -> str:
    """One claim (an item of the report's ``claims``): a heading of the sheet, or with
    ``heading`` False its name and verdict in bold (a claim shown on its own); its place
    in the answer key a link into ``file`` where given, else in words."""
    where = f" ({escape(c['source'])})" if c["source"] else ""
    name = escape(c["name"]) if c["name"] else "statement"
    head = f"{name}{where}: {VERDICT_WORDS[c['verdict']]}"
    lines = [f"### {head}\n" if heading else f"**{head}**\n"]
    if c["written"]:
        lines.append(f"- written: ${c['written']['latex']}$")
    if shows_expected(c):
        lines.append(f"- expected: ${c['expected']['latex']}$")
    lines += [f"- {d}" for d in details(c, escape, _math)]
    if c.get("note"):
        lines.append(f"- note: {escape(c['note'])}")
    if c.get("key"):
        place = key_place(c["key"], escape)
        lines.append(f"- [{place}]({file}#{c['key']['anchor']})" if file else f"- {place}")
    return "\n".join(lines) + "\n"


def _math(tex: str) -> str:
    return f"${tex}$"
