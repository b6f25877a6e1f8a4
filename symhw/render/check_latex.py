"""The feedback sheet of ``symhw check`` in LaTeX (for its PDF), laid out as the answer
key's Part I: a summary table of the verdicts per question, then per question (its title as
the key writes it) each claim: where it is on the writer's sheet, what was written, the
verdict, what it rests on, and a link to where the answer key derives it (a named
destination of the key's PDF beside it), from the report's plain data
(:func:`symhw.checker.report.report_data`). Wide mathematics is reflowed, never shrunk."""

from __future__ import annotations

import re
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
from symhw.render.latex.document import PREAMBLE
from symhw.render.latex.text import align, escape, literal, plain
from symhw.render.layout import LINE_EM, reflow, width

#: Links in colour (a feedback sheet is read on screen, its links followed); xcolor and
#: hyperref come with texlive-latex-recommended.
_HYPERREF = (
    "\\usepackage{xcolor}\n"
    "\\usepackage[colorlinks,allcolors=blue!55!black,bookmarksopen]{hyperref}\n"
    "\\usepackage{bookmark}\n"
)


def feedback(data: dict[str, Any], linked: bool = False) -> str:
    """The whole feedback sheet as a LaTeX document; ``linked``: the answer key's PDF is
    beside it, so each claim links into it (else each names its place)."""
    title = data["title"] or f"Claims on {data['problem_set']}, checked"
    out = [
        PREAMBLE + _HYPERREF + f"\\hypersetup{{pdftitle={{{plain(title)}}}}}\n",
        "\\begin{document}\n",
        f"\\section*{{{escape(title)}}}\n",
    ]
    if data["source"]:
        out.append(f"Source: {escape(data['source'])}.\n\n")
    graded = grade_note(data, escape, literal)
    if graded is not None:
        out.append(f"\\textbf{{{graded[0]}}} {graded[1]}\n\n")
    file = key_file(data, "pdf")
    out.append(key_note(data, file, linked, escape, _code) + "\n\n")
    out.append(_summary(data))
    target = file if linked else None
    for problem, about, claims in by_problem(data):
        out.append(_heading(problem, about, target))
        out += [_claim(claim, target) for claim in claims]
    out.append("\\end{document}\n")
    return "".join(out)


def _code(command: str) -> str:
    return f"\\texttt{{{escape(command)}}}"


def _heading(problem: str, about: dict[str, Any] | None, file: str | None) -> str:
    """A question's heading as the key's Part I writes it (``q2. Backpropagation ...``),
    a target for the summary table, a bookmark, and a link to the question in the key."""
    name = f"{problem}. {about['title']}" if about else problem
    mark = f"\\phantomsection\\label{{check-{problem}}}"
    mark += f"\\pdfbookmark[1]{{{plain(name)}}}{{bm-check-{problem}}}"
    link = ""
    if file is not None and about is not None:
        link = f"\\hfill{{\\normalfont\\small {_href(file, about['anchor'], 'answer key')}}}"
    return f"\\subsection*{{{mark}{escape(name)}{link}}}\n"


def _href(file: str, anchor: str, words: str) -> str:
    """A link to a named destination of another PDF (``hw2.pdf#key-q2-delta1``)."""
    return f"\\href{{{file}\\#{anchor}}}{{{words}}}"


def _summary(data: dict[str, Any]) -> str:
    """The verdicts at a glance, as the key's page 1: per question the count of each
    verdict any claim got, and the page its claims start on."""
    shown = [v for v, n in data["counts"].items() if n]
    cols = "l" + "r" * len(shown) + "r"
    head = " & ".join(["question", *map(escape, shown), "page"])
    rows = []
    for p in data["problems"]:
        counts = " & ".join(str(p["counts"][v]) for v in shown)
        page = f"\\hyperref[check-{p['id']}]{{\\pageref*{{check-{p['id']}}}}}"
        rows.append(f"{escape(p['id'])} & {counts} & {page} \\\\\n")
    total = " & ".join(str(data["counts"][v]) for v in shown)
    return (
        f"{_claims(len(data['claims']))}. Every claim is checked against the exact value symhw "
        "derives; a number at the digits it was written with.\n\n"
        f"\\begin{{center}}\n\\begin{{tabular}}{{{cols}}}\n\\hline\n{head} \\\\\n\\hline\n"
        f"{''.join(rows)}\\hline\nall & {total} & \\\\\n\\hline\n"
        "\\end{tabular}\n\\end{center}\n"
    )


def _claims(n: int) -> str:
    return f"{n} claim{'' if n == 1 else 's'}"


def _claim(c: dict[str, Any], file: str | None) -> str:
    where = f" ({escape(c['source'])})" if c["source"] else ""
    name = escape(c["name"]) if c["name"] else "statement"
    head = f"\\paragraph{{{name}{where}}} {escape(VERDICT_WORDS[c['verdict']])}."
    if c.get("key"):
        place = key_place(c["key"], escape)
        shown = _href(file, c["key"]["anchor"], place) if file is not None else place
        head += f"\\hfill\\mbox{{\\small {shown}}}"
    out = [head + "\n"]
    if c["written"]:
        out.append(_display("written", c["written"]["latex"]))
    if shows_expected(c):
        out.append(_display("expected", c["expected"]["latex"]))
    items = details(c, _prose, _math)
    if items:
        out.append("\\begin{itemize}\n" + "".join(f"\\item {i}\n" for i in items))
        out.append("\\end{itemize}\n")
    if c.get("note"):
        out.append(f"\\emph{{Note:}} {escape(c['note'])}\n\n")
    return "".join(out)


def _display(name: str, tex: str) -> str:
    """``name: tex`` as a display, reflowed to the line."""
    head = f"\\text{{{name}:}} &\\quad "
    rows = reflow(tex, LINE_EM - width(f"\\text{{{name}:}}") - 3.0)
    first = rows[0].tex
    if first.lstrip().startswith("-"):  # align opens the column with {}: a sign, not a minus
        first = f"{{{first}}}"
    return align([head + first, *(f"&\\qquad {{}}{r.tex}" for r in rows[1:])])


def _prose(text: str) -> str:
    """A finding's words as LaTeX text, a number's sign a minus (−0.875, not a hyphen)."""
    return re.sub(r"(?<![\w)])-(?=[0-9])", "$-$", escape(text))


def _math(tex: str) -> str:
    """Inline math short enough for a line; longer, its own display."""
    return f"${tex}$" if width(tex) <= LINE_EM / 2 else f"\\[{tex}\\]"
