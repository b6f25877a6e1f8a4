"""Question 2 (mlp-backprop): every s, x, δ and ∂e/∂W against torch autograd and the seed.

The oracles are independent of symhw: torch autograd in float64 on the network written here
from the seed's notation, central finite differences of the lambdified loss, and the numbers
printed on the seed sheet (where they are consistent).
"""

from __future__ import annotations

import json
import textwrap
from itertools import pairwise

import numpy as np
import pytest
import sympy as sp
import torch
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from conftest import REPO, answers_error, torch_activations
from symhw.cli import main
from symhw.errors import InputError
from symhw.mlp import Network, Rounded, backprop, composed_loss, symbolic_weights
from symhw.mlp.numeric import batch_gradient, gradient_program, lambdify_program
from symhw.params import build_params
from symhw.problems.mlp_backprop import Params, solve
from symhw.problems.mlp_backprop.worked import work
from symhw.render.json import answer_json, answers_json

SEED = {
    "weights": [[[0.1, 0.2], [0.3, 0.4]], [0.2, 1, -3], [1, 2]],
    "activations": ["tanh", "tanh", "identity"],
    "x": 2,
    "y": 1,
    "rounding": 2,
}
ACTIVATIONS = ["tanh", "sigmoid", "identity", "relu", "softplus"]
TORCH_THETA = torch_activations()

#: θ in NumPy, written here from the definitions, for the lambdified loss.
NUMPY_THETA = {
    "sigmoid": lambda s: 1.0 / (1.0 + np.exp(-s)),
    "softplus": lambda s: np.logaddexp(0.0, s),
    "relu": lambda s: np.maximum(s, 0.0),
}


#: SymPy definitions written here, to evaluate symhw's symbolic answers at numbers.
DEFINITIONS = {
    "sigmoid": lambda a: 1 / (1 + sp.exp(-a)),
    "softplus": lambda a: sp.log(1 + sp.exp(a)),
    "relu": lambda a: sp.Max(0, a),
}


def by_definition(expr):
    return expr.replace(
        lambda e: type(e).__name__ in DEFINITIONS, lambda e: DEFINITIONS[type(e).__name__](*e.args)
    )


def torch_pass(weights, activations, x, y):
    """The seed's network in torch: x⁽⁰⁾ = [1; x], s = Wᵀx, δ⁽ˡ⁾ = ∂e/∂s⁽ˡ⁾ by autograd."""
    ws = [torch.tensor(np.asarray(w, dtype=float), requires_grad=True) for w in weights]
    one = torch.ones(1, dtype=torch.float64)
    h = torch.cat([one, torch.tensor(np.asarray(x, dtype=float))])
    xs, ss = [h], []
    for layer, (w, name) in enumerate(zip(ws, activations, strict=True)):
        s = w.T @ h
        s.retain_grad()
        ss.append(s)
        out = TORCH_THETA[name](s)
        h = out if layer == len(ws) - 1 else torch.cat([one, out])
        xs.append(h)
    e = ((h - torch.tensor(np.asarray(y, dtype=float))) ** 2).sum()
    e.backward()
    as_np = lambda t: t.detach().numpy()  # noqa: E731
    return {
        **{f"x{k}": as_np(v) for k, v in enumerate(xs)},
        **{f"s{k}": as_np(v) for k, v in enumerate(ss, start=1)},
        **{f"delta{k}": as_np(v.grad) for k, v in enumerate(ss, start=1)},
        **{f"grad_W{k}": as_np(w.grad) for k, w in enumerate(ws, start=1)},
        "e": e.item(),
    }


def params(**table) -> Params:
    return build_params(Params, table, "q2")


@pytest.fixture(scope="module")
def seed_solution():
    return solve(params(**SEED))


