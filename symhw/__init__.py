"""symhw: symbolic, machine-checked derivations and solution sheets for deep-learning homework.

>>> from symhw import load_problem_set
>>> load_problem_set().problems[0].kind
'activation-loss'
"""

from __future__ import annotations

from symhw.builder import DerivationBuilder
from symhw.derivation import Answer, Check, Derivation, Solution, Step
from symhw.errors import InputError, SymhwError, VerificationError
from symhw.problems import KINDS
from symhw.sheet import solve_all, write_sheet
from symhw.spec import load_problem_set, parse_problem_set
from symhw.verify import Instance, check_equal

__all__ = [
    "KINDS",
    "Answer",
    "Check",
    "Derivation",
    "DerivationBuilder",
    "InputError",
    "Instance",
    "Solution",
    "Step",
    "SymhwError",
    "VerificationError",
    "check_equal",
    "load_problem_set",
    "parse_problem_set",
    "solve_all",
    "write_sheet",
]
__version__ = "0.1.0"
