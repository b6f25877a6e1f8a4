"""The ``[grading]`` table of a problem set: points per answer, the share of them each
verdict earns, every number exact and every mistake one error naming the field."""

from __future__ import annotations

import re
from fractions import Fraction

import pytest

from symhw.errors import InputError
from symhw.scoring import Scoring, parse_scoring

IDS = ["q1", "q2"]


def test_defaults_give_every_answer_one_point_and_penalise_a_slip_once():
    s = parse_scoring({}, IDS)
    assert s.points_of("q2", "delta1") == 1
    shares = [s.share(v) for v in ("correct", "rounding", "carried", "undecided", "wrong")]
    assert shares == [1, 1, 1, 0, 0]
    assert s.share("unparsable") == s.share("missing") == 0


def test_points_per_problem_and_per_answer_and_exact_shares():
    s = parse_scoring(
        {"points": 2, "carried": "1/3", "answers": {"q1": 5, "q2": {"delta1": 0.5}}}, IDS
    )
    assert (s.points_of("q1", "gradient"), s.points_of("q2", "delta1")) == (5, Fraction(1, 2))
    assert s.points_of("q2", "s2") == 2
    assert s.points_of("q2", "delta1") * s.share("carried") == Fraction(1, 6)
    assert s.named() == (("q2", "delta1"),)


def test_the_rule_as_data_reads_back_as_itself():
    s = parse_scoring({"rounding": 0.25, "answers": {"q2": {"e": 3}, "q1": 2}}, IDS)
    assert parse_scoring(s.as_data(), IDS) == s
    assert Scoring().as_data()["carried"] == "1"


@pytest.mark.parametrize(
    ("table", "field", "message"),
    [
        ({"points": -1}, "grading.points", "-1 points: give 0 to 1000"),
        ({"points": 1001}, "grading.points", "give 0 to 1000"),
        ({"rounding": 1.5}, "grading.rounding", "3/2 is not a share of the points"),
        ({"carried": True}, "grading.carried", "expected a number"),
        ({"wrong": 0.5}, "grading", "unknown key 'wrong'"),
        ({"answers": {"q9": 1}}, "grading.answers.q9", "'q9' is not a problem of the set"),
        ({"answers": {"q1": {"x": "a"}}}, "grading.answers.q1.x", "is not a number"),
        ({"answers": [1]}, "grading.answers", "must be a table"),
    ],
)
def test_a_bad_rule_is_one_error_naming_the_field(table, field, message):
    with pytest.raises(InputError, match=re.escape(message)) as err:
        parse_scoring(table, IDS)
    assert err.value.field == field


def test_the_edges_of_points_and_shares_are_accepted():
    s = parse_scoring({"points": 1000, "rounding": 0, "carried": 1}, IDS)
    assert (s.points, s.share("rounding"), s.share("carried")) == (1000, 0, 1)
