r"""The feedback sheet of ``symhw check`` as LaTeX a notebook shows (Jupyter's
``_repr_latex_``, typeset by MathJax; not a document): a display per claim, an array of
lines in the words of the other formats (:mod:`.feedback_items`). Words are set in
``\text`` and every character TeX treats specially as math, so that MathJax and LaTeX (a
notebook exported to PDF) read the same thing. A display per claim, not one for the
sheet: MathJax gives up on a TeX string of more than 5 KiB where it expands a macro (see
:data:`MATHJAX_BUFFER`; the whole HW2 report is 30,000 characters), and a PDF breaks pages
between displays only."""

from __future__ import annotations

import re
from typing import Any

from symhw.render.feedback_items import VERDICT_WORDS, details, shows_expected

#: Characters that mean something to TeX even in ``\text``, each set as math instead.
_SPECIAL = {
    "\\": r"\backslash{}",
    "{": r"\{",
    "}": r"\}",
    "$": r"\$",
    "_": r"\_",
    "&": r"\&",
    "%": r"\%",
    "#": r"\#",
    "^": r"\hat{}",
    "~": r"\sim{}",
    "<": "<",
    ">": ">",
    "|": "|",
}
_SPECIALS = re.compile("[" + re.escape("".join(_SPECIAL)) + "]")
#: Around a piece of math inside an item's words (control characters: never in a claim's
#: text, which refuses them, and removed from words all the same).
_OPEN, _CLOSE = "\x00", "\x01"


#: MathJax's ``maxBuffer`` (5 × 1024 characters: the longest TeX string it goes on with
#: after expanding a macro, such as ``\_``, in it), less a margin for what a macro expands
#: to; a claim's display longer than this is split into a display per line.
MATHJAX_BUFFER = 4 * 1024


def feedback(data: dict[str, Any]) -> str:
    """The whole feedback sheet (the report's plain data,
    :func:`symhw.checker.report.report_data`): the counts, then a display per claim."""
    title = data["title"] or f"Claims on {data['problem_set']}, checked"
    counts = ", ".join(f"{n} {v}" for v, n in data["counts"].items() if n)
    n = len(data["claims"])
    head = [words(title, "textbf")]
    if data["source"]:
        head.append(words(f"Source: {data['source']}"))
    head.append(words(f"{n} claim{'' if n == 1 else 's'}: {counts}."))
    out = [_display(head)]
    problem = None
    for claim in data["claims"]:
        lines = claim_lines(claim)
        if claim["problem"] != problem:
            problem = claim["problem"]
            lines.insert(0, words(problem, "textbf"))
        out.append(_displays(lines))
    return "\n".join(out)


def claim_feedback(c: dict[str, Any]) -> str:
    """One claim (an item of the report's ``claims``), as the sheet shows it."""
    return _displays(claim_lines(c))


def claim_lines(c: dict[str, Any]) -> list[str]:
    """A claim's lines: its name and verdict, what was written, what was expected, and the
    findings, as the feedback sheet says them."""
    where = f" ({c['source']})" if c["source"] else ""
    name = c["name"] or "statement"
    lines = [words(name + where, "textbf") + words(f": {VERDICT_WORDS[c['verdict']]}")]
    if c["written"]:
        lines.append(r"\quad " + words("written: ") + c["written"]["latex"])
    if shows_expected(c):
        lines.append(r"\quad " + words("expected: ") + c["expected"]["latex"])
    for item in details(c, _plain, _math):
        lines.append(r"\quad \bullet\ " + _item(item))
    if c.get("note"):
        lines.append(r"\quad " + words(f"note: {c['note']}"))
    return lines


def words(text: str, command: str = "text") -> str:
    r"""Plain text in math mode: runs of ordinary characters in ``\text`` (or ``\textbf``),
    the characters TeX treats specially as math.

    >>> print(words("dL/dx_13: 50% & more"))
    \text{dL/dx}\_\text{13: 50}\%\text{ }\&\text{ more}
    """
    text = _plain(text)
    out, at = [], 0
    for found in _SPECIALS.finditer(text):
        if found.start() > at:
            out.append(f"\\{command}{{{text[at : found.start()]}}}")
        out.append(_SPECIAL[found.group()])
        at = found.end()
    if at < len(text):
        out.append(f"\\{command}{{{text[at:]}}}")
    return "".join(out)


def _plain(text: str) -> str:
    return text.replace(_OPEN, "").replace(_CLOSE, "")


def _math(tex: str) -> str:
    return f"{_OPEN}{tex}{_CLOSE}"


def _item(item: str) -> str:
    """An item of :func:`~symhw.render.feedback_items.details`: its words as words, its
    math as it is."""
    out = []
    for k, piece in enumerate(re.split(f"[{_OPEN}{_CLOSE}]", item)):
        out.append(piece if k % 2 else words(piece))
    return "".join(out)


def _displays(lines: list[str]) -> str:
    """The lines as one display, or one display each where that is too long for MathJax."""
    whole = _display(lines)
    if len(whole) <= MATHJAX_BUFFER:
        return whole
    return "\n".join(_display([line]) for line in lines)


def _display(lines: list[str]) -> str:
    return "$$\\begin{array}{l}\n" + " \\\\\n".join(lines) + "\n\\end{array}$$"
