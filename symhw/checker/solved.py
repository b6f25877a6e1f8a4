"""A problem of a set, solved and ready to judge what someone writes for it, one claim at
a time (``symhw.solve("hw2", "q2").check("delta1", "[-0.875, 1.736]")``), for a notebook.

A :class:`~symhw.derivation.Solution` alone cannot judge a claim: the names a claim may
use and the hand replay it is compared with come from the problem's spec as well, so the
object that checks holds both (:class:`SolvedProblem`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from symhw.checker.claims import python_claim
from symhw.checker.context import problem_context
from symhw.checker.python_values import from_python
from symhw.checker.report import KeyProblem, claim_data, place_data, verdict_data
from symhw.checker.verdict import Problem, Verdict, check_claims
from symhw.derivation import Answer, Solution
from symhw.render.places import key_places
from symhw.spec import ProblemSet, ProblemSpec


@dataclass(frozen=True)
class ClaimCheck:
    """The verdict on one claim: ``verdict`` (correct, rounding, wrong, undecided,
    unparsable or unknown), the exact ``expected`` value and the ``written`` one as read,
    and all the verdict rests on (``result``, :meth:`data`). In Jupyter it shows itself as
    the feedback sheet shows a claim."""

    result: Verdict
    #: Where the answer key derives it (as the report's ``key``), or None.
    key: dict[str, Any] | None = None

    @property
    def verdict(self) -> str:
        return self.result.verdict

    @property
    def expected(self) -> Any:
        """The exact value (SymPy), or None (an unknown name)."""
        return None if self.result.expected is None else self.result.expected.value

    @property
    def written(self) -> Any:
        """The value as read (SymPy), or None (nothing could be read)."""
        return self.result.written

    def data(self) -> dict[str, Any]:
        """The claim as the report's JSON holds it (:func:`~symhw.checker.report.claim_data`)."""
        return {**claim_data(self.result.claim, verdict_data(self.result)), "key": self.key}

    def _repr_markdown_(self) -> str:  # Jupyter
        from symhw.render.check_markdown import claim_feedback

        return claim_feedback(self.data(), heading=False)

    def _repr_latex_(self) -> str:  # Jupyter (MathJax)
        from symhw.render.check_notebook import claim_feedback

        return claim_feedback(self.data())

    def __repr__(self) -> str:
        return f"<ClaimCheck {self.result.claim.field}: {self.verdict}>"


@dataclass(frozen=True, repr=False)
class SolvedProblem:
    """One problem of ``problem_set`` (its ``spec``), solved (``solution``: the
    derivations and answers, shown as math in Jupyter), with :meth:`check`."""

    problem_set: ProblemSet
    spec: ProblemSpec
    solution: Solution
    _cache: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def answers(self) -> tuple[Answer, ...]:
        return self.solution.answers

    def answer(self, name: str) -> Answer:
        """The answer called ``name`` (``delta1``); KeyError if there is none."""
        return self.solution.answer(name)

    def check(
        self, name: str, value: object = None, *, label: str | None = None, steps: object = None
    ) -> ClaimCheck:
        r"""Judge one claim, as a line of a claims file is: ``value`` is text (plain math
        or LaTeX: ``"[-0.875, 1.736]"``, ``r"1 - \tanh^2(s)"``), a number, or a list
        (vector) or list of rows (matrix) of them, NumPy arrays too; ``steps`` a list of
        equalities (a derivation); ``label`` the writer's own symbol. Numbers keep the
        digits written: give ``"0.60"`` as text to claim two decimals (the float 0.60 is
        0.6). A float of more than 12 significant digits was computed, not written: it is
        judged at 12. The claim is judged alone (an error carried from an earlier claim
        is found by :func:`symhw.check` on them all).

        >>> import symhw
        >>> q2 = symhw.solve("hw2", "q2")
        >>> [q2.check("delta2", v).verdict for v in ("-1.35", -1.368, -1.5)]
        ['correct', 'rounding', 'wrong']
        """
        claim = python_claim(self.spec.id, name, from_python(value, "value"), label, steps)
        (verdict,) = check_claims([claim], self._problem())
        if "key" not in self._cache:
            places = key_places(self.solution)
            self._cache["key"] = KeyProblem(self.solution.title, places)
        return ClaimCheck(verdict, place_data(self.problem_set.name, self._cache["key"], verdict))

    def _problem(self) -> Problem:
        """What claims are judged against, gathered on the first check."""
        if "problem" not in self._cache:
            self._cache["problem"] = problem_context(self.spec, self.solution)
        return self._cache["problem"]

    def _repr_latex_(self) -> str | None:  # Jupyter: the solution's derivations
        return self.solution._repr_latex_()

    def __repr__(self) -> str:
        names = ", ".join(a.name for a in self.answers)
        where = f"{self.spec.id} of {self.problem_set.name}"
        return f"<SolvedProblem {where} ({self.spec.kind}): {names}>"
