"""mlp-backprop near its limits: networks that once hung finish, every step's status is
honest, and a wrong δ is still caught where the check samples instead of simplifying.

The oracle for δ is torch autograd at a random pre-activation: ∂e/∂s⁽ˡ⁾ computed from the
network written here, independently of symhw's recursion and of its verifier.
"""

from __future__ import annotations

import itertools
import json
import textwrap

import numpy as np
import pytest
import sympy as sp
import torch

from conftest import run_cli, torch_activations
from symhw.errors import VerificationError
from symhw.mlp import Network, delta_two_ways, quantity_symbol
from symhw.problems.mlp_backprop.delta_check import delta_check_derivation
from symhw.program import Program
from symhw.verify import check_equal

#: The smallest network found that ran past 60 s (the δ check's cancel, issue 9).
SIGMOID_3 = """
[[problems]]
id = "s"
kind = "mlp-backprop"
weights = [
  [[0.1, 0.5], [0.2, 1]],
  [[0.7, 0.6], [0.1, 0.8], [1, 0.4]],
  [[1, 0.5], [0.2, 0.7], [0.1, 0.7]],
]
activations = ["sigmoid", "sigmoid", "sigmoid"]
x = 1
y = [-1, -1]
"""


def tanh_net(depth: int, width: int, seed: int = 0) -> Network:
    rng = np.random.default_rng(seed)
    weights = tuple(
        sp.ImmutableMatrix(width + 1, width, [sp.Rational(int(v), 10) for v in row])
        for row in rng.integers(-9, 10, (depth, (width + 1) * width))
    )
    return Network(weights, ("tanh",) * depth)


