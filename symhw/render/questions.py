"""A question sheet: each problem's title and statement (the question with its numbers),
and no answer; the LaTeX and Markdown a class set gives each student (``symhw variants``)."""

from __future__ import annotations

from symhw.derivation import Solution
from symhw.render import latex as latex_render
from symhw.render import markdown as markdown_render
from symhw.render.latex.document import PREAMBLE
from symhw.render.latex.text import plain

#: What the sheet says under its title: where the answers go and how they are checked.
_HOW = (
    "Write your answers in claims.toml (remove the \u201c# \u201d before each answer "
    "and fill it in), then check them with: symhw check claims.toml"
)


def question_tex(title: str, variant: str, solutions: list[Solution]) -> str:
    """The question sheet as a standalone LaTeX document: the set's title, the variant it
    is for, then each problem's title and statement; no answer and no derivation.

    >>> print(question_tex("HW", "7", []).splitlines()[0])
    \\documentclass[11pt]{article}
    """
    escape = latex_render.escape
    head = (
        f"{PREAMBLE}\\usepackage[hidelinks]{{hyperref}}\n"
        f"\\hypersetup{{pdftitle={{{plain(title)} (variant {plain(variant)})}}}}\n"
        f"\\begin{{document}}\n\\begin{{center}}{{\\Large\\bfseries {escape(title)}}}\\\\[4pt]"
        f"Variant {escape(variant)}\\end{{center}}\n\\noindent {escape(_HOW)}\n\n"
    )
    sections = [
        f"\\section*{{{escape(s.problem_id)}. {escape(s.title)}}}\n"
        f"{latex_render.paragraph(s.statement)}\n"
        for s in solutions
    ]
    return head + "\n".join(sections) + "\n\\end{document}\n"


def question_markdown(title: str, variant: str, solutions: list[Solution]) -> str:
    """The question sheet in Markdown (math in $ and $$, as GitHub renders it).

    >>> print(question_markdown("HW", "7", []).splitlines()[0])
    # HW (variant 7)
    """
    escape = markdown_render.escape
    head = f"# {escape(title)} (variant {escape(variant)})\n\n{escape(_HOW)}\n"
    sections = [
        f"\n## {escape(s.problem_id)}. {escape(s.title)}\n\n"
        f"{markdown_render.paragraph(s.statement)}\n"
        for s in solutions
    ]
    return head + "".join(sections)
