"""The LaTeX document: its preamble, what goes around the sections (the title, the summary
table, the heads of Parts I and II), and each problem's pieces."""

from __future__ import annotations

from symhw.derivation import Solution
from symhw.render import Frame
from symhw.render.latex.appendix import solution_section
from symhw.render.latex.key import answer_rows, key_section, summary_rows
from symhw.render.latex.text import escape, plain
from symhw.render.mpl import KEY_WIDTH


def solution_pieces(
    sol: Solution, detail: str = "full", figure_dir: str = "figures"
) -> tuple[str, ...]:
    """One problem's pieces of the document at a detail level (see :func:`frame`); its
    figures are included from ``figure_dir``."""
    if detail == "answers":
        return (answer_rows(sol),)
    if detail == "key":
        return summary_rows(sol), key_section(sol, links=False, figure_dir=figure_dir)
    return (
        summary_rows(sol),
        key_section(sol, figure_dir=figure_dir),
        solution_section(sol, linked=True, figure_dir=figure_dir),
    )


PREAMBLE = r"""\documentclass[11pt]{article}
\usepackage[a4paper,margin=2cm]{geometry}
\usepackage{amsmath,amssymb}
\usepackage[T1]{fontenc}
\usepackage{lmodern}
\input{glyphtounicode}
\pdfgentounicode=1
\usepackage{graphicx}
% Headings: ragged right, never hyphenated, and never the last lines of a page (a heading
% with less than five lines below it starts the next page). No package: plain TeX.
\makeatletter
\newcommand{\symhwneedspace}[1]{\par\penalty-100\begingroup\setlength{\dimen@}{#1}%
  \dimen@ii\pagegoal\advance\dimen@ii-\pagetotal
  \ifdim\dimen@>\dimen@ii\ifdim\dimen@ii>\z@\vfil\fi\break\fi\endgroup}
\newcommand{\symhwheading}{\raggedright\hyphenpenalty\@M\exhyphenpenalty\@M}
\renewcommand{\section}{\symhwneedspace{8\baselineskip}\@startsection{section}{1}{\z@}%
  {-3.5ex \@plus -1ex \@minus -.2ex}{2.3ex \@plus .2ex}%
  {\normalfont\Large\bfseries\symhwheading}}
\renewcommand{\subsection}{\symhwneedspace{6\baselineskip}\@startsection{subsection}{2}%
  {\z@}{-3.25ex\@plus -1ex \@minus -.2ex}{1.5ex \@plus .2ex}%
  {\normalfont\large\bfseries\symhwheading}}
\makeatother
\allowdisplaybreaks
\setlength{\emergencystretch}{3em}
\setlength{\parindent}{0pt}
\setlength{\parskip}{0.5em}
"""
#: ``\symhwfigure{file}{caption}``: a figure of Part I at its natural size (drawn at the
#: size it is shown, its text prints at the size it was drawn at), beside its caption when
#: it is at most :data:`~symhw.render.mpl.KEY_WIDTH` wide (the caption takes the rest of
#: the line), above it on the full line when it is wider.
KEY_FIGURE = rf"""\newsavebox{{\symhwfig}}
\newcommand{{\symhwfigure}}[2]{{\par\noindent\sbox{{\symhwfig}}{{\includegraphics{{#1}}}}%
  \ifdim\wd\symhwfig>{KEY_WIDTH + 0.01:.2f}in
    {{\centering\usebox{{\symhwfig}}\par}}\nopagebreak{{\small #2\par}}%
  \else
    \begin{{minipage}}[c]{{\wd\symhwfig}}\usebox{{\symhwfig}}\end{{minipage}}\hfill
    \begin{{minipage}}[c]{{\dimexpr\linewidth-\wd\symhwfig-1.5em\relax}}\small\raggedright #2%
    \end{{minipage}}\par
  \fi}}
"""
PREAMBLE += KEY_FIGURE


_HYPERREF = r"""\usepackage[hidelinks,bookmarksnumbered=false,bookmarksopen,destlabel]{hyperref}
\usepackage{bookmark}
\usepackage{array,longtable}
"""


def document(title: str, solutions: list[Solution], detail: str = "full") -> str:
    """A standalone LaTeX document for a problem set, at a detail level (see :func:`frame`).

    >>> print(document("Empty", []).splitlines()[0])
    \\documentclass[11pt]{article}
    """
    return frame(title, detail).join([solution_pieces(s, detail) for s in solutions])


def assemble(title: str, sections: list, detail: str = "full") -> str:
    """The document around sections made by :func:`solution_pieces`."""
    return frame(title, detail).join(sections)


_SUMMARY_HEAD = (
    "\\section*{Answers at a glance}\n\\pdfbookmark[0]{Answers at a glance}{bm-summary}\n"
    "\\begin{longtable}{@{}l >{\\raggedright\\arraybackslash}p{0.76\\linewidth} r@{}}\n\\hline\n"
    "question & answer & page \\\\\n\\hline\n\\endhead\n"
)
_SUMMARY_TAIL = "\\hline\n\\end{longtable}\n"
_ANSWERS_HEAD = (
    "\\section*{Answers}\n\\pdfbookmark[0]{Answers}{bm-summary}\n"
    "\\begin{longtable}{@{}l >{\\raggedright\\arraybackslash}p{0.86\\linewidth}@{}}\n\\hline\n"
    "question & answer \\\\\n\\hline\n\\endhead\n"
)
#: From Part I on, displays sit closer to the text (a key is read line by line).
_TIGHT = (
    "\\makeatletter\\g@addto@macro\\normalsize{\\setlength\\abovedisplayskip{6pt plus 3pt}"
    "\\setlength\\belowdisplayskip{6pt plus 3pt}}\\makeatother\\normalsize\n"
)
_PART_ONE = (
    "\\clearpage\n" + _TIGHT + "\\pdfbookmark[0]{Part I: Solutions}{bm-part-one}\n"
    "{\\LARGE\\bfseries Part I\\quad Solutions\\par}\n"
)
_PART_TWO = (
    "\\clearpage\n\\pdfbookmark[0]{Part II: Appendix}{bm-part-two}\n"
    "{\\LARGE\\bfseries Part II\\quad Appendix: complete verified derivations\\par}\n"
    "Every step of every derivation, each checked by machine as it was built; the "
    "verification paragraph of each problem says how. Each answer boxed in Part I links "
    "to the derivation here, and back.\n\n"
)


def frame(title: str, detail: str = "full") -> Frame:
    """What goes around the sections: the preamble, the title and the summary table (each
    section's first piece is its rows), then Part I (the second pieces: each question on a
    page of its own) and, at ``full`` detail, Part II (the third: the appendix).
    At ``answers`` detail the table is all there is, each answer boxed in full in it.
    """
    head = (
        f"{PREAMBLE}{_HYPERREF}\\hypersetup{{pdftitle={{{plain(title)}}}}}\n"
        f"\\begin{{document}}\n\\begin{{center}}{{\\Large\\bfseries {escape(title)}}}"
        "\\end{center}\n\\noindent Every equality was checked by machine"
        + ("; Part II shows how.\n\n" if detail == "full" else ".\n\n")
        + (_ANSWERS_HEAD if detail == "answers" else _SUMMARY_HEAD)
    )
    if detail == "answers":
        return Frame(head, "", _SUMMARY_TAIL + "\n\\end{document}\n")
    parts = ((_SUMMARY_TAIL + _PART_ONE, "\n\\clearpage\n"),)
    if detail == "full":
        parts += ((_PART_TWO, "\n"),)
    return Frame(head, "", "\n\\end{document}\n", parts)
