"""How names look in LaTeX: a symbol's indices (w_1^11, C_in, H_out,conv1), an activation's
name (tanh, σ, ReLU) and an activation's derivative named in prose (θ′, tanh′)."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

from sympy.printing.conventions import split_super_sub
from sympy.printing.latex import translate

#: The indices of a symbol's name in SymPy's grammar, in order: w_1^11 -> (_, 1), (^, 11).
_INDEX = re.compile(r"([_^])([^_^]+)")

#: The two-letter words that name things in subscripts (C_in, μ_fc); any longer run of
#: letters is a word too (H_out, P_conv1, P_bottleneck).
_SHORT_WORDS = frozenset({"in", "fc"})
_WORD = re.compile(r"([A-Za-z]+)[0-9]*('*)")


def index_latex(index: str) -> str:
    r"""One sub- or superscript of a name in LaTeX: Greek letters and accents translated,
    words upright, each comma-separated part on its own (H_out,conv1).

    A part is a *word* when its letters (then optional digits and primes) are three or
    more, two followed by a number (a layer's name: bn1), or one of the two-letter words of
    the problem kinds (in, fc). Letters written
    side by side are otherwise separate indices, kept italic: symhw writes at most two
    one-letter indices together (x_it, Y_jt', w_k^ij) and separates more with commas
    (x_i,m,n), so no index list is mistaken for a word.

    >>> print(index_latex("in"), index_latex("out,conv1"), index_latex("it"), index_latex("11"))
    \mathrm{in} \mathrm{out},\mathrm{conv1} it 11
    """
    return ",".join(_index_part(part) for part in index.split(","))


def _index_part(part: str) -> str:
    if " " in part:  # a name such as a block's label: upright text
        spaced = part.replace(" ", "\\ ")
        return rf"\mathrm{{{spaced}}}"
    tex = translate(part)
    word = _WORD.fullmatch(part)
    if tex != part or word is None:  # Greek, an accent, digits or an expression: (l+1)
        return tex
    letters, numbered = word.group(1), word.group(0)[len(word.group(1)) :].rstrip("'")
    if len(letters) >= 3 or letters in _SHORT_WORDS or (len(letters) == 2 and numbered):
        stem = part[: len(part) - len(word.group(2))]
        return rf"\mathrm{{{stem}}}{word.group(2)}"
    return tex


@functools.lru_cache(maxsize=4096)
def symbol_latex(name: str, style: str) -> str:
    """A symbol's name in LaTeX, remembered (a conv sheet prints a few hundred index names,
    and SymPy's translation tries every accent suffix on each): the indices in the order
    the name gives them when the subscript comes first (w_1^11 is w_{1}^{11}), otherwise
    superscripts first as SymPy prints them (s^{(l)}_{j}); indices by :func:`index_latex`."""
    parts = _INDEX.findall(name)
    if _sub_first(parts):
        base = name.split("_", 1)[0]
    else:  # SymPy's reading, x12 included (x_{12})
        base, sups, subs = split_super_sub(name)
        parts = [("^", " ".join(sups))] * bool(sups) + [("_", " ".join(subs))] * bool(subs)
    base = translate(base)
    if style == "bold":
        base = rf"\mathbf{{{base}}}"
    return base + "".join(f"{mark}{{{index_latex(i)}}}" for mark, i in parts)


def _sub_first(parts: list[tuple[str, str]]) -> bool:
    """One subscript, then superscripts: the order SymPy's own printer would reverse."""
    marks = [mark for mark, _ in parts]
    return len(marks) > 1 and marks[0] == "_" and "_" not in marks[1:]


_FUNCTION_NAMES = {
    "sigmoid": r"\sigma",
    "softplus": r"\operatorname{softplus}",
    "relu": r"\operatorname{ReLU}",
    "tanh": r"\tanh",
    "θ": r"\theta",
    "σ": r"\sigma",
}


def function_latex(name: str) -> str:
    """An activation's name as math: tanh is \\tanh, sigmoid σ, others upright by name."""
    return _FUNCTION_NAMES.get(name, rf"\operatorname{{{name}}}")


#: An activation's derivative named in prose, θ' or tanh′: written as math by the renderers.
PRIMED_NAME = re.compile(r"(?<![A-Za-z])(θ|σ|tanh|sigmoid|softplus|relu|identity)['′](?![A-Za-z])")


def with_primes(text: str, plain: Callable[[str], str]) -> str:
    """Prose with each primed function name (θ′, identity′) as math, the rest through
    ``plain`` (the format's escaping).

    >>> with_primes("θ' is 1", str.upper)
    "$\\\\theta'$ IS 1"
    """
    pieces = PRIMED_NAME.split(text)  # text, name, text, name, ..., text
    return "".join(
        f"${function_latex(piece)}'$" if i % 2 else plain(piece) for i, piece in enumerate(pieces)
    )
