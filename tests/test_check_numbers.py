"""Numbers someone wrote (symhw check, issue 12), judged against independent values: q2 of
the handwritten sheet, whose exact values come from torch autograd (float64) and whose hand
replay (forward values rounded half up to 2 decimals, θ′ = 1 − x² from the rounded output,
backward products exact) is recomputed here with Python's Decimal. Seed line numbers below."""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest
import sympy as sp
import torch

from symhw.checker.numbers import Written, judge, truncate_decimals, worst


def _torch_q2() -> dict[str, list[float]]:
    """x = 2, y = 1, W1 = [[.1, .2], [.3, .4]], W2 = [.2; 1; -3], W3 = [1; 2], tanh, tanh,
    identity: the exact δ's and ∂e/∂W, by autograd."""
    f64 = torch.float64
    w1 = torch.tensor([[0.1, 0.2], [0.3, 0.4]], dtype=f64, requires_grad=True)
    w2 = torch.tensor([[0.2], [1.0], [-3.0]], dtype=f64, requires_grad=True)
    w3 = torch.tensor([[1.0], [2.0]], dtype=f64, requires_grad=True)
    s1 = w1.T @ torch.tensor([[1.0], [2.0]], dtype=f64)
    s1.retain_grad()
    s2 = w2.T @ torch.cat([torch.ones(1, 1, dtype=f64), torch.tanh(s1)])
    s2.retain_grad()
    s3 = w3.T @ torch.cat([torch.ones(1, 1, dtype=f64), torch.tanh(s2)])
    s3.retain_grad()
    ((s3 - 1.0) ** 2).sum().backward()
    return {
        "delta1": s1.grad.flatten().tolist(),
        "delta2": s2.grad.flatten().tolist(),
        "delta3": s3.grad.flatten().tolist(),
        "grad_W1": w1.grad.flatten().tolist(),
        "grad_W2": w2.grad.flatten().tolist(),
        "grad_W3": w3.grad.flatten().tolist(),
    }


def _replay_q2() -> dict[str, list[Fraction]]:
    """The hand replay of the seed's q2, in Decimal: 2-decimal forward values, exact backward."""

    def r2(v: Decimal) -> Decimal:
        return v.quantize(Decimal("0.01"), ROUND_HALF_UP)

    def tanh(v: Decimal) -> Decimal:
        return r2(Decimal(repr(math.tanh(float(v)))))

    x1 = [tanh(Decimal("0.7")), tanh(Decimal("1"))]  # 0.60, 0.76
    s2 = r2(Decimal("0.2") + x1[0] - 3 * x1[1])  # -1.48
    x2 = tanh(s2)  # -0.90
    s3 = r2(1 + 2 * x2)  # -0.80
    d3 = 2 * (s3 - 1)  # -3.6
    d2 = (1 - x2**2) * 2 * d3  # -1.368
    d1 = [(1 - x1[0] ** 2) * 1 * d2, (1 - x1[1] ** 2) * -3 * d2]  # -0.87552, 1.7335296
    out = {
        "delta1": d1,
        "delta2": [d2],
        "delta3": [d3],
        "grad_W1": [d1[0], d1[1], 2 * d1[0], 2 * d1[1]],
        "grad_W2": [d2, x1[0] * d2, x1[1] * d2],
        "grad_W3": [d3, x2 * d3],
    }
    return {k: [Fraction(v) for v in vs] for k, vs in out.items()}


TORCH, REPLAY = _torch_q2(), _replay_q2()


def written(text: str) -> Written:
    value = Fraction(text)
    decimals = len(text.split(".")[1]) if "." in text else None
    return Written(sp.Rational(value.numerator, value.denominator), decimals)


def verdict_of(name: str, entry: int, text: str, **kw) -> object:
    exact = sp.Float(TORCH[name][entry], 17)
    replay = REPLAY[name][entry]
    replayed = sp.Rational(replay.numerator, replay.denominator)
    return judge(written(text), exact, replay=replayed, **kw)


def test_the_oracles_agree_with_the_seed_where_it_is_right():
    assert TORCH["delta3"][0] == pytest.approx(-3.606183, abs=1e-6)
    assert REPLAY["delta1"] == [Fraction("-0.87552"), Fraction("1.7335296")]


