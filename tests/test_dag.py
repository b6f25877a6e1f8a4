"""symhw.dag and symhw.program: sizes against SymPy's own walks, values against SymPy's
evalf and diff.

The oracles are SymPy's tree walks (``preorder_traversal``), ``evalf`` at 50 digits and
``diff``, on expressions small enough for them; the graphs at the end are too large for a
tree walk, and their values are checked against a closed form.
"""

from __future__ import annotations

import mpmath
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from symhw import dag
from symhw.activations import relu, sigmoid, softplus
from symhw.program import Program, Unevaluable, approximate, value_at
from symhw.render.decimals import fixed_point

x, y = sp.symbols("x y", real=True)
POINT = {x: sp.Rational(3, 7), y: sp.Rational(-5, 4)}


def nested(depth: int) -> sp.Expr:
    """e ↦ tanh(e) + e² nested ``depth`` times: a graph of 5·depth nodes, a tree of 2^depth."""
    e = x
    for _ in range(depth):
        e = sp.tanh(e) + e**2
    return e


@pytest.mark.parametrize("depth", [1, 2, 3, 5])
def test_sizes_agree_with_sympy_walks(depth):
    e = nested(depth)
    assert dag.tree_size(e) == sum(1 for _ in sp.preorder_traversal(e))
    assert dag.dag_size(e) == len(set(sp.preorder_traversal(e)))


def test_sizes_of_a_deep_graph_are_counted_without_walking_its_tree():
    with sp.evaluate(False):  # SymPy's own evaluation would walk the tree
        e = nested(200)  # a tree of about 2^200 nodes
    assert dag.dag_size(e) < 1000
    assert dag.tree_size(e) == dag.CAP


@pytest.mark.parametrize(
    "expr",
    [(x + y) * (x - y) * (x + 2), (x + y + 1) ** 3, sp.exp(x * (y + 1)) * (x + y), nested(3)],
    ids=str,
)
def test_expanded_size_estimates_expand_within_a_factor_of_3(expr):
    actual = dag.tree_size(sp.expand(expr))
    assert actual / 3 <= dag.expanded_size(expr) <= 3 * actual


FUNCTIONS = [sp.tanh, sp.exp, sigmoid, softplus, relu, sp.Abs, lambda a: sp.log(1 + a**2)]


@st.composite
def expressions(draw, depth=4):
    if depth == 0 or draw(st.booleans()):
        return draw(st.sampled_from([x, y, sp.Rational(draw(st.integers(-9, 9)), 4)]))
    kind = draw(st.sampled_from(["add", "mul", "pow", "function"]))
    a = draw(expressions(depth=depth - 1))
    if kind == "function":
        return draw(st.sampled_from(FUNCTIONS))(a)
    if kind == "pow":
        return a ** draw(st.integers(1, 3))
    b = draw(expressions(depth=depth - 1))
    return a + b if kind == "add" else a * b


def close(got: mpmath.mpf, expected: sp.Basic) -> bool:
    """Agreement to 25 digits, relative above 1 (compared in 50 digits)."""
    with mpmath.workdps(50):
        return abs(got - mpmath.mpf(str(expected))) <= mpmath.mpf(10) ** -25 * max(1, abs(got))


@settings(max_examples=60, deadline=None)
@given(expressions())
def test_values_agree_with_evalf(expr):
    expected = sp.N(expr.subs(POINT).rewrite(sp.exp), 50)
    assert close(value_at(expr, POINT, 30), expected)


@settings(max_examples=80, deadline=None)
@given(expressions(), st.sampled_from([15, 30, 50]))
def test_approximate_is_evalfs_float_to_its_last_digit(expr, digits):
    """The same precision as sp.N's Float, and the same value to one unit in the last
    place (evalf's last bit is not always the correctly rounded one; approximate's is)."""
    value = expr.subs(POINT)
    want = sp.N(value, digits)
    got = approximate(value, digits)
    if not want.is_Float:  # a rational is itself
        assert got == want
        return
    assert got._prec == want._prec
    with mpmath.workprec(got._prec + 10):
        ulp = mpmath.mpf(2) ** (mpmath.mag(mpmath.mpf(want._mpf_)) - got._prec)
        assert abs(mpmath.mpf(got._mpf_) - mpmath.mpf(want._mpf_)) <= ulp


