"""A claim's text before lark sees it: its size and nesting checked (counts, never
seconds), its mode chosen, and the few Unicode signs people type (−, ×, δ, ∂, x², δ⁽²⁾)
written in ASCII; any other character outside ASCII is refused where it stands."""

from __future__ import annotations

from dataclasses import dataclass

from symhw.checker.syntax import ClaimSyntaxError

#: At most this many characters in one claim string.
MAX_LENGTH = 4_000
#: At most this many brackets open at once: ( [ { counted before parsing.
MAX_DEPTH = 50

_SIGNS = {  # character: (LaTeX, plain)
    "\u2212": ("-", "-"),  # minus sign
    "×": (r" \times ", "*"),
    "·": (r" \cdot ", "*"),
    "\u22c5": (r" \cdot ", "*"),  # dot operator
    "δ": (r"\delta ", "delta"),
    "θ": (r"\theta ", "theta"),
    "Θ": (r"\Theta ", "Theta"),
    "σ": (r"\sigma ", "sigma"),
    "∂": (r"\partial ", "d"),
    "∇": (r"\nabla ", "nabla"),
    "→": (r"\to ", "->"),
    "∞": (r"\infty ", "oo"),
    "′": ("'", "'"),
}
_SUPERSCRIPTS = dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁽⁾ᵀ", "0123456789+-()T", strict=True))
_ALLOWED_CONTROL = "\t\n\r"


@dataclass(frozen=True)
class Prepared:
    """The text lark reads (ASCII), where each of its characters came from in the claim
    (``origin[i]``; one more entry for the end), the mode (LaTeX or plain) and the claim
    as given."""

    text: str
    origin: tuple[int, ...]
    latex: bool
    source: str

    def source_index(self, index: int) -> int:
        """The position in the claim of a position in :attr:`text`."""
        return self.origin[max(0, min(index, len(self.origin) - 1))]


def is_latex(text: str) -> bool:
    """LaTeX when the text has a backslash or a brace, plain math otherwise.

    >>> is_latex(r"1-\\tanh^2(s)"), is_latex("w_1^{11}"), is_latex("1 - tanh(s)^2")
    (True, True, False)
    """
    return "\\" in text or "{" in text or "}" in text


def prepare(text: str, latex: bool | None = None) -> Prepared:
    """Check a claim's length, characters and nesting, and write it in ASCII; the mode
    is chosen by :func:`is_latex` unless given.

    >>> p = prepare("δ⁽²⁾ − 1")
    >>> p.text, p.latex, p.source_index(p.text.index("-"))
    ('delta^(2) - 1', False, 5)
    >>> prepare(r"x² \\cdot δ").text
    'x^{2} \\\\cdot \\\\delta '
    """
    if not isinstance(text, str):
        raise ClaimSyntaxError(f"a claim is text, not {type(text).__name__}", "", 0)
    if len(text) > MAX_LENGTH:
        message = f"{len(text):,} characters: a claim has at most {MAX_LENGTH:,}"
        raise ClaimSyntaxError(message, text, MAX_LENGTH)
    latex = is_latex(text) if latex is None else latex
    out: list[str] = []
    origin: list[int] = []
    i = 0
    while i < len(text):
        piece, used = _ascii(text, i, latex)
        out.append(piece)
        origin.extend([i] * len(piece))
        i += used
    prepared = Prepared("".join(out), (*origin, len(text)), latex, text)
    _check_depth(prepared, text)
    return prepared


def _ascii(text: str, i: int, latex: bool) -> tuple[str, int]:
    """The ASCII for the character(s) at ``i`` and how many characters it replaces."""
    c = text[i]
    if c in _SUPERSCRIPTS:
        j = i
        while j < len(text) and text[j] in _SUPERSCRIPTS:
            j += 1
        run = "".join(_SUPERSCRIPTS[ch] for ch in text[i:j])
        return ("^{" + run + "}" if latex else "^" + run), j - i
    if c in _SIGNS:
        return _SIGNS[c][0 if latex else 1], 1
    if c.isascii() and (c.isprintable() or c in _ALLOWED_CONTROL):
        return c, 1
    name = f"U+{ord(c):04X}"
    shown = "a control character" if not c.isprintable() else f"the character {c!r}"
    raise ClaimSyntaxError(f"{shown} ({name}) cannot be read: write it in ASCII or LaTeX", text, i)


def _check_depth(prepared: Prepared, source: str) -> None:
    """At most :data:`MAX_DEPTH` brackets open at once (before lark: a million nested
    brackets never reach the parser)."""
    depth = 0
    for i, c in enumerate(prepared.text):
        if c in "([{":
            depth += 1
            if depth > MAX_DEPTH:
                message = f"brackets nested more than {MAX_DEPTH} deep"
                raise ClaimSyntaxError(message, source, prepared.source_index(i))
        elif c in ")]}":
            depth -= 1
