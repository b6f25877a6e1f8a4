"""matplotlib, loaded only when a figure is drawn, and what every drawing shares: labels
(prose, integers and SymPy as mathtext), colours and the widest figure."""

from __future__ import annotations

import functools
import re
from typing import Any

import sympy as sp

from symhw.figures import Label
from symhw.memo import forgettable
from symhw.render.expr import latex, text

GREY, INK, ACCENT = "0.85", "0.15", "#1f5fa8"
#: The widest figure, in inches: the sheet's line is 17 cm (6.69 in) and figures are
#: included at their natural size, so their text is the size it was drawn at.
MAX_WIDTH = 6.5
#: The width of a figure beside its caption in Part I, in inches (the caption takes the
#: rest of the line). A figure drawn wider is placed above its caption, on the full line.
KEY_WIDTH = 3.5
#: The smallest text a figure holds, in points, as printed (figures are never scaled):
#: labels and ticks; text with mathtext scripts or fractions is at least :data:`MATH_FONT`,
#: whose scripts (0.7 of it in mathtext) print at 6.3 pt.
MIN_FONT, MATH_FONT = 8, 9


@functools.cache
def matplotlib() -> Any:
    """matplotlib with only what drawing needs: the Figure class and the two backends."""
    import matplotlib
    import matplotlib.backends.backend_pdf
    import matplotlib.backends.backend_svg
    import matplotlib.figure
    import matplotlib.mathtext
    import matplotlib.patches
    import matplotlib.path
    import matplotlib.ticker

    _forget_fonts(matplotlib)
    return matplotlib


def _forget_fonts(matplotlib: Any) -> None:
    """matplotlib (3.11) remembers the fonts object of every mathtext parse that sets a
    sized delimiter (``functools.cache`` on a method, unbounded: 6 a HW2 variant, about
    40 KiB each): forgotten with symhw's own caches (:mod:`symhw.memo`)."""
    stix = getattr(getattr(matplotlib, "_mathtext", None), "StixFonts", None)
    sized = getattr(stix, "get_sized_alternatives_for_symbol", None)
    if hasattr(sized, "cache_clear"):
        forgettable(sized)


def label(segments: Label) -> str:
    """A label as matplotlib text: prose as written, integers as digits (grouped by thin
    spaces from 10⁴ on), other SymPy parts as mathtext (their LaTeX, or their plain text
    where mathtext cannot set that LaTeX).

    >>> label(("input, ", 65536, " channels"))
    'input, 65\u2009536 channels'
    """
    return "".join(_segment(s) for s in segments)


def _segment(segment: str | int | sp.Basic) -> str:
    if isinstance(segment, str):
        return segment.replace("$", r"\$")
    if isinstance(segment, int | sp.Integer):
        n = int(segment)
        return (f"{n:,}".replace(",", "\u2009") if abs(n) >= 10_000 else str(n)).replace("-", "−")
    return math(segment)


#: LaTeX that mathtext always sets: one letter with a subscript, a superscript or both
#: (x^{(1)}, Y_{jt}, w^{11}_{1}), which needs no trial parse (a parse costs milliseconds).
_PLAIN_SYMBOL = re.compile(
    r"[A-Za-z](?:(?:_\{[A-Za-z0-9(),]+\})?(?:\^\{[A-Za-z0-9(),]+\})?"
    r"|(?:\^\{[A-Za-z0-9(),]+\})(?:_\{[A-Za-z0-9(),]+\}))"
)


@functools.lru_cache(maxsize=4096)  # labels: the same from one variant to the next
def math(expr: sp.Basic) -> str:
    source = f"${latex(expr)}$"
    if _PLAIN_SYMBOL.fullmatch(source[1:-1]):
        return source
    parser = matplotlib().mathtext.MathTextParser("path")
    try:
        parser.parse(source)
    except ValueError:
        return text(expr).replace("$", r"\$")
    return source
