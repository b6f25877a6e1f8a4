"""Verdicts on the claims of the handwritten HW2 sheet (symhw/data/hw2-handwritten.toml),
against the slips found by hand (../shared/seed, line numbers below; the design of issue
12 lists them with their reasons). Covered so far: all of q1, q3 and q4, q2's numbers and
labels, q5 but its kernel family w^ij; still to come: q2's δ formulas (θ′ and W without
its bias row), the one-symbol substitutions (tanh(δ²) for tanh(s²))."""

from __future__ import annotations

import math

import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import symhw
from symhw.checker.claims import Claim, builtin_claims
from symhw.checker.context import problem_context
from symhw.checker.verdict import VERDICTS, check_claim, check_claims
from symhw.sheet import solve
from symhw.spec import load_problem_set

CLAIMS = builtin_claims()
SPECS = {p.id: p for p in load_problem_set().problems}
_CONTEXTS: dict = {}


def verdicts(problem_id: str, name: str):
    """The verdicts on every claim of ``name`` in a problem, in file order (all of the
    problem's claims checked in order, as the writer's earlier values count)."""
    if problem_id not in _CONTEXTS:
        spec = SPECS[problem_id]
        claims = CLAIMS.of(problem_id)
        _CONTEXTS[problem_id] = check_claims(claims, problem_context(spec, solve(spec)))
    return [v for v in _CONTEXTS[problem_id] if v.claim.name == name]


@pytest.mark.parametrize("problem_id", ["q1", "q3", "q4"])
def test_nothing_right_is_flagged_in_q1_q3_and_q4(problem_id):
    """q1's loss (L7), tanh' from the exponentials (L11-21, the writer's g and x), the
    gradient (L9, L23-27) and the limit (L29-33); every layer count, total, shape and
    channel count of q3 (L107-199); every shape of q4 (L214-230): all right."""
    names = {c.name for c in CLAIMS.of(problem_id)}
    assert len(names) >= 4
    for name in names:
        assert {v.verdict for v in verdicts(problem_id, name)} == {"correct"}, name


@pytest.mark.parametrize(
    ("name", "swaps"),
    [
        ("Y_11", {("w_1^1", "w_1^11"), ("w_2^1", "w_2^11"), ("w_3^1", "w_3^11")}),  # L245
        ("Y_22", {("w_1^22", "w_1^12"), ("w_2^22", "w_2^12"), ("w_3^22", "w_3^12")}),  # L251
    ],
)
def test_q5_element_equations_with_the_wrong_weights(name, swaps):
    (v,) = verdicts("q5", name)
    found = {(str(s.written), str(s.expected)) for p in v.terms.pairs for s in p.swaps}
    assert v.verdict == "wrong" and found == swaps
    assert not v.terms.missing and not v.terms.extra


def test_q5_the_one_wrong_entry_of_A():
    """L253: row 4, column 8 is w_5^22 (the kernel has taps 1..3): w_3^22 belongs there."""
    (v,) = verdicts("q5", "A")
    assert v.verdict == "wrong"
    assert [(c.index, str(c.written), str(c.expected)) for c in v.cells] == [
        ((3, 7), "w_5^22", "w_3^22")
    ]


def test_q5_a_wrong_tap_in_a_gradient_entry():
    """L268: ∂L/∂x₁₃ has w_1^11 where w_2^11 belongs (with ∂L/∂y for ∂L/∂Y throughout:
    the sheet's lower-case y)."""
    (v,) = verdicts("q5", "dL/dx_13")
    found = {(str(s.written), str(s.expected)) for p in v.terms.pairs for s in p.swaps}
    assert v.verdict == "wrong" and ("w_1^11", "w_2^11") in found


