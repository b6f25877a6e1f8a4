"""LaTeX renderer: a standalone document with one section per solution."""

from __future__ import annotations

import re

import sympy as sp

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
from symhw.render.decimals import as_decimals, grouped_text
from symhw.render.expr import PRIMED_NAME, THIN, function_latex, latex
from symhw.render.layout import LINE_EM, reflow, width
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
    r"""Plain text to LaTeX text: special characters escaped, common symbols and primed
    activations as math, long whole numbers in groups of three.

    >>> print(escape("θ' of identity′ is 1; 18496 & 5%"))
    $\theta'$ of $\operatorname{identity}'$ is 1; 18\,496 \& 5\%
    """
    pieces = PRIMED_NAME.split(text)  # text, name, text, name, ..., text
    out = []
    for i, piece in enumerate(pieces):
        if i % 2:
            out.append(f"${function_latex(piece)}'$")
        else:
            plain = "".join(_SPECIAL.get(ch) or _UNICODE.get(ch) or ch for ch in piece)
            out.append(grouped_text(plain, THIN))
    return "".join(out)


def paragraph(p: Paragraph) -> str:
    """Prose with inline math; math too wide for a line of prose is displayed, reflowed."""
    return "".join(
        escape(seg) if isinstance(seg, str) else _inline(latex(seg)) for seg in p.segments
    )


#: The most rows in one align* (amsmath holds a whole align in TeX's memory, twice: a few
#: thousand rows exhaust it); longer displays continue in the next align*.
_ALIGN_ROWS = 200


def align(rows: list[str]) -> str:
    """Rows as ``align*`` displays of at most :data:`_ALIGN_ROWS` rows each."""
    chunks = [rows[i : i + _ALIGN_ROWS] for i in range(0, len(rows), _ALIGN_ROWS)] or [[]]
    return "".join("\\begin{align*}\n" + " \\\\\n".join(c) + "\n\\end{align*}\n" for c in chunks)


def _inline(tex: str) -> str:
    if width(tex) <= LINE_EM / 2:
        return f"${tex}$"
    rows = [r.tex for r in reflow(tex, LINE_EM - 4.0)]
    return "\n" + align(["&" + rows[0], *(rf"&\quad {{}}{r}" for r in rows[1:])])


def _rule(step: Step) -> str:
    return rf"\text{{\small {_rule_text(step)}}}"


def _rule_text(step: Step) -> str:
    label = escape(step.rule)
    if step.check.status == "numeric":
        label += ", checked numerically"
    elif step.check.status == "unverified":
        label += r", \textbf{not verified}"
    elif step.check.status == "budget":
        label += r", \textbf{not verified (budget)}"
    return label


def derivation_lines(d: Derivation, *, tags: bool = False) -> list[str]:
    """The rows of an aligned display: ``lhs &= rhs`` and the rule.

    With ``tags`` (the PDF) the rule is a ``\\tag*``, which amsmath moves under a row too
    wide to share its line, and members wider than the line are reflowed over several rows
    (:func:`symhw.render.layout.reflow`), never shrunk; otherwise (MathJax, Jupyter, which
    scroll) the rule is a third column.
    """
    if tags:
        return _pdf_rows(d)
    rows = []
    for step in d.steps:
        members = [latex(e) for e in step.chain]
        first = "" if step.continues else members[0]
        rows.append(rf"{first} &= {members[1]} &&{_rule(step)}")
        rows.extend(rf"&= {m} &&" for m in members[2:])
    return rows


def _pdf_rows(d: Derivation) -> list[str]:
    """The PDF's rows: each member reflowed to what the widest left side leaves of the line
    (and room for an entry's name), continuation rows indented, a split matrix's columns
    noted in the margin. A left side wider than a quarter of the line that would push the
    widest right side past the margin has a row of its own, starting at the = column."""
    lefts = [latex(s.chain[0]) for s in d.steps if not s.continues]
    narrow = [w for w in map(width, lefts) if w <= _WIDE_LEFT_EM]
    budget = LINE_EM - max(narrow, default=0.0) - 3.0 - _ENTRY_NAME_EM
    # the widest right side once reflowed: a wide left side beside it must still fit
    right = max((min(width(latex(e)), budget) for s in d.steps for e in s.chain[1:]), default=0)
    own_row = LINE_EM - 3.0 - right
    rows, name = [], ""
    for step in d.steps:
        members = [latex(e) for e in step.chain]
        name = name if step.continues else members[0]
        first = "" if step.continues else members[0]
        rule = _rule_text(step)
        if width(first) > max(_WIDE_LEFT_EM, own_row):
            rows.append(rf"\rlap{{$\displaystyle {first}$}} &" + _tag(rule))
            first, rule = "", ""
        for k, (expr, member) in enumerate(zip(step.chain[1:], members[1:], strict=True)):
            head = f"{first} &= " if k == 0 else "&= "
            rows += _member_rows(expr, member, budget, name, head, rule if k == 0 else "")
    return rows


