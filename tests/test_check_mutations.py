"""symhw check on answers broken on purpose (issue 12): the mutation is the oracle. Random
layers and networks; a right answer written out is judged correct, and each kind of slip
gets the verdict and the diagnosis that name what was broken."""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

import pytest
import sympy as sp
import torch
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import symhw
from symhw.checker.claims import Claim
from symhw.checker.context import problem_context
from symhw.checker.verdict import check_claim, check_claims
from symhw.conv.symbols import ConvSymbols
from symhw.params import build_params
from symhw.problems import KINDS
from symhw.problems.conv_matrix.inputs import Params, layer_geometry
from symhw.problems.mlp_backprop import Params as MlpParams
from symhw.render.expr import latex
from symhw.spec import ProblemSpec

SETTINGS = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def layers(draw):
    return Params(
        in_channels=draw(st.integers(1, 3)),
        out_channels=draw(st.integers(1, 3)),
        length=draw(st.integers(4, 7)),
        kernel=draw(st.integers(2, 3)),
        stride=draw(st.integers(1, 2)),
        padding=draw(st.integers(0, 1)),
    )


def _context(params: Params):
    spec = ProblemSpec("q5", "conv-matrix", None, params)
    return problem_context(spec, KINDS["conv-matrix"].solve(params, "q5"))


@SETTINGS
@given(params=layers(), data=st.data())
def test_an_element_equation_with_one_wrong_tap(params, data):
    """Y_jt written out is correct; with one weight's tap changed, it is wrong, and the
    diagnosis names that weight and the one that belongs."""
    g = layer_geometry(params)
    s = ConvSymbols(g)
    j = data.draw(st.integers(0, g.out_channels - 1))
    t = data.draw(st.integers(0, g.out_size[0] - 1))
    name = str(s.y(j, (t,)))
    context = _context(params)
    right = context.quantities.find(name).value
    assert check_claim(Claim("q5", 0, "q5.y", name, latex(right)), context).verdict == "correct"
    weights = sorted((w for w in right.free_symbols if w.name.startswith("w_")), key=str)
    original = data.draw(st.sampled_from(weights))
    tap = int(original.name.split("_")[1].split("^")[0])
    other = tap + 1 if tap < g.kernel[0] else tap - 1
    mutated = sp.Symbol(original.name.replace(f"w_{tap}^", f"w_{other}^", 1))
    v = check_claim(
        Claim("q5", 0, "q5.y", name, latex(right.xreplace({original: mutated}))), context
    )
    swaps = {(str(x.written), str(x.expected)) for p in v.terms.pairs for x in p.swaps}
    assert (v.verdict == "wrong" and (mutated.name, original.name) in swaps) or (
        v.verdict == "wrong" and mutated in right.free_symbols  # it now reads another tap twice
    )


@SETTINGS
@given(params=layers())
def test_a_transposed_matrix_is_said_to_be_transposed(params):
    context = _context(params)
    a = context.solution.answer("A").data.explicit()  # in full, though the sheet shows corners
    if a.rows == a.cols and a == a.T:
        return  # symmetric: its transpose is right
    v = check_claim(Claim("q5", 0, "q5.A", "A", latex(a.T)), context)
    assert v.verdict == "wrong" and (v.why == "transposed" or v.cells)


@SETTINGS
@given(total=st.integers(1, 10**6), off=st.sampled_from([-1, 1, 10, -100]))
def test_a_count_off_by_some_is_wrong_and_the_right_one_correct(total, off):
    from symhw.checker.numbers import Written, judge

    exact = sp.Integer(total)
    assert judge(Written(exact), exact).verdict == "correct"
    assert judge(Written(exact + off), exact).verdict == "wrong"