@pytest.mark.parametrize(
    "name", ["A_T", "padded_grad_Y", "x_stacked", "x_shape", "Y_shape", "dL/dx_12"]
)
def test_q5_what_the_sheet_has_right(name):
    """B = Aᵀ written in full (L276-279, B a name the writer introduces), the padded
    ∂L/∂Y (L285-287, L317-319), x stacked as A reads it (L253), X ∈ ℝ^{2×4} and
    Y ∈ ℝ^{2×2} (L234-236), ∂L/∂x₁₂ (L266, ∂L/∂y for ∂L/∂Y as the sheet writes it)."""
    assert {v.verdict for v in verdicts("q5", name)} == {"correct"}


@pytest.mark.parametrize(
    ("name", "label", "flagged"),
    [
        ("s1", "g^1", True),  # L49: g¹ names nothing of q2 (the sheet writes s¹ at L55)
        ("s2", "\\delta^2", True),  # L59: δ⁽²⁾ is −1.350; −1.48 is s⁽²⁾
        ("s3", "\\delta^3", True),  # L69
        ("x1", "x^1", False),  # L55
        ("W2", "W^2", False),  # L43
    ],
)
def test_q2_labels(name, label, flagged):
    (v,) = verdicts("q2", name)
    assert v.label.written == label and v.label.ok is not flagged
    assert v.value_verdict == "correct"  # the numbers are right whatever the label


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("grad_W1", ["rounding", "carried", "rounding", "rounding"]),  # L97: 1.736 from L95
        ("grad_W2", ["rounding", "rounding", "rounding"]),  # L99
        ("grad_W3", ["correct", "rounding"]),  # L101: -3.6, 3.24
    ],
)
def test_q2_written_gradients_number_by_number(name, expected):
    (v,) = verdicts("q2", name)
    assert [e.verdict for e in v.entries] == expected


def test_the_carried_number_names_the_claim_it_came_from():
    """L97's 1.736 is x⁽⁰⁾₁ · δ⁽¹⁾₂ with the writer's own δ⁽¹⁾₂ = 1.736 of L95 (exact 1.701;
    their own replay gives 1.734): carried from delta1, and the report says where that is."""
    (v,) = verdicts("q2", "grad_W1")
    assert {e.index: e.carried_from for e in v.entries if e.carried_from} == {(0, 1): ("delta1",)}
    (claim,) = [c for c in symhw.check().data()["claims"] if c["name"] == "grad_W1"]
    assert claim["carried_from"] == [
        {"name": "delta1", "field": "q2.claims[13]", "source": "L91-95"}
    ]


def test_a_step_that_does_not_follow_names_its_numbers():
    """L97: [1; 2][−0.875, 1.736] has 2 × 1.736 = 3.472 at (2, 2); the sheet writes 3.467
    (the exact product's neighbour): that number, and only it, does not follow."""
    (v,) = verdicts("q2", "grad_W1")
    assert v.step.index == 3
    ((index, written, before),) = [(e.index, e.written.value, e.exact) for e in v.step.entries]
    assert (index, written, before) == ((1, 1), sp.Rational("3.467"), sp.Rational("3.472"))


def test_a_backward_step_reads_w_without_its_bias_row_and_the_writers_own_names():
    """L85-89: Θ′(δ²) w³ δ³, with the writer's w³ the weight without the bias row (2, as
    δ⁽ˡ⁾ = θ′(s⁽ˡ⁾) ⊗ W⁽ˡ⁺¹⁾δ⁽ˡ⁺¹⁾ takes it) and their δ² the −1.48 they gave that name
    (L59-63), is (1 − tanh²(−1.48)) · 2 · (−3.6) = −1.3490 (math.tanh); the next step,
    (1 − 0.9²)(2)(−3.6) = −1.368, rounds tanh(−1.48) to −0.9 first: that number is shown."""
    (v,) = verdicts("q2", "delta2")
    ((entry),) = v.step.entries
    assert v.step.index == 2 and entry.written.value == sp.Rational("-1.368")
    assert v.step.text == "= (1 - 0.9^2)(2)(-3.6)" and v.step.line == 1  # L89, as written
    assert float(entry.exact) == pytest.approx((1 - math.tanh(-1.48) ** 2) * 2 * (-3.6))


