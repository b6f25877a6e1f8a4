"""Wide mathematics reflowed to the line, never shrunk: the width of LaTeX math estimated
from its source, long sums and products broken across rows, wide matrices split into
column blocks.

The estimate is in em of the sheet's 11 pt type and errs wide (every glyph as wide as the
widest of its kind), so what it lets through fits; tests compile the sheet and its limit
cases and read pdflatex's log for overfull boxes.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass

from symhw.memo import forgettable

#: The text width of the sheet (A4, 2 cm margins: 483 pt) in em of 11 pt type.
LINE_EM = 44.0

_TOKEN = re.compile(r"\\[A-Za-z]+\*?|\\.|[{}]|\s+|.", re.S)

#: Widths in em of control words that are not a single letter-sized glyph.
_WORD_WIDTH = {
    "quad": 1.0,
    "qquad": 2.0,
    "cdot": 0.8,
    "odot": 1.3,
    "times": 1.3,
    "approx": 1.4,
    "to": 1.4,
    "neq": 1.4,
    "leq": 1.4,
    "geq": 1.4,
    "sum": 1.5,
    "prod": 1.5,
    "nabla": 0.9,
    "partial": 0.6,
    "infty": 1.0,
    "cdots": 1.4,
    "ldots": 1.4,
    "vdots": 0.4,
    "ddots": 1.4,
    "dots": 1.4,
    "left": 0.0,
    "right": 0.0,
    "middle": 0.0,
    "displaystyle": 0.0,
    "limits": 0.0,
    "relax": 0.0,
    "lim": 1.6,
    "min": 1.8,
    "max": 1.9,
    "log": 1.5,
    "exp": 1.6,
    "tanh": 2.2,
    "sinh": 2.0,
    "cosh": 2.2,
    "sin": 1.4,
    "cos": 1.5,
}
#: Commands whose argument is drawn at its own width (accents, fonts, boxes around it).
_SAME_WIDTH = {
    "tilde",
    "bar",
    "hat",
    "vec",
    "dot",
    "ddot",
    "mathrm",
    "mathbf",
    "mathit",
    "operatorname",
    "text",
    "textbf",
    "mathbb",
}
_SPACES = {",": 0.17, ":": 0.22, ";": 0.28, " ": 0.33, "!": -0.17, "|": 0.5, "{": 0.5, "}": 0.5}


def _tokens(tex: str) -> list[str]:
    return _TOKEN.findall(tex)


def _group(toks: list[str], i: int) -> tuple[list[str], int]:
    """The tokens of the brace group or single token at ``i``, and the index after it."""
    while i < len(toks) and toks[i].isspace():
        i += 1
    if i >= len(toks):
        return [], i
    if toks[i] != "{":
        return [toks[i]], i + 1
    depth, j = 0, i
    while j < len(toks):
        depth += {"{": 1, "}": -1}.get(toks[j], 0)
        if depth == 0:
            return toks[i + 1 : j], j + 1
        j += 1
    return toks[i + 1 :], len(toks)


def _environment(toks: list[str], i: int) -> tuple[list[str], int]:
    """The body of ``\\begin{...}`` at ``i`` (nested environments included), and the index
    after its ``\\end{...}``."""
    _, j = _group(toks, i + 1)
    depth, k = 1, j
    while k < len(toks):
        if toks[k] in ("\\begin", "\\end"):
            depth += 1 if toks[k] == "\\begin" else -1
            if depth == 0:
                _, after = _group(toks, k + 1)
                return toks[j:k], after
        k += 1
    return toks[j:], len(toks)


_OPEN, _CLOSE = ("{", "\\left", "\\begin"), ("}", "\\right", "\\end")


def _with_depth(toks: list[str]) -> Iterator[tuple[str, int]]:
    """Each token with the nesting depth after it (groups, ``\\left``…``\\right`` pairs and
    environments): a token at depth 0 stands at the top level."""
    depth = 0
    for t in toks:
        depth += (t in _OPEN) - (t in _CLOSE)
        yield t, depth


def split_top(toks: list[str], separators: set[str]) -> list[list[str]]:
    """Tokens cut at ``separators`` that stand outside every group, ``\\left``…``\\right``
    pair and environment (the separators are dropped)."""
    parts: list[list[str]] = [[]]
    for t, depth in _with_depth(toks):
        if depth == 0 and t in separators:
            parts.append([])
        else:
            parts[-1].append(t)
    return parts


def height(tex: str) -> float:
    """How many lines a piece of display math is tall: a matrix (or any environment with
    rows) one line per row, a row of taller cells as tall as they are; anything else one.

    >>> height(r"x = \\left[\\begin{matrix}1 \\\\ 2 \\\\ 3\\end{matrix}\\right] + y")
    3.0
    """
    return _height(_tokens(tex))


def _height(toks: list[str]) -> float:
    tallest, i = 1.0, 0
    while i < len(toks):
        if toks[i] != "\\begin":
            i += 1
            continue
        body, i = _environment(toks, i)
        rows = split_top(body, {"\\\\"})
        cells = (split_top(r, {"&"}) for r in rows)
        tallest = max(tallest, sum(max(_height(c) for c in row) for row in cells))
    return tallest


def _matrix_width(body: list[str]) -> float:
    rows = [split_top(r, {"&"}) for r in split_top(body, {"\\\\"})]
    cols = max((len(r) for r in rows), default=0)
    widest = [max((_width(r[c]) for r in rows if c < len(r)), default=0.0) for c in range(cols)]
    return sum(widest) + 1.0 * max(cols - 1, 0) + 0.4


def _width(toks: list[str], scale: float = 1.0) -> float:
    total, i = 0.0, 0
    while i < len(toks):
        t = toks[i]
        i += 1
        if t.isspace() or t in ("{", "}", "&"):
            continue
        if t in ("^", "_"):
            arg, i = _group(toks, i)
            w = _width(arg, 0.75)
            # a sub- and superscript stack: only the wider counts
            if i < len(toks) and toks[i] in ("^", "_"):
                arg2, i = _group(toks, i + 1)
                w = max(w, _width(arg2, 0.75))
            total += w
        elif t == "\\frac":
            num, i = _group(toks, i)
            den, i = _group(toks, i)
            total += max(_width(num), _width(den)) + 0.3
        elif t == "\\begin":
            body, i = _environment(toks, i - 1)
            total += _matrix_width(body)
        elif t in ("\\left", "\\right", "\\bigl", "\\bigr", "\\Bigl", "\\Bigr"):
            delim, i = _group(toks, i)
            total += 0.0 if delim == ["."] else 0.5
        elif t in ("\\boxed", "\\fbox"):
            arg, i = _group(toks, i)
            total += _width(arg) + 0.8
        elif t in ("\\substack",):
            arg, i = _group(toks, i)
            total += max(_width(p) for p in split_top(arg, {"\\\\"}))
        elif t.startswith("\\") and t[1:] in _SAME_WIDTH:
            arg, i = _group(toks, i)
            total += _width(arg) * (0.55 if t[1:] in ("text", "textbf") else 1.0)
        elif t == "\\tag*" or t == "\\tag":
            _, i = _group(toks, i)
        elif t.startswith("\\") and t[1:] in _WORD_WIDTH:
            total += _WORD_WIDTH[t[1:]]
        elif len(t) == 2 and t[0] == "\\" and not t[1].isalpha():
            total += _SPACES.get(t[1], 0.5)
        elif t.startswith("\\"):
            total += 0.65  # a Greek letter or symbol
        elif t in "+-=<>":
            total += 1.3  # the sign and the spaces TeX puts around it
        elif t in "(),[]|":
            total += 0.45
        else:
            total += 0.6
    return total * scale


@forgettable
@functools.lru_cache(maxsize=65536)
def width(tex: str) -> float:
    """The estimated width in em of math ``tex`` in display style (errs wide).

    >>> round(width(r"x + 1"), 1), round(width(r"\\frac{a + b}{2}"), 1)
    (2.5, 2.8)
    """
    return _width(_tokens(tex))


@dataclass(frozen=True)
class Row:
    """One row of a reflowed display: its math and a note for the margin (or empty)."""

    tex: str
    note: str = ""


_OPERATORS = {"+", "-", "=", "\\approx", "\\cdot", "\\odot", "\\times"}


def _join(toks: list[str]) -> str:
    """Tokens as LaTeX, without the spaces (``\\ `` included) a cut leaves at either end."""
    text = "".join(toks).strip()
    while text.startswith("\\ "):
        text = text[2:].lstrip()
    return text


def _after_commas(toks: list[str]) -> list[list[str]]:
    """The items of a list or tuple, cut after each comma at the top level."""
    items: list[list[str]] = [[]]
    for t, depth in _with_depth(toks):
        items[-1].append(t)
        if depth == 0 and t == ",":
            items.append([])
    return [i for i in items if _join(i)]


#: Where a row is cut first: at relations, then between the terms of a sum, then between
#: the factors of a product written with an operator (2 · 65 535 stays whole in a sum).
_CUTS = ({"=", "\\approx"}, {"+", "-"}, {"\\cdot", "\\odot", "\\times"})


def _terms(toks: list[str]) -> list[list[str]]:
    """Tokens cut before each binary operator at the top level (a sign stays with its
    term), at the loosest kind of operator there is (:data:`_CUTS`); a leading sign is
    not a cut."""
    for cuts in _CUTS:
        items = _cut(toks, cuts)
        if len(items) > 1:
            return items
    return [toks]


def _cut(toks: list[str], cuts: set[str]) -> list[list[str]]:
    items: list[list[str]] = [[]]
    prev = ""  # prev: the last token of the current item that is not a space
    for t, depth in _with_depth(toks):
        if depth == 0 and t in cuts and prev and prev not in (*_OPERATORS, "^", "_"):
            items.append([t])  # after an operator, t is a sign
        else:
            items[-1].append(t)
        if not t.isspace():
            prev = t
    return [i for i in items if _join(i)]


def _factors(toks: list[str]) -> list[list[str]]:
    """A product's factors, cut at the spaces that separate them at the top level."""
    items: list[list[str]] = [[]]
    shown = 0  # shown: tokens of the current item that are not spaces
    for t, depth in _with_depth(toks):
        sign = shown == 1 and items[-1][-1] in _OPERATORS  # - 0.5 is one factor
        if (
            depth == 0
            and t.isspace()
            and shown
            and not sign
            and items[-1][-1] not in ("\\left", "\\right")
        ):
            items.append([])
            shown = 0
        else:
            items[-1].append(t)
            shown += not t.isspace()
    return [i for i in items if _join(i)]


