"""What a claims file for a problem set asks for, without the answers: per problem, each
answer's name, how the sheet writes it and the form a value takes (an integer, a number, a
vector of n numbers, an r × c matrix, a shape, a list of integers, an expression). The
claims template a student fills in (``symhw template``) is rendered from it."""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from symhw.checker.expected import expected
from symhw.derivation import Quantities, Solution
from symhw.notation import Shape
from symhw.problems import KINDS
from symhw.render.expr import latex
from symhw.spec import ProblemSet, ProblemSpec


@dataclass(frozen=True)
class Form:
    """The form of an answer's value: ``kind`` one of integer, number, vector, matrix,
    shape, integers (a list of them), expression; ``size`` the entries of a vector, the
    (rows, columns) of a matrix of numbers or the items of a list; ``numeric`` whether
    the entries are numbers (else expressions). A matrix of expressions has no size, a
    shape no axes: they are part of the answer (q5's A, q4's keepdims)."""

    kind: str
    size: tuple[int, ...] = ()
    numeric: bool = True


@dataclass(frozen=True)
class Asked:
    """One answer a claims file may give: its name, the sheet's label for it, its form."""

    name: str
    label: object
    form: Form


def asked(solution: Solution) -> tuple[Asked, ...]:
    """The answers of a solved problem a claims file may give, in the sheet's order (those
    whose value has none of the forms above, such as a table of other answers, left out)."""
    none = Quantities((), lambda name: None)
    out = []
    for answer in solution.answers:
        value = expected(solution, none, answer.name).value
        form = form_of(value)
        if form is not None:
            out.append(Asked(answer.name, answer.label, form))
    return tuple(out)


def form_of(value: object) -> Form | None:
    """The :class:`Form` of an exact value, or None for one a claim cannot give.

    >>> form_of(sp.Integer(18496)), form_of(sp.ImmutableMatrix([[1], [2]])).size
    (Form(kind='integer', size=(), numeric=True), (2,))
    """
    if isinstance(value, Shape):  # its axes are part of the answer: not given away
        return Form("shape")
    if isinstance(value, sp.MatrixBase):
        numeric = all(_number(v) for v in value)
        if not numeric:  # its size is part of the answer (q5's A): not given away
            return Form("matrix", (), False)
        if 1 in value.shape:
            return Form("vector", (max(value.shape),))
        return Form("matrix", tuple(value.shape))
    if isinstance(value, tuple | sp.Tuple):
        ok = all(isinstance(v, sp.Integer | int) for v in value)
        return Form("integers", (len(value),)) if ok else None
    if isinstance(value, sp.Integer):
        return Form("integer")
    if isinstance(value, sp.Expr):
        return Form("number") if _number(value) else Form("expression", (), False)
    return None


def _number(value: object) -> bool:
    return isinstance(value, sp.Expr) and bool(value.is_number)


def problem_template(solution: Solution) -> dict:
    """One problem of a claims template as plain data: its id, title and the answers it
    asks for (name, the sheet's label as LaTeX, form)."""
    return {
        "id": solution.problem_id,
        "title": solution.title,
        "answers": [
            {
                "name": a.name,
                "label": None if isinstance(a.label, sp.MatrixBase) else latex(a.label),
                "form": a.form.kind,
                "size": list(a.form.size),
                "numeric": a.form.numeric,
            }
            for a in asked(solution)
        ],
    }


def template_data(problem_set: ProblemSet, problems: list[dict], written: str) -> dict:
    """A claims template as plain data: the problem set as the template names it
    (``written``: ``hw2``, or a path from the template's folder), its name and title, and
    its problems (:func:`problem_template`)."""
    return {
        "problem_set": written,
        "name": problem_set.name,
        "title": problem_set.title,
        "problems": problems,
    }


def solved_template(problem: ProblemSpec) -> dict:
    """:func:`problem_template` of a problem, solved (a worker's task)."""
    return problem_template(KINDS[problem.kind].solve(problem.params, problem.id, problem.title))