def test_seed_network_matches_torch(seed_solution):
    ref = torch_pass(
        [np.array(w if isinstance(w[0], list) else [[v] for v in w]) for w in SEED["weights"]],
        SEED["activations"],
        [2.0],
        [1.0],
    )
    for name, expected in ref.items():
        got = np.array(answers_json(seed_solution)[name], dtype=float)
        np.testing.assert_allclose(got.reshape(np.shape(expected)), expected, atol=1e-13)


def test_seed_exact_values(seed_solution):
    """Exact values: δ⁽²⁾ = −1.3503 (the issue's number) and x⁽¹⁾ = [1; tanh(7/10); tanh(1)]."""
    assert round(answers_json(seed_solution)["delta2"][0], 4) == -1.3503
    x1 = seed_solution.answer("x1").value.as_explicit()
    assert x1 == sp.Matrix([1, sp.tanh(sp.Rational(7, 10)), sp.tanh(1)])
    e = seed_solution.answer("e").value.as_explicit()[0]
    inner = sp.Rational(1, 5) + sp.tanh(sp.Rational(7, 10)) - 3 * sp.tanh(1)
    assert sp.simplify(e - (1 + 2 * sp.tanh(inner) - 1) ** 2) == 0


#: Numbers printed on the seed sheet: (answer, flat index, value, decimals printed).
#: Left out: δ⁽¹⁾₂ = 1.736 and ∂e/∂W⁽¹⁾[0][1] = 1.736, which disagree with the sheet's own
#: 3.467 = 2 × 1.7335 (the value the rounded forward pass gives).
SEED_PRINTED = [
    ("s1", 0, 0.7, 1),
    ("x1", 1, 0.60, 2),
    ("x1", 2, 0.76, 2),
    ("s2", 0, -1.48, 2),
    ("x2", 1, -0.90, 2),
    ("s3", 0, -0.80, 2),
    ("x3", 0, -0.80, 2),
    ("delta3", 0, -3.6, 1),
    ("delta2", 0, -1.368, 3),
    ("delta1", 0, -0.875, 3),
    ("grad_W1", 0, -0.875, 3),
    ("grad_W1", 2, -1.75, 2),
    ("grad_W1", 3, 3.467, 3),
    ("grad_W2", 0, -1.368, 3),
    ("grad_W2", 1, -0.821, 3),
    ("grad_W2", 2, -1.04, 2),
    ("grad_W3", 0, -3.6, 1),
    ("grad_W3", 1, 3.24, 2),
]


@pytest.mark.parametrize(("name", "index", "printed", "decimals"), SEED_PRINTED)
def test_replay_reproduces_the_seed_sheet(seed_solution, name, index, printed, decimals):
    hand = np.ravel(answers_json(seed_solution)["rounded"][name])
    assert abs(hand[index] - printed) <= 10.0**-decimals  # within one unit of the last digit


def test_hand_answer_is_shown_rounded_with_approx(seed_solution):
    """The hand products are exact in 7 decimals (2 x 0.8668 x 1.3680 x 0.4224 ...); the sheet
    shows them to its 4 decimals with ≈, the JSON keeps them whole."""
    from symhw.render.latex import answer_math

    answer = seed_solution.answer("rounded")
    tex = answer_math(answer)
    assert answer.approximate and r"\approx" in tex
    assert "1.7335" in tex and "3.4671" in tex and "1.7335296" not in tex
    assert answer_json(answer)["grad_W1"][0][1] == pytest.approx(1.7335296, abs=1e-12)


def test_replay_exact_on_the_issue_numbers():
    net = Network(
        (exact([[0.1, 0.2], [0.3, 0.4]]), exact([0.2, 1, -3]), exact([1, 2])),
        ("tanh", "tanh", "identity"),
    )
    hand = backprop(net, sp.ImmutableMatrix([2]), sp.ImmutableMatrix([1]), Rounded(2))
    assert hand.delta[2][0] == sp.Rational(-36, 10)
    assert hand.delta[1][0] == sp.Rational(-1368, 1000)