def reflow(tex: str, budget: float) -> list[Row]:
    """Math as rows of at most ``budget`` em where it can be cut: sums at their terms,
    products at their factors (``\\times`` opens the next row), parentheses opened on one
    row and closed on a later one, and matrices in blocks of columns. What cannot be cut
    (a single symbol, a matrix column wider than the line) stays whole.

    >>> [r.tex for r in reflow("a + b + c", 3.0)]
    ['a + b', '+ c']
    """
    if width(tex) <= budget:
        return [Row(tex)]
    toks = _tokens(tex)
    items = _after_commas(toks)
    if len(items) > 1:
        return _pack([_join(i) for i in items], budget, " ")
    terms = _terms(toks)
    if len(terms) > 1:
        return _pack([_join(t) for t in terms], budget, " ")
    factors = _factors(toks)
    if len(factors) > 1:
        rows = _pack([_join(f) for f in factors], budget, " ", r"\times ")
        return [r for row in rows for r in _reflow_single(row, budget)]
    return _reflow_single(Row(tex), budget)


def _pack(items: list[str], budget: float, sep: str, lead: str = "") -> list[Row]:
    """Items greedily packed into rows; each item wider than a row is reflowed alone."""
    rows: list[Row] = []
    line, used = "", 0.0  # widths add up: the items are cut at the top level
    for item in items:
        w = width(item)
        if line and used + w > budget:
            rows.append(Row(line))
            line = lead + item if lead and _tokens(item)[0] not in _OPERATORS else item
            used = width(line)
        else:
            line = f"{line}{sep}{item}" if line else item
            used += w
    rows.append(Row(line))
    out: list[Row] = []
    for row in rows:
        out += [row] if width(row.tex) <= budget else reflow_parts(row.tex, budget)
    return out