@SETTINGS
@given(
    value=st.fractions(min_value=-50, max_value=50, max_denominator=10**6),
    k=st.integers(1, 4),
)
def test_a_value_rounded_at_k_decimals_is_correct_and_cut_is_rounding(value, k):
    """Rounded half away from zero at the k decimals written: correct; cut (toward zero)
    where that differs: rounding, marked as cut."""
    from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

    from symhw.checker.numbers import Written, judge

    exact = sp.Rational(value.numerator, value.denominator)
    d = Decimal(value.numerator) / Decimal(value.denominator)
    unit = Decimal(1).scaleb(-k)
    rounded, cut = (d.quantize(unit, rounding=r) for r in (ROUND_HALF_UP, ROUND_DOWN))
    as_rational = lambda x: sp.Rational(str(x))  # noqa: E731 - a Decimal's exact digits
    assert judge(Written(as_rational(rounded), k), exact).verdict == "correct"
    if cut != rounded:
        entry = judge(Written(as_rational(cut), k), exact)
        assert entry.verdict == "rounding" and entry.truncated


# -- q2: an error carried forward -------------------------------------------------------


def _torch_delta1(w1, w2, x, y):
    """δ⁽¹⁾ = ∂e/∂s⁽¹⁾ of a 1-2-1 tanh-identity network by torch autograd (float64)."""
    w1 = torch.tensor(w1, dtype=torch.float64)
    w2 = torch.tensor(w2, dtype=torch.float64)
    x0 = torch.tensor([1.0, x], dtype=torch.float64)
    s1 = (w1.T @ x0).requires_grad_()
    x1 = torch.cat([torch.ones(1, dtype=torch.float64), torch.tanh(s1)])
    e = ((w2 @ x1 - y) ** 2).sum()
    e.backward()
    return s1.grad.tolist()


tenths = st.integers(-9, 9).map(lambda k: k / 10)
#: A 1-2-1 network (tanh, then identity): W⁽¹⁾ 2 × 2 (a bias row, one input), W⁽²⁾ 3 × 1.
networks = {
    "w1": st.lists(st.lists(tenths, min_size=2, max_size=2), min_size=2, max_size=2),
    "w2": st.lists(tenths, min_size=3, max_size=3),
    "x": tenths.filter(bool),
    "y": tenths,
}


def _network(w1, w2, x, y, **more):
    """The problem context of the 1-2-1 network (``more``: rounding)."""
    table = {"weights": [w1, w2], "activations": ["tanh", "identity"], "x": x, "y": y, **more}
    params = build_params(MlpParams, table, "q2")
    spec = ProblemSpec("q2", "mlp-backprop", None, params)
    return problem_context(spec, KINDS["mlp-backprop"].solve(params, "q2"))


@SETTINGS
@given(
    **networks,
    k=st.integers(0, 1),
    off=st.sampled_from([-1, 1, 0.5]),
)
def test_an_error_carried_into_the_weight_gradient_names_the_claim_it_came_from(
    w1, w2, x, y, k, off
):
    """δ⁽¹⁾ written with entry k off is wrong; ∂e/∂W⁽¹⁾ = x⁽⁰⁾(δ⁽¹⁾)ᵀ then computed from that
    δ⁽¹⁾ is carried in column k, from the δ⁽¹⁾ claim; the other column is correct, or
    carried from δ⁽¹⁾'s rounding where x·round(δ) and round(x·δ) differ in the last digit."""
    delta = _torch_delta1(w1, w2, x, y)
    assume(all(abs(d) > 1e-3 for d in delta))
    written = [round(d, 4) + (off if i == k else 0) for i, d in enumerate(delta)]
    x0 = [1.0, x]
    grad = [[round(a * d, 4) for d in written] for a in x0]  # from their own δ⁽¹⁾
    context = _network(w1, w2, x, y)
    claims = [
        Claim("q2", 0, "q2.claims[0]", "delta1", tuple(f"{d:.4f}" for d in written)),
        Claim(
            "q2", 1, "q2.claims[1]", "grad_W1", None,
            steps=(
                r"\frac{\partial e}{\partial w^1} = x^0 (\delta^1)^T",
                "= " + _bmatrix(grad),
            ),
        ),
    ]  # fmt: skip
    first, second = check_claims(claims, context)
    assert first.verdict == "wrong"
    assert [e.verdict for e in first.entries] == ["wrong" if i == k else "correct" for i in (0, 1)]
    by_place = {e.index: e for e in second.entries}
    for i in range(2):
        for j in range(2):
            e = by_place[i, j]
            if j == k:
                assert (e.verdict, e.carried_from) == ("carried", ("delta1",))
            else:
                assert e.verdict != "wrong" and set(e.carried_from) <= {"delta1"}
    assert second.verdict == "carried"