def test_a_step_from_a_vector_to_a_number_says_so():
    """W⁽²⁾ is the 3 × 1 column [0.2; 1; −3]: a step from it to a number says so."""
    v = symhw.solve("hw2", "q2").check("delta2", steps=[r"\delta^2 = W^2", "= -1.35"]).result
    assert v.step is not None and v.step.entries == ()
    assert "3 × 1" in v.step.why and "a number" in v.step.why


def test_a_label_misused_is_read_as_meant_in_the_later_lines():
    """L65-67: x² = [1; tanh(δ²)] = [1; −0.90], with δ² the writer's name for s⁽²⁾ = −1.48
    (L59-63): tanh(−1.48) = −0.9015, so the step follows; the slip δ² for s⁽²⁾ is named."""
    (v,) = verdicts("q2", "x2")
    assert v.step is None and [s.written for s in v.slips] == ["\\delta^2"]


def test_an_unknown_name_lists_what_the_problem_has():
    v = _one("q5", "name = 'kernels'\nvalue = 0")
    assert v.verdict == "unknown" and "backward_kernel" in v.why and "Y_jt" in v.why


def test_q5_the_kernel_family_and_its_label():
    """L238: w_i^{ij} = [w_1^{ij}, w_2^{ij}, w_3^{ij}], i, j = 1, 2: the rows are right, the
    label uses i twice (as the tap and as the input channel): flagged."""
    (v,) = verdicts("q5", "kernel")
    assert v.value_verdict == "correct" and not v.label.ok and v.verdict == "wrong"


def test_q5_the_flipped_kernels_every_time_the_sheet_writes_them():
    """L289-295, L309-313, L321-327, L339-340: [w_3^ij, w_2^ij, w_1^ij] for every i, j."""
    assert [v.verdict for v in verdicts("q5", "backward_kernel")] == ["correct"] * 4


def test_q5_a_statement_in_the_writers_own_names():
    """L281: B = Aᵀ, B the name the writer gave their matrix at L276-279: true; B = A is
    not."""
    (v,) = [v for v in _CONTEXTS_Q5() if v.claim.name is None]
    assert v.verdict == "correct"


def _CONTEXTS_Q5():
    verdicts("q5", "A")  # every claim of q5 checked, in order
    return _CONTEXTS["q5"]


def test_a_claim_is_read_exactly_as_written():
    (v,) = verdicts("q2", "W2")
    assert v.verdict == "correct" and v.written == sp.Matrix([sp.Rational(1, 5), 1, -3])


def _one(problem_id: str, body: str):
    """The verdict on the one claim of a small claims file on the built-in set."""
    from symhw.checker.claims import claims_from_text

    claims = claims_from_text(f'problem_set = "hw2"\n[[{problem_id}.claims]]\n{body}\n')
    spec = SPECS[problem_id]
    (v,) = check_claims(claims.of(problem_id), problem_context(spec, solve(spec)))
    return v


@pytest.mark.parametrize(
    ("body", "verdict"),
    [
        ("name = 'activation_derivative'\nvalue = '1 - \\tanh^2(s)'", "correct"),
        ("name = 'activation_derivative'\nvalue = '1 + \\tanh^2(s)'", "wrong"),  # sign
        ("name = 'activation_derivative'\nvalue = '1 - tanh(s)^2'", "correct"),  # plain
        ("name = 'gradient'\nvalue = '\\frac{1}{N} \\sum_{n=1}^N (\\tanh(w^T x_n) - y_n)"
         "(1 - \\tanh^2(w^T x_n)) x_n'", "wrong"),  # the factor 2 dropped
        ("name = 'derivative_limit_neg'\nvalue = 0", "correct"),
        ("name = 'derivative_limit_neg'\nvalue = 1", "wrong"),
        ("name = 'activation'\nvalue = 0", "unknown"),
        ("name = 'activation_derivative'\nvalue = '1 - \\tanh^2(s'", "unparsable"),
    ],
)  # fmt: skip
def test_q1_claims_of_ones_own(body, verdict):
    assert _one("q1", body).verdict == verdict


