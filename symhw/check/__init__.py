"""``symhw check``: reading and verifying answers people wrote.

:mod:`.claims` reads a claims file into frozen data; :mod:`.numbers` and :mod:`.terms`
judge written numbers and sums against the exact values. The parser of a claim's text:
:func:`parse` (LaTeX or plain math to SymPy, safely), what it returns (:class:`Parsed`,
one :class:`Member` per member of a chain), what the names of a problem mean to it
(:class:`Names`, :class:`NameTable`, :class:`Name`, :class:`Fn`) and its one error
(:class:`ClaimSyntaxError`).
"""

from symhw.check.names import Fn, Name, Names, NameTable
from symhw.check.parse import Member, Parsed, parse
from symhw.check.syntax import ClaimSyntaxError

__all__ = ["ClaimSyntaxError", "Fn", "Member", "Name", "NameTable", "Names", "Parsed", "parse"]
