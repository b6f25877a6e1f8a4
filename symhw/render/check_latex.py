"""The feedback sheet of ``symhw check`` in LaTeX (for its PDF): a summary of the verdicts,
then per problem each claim: where it is on the writer's sheet, what was written, the
verdict, and what it rests on, from the report's plain data
(:func:`symhw.check.report.report_data`). Wide mathematics is reflowed, never shrunk."""

from __future__ import annotations

from typing import Any

from symhw.render.check_markdown import VERDICT_WORDS, slip_symbol
from symhw.render.latex.document import PREAMBLE
from symhw.render.latex.text import align, escape
from symhw.render.layout import LINE_EM, reflow, width


def feedback(data: dict[str, Any]) -> str:
    """The whole feedback sheet as a LaTeX document."""
    title = data["title"] or f"Claims on {data['problem_set']}, checked"
    out = [PREAMBLE, "\\begin{document}\n", f"\\section*{{{escape(title)}}}\n"]
    if data["source"]:
        out.append(f"Source: {escape(data['source'])}.\n\n")
    out.append(_summary(data))
    problem = None
    for claim in data["claims"]:
        if claim["problem"] != problem:
            problem = claim["problem"]
            out.append(f"\\subsection*{{{escape(problem)}}}\n")
        out.append(_claim(claim))
    out.append("\\end{document}\n")
    return "".join(out)


def _summary(data: dict[str, Any]) -> str:
    rows = "".join(
        f"{escape(verdict)} & {count} \\\\\n" for verdict, count in data["counts"].items() if count
    )
    return (
        f"{len(data['claims'])} claims. Every claim is checked against the exact value symhw "
        "derives; a number at the digits it was written with.\n\n"
        "\\begin{center}\n\\begin{tabular}{lr}\n\\hline\nverdict & claims \\\\\n\\hline\n"
        f"{rows}\\hline\n\\end{{tabular}}\n\\end{{center}}\n"
    )


def _claim(c: dict[str, Any]) -> str:
    where = f" ({escape(c['source'])})" if c["source"] else ""
    name = escape(c["name"]) if c["name"] else "statement"
    out = [f"\\paragraph{{{name}{where}}} {escape(VERDICT_WORDS[c['verdict']])}.\n"]
    if c["written"]:
        out.append(_display("written", c["written"]["latex"]))
    if c["expected"] and c["verdict"] != "correct":
        out.append(_display("expected", c["expected"]["latex"]))
    items = _details(c)
    if items:
        out.append("\\begin{itemize}\n" + "".join(f"\\item {i}\n" for i in items))
        out.append("\\end{itemize}\n")
    if c.get("note"):
        out.append(f"\\emph{{Note:}} {escape(c['note'])}\n\n")
    return "".join(out)


def _display(name: str, tex: str) -> str:
    """``name: tex`` as a display, reflowed to the line."""
    head = f"\\text{{{name}}} &: "
    rows = reflow(tex, LINE_EM - width(f"\\text{{{name}}}") - 3.0)
    return align([head + rows[0].tex, *(f"&\\quad {{}}{r.tex}" for r in rows[1:])])


def _math(tex: str) -> str:
    """Inline math short enough for a line; longer, its own display."""
    return f"${tex}$" if width(tex) <= LINE_EM / 2 else f"\\[{tex}\\]"


def _details(c: dict[str, Any]) -> list[str]:
    out = []
    for e in c.get("entries", ()):
        if e["verdict"] != "correct":
            at = ", ".join(map(str, e["index"])) or "the value"
            by = f"; explained by {escape(e['explained_by'])}" if e["explained_by"] else ""
            cut = " (digits cut, not rounded)" if e["truncated"] else ""
            out.append(
                f"entry {at}: {escape(e['written'])} is {escape(e['verdict'])}{cut}: exact "
                f"{escape(e['exact'])}, {escape(e['expected'])} at the digits written{by}"
            )
    if "terms" in c:
        out += _terms(c["terms"])
    for cell in c.get("cells", ()):
        out.append(
            f"entry ({cell['row']}, {cell['column']}): {_math(cell['written']['latex'])} "
            f"where {_math(cell['expected']['latex'])} belongs"
        )
    if "step" in c:
        out.append(f"member {c['step']['member']} does not follow: {escape(c['step']['why'])}")
    label = c.get("label")
    if label and not label["ok"]:
        stands = label["stands_for"]
        meaning = f"stands for {_math(stands['latex'])}" if stands else "names nothing here"
        shown = label["as_written"]
        written = f"${shown['latex']}$" if shown else escape(label["written"])
        out.append(f"the label {written} {meaning}")
    for s in c.get("slips", ()):
        written, expected = (_math_or_text(s[k]) for k in ("written", "expected"))
        out.append(f"in {escape(s['in'])}: {written} where {expected} belongs")
    if c["why"] and c["verdict"] in ("unparsable", "unknown", "undecided"):
        out.append(escape(c["why"]))
    return out


def _math_or_text(name: str) -> str:
    """A slip's symbol as math where it is one symhw made, else as text."""
    tex = slip_symbol(name)
    return escape(name) if tex is None else f"${tex}$"


def _terms(t: dict[str, Any]) -> list[str]:
    def m(e: dict[str, str]) -> str:
        return f"${e['latex']}$"

    out = [f"{m(s['written'])} where {m(s['expected'])} belongs" for s in t["swapped"]]
    out += [
        f"{m(f['written'])}: a factor {f['factor']} too many (expected {m(f['expected'])})"
        for f in t["factors"]
    ]
    out += [f"missing term {m(x)}" for x in t["missing"]]
    out += [f"extra term {m(x)}" for x in t["extra"]]
    return out
