"""Markdown renderer: headings, prose with $...$, derivations as $$\\begin{aligned}$$ blocks."""

from __future__ import annotations

from symhw.derivation import (
    Boxed,
    Derivation,
    Figure,
    Paragraph,
    ReferenceCode,
    Solution,
    Table,
)
from symhw.render import (
    Frame,
    anchor,
    answers_only,
    box_anchors,
    derivation_anchor,
    linked_parts,
    summary_table,
)
from symhw.render.decimals import grouped_text
from symhw.render.expr import latex
from symhw.render.figures import FIGURE_FORMAT, figure_paths
from symhw.render.latex.displays import (
    answer_math,
    derivation_math,
    key_math,
    reference_math,
    summary_cell,
)
from symhw.render.names import with_primes
from symhw.render.summary import verification_summary

_MARKUP = set("\\`*_[]<>#|$")
#: Each markup character backslash-escaped (str.translate).
_ESCAPED = str.maketrans({ch: "\\" + ch for ch in _MARKUP})


#: Between digit groups in prose: U+202F NARROW NO-BREAK SPACE, the thin space SI and ISO
#: 80000 write (18 496): narrower than a word space, so 18 496 reads as one number, and
#: unbreakable, so a line never ends inside it. (Math has \, from the LaTeX printer.)
NARROW_NBSP = "\u202f"


def escape(text: str) -> str:
    r"""Plain text that Markdown shows as written: markup characters backslash-escaped,
    primed activations (θ', tanh') as math, long whole numbers grouped by :data:`NARROW_NBSP`.

    >>> print(escape("a_b *c* | #1 $5"))
    a\_b \*c\* \| \#1 \$5
    """
    return with_primes(
        text,
        lambda piece: grouped_text(piece.translate(_ESCAPED), NARROW_NBSP),
    )


def literal(text: str) -> str:
    """A name as it is spelled (a student id, a file name), as code: no number grouped,
    a backtick or a character outside printable ASCII shown as ``?``.

    >>> print(literal("20231234_a`.toml"))
    `20231234_a?.toml`
    """
    return "`" + "".join(ch if " " <= ch <= "~" and ch != "`" else "?" for ch in text) + "`"


def paragraph(p: Paragraph) -> str:
    return "".join(escape(seg) if isinstance(seg, str) else f"${latex(seg)}$" for seg in p.segments)


def _cell(c) -> str:
    """A table cell; a | inside its math is escaped, or GFM would end the cell there."""
    return escape(c) if isinstance(c, str) else "$" + latex(c).replace("|", "\\|") + "$"


def _part(part) -> str:
    if isinstance(part, Paragraph):
        return paragraph(part)
    if isinstance(part, Derivation):
        intro = paragraph(part.intro) + "\n\n" if part.intro else ""
        return f"### {escape(part.title)}\n\n{intro}$$\n{derivation_math(part)}\n$$"
    if isinstance(part, ReferenceCode):
        intro = paragraph(part.intro) + "\n\n" if part.intro else ""
        code = reference_math(part)
        return f"### {escape(part.title)}\n\n{intro}$$\n{code}\n$$"
    if isinstance(part, Table):
        head = "| " + " | ".join(_cell(h) for h in part.header) + " |"
        rule = "|" + "---|" * len(part.header)
        rows = ["| " + " | ".join(_cell(c) for c in row) + " |" for row in part.rows]
        intro = [paragraph(part.intro), ""] if part.intro else []
        return "\n".join([f"### {escape(part.title)}", "", *intro, head, rule, *rows])
    raise TypeError(f"the Markdown renderer does not support {type(part).__name__}")


def _figure(fig: Figure, path: str) -> str:
    """A figure: a link to its SVG file beside the sheet, and its caption."""
    caption = "\n\n" + paragraph(fig.caption) if fig.caption else ""
    return f"### {escape(fig.title)}\n\n![{escape(fig.title)}]({path}){caption}"


def solution_section(sol: Solution, *, linked: bool = False, figure_dir: str = "figures") -> str:
    """One problem in full, figures linked in ``figure_dir`` (relative to the sheet);
    ``linked``: as the appendix of a sheet whose Part I boxes the answers (anchors on the
    parts the boxes link to, and links back)."""
    head = f"## {escape(sol.problem_id)}. {escape(sol.title)}"
    out = [_target(anchor(sol, "app")) + head if linked else head, paragraph(sol.statement)]
    backs = _back_links(sol) if linked else {}
    paths = figure_paths(sol, figure_dir, FIGURE_FORMAT["md"])
    for i, p in enumerate(sol.parts):
        text = _figure(p, paths[i]) if i in paths else _part(p)
        if i in backs:
            text = f"{_target(anchor(sol, 'app', f'part{i}'))}{text}\n\n{backs[i]}"
        out.append(text)
    if linked:
        back = f"[↑ Part I](#{anchor(sol, 'key')})"
        out.append(f"{_target(anchor(sol, 'app', 'answers'))}### Answers\n\n{back}")
    else:
        out.append("### Answers")
    out += [f"$$\n{answer_math(a)}\n$$" for a in sol.answers]
    out.append(f"**Verification.** {verification_summary(sol)}")
    return "\n\n".join(out)


