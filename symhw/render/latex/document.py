"""LaTeX renderer: a standalone document with one section per solution."""

from __future__ import annotations

import re
from collections.abc import Callable

import sympy as sp

from symhw.derivation import (
    JUPYTER_LATEX,
    Answer,
    Boxed,
    Derivation,
    Figure,
    Paragraph,
    ReferenceCode,
    Solution,
    Step,
    Table,
)
from symhw.render import (
    Frame,
    SummaryRow,
    anchor,
    answers_only,
    box_name,
    derived_in,
    summary_table,
)
from symhw.render.decimals import as_decimals, grouped_text
from symhw.render.expr import THIN, approximate_cells, latex, with_primes
from symhw.render.figures import FIGURE_FORMAT, figure_paths
from symhw.render.layout import LINE_EM, reflow, width
from symhw.render.mpl import KEY_WIDTH
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
    return with_primes(
        text,
        lambda piece: grouped_text(
            "".join(_SPECIAL.get(ch) or _UNICODE.get(ch) or ch for ch in piece), THIN
        ),
    )


def paragraph(p: Paragraph, displays: bool = True) -> str:
    """Prose with inline math; math too wide for a line of prose is displayed, reflowed
    (not with ``displays`` False: in a box or a table cell, which cannot hold a display)."""
    return "".join(
        escape(seg)
        if isinstance(seg, str)
        else (_inline(latex(seg)) if displays else f"${latex(seg)}$")
        for seg in p.segments
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
                out += _rows(reflow(cells[i][j], budget), head, "", tags)
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
    if len(rows) > _BOXED_ROWS:  # an align*: notes go to the margin, as tags
        rows = _member_rows(a.value, value, budget, label, head, "", tags=True)
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
    for name, cell in cells:
        rows += _rows(reflow(cell, budget), f"{name} &= ", "", tags=True)  # notes in the margin
    return align(rows)


def _tabular_columns(t: Table, columns: list[int], size: str) -> str:
    head = " & ".join(_cell(t.header[c]) for c in columns)
    rows = "\n".join(" & ".join(_cell(row[c]) for c in columns) + r" \\" for row in t.rows)
    return (
        f"\\begin{{center}}{size}\n\\begin{{tabular}}{{{'l' * len(columns)}}}\n\\hline\n"
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
    mark = _target(anchor(sol, "app")) + _bookmark(sol, "app", 1) if linked else ""
    head = rf"\section*{{{mark}{escape(sol.problem_id)}. {escape(sol.title)}}}"
    out = [head, paragraph(sol.statement) + "\n"]
    backs = _back_links(sol) if linked else {}
    paths = figure_paths(sol, figure_dir, FIGURE_FORMAT["tex"])
    for i, p in enumerate(sol.parts):
        text = _figure(p, paths[i]) if i in paths else _part(p)
        if i in backs:
            title = rf"\subsection*{{{escape(p.title)}}}"
            target = _target(anchor(sol, "app", f"part{i}"))  # in the heading: on its page
            back = rf"\subsection*{{{target}{escape(p.title)}"
            back += rf"\hfill{{\normalfont\small {backs[i]}}}}}"
            out.append(text.replace(title, back, 1))
        else:
            out.append(text)
    answers = "Answers"
    if linked:
        back = _link(anchor(sol, "key"), "Part I")
        target = _target(anchor(sol, "app", "answers"))
        answers = rf"{target}Answers\hfill{{\normalfont\small {back}}}"
    out.append(f"\\subsection*{{{answers}}}")
    for a in sol.answers:
        out.append(answer_display(a))
    out.append(f"\\paragraph{{Verification.}} {escape(verification_summary(sol))}\n")
    return "\n".join(out)


def _target(name: str) -> str:
    """A place links can go to, and whose page ``\\pageref`` gives."""
    return rf"\phantomsection\label{{{name}}}"


def _link(name: str, text: str) -> str:
    """A link to a target, with its page: e.g. "Part I, p. 3"."""
    return rf"\hyperref[{name}]{{{text}, p.~\pageref*{{{name}}}}}"


def _bookmark(sol: Solution, where: str, level: int) -> str:
    """A PDF bookmark for a problem: its id and title as plain text."""
    text = "".join(ch for ch in f"{sol.problem_id}. {sol.title}" if ch not in _SPECIAL)
    return rf"\pdfbookmark[{level}]{{{text}}}{{bm-{anchor(sol, where)}}}"


def _back_links(sol: Solution) -> dict[int, str]:
    """Per part of the appendix that a box of Part I links to: the link back to the (first)
    box, for the part's heading."""
    out: dict[int, str] = {}
    for i, box in enumerate(sol.boxes()):
        part = derived_in(sol, box)
        if part is not None and part not in out:
            out[part] = _link(anchor(sol, "key", box_name(box, i)), "boxed in Part I")
    return out


# Part I, the answer key, and the summary table of page 1.


def key_math(d: Derivation, boxed: bool = False) -> str:
    """A compact derivation as an ``aligned`` block (Markdown's Part I)."""
    return "\\begin{aligned}\n" + _key_rows(d, boxed, tags=False) + "\n\\end{aligned}"


def _key_rows(
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


def _key_part(sol: Solution, part, index: int, links: bool, figure_dir: str = "figures") -> str:
    if isinstance(part, Boxed):
        return _boxed(sol, part, index, links)
    if isinstance(part, Figure):  # the appendix's figure: the same file
        path = figure_paths(sol, figure_dir, FIGURE_FORMAT["tex"])[_position(sol, part)]
        return _key_figure(part, path)
    if isinstance(part, Derivation):
        title = rf"\paragraph{{{escape(part.title)}}}" if part.title else ""
        intro = paragraph(part.intro) + "\n" if part.intro else ""
        return f"{title}{intro}\\begin{{align*}}\n{_key_rows(part)}\n\\end{{align*}}\n"
    if isinstance(part, Paragraph):
        return paragraph(part) + "\n"
    return _part(part).replace("\\subsection*{}\n", "").replace("\\subsection*", "\\paragraph")


def _key_figure(fig: Figure, path: str) -> str:
    """A figure in Part I, where a question has a page: at its natural size, as in the
    appendix (never scaled), its title and caption beside it or below it
    (``\\symhwfigure``, :data:`KEY_FIGURE`)."""
    words = rf"\textbf{{{escape(fig.title)}.}} " + (paragraph(fig.caption) if fig.caption else "")
    return f"\\symhwfigure{{{path}}}{{{words}}}\n"


def _position(sol: Solution, fig: Figure) -> int:
    """Where a figure of Part I is in ``sol.parts`` (its file is named by that position)."""
    return next(i for i, p in enumerate(sol.parts) if p is fig or p == fig)


def _boxed(sol: Solution, box: Boxed, index: int, links: bool) -> str:
    """A boxed result with a target for the summary table and, with ``links``, a link to
    where the appendix derives it."""
    targets, goal, small = _box_ends(sol, box, index, links)

    def linked(body: str) -> str:
        return rf"\hyperref[{goal}]{{{body}}}" if links else body

    tag = rf"\tag*{{{small}}}" if links else ""
    if box.derivation is not None:
        return _derived_boxes(sol, [(box, index)], links)
    if box.statement is not None:
        lead = rf"\textbf{{{escape(box.question)}}} " if box.question else ""
        words = paragraph(box.statement, displays=False)
        text = lead + words + (_flush_right(small) if links else "")
        # ragged right, never hyphenated: a box's words stay whole (Disadvantages, not Dis-)
        plain = rf"\raggedright\hyphenpenalty=10000\exhyphenpenalty=10000 {text}"
        body = rf"\fbox{{\parbox{{0.9\linewidth}}{{{plain}}}}}"
        return f"{targets}\\begin{{center}}{body}\\end{{center}}\n"
    if box.table is not None:
        body = rf"\fbox{{{_tabular(box.table)}}}" + (rf"\\[2pt]{{{small}}}" if links else "")
        return f"{targets}\\begin{{center}}{body}\\end{{center}}\n"
    if any(width(answer_math(a)) > LINE_EM for a in box.answers):  # reflowed, never shrunk
        shown = "\n".join(answer_display(a) for a in box.answers)
        link = rf"\begin{{flushright}}{small}\end{{flushright}}" if links else ""
        return f"{targets}{shown}\n{link}\n"
    boxes = [linked(answer_math(a)) for a in box.answers]
    lines = " \\\\ ".join(r" \qquad ".join(line) for line in _packed(boxes))
    env = "gather*" if "\\\\" in lines else "equation*"
    return f"{targets}\\begin{{{env}}}\n{lines}{tag}\n\\end{{{env}}}\n"


def _flush_right(note: str) -> str:
    """A note at the right end of a paragraph's last line, or of a line of its own if it
    does not fit there (The TeXbook, ch. 14)."""
    return (
        r"{\unskip\nobreak\hfil\penalty50\hskip2em\hbox{}\nobreak\hfil"
        rf"\mbox{{{note}}}\parfillskip=0pt\par}}"
    )


def _box_ends(sol: Solution, box: Boxed, index: int, links: bool) -> tuple[str, str, str]:
    """A box's targets (for the summary table), the appendix part it links to, and the
    link as a small note (empty without ``links``)."""
    names = [a.name for a in box.answers] or [box_name(box, index)]
    targets = "".join(_target(anchor(sol, "key", n)) for n in names)
    part = derived_in(sol, box)
    goal = anchor(sol, "app", "answers" if part is None else f"part{part}")
    return targets, goal, rf"\small {_link(goal, 'derivation')}" if links else ""


def _derived_boxes(sol: Solution, run: list[tuple[Boxed, int]], links: bool) -> str:
    """Boxes each at the end of the lines that derive it (``box.derivation``), one after
    another: one display, the last row of each box tagged with its own link."""
    targets, rows = "", []
    for box, index in run:
        more, goal, small = _box_ends(sol, box, index, links)
        targets += more
        link = goal if links else ""
        rows.append(_key_rows(box.derivation, boxed=True, last_tag=small, link=link))
    body = " \\\\\n".join(rows)
    return f"{targets}\\begin{{align*}}\n{body}\n\\end{{align*}}\n"


def _tabular(table: Table) -> str:
    """A small table of results: the first column left, the others (numbers) right."""
    cols = "l" + "r" * (len(table.header) - 1)
    head = " & ".join(_cell(h) for h in table.header)
    rows = "\n".join(" & ".join(_cell(c) for c in row) + r" \\" for row in table.rows)
    return f"\\begin{{tabular}}{{{cols}}}\n{head} \\\\\n\\hline\n{rows}\n\\end{{tabular}}"


#: What a line of boxes may hold, in characters of LaTeX source left when markup is
#: dropped (:func:`visible_width`): a rough width, kept well inside the line.
_LINE_BUDGET = 90
_MARKUP = re.compile(
    r"\\hyperref\[[^\]]*\]|\\(?:left|right|boxed|operatorname|mathrm|tilde)\b|[{}]|\\ "
)


def visible_width(tex: str) -> int:
    """About how many characters a formula shows: its LaTeX without markup, a command
    (``\\mu``, ``\\frac``) counted as one."""
    return len(re.sub(r"\\[a-zA-Z]+", "x", _MARKUP.sub("", tex)))


def _packed(boxes: list[str]) -> list[list[str]]:
    """Boxes put on lines greedily, each line within :data:`_LINE_BUDGET`."""
    lines: list[list[str]] = []
    used = _LINE_BUDGET
    for b in boxes:
        width = visible_width(b) + 4
        if used + width > _LINE_BUDGET:
            lines.append([])
            used = 0
        lines[-1].append(b)
        used += width
    return lines


def key_section(
    sol: Solution, *, links: bool = True, worked: bool = True, figure_dir: str = "figures"
) -> str:
    """Part I for one problem: the question, the worked solution, the boxed results
    (``worked`` False: the question's boxed results only); figures from ``figure_dir``."""
    level = "section" if worked else "subsection"
    mark = _target(anchor(sol, "key")) + _bookmark(sol, "key", 1)  # in the heading: its page
    out = [rf"\{level}*{{{mark}{escape(sol.problem_id)}. {escape(sol.title)}}}"]
    if worked:
        out.append(paragraph(sol.statement) + "\n")
    boxes = 0
    for run in _runs(sol.key_parts() if worked else answers_only(sol)):
        if _display(run[0]):  # in the paragraph before it: no blank line, no empty line
            out[-1] = out[-1].rstrip("\n")
        if len(run) > 1:
            out.append(_derived_boxes(sol, [(b, boxes + i) for i, b in enumerate(run)], links))
        else:
            out.append(_key_part(sol, run[0], boxes, links, figure_dir))
        boxes += sum(isinstance(part, Boxed) for part in run)
    return "\n".join(out)


def _runs(parts) -> list[list]:
    """Parts of Part I in order, consecutive boxes derived on lines of their own grouped
    (one display holds them); every other part alone."""
    runs: list[list] = []
    for part in parts:
        derived = isinstance(part, Boxed) and part.derivation is not None
        if derived and runs and all(isinstance(p, Boxed) and p.derivation for p in runs[-1]):
            runs[-1].append(part)
        else:
            runs.append([part])
    return runs


def _display(part) -> bool:
    """Whether a part of Part I is set as a display (it then ends the paragraph before)."""
    if isinstance(part, Boxed):
        return part.statement is None
    return isinstance(part, Derivation) and not part.title and part.intro is None


def answer_rows(sol: Solution) -> str:
    """The rows of the table of boxed answers (the ``answers`` detail): question, and every
    answer boxed in full, or the conclusion in words."""
    rows = []
    for box in answers_only(sol):
        question = escape(f"{sol.problem_id} {box.question}".strip())
        if box.answers:
            relation = {True: r"\approx", False: "="}
            what = r" \quad ".join(
                rf"$\boxed{{{latex(a.label)} {relation[a.approximate]} {latex(a.value)}}}$"
                for a in box.answers
            )
        else:
            what = paragraph(box.statement, displays=False) if box.statement else ""
        rows.append(rf"{question} & {what} \\[2pt]")
    return "\n".join(rows) + "\n"


def summary_rows(sol: Solution) -> str:
    """The rows of the summary table for one problem: question, answer, page."""
    rows = []
    for row in summary_table(sol):
        page = rf"\hyperref[{row.target}]{{\pageref*{{{row.target}}}}}"
        rows.append(rf"{escape(row.question)} & {summary_cell(row, _cell_words)} & {page} \\")
    return "\n".join(rows) + "\n"


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


_HYPERREF = r"""\usepackage[hidelinks,bookmarksnumbered=false,bookmarksopen]{hyperref}
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
        f"{PREAMBLE}{_HYPERREF}\\hypersetup{{pdftitle={{{_plain(title)}}}}}\n"
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


def _plain(text: str) -> str:
    """Text for a PDF string (the title in the document's properties): no TeX specials."""
    return "".join(ch for ch in text if ch not in _SPECIAL)


JUPYTER_LATEX[Derivation] = lambda d: f"$\\displaystyle {derivation_math(d)}$"
JUPYTER_LATEX[Solution] = solution_math


def _cell_words(p: Paragraph) -> str:
    """Prose in a table cell, its math inline (a cell cannot hold a display)."""
    return paragraph(p, displays=False)
