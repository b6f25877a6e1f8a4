"""Cross-references in the PDF: targets, links that give their target's page, bookmarks."""

from __future__ import annotations

from symhw.derivation import Solution
from symhw.render import anchor
from symhw.render.latex.text import plain


def link_target(name: str) -> str:
    """A place links can go to, and whose page ``\\pageref`` gives."""
    return rf"\phantomsection\label{{{name}}}"


def page_link(name: str, text: str) -> str:
    """A link to a target, with its page: e.g. "Part I, p. 3"."""
    return rf"\hyperref[{name}]{{{text}, p.~\pageref*{{{name}}}}}"


def bookmark(sol: Solution, where: str, level: int) -> str:
    """A PDF bookmark for a problem: its id and title as plain text."""
    text = plain(f"{sol.problem_id}. {sol.title}")
    return rf"\pdfbookmark[{level}]{{{text}}}{{bm-{anchor(sol, where)}}}"
