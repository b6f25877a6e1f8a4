"""Parameter parsing: exact rationals, never evaluated text, errors that name the field."""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import pytest
import sympy as sp
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from symhw.errors import InputError
from symhw.fields import Where
from symhw.params import Parameters, build_params, choice, integer, matrix, param, parse_number

WHERE = Where("q3", "learning_rate")
SETTINGS = settings(max_examples=20, deadline=None)


# ---------------------------------------------------------------- numbers


@pytest.mark.parametrize(
    ("value", "p", "q"),
    [
        ("0.1", 1, 10),
        ("1/10", 1, 10),
        (0.1, 1, 10),  # the float 0.1 means the decimal 0.1, not 3602879701896397/2**55
        (3, 3, 1),
        (-7, -7, 1),
        (0, 0, 1),
        ("-2.5", -5, 2),
        (-2.5, -5, 2),
        ("3/6", 1, 2),
        (" 0.25 ", 1, 4),
        ("1e-3", 1, 1000),
        (1e-3, 1, 1000),
        ("-1/3", -1, 3),
        (10**15, 10**15, 1),  # the largest size taken
        ("1e-15", 1, 10**15),  # the smallest nonzero size
    ],
    ids=repr,
)
def test_parse_number_is_exact(value, p, q):
    result = parse_number(value, WHERE)
    assert isinstance(result, sp.Rational)
    assert result == sp.Rational(p, q)
    assert (result.p, result.q) == (p, q)


@pytest.mark.parametrize(
    "value",
    [
        "1/0",
        "1e",
        "",
        "   ",
        "0.1.2",
        "2**3",
        "1 / 10 + 1",
        "one",
        "nan",
        "inf",
        "-inf",
        float("nan"),
        float("inf"),
        float("-inf"),
        True,
        False,
        None,
        [],
        [0.1],
        {"value": 1},
        sp.Symbol("x"),  # from Python: not a number
        sp.Float("inf"),
        "sp.Rational(1, 10)",
        "__import__('os').getcwd()",
        "exec('x = 1')",
    ],
    ids=repr,
)
def test_parse_number_rejects_junk(value):
    with pytest.raises(InputError) as err:
        parse_number(value, WHERE)
    assert err.value.field == "learning_rate"
    assert err.value.problem == "q3"
    assert "'learning_rate'" in str(err.value)
    assert "'q3'" in str(err.value)


def test_parse_number_never_evaluates_text(tmp_path):
    marker = tmp_path / "pwned"
    attack = f"__import__('os').system('touch {marker}')"
    with pytest.raises(InputError, match="learning_rate"):
        parse_number(attack, WHERE)
    assert not marker.exists()


@pytest.mark.parametrize(
    "value", [2**70, -(10**16), 1e16, 1e-16, "1e16", "-1e-16", "1e100000000", "1e1_000_000_000"]
)
def test_numbers_beyond_float64_checks_are_refused(value):
    with pytest.raises(InputError, match=r"out of range|is not a number"):
        parse_number(value, WHERE)


@SETTINGS
@given(p=st.integers(-(10**12), 10**12), q=st.integers(1, 10**12))
def test_fraction_text_is_exact(p, q):
    assert parse_number(f"{p}/{q}", WHERE) == sp.Rational(p, q)


@SETTINGS
@given(x=st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12))
def test_float_reads_as_its_shortest_decimal(x):
    """A TOML float becomes the decimal it is written as, which reads back as the same float."""
    assume(x == 0 or abs(x) >= 1e-15)
    result = parse_number(x, WHERE)
    assert float(result) == x
    assert Fraction(int(result.p), int(result.q)) == Fraction(repr(x))


@SETTINGS
@given(k=st.integers(-(10**6), 10**6), places=st.integers(0, 6))
def test_decimal_text_is_exact(k, places):
    """k / 10**places written as a decimal string parses to exactly k / 10**places."""
    sign = "-" if k < 0 else ""
    digits = str(abs(k)).rjust(places + 1, "0")
    text = sign + (digits[:-places] + "." + digits[-places:] if places else digits)
    assert parse_number(text, WHERE) == sp.Rational(k, 10**places)


# ---------------------------------------------------------------- other parsers


def _param_id(x: object) -> str:
    """A parser by its name (its repr holds an address, which differs between runs and
    between pytest-xdist's workers); any other parameter by its repr."""
    return x.__qualname__.split(".<locals>")[0] if callable(x) else repr(x)


@pytest.mark.parametrize(
    ("parser", "value", "expected"),
    [
        (integer(1, 10), 1, 1),
        (integer(1, 10), 10, 10),
        (integer(0), 10**9, 10**9),
        (choice(["tanh", "sigmoid"]), "sigmoid", "sigmoid"),
        (matrix, [[1, 2], [3, "1/3"]], sp.Matrix([[1, 2], [3, sp.Rational(1, 3)]])),
        (matrix, [1, 2, 3], sp.Matrix([[1], [2], [3]])),  # a flat list is a column
    ],
    ids=_param_id,
)
def test_parser_accepts(parser, value, expected):
    assert parser(value, WHERE) == expected