def test_seed_sheet_fully_verified(seed_solution):
    counts = seed_solution.summary()
    assert counts["unverified"] == 0 and counts["symbolic"] + counts["numeric"] > 20
    assert all(c.passed for c in seed_solution.numeric_checks)


def test_json_shapes(seed_solution):
    answers = {a.name: answer_json(a) for a in seed_solution.answers}
    assert np.shape(answers["grad_W1"]) == (2, 2)
    assert np.shape(answers["grad_W2"]) == (3, 1)
    assert np.shape(answers["x1"]) == (3,)
    assert isinstance(answers["e"], float)
    assert set(answers["rounded"]) == set(answers) - {"rounded"}
    json.dumps(answers)


def _random_network(draw, depth, widths, acts):
    ws = []
    for d_in, d_out in pairwise(widths):
        size = (d_in + 1) * d_out
        vals = draw(st.lists(st.integers(-9, 9), min_size=size, max_size=size))
        ws.append(np.array(vals, dtype=float).reshape(d_in + 1, d_out) / 10)
    return ws


@st.composite
def networks(draw, max_depth=5, max_width=6):
    depth = draw(st.integers(1, max_depth))
    widths = [draw(st.integers(1, max_width)) for _ in range(depth + 1)]
    acts = [draw(st.sampled_from(ACTIVATIONS)) for _ in range(depth)]
    ws = _random_network(draw, depth, widths, acts)
    x = np.array(draw(st.lists(st.integers(-9, 9), min_size=widths[0], max_size=widths[0]))) / 4
    y = np.array(draw(st.lists(st.integers(-9, 9), min_size=widths[-1], max_size=widths[-1]))) / 4
    return ws, acts, x, y


def exact(a) -> sp.ImmutableMatrix:
    """The decimals drawn above as exact rationals (0.3 -> 3/10); a 1-D array is a column."""
    a = np.asarray(a, dtype=float)
    rows = a.reshape(len(a), -1) if a.ndim else a.reshape(1, 1)
    return sp.ImmutableMatrix([[sp.Rational(repr(float(v))) for v in row] for row in rows])


def _exact_net(ws, acts) -> Network:
    return Network(tuple(exact(w) for w in ws), tuple(acts))


@settings(max_examples=20, deadline=None)
@given(networks())
def test_random_networks_match_torch(case):
    ws, acts, x, y = case
    net = _exact_net(ws, acts)
    point = (exact(x), exact(y))
    w = work(net, [point], symbolic=False)
    ref = torch_pass(ws, acts, x, y)
    # ReLU has no derivative at 0: where an exact pre-activation is 0, float rounding in the
    # oracle may land on either side of the kink, so such draws say nothing about either.
    for k, act in enumerate(acts):
        assume(act != "relu" or bool(np.all(np.abs(ref[f"s{k + 1}"]) > 1e-9)))
    trace = w.traces[0]
    for k in range(len(ws)):
        for name, ours in (("s", trace.s[k]), ("delta", trace.delta[k]), ("grad_W", w.grads[k])):
            expected = ref[f"{name}{k + 1}"]
            got = np.array([float(w.approx(v)) for v in ours]).reshape(np.shape(expected))
            np.testing.assert_allclose(got, expected, atol=1e-10, rtol=1e-10)
        got_x = np.array([float(w.approx(v)) for v in trace.x[k + 1]])
        np.testing.assert_allclose(got_x, ref[f"x{k + 1}"], atol=1e-10, rtol=1e-10)
    assert float(w.approx(w.e)) == pytest.approx(ref["e"], rel=1e-10, abs=1e-12)
    e, grads = batch_gradient(net)(x[None, :], y[None, :])
    assert e == pytest.approx(ref["e"], rel=1e-10, abs=1e-12)
    for k, g in enumerate(grads, start=1):
        np.testing.assert_allclose(g, ref[f"grad_W{k}"], atol=1e-10, rtol=1e-10)


