"""lark's terminal names in words, for the "expected ..." of a syntax error."""

from __future__ import annotations

from collections.abc import Iterable

#: Terminals in the order a message names them, with their words; a message names at most
#: :data:`SHOWN` of them.
WORDS: dict[str, str] = {
    "NUMBER": "a number",
    "NAME": "a name",
    "IDENT": "a name",
    "LPAR": "'('",
    "FRAC": r"\frac",
    "FUNC": r"a function such as \tanh",
    "COMMAND": r"a letter such as \delta",
    "BEGIN_M": r"\begin{bmatrix}",
    "LSQB": "'['",
    "RPAR": "')'",
    "RSQB": "']'",
    "RBRACE": "'}'",
    "LBRACE": "'{'",
    "SCRIPT": "a script (one character or {...})",
    "PLUS": "'+'",
    "MINUS": "'-'",
    "TIMES": "'*'",
    "SLASH": "'/'",
    "POW": "'^'",
    "CIRCUMFLEX": "'^'",
    "UNDERSCORE": "'_'",
    "EQ": "'='",
    "EQUAL": "'='",
    "COMMA": "','",
    "SEMICOLON": "';'",
    "AMPERSAND": "'&'",
    "ROWSEP": r"\\",
    "END_M": r"\end{bmatrix}",
    "RIGHT": r"\right",
    "LEFT": r"\left",
    "TO": r"\to",
    "TEXT": r"\text{...}",
    "GRADIENT": "dL/dx",
    "PRIME": "a prime (')",
    "SUM": r"\sum",
    "LIM": r"\lim",
    "NABLA": r"\nabla",
    "PARTIAL": r"\partial",
    "DERIV": r"\frac{d}{dx}",
    "ACCENT": r"\hat",
    "$END": "the end",
}
SHOWN = 6


def expected_words(terminals: Iterable[str]) -> str:
    """The terminals lark expected, in words: the first :data:`SHOWN` in :data:`WORDS`
    order, then "...".

    >>> expected_words({"NUMBER", "LPAR", "NAME", "FRAC"})
    "a number, a name, '(' or \\\\frac"
    """
    order = list(WORDS)
    names = sorted(set(terminals), key=lambda t: (order.index(t) if t in order else len(order), t))
    words = list(dict.fromkeys(WORDS.get(t, t.lower()) for t in names))
    if not words:
        return "nothing more"
    if len(words) > SHOWN:
        return ", ".join(words[:SHOWN]) + ", ..."
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]
