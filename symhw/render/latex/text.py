"""LaTeX text: prose escaped, paragraphs with inline math (displayed where too wide), table
cells, and the ``align*`` displays that longer math is set in."""

from __future__ import annotations

from symhw.derivation import Paragraph
from symhw.render.decimals import grouped_text
from symhw.render.expr import THIN, latex
from symhw.render.layout import LINE_EM, reflow, width
from symhw.render.names import with_primes

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


#: Each character as LaTeX text: a special escaped, a symbol as math (str.translate).
_TEXT = str.maketrans({**_UNICODE, **_SPECIAL})


def escape(text: str) -> str:
    r"""Plain text to LaTeX text: special characters escaped, common symbols and primed
    activations as math, long whole numbers in groups of three.

    >>> print(escape("θ' of identity′ is 1; 18496 & 5%"))
    $\theta'$ of $\operatorname{identity}'$ is 1; 18\,496 \& 5\%
    """
    return with_primes(
        text,
        lambda piece: grouped_text(piece.translate(_TEXT), THIN),
    )


def literal(text: str) -> str:
    r"""A name as it is spelled (a student id, a file name), in typewriter type: no number
    grouped, TeX specials escaped, and a character outside printable ASCII shown as ``?``
    (a file name may hold anything; the fonts do not).

    >>> print(literal("20231234_a.toml\n"))
    \texttt{20231234\_a.toml?}
    """
    shown = "".join(_SPECIAL.get(ch, ch) if " " <= ch <= "~" else "?" for ch in text)
    return f"\\texttt{{{shown}}}"


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


def table_cell(c) -> str:
    """A table cell: text escaped, anything else inline math."""
    return escape(c) if isinstance(c, str) else f"${latex(c)}$"


def plain(text: str) -> str:
    """Text for a PDF string (the title in the document's properties): no TeX specials."""
    return "".join(ch for ch in text if ch not in _SPECIAL)