@settings(max_examples=10, deadline=None)
@given(networks(max_depth=3, max_width=3))
def test_symbolic_program_matches_finite_differences(case):
    """The reverse-mode program, lambdified, against central differences of the lambdified loss."""
    ws, acts, x, y = case
    widths = (ws[0].shape[0] - 1, *(w.shape[1] for w in ws))
    net = Network(symbolic_weights(widths), tuple(acts))
    X, Y = exact(x), exact(y)
    args = [v for m in net.weights for v in m]
    program = lambdify_program(gradient_program(net, X, Y), args)
    loss = sp.lambdify(args, composed_loss(net, X, Y), modules=[NUMPY_THETA, "numpy"])
    flat = np.concatenate([w.ravel() for w in ws])
    out = program(*flat)
    h = 1e-6
    fd = [(loss(*(flat + h * e)) - loss(*(flat - h * e))) / (2 * h) for e in np.eye(flat.size)]
    s_all = torch_pass(ws, acts, x, y)
    if "relu" in acts and any(np.min(np.abs(s_all[f"s{k}"])) < 1e-4 for k in range(1, len(ws) + 1)):
        return  # a kink of relu within the step: central differences do not apply
    np.testing.assert_allclose(out[1:], fd, atol=1e-6)


def test_several_points_average_like_torch():
    table = {**SEED, "x": [[2], [-1], [0.5]], "y": [[1], [0], [-0.5]]}
    sol = solve(params(**table))
    ws = [np.array([[0.1, 0.2], [0.3, 0.4]]), np.array([[0.2], [1], [-3]]), np.array([[1], [2]])]
    pairs = ((2, 1), (-1, 0), (0.5, -0.5))
    refs = [torch_pass(ws, SEED["activations"], [x], [y]) for x, y in pairs]
    for k in (1, 2, 3):
        mean = np.mean([r[f"grad_W{k}"] for r in refs], axis=0)
        np.testing.assert_allclose(answer_json(sol.answer(f"grad_W{k}")), mean, atol=1e-13)
    assert answers_json(sol)["e"] == pytest.approx(np.mean([r["e"] for r in refs]), abs=1e-13)
    deltas = [r["delta2"] for r in refs]
    np.testing.assert_allclose(answers_json(sol)["delta2"], deltas, atol=1e-13)


@pytest.mark.parametrize(
    ("activations", "widths"),
    [
        (["sigmoid", "softplus"], (2, 3, 2)),
        (["relu", "identity"], (2, 2, 1)),
        (["softplus"], (3, 2)),
    ],
)
def test_solve_other_activations_and_symbolic_mode(activations, widths):
    rng = np.random.default_rng(len(widths))
    ws = [np.round(rng.uniform(-1, 1, (a + 1, b)), 1) for a, b in pairwise(widths)]
    x, y = np.round(rng.uniform(-1, 1, widths[0]), 1), np.round(rng.uniform(-1, 1, widths[-1]), 1)
    table = {"weights": [w.tolist() for w in ws], "x": x.tolist(), "y": y.tolist()}
    ref = torch_pass(ws, activations, x, y)
    numeric = solve(params(**table, activations=activations, rounding=3))
    assert numeric.summary()["unverified"] == 0
    for k in range(1, len(ws) + 1):
        got = answer_json(numeric.answer(f"grad_W{k}"))
        np.testing.assert_allclose(got, ref[f"grad_W{k}"], atol=1e-12)
    symbolic = solve(params(**table, activations=activations, symbolic=True))
    assert symbolic.summary()["unverified"] == 0
    at = dict(zip(input_symbols("x", len(x)), x, strict=True))
    at.update(zip(input_symbols("y", len(y)), y, strict=True))
    for m, w in zip(symbolic_weights(widths), ws, strict=True):
        at.update(zip(m, w.ravel(), strict=True))
    for k in range(1, len(ws) + 1):  # the exact symbolic gradient, at the given numbers
        g = symbolic.answer(f"grad_W{k}").value.as_explicit()
        got = np.array(by_definition(g.subs(at)).evalf(), dtype=float)
        np.testing.assert_allclose(got, ref[f"grad_W{k}"], atol=1e-12)