def sheet_steps(tmp_path, spec: str) -> list[dict]:
    """Run `symhw sheet` as a user would (killed after 120 s); the JSON steps."""
    path = tmp_path / "net.toml"
    path.write_text(textwrap.dedent(spec), "utf-8")
    done = run_cli("sheet", str(path), "-o", str(tmp_path), "--format", "json", timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads((tmp_path / "net.json").read_text("utf-8"))["problems"][0]["steps"]


def test_the_sigmoid_reproducer_finishes_fully_verified(tmp_path):
    steps = sheet_steps(tmp_path, SIGMOID_3)
    delta = [s for s in steps if s["derivation"] == "Each δ is the derivative of e"]
    assert len(delta) >= 3
    assert all(s["status"] in ("symbolic", "numeric") for s in steps)


def test_a_5x5_tanh_network_finishes_with_honest_statuses(tmp_path):
    rng = np.random.default_rng(5)
    weights = [rng.integers(-9, 10, (6, 5)).tolist() for _ in range(5)]
    spec = f"""
        [[problems]]
        id = "t"
        kind = "mlp-backprop"
        weights = {[[[v / 10 for v in row] for row in w] for w in weights]}
        activations = ["tanh", "sigmoid", "softplus", "relu", "tanh"]
        x = [0.5, -1, 0.25, 2, 1]
        y = [1, 0, -1, 0.5, 0]
        rounding = 3
        """
    steps = sheet_steps(tmp_path, spec)
    statuses = {s["status"] for s in steps}
    assert statuses <= {"symbolic", "numeric", "budget"}
    for s in steps:  # what was sampled or skipped says how, and within which budget
        if s["status"] == "numeric":
            assert "random points" in s["method"]
        if s["status"] == "budget":
            assert "over the budget" in s["method"]


def torch_delta(net: Network, layer: int, sigma: np.ndarray, y: np.ndarray) -> np.ndarray:
    """∂e/∂s⁽ˡ⁾ by autograd, with s⁽ˡ⁾ = ``sigma`` fed through layers l…L."""
    theta = torch_activations()
    s = torch.tensor(sigma, dtype=torch.float64, requires_grad=True)
    h = s
    for k in range(layer, net.depth + 1):
        out = theta[net.activations[k - 1]](h)
        if k == net.depth:
            h = out
            break
        w = torch.tensor(np.array(net.weights[k].tolist(), dtype=float))
        h = w.T @ torch.cat([torch.ones(1, dtype=torch.float64), out])
    ((h - torch.tensor(y)) ** 2).sum().backward()
    return s.grad.numpy()


def test_lazy_delta_check_agrees_with_autograd_and_is_sampled():
    """Layer 1 of a 6-layer tanh network: e's tree is far past the evaluation budget, so
    ∂e/∂s is left lazy; sampled, the check passes, and its values are torch's."""
    net = tanh_net(6, 4)
    sigma = sp.ImmutableMatrix([quantity_symbol("s", 1, j) for j in range(1, 5)])
    ys = sp.ImmutableMatrix(sp.symbols("y_1:5", real=True))
    recursion, direct, _ = delta_two_ways(net, 1, sigma, ys)
    check = check_equal(recursion, direct)
    assert check.status == "numeric"
    s_at, y_at = [0.3, -0.7, 1.1, 0.2], [1, 0, -1, 0.5]
    expected = torch_delta(net, 1, np.array(s_at), np.array(y_at))
    at = dict(zip([*sigma, *ys], [*s_at, *y_at], strict=True))
    point = {k: sp.Rational(str(v)) for k, v in at.items()}
    got = [float(v) for v in Program(list(direct)).values(point, 30)]
    np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_a_wrong_delta_is_caught_where_the_check_samples():
    """The recursion of a network with one weight changed by 0.1, against e of the true one."""
    net = tanh_net(6, 4)
    changed = list(net.weights)
    changed[3] = changed[3].subs(changed[3][2, 1], changed[3][2, 1] + sp.Rational(1, 10))
    wrong = Network(tuple(changed), net.activations)
    ys = sp.ImmutableMatrix(sp.symbols("y_1:5", real=True))

    def sigma(layer: int) -> sp.ImmutableMatrix:
        return sp.ImmutableMatrix([quantity_symbol("s", layer, j) for j in range(1, 5)])

    def pairs(layer: int):
        recursion = delta_two_ways(wrong, layer, sigma(layer), ys)[0]
        return (recursion, *delta_two_ways(net, layer, sigma(layer), ys)[1:])

    with pytest.raises(VerificationError, match="is false"):
        delta_check_derivation(net, "δ", sigma, pairs, intro=("",))


def network_spec(widths: list[int], points: int, rounding: int = 0) -> str:
    """A problem with weights k/10 of the given widths and ``points`` data points."""
    weights = [
        [[((i + j + k) % 19 - 9) / 10 for j in range(b)] for i in range(a + 1)]
        for k, (a, b) in enumerate(itertools.pairwise(widths))
    ]
    xs = [[((n + i) % 7 - 3) / 4 for i in range(widths[0])] for n in range(points)]
    ys = [[((n * i) % 5 - 2) / 4 for i in range(widths[-1])] for n in range(points)]
    acts = ["tanh", "sigmoid", "softplus", "relu"] * 2
    return f"""
        [[problems]]
        id = "n"
        kind = "mlp-backprop"
        weights = {weights}
        activations = {acts[: len(widths) - 1]}
        x = {xs}
        y = {ys}
        rounding = {rounding}
        """


def test_at_the_size_limit_a_sheet_is_written(tmp_path):
    """2 layers of 8 units on 8 inputs (144 weights) at 4 data points: 576 weights × points."""
    steps = sheet_steps(tmp_path, network_spec([8, 8, 8], 4, rounding=2))
    assert {s["status"] for s in steps} <= {"symbolic", "numeric"}


@pytest.mark.parametrize(
    ("widths", "points", "words"),
    [
        ([8, 8, 8, 1], 4, ["4 data points through 3 layers with 153 weights", "here 612"]),
        ([1, 1], 5, ["5 data points; at most 4", "20 s on a 2-CPU machine"]),
    ],
    ids=["612 weights x points", "5 points"],
)
def test_just_past_the_size_limits_exit_2_with_one_message(tmp_path, widths, points, words):
    path = tmp_path / "big.toml"
    path.write_text(textwrap.dedent(network_spec(widths, points)), "utf-8")
    done = run_cli("sheet", str(path), "-o", str(tmp_path), timeout=60)
    assert done.returncode == 2
    assert "problem 'n', field 'x'" in done.stderr
    for word in words:
        assert word in done.stderr
    assert not list(tmp_path.glob("big.*[!l]"))  # nothing written
