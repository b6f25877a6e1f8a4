"""The characters a sheet can set: text given by a user is checked against these, and
every renderer can show each of them."""

from __future__ import annotations

#: Symbols beyond Latin-1 that text may use; the LaTeX renderer writes each as math.
SYMBOLS = frozenset("θσδ∇‖≠→∞×≤≥±ᵀ²′’—–…⊙·γβμ≈Σ∂")
#: Typographic punctuation the T1 fonts have.
PUNCTUATION = frozenset("“”‘•€")
#: Latin letters pdfTeX's T1 fonts lack (the rest of U+00A0-U+017F typesets).
NO_GLYPH = frozenset("ĦħĸĿŀŉŦŧſ")


def untypesettable(text: str) -> str | None:
    r"""The first character of ``text`` a sheet cannot show, or None: control characters,
    and beyond ASCII anything but Latin-1, Latin Extended-A, typographic punctuation and
    :data:`SYMBOLS`.

    >>> untypesettable("Übung 2 — σ’s “limits”"), untypesettable("日本"), untypesettable("a\nb")
    (None, '日', '\n')
    """
    if text.isascii() and text.isprintable():  # the usual case, at C speed: 0x20-0x7E
        return None
    for ch in text:
        code = ord(ch)
        if code < 0x20 or 0x7F <= code < 0xA0:
            return ch
        if code < 0x7F or ch in SYMBOLS or ch in PUNCTUATION:
            continue
        if not 0xA0 <= code <= 0x17F or ch in NO_GLYPH:
            return ch
    return None
