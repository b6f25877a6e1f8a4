"""Derivations and boxed answers as LaTeX displays: the PDF's rows reflowed to its line, and
the math Markdown and Jupyter show too (importing it registers Jupyter's displays)."""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp

from symhw.derivation import (
    JUPYTER_LATEX,
    Answer,
    Derivation,
    Paragraph,
    ReferenceCode,
    Solution,
    Step,
)
from symhw.render import SummaryRow
from symhw.render.decimals import as_decimals
from symhw.render.expr import approximate_cells, latex
from symhw.render.latex.text import align, escape
from symhw.render.layout import LINE_EM, height, reflow, width


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
        return flowed_rows(flowed, head, rule, tags)
    if type(expr).__name__ == "Approximated":
        shown = as_decimals(expr.display)
        approx = tex.rsplit(r" \approx ", 1)[1]
        out = _member_rows(shown, latex(shown), budget, name, head, rule, tags)
        flowed = reflow(approx, budget)
        if all(width(r.tex) <= budget for r in flowed) or expr.approx.shape == (1, 1):
            return out + _member_rows(None, approx, budget, name, r"&\approx ", "", tags)
        cells = approximate_cells(expr)  # entries too long for the line: named, one by one
        return out + _named_entries(expr.approx, budget, name, r"&\approx ", "", tags, cells)
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
    return flowed_rows(flowed, head, rule, tags)


def flowed_rows(flowed: list, head: str, rule: str, tags: bool) -> list[str]:
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
    m: sp.MatrixBase,
    budget: float,
    name: str,
    head: str,
    rule: str,
    tags: bool,
    cells: list[list[str]] | None = None,
) -> list[str]:
    """``name = [(name)₁; (name)₂; …]`` and then ``(name)ᵢ = entry`` for each entry: every
    member of a derivation equals its left side, so entry i of the member is entry i of
    ``name``. ``cells``: the entries as already written (the numbers after an ≈), each
    then ``(name)ᵢ ≈ cell``."""
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
            if cells is None:
                out += _member_rows(e, latex(e), budget, name, f"{entry(i, j)} &= ", "", tags)
            else:
                head = rf"{entry(i, j)} &\approx "
                out += flowed_rows(reflow(cells[i][j], budget), head, "", tags)
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
    if len(rows) > _BOXED_ROWS or sum(map(height, rows)) > _BOXED_LINES:  # an align*: notes
        # go to the margin, as tags
        rows = _member_rows(a.value, value, budget, label, head, "", tags=True)
        rows[0] = rf"\boxed{{{label}}} &{relation} " + rows[0][len(head) :]
        return align(rows).rstrip("\n")
    body = " \\\\\n".join(rows)
    return f"\\[\\boxed{{\\begin{{aligned}}\n{body}\n\\end{{aligned}}}}\\]"


#: The most rows a boxed answer has, and the most lines they may take (a matrix a line per
#: row): a box cannot break across pages, and a page of Part I holds about 45 such lines.
_BOXED_ROWS, _BOXED_LINES = 16, 30


def solution_math(sol: Solution) -> str:
    """A solution's derivations and boxed answers as one display (for Jupyter)."""
    blocks = [derivation_math(p) for p in sol.parts if isinstance(p, Derivation)]
    blocks += [answer_math(a) for a in sol.answers]
    return "$\\displaystyle " + r" \\[1em] ".join(blocks) + "$"


def key_math(d: Derivation, boxed: bool = False) -> str:
    """A compact derivation as an ``aligned`` block (Markdown's Part I)."""
    return "\\begin{aligned}\n" + key_rows(d, boxed, tags=False) + "\n\\end{aligned}"