def test_a_dropped_factor_two_is_found_as_a_factor():
    v = _one("q1", "name = 'activation_derivative'\nvalue = '2 - 2 \\tanh^2(s)'")
    assert v.verdict == "wrong" and {p.factor for p in v.terms.pairs} == {2}


def test_q2_a_delta_off_in_the_third_decimal():
    """δ⁽²⁾ = −1.350 is right at 3 decimals, −1.368 the replay's, −1.351 neither."""
    verdicts = {
        text: _one("q2", f"name = 'delta2'\nvalue = {text}").verdict
        for text in ("-1.350", "-1.368", "-1.351")
    }
    assert verdicts == {"-1.350": "correct", "-1.368": "rounding", "-1.351": "wrong"}


def test_a_false_statement_is_wrong():
    assert _one("q5", "steps = ['A^T = A']").verdict == "wrong"  # A is not symmetric
    assert _one("q5", "steps = ['(A^T)^T = A']").verdict == "correct"


@pytest.mark.parametrize(
    ("name", "written", "expected"),
    [
        ("x2", "\\delta^2", "s^(2)"),  # L65: tanh(δ²); s⁽²⁾ (the sheet's own δ² is its s²)
        ("x3", "\\delta^2", "s^(3)"),  # L75: Identity(δ²); wrong symbol and wrong layer
        ("delta3", "\\delta^3", "s^(3)"),  # L79: Θ′(δ³), though Θ′ ≡ 1 makes the value right
        ("delta2", "\\delta^2", "s^(2)"),  # L85
        ("delta1", "\\delta^1", "s^(1)"),  # L91
    ],
)
def test_q2_an_activation_applied_to_delta(name, written, expected):
    """θ and θ′ take the pre-activation s⁽ˡ⁾, never δ⁽ˡ⁾: flagged whatever the numbers."""
    (v,) = verdicts("q2", name)
    assert [(s.written, s.expected) for s in v.slips] == [(written, expected)]
    assert v.verdict == "wrong"


def test_q2_delta1_one_entry_cut_one_wrong():
    """L95: −0.875 is the replay's −0.87552 cut, not rounded; 1.736 is neither the exact
    1.701 nor the replay's 1.7335 (1.734)."""
    (v,) = verdicts("q2", "delta1")
    assert [e.verdict for e in v.entries] == ["rounding", "wrong"] and v.entries[0].truncated


def test_q2_the_sheet_contradicts_itself_at_L97():
    """∂e/∂W¹₂₂ = 3.467 is 2 × the replay's 1.7335, not 2 × the sheet's own 1.736 (3.472):
    the step from [1; 2][−0.875; 1.736]ᵀ to the matrix does not follow."""
    (v,) = verdicts("q2", "grad_W1")
    assert v.step is not None and v.step.after[1, 1] == sp.Rational(3467, 1000)