@SETTINGS
@given(**networks, k=st.integers(0, 1), off=st.sampled_from([-1, 1, 0.5]))
def test_a_bare_weight_gradient_from_a_wrong_delta_is_carried_too(w1, w2, x, y, k, off):
    """As above with ∂e/∂W⁽¹⁾ written as a bare value (the claims template's form, no
    step): computed from the writer's own δ⁽¹⁾ it is carried from δ⁽¹⁾ in column k, not a
    new error; the same value with δ⁽¹⁾ not written before is wrong."""
    delta = _torch_delta1(w1, w2, x, y)
    assume(all(abs(d) > 1e-3 for d in delta))
    written = [round(d, 4) + (off if i == k else 0) for i, d in enumerate(delta)]
    grad = tuple(tuple(f"{round(a * d, 4):.4f}" for d in written) for a in (1.0, x))
    context = _network(w1, w2, x, y)
    first = Claim("q2", 0, "q2.delta1", "delta1", tuple(f"{d:.4f}" for d in written))
    bare = Claim("q2", 1, "q2.grad_W1", "grad_W1", grad)
    _, second = check_claims([first, bare], context)
    assert second.verdict == "carried"
    assert {e.carried_from for e in second.entries if e.index[1] == k} == {("delta1",)}
    (alone,) = check_claims([bare], context)
    assert alone.verdict == "wrong"


@SETTINGS
@given(**networks, k=st.integers(1, 2), off=st.sampled_from([-0.5, 0.25]))
def test_a_bare_pre_activation_from_a_wrong_hidden_output_is_carried(w1, w2, x, y, k, off):
    """x⁽¹⁾ written with entry k off (its exact tanh values by torch), then s⁽²⁾ = W⁽²⁾ᵀx⁽¹⁾
    computed from it by hand, a bare value: carried from x⁽¹⁾ where it differs from the
    exact s⁽²⁾ at four decimals."""
    s1 = torch.tensor(w1, dtype=torch.float64).T @ torch.tensor([1.0, x], dtype=torch.float64)
    x1 = [1.0, *torch.tanh(s1).tolist()]
    written = [round(v, 4) + (off if i == k else 0) for i, v in enumerate(x1)]
    theirs = round(sum(w * a for w, a in zip(w2, written, strict=True)), 4)
    exact = round(sum(w * a for w, a in zip(w2, x1, strict=True)), 4)
    assume(abs(theirs - exact) > 2e-4)  # else the slip does not reach s⁽²⁾ (a zero weight)
    context = _network(w1, w2, x, y)
    first = Claim("q2", 0, "q2.x1", "x1", tuple(f"{v:.4f}" for v in written))
    bare = Claim("q2", 1, "q2.s2", "s2", f"{theirs:.4f}")
    _, second = check_claims([first, bare], context)
    assert (second.verdict, second.entries[0].carried_from) == ("carried", ("x1",))