@pytest.mark.parametrize(
    ("parser", "value", "message"),
    [
        (integer(1, 10), 0, "at least 1"),
        (integer(1, 10), 11, "at most 10"),
        (integer(0), 1.0, "whole number"),
        (integer(0), True, "whole number"),
        (integer(0), "3", "whole number"),
        (choice(["tanh", "sigmoid"]), "relu", "tanh, sigmoid"),
        (choice(["tanh", "sigmoid"]), "TANH", "tanh, sigmoid"),
        (choice(["tanh", "sigmoid"]), 1, "tanh, sigmoid"),
        (matrix, [], "non-empty"),
        (matrix, "[[1, 2]]", "non-empty list of rows"),
        (matrix, [[1, 2], [3]], "different lengths"),
        (matrix, [[1, 2], 3], "different lengths"),
        (matrix, [[], []], "different lengths"),
        (matrix, [[1, "__import__('os')"]], "not a number"),
    ],
    ids=_param_id,
)
def test_parser_rejects(parser, value, message):
    with pytest.raises(InputError, match=message) as err:
        parser(value, WHERE)
    assert err.value.field == "learning_rate"
    assert "field 'learning_rate'" in str(err.value)


# ---------------------------------------------------------------- build_params


@dataclass(frozen=True)
class StepParams(Parameters):
    """A made-up problem kind: one gradient-descent step."""

    # Required fields: param() returns a dataclasses.field, so RUF009 does not apply.
    weights: sp.Matrix = param(parse=matrix, help="the weight matrix W")  # noqa: RUF009
    rate: sp.Rational = param(parse=parse_number, help="the learning rate η")  # noqa: RUF009
    activation: str = param("tanh", parse=choice(["tanh", "sigmoid"]), help="the activation")
    steps: int = param(1, parse=integer(1, 100), help="how many steps")


def test_build_params_parses_every_field():
    built = build_params(StepParams, {"weights": [[1, "1/2"]], "rate": "0.1", "steps": 3}, "q2")
    assert built.weights == sp.Matrix([[1, sp.Rational(1, 2)]])
    assert built.rate == sp.Rational(1, 10)
    assert built.steps == 3
    assert built.activation == "tanh"  # the default


@pytest.mark.parametrize(
    ("table", "field", "message"),
    [
        ({"weights": [[1]], "rate": 0.1, "learning_rate": 0.1}, "learning_rate", "unknown"),
        ({"weights": [[1]], "rate": 0.1, "Rate": 0.1}, "Rate", "unknown"),
        ({"rate": 0.1}, "weights", "missing required"),
        ({"weights": [[1]]}, "rate", "missing required"),
        ({"weights": [[1, 2], [3]], "rate": 0.1}, "weights", "different lengths"),
        ({"weights": [[1]], "rate": "1/0"}, "rate", "not a number"),
        ({"weights": [[1]], "rate": "__import__('os')"}, "rate", "not a number"),
        ({"weights": [[1]], "rate": 0.1, "activation": "relu"}, "activation", "choose one of"),
        ({"weights": [[1]], "rate": 0.1, "steps": 0}, "steps", "at least 1"),
    ],
    ids=repr,
)
def test_build_params_errors_name_the_field(table, field, message):
    with pytest.raises(InputError, match=message) as err:
        build_params(StepParams, table, "q2")
    assert err.value.field == field
    assert err.value.problem == "q2"
    assert f"field {field!r}" in str(err.value)
    assert "problem 'q2'" in str(err.value)


def test_missing_parameter_message_says_how_to_fix():
    with pytest.raises(InputError) as err:
        build_params(StepParams, {"weights": [[1]]}, "q2")
    assert "rate = ..." in str(err.value)
    assert "learning rate" in str(err.value)  # the help text


def test_build_params_for_the_activation_loss_problem():
    from symhw.problems.activation_loss import Params

    built = build_params(Params, {"activation": "sigmoid", "loss": "cross-entropy"}, "q1")
    assert built == Params(activation="sigmoid", loss="cross-entropy")
    with pytest.raises(InputError, match="choose one of") as err:
        build_params(Params, {"activation": "swish"}, "q1")
    assert err.value.field == "activation"


def test_nan_is_not_a_number_whatever_its_spelling():
    for value in (float("nan"), math.nan, "nan", "NaN"):
        with pytest.raises(InputError):
            parse_number(value, WHERE)


@pytest.mark.parametrize(
    ("text", "value"),
    [("0." + "0" * 40 + "1e45", 10_000), ("-3/4", sp.Rational(-3, 4)), ("2.50", sp.Rational(5, 2))],
)
def test_numbers_are_read_by_their_value_not_their_spelling(text, value):
    assert parse_number(text, WHERE) == value


@pytest.mark.parametrize("text", ["١", "1٫5", "１", "0x10", "1_000", "1/0", "3/x"])
def test_only_ascii_decimals_and_fractions_are_numbers(text):
    with pytest.raises(InputError, match="is not a number"):
        parse_number(text, WHERE)