#: Every claim of the handwritten sheet that is not simply right, found by hand (the design
#: of issue 12, §2, recomputed with torch, a Decimal replay and a separate SymPy build of q5),
#: with the reason.
FLAGGED_BY_HAND = {
    ("q2", "s1", "L49-53"): "labelled g¹, a name q2 does not have",
    ("q2", "s2", "L59-63"): "labelled δ², which is −1.350: the value is s⁽²⁾",
    ("q2", "x2", "L65-67"): "tanh(δ²) where tanh(s⁽²⁾) belongs",
    ("q2", "s3", "L69-73"): "labelled δ³, which is −3.606: the value is s⁽³⁾",
    ("q2", "x3", "L75"): "Identity(δ²) where Identity(s⁽³⁾) belongs",
    ("q2", "delta3", "L79-83"): "Θ′(δ³) where Θ′(s³) belongs",
    ("q2", "delta2", "L85-89"): "Θ′(δ²); −1.368 is the 2-decimal replay, −1.350 exact",
    ("q2", "delta1", "L91-95"): "Θ′(δ¹); −0.875 cut from the replay's −0.87552; 1.736 wrong",
    ("q2", "grad_W1", "L97"): "replay values, 1.736 carried from L95, 3.467 not 2 × 1.736",
    ("q2", "grad_W2", "L99"): "the replay's −1.368, −0.8208, −1.03968 (exact −1.350 ...)",
    ("q2", "grad_W3", "L101"): "3.24 the replay's (exact 3.2511)",
    ("q5", "kernel", "L238-243"): "labelled w_i^{ij}: i is the tap and the input channel",
    ("q5", "Y_11", "L245"): "w_k^1 for w_k^11 (k = 1, 2, 3), labelled Y^1",
    ("q5", "Y_12", "L247"): "w_k^2, w_k^22 for w_k^11, w_k^21, labelled Y^2",
    ("q5", "Y_21", "L249"): "w_k^21 for w_k^12 and input channel 1 for 2, labelled Y^21",
    ("q5", "Y_22", "L251"): "w_k^22 for w_k^12 (input channel 1), labelled Y^22",
    ("q5", "A", "L253-256"): "entry (4, 8) w_5^22: the kernel has taps 1..3, w_3^22",
    ("q5", "dL/dx_13", "L268"): "w_1^11 for w_2^11",
    ("q5", "dL/dx_14", "L270"): "∂L/∂y_2 for ∂L/∂Y_12",
    ("q5", "dL/dx_11", "L299-305"): "w_1 without its channels, for w_1^11 and w_1^12",
    ("q5", "dL/dx_11", "L331-337"): "w_1^1, w_1^2 for w_1^11, w_1^12",
}


def test_the_flagged_claims_are_the_slips_found_by_hand():
    """Every slip on the sheet is found, and nothing that is right is flagged."""
    flagged = set()
    for problem_id in CLAIMS.problems:
        verdicts(problem_id, None)  # every claim of the problem, checked in order
        for v in _CONTEXTS[problem_id]:
            if v.verdict != "correct":
                flagged.add((problem_id, v.claim.name, v.claim.source))
    assert flagged == set(FLAGGED_BY_HAND)


_ALPHABET = "0123456789.+-*/^_{}()[],;= xyswWAEe\\tanhfracpartialdeltaLYbmatrix&"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=st.sampled_from(["s2", "delta1", "grad_W1", "x1", "e"]),
    text=st.text(alphabet=_ALPHABET, max_size=60),
)
def test_any_text_gets_a_verdict_never_an_error(name, text):
    """Whatever is written as a value or a step, the claim gets one verdict of the fixed
    vocabulary; nothing escapes (each check within 10 s here, a generous guard)."""
    import time

    verdicts("q2", name)  # the problem's context, built once
    context = _Q2_CONTEXT()
    for claim in (
        Claim("q2", 0, "q2.fuzz", name, text),
        Claim("q2", 0, "q2.fuzz", name, None, steps=(text,)),
    ):
        start = time.perf_counter()
        v = check_claim(claim, context)
        assert v.verdict in VERDICTS and time.perf_counter() - start < 10


def _Q2_CONTEXT():
    spec = SPECS["q2"]
    if "q2-context" not in _CONTEXTS:
        _CONTEXTS["q2-context"] = problem_context(spec, solve(spec))
    return _CONTEXTS["q2-context"]


def test_the_python_api_refuses_what_is_not_its_input():
    from symhw.checker.report import check_file

    with pytest.raises(TypeError, match="expected a ClaimsFile, got str"):
        check_file("hw2-handwritten.toml")
    with pytest.raises(TypeError, match="expected a Problem, got dict"):
        check_claims([], {})
    with pytest.raises(TypeError, match="expected Claims, got str"):
        check_claims(["delta1 = 1"], _Q2_CONTEXT())