#: A left side wider than this (em) is set on a row of its own.
_WIDE_LEFT_EM = LINE_EM / 4


#: How much wider than its matrix's name an entry's name is: (δ⁽¹⁾)₁₂ against δ⁽¹⁾.
_ENTRY_NAME_EM = 3.5


def _tag(note: str, tags: bool = True) -> str:
    """A note in the margin (``\\tag*``), or beside the math where tags are not allowed."""
    if not note:
        return ""
    return rf" \tag*{{\text{{\small {note}}}}}" if tags else rf" \quad \text{{\small ({note})}}"


def _member_rows(
    expr, tex: str, budget: float, name: str, head: str, rule: str, tags: bool = True
) -> list[str]:
    """One member as rows; a matrix whose entries are too long for the line is written
    with named entries, each entry then on rows of its own, and so is each item of a tuple
    too long for the line (one per data point) and the display of an mlp-backprop
    ``display ≈ numbers`` value (the numbers on the row after it)."""
    flowed = reflow(tex, budget)
    if all(width(r.tex) <= budget for r in flowed):
        return _rows(flowed, head, rule, tags)
    if type(expr).__name__ == "Approximated":
        shown = as_decimals(expr.display)
        approx = tex.rsplit(r" \approx ", 1)[1]
        out = _member_rows(shown, latex(shown), budget, name, head, rule, tags)
        return out + _member_rows(None, approx, budget, name, r"&\approx ", "", tags)
    if isinstance(expr, sp.Tuple) and not name.endswith("}_{"):
        items = r",\ ".join(rf"\left({name}\right)_{{{k}}}" for k in range(1, len(expr) + 1))
        out = _member_rows(None, rf"\left({items}\right)", budget, name, head, rule, tags)
        for k, item in enumerate(expr, 1):
            sub = rf"\left({name}\right)_{{{k}}}"
            out += _member_rows(item, latex(item), budget, sub, f"{sub} &= ", "", tags)
        return out
    matrix = _explicit_matrix(expr)
    if matrix is not None:
        return _named_entries(matrix, budget, name, head, rule, tags)
    return _rows(flowed, head, rule, tags)


def _rows(flowed: list, head: str, rule: str, tags: bool) -> list[str]:
    out = []
    for n, row in enumerate(flowed):
        note = "; ".join(x for x in (rule if n == 0 else "", escape(row.note)) if x)
        out.append((head if n == 0 else r"&\quad {}") + row.tex + _tag(note, tags))
    return out


def _explicit_matrix(expr) -> sp.MatrixBase | None:
    """The matrix a member shows entry by entry, if it is one: the member itself, or what an
    mlp-backprop ``Shown`` node displays (matched by class name, as the printer does; its
    terminating fractions as decimals, as it prints them)."""
    if type(expr).__name__ == "Shown":
        expr = as_decimals(expr.display)
    return expr if isinstance(expr, sp.MatrixBase) else None


def _named_entries(
    m: sp.MatrixBase, budget: float, name: str, head: str, rule: str, tags: bool
) -> list[str]:
    """``name = [(name)₁; (name)₂; …]`` and then ``(name)ᵢ = entry`` for each entry: every
    member of a derivation equals its left side, so entry i of the member is entry i of
    ``name``."""
    vector = 1 in m.shape
    sep = "," if max(m.shape) > 9 else ""

    def entry(i: int, j: int) -> str:
        index = str(max(i, j) + 1) if vector else f"{i + 1}{sep}{j + 1}"
        if name.endswith("}") and r"\right)_{" in name:  # item k of a tuple: (name)_{k,i}
            return f"{name[:-1]},{index}}}"
        return rf"\left({name}\right)_{{{index}}}"

    names = r" \\ ".join(" & ".join(entry(i, j) for j in range(m.cols)) for i in range(m.rows))
    names = rf"\left[\begin{{matrix}}{names}\end{{matrix}}\right]"
    out = _member_rows(None, names, budget, name, head, rule, tags)
    for i in range(m.rows):
        for j in range(m.cols):
            e = m[i, j]
            out += _member_rows(e, latex(e), budget, name, f"{entry(i, j)} &= ", "", tags)
    return out


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


