"""The feedback sheet of ``symhw check`` in Markdown: the counts, then each claim as
written, its verdict and what it rests on, from the report's plain data
(:func:`symhw.check.report.report_data`)."""

from __future__ import annotations

import re
from typing import Any

from symhw.render.markdown import escape

#: How each verdict is said at the head of a claim.
VERDICT_WORDS = {
    "correct": "correct",
    "rounding": "rounding (as the hand computation rounds)",
    "carried": "carried (follows from an earlier line of yours)",
    "wrong": "wrong",
    "undecided": "undecided (not verified within the checking budget)",
    "unparsable": "cannot be read",
    "unknown": "unknown name",
}


def feedback(data: dict[str, Any]) -> str:
    """The whole feedback sheet."""
    title = data["title"] or f"Claims on {data['problem_set']}, checked"
    counts = ", ".join(f"{n} {v}" for v, n in data["counts"].items() if n)
    out = [f"# {escape(title)}\n"]
    if data["source"]:
        out.append(f"Source: {escape(data['source'])}\n")
    out.append(f"**{len(data['claims'])} claims: {counts}.**\n")
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
    lines += _details(c)
    if c.get("note"):
        lines.append(f"- note: {escape(c['note'])}")
    return "\n".join(lines) + "\n"


def _details(c: dict[str, Any]) -> list[str]:
    out = []
    for e in c.get("entries", ()):
        if e["verdict"] != "correct":
            at = ", ".join(map(str, e["index"])) or "the value"
            by = f"; explained by {e['explained_by']}" if e["explained_by"] else ""
            cut = " (digits cut, not rounded)" if e["truncated"] else ""
            out.append(
                f"- entry {at}: {e['written']} is {e['verdict']}{cut}: exact {e['exact']}, "
                f"{e['expected']} at the digits written{by}"
            )
    if "terms" in c:
        out += _terms(c["terms"])
    for cell in c.get("cells", ()):
        out.append(
            f"- entry ({cell['row']}, {cell['column']}): "
            f"${cell['written']['latex']}$ where ${cell['expected']['latex']}$ belongs"
        )
    if "step" in c:
        out.append(f"- step {c['step']['member']} does not follow: {escape(c['step']['why'])}")
    label = c.get("label")
    if label and not label["ok"]:
        stands = label["stands_for"]
        meaning = f"stands for ${stands['latex']}$" if stands else "names nothing of the problem"
        shown = label["as_written"]
        written = f"${shown['latex']}$" if shown else escape(label["written"])
        out.append(f"- label {written} {meaning}")
    for s in c.get("slips", ()):
        written, expected = (slip_symbol(s[k]) or escape(s[k]) for k in ("written", "expected"))
        out.append(f"- in {escape(s['in'])}: ${written}$ where ${expected}$ belongs")
    if c["why"] and c["verdict"] in ("unparsable", "unknown", "undecided"):
        out.append(f"- {escape(c['why'])}")
    return out


def _terms(t: dict[str, Any]) -> list[str]:
    def m(e: dict[str, str]) -> str:
        return f"${e['latex']}$"

    out = [f"- {m(s['written'])} where {m(s['expected'])} belongs" for s in t["swapped"]]
    out += [
        f"- {m(f['written'])}: a factor {f['factor']} too many (expected {m(f['expected'])})"
        for f in t["factors"]
    ]
    out += [f"- missing term {m(x)}" for x in t["missing"]]
    out += [f"- extra term {m(x)}" for x in t["extra"]]
    return out


def slip_symbol(name: str) -> str | None:
    """A layer symbol of a notation slip (``\\delta^2``, ``s^(3)``) as LaTeX math, or None
    for anything else (a sheet never sets as TeX text it did not make).

    >>> slip_symbol("s^(3)"), slip_symbol("\\\\delta^2"), slip_symbol("\\\\input{x}")
    ('s^{(3)}', '\\\\delta^{2}', None)
    """
    found = re.fullmatch(r"(\\delta|s|x)\^(\(?[0-9]{1,3}\)?)", name)
    return None if found is None else f"{found.group(1)}^{{{found.group(2)}}}"