def input_symbols(letter: str, n: int) -> list[sp.Symbol]:
    """x (one input) or x_1, …, x_n: the names the symbolic mode gives inputs and targets."""
    return (
        [sp.Symbol(letter, real=True)]
        if n == 1
        else list(sp.symbols(f"{letter}_1:{n + 1}", real=True))
    )


BAD = [
    ({"weights": [[[0.1, 0.2]], [1, 2]]}, ["layer 1", "(1, 2)", "2 rows"]),
    ({"weights": [[[0.1, 0.2], [0.3, 0.4]], [[1], [2]]]}, ["layer 2", "(2, 1)", "3 rows (bias"]),
    ({"weights": []}, ["empty"]),
    ({"weights": [[[0.1, "a"], [0.3, 0.4]]]}, ["layer 1", "'a'", "not a number"]),
    ({"activations": ["tanh", "swish", "identity"]}, ["layer 2", "swish", "tanh"]),
    ({"activations": ["tanh", "identity"]}, ["2 activations for 3 layers"]),
    ({"y": [1, 2]}, ["y has 2 entries", "1 units"]),
]


@pytest.mark.parametrize(("change", "words"), BAD)
def test_bad_input_names_the_layer_and_shapes(change, words):
    with pytest.raises(InputError) as err:
        solve(params(**{**SEED, **change}))
    for word in words:
        assert word in str(err.value)


def test_cli_exit_status_2_on_bad_shape(tmp_path, capsys):
    err = answers_error(
        tmp_path,
        capsys,
        'id = "q2"\nkind = "mlp-backprop"\nweights = [[[0.1, 0.2], [0.3, 0.4]], [[1], [2]]]\n'
        "x = 2\ny = 1",
    )
    assert "layer 2: W has shape (2, 1)" in err


def test_boxed_answers_show_decimals(seed_solution):
    """δ⁽²⁾ = […] ≈ [−1.3503]: each boxed answer ends with torch's value to 4 decimals."""
    from symhw.render.expr import latex

    ref = torch_pass(
        [np.array([[0.1, 0.2], [0.3, 0.4]]), np.array([[0.2], [1], [-3]]), np.array([[1], [2]])],
        SEED["activations"],
        [2.0],
        [1.0],
    )
    for name in ("x1", "s2", "delta1", "delta2", "delta3", "grad_W1", "grad_W2", "e"):
        _, approx = latex(seed_solution.answer(name).value).split(r" \approx ")
        for v in np.ravel(ref[name]):
            if v != 1.0:  # the bias entry 1 is written exactly
                assert f"{v:.4f}" in approx, (name, v, approx)
    for name in ("x0", "s1"):  # exact decimals already: nothing to approximate
        assert r"\approx" not in latex(seed_solution.answer(name).value)


