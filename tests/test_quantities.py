"""The checkable quantities of HW2 besides its answers (symhw check, issue 12): the values
the handwritten solution sheet writes for them (../shared/seed, line numbers below), found by
name in every kind; shapes in the very symbols the answers use, so that a claim compares."""

from __future__ import annotations

import pytest
import sympy as sp

from symhw.notation import Shape
from symhw.problems import KINDS
from symhw.sheet import solve
from symhw.spec import load_problem_set

HW2 = {p.id: p for p in load_problem_set().problems}


def find(problem_id: str, name: str):
    problem = HW2[problem_id]
    return KINDS[problem.kind].quantities(problem.params, problem_id).find(name)


def test_every_kind_has_quantities():
    assert all(kind.quantities is not None for kind in KINDS.values())


def test_q2_given_weights_as_the_sheet_copies_them():
    """L41-45: W1 = [[0.1, 0.2], [0.3, 0.4]], W2 = [0.2; 1; -3], W3 = [1; 2]."""
    r = sp.Rational
    assert find("q2", "W1").value == sp.Matrix([[r(1, 10), r(2, 10)], [r(3, 10), r(4, 10)]])
    assert find("q2", "W2").value == sp.Matrix([r(2, 10), 1, -3])
    assert find("q2", "W3").value == sp.Matrix([1, 2])
    assert find("q2", "W4") is None and find("q2", "W0") is None and find("q2", "w1") is None


def test_q3_input_shapes_and_channels_of_the_two_blocks():
    """L107-109 and L149-151: 128 × 16 × 16 × 32 and 128 × 16 × 16 × 128 (NHWC), input and
    output alike; L189-199:
    channels 32 (basic) and 128 (bottleneck)."""
    assert find("q3", "basic_input_shape").value == Shape(128, 16, 16, 32)
    assert find("q3", "bottleneck_input_shape").value == Shape(128, 16, 16, 128)
    # "i/p dimensions = o/p dimensions": stride 1, padding k // 2, as many channels out
    assert find("q3", "basic_output_shape").value == Shape(128, 16, 16, 32)
    assert find("q3", "bottleneck_output_shape").value == Shape(128, 16, 16, 128)
    assert find("q3", "basic_channels").value == 32
    assert find("q3", "bottleneck_channels").value == 128


def test_q4_input_shapes_in_the_symbols_of_the_answers():
    """L214, L226: x is N × C and N × H × W × C; C is the answers' own C (1 × C)."""
    fc, conv = find("q4", "fc_input_shape").value, find("q4", "conv_input_shape").value
    assert [str(d) for d in fc] == ["N", "C"] and [str(d) for d in conv] == ["N", "H", "W", "C"]
    answers = {a.name: a.value for a in solve(HW2["q4"]).answers}
    assert fc[-1] == answers["fc_mean_shape"][-1] == conv[-1] == answers["conv_var_shape"][-1]


def test_q1_the_risk_the_question_defines():
    """L7: E_in(w) = (1/N) Σ_n (tanh(wᵀx_n) − y_n)², in the question's own symbols."""
    from symhw.notation import Inner
    from symhw.problems.activation_loss.symbols import N, n, w, x_n, y_n

    expected = sp.Sum((sp.tanh(Inner(w, x_n)) - y_n) ** 2, (n, 1, N)) / N
    assert find("q1", "loss").value == expected
    assert find("q1", "E_in") is None  # the name a claims file uses is `loss`


def test_q5_element_equation_and_gradient_entry_the_sheet_writes():
    """L264: ∂L/∂x_11 = w_1^11 ∂L/∂Y_11 + w_1^12 ∂L/∂Y_21 (x_11 is read only by t = 1)."""
    value = find("q5", "dL/dx_11").value
    assert {str(s) for s in value.free_symbols} == {"w_1^11", "w_1^12", "dL/dY_11", "dL/dY_21"}
    assert len(value.args) == 2


@pytest.mark.parametrize("problem_id", sorted(HW2))
def test_quantities_refuse_what_is_not_their_params(problem_id):
    kind = KINDS[HW2[problem_id].kind]
    with pytest.raises(TypeError, match=r"expected symhw\.problems"):
        kind.quantities({"not": "params"}, problem_id)


@pytest.mark.parametrize("problem_id", sorted(HW2))
@pytest.mark.parametrize("name", [None, 3, "", "x" * 10_000, "__class__", "A[0]"])
def test_any_other_name_is_simply_not_found(problem_id, name):
    problem = HW2[problem_id]
    assert KINDS[problem.kind].quantities(problem.params, problem_id).find(name) is None