@SETTINGS
@given(**networks, off=st.sampled_from([-0.5, 0.25, 1]))
def test_a_bare_output_delta_from_a_wrong_output_is_carried(w1, w2, x, y, off):
    """x⁽²⁾ (the identity output, by torch) written off, then δ⁽²⁾ = 2(x⁽²⁾ − y) of the
    squared error computed from it by hand, a bare value: carried from x⁽²⁾; the same
    δ⁽²⁾ with no x⁽²⁾ written before is wrong."""
    s1 = torch.tensor(w1, dtype=torch.float64).T @ torch.tensor([1.0, x], dtype=torch.float64)
    x1 = torch.cat([torch.ones(1, dtype=torch.float64), torch.tanh(s1)])
    out = float(torch.tensor(w2, dtype=torch.float64) @ x1)
    written = round(out, 4) + off
    context = _network(w1, w2, x, y)
    first = Claim("q2", 0, "q2.x2", "x2", f"{written:.4f}")
    bare = Claim("q2", 1, "q2.delta2", "delta2", f"{2 * (written - y):.4f}")
    _, second = check_claims([first, bare], context)
    assert (second.verdict, second.entries[0].carried_from) == ("carried", ("x2",))
    (alone,) = check_claims([bare], context)
    assert alone.verdict == "wrong"


def _bmatrix(rows) -> str:
    body = r" \\ ".join(" & ".join(f"{v:.4f}" for v in row) for row in rows)
    return rf"\begin{{bmatrix}} {body} \end{{bmatrix}}"


# -- q1: a sign flipped, a factor 2 dropped -----------------------------------------------

#: θ and θ′ of each activation, written here from the textbook definitions.
DERIVATIVES = {
    "tanh": (r"\tanh(w^T x_n)", r"(1-\tanh^2(w^T x_n))"),
    "sigmoid": (r"\sigma(w^T x_n)", r"\sigma(w^T x_n)(1-\sigma(w^T x_n))"),
}


@pytest.mark.parametrize("activation", sorted(DERIVATIVES))
@pytest.mark.parametrize(
    ("mutate", "whole"),
    [
        (lambda g: g, None),
        (lambda g: "-" + g, "-1"),  # the sign flipped
        (lambda g: g.replace(r"\frac{2}{N}", r"\frac{1}{N}"), "1/2"),  # the 2 dropped
        (lambda g: g.replace(r"\frac{2}{N}", r"\frac{4}{N}"), "2"),  # a 2 too many
    ],
)
def test_the_squared_error_gradient_with_a_flipped_sign_or_a_dropped_factor(
    activation, mutate, whole
):
    """∇E_in = (2/N) Σ (θ(wᵀx_n) − y_n) θ′(wᵀx_n) x_n is correct; the same times −1, 1/2
    or 2 is wrong, and the diagnosis says the whole expression is off by that factor."""
    theta, derivative = DERIVATIVES[activation]
    gradient = rf"\frac{{2}}{{N}}\sum_{{n=1}}^{{N}}({theta}-y_n){derivative}x_n"
    params = build_params(
        KINDS["activation-loss"].params, {"activation": activation, "loss": "squared"}, "q1"
    )
    spec = ProblemSpec("q1", "activation-loss", None, params)
    context = problem_context(spec, KINDS["activation-loss"].solve(params, "q1"))
    v = check_claim(Claim("q1", 0, "q1.gradient", "gradient", mutate(gradient)), context)
    assert v.verdict == ("correct" if whole is None else "wrong")
    assert (None if v.terms is None or v.terms.whole is None else str(v.terms.whole)) == whole


# -- q2: a value rounded as the hand computation rounds ------------------------------------


def _d(value) -> Decimal:
    """A number as a Decimal (a float by its shortest repr: 0.1 is 0.1)."""
    return value if isinstance(value, Decimal) else Decimal(repr(value))


def _hand(value, k: int) -> Decimal:
    """Rounded to k decimals as by hand: halves away from zero."""
    return _d(value).quantize(Decimal(1).scaleb(-k), rounding=ROUND_HALF_UP)