def reflow_parts(tex: str, budget: float) -> list[Row]:
    """A row too wide whose terms or factors are already one each: reflow its pieces."""
    toks = _tokens(tex)
    for pieces in (_after_commas(toks), _terms(toks)):
        if len(pieces) > 1:
            return [r for t in pieces for r in reflow(_join(t), budget)]
    factors = _factors(toks)
    if len(factors) > 1:
        return [r for f in factors for r in reflow(_join(f), budget)]
    return _reflow_single(Row(tex), budget)


def _reflow_single(row: Row, budget: float) -> list[Row]:
    """One term or factor wider than the line: opened parentheses, a wide matrix or a
    product with a leading sign or ``\\times``."""
    if width(row.tex) <= budget:
        return [row]
    toks = [t for t in _tokens(row.tex)]
    lead: list[str] = []
    while toks and (toks[0].isspace() or toks[0] in _OPERATORS):
        lead.append(toks.pop(0))
    if len(_factors(toks)) > 1 or len(_terms(toks)) > 1:
        rows = reflow_parts(_join(toks), budget)
        return [Row(_join(lead) + " " + rows[0].tex, rows[0].note), *rows[1:]]
    prefix = _join(lead) + (" " if lead else "")
    digits = _join(toks)
    if _NUMBER.fullmatch(digits):
        return _split_number(prefix + digits, budget)
    fraction = _split_fraction(toks, budget)
    if fraction:
        return [Row(prefix + fraction[0].tex, fraction[0].note), *fraction[1:]]
    matrix = _split_matrix(toks, budget)
    if matrix:
        return [Row(prefix + matrix[0].tex, matrix[0].note), *matrix[1:]]
    opened = _open_parentheses(toks, budget)
    if opened:
        return [Row(prefix + opened[0].tex, opened[0].note), *opened[1:]]
    return [row]


