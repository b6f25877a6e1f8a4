"""Renderers: one module per output format, all reading the same Solution data."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Frame:
    """A document around its problems' sections: ``head``, the sections joined by
    ``between``, then ``tail``. A sheet writes the pieces one after another, so a large
    set is never one string in memory."""

    head: str
    between: str
    tail: str

    def join(self, sections: list[str]) -> str:
        return self.head + self.between.join(sections) + self.tail

    def chunks(self, sections: list[bytes]) -> list[bytes]:
        """The document as UTF-8 pieces around sections already encoded."""
        between = self.between.encode()
        out = [self.head.encode()]
        for i, section in enumerate(sections):
            out += [between, section] if i else [section]
        return [*out, self.tail.encode()]
