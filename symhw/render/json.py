"""JSON renderer: answers as plain values, and the whole sheet as data."""

from __future__ import annotations

import json
from fractions import Fraction
from typing import Any

import sympy as sp

from symhw.derivation import Answer, Derivation, Solution, decade
from symhw.render import Frame
from symhw.render.expr import latex, text
from symhw.render.summary import verification_summary


def to_json_value(value: Any) -> Any:
    """Integers stay integers, other numbers become floats, matrices lists of rows,
    tuples lists, and symbolic values strings; a :class:`~fractions.Fraction`, an exact
    ratio JSON has no number for, is written as its text.

    >>> to_json_value(sp.Matrix([[1, sp.Rational(1, 2)]])), to_json_value(sp.tanh(sp.Symbol("s")))
    ([[1, 0.5]], 'tanh(s)')
    >>> to_json_value(Fraction(17, 18)), to_json_value(Fraction(4))
    ('17/18', '4')
    """
    if isinstance(value, bool | int | str) or value is None:
        return value
    if isinstance(value, Fraction):
        return str(value)
    if isinstance(value, float):
        return value
    if isinstance(value, sp.MatrixBase):
        return [[to_json_value(v) for v in value.row(i)] for i in range(value.rows)]
    if isinstance(value, tuple | list | sp.Tuple):
        return [to_json_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_json_value(v) for k, v in value.items()}
    if isinstance(value, sp.Integer):
        return int(value)
    if isinstance(value, sp.Basic) and value.is_number and value.is_finite and value.is_real:
        return float(value)
    return text(value)


def answer_json(answer: Answer) -> Any:
    """An answer's JSON value: its data, or else its value, converted."""
    return to_json_value(answer.data if answer.data is not None else answer.value)


def answers(sol: Solution) -> dict[str, Any]:
    """``{answer name: JSON value}`` of a solution."""
    return {a.name: answer_json(a) for a in sol.answers}


def answers_document(solutions: list[Solution]) -> str:
    """``{problem id: {answer name: value}}`` as indented JSON."""
    return dump_answers({s.problem_id: answers(s) for s in solutions})


def dump_answers(by_problem: dict[str, dict[str, Any]]) -> str:
    """Answers already converted by :func:`answers`, keyed by problem id, as indented JSON."""
    return json.dumps(by_problem, indent=2) + "\n"


def solution_data(sol: Solution) -> dict[str, Any]:
    steps = [
        {
            "derivation": p.title,
            "latex": [latex(e) for e in s.chain],
            "rule": s.rule,
            "status": s.check.status,
            "method": s.check.method,
            "instance": s.check.instance,
        }
        for p in sol.parts
        if isinstance(p, Derivation)
        for s in p.steps
    ]
    return {
        "id": sol.problem_id,
        "kind": sol.kind,
        "title": sol.title,
        "answers": answers(sol),
        "answers_latex": {a.name: latex(a.value) for a in sol.answers},
        "verification": {
            "summary": verification_summary(sol),
            "counts": sol.summary(),
            # Errors as the power of ten above them and tolerances to 2 digits: their last
            # bits depend on the BLAS and CPU, and the file must not.
            "numeric_checks": [
                {
                    "description": c.description,
                    "confirmed": c.confirmed,
                    "max_error_within": float(decade(c.max_error)) if c.confirmed else None,
                    "tolerance": float(f"{c.tolerance:.2g}"),
                }
                for c in sol.numeric_checks
            ],
        },
        "steps": steps,
    }


def solution_section(sol: Solution) -> str:
    """One problem's part of the sheet, as JSON text indented for its place in the document.

    Sections travel from worker processes as text: a large problem's data as Python objects
    takes several times the memory of its text.
    """
    text = json.dumps(solution_data(sol), indent=2, ensure_ascii=False)
    return "\n".join(_SECTION_INDENT + line for line in text.split("\n"))


_SECTION_INDENT = " " * 4  # inside the document's object and its "problems" list


def document(title: str, solutions: list[Solution]) -> str:
    """The whole sheet as JSON: answers, LaTeX of every step, and how each was verified.

    >>> json.loads(document("T", []))
    {'title': 'T', 'problems': []}
    """
    return assemble(title, [solution_section(s) for s in solutions])


def assemble(title: str, sections: list[str]) -> str:
    """The document around sections made by :func:`solution_section`: for one section or
    more, the same text as ``json.dumps({"title": ..., "problems": [...]}, indent=2)``."""
    return frame(title).join(sections)


def frame(title: str) -> Frame:
    """What goes around the sections: the title, and the list that holds them."""
    head = json.dumps({"title": title}, indent=2, ensure_ascii=False)[:-2]  # no closing brace
    return Frame(head + ',\n  "problems": [\n', ",\n", "\n  ]\n}\n")
