"""Part II, the appendix: each problem in full (its derivations, tables and figures), each
part a box of Part I links to linked back to it."""

from __future__ import annotations

import re

from symhw.derivation import Derivation, Figure, Paragraph, ReferenceCode, Solution, Table
from symhw.render import anchor, linked_parts
from symhw.render.expr import latex
from symhw.render.figures import FIGURE_FORMAT, figure_paths
from symhw.render.latex.displays import (
    answer_display,
    derivation_lines,
    flowed_rows,
    reference_math,
)
from symhw.render.latex.links import bookmark, link_target, page_link
from symhw.render.latex.text import align, escape, paragraph, table_cell
from symhw.render.layout import LINE_EM, reflow, width
from symhw.render.summary import verification_summary


def appendix_part(part) -> str:
    if isinstance(part, Paragraph):
        return paragraph(part) + "\n"
    if isinstance(part, Derivation):
        intro = paragraph(part.intro) + "\n" if part.intro else ""
        body = align(derivation_lines(part, tags=True))
        return f"\\subsection*{{{escape(part.title)}}}\n{intro}{body}"
    if isinstance(part, ReferenceCode):
        intro = paragraph(part.intro) + "\n" if part.intro else ""
        code = reference_math(part)
        return f"\\subsection*{{{escape(part.title)}}}\n{intro}\\[\n{code}\n\\]\n"
    if isinstance(part, Table):
        intro = paragraph(part.intro) + "\n" if part.intro else ""
        return f"\\subsection*{{{escape(part.title)}}}\n{intro}{_tables(part)}"
    raise TypeError(f"the LaTeX renderer does not support {type(part).__name__}")


def _cell_width(c) -> float:
    """A cell's estimated width in em, with the column's padding."""
    return (0.55 * len(c) if isinstance(c, str) else width(latex(c))) + 1.0


#: \small sets 10 pt type on the 11 pt sheet: a row that fits LINE_EM / _SMALL in 11 pt
#: fits the line in \small.
_SMALL = 10 / 10.95


def _tables(t: Table) -> str:
    """A table at full size where it fits, in \\small type where that fits (never scaled),
    otherwise its columns split over several tables, each repeating the first column."""
    cols = list(zip(t.header, *t.rows, strict=True))
    widths = [max(map(_cell_width, col)) for col in cols]
    if widths[0] + max(widths[1:], default=0.0) > LINE_EM / _SMALL:
        return _table_as_display(t)
    size = ""
    if sum(widths) > LINE_EM:
        size = "\\small\n"
    groups, start = [], 1
    while start < len(cols) or not groups:
        end, used = start, widths[0]
        while end < len(cols) and (end == start or used + widths[end] <= LINE_EM / _SMALL):
            used += widths[end]
            end += 1
        groups.append([0, *range(start, end)])
        start = end
    return "".join(_tabular_columns(t, g, size) for g in groups)


def _as_math(c) -> str:
    """A cell as math: text in ``\\text``, except a number written out, which is math (and
    can then be cut across rows)."""
    if isinstance(c, str):
        return c if re.fullmatch(r"[-+]?[0-9]+(\.[0-9]+)?", c) else rf"\text{{{escape(c)}}}"
    return latex(c)


def _table_as_display(t: Table) -> str:
    """A table with a cell too wide for any table: row by row, ``label (column) = cell``,
    each cell reflowed to the line."""
    cells = [
        (rf"{_as_math(row[0])}\ \left({_as_math(h)}\right)", _as_math(c))
        for row in t.rows
        for h, c in zip(t.header[1:], row[1:], strict=True)
    ]
    # one column of names; 1.5 em more than elsewhere: a long sum of function values
    # (ReLU(s) 0.1 - …) is wider than :func:`width` reckons
    budget = LINE_EM - max(width(name) for name, _ in cells) - 4.5
    rows = []
    for name, cell in cells:  # notes in the margin
        rows += flowed_rows(reflow(cell, budget), f"{name} &= ", "", tags=True)
    return align(rows)


#: Tables with more rows than this are set as a ``longtable``, which breaks across pages
#: and repeats its header (a ``tabular`` is one box: taller than a page, it runs off it).
_LONG_ROWS = 30


def _tabular_columns(t: Table, columns: list[int], size: str) -> str:
    head = " & ".join(table_cell(t.header[c]) for c in columns)
    rows = "\n".join(" & ".join(table_cell(row[c]) for c in columns) + r" \\" for row in t.rows)
    spec = "l" * len(columns)
    if len(t.rows) > _LONG_ROWS:
        return (
            f"\\begingroup{size}\n\\begin{{longtable}}{{{spec}}}\n\\hline\n{head} \\\\\n"
            f"\\hline\n\\endhead\n\\hline\n\\endfoot\n{rows}\n\\end{{longtable}}\n\\endgroup\n"
        )
    return (
        f"\\begin{{center}}{size}\n\\begin{{tabular}}{{{spec}}}\n\\hline\n"
        f"{head} \\\\\n\\hline\n{rows}\n\\hline\n\\end{{tabular}}\n\\end{{center}}\n"
    )


def _figure(fig: Figure, path: str) -> str:
    """A figure: its drawing, a PDF file beside the sheet (:mod:`symhw.render.figures`)."""
    caption = paragraph(fig.caption) if fig.caption else ""
    return (
        f"\\subsection*{{{escape(fig.title)}}}\n\\begin{{center}}\n"
        f"\\includegraphics{{{path}}}\n\\end{{center}}\n{caption}\n"
    )


def solution_section(sol: Solution, *, linked: bool = False, figure_dir: str = "figures") -> str:
    """One problem in full: statement, derivations, boxed answers, verification summary;
    figures are included from ``figure_dir`` (relative to the sheet).

    ``linked``: it is the appendix of a sheet whose Part I boxes the answers, so it gets a
    bookmark, each part a box links to a target and a link back to the box.
    """
    mark = link_target(anchor(sol, "app")) + bookmark(sol, "app", 1) if linked else ""
    head = rf"\section*{{{mark}{escape(sol.problem_id)}. {escape(sol.title)}}}"
    out = [head, paragraph(sol.statement) + "\n"]
    backs = _back_links(sol) if linked else {}
    paths = figure_paths(sol, figure_dir, FIGURE_FORMAT["tex"])
    for i, p in enumerate(sol.parts):
        text = _figure(p, paths[i]) if i in paths else appendix_part(p)
        if i in backs:
            title = rf"\subsection*{{{escape(p.title)}}}"
            target = link_target(anchor(sol, "app", f"part{i}"))  # in the heading: on its page
            back = rf"\subsection*{{{target}{escape(p.title)}"
            back += rf"\hfill{{\normalfont\small {backs[i]}}}}}"
            out.append(text.replace(title, back, 1))
        else:
            out.append(text)
    answers = "Answers"
    if linked:
        back = page_link(anchor(sol, "key"), "Part I")
        target = link_target(anchor(sol, "app", "answers"))
        answers = rf"{target}Answers\hfill{{\normalfont\small {back}}}"
    out.append(f"\\subsection*{{{answers}}}")
    for a in sol.answers:
        out.append(answer_display(a))
    out.append(f"\\paragraph{{Verification.}} {escape(verification_summary(sol))}\n")
    return "\n".join(out)


def _back_links(sol: Solution) -> dict[int, str]:
    """Per part of the appendix that a box of Part I links to: the link back to the (first)
    box, for the part's heading."""
    return {part: page_link(box, "boxed in Part I") for part, box in linked_parts(sol).items()}