def _target(name: str) -> str:
    """An anchor links can go to, on the line before what it marks."""
    return f'<a id="{name}"></a>\n'


def _back_links(sol: Solution) -> dict[int, str]:
    """Per part of the appendix a box of Part I links to: the link back to the box."""
    return {part: f"[↑ boxed in Part I](#{box})" for part, box in linked_parts(sol).items()}


def _boxed(sol: Solution, box: Boxed, index: int, links: bool) -> str:
    targets = "".join(_target(a) for a in box_anchors(sol, box, index))
    goal = derivation_anchor(sol, box)
    link = f"\n\n[derivation ↓](#{goal})" if links else ""
    lead = f"**{escape(box.question)}** " if box.question else ""
    if box.statement is not None:
        return f"{targets}> {lead}{paragraph(box.statement)}{link}"
    if box.derivation is not None:
        return f"{targets}$$\n{key_math(box.derivation, boxed=True)}\n$${link}"
    if box.table is not None:
        return f"{targets}{_part(box.table).removeprefix('### ').lstrip()}{link}"
    shown = "\n\n".join(f"$$\n{answer_math(a)}\n$$" for a in box.answers)
    return f"{targets}{lead}\n\n{shown}{link}" if lead else f"{targets}{shown}{link}"


def _key_part(sol: Solution, part, index: int, links: bool, figure_dir: str = "figures") -> str:
    if isinstance(part, Boxed):
        return _boxed(sol, part, index, links)
    if isinstance(part, Figure):  # the appendix's figure: the same file
        at = next(i for i, p in enumerate(sol.parts) if p is part or p == part)
        path = figure_paths(sol, figure_dir, FIGURE_FORMAT["md"])[at]
        return _figure(part, path).replace("### ", "#### ", 1)
    if isinstance(part, Derivation) and not part.title:
        return f"$$\n{key_math(part)}\n$$"
    return _part(part).replace("### ", "#### ", 1)


def key_section(
    sol: Solution, *, links: bool = True, worked: bool = True, figure_dir: str = "figures"
) -> str:
    """Part I for one problem: the question, the worked solution and the boxed results
    (``worked`` False: the boxed results only); figures linked in ``figure_dir``."""
    out = [_target(anchor(sol, "key")) + f"## {escape(sol.problem_id)}. {escape(sol.title)}"]
    if worked:
        out.append(paragraph(sol.statement))
    boxes = 0
    for part in sol.key_parts() if worked else answers_only(sol):
        out.append(_key_part(sol, part, boxes, links, figure_dir))
        boxes += isinstance(part, Boxed)
    return "\n\n".join(out)


def summary_rows(sol: Solution) -> str:
    """The rows of the summary table for one problem: question (a link to it) and answer."""
    rows = []
    for row in summary_table(sol):
        what = summary_cell(row, paragraph, _table_math).replace("\n", " ")
        rows.append(f"| [{escape(row.question)}](#{row.target}) | {what} |")
    return "\n".join(rows)


def _table_math(tex: str) -> str:
    """Inline math in a cell of a Markdown table, where ``|`` ends the cell."""
    return "$" + tex.replace("|", "\\|") + "$"


def solution_pieces(
    sol: Solution, detail: str = "full", figure_dir: str = "figures"
) -> tuple[str, ...]:
    """One problem's pieces of the document at a detail level (see :func:`frame`); its
    figures are linked in ``figure_dir``."""
    if detail == "answers":
        return summary_rows(sol), key_section(sol, links=False, worked=False)
    if detail == "key":
        return summary_rows(sol), key_section(sol, links=False, figure_dir=figure_dir)
    return (
        summary_rows(sol),
        key_section(sol, figure_dir=figure_dir),
        solution_section(sol, linked=True, figure_dir=figure_dir),
    )


def document(title: str, solutions: list[Solution], detail: str = "full") -> str:
    """A Markdown document for a problem set (math in $ and $$, as GitHub renders it)."""
    return frame(title, detail).join([solution_pieces(s, detail) for s in solutions])


def assemble(title: str, sections: list, detail: str = "full") -> str:
    """The document around sections made by :func:`solution_pieces`."""
    return frame(title, detail).join(sections)


def frame(title: str, detail: str = "full") -> Frame:
    """What goes around the sections: the title and the summary table (each section's
    first piece is its rows), Part I and, at ``full`` detail, Part II (the appendix)."""
    head = (
        f"# {escape(title)}\n\nEvery equality was checked by machine"
        + ("; Part II shows how.\n\n" if detail == "full" else ".\n\n")
        + "## Answers at a glance\n\n| question | answer |\n|---|---|\n"
    )
    if detail == "answers":
        parts = (("\n\n", "\n\n"),)
    else:
        parts = (('\n\n<a id="part-one"></a>\n# Part I: Solutions\n\n', "\n\n"),)
        if detail == "full":
            parts += (
                (
                    '\n\n<a id="part-two"></a>\n# Part II: Appendix: complete verified '
                    "derivations\n\nEvery step of every derivation, each checked by machine "
                    "as it was built; the verification paragraph of each problem says how.\n\n",
                    "\n\n",
                ),
            )
    return Frame(head, "\n", "\n", parts)
