"""A graded class's summary in LaTeX, for its PDF (from
:func:`symhw.grading.run.grade_class`'s data): what the Markdown summary says
(:mod:`symhw.render.class_summary_markdown`), the answers in a table that breaks across
pages, its verdict columns only those some student got."""

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
from symhw.render.latex.document import PREAMBLE
from symhw.render.latex.text import escape, literal, plain

_PACKAGES = "\\usepackage{longtable,booktabs,array}\n"


def class_summary(data: dict[str, Any]) -> str:
    """The whole summary as a LaTeX document."""
    s, title = data["summary"], f"Class summary: {data['title']}"
    out = [
        PREAMBLE + _PACKAGES + f"\\pdfinfo{{/Title ({plain(title)})}}\n",
        "\\begin{document}\n",
        f"\\section*{{{escape(title)}}}\n",
        graded_line(data, literal) + "\n\n",
        escape(rule(data["grading"])) + "\n\n",
    ]
    totals = totals_line(s, lambda word: f"\\textbf{{{word}}}", escape)
    if totals is not None:
        out.append(totals + "\n\n")
    if s["items"]:
        out += ["\\subsection*{Answers}\n", _items(s["items"])]
    for heading, items in by_hand(s):
        out.append(f"\\subsection*{{{escape(heading)}}}\n\\begin{{itemize}}\n")
        out += [f"\\item {literal(who)}: {literal(what)}\n" for who, what in items]
        out.append("\\end{itemize}\n")
    out += _not_graded(data)
    out += ["\\subsection*{Students}\n", _students(data["students"])]
    out.append("\\end{document}\n")
    return "".join(out)


def _items(items: list[dict[str, Any]]) -> str:
    shown = shown_verdicts(items)
    cols = "@{}l" + "r" * (3 + len(shown)) + ">{\\raggedright\\arraybackslash}p{6.2cm}@{}"
    head = " & ".join(
        ["answer", "points", "asked", "mean", *(f"\\rotatebox{{90}}{{{v}}}" for v in shown),
         "most frequent diagnoses"]
    )  # fmt: skip
    rows = []
    for i in items:
        cells = [
            literal(f"{i['problem']}.{i['answer']}"),
            points(i["worth"]),
            str(i["asked"]),
            points(i["mean"]),
            *(str(i["counts"][v]) for v in shown),
            found(i, escape),
        ]
        rows.append(" & ".join(cells) + " \\\\\n")
    return _table(cols, head, rows, "\\footnotesize\\setlength{\\tabcolsep}{3pt}")


def _students(students: list[dict[str, Any]]) -> str:
    rows = []
    for st in students:
        given = st["submission"]
        share = percent(st["points"] / st["worth"]) if st["worth"] else ""
        cells = [literal(st["id"]), literal(given) if given else "none",
                 points(st["points"]), points(st["worth"]), escape(share)]  # fmt: skip
        rows.append(" & ".join(cells) + " \\\\\n")
    head = "student & submission & points & of & share"
    return _table("@{}llrrr@{}", head, rows, "\\small")


def _table(cols: str, head: str, rows: list[str], size: str) -> str:
    """A table that breaks across pages, its head repeated on each."""
    return (
        f"{{{size}\n\\begin{{longtable}}{{{cols}}}\n\\toprule\n{head} \\\\\n"
        f"\\midrule\n\\endhead\n{''.join(rows)}\\bottomrule\n\\end{{longtable}}}}\n"
    )


def _not_graded(data: dict[str, Any]) -> list[str]:
    out = []
    if data["not_graded"]:
        out.append("\\subsection*{Files not graded}\n\\begin{itemize}\n")
        out += [f"\\item {literal(f['file'])}: {escape(f['why'])}\n" for f in data["not_graded"]]
        out.append("\\end{itemize}\n")
    if data["ignored"]:
        out.append(f"Ignored (not a .toml file): {', '.join(map(literal, data['ignored']))}.\n")
    return out