@SETTINGS
@given(
    **networks,
    k=st.integers(1, 4),
)
def test_delta1_from_a_hand_computation_rounded_at_k_decimals(w1, w2, x, y, k):
    """δ⁽¹⁾ computed by hand with every forward value rounded to k decimals (s⁽¹⁾, x⁽¹⁾, s⁽²⁾;
    θ′ = 1 − x² from the rounded x, the backward products exact), then written to k
    decimals: ``rounding`` where it differs from the exact δ⁽¹⁾ (torch autograd) at k
    decimals, else ``correct``; never wrong."""
    s1 = [_hand(_d(w1[0][j]) + _d(w1[1][j]) * _d(x), k) for j in range(2)]
    x1 = [_hand(math.tanh(s), k) for s in s1]
    s2 = _hand(_d(w2[0]) + sum(_d(w) * a for w, a in zip(w2[1:], x1, strict=True)), k)
    delta2 = 2 * (s2 - _d(y))  # identity output: θ′ = 1
    by_hand = [(1 - a * a) * _d(w) * delta2 for a, w in zip(x1, w2[1:], strict=True)]
    written = [_hand(d, k) for d in by_hand]
    exact = [_hand(d, k) for d in _torch_delta1(w1, w2, x, y)]
    context = _network(w1, w2, x, y, rounding=k)
    v = check_claim(Claim("q2", 0, "q2.delta1", "delta1", tuple(map(str, written))), context)
    assert [e.verdict for e in v.entries] == [
        "correct" if w == e else "rounding" for w, e in zip(written, exact, strict=True)
    ]


# -- the right value under another name ----------------------------------------------------


@pytest.mark.parametrize(
    ("problem", "name", "written", "other"),
    [
        # s⁽²⁾ = 0.2 + tanh(0.7) − 3 tanh(1) = −1.4804: a pre-activation where δ⁽²⁾ is asked
        ("q2", "delta2", "-1.48", "s2"),
        # 2 · 3·3·32·32 = 18432: the count without biases where the one with them is asked
        ("q3", "basic_params_bias", 18432, "basic_params_no_bias"),
        # (C,): the squeezed mean where the kept axes (1, C) are asked
        ("q4", "fc_mean_shape", "C", "fc_mean_shape_squeezed"),
        # N: the fully connected layer's count where the convolution's N·H·W is asked
        ("q4", "conv_count", "N", "fc_count"),
    ],
)
def test_the_value_of_another_answer_is_named(problem, name, written, other):
    v = symhw.solve("hw2", problem).check(name, written).result
    assert v.verdict == "wrong" and v.equals is not None and v.equals.name == other


def test_a_wrong_value_of_no_answer_names_none():
    v = symhw.solve("hw2", "q2").check("delta2", "-1.6").result
    assert v.verdict == "wrong" and v.equals is None


def test_a_derivation_step_that_fails_gives_a_counterexample_point():
    """d/ds tanh(s) = 1 − tanh(s) is false: the report names a point s and the two sides'
    values there, which math.tanh confirms differ."""
    v = symhw.solve("hw2", "q1").check(
        "activation_derivative",
        steps=[r"\frac{d}{ds}\tanh(s) = 1 - \tanh(s)", r"= 1 - \tanh^2(s)"],
    )
    assert v.verdict == "wrong" and v.result.step.index == 1
    step = v.data()["step"]
    ((symbol, at),) = v.result.step.point
    assert str(symbol) == "s" and step["point"][0]["symbol"]["text"] == "s"
    s = float(at)
    derivative, written = 1 - math.tanh(s) ** 2, 1 - math.tanh(s)
    assert abs(derivative - written) > 1e-3
    shown = [float(side["value"]["text"]) for side in step["sides"]]
    assert shown == pytest.approx([derivative, written], abs=1e-4)


@pytest.mark.parametrize(
    ("written", "why"),
    [
        ("1x1x1xC", None),  # NHWC: the mean keeps only the channel axis, last
        ("1xCx1x1", "the axes are in another order"),  # NCHW's order
        ("Cx1x1x1", "the axes are in another order"),
        ("1x1xC", "shape (3,), expected (4,)"),
    ],
)
def test_a_shape_in_another_layout_is_said_to_have_its_axes_reordered(written, why):
    v = symhw.solve("hw2", "q4").check("conv_mean_shape", written).result
    assert (v.verdict, v.why or None) == ("correct" if why is None else "wrong", why)
