"""The one error a claim's text can raise: where it is, what was expected, the excerpt."""

from __future__ import annotations

from functools import partial

from symhw.errors import InputError

#: Characters of the claim shown on each side of the position in an error.
EXCERPT_SIDE = 20


class ClaimSyntaxError(InputError):
    """A claim that cannot be read: its position (line and column, from 1), a message in
    words and the excerpt around the position. Every failure of :func:`symhw.checker.parse.parse`
    is one of these (an :class:`~symhw.errors.InputError`: exit status 2).

    >>> error = ClaimSyntaxError("expected a number", "1 + * 2", 4)
    >>> error.line, error.column, error.excerpt
    (1, 5, '1 + * 2')
    >>> str(error)
    'line 1, column 5: expected a number: 1 + * 2 (at *)'
    """

    def __init__(self, message: str, text: str, index: int, *, field: str | None = None):
        self.text_message = message
        self.index = max(0, min(index, len(text)))
        self.line, self.column = line_column(text, self.index)
        self.excerpt = excerpt(text, self.index)
        self.source = text
        at = text[self.index : self.index + 1]
        pointer = f" (at {at})" if at.strip() else " (at the end)" if not at else ""
        super().__init__(
            f"line {self.line}, column {self.column}: {message}: {self.excerpt}{pointer}",
            field=field,
        )

    def __reduce__(self):
        return partial(ClaimSyntaxError, field=self.field), (
            self.text_message,
            self.source,
            self.index,
        )


def line_column(text: str, index: int) -> tuple[int, int]:
    """1-based line and column of a character of ``text``.

    >>> line_column("ab\\ncd", 4)
    (2, 2)
    """
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def excerpt(text: str, index: int) -> str:
    """The text around ``index`` on its line, cut to :data:`EXCERPT_SIDE` characters each
    side (a 10 MB claim is never echoed), with ``...`` where it was cut; control
    characters shown as ``?``.

    >>> excerpt("x" * 100 + "!" + "y" * 100, 100)
    '...xxxxxxxxxxxxxxxxxxxx!yyyyyyyyyyyyyyyyyyyy...'
    """
    start = max(text.rfind("\n", 0, index) + 1, index - EXCERPT_SIDE)
    end = text.find("\n", index)
    end = min(len(text) if end < 0 else end, index + EXCERPT_SIDE + 1)
    shown = "".join(c if c.isprintable() else "?" for c in text[start:end])
    before = "..." if start > 0 and text[start - 1] != "\n" else ""
    after = "..." if end < len(text) and text[end] != "\n" else ""
    return before + shown + after