def key_rows(
    d: Derivation, boxed: bool = False, tags: bool = True, last_tag: str = "", link: str = ""
) -> str:
    """A compact derivation's rows: no rule in the margin, unless a step is not verified;
    ≈ before a member written with rounded numbers; with ``boxed``, the last member of each
    chain (a step and the steps continuing it) boxed: the answer it derives, the box itself
    a link to the target ``link`` if given. With ``tags`` (the PDF) a step too wide for the
    line is reflowed (:func:`_key_step_rows`)."""
    lefts = [width(latex(s.chain[0])) for s in d.steps if not s.continues]
    budget = LINE_EM - max(lefts, default=0.0) - 3.0
    rows = []
    for i, step in enumerate(d.steps):
        members = [latex(e) for e in step.chain]
        ends = i + 1 == len(d.steps) or not d.steps[i + 1].continues
        if boxed and ends:  # the last member of a chain: the answer it derives
            members[-1] = rf"\boxed{{{members[-1]}}}"
        links = step.approximate or (False,) * (len(members) - 1)
        pairs = [(r"\approx" if a else "=", m) for a, m in zip(links, members[1:], strict=True)]
        first = "" if step.continues else members[0]
        step_rows = _key_step_rows(pairs, budget if tags else None, boxed and ends)
        if link and boxed and ends:  # the box kept whole on the last row: link it there
            box = members[-1]
            step_rows[-1] = step_rows[-1].replace(box, rf"\hyperref[{link}]{{{box}}}")
        step_rows[0] = f"{first} &{step_rows[0]}"
        mark = "" if step.check.verified or step.check.status == "definition" else _rule(step)
        if mark:
            step_rows[0] += rf" \tag*{{{mark}}}" if tags else rf" \quad {mark}"
        elif last_tag and i + 1 == len(d.steps):
            step_rows[-1] += rf" \tag*{{{last_tag}}}"
        rows += step_rows
    return " \\\\\n".join(rows)


def _key_step_rows(pairs: list[tuple[str, str]], budget: float | None, boxed: bool) -> list[str]:
    """The right side of a step, ``= m₁ = m₂ …``, as rows after the ``&``: all on one row,
    or (wider than ``budget``) the first member on a row of its own and the others packed
    greedily into rows, a member wider than a row reflowed over rows of its own (a boxed
    last member stays whole)."""
    if budget is None or sum(width(m) + 1.4 for _, m in pairs) <= budget:
        return [" ".join(f"{r} {m}" for r, m in pairs)]
    rows: list[str] = []
    used = budget
    for k, (relation, member) in enumerate(pairs):
        w = width(member) + 1.4
        if rows and used + w <= budget:
            rows[-1] += f" {relation} {member}"
            used += w
            continue
        whole = boxed and k + 1 == len(pairs)
        flowed = [member] if whole else [r.tex for r in reflow(member, budget - 1.4)]
        rows.append(f"{relation} {flowed[0]}")
        rows += [rf"&\quad {{}}{r}" for r in flowed[1:]]
        used = w if len(flowed) == 1 and k > 0 else budget  # the first member alone
    return [rows[0]] + [r if r.startswith("&") else f"&{r}" for r in rows[1:]]


#: The width in em of the summary table's answer column (0.76 of the line, less a margin).
SUMMARY_EM = 0.76 * LINE_EM - 1.0


def summary_cell(
    row: SummaryRow, words: Callable[[Paragraph], str], inline: Callable[[str], str] = "${}$".format
) -> str:
    """What a row of the summary table shows, in a format's prose (``words``) and inline
    math (``inline``): its answer where the value fits a cell, else its words, else the
    answer's label and where its value is."""
    if row.answer is None:
        return words(row.words) if row.words is not None else ""
    math = summary_math(row.answer)
    if math is not None:
        return inline(math)
    if row.words is not None:
        return words(row.words)
    return inline(latex(row.answer.label)) + words(Paragraph((": too wide here, see its box",)))


def summary_math(a: Answer, room: float = SUMMARY_EM) -> str | None:
    """``label = value`` (``≈`` for a rounded value) on one line of ``room`` em: a column
    written as a transposed row, a matrix of at most two rows as it is; None where it does
    not fit (a taller matrix, or a wider value)."""
    relation = r"\approx" if a.approximate else "="
    matrix = _explicit_matrix(a.value)
    value = latex(a.value)
    if matrix is not None and matrix.cols == 1 < matrix.rows:
        matrix = matrix.T
        value = latex(matrix) + "^{T}"
    if matrix is not None and matrix.rows > 2:
        return None
    tex = f"{latex(a.label)} {relation} {value}"
    return tex if width(tex) <= room else None


JUPYTER_LATEX[Derivation] = lambda d: f"$\\displaystyle {derivation_math(d)}$"
JUPYTER_LATEX[Solution] = solution_math