_NUMBER = re.compile(r"-?[0-9][0-9.]*(\\,[0-9]+)*")


def _split_number(tex: str, budget: float) -> list[Row]:
    """A number with more digits than a row holds (an exact decimal of a hundred places):
    its digits cut into rows, each row but the last noted as continued."""
    per_row = max(8, int(budget / 0.6))
    units = re.split(r"(?=\\,)", tex) if "\\," in tex else list(tex)  # groups or digits
    chunks = [""]
    for unit in units:
        if chunks[-1] and len(chunks[-1] + unit) > per_row:
            chunks.append("")
        chunks[-1] += unit
    return [Row(c, "" if k == len(chunks) - 1 else "digits continue") for k, c in enumerate(chunks)]


def _split_fraction(toks: list[str], budget: float) -> list[Row] | None:
    """A fraction of two numbers wider than the line (an exact value of a hundred digits)
    written as numerator / denominator, each number cut into rows; None for anything else.

    >>> [r.tex for r in _split_fraction(_tokens(r"\\frac{123456789}{987654321}"), 5.0)]
    ['12345678', '9', '/ 987654', '321']
    """
    if not toks or toks[0] != "\\frac":
        return None
    num, i = _group(toks, 1)
    den, j = _group(toks, i)
    rest = [t for t in toks[j:] if not t.isspace()]
    top, bottom = _join(num).strip(), _join(den).strip()
    if rest or not (_NUMBER.fullmatch(top) and _NUMBER.fullmatch(bottom)):
        return None
    return [*_split_number(top, budget), *_split_number("/ " + bottom, budget)]


