"""The feedback sheet of ``symhw check`` in LaTeX (for its PDF): a summary of the verdicts,
then per problem each claim: where it is on the writer's sheet, what was written, the
verdict, and what it rests on, from the report's plain data
(:func:`symhw.checker.report.report_data`). Wide mathematics is reflowed, never shrunk."""

from __future__ import annotations

from typing import Any

from symhw.render.feedback_items import VERDICT_WORDS, details
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
        f"{_claims(len(data['claims']))}. Every claim is checked against the exact value symhw "
        "derives; a number at the digits it was written with.\n\n"
        "\\begin{center}\n\\begin{tabular}{lr}\n\\hline\nverdict & claims \\\\\n\\hline\n"
        f"{rows}\\hline\n\\end{{tabular}}\n\\end{{center}}\n"
    )


def _claims(n: int) -> str:
    return f"{n} claim{'' if n == 1 else 's'}"


def _claim(c: dict[str, Any]) -> str:
    where = f" ({escape(c['source'])})" if c["source"] else ""
    name = escape(c["name"]) if c["name"] else "statement"
    out = [f"\\paragraph{{{name}{where}}} {escape(VERDICT_WORDS[c['verdict']])}.\n"]
    if c["written"]:
        out.append(_display("written", c["written"]["latex"]))
    if c["expected"] and c["verdict"] != "correct":
        out.append(_display("expected", c["expected"]["latex"]))
    items = details(c, escape, _math)
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
