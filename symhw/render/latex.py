"""LaTeX renderer: a standalone document with one section per solution."""

from __future__ import annotations

from symhw.derivation import (
    JUPYTER_LATEX,
    Answer,
    Derivation,
    Figure,
    Paragraph,
    ReferenceCode,
    Solution,
    Step,
    Table,
)
from symhw.render import Frame
from symhw.render.expr import latex
from symhw.render.figures import FIGURE_FORMAT, figure_paths
from symhw.render.summary import verification_summary

_SPECIAL = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_UNICODE = {
    "θ": r"$\theta$",
    "σ": r"$\sigma$",
    "δ": r"$\delta$",
    "∇": r"$\nabla$",
    "‖": r"$\|$",
    "≠": r"$\neq$",
    "→": r"$\to$",
    "∞": r"$\infty$",
    "×": r"$\times$",
    "≤": r"$\leq$",
    "≥": r"$\geq$",
    "±": r"$\pm$",
    "ᵀ": r"$^{T}$",
    "²": r"$^{2}$",
    "′": "'",
    "’": "'",
    "—": "---",
    "–": "--",
    "…": r"\dots{}",
    "⊙": r"$\odot$",
    "·": r"$\cdot$",
    "γ": r"$\gamma$",
    "β": r"$\beta$",
    "μ": r"$\mu$",
    "≈": r"$\approx$",
    "Σ": r"$\Sigma$",
    "∂": r"$\partial$",
}


def escape(text: str) -> str:
    """Plain text to LaTeX text: special characters escaped, common symbols as math."""
    return "".join(_SPECIAL.get(ch) or _UNICODE.get(ch) or ch for ch in text)


def paragraph(p: Paragraph) -> str:
    return "".join(escape(seg) if isinstance(seg, str) else f"${latex(seg)}$" for seg in p.segments)


def _rule(step: Step) -> str:
    label = escape(step.rule)
    if step.check.status == "numeric":
        label += ", checked numerically"
    elif step.check.status == "unverified":
        label += r", \textbf{not verified}"
    elif step.check.status == "budget":
        label += r", \textbf{not verified (budget)}"
    return rf"\text{{\small {label}}}"


#: LaTeX source shorter than this cannot typeset wider than 0.8 of the line (no glyph in a
#: display is wider than ~10 pt per source character, the line is ~450 pt): left unwrapped.
_SHORT_SOURCE = 36


def _fit(member: str) -> str:
    """A member of a PDF display, shrunk by ``\\fitmember`` if it would overrun the line
    (an align row cannot break, and a matrix of long entries can be wider than the page)."""
    return member if len(member) < _SHORT_SOURCE else rf"\fitmember{{{member}}}"


def derivation_lines(d: Derivation, *, tags: bool = False) -> list[str]:
    """The rows of an aligned display: ``lhs &= rhs`` and the rule.

    With ``tags`` (the PDF) the rule is a ``\\tag*``, which amsmath moves under a row too
    wide to share its line, and long members are fitted to the line; otherwise (MathJax,
    Jupyter, which scroll) the rule is a third column.
    """
    rows = []
    for step in d.steps:
        members = [latex(e) for e in step.chain]
        if tags:
            members = [members[0], *map(_fit, members[1:])]
        first = "" if step.continues else members[0]
        rule = _rule(step)
        rows.append(
            rf"{first} &= {members[1]} \tag*{{{rule}}}"
            if tags
            else rf"{first} &= {members[1]} &&{rule}"
        )
        rows.extend((rf"&= {m}" if tags else rf"&= {m} &&") for m in members[2:])
    return rows


def derivation_math(d: Derivation) -> str:
    """One derivation as an ``aligned`` block (used by Markdown and Jupyter too)."""
    return "\\begin{aligned}\n" + " \\\\\n".join(derivation_lines(d)) + "\n\\end{aligned}"


def reference_math(part: ReferenceCode) -> str:
    """The reference implementation as math, by latexify-py (shared by every format)."""
    import latexify  # with dill, 0.03 s to import: only sheets with reference code pay it

    return latexify.get_latex(
        part.function,
        use_math_symbols=True,
        reduce_assignments=True,
        identifiers=dict(part.identifiers),
    )


def answer_math(a: Answer) -> str:
    """A boxed answer, ``label = value`` (``≈`` for a rounded value); every format's form."""
    relation = r"\approx" if a.approximate else "="
    return rf"\boxed{{{latex(a.label)} {relation} {latex(a.value)}}}"


def solution_math(sol: Solution) -> str:
    """A solution's derivations and boxed answers as one display (for Jupyter)."""
    blocks = [derivation_math(p) for p in sol.parts if isinstance(p, Derivation)]
    blocks += [answer_math(a) for a in sol.answers]
    return "$\\displaystyle " + r" \\[1em] ".join(blocks) + "$"


