"""LaTeX renderer: a standalone document with one section per solution. Its modules, each
importing only those before it: text, displays, links, appendix (Part II), key (Part I and
page 1's tables), document. Importing it registers how a Derivation and a Solution show
themselves in Jupyter (:mod:`symhw.render.latex.displays`)."""

from symhw.render.expr import latex
from symhw.render.latex.appendix import solution_section
from symhw.render.latex.displays import answer_math, summary_math
from symhw.render.latex.document import assemble, document, frame, solution_pieces
from symhw.render.latex.text import escape, paragraph

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