def _open_parentheses(toks: list[str], budget: float) -> list[Row] | None:
    """``f\\left( X \\right)^{...}`` too wide: ``f\\left( X₁ \\right.`` on the first row,
    ``\\left. Xₙ \\right)^{...}`` on the last, X reflowed between (f: a function's name,
    or nothing)."""
    depth, start = 0, None
    for i, t in enumerate(toks):
        if t == "\\left" and depth == 0:
            start = i
            break
        depth += {"{": 1, "}": -1}.get(t, 0)
    if start is None or len(toks) - start < 4:
        return None
    head, toks = _join(toks[:start]), toks[start:]
    opening, j = _group(toks, 1)
    depth, k = 1, j
    while k < len(toks):
        if toks[k] == "\\left":
            depth += 1
        elif toks[k] == "\\right":
            depth -= 1
            if depth == 0:
                break
        k += 1
    if k >= len(toks):
        return None
    closing, after = _group(toks, k + 1)
    inner, tail = _join(toks[j:k]), _join(toks[after:])
    rows = reflow(inner, budget - 2.0 - width(head))  # the first row carries the head too
    if len(rows) < 2:
        return None
    left = "\\left" + _join(opening)
    right = "\\right" + _join(closing)
    first = Row(f"{head}{left} {rows[0].tex} \\right.", rows[0].note)
    last = Row(f"\\left. {rows[-1].tex} {right}{tail}", rows[-1].note)
    return [first, *rows[1:-1], last]


def _split_matrix(toks: list[str], budget: float) -> list[Row] | None:
    """``\\left[\\begin{matrix}…\\end{matrix}\\right]^{…}`` wider than the line, split into
    blocks of columns, one per row: ``\\left[ B₁ \\right.`` … ``\\left. Bₖ \\right]^{…}``,
    each noted with its columns."""
    if len(toks) < 6 or toks[0] != "\\left" or "\\begin" not in toks[:4]:
        return None
    opening, j = _group(toks, 1)
    if toks[j] != "\\begin":
        return None
    env, _ = _group(toks, j + 1)
    body, after = _environment(toks, j)
    if after >= len(toks) or toks[after] != "\\right":
        return None
    if _join(env) == "array":  # SymPy's form past ten columns: {ccc…} leads the body
        _, skip = _group(body, 0)
        body = body[skip:]
    closing, end = _group(toks, after + 1)
    tail = _join(toks[end:])
    rows = [split_top(r, {"&"}) for r in split_top(body, {"\\\\"})]
    cols = max(len(r) for r in rows)
    if cols < 2:
        return None
    widest = [max(_width(r[c]) for r in rows if c < len(r)) for c in range(cols)]
    blocks, start, used = [], 0, 1.5
    for c, w in enumerate(widest):
        if c > start and used + w + 1.0 > budget:
            blocks.append((start, c))
            start, used = c, 1.5
        used += w + 1.0
    blocks.append((start, cols))
    if len(blocks) < 2:
        return None
    name = _join(env)
    out = []
    for b, (lo, hi) in enumerate(blocks):
        cells = r" \\ ".join(
            " & ".join(_join(r[c]) for c in range(lo, min(hi, len(r)))) for r in rows
        )
        left = "\\left" + _join(opening) if b == 0 else "\\left."
        right = "\\right" + _join(closing) + tail if b == len(blocks) - 1 else "\\right."
        note = f"columns {lo + 1}–{hi}" if hi - lo > 1 else f"column {lo + 1}"
        spec = "{" + "c" * (hi - lo) + "}" if name == "array" else ""
        out.append(Row(f"{left}\\begin{{{name}}}{spec}{cells}\\end{{{name}}}{right}", note))
    return out