def _part(part) -> str:
    if isinstance(part, Paragraph):
        return paragraph(part) + "\n"
    if isinstance(part, Derivation):
        intro = paragraph(part.intro) + "\n" if part.intro else ""
        body = " \\\\\n".join(derivation_lines(part, tags=True))
        return (
            f"\\subsection*{{{escape(part.title)}}}\n{intro}"
            f"\\begin{{align*}}\n{body}\n\\end{{align*}}\n"
        )
    if isinstance(part, ReferenceCode):
        intro = paragraph(part.intro) + "\n" if part.intro else ""
        code = reference_math(part)
        return f"\\subsection*{{{escape(part.title)}}}\n{intro}\\[\n{code}\n\\]\n"
    if isinstance(part, Table):
        cols = "l" * len(part.header)
        head = " & ".join(_cell(h) for h in part.header)
        rows = "\n".join(" & ".join(_cell(c) for c in row) + r" \\" for row in part.rows)
        intro = paragraph(part.intro) + "\n" if part.intro else ""
        return (
            f"\\subsection*{{{escape(part.title)}}}\n{intro}\\begin{{center}}\n"
            f"\\fitwidth{{\\begin{{tabular}}{{{cols}}}\n\\hline\n{head} \\\\\n\\hline\n"
            f"{rows}\n\\hline\n\\end{{tabular}}}}\n\\end{{center}}\n"
        )
    raise TypeError(f"the LaTeX renderer does not support {type(part).__name__}")


def _cell(c) -> str:
    return escape(c) if isinstance(c, str) else f"${latex(c)}$"


def _figure(fig: Figure, path: str) -> str:
    """A figure: its drawing, a PDF file beside the sheet (:mod:`symhw.render.figures`)."""
    caption = paragraph(fig.caption) if fig.caption else ""
    return (
        f"\\subsection*{{{escape(fig.title)}}}\n\\begin{{center}}\n"
        f"\\includegraphics{{{path}}}\n\\end{{center}}\n{caption}\n"
    )


def solution_section(sol: Solution, figure_dir: str = "figures") -> str:
    """One problem: statement, derivations, boxed answers, verification summary; figures
    are included from ``figure_dir`` (relative to the sheet)."""
    out = [
        f"\\section*{{{escape(sol.problem_id)}. {escape(sol.title)}}}",
        paragraph(sol.statement) + "\n",
    ]
    paths = figure_paths(sol, figure_dir, FIGURE_FORMAT["tex"])
    out += [_figure(p, paths[i]) if i in paths else _part(p) for i, p in enumerate(sol.parts)]
    out.append("\\subsection*{Answers}")
    for a in sol.answers:
        out.append(
            rf"\begin{{center}}\fitdisplay{{{answer_math(a)}}}"
            r"\end{center}"
        )
    out.append(f"\\paragraph{{Verification.}} {escape(verification_summary(sol))}\n")
    return "\n".join(out)


PREAMBLE = r"""\documentclass[11pt]{article}
\usepackage[a4paper,margin=2cm]{geometry}
\usepackage{amsmath,amssymb}
\usepackage[T1]{fontenc}
\usepackage{lmodern}
\input{glyphtounicode}
\pdfgentounicode=1
\usepackage{graphicx}
% Boxes shrunk to a width when they are wider: \fitdisplay (long boxed answers) and
% \fitwidth (tables) to the line, \fitmember (right of = in an align row) to 0.8 of it.
\newsavebox{\symhwbox}
\newcommand{\fitbox}[2]{\sbox{\symhwbox}{#2}%
  \ifdim\wd\symhwbox>#1\resizebox{#1}{!}{\usebox{\symhwbox}}%
  \else\usebox{\symhwbox}\fi}
\newcommand{\fitdisplay}[1]{\fitbox{\linewidth}{$\displaystyle #1$}}
\newcommand{\fitmember}[1]{\fitbox{0.8\linewidth}{$\displaystyle #1$}}
\newcommand{\fitwidth}[1]{\fitbox{\linewidth}{#1}}
\allowdisplaybreaks
\setlength{\parindent}{0pt}
\setlength{\parskip}{0.5em}
"""


def document(title: str, solutions: list[Solution]) -> str:
    """A standalone LaTeX document for a problem set.

    >>> print(document("Empty", []).splitlines()[0])
    \\documentclass[11pt]{article}
    """
    return assemble(title, [solution_section(s) for s in solutions])


def assemble(title: str, sections: list[str]) -> str:
    """The document around sections made by :func:`solution_section`."""
    return frame(title).join(sections)


def frame(title: str) -> Frame:
    """What goes around the sections: the preamble and title, then ``\\end{document}``."""
    head = (
        f"{PREAMBLE}\\title{{{escape(title)}}}\n\\date{{}}\n\\begin{{document}}\n"
        "\\maketitle\n\\noindent Generated by symhw: every equality shown was checked "
        "by machine when the sheet was built; the verification paragraph of each problem "
        "says how.\n\n"
    )
    return Frame(head, "\n", "\n\\end{document}\n")


JUPYTER_LATEX[Derivation] = lambda d: f"$\\displaystyle {derivation_math(d)}$"
JUPYTER_LATEX[Solution] = solution_math
