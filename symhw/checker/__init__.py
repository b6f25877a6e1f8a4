"""``symhw check``: reading and verifying answers people wrote.

:mod:`.claims` reads a claims file into frozen data; :mod:`.numbers` and :mod:`.terms`
judge written numbers and sums against the exact values; :mod:`.verdict` gives each claim
its verdict and :mod:`.report` the whole file's. The parser of a claim's text:
:func:`parse` (LaTeX or plain math to SymPy, safely), what it returns (:class:`Parsed`,
one :class:`Member` per member of a chain), a writer's own function (:func:`define`:
``g(x) = \\tanh(x)``), what the names of a problem mean to it (:class:`Names`,
:class:`NameTable`, :class:`Extended`, :class:`Name`, :class:`Fn`) and its one error
(:class:`ClaimSyntaxError`).
"""

from symhw.checker.names import Extended, Fn, Name, Names, NameTable
from symhw.checker.parse import Member, Parsed, define, parse
from symhw.checker.syntax import ClaimSyntaxError

__all__ = [
    "ClaimSyntaxError",
    "Extended",
    "Fn",
    "Member",
    "Name",
    "NameTable",
    "Names",
    "Parsed",
    "define",
    "parse",
]
