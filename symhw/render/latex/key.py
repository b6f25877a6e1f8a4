"""Part I, the answer key (each question worked, its results boxed and linked to the
appendix), and the rows of page 1's tables: the summary and the boxed answers."""

from __future__ import annotations

import re

from symhw.derivation import Boxed, Derivation, Figure, Paragraph, Solution, Table
from symhw.render import (
    anchor,
    answers_only,
    box_anchors,
    derivation_anchor,
    summary_table,
)
from symhw.render.expr import latex
from symhw.render.figures import FIGURE_FORMAT, figure_paths
from symhw.render.latex.appendix import appendix_part
from symhw.render.latex.displays import answer_display, answer_math, key_rows, summary_cell
from symhw.render.latex.links import bookmark, link_target, page_link
from symhw.render.latex.text import escape, paragraph, table_cell
from symhw.render.layout import LINE_EM, width


def _key_part(sol: Solution, part, index: int, links: bool, figure_dir: str = "figures") -> str:
    if isinstance(part, Boxed):
        return _boxed(sol, part, index, links)
    if isinstance(part, Figure):  # the appendix's figure: the same file
        path = figure_paths(sol, figure_dir, FIGURE_FORMAT["tex"])[_position(sol, part)]
        return _key_figure(part, path)
    if isinstance(part, Derivation):
        title = rf"\paragraph{{{escape(part.title)}}}" if part.title else ""
        intro = paragraph(part.intro) + "\n" if part.intro else ""
        return f"{title}{intro}\\begin{{align*}}\n{key_rows(part)}\n\\end{{align*}}\n"
    if isinstance(part, Paragraph):
        return paragraph(part) + "\n"
    tex = appendix_part(part).replace("\\subsection*{}\n", "")
    return tex.replace("\\subsection*", "\\paragraph")


def _key_figure(fig: Figure, path: str) -> str:
    """A figure in Part I, where a question has a page: at its natural size, as in the
    appendix (never scaled), its title and caption beside it or below it
    (``\\symhwfigure``, :data:`symhw.render.latex.document.KEY_FIGURE`)."""
    words = rf"\textbf{{{escape(fig.title)}.}} " + (paragraph(fig.caption) if fig.caption else "")
    return f"\\symhwfigure{{{path}}}{{{words}}}\n"


def _position(sol: Solution, fig: Figure) -> int:
    """Where a figure of Part I is in ``sol.parts`` (its file is named by that position)."""
    return next(i for i, p in enumerate(sol.parts) if p is fig or p == fig)


def _boxed(sol: Solution, box: Boxed, index: int, links: bool) -> str:
    """A boxed result with a target for the summary table and, with ``links``, a link to
    where the appendix derives it."""
    targets, goal, small = _box_ends(sol, box, index, links)

    def linked(body: str) -> str:
        return rf"\hyperref[{goal}]{{{body}}}" if links else body

    tag = rf"\tag*{{{small}}}" if links else ""
    if box.derivation is not None:
        return _derived_boxes(sol, [(box, index)], links)
    if box.statement is not None:
        lead = rf"\textbf{{{escape(box.question)}}} " if box.question else ""
        words = paragraph(box.statement, displays=False)
        text = lead + words + (_flush_right(small) if links else "")
        # ragged right, never hyphenated: a box's words stay whole (Disadvantages, not Dis-)
        plain = rf"\raggedright\hyphenpenalty=10000\exhyphenpenalty=10000 {text}"
        body = rf"\fbox{{\parbox{{0.9\linewidth}}{{{plain}}}}}"
        return f"{targets}\\begin{{center}}{body}\\end{{center}}\n"
    if box.table is not None:
        body = rf"\fbox{{{_tabular(box.table)}}}" + (rf"\\[2pt]{{{small}}}" if links else "")
        return f"{targets}\\begin{{center}}{body}\\end{{center}}\n"
    if any(width(answer_math(a)) > LINE_EM for a in box.answers):  # reflowed, never shrunk
        shown = "\n".join(answer_display(a) for a in box.answers)
        link = rf"\begin{{flushright}}{small}\end{{flushright}}" if links else ""
        return f"{targets}{shown}\n{link}\n"
    boxes = [linked(answer_math(a)) for a in box.answers]
    lines = " \\\\ ".join(r" \qquad ".join(line) for line in _packed(boxes))
    env = "gather*" if "\\\\" in lines else "equation*"
    return f"{targets}\\begin{{{env}}}\n{lines}{tag}\n\\end{{{env}}}\n"


def _flush_right(note: str) -> str:
    """A note at the right end of a paragraph's last line, or of a line of its own if it
    does not fit there (The TeXbook, ch. 14)."""
    return (
        r"{\unskip\nobreak\hfil\penalty50\hskip2em\hbox{}\nobreak\hfil"
        rf"\mbox{{{note}}}\parfillskip=0pt\par}}"
    )


def _box_ends(sol: Solution, box: Boxed, index: int, links: bool) -> tuple[str, str, str]:
    """A box's targets (for the summary table), the appendix part it links to, and the
    link as a small note (empty without ``links``)."""
    targets = "".join(link_target(a) for a in box_anchors(sol, box, index))
    goal = derivation_anchor(sol, box)
    return targets, goal, rf"\small {page_link(goal, 'derivation')}" if links else ""


