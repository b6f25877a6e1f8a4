"""Per-student variants of a problem: what varies (a ``vary`` table), drawn reproducibly.

:func:`parse_vary` reads and checks a problem's ``vary`` table when its file loads;
:func:`draw` gives a variant's parameters from (seed, problem id, variant id), the same on
every machine. :mod:`.patterns` holds ranges and choices, :mod:`.conditions` the fixed
vocabulary of conditions, :mod:`.stream` the SHA-256 random numbers.
"""

from __future__ import annotations

from symhw.variants.conditions import CONDITIONS
from symhw.variants.draw import MAX_TRIES, Drawn, Vary, draw
from symhw.variants.syntax import REQUIRE, parse_vary

__all__ = ["CONDITIONS", "MAX_TRIES", "REQUIRE", "Drawn", "Vary", "draw", "parse_vary"]
