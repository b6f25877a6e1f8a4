"""How a class is graded (``symhw grade``): a problem set's ``[grading]`` table, read into
a :class:`Scoring` that gives each answer its points and each verdict its share of them.

.. code-block:: toml

    [grading]
    points = 1          # each answer's points (default 1)
    rounding = 1        # the share of them a `rounding` verdict earns (default 1)
    carried = 1         # ... an error carried forward from an earlier answer (default 1)
    undecided = 0       # ... a claim symhw could not decide (default 0: a person decides)

    [grading.answers]   # points per problem, or per answer
    q1 = 2                              # every answer of q1
    q2 = { delta1 = 3, grad_W1 = 3 }    # these two; q2's others have `points`

A wrong, unparsable or missing answer earns nothing; a correct one all its points. Points
and shares are exact (``0.5``, ``"1/3"``); an answer's name is checked against the answers
of the problem when the class is solved (:mod:`symhw.grading`).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from symhw.errors import quote
from symhw.fields import Where, check_keys
from symhw.params import parse_number

#: Verdicts whose share of the points the ``[grading]`` table sets, and their defaults: a
#: rounded or carried-forward value is penalised once, where the slip was made (the usual
#: "error carried forward" rule); an undecided claim waits for a person.
SHARES = {"rounding": Fraction(1), "carried": Fraction(1), "undecided": Fraction(0)}
#: The most points one answer is worth.
MAX_POINTS = 1000


@dataclass(frozen=True)
class Scoring:
    """Points per answer and the share of them each verdict earns. ``answers`` maps a
    problem id to its answers' points (one number for all) or to a table of them by name."""

    points: Fraction = Fraction(1)
    shares: tuple[tuple[str, Fraction], ...] = tuple(SHARES.items())
    answers: tuple[tuple[str, Fraction | tuple[tuple[str, Fraction], ...]], ...] = ()

    def points_of(self, problem: str, answer: str) -> Fraction:
        """What an answer is worth.

        >>> s = parse_scoring({"answers": {"q1": 2, "q2": {"delta1": 3}}}, ["q1", "q2"])
        >>> s.points_of("q1", "gradient"), s.points_of("q2", "delta1"), s.points_of("q2", "s1")
        (Fraction(2, 1), Fraction(3, 1), Fraction(1, 1))
        """
        given = dict(self.answers).get(problem, self.points)
        return dict(given).get(answer, self.points) if isinstance(given, tuple) else given

    def share(self, verdict: str) -> Fraction:
        """The share of an answer's points a verdict earns (all for ``correct``)."""
        return Fraction(1) if verdict == "correct" else dict(self.shares).get(verdict, Fraction(0))

    def named(self) -> tuple[tuple[str, str], ...]:
        """The (problem, answer) pairs given points of their own, in the table's order."""
        return tuple(
            (problem, name)
            for problem, given in self.answers
            if isinstance(given, tuple)
            for name, _ in given
        )

    def as_data(self) -> dict[str, Any]:
        """The rule as plain data, numbers exact (``"1/2"``, as :class:`~fractions.Fraction`
        writes them): what a class set's manifest records."""
        return {
            "points": str(self.points),
            **{verdict: str(share) for verdict, share in self.shares},
            "answers": {
                problem: {n: str(p) for n, p in given} if isinstance(given, tuple) else str(given)
                for problem, given in self.answers
            },
        }


def parse_scoring(table: object, problem_ids: list[str]) -> Scoring:
    """The ``[grading]`` table of a problem set with problems ``problem_ids``, validated:
    anything else is an InputError naming the field."""
    where = Where(None, "grading")
    if not isinstance(table, dict):
        raise where.error("must be a table: [grading] with points, rounding, carried, undecided")
    check_keys(table, ("points", *SHARES, "answers"), where)
    points = _points(table.get("points", 1), Where(None, "grading.points"))
    shares = tuple(
        (verdict, _share(table.get(verdict, default), Where(None, f"grading.{verdict}")))
        for verdict, default in SHARES.items()
    )
    answers = table.get("answers", {})
    if not isinstance(answers, dict):
        raise Where(None, "grading.answers").error(
            "must be a table: a problem id = its answers' points, or = { answer = points }"
        )
    given = []
    for problem, value in answers.items():
        at = Where(None, f"grading.answers.{problem}")
        if problem not in problem_ids:
            raise at.error(
                f"{quote(problem)} is not a problem of the set; its problems are "
                f"{', '.join(problem_ids)}"
            )
        if isinstance(value, dict):
            named = tuple(
                (str(n), _points(p, Where(None, f"grading.answers.{problem}.{n}")))
                for n, p in value.items()
            )
            given.append((problem, named))
        else:
            given.append((problem, _points(value, at)))
    return Scoring(points, shares, tuple(given))


def _points(value: object, where: Where) -> Fraction:
    number = _fraction(value, where)
    if not 0 <= number <= MAX_POINTS:
        raise where.error(f"{number!s} points: give 0 to {MAX_POINTS}")
    return number


def _share(value: object, where: Where) -> Fraction:
    number = _fraction(value, where)
    if not 0 <= number <= 1:
        raise where.error(
            f"{number!s} is not a share of the points: give 0 (none) to 1 (all), such as 0.5"
        )
    return number


def _fraction(value: object, where: Where) -> Fraction:
    number = parse_number(value, where)
    return Fraction(int(number.p), int(number.q))