def answer_display(a: Answer) -> str:
    """A boxed answer displayed in the PDF: on one line where it fits, otherwise its value
    reflowed over the rows of an ``aligned`` inside the box (a matrix of long entries with
    its entries named, as in a derivation; an mlp-backprop value's ``≈ numbers`` last). An
    answer too long for one page is an ``align*`` (which can break) with its name boxed."""
    relation = r"\approx" if a.approximate else "="
    label, value = latex(a.label), latex(a.value)
    budget = LINE_EM - width(label) - 4.0 - _ENTRY_NAME_EM
    if width(value) <= budget + _ENTRY_NAME_EM:
        return rf"\[{answer_math(a)}\]"
    head = f"{label} &{relation} "
    rows = _member_rows(a.value, value, budget, label, head, "", tags=False)
    if len(rows) > _BOXED_ROWS:
        rows[0] = rf"\boxed{{{label}}} &{relation} " + rows[0][len(head) :]
        return align(rows).rstrip("\n")
    body = " \\\\\n".join(rows)
    return f"\\[\\boxed{{\\begin{{aligned}}\n{body}\n\\end{{aligned}}}}\\]"


#: The most rows a boxed answer has (a box cannot break across pages).
_BOXED_ROWS = 16


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
        body = align(derivation_lines(part, tags=True))
        return f"\\subsection*{{{escape(part.title)}}}\n{intro}{body}"
    if isinstance(part, ReferenceCode):
        intro = paragraph(part.intro) + "\n" if part.intro else ""
        code = reference_math(part)
        return f"\\subsection*{{{escape(part.title)}}}\n{intro}\\[\n{code}\n\\]\n"
    if isinstance(part, Table):
        intro = paragraph(part.intro) + "\n" if part.intro else ""
        return f"\\subsection*{{{escape(part.title)}}}\n{intro}{_tables(part)}"
    if isinstance(part, Figure):
        return _figure(part)
    raise TypeError(f"the LaTeX renderer does not support {type(part).__name__}")


def _cell(c) -> str:
    return escape(c) if isinstance(c, str) else f"${latex(c)}$"


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
    return "".join(_tabular(t, g, size) for g in groups)


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
    budget = LINE_EM - max(width(name) for name, _ in cells) - 3.0  # one column of names
    rows = []
    for name, cell in cells:
        rows += _rows(reflow(cell, budget), f"{name} &= ", "", tags=False)
    return align(rows)


def _tabular(t: Table, columns: list[int], size: str) -> str:
    head = " & ".join(_cell(t.header[c]) for c in columns)
    rows = "\n".join(" & ".join(_cell(row[c]) for c in columns) + r" \\" for row in t.rows)
    return (
        f"\\begin{{center}}{size}\n\\begin{{tabular}}{{{'l' * len(columns)}}}\n\\hline\n"
        f"{head} \\\\\n\\hline\n{rows}\n\\hline\n\\end{{tabular}}\n\\end{{center}}\n"
    )


def _figure(fig: Figure) -> str:
    """A sparsity pattern drawn with TikZ-free picture commands: one square per nonzero."""
    rows, cols = fig.pattern.shape
    unit = min(0.9 / cols, 0.6 / rows, 0.04) if max(rows, cols) > 0 else 1.0  # ≤ 7 mm
    boxes = "".join(
        rf"\put({j},{rows - 1 - i}){{\rule{{1\unitlength}}{{1\unitlength}}}}"
        for i in range(rows)
        for j in range(cols)
        if fig.pattern[i, j]
    )
    caption = paragraph(fig.caption) if fig.caption else ""
    return (
        f"\\subsection*{{{escape(fig.title)}}}\n\\begin{{center}}\n"
        f"\\setlength{{\\unitlength}}{{{unit:.5f}\\linewidth}}\n"
        f"\\fbox{{\\begin{{picture}}({cols},{rows}){boxes}\\end{{picture}}}}\n"
        f"\\end{{center}}\n{caption}\n"
    )


def solution_section(sol: Solution) -> str:
    """One problem: statement, derivations, boxed answers, verification summary."""
    out = [
        f"\\section*{{{escape(sol.problem_id)}. {escape(sol.title)}}}",
        paragraph(sol.statement) + "\n",
    ]
    out += [_part(p) for p in sol.parts]
    out.append("\\subsection*{Answers}")
    for a in sol.answers:
        out.append(answer_display(a))
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