def _derived_boxes(sol: Solution, run: list[tuple[Boxed, int]], links: bool) -> str:
    """Boxes each at the end of the lines that derive it (``box.derivation``), one after
    another: one display, the last row of each box tagged with its own link."""
    targets, rows = "", []
    for box, index in run:
        more, goal, small = _box_ends(sol, box, index, links)
        targets += more
        link = goal if links else ""
        rows.append(key_rows(box.derivation, boxed=True, last_tag=small, link=link))
    body = " \\\\\n".join(rows)
    return f"{targets}\\begin{{align*}}\n{body}\n\\end{{align*}}\n"


def _tabular(table: Table) -> str:
    """A small table of results: the first column left, the others (numbers) right."""
    cols = "l" + "r" * (len(table.header) - 1)
    head = " & ".join(table_cell(h) for h in table.header)
    rows = "\n".join(" & ".join(table_cell(c) for c in row) + r" \\" for row in table.rows)
    return f"\\begin{{tabular}}{{{cols}}}\n{head} \\\\\n\\hline\n{rows}\n\\end{{tabular}}"


#: What a line of boxes may hold, in characters of LaTeX source left when markup is
#: dropped (:func:`visible_width`): a rough width, kept well inside the line.
_LINE_BUDGET = 90
_MARKUP = re.compile(
    r"\\hyperref\[[^\]]*\]|\\(?:left|right|boxed|operatorname|mathrm|tilde)\b|[{}]|\\ "
)


def visible_width(tex: str) -> int:
    """About how many characters a formula shows: its LaTeX without markup, a command
    (``\\mu``, ``\\frac``) counted as one."""
    return len(re.sub(r"\\[a-zA-Z]+", "x", _MARKUP.sub("", tex)))


def _packed(boxes: list[str]) -> list[list[str]]:
    """Boxes put on lines greedily, each line within :data:`_LINE_BUDGET`."""
    lines: list[list[str]] = []
    used = _LINE_BUDGET
    for b in boxes:
        width = visible_width(b) + 4
        if used + width > _LINE_BUDGET:
            lines.append([])
            used = 0
        lines[-1].append(b)
        used += width
    return lines


def key_section(
    sol: Solution, *, links: bool = True, worked: bool = True, figure_dir: str = "figures"
) -> str:
    """Part I for one problem: the question, the worked solution, the boxed results
    (``worked`` False: the question's boxed results only); figures from ``figure_dir``."""
    level = "section" if worked else "subsection"
    mark = link_target(anchor(sol, "key")) + bookmark(sol, "key", 1)  # in the heading: its page
    out = [rf"\{level}*{{{mark}{escape(sol.problem_id)}. {escape(sol.title)}}}"]
    if worked:
        out.append(paragraph(sol.statement) + "\n")
    boxes = 0
    for run in _runs(sol.key_parts() if worked else answers_only(sol)):
        if _display(run[0]):  # in the paragraph before it: no blank line, no empty line
            out[-1] = out[-1].rstrip("\n")
        if len(run) > 1:
            out.append(_derived_boxes(sol, [(b, boxes + i) for i, b in enumerate(run)], links))
        else:
            out.append(_key_part(sol, run[0], boxes, links, figure_dir))
        boxes += sum(isinstance(part, Boxed) for part in run)
    return "\n".join(out)


def _runs(parts) -> list[list]:
    """Parts of Part I in order, consecutive boxes derived on lines of their own grouped
    (one display holds them); every other part alone."""
    runs: list[list] = []
    for part in parts:
        derived = isinstance(part, Boxed) and part.derivation is not None
        if derived and runs and all(isinstance(p, Boxed) and p.derivation for p in runs[-1]):
            runs[-1].append(part)
        else:
            runs.append([part])
    return runs


def _display(part) -> bool:
    """Whether a part of Part I is set as a display (it then ends the paragraph before)."""
    if isinstance(part, Boxed):
        return part.statement is None
    return isinstance(part, Derivation) and not part.title and part.intro is None


def answer_rows(sol: Solution) -> str:
    """The rows of the table of boxed answers (the ``answers`` detail): question, and every
    answer boxed in full, or the conclusion in words."""
    rows = []
    for box in answers_only(sol):
        question = escape(f"{sol.problem_id} {box.question}".strip())
        if box.answers:
            relation = {True: r"\approx", False: "="}
            what = r" \quad ".join(
                rf"$\boxed{{{latex(a.label)} {relation[a.approximate]} {latex(a.value)}}}$"
                for a in box.answers
            )
        else:
            what = paragraph(box.statement, displays=False) if box.statement else ""
        rows.append(rf"{question} & {what} \\[2pt]")
    return "\n".join(rows) + "\n"


def summary_rows(sol: Solution) -> str:
    """The rows of the summary table for one problem: question, answer, page."""
    rows = []
    for row in summary_table(sol):
        page = rf"\hyperref[{row.target}]{{\pageref*{{{row.target}}}}}"
        rows.append(rf"{_question(row.question)} & {summary_cell(row, _cell_words)} & {page} \\")
    return "\n".join(rows) + "\n"


#: The longest question name the summary table's first column holds on one line; a longer
#: one (a problem id such as 8x8-symbolic-rounded) wraps at its hyphens within what the
#: answer and page columns leave of the line.
_QUESTION_CHARS = 12


def _question(name: str) -> str:
    if len(name) <= _QUESTION_CHARS:
        return escape(name)
    return rf"\parbox[t]{{0.14\linewidth}}{{\raggedright {escape(name)}}}"


def _cell_words(p: Paragraph) -> str:
    """Prose in a table cell, its math inline (a cell cannot hold a display)."""
    return paragraph(p, displays=False)
