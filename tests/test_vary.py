"""Per-student variants (issue 13, item 1): the `vary` table, checked at load, and drawing.

The oracles are independent of symhw: the conditions are re-checked here with NumPy and
exact fractions written from the definitions (s = Wᵀx, x = [1; θ(s)]), the answers of 50
HW2 variants against torch autograd, and determinism against other processes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections import Counter
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest
import torch
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from conftest import REPO, answers_error, torch_activations
from symhw.errors import InputError
from symhw.fields import Where
from symhw.problems import KINDS
from symhw.problems.mlp_backprop import solve
from symhw.render.json import answers_json
from symhw.spec import draw_variant, load_problem_set, parse_problem_set
from symhw.tomlfile import parse_toml
from symhw.variants import MAX_TRIES, draw
from symhw.variants.patterns import apply, parse_pattern
from symhw.variants.stream import Stream

EXAMPLE = REPO / "examples" / "hw2-class.toml"

#: The seed's question 2, as a problem table's text (answers_error adds [[problems]]).
Q2 = """id = "p"
kind = "mlp-backprop"
weights = [[[0.1, 0.2], [0.3, 0.4]], [0.2, 1, -3], [1, 2]]
activations = ["tanh", "tanh", "identity"]
x = 2
y = 1
"""
CONV = """id = "p"
kind = "conv-matrix"
length = 4
kernel = 3
"""

BAD_VARY = [
    # (the problem and its vary table, what the one line of error says)
    (Q2 + "[problems.vary]\nx = { range = [3, 1] }", "field 'vary.x': empty range [3, 1]"),
    (Q2 + "[problems.vary]\nx = { range = [0, 0], exclude = [0] }", "exclude leaves nothing"),
    (Q2 + "[problems.vary]\nz = { range = [1, 3] }", "field 'vary.z': not a parameter of"),
    (
        Q2 + "[problems.vary]\nweights = { range = [-1, 1], decimals = 7 }",
        "decimals must be 0 to 6, got 7",
    ),
    (Q2 + "[problems.vary]\nx = { range = [1, 3], decimals = -1 }", "decimals must be 0 to 6"),
    (
        Q2 + "[problems.vary]\nx = { range = [0.15, 1], decimals = 1 }",
        "range end 0.15 has more than 1 decimals",
    ),
    (Q2 + "[problems.vary]\ny = { choices = [] }", "choices must be a list of 1 to 1000"),
    (
        Q2 + '[problems.vary]\nactivations = { choices = [["tanh", "tanh", "identity"], '
        '["tahn", "tanh", "identity"]] }',
        "which activations refuses: layer 1: unknown activation 'tahn'",
    ),
    (
        Q2 + "[problems.vary]\nactivations = { range = [1, 2] }",
        "a range draws numbers, but the problem gives 'tanh' here",
    ),
    (
        Q2 + "[problems.vary]\nweights = [{ range = [-1, 1] }, { range = [-1, 1] }]",
        "2 entries where the problem gives 3",
    ),
    (Q2 + "[problems.vary]\nx = [1, 3]", "[1, 3] draws nothing: give { range = [low, high] }"),
    (Q2 + "[problems.vary]\nx = { range = [1, 3], step = 1 }", "unknown key 'step' beside range"),
    (Q2 + "[problems.vary]\nx = { range = [1, 3], choices = [1] }", "either range or choices"),
    (Q2 + '[problems.vary]\nx = { range = ["1", 3] }', "a range end must be a number"),
    (Q2 + "[problems.vary]\nx = { range = [0, 2e15] }", "between -1e15 and 1e15"),
    (Q2 + "vary = 3", "field 'vary': expected a table of what varies"),
    (
        Q2 + "[problems.vary]\nx = { range = [1, 3] }\n[problems.vary.require]\nfoo = true",
        "unknown condition 'foo' for mlp-backprop; use max_abs_s, relu_input_nonzero, "
        "answers_nonzero",
    ),
    (
        Q2 + "[problems.vary]\nx = { range = [1, 3] }\n[problems.vary.require]\nmax_abs_s = 0",
        "field 'vary.require.max_abs_s': must be above 0",
    ),
    (
        Q2 + '[problems.vary]\nx = { range = [1, 3] }\n[problems.vary.require]\nmax_abs_s = "a"',
        "'a' is not a number",
    ),
    (Q2 + "[problems.vary.require]\nanswers_nonzero = true", "field 'vary': varies nothing"),
    (
        # Every weight at least 5 and x at least 1: s⁽¹⁾ ≥ 10, never within |s| ≤ 1.
        Q2 + "[problems.vary]\nweights = { range = [5, 9] }\nx = { range = [1, 3] }\n"
        "[problems.vary.require]\nmax_abs_s = 1",
        f"field 'vary.require.max_abs_s': no variant met max_abs_s = 1 in {MAX_TRIES} draws "
        f"(seed 0, variant 'load check'): {MAX_TRIES} broke it (|s| ≤ 1 at every tanh or "
        "sigmoid unit",
    ),
    (
        CONV + "[problems.vary]\nkernel = { range = [5, 6] }",
        f"field 'vary': no variant could be drawn in {MAX_TRIES} draws (seed 0, variant 'load "
        f"check'): the kind refused the drawn parameters {MAX_TRIES} times, last with "
        "'kernel: the kernel spans",
    ),
    (
        CONV + "[problems.vary]\nin_channels = { range = [0, 3] }",
        "field 'vary.in_channels': range [0, 3] gives 0, which in_channels refuses: must be "
        "at least 1",
    ),
    (
        CONV + "[problems.vary]\nlength = { range = [4.5, 6] }",
        "range [4.5, 6.0] gives Decimal('4.5'), which length refuses: expected a whole number",
    ),
    (
        CONV + "[problems.vary]\nlength = { range = [4, 6] }\n[problems.vary.require]\n"
        "max_abs_s = 3",
        "unknown condition 'max_abs_s' for conv-matrix; use answers_nonzero",
    ),
    (
        'id = "p"\nkind = "norm-shapes"\n[problems.vary]\ncases = { choices = [[{ norm = '
        '"batch", layout = "NC" }]] }\n[problems.vary.require]\nanswers_nonzero = true',
        "unknown condition 'answers_nonzero' for norm-shapes; norm-shapes problems take none",
    ),
]


@pytest.mark.parametrize(("problem", "message"), BAD_VARY)
def test_a_bad_vary_table_is_one_clear_error_at_load(tmp_path, capsys, problem, message):
    err = answers_error(tmp_path, capsys, problem)
    assert err.startswith("symhw: error: problem 'p', field 'vary"), err
    assert message in err
    assert err.count("\n") == 1


def one_problem(text: str):
    """The one problem of a set whose [[problems]] table is ``text``."""
    data = parse_toml(f"[[problems]]\n{text}\n", "t.toml", "problem set")
    return parse_problem_set(data, "t").problems[0]


@pytest.mark.parametrize(
    "vary",
    [
        "x = { range = [1, 1] }",  # one number is a range
        "x = { range = [-1, 1], exclude = [-1, 0] }",  # one left
        "weights = { range = [-1, 1], decimals = 6 }",  # the most decimals
        "x = { range = [1, 3], exclude = [7] }",  # an exclusion outside the range is harmless
    ],
)
def test_the_edges_that_are_allowed_load(vary):
    assert one_problem(Q2 + "[problems.vary]\n" + vary).vary is not None


def test_a_one_number_range_always_draws_that_number():
    q = one_problem(Q2 + "[problems.vary]\nx = { range = [-1, 1], exclude = [-1, 0] }")
    assert {draw_variant(q, 0, i).params.x for i in range(20)} == {((1,),)}


#: Draws printed as JSON in another process (Decimal as its text, so 0.10 ≠ 0.1).
DRAW_SCRIPT = textwrap.dedent(
    """
    import json, sys
    from symhw.spec import load_problem_set
    from symhw.variants import draw
    problems = load_problem_set(sys.argv[1]).problems
    out = {f"{p.id}/{i}": draw(p.vary, p.id, 5, i).table for p in problems for i in
           ("alice", 0, 7)}
    print(json.dumps(out, default=str, sort_keys=True))
    """
)


def drawn_here(problems, seed=5, ids=("alice", 0, 7)):
    out = {f"{p.id}/{i}": draw(p.vary, p.id, seed, i).table for p in problems for i in ids}
    return json.loads(json.dumps(out, default=str, sort_keys=True))


@pytest.mark.parametrize("hashseed", ["0", "4242"])
def test_draws_are_the_same_in_other_processes_whatever_pythonhashseed(hashseed):
    env = {**os.environ, "PYTHONHASHSEED": hashseed, "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-c", DRAW_SCRIPT, str(EXAMPLE)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    assert json.loads(done.stdout) == drawn_here(load_problem_set(EXAMPLE).problems)


def test_a_variant_does_not_depend_on_count_order_or_the_other_problems():
    problems = load_problem_set(EXAMPLE).problems
    q2 = problems[1]
    ids = [*range(12), "alice", "bob"]
    forward = {i: draw_variant(q2, 3, i).params for i in ids}
    backward = {}
    for i in reversed(ids):  # interleaved with draws of the other problems
        for other in problems:
            draw_variant(other, 3, f"{i}-x")
        backward[i] = draw_variant(q2, 3, i).params
    assert backward == forward
    # q2 alone in a set of its own (another position, no other problems) draws the same.
    alone = parse_problem_set(
        {"problems": [{**parse_toml(EXAMPLE.read_text("utf-8"), "e", "p")["problems"][1]}]}, "a"
    ).problems[0]
    assert {i: draw_variant(alone, 3, i).params for i in ids} == forward
    assert len({str(p.weights) for p in forward.values()}) == len(ids)  # all different
    assert draw_variant(q2, 4, 0).params != forward[0]  # another seed, other numbers
    assert draw_variant(q2, 3, "11").params == forward[11]  # an id is its text


def test_drawn_values_lie_in_their_ranges_with_their_decimals():
    q2, q5 = (load_problem_set(EXAMPLE).problems[i] for i in (1, 4))
    seen: Counter = Counter()
    for i in range(100):
        got = draw(q2.vary, "q2", 0, i)
        weights = [v for layer in got.table["weights"] for v in np.ravel(layer).tolist()]
        assert len(weights) == 9
        for v in weights:
            assert isinstance(v, Decimal) and v.as_tuple().exponent == -1, v
            assert -1 <= v <= 1 and v != 0
        assert type(got.table["x"]) is int and 1 <= got.table["x"] <= 3
        seen[got.table["x"]] += 1
        assert got.table["y"] in (1, -1)
        exact = [Fraction(str(v)) for w in got.params.weights for v in w.T]  # columns first
        flat = [Fraction(v) for layer in got.table["weights"] for v in np.ravel(layer).tolist()]
        assert sorted(exact) == sorted(flat)  # the parameters hold the drawn numbers exactly
        conv = draw(q5.vary, "q5", 0, i).table
        assert conv["out_channels"] in (1, 2) and conv["length"] in (4, 5)
        assert conv["kernel"] in (2, 3)
    assert all(20 <= seen[x] <= 50 for x in (1, 2, 3)), seen  # each about a third of 100


def s_values(params) -> list[list[Fraction | float]]:
    """s⁽ˡ⁾ = W⁽ˡ⁾ᵀ x⁽ˡ⁻¹⁾ of every layer at the first point: the first layer exactly (in
    fractions), the others in float64, with x⁽ˡ⁾ = [1; θ(s⁽ˡ⁾)]."""
    theta = {"tanh": np.tanh, "identity": lambda s: s, "relu": lambda s: max(s, 0)}
    x: list = [Fraction(1), *(Fraction(str(v)) for v in params.x[0])]
    out = []
    for w, name in zip(params.weights, params.activations, strict=True):
        cols = [[Fraction(str(v)) for v in w[:, j]] for j in range(w.cols)]
        s = [sum(a * b for a, b in zip(col, x, strict=True)) for col in cols]
        out.append(s)
        x = [1.0, *(theta[name](float(v)) for v in s)]
    return out


def set_of(vary: str, activations: str, require: str = "") -> object:
    text = (
        'id = "p"\nkind = "mlp-backprop"\nweights = [[[0.1, 0.2], [0.3, 0.4]], [0.2, 1, -3], '
        f"[1, 2]]\nactivations = {activations}\nx = 2\ny = 1\n[problems.vary]\n{vary}\n"
    )
    return one_problem(text + (f"[problems.vary.require]\n{require}\n" if require else ""))


WIDE = "weights = { range = [-2, 2], decimals = 1 }\nx = { range = [1, 3] }"
TANH = '["tanh", "tanh", "identity"]'


def test_max_abs_s_holds_and_is_not_vacuous():
    bound = 3
    required = set_of(WIDE, TANH, f"max_abs_s = {bound}")
    free = set_of(WIDE, TANH)
    for i in range(50):
        s1, s2, _ = s_values(draw_variant(required, 0, i).params)
        assert all(abs(v) <= bound for v in [*s1, *s2])
    broken = [
        i
        for i in range(50)
        if any(abs(v) > bound for s in s_values(draw_variant(free, 0, i).params)[:2] for v in s)
    ]
    assert broken  # without the condition some variants saturate


def test_relu_input_nonzero_holds_exactly_and_is_not_vacuous():
    vary = "weights = { range = [-2, 2] }\nx = { range = [-2, 2] }"
    relu = '["relu", "tanh", "identity"]'
    required = set_of(vary, relu, "relu_input_nonzero = true")
    free = set_of(vary, relu)
    for i in range(50):
        s1 = s_values(draw_variant(required, 0, i).params)[0]
        assert all(v != 0 for v in s1)  # exact fractions: 0 is 0
    assert any(0 in s_values(draw_variant(free, 0, i).params)[0] for i in range(50))


TORCH_THETA = torch_activations()


def torch_pass(params) -> dict[str, np.ndarray]:
    """The network in torch at its one point: x⁽⁰⁾ = [1; x], s = Wᵀx, e = Σ (x⁽ᴸ⁾ − y)², every
    δ⁽ˡ⁾ = ∂e/∂s⁽ˡ⁾ and ∂e/∂W⁽ˡ⁾ by autograd."""
    ws = [
        torch.tensor(np.array(w.tolist(), dtype=float), requires_grad=True) for w in params.weights
    ]
    one = torch.ones(1, dtype=torch.float64)
    h = torch.cat([one, torch.tensor([float(v) for v in params.x[0]], dtype=torch.float64)])
    got, ss = {"x0": h}, []
    for layer, (w, name) in enumerate(zip(ws, params.activations, strict=True), start=1):
        s = w.T @ h
        s.retain_grad()
        ss.append(s)
        out = TORCH_THETA[name](s)
        h = out if layer == len(ws) else torch.cat([one, out])
        got |= {f"s{layer}": s, f"x{layer}": h}
    e = ((h - torch.tensor([float(v) for v in params.y[0]], dtype=torch.float64)) ** 2).sum()
    e.backward()
    got |= {f"delta{k}": s.grad for k, s in enumerate(ss, start=1)}
    got |= {f"grad_W{k}": w.grad for k, w in enumerate(ws, start=1)}
    return {k: v.detach().numpy() for k, v in got.items()} | {"e": np.array(e.item())}


def test_answers_nonzero_holds_and_is_not_vacuous():
    vary = "weights = { range = [-1, 1], decimals = 1 }\nx = { range = [1, 3] }"
    relu = '["relu", "relu", "identity"]'  # dead relu units zero whole δs
    required = set_of(vary, relu, "answers_nonzero = true")
    free = set_of(vary, relu)
    for i in range(50):
        ref = torch_pass(draw_variant(required, 0, i).params)
        assert all(np.any(ref[f"delta{k}"] != 0) for k in (1, 2, 3))
    assert any(
        not np.any(torch_pass(draw_variant(free, 0, i).params)[f"delta{k}"])
        for i in range(50)
        for k in (1, 2)
    )


def test_fifty_hw2_variants_of_q2_match_torch_autograd():
    q2 = load_problem_set(EXAMPLE).problems[1]
    seen = set()
    for i in range(50):
        params = draw_variant(q2, 2026, i).params
        seen.add(str(params))
        s1, s2, _ = s_values(params)
        assert all(abs(v) <= 3 for v in [*s1, *s2])  # the example's max_abs_s
        got = answers_json(solve(params, "q2"))
        for name, expected in torch_pass(params).items():
            value = np.array(got[name], dtype=float).reshape(expected.shape)
            np.testing.assert_allclose(value, expected, rtol=1e-12, atol=1e-13, err_msg=name)
        assert all(np.any(np.array(got[f"delta{k}"]) != 0) for k in (1, 2, 3))
    assert len(seen) == 50


def test_the_example_set_loads_and_every_problem_varies():
    problem_set = load_problem_set(EXAMPLE)
    assert [p.id for p in problem_set.problems] == ["q1", "q2", "q3", "q4", "q5"]
    for p in problem_set.problems:
        assert p.vary is not None
        values = {str(draw_variant(p, 0, i).params) for i in range(30)}
        assert len(values) > 1, p.id


def test_a_bad_key_is_refused_from_python_too():
    with pytest.raises(InputError, match="the seed must be a whole number"):
        draw_variant(load_problem_set(EXAMPLE).problems[1], -1, 0)
    with pytest.raises(InputError, match="a variant id has 1 to 128 characters"):
        draw_variant(load_problem_set(EXAMPLE).problems[1], 0, "")


#: θ written here from its definition, for q1's θ′ by central differences.
THETA = {"tanh": np.tanh, "sigmoid": lambda s: 1 / (1 + np.exp(-s))}


def test_variants_of_the_other_questions_match_counts_and_definitions():
    problems = load_problem_set(EXAMPLE).problems
    for i in range(4):
        q1, q3, q4, q5 = (draw_variant(problems[k], 11, i) for k in (0, 2, 3, 4))
        got = {
            q.id: KINDS[q.kind].solve(q.params, q.id) for q in (q1, q3, q4, q5)
        }  # each variant solves
        d = got["q1"].answer("activation_derivative").value
        (s,) = d.free_symbols
        theta = THETA[q1.params.activation]
        for at in (-1.3, 0.2, 2.0):
            fd = (theta(at + 1e-6) - theta(at - 1e-6)) / 2e-6
            assert abs(float(d.subs(s, at).evalf()) - fd) < 1e-8
        basic, bottleneck = q3.params.blocks
        c, (b, m) = basic.c_in, (bottleneck.c_in, bottleneck.mid)
        q3_answers = answers_json(got["q3"])
        assert q3_answers["basic_params_bias"] == 2 * (9 * c * c + c)  # two 3×3 convs, biases
        assert q3_answers["bottleneck_params_bias"] == (b * m + m) + (9 * m * m + m) + (m * b + b)
        layout = q4.params.cases[1].layout
        assert answers_json(got["q4"])["conv_mean_shape"] == [
            "C" if axis == "C" else 1 for axis in layout
        ]
        p5 = q5.params
        a = got["q5"].answer("A").value
        assert a.shape == (
            p5.out_channels * (p5.length - p5.kernel + 1),
            p5.in_channels * p5.length,
        )


def test_the_readme_example_loads_and_its_python_example_runs():
    readme = (REPO / "README.md").read_text("utf-8")
    section = readme[readme.index("### Varying a problem") : readme.index("## Security model")]
    toml = section.split("```toml\n")[1].split("```")[0]
    q2 = one_problem(toml.removeprefix("[[problems]]\n"))
    assert {draw_variant(q2, 0, i).params.y for i in range(20)} == {((1,),), ((-1,),)}
    code = section.split("```python\n")[1].split("```")[0]
    scope: dict = {}
    exec(compile(code, "README.md", "exec"), scope)  # the README's own example, not user input
    assert scope["variant"].params != scope["q2"].params


@settings(max_examples=200, deadline=None)
@given(
    st.integers(-(10**6), 10**6),
    st.integers(0, 40),
    st.integers(0, 6),
    st.lists(st.integers(-(10**6), 10**6 + 40), max_size=5),
)
def test_a_range_draws_every_allowed_number_and_nothing_else(low, width, decimals, exclude):
    scale = Decimal(1).scaleb(-decimals)
    ends = [Decimal(low) * scale, Decimal(low + width) * scale]
    table = {"range": ends, "decimals": decimals, "exclude": [Decimal(u) * scale for u in exclude]}
    allowed = {Decimal(u) * scale for u in range(low, low + width + 1)} - set(table["exclude"])
    assume(allowed)
    pattern = parse_pattern(table, Where("p", "vary.x"))
    stream = Stream(("test", low, width, decimals))
    seen = [apply(pattern, None, lambda d: d.value(stream.below(d.size))) for _ in range(400)]
    for v in seen:
        assert (type(v) is int) if decimals == 0 else v.as_tuple().exponent == -decimals
    assert set(map(Decimal, seen)) <= allowed
    if len(allowed) <= 10:  # 400 draws from at most 10 numbers miss one with p < 1e-17
        assert set(map(Decimal, seen)) == allowed


DRAWS = [
    {"range": [-1, 1]},
    {"range": [1, 3]},
    {"range": [Decimal("0.5"), 2], "decimals": 1, "exclude": [1]},
    {"choices": [1, -1]},
    {"choices": ["tanh", "relu"]},
    {"choices": [["tanh", "relu", "identity"], ["sigmoid", "tanh", "identity"]]},
]
JUNK = st.recursive(
    st.one_of(
        st.integers(-3, 7),
        st.sampled_from([10**16, -(2**63), 0]),
        st.decimals(allow_nan=False, places=2, min_value=-100, max_value=100),
        st.sampled_from(["", "tanh", "1/3", "relu", "__import__('os')"]),
        st.booleans(),
        st.sampled_from(DRAWS),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(
            st.sampled_from(["range", "choices", "decimals", "exclude", "x", "kind"]),
            inner,
            max_size=3,
        ),
    ),
    max_leaves=10,
)
VARY_KEYS = ["weights", "x", "y", "activations", "rounding", "decimals", "z", "require"]
REQUIRE = st.dictionaries(
    st.sampled_from(["max_abs_s", "relu_input_nonzero", "answers_nonzero", "w"]),
    st.one_of(st.booleans(), st.integers(-1, 4), st.just("3")),
    max_size=2,
)


@settings(max_examples=150, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(VARY_KEYS), st.one_of(st.sampled_from(DRAWS), JUNK), max_size=3
    ),
    st.one_of(st.none(), REQUIRE),
    st.integers(0, 3),
)
def test_any_vary_table_loads_and_draws_or_is_one_clear_error(vary, require, variant):
    if require is not None:
        vary = {**vary, "require": require}
    table = {**parse_toml(Q2, "q.toml", "problem set"), "vary": vary}
    try:
        q = parse_problem_set({"problems": [table]}, "s").problems[0]
        draw_variant(q, 0, variant)
    except InputError as e:
        assert e.problem == "p" and e.field is not None and e.field.startswith("vary"), e
        assert "\n" not in str(e)


CONV_NUMBERS = """id = "p"
kind = "conv-matrix"
in_channels = 1
out_channels = 1
length = 3
kernel = 2
weights = [[[1, 1]]]
x = [[1, 2, 3]]
grad_y = [[1, 1]]
[problems.vary]
weights = { range = [-1, 1] }
x = { range = [-1, 1] }
grad_y = { range = [-1, 1] }
"""


def conv_results(params) -> tuple[torch.Tensor, torch.Tensor]:
    """Y = conv1d(x, w) and ∂L/∂x = x.grad for L = Σ ∂L/∂Y ⊙ Y, by torch autograd."""
    as_tensor = lambda v: torch.tensor(np.array(v, dtype=float))  # noqa: E731
    x = as_tensor(params.x)[None].requires_grad_(True)
    y = torch.nn.functional.conv1d(x, as_tensor(params.weights))
    (y * as_tensor(params.grad_y)[None]).sum().backward()
    return y.detach(), x.grad


def test_answers_nonzero_for_numbers_in_a_convolution_holds_and_is_not_vacuous():
    required = one_problem(CONV_NUMBERS + "[problems.vary.require]\nanswers_nonzero = true")
    free = one_problem(CONV_NUMBERS)
    for i in range(50):
        y, grad_x = conv_results(draw_variant(required, 0, i).params)
        assert torch.any(y != 0) and torch.any(grad_x != 0)
    assert any(
        not all(torch.any(t != 0) for t in conv_results(draw_variant(free, 0, i).params))
        for i in range(50)
    )
