"""symhw: symbolic, machine-checked derivations and solution sheets for deep-learning homework.

>>> from symhw import load_problem_set
>>> load_problem_set().problems[0].kind
'activation-loss'

The names below are imported when first used, so that ``import symhw`` (and the command
line's start, which Ctrl-C may interrupt) does not wait for SymPy.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

_WHERE = {
    "DerivationBuilder": "symhw.builder",
    "Answer": "symhw.derivation",
    "Check": "symhw.derivation",
    "Derivation": "symhw.derivation",
    "Solution": "symhw.derivation",
    "Step": "symhw.derivation",
    "InputError": "symhw.errors",
    "SymhwError": "symhw.errors",
    "VerificationError": "symhw.errors",
    "KINDS": "symhw.problems",
    "solve_all": "symhw.sheet",
    "write_sheet": "symhw.sheet",
    "load_problem_set": "symhw.spec",
    "parse_problem_set": "symhw.spec",
    "Instance": "symhw.lowering",
    "check_equal": "symhw.verify",
    "check": "symhw.checker.api",
    "solve": "symhw.checker.api",
    "Report": "symhw.checker.report",
    "CheckReport": "symhw.checker.report",
    "SolvedProblem": "symhw.checker.solved",
    "ClaimCheck": "symhw.checker.solved",
}
__all__ = [
    "KINDS",
    "Answer",
    "Check",
    "CheckReport",
    "ClaimCheck",
    "Derivation",
    "DerivationBuilder",
    "InputError",
    "Instance",
    "Report",
    "Solution",
    "SolvedProblem",
    "Step",
    "SymhwError",
    "VerificationError",
    "check",
    "check_equal",
    "load_problem_set",
    "parse_problem_set",
    "solve",
    "solve_all",
    "write_sheet",
]
__version__ = "0.1.0"

if TYPE_CHECKING:
    from symhw.builder import DerivationBuilder
    from symhw.checker.api import check, solve
    from symhw.checker.report import CheckReport, Report
    from symhw.checker.solved import ClaimCheck, SolvedProblem
    from symhw.derivation import Answer, Check, Derivation, Solution, Step
    from symhw.errors import InputError, SymhwError, VerificationError
    from symhw.lowering import Instance
    from symhw.problems import KINDS
    from symhw.sheet import solve_all, write_sheet
    from symhw.spec import load_problem_set, parse_problem_set
    from symhw.verify import check_equal


def __getattr__(name: str) -> object:
    if name not in _WHERE:
        raise AttributeError(f"module 'symhw' has no attribute {name!r}")
    value = getattr(import_module(_WHERE[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