def test_symbolic_answers_json_as_lists_of_text(tmp_path, capsys):
    """Symbolic mode: the numeric shapes (vectors as lists, ∂e/∂W in W's shape), text entries."""
    spec = tmp_path / "symbolic.toml"
    spec.write_text(
        textwrap.dedent(
            """
            [[problems]]
            id = "q2"
            kind = "mlp-backprop"
            weights = [[[0.1, 0.2, 0.5], [0.3, 0.4, -1]], [[0.2], [1], [-3], [2]]]
            x = 2
            y = 1
            symbolic = true
            """
        )
    )
    assert main(["answers", str(spec), "--json"]) == 0
    got = json.loads(capsys.readouterr().out)["q2"]
    shapes = {"x0": (2,), "x1": (4,), "x2": (1,), "s1": (3,), "s2": (1,), "delta1": (3,)}
    shapes |= {"delta2": (1,), "grad_W1": (2, 3), "grad_W2": (4, 1)}
    for name, shape in shapes.items():
        assert np.shape(got[name]) == shape, name
        entries = list(np.ravel(np.array(got[name], dtype=object)))
        assert all(isinstance(v, str) for v in entries if v != 1), (name, entries)
    assert got["x0"] == [1, "x"] and got["x1"][0] == 1
    for j in (1, 2, 3):  # s⁽¹⁾ⱼ = w⁽¹⁾₀ⱼ + w⁽¹⁾₁ⱼ x
        assert f"w^(1)_0{j}" in got["s1"][j - 1] and f"w^(1)_1{j}" in got["s1"][j - 1]
        assert f"w^(2)_{j}1" in got["delta1"][j - 1]  # δ⁽¹⁾ⱼ = w⁽²⁾ⱼ₁ δ⁽²⁾ θ'(s⁽¹⁾ⱼ)
        assert "x" in got["grad_W1"][1][j - 1]  # row 1 of ∂e/∂W⁽¹⁾ is x δ⁽¹⁾ᵀ
    assert "w^(2)_01" in got["s2"][0] and "y" in got["delta2"][0]
    assert isinstance(got["e"], str)
    assert "w^(1)_01" in got["definitions"]["s^(1)_1"]


def test_huge_weights_are_checked_relative_to_their_size():
    """A bias of 1e15 (the largest number taken) in a one-layer identity network: e ≈ 1e30,
    so the cross-checks must scale with the numbers; the gradient is torch's."""
    sol = solve(params(weights=[[[1e15], [1]]], x=2, y=1))
    w = torch.tensor([[1e15], [1.0]], dtype=torch.float64, requires_grad=True)
    s = torch.tensor([1.0, 2.0], dtype=torch.float64) @ w  # [bias input 1, x = 2]
    ((s - 1) ** 2).sum().backward()
    expected = w.grad.numpy().ravel()
    assert np.ravel(answers_json(sol)["grad_W1"]) == pytest.approx(expected, rel=1e-12)


def test_a_deep_hand_replay_keeps_its_lines_within_reach():
    """mlp-8x8-symbolic-rounded's hand replay: its answers' label names the first and last
    gradient around an ellipsis (nine names ran 300 pt past the margin in every row), and
    no product substitutes the 100-digit δ̃ its backward pass multiplies out (the line
    goes from the formula to the result); an 8×8 network's Part I is its boxed answers."""
    from symhw.derivation import Boxed, Derivation
    from symhw.notation import Dots
    from symhw.problems.mlp_backprop.passes import SUBSTITUTED_DIGITS
    from symhw.sheet import solve
    from symhw.spec import load_problem_set

    limits = REPO / "benchmarks" / "limits"
    (problem,) = load_problem_set(limits / "mlp-8x8-symbolic-rounded.toml").problems
    sol = solve(problem)
    label = sol.answer("rounded").label
    assert len(label) == 4 and isinstance(label[1], Dots)
    titles = ("By hand: backward pass", "By hand: gradients")
    by_hand = [p for p in sol.parts if isinstance(p, Derivation) and p.title in titles]
    assert len(by_hand) == 2
    for d in by_hand:
        for step in d.steps:
            for member in step.chain[2:-1]:  # what is substituted between formula and result
                shown = member.display  # what the sheet writes (not the value it stands for)
                numbers = [a for a in sp.preorder_traversal(shown) if isinstance(a, sp.Rational)]
                assert all(
                    len(str(abs(v.p))) + len(str(v.q)) <= SUBSTITUTED_DIGITS for v in numbers
                )
    (wide,) = load_problem_set(limits / "mlp-8x8-sigmoid.toml").problems
    key = solve(wide).key_parts()
    assert all(isinstance(p, Boxed) and p.derivation is None for p in key)
