"""LaTeX renderer: a standalone document with one section per solution (importing it
registers how a Derivation and a Solution show themselves in Jupyter)."""

from symhw.render.latex.document import (
    answer_math,
    assemble,
    document,
    escape,
    frame,
    latex,
    paragraph,
    solution_pieces,
    solution_section,
    summary_math,
)

__all__ = [
    "answer_math",
    "assemble",
    "document",
    "escape",
    "frame",
    "latex",
    "paragraph",
    "solution_pieces",
    "solution_section",
    "summary_math",
]