@settings(max_examples=80, deadline=None)
@given(expressions(), st.integers(0, 6))
def test_numbers_written_to_k_decimals_are_evalfs_digits(expr, k):
    """fixed_point evaluates by approximate: its digits are those of 60-digit evalf."""
    value = expr.subs(POINT)
    if not value.is_real:
        return
    exact = sp.N(value, 60)
    from decimal import ROUND_HALF_UP, Decimal

    want = f"{Decimal(str(exact)).quantize(Decimal(1).scaleb(-k), ROUND_HALF_UP):f}"
    want = want[1:] if want.startswith("-") and set(want[1:]) <= set("0.") else want
    assert fixed_point(value, k) == want


@pytest.mark.parametrize("step", [sp.Heaviside, sp.sign, sp.floor, sp.ceiling])
def test_approximate_leaves_a_jump_at_a_hidden_zero_to_evalf(step):
    """cosh²(1/3) − sinh²(1/3) − 1 is 0, but its rounding noise has one sign at every
    precision: a step function of it is left to evalf (Heaviside's 1/2 or unevaluated,
    sign's 0), never decided by the noise."""
    hidden_zero = sp.cosh(sp.Rational(1, 3)) ** 2 - sp.sinh(sp.Rational(1, 3)) ** 2 - 1
    value = step(hidden_zero)
    for digits in (15, 50):
        assert approximate(value, digits) == sp.N(value, digits)


def test_approximate_falls_back_to_evalf_where_digits_cancel():
    """1 + 10^-40 - 1 loses 40 digits: the two working precisions disagree, and SymPy's
    evalf, which works until its digits are right, gives the value."""
    tiny = sp.exp(-sp.Integer(92))  # about 1.1e-40
    value = sp.Add(sp.tanh(1) + tiny, -sp.tanh(1), evaluate=False)
    assert approximate(value, 15) == sp.N(value, 15)
    assert abs(approximate(value, 15) / sp.N(tiny, 15) - 1) < 1e-14


@settings(max_examples=40, deadline=None)
@given(expressions())
def test_forward_mode_agrees_with_diff(expr):
    expected = sp.N(sp.diff(expr, x).subs(POINT), 50)
    if not expected.is_real or expected.has(sp.DiracDelta, sp.Heaviside):
        return  # a kink of relu or |.| exactly at the point
    derivatives = [sp.Derivative(expr, x), dag.LazyDerivative(expr, x)]
    for got in Program(derivatives).values(POINT, 30):
        assert close(got, expected)


def test_a_deep_graph_is_evaluated_and_differentiated_in_its_size():
    """x_{k+1} = x_k / 2 + x_k / 2 repeated 300 times is x, with slope 1; as a tree it has
    2^300 leaves, so only a walk of the graph can finish."""
    e = x
    for _ in range(300):
        e = sp.Add(e / 2, sp.Mul(sp.Rational(1, 2), e, evaluate=False), evaluate=False)
    value, slope = Program([e, dag.LazyDerivative(e, x)]).values(POINT, 30)
    assert close(value, sp.Rational(3, 7))
    assert close(slope, 1)


@pytest.mark.parametrize(
    "expr", [1 / (x - sp.Rational(3, 7)), sp.log(y), sp.sqrt(y), sp.Function("g")(x)], ids=str
)
def test_no_real_value_is_unevaluable(expr):
    with pytest.raises(Unevaluable):
        value_at(expr, POINT, 30)


def test_piecewise_picks_its_branch():
    pw = sp.Piecewise((0, x < 0), (sp.log(x), True))
    assert float(value_at(pw, POINT, 30)) == pytest.approx(float(sp.log(3 / 7)))


def test_costs_count_each_node_once_and_each_derivative_walk():
    t = sp.tanh(x)
    assert dag.evaluation_cost([t, t + 1]) == 4  # x, tanh(x), 1, tanh(x) + 1
    assert dag.evaluation_cost([dag.LazyDerivative(t, x)]) == 2 + 1 + 2
    assert Program([t + y, sp.Derivative(t, x)]).symbols == [x, y]