@pytest.mark.parametrize(
    ("line", "name", "entry", "text", "expected"),
    [
        ("L83", "delta3", 0, "-3.6", "correct"),  # -3.606 at one decimal
        ("L89", "delta2", 0, "-1.368", "rounding"),  # exact -1.350, replay -1.368
        ("L95", "delta1", 0, "-0.875", "rounding"),  # replay -0.87552, cut to -0.875
        ("L95", "delta1", 1, "1.736", "wrong"),  # exact 1.701, replay 1.7335 -> 1.734
        ("L97", "grad_W1", 2, "-1.75", "rounding"),  # replay -1.75104
        ("L97", "grad_W1", 3, "3.467", "rounding"),  # replay 3.4670592
        ("L99", "grad_W2", 1, "-0.821", "rounding"),  # replay -0.8208
        ("L99", "grad_W2", 2, "-1.04", "rounding"),  # replay -1.03968
        ("L101", "grad_W3", 0, "-3.6", "correct"),
        ("L101", "grad_W3", 1, "3.24", "rounding"),  # exact 3.2511, replay 3.24
    ],
)
def test_the_handwritten_q2_numbers(line, name, entry, text, expected):
    assert verdict_of(name, entry, text).verdict == expected, line


def test_a_truncated_replay_is_said_to_be_cut_not_rounded():
    entry = verdict_of("delta1", 0, "-0.875")
    assert entry.truncated and entry.explained_by == sp.Rational(-87552, 100000)


def test_an_error_carried_from_the_writers_own_earlier_claim():
    """L97: ∂e/∂W¹₁₂ = x⁰₁ δ¹₂ = 1 × 1.736, the writer's own (wrong) δ¹₂ of L95."""
    carried = 1 * sp.Rational(1736, 1000)
    entry = verdict_of("grad_W1", 1, "1.736", carried=carried, carried_from=("delta1 (L95)",))
    assert entry.verdict == "carried" and entry.carried_from == ("delta1 (L95)",)
    assert verdict_of("grad_W1", 1, "1.736").verdict == "wrong"  # without it: wrong


def test_exact_answers_are_compared_exactly():
    assert judge(written("18496"), sp.Integer(18496)).verdict == "correct"
    assert judge(written("18495"), sp.Integer(18496)).verdict == "wrong"
    third = sp.Rational(1, 3)
    assert judge(Written(third), third).verdict == "correct"
    assert judge(written("0.333"), third).verdict == "correct"
    assert judge(written("0.334"), third).verdict == "wrong"


def test_an_integer_written_for_a_value_that_is_not_one_claims_no_decimals():
    assert judge(written("4"), sp.Rational(36, 10)).verdict == "correct"
    assert judge(written("3"), sp.Rational(36, 10)).verdict == "rounding"  # cut


def test_halves_round_away_from_zero_as_by_hand():
    assert judge(written("-0.63"), sp.Rational(-5, 8)).verdict == "correct"
    assert judge(written("-0.62"), sp.Rational(-5, 8)).verdict == "rounding"  # cut


def test_truncation_cuts_toward_zero():
    assert truncate_decimals(sp.Rational(-1999, 1000), 2) == sp.Rational(-199, 100)
    assert truncate_decimals(sp.sqrt(2), 3) == sp.Rational(1414, 1000)


def test_a_claim_is_as_good_as_its_worst_entry():
    assert worst(["correct", "carried", "rounding"]) == "carried"
    assert worst([]) == "correct"


def test_a_number_written_to_the_hundred():
    """1.3e3 claims 1300 to the hundred (decimals -2): right for 1250 and 1349.9, cut from
    1399, wrong for 1400."""
    assert judge(Written(sp.Integer(1300), -2), sp.Integer(1250)).verdict == "correct"
    assert judge(Written(sp.Integer(1300), -2), sp.Rational(13499, 10)).verdict == "correct"
    assert judge(Written(sp.Integer(1300), -2), sp.Integer(1399)).verdict == "rounding"
    assert judge(Written(sp.Integer(1300), -2), sp.Integer(1400)).verdict == "wrong"
