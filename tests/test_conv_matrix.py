"""Question 5 (conv-matrix): A, Aᵀ and the backward kernels against the seed and against torch.

The seed's matrices are transcribed by hand below (its typo w₅²² corrected to w₃²²); numeric
answers are compared with torch conv1d/conv2d and autograd; the symbolic A, with random
numbers put in for its weight names, is compared with the Jacobian of torch's convolution.
"""

from __future__ import annotations

import itertools
import json
import math
import re

import numpy as np
import pytest
import sympy as sp
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import run_cli
from symhw.conv import ConvIndexMap, conv_geometry
from symhw.conv.equations import readers
from symhw.errors import InputError, VerificationError
from symhw.notation import Dots
from symhw.problems.conv_matrix import (
    Params,
    backward_formula,
    forward,
    general_equation,
    layer_geometry,
    solve,
)
from symhw.problems.conv_matrix.backward import backward_pass
from symhw.problems.conv_matrix.figures import sparsity_pattern
from symhw.problems.conv_matrix.forward import element_equations
from symhw.problems.conv_matrix.general_equation import general_element
from symhw.problems.conv_matrix.layer import ShownLayer
from symhw.render.json import answers_json
from symhw.spec import load_problem_set, parse_problem_set

#: The seed's A (question 5), rows (j, t), columns (i, t'); its w_5^{22} is w_3^{22}.
SEED_A = [
    "w_1^11 w_2^11 w_3^11 0 w_1^21 w_2^21 w_3^21 0",
    "0 w_1^11 w_2^11 w_3^11 0 w_1^21 w_2^21 w_3^21",
    "w_1^12 w_2^12 w_3^12 0 w_1^22 w_2^22 w_3^22 0",
    "0 w_1^12 w_2^12 w_3^12 0 w_1^22 w_2^22 w_3^22",
]
#: The seed's B, the matrix of ∂L/∂x = B ∂L/∂Y, which it shows to be Aᵀ.
SEED_B = [
    "w_1^11 0 w_1^12 0",
    "w_2^11 w_1^11 w_2^12 w_1^12",
    "w_3^11 w_2^11 w_3^12 w_2^12",
    "0 w_3^11 0 w_3^12",
    "w_1^21 0 w_1^22 0",
    "w_2^21 w_1^21 w_2^22 w_1^22",
    "w_3^21 w_2^21 w_3^22 w_2^22",
    "0 w_3^21 0 w_3^22",
]
#: w_k^ij, or w_k,l^ij in 2-D and w_k^i,j past nine channels (JSON names are SymPy's).
WEIGHT_NAME = re.compile(r"w_([\d,]+)\^(\d+?),?(\d+)")

SETTINGS = settings(max_examples=10, deadline=None)


@pytest.fixture(scope="module")
def hw2_q5():
    spec = next(p for p in load_problem_set().problems if p.id == "q5")
    return solve(spec.params, spec.id, spec.title)


def test_hw2_matrix_is_the_seeds_with_its_typo_corrected(hw2_q5):
    assert answers_json(hw2_q5)["A"] == [row.split() for row in SEED_A]


def test_hw2_transpose_is_the_seeds_backward_matrix(hw2_q5):
    assert answers_json(hw2_q5)["A_T"] == [row.split() for row in SEED_B]


def test_hw2_backward_kernels_are_reversed(hw2_q5):
    # by input channel i, then output channel j: [w_3^{ij}, w_2^{ij}, w_1^{ij}]
    expected = [[[f"w_{k}^{i}{j}" for k in (3, 2, 1)] for j in (1, 2)] for i in (1, 2)]
    assert answers_json(hw2_q5)["backward_kernel"] == expected


def test_hw2_every_step_is_verified(hw2_q5):
    counts = hw2_q5.summary()
    assert counts["unverified"] == 0
    # Y_11 ... Y_22 against the general formula, ∂L/∂x_11 ... ∂L/∂x_24 against the chain rule
    # over every output, then Y = A x, Aᵀ, the convolution
    assert counts["symbolic"] >= 40
    # only names are defined: Y_jt, A, ∂L/∂x_it (the chain rule), Z and the four v^{ij}
    assert counts["definition"] == 8
    assert all(c.passed for c in hw2_q5.numeric_checks)


def swap_channels(expr):
    """w_k^ij -> w_k^ji throughout: the seed's own slip in writing out Y_21."""
    return expr.xreplace(
        {
            s: sp.Symbol(re.sub(r"\^(\d)(\d)$", r"^\2\1", s.name))
            for s in expr.free_symbols
            if s.name.startswith("w_")
        }
    )


def test_a_written_out_element_equation_with_swapped_weights_is_caught(monkeypatch):
    """Y_21 written with w^{21}, w^{22} for w^{12}, w^{22}, as in the seed, is refused."""
    right = forward.element_terms

    def seed_terms(s, j, pos):
        terms = right(s, j, pos)
        return [swap_channels(e) for e in terms] if j == 1 else terms

    monkeypatch.setattr(forward, "element_terms", seed_terms)
    with pytest.raises(VerificationError, match=r"^Y_21 = .*w_1\^21"):
        element_equations(ShownLayer(conv_geometry(2, 2, 4, 3)))


def test_a_chain_rule_missing_a_term_is_caught(monkeypatch):
    monkeypatch.setattr(general_equation, "readers", lambda g, i, pos: readers(g, i, pos)[1:])
    layer = ShownLayer(conv_geometry(2, 2, 4, 3))
    with pytest.raises(VerificationError, match=r"^dL/dx_11 = "):
        backward_pass(layer, element_equations(layer))


def numeric_matrix(names: list[list[str]], weights: np.ndarray) -> np.ndarray:
    """A with numbers put in for the names w_k^ij (k 1-based taps, i input, j output)."""
    out = np.zeros((len(names), len(names[0])))
    for r, row in enumerate(names):
        for c, name in enumerate(row):
            if name != "0":
                taps, i, j = WEIGHT_NAME.fullmatch(name).groups()
                tap = tuple(int(t) - 1 for t in taps.split(","))
                local = (int(i) - 1) % weights.shape[1]
                out[r, c] = weights[(int(j) - 1, local, *tap)]
    return out


def torch_jacobian(params: Params, w: np.ndarray) -> np.ndarray:
    conv = F.conv1d if params.dims == 1 else F.conv2d
    size = (params.length,) if params.dims == 1 else (params.height, params.width)
    x = torch.zeros((params.in_channels, *size), dtype=torch.float64)
    kw = dict(
        stride=params.stride,
        padding=params.padding,
        dilation=params.dilation,
        groups=params.groups,
    )
    jac = torch.autograd.functional.jacobian(lambda v: conv(v[None], torch.tensor(w), **kw)[0], x)
    return jac.reshape(-1, x.numel()).numpy()


@st.composite
def small_layers(draw):
    dims = draw(st.sampled_from([1, 2]))
    groups = draw(st.integers(1, 2))
    k, d, p, s = (draw(st.integers(1, 3)) for _ in range(4))
    p -= 1
    shortest = max(1, d * (k - 1) + 1 - 2 * p)  # the dilated kernel fits the padded input
    n = draw(st.integers(shortest, shortest + (3 if dims == 1 else 1)))
    size = dict(length=n) if dims == 1 else dict(height=n, width=n)
    return Params(
        dims=dims,
        in_channels=groups * draw(st.integers(1, 2)),
        out_channels=groups * draw(st.integers(1, 2)),
        kernel=k,
        stride=s,
        padding=p,
        dilation=d,
        groups=groups,
        **size,
    )


@SETTINGS
@given(small_layers(), st.integers(0, 2**32 - 1))
def test_symbolic_matrix_is_the_jacobian_of_torch_conv(params, seed):
    sol = solve(params)
    assert sol.summary()["unverified"] == 0
    cin_group = params.in_channels // params.groups
    k = (params.kernel,) * params.dims
    w = np.random.default_rng(seed).standard_normal((params.out_channels, cin_group, *k))
    expected = torch_jacobian(params, w)
    assert np.array_equal(numeric_matrix(answers_json(sol)["A"], w), expected)
    assert np.array_equal(numeric_matrix(answers_json(sol)["A_T"], w), expected.T)


@SETTINGS
@given(small_layers(), st.integers(0, 2**32 - 1))
def test_general_element_equation_is_torch_conv(params, seed):
    """Numbers put into Y_jt = Σ_i Σ_k w_k^{ij} x_{i,...} at every (j, t) give torch's output."""
    layer = ShownLayer(layer_geometry(params))
    s, g = layer.s, layer.geometry
    rng = np.random.default_rng(seed)
    w = rng.integers(-5, 6, g.weight_shape)
    x = rng.integers(-5, 6, (g.in_channels, *g.size))
    values = dict(zip(s.weights().ravel(), w.ravel().tolist(), strict=True))
    values |= dict(zip(s.array("x").ravel(), x.ravel().tolist(), strict=True))
    conv = F.conv1d if g.dims == 1 else F.conv2d
    kw = dict(stride=g.stride, padding=g.padding, dilation=g.dilation, groups=g.groups)
    expected = conv(torch.tensor(x)[None].double(), torch.tensor(w).double(), **kw)[0]
    got = np.empty(expected.shape)
    for j, *pos in np.ndindex(*got.shape):
        got[(j, *pos)] = sp.sympify(general_element(layer, j, tuple(pos))).xreplace(values)
    assert np.array_equal(got, expected.numpy())


def test_sparsity_pattern_is_block_occupancy():
    g = conv_geometry(3, 2, 40, 3, padding=1)  # A is 80 × 120
    dense = ConvIndexMap(g).dense(np.ones(g.weight_shape)) != 0
    grid, b = sparsity_pattern(ConvIndexMap(g), cells=16)
    assert b == 8
    expected = np.zeros(grid.shape, dtype=bool)
    for r, c in zip(*np.nonzero(dense), strict=True):
        expected[r // b, c // b] = True
    assert np.array_equal(grid, expected)


#: Layers with numbers: (parameters, weight shape, input shape).
NUMERIC = [
    (dict(length=4), (2, 2, 3), (2, 4)),
    (dict(length=7, kernel=3, stride=2, padding=1, dilation=2), (2, 2, 3), (2, 7)),
    (dict(in_channels=4, length=5, kernel=2, groups=2, padding=1), (2, 2, 2), (4, 5)),
    (dict(dims=2, in_channels=1, height=3, width=4, kernel=2, padding=1), (2, 1, 2, 2), (1, 3, 4)),
]


@pytest.mark.parametrize(("layer", "w_shape", "x_shape"), NUMERIC)
def test_numeric_answers_match_torch(layer, w_shape, x_shape):
    rng = np.random.default_rng(5)
    w = np.round(rng.uniform(-2, 2, w_shape), 2)
    x = np.round(rng.uniform(-2, 2, x_shape), 2)
    conv = F.conv1d if layer.get("dims", 1) == 1 else F.conv2d
    kw = {k: layer.get(k, 1) for k in ("stride", "dilation", "groups")}
    kw["padding"] = layer.get("padding", 0)
    xt = torch.tensor(x)[None].requires_grad_(True)
    y = conv(xt, torch.tensor(w), **kw)
    g = np.round(rng.uniform(-2, 2, y.shape[1:]), 2)
    y.backward(torch.tensor(g)[None])
    sol = solve(Params(**layer, weights=w.tolist(), x=x.tolist(), grad_y=g.tolist()))
    assert np.array(answers_json(sol)["y"]) == pytest.approx(y[0].detach().numpy())
    assert np.array(answers_json(sol)["grad_x"]) == pytest.approx(xt.grad[0].numpy())
    assert sol.summary()["unverified"] == 0


def test_large_layer_is_shown_in_part_and_listed_by_size():
    sol = solve(Params(in_channels=8, out_channels=8, length=512, kernel=3, padding=1))
    assert answers_json(sol)["A"] == {
        "rows": 4096,
        "columns": 4096,
        "nonzeros": 8 * 8 * (3 * 512 - 2),
        "entries": "omitted",
    }
    assert sol.answer("A").value.has(Dots)  # corners and ellipses, not 16 million entries
    assert len(answers_json(sol)["backward_kernel"]) == 8
    assert all(c.passed for c in sol.numeric_checks)


@pytest.mark.parametrize(
    ("table", "field", "words"),
    [
        (dict(length=2, kernel=3), "kernel", ["3 positions", "padded input has only 2"]),
        (dict(length=0), "length", ["at least 1"]),
        (dict(out_channels=-1), "out_channels", ["at least 1"]),
        (dict(dims=2, height=3, width=3, kernel=[2, 5]), "kernel", ["width", "5 positions"]),
        (dict(height=3), "height", ["dims = 2"]),
        (dict(kernel=[2, 3]), "kernel", ["a whole number (dims = 1), got [2, 3]"]),
        (
            dict(in_channels=512, out_channels=512, length=4096),
            "in_channels, out_channels, length",
            ["3,219,652,608 nonzeros", "at most 20,000,000"],
        ),
        (dict(dims=2, stride=[1, 1, 1]), "stride", ["a list of two, got [1, 1, 1]"]),
        (dict(weights=[[[1, 2, 3]]], x=[[1, 2, 3, 4]] * 2), "weights", ["[1][1][3]", "[2][2][3]"]),
        (dict(weights=[[[1, 2, 3]] * 2] * 2, x=[[1, 2, 3]] * 2), "x", ["[2][3]", "[2][4]"]),
        (dict(weights=[[[1, 2], [1]]]), "weights", ["ragged"]),
        (dict(x=[[1, 2, 3, 4]] * 2), "weights", ["x is given"]),
    ],
)
def test_bad_input_names_the_field_and_sizes(table, field, words):
    data = {"problems": [{"id": "c", "kind": "conv-matrix", **table}]}
    with pytest.raises(InputError) as err:
        problem_set = parse_problem_set(data, "t")
        solve(problem_set.problems[0].params, "c")
    assert err.value.field == field
    for word in words:
        assert word in str(err.value)


def test_cli_answers_with_numbers_and_exit_status_2_on_bad_input(tmp_path):
    good = tmp_path / "good.toml"
    good.write_text(
        '[[problems]]\nid = "c"\nkind = "conv-matrix"\nlength = 4\n'
        "weights = [[[1, 0, -1], [2, 1, 0]], [[0, 1, 0], [1, 1, 1]]]\n"
        "x = [[1, 2, 3, 4], [0, 1, 0, 1]]\ngrad_y = [[1, 0], [0, 1]]\n"
    )
    done = run_cli("answers", "--json", str(good))
    assert done.returncode == 0, done.stderr
    answers = json.loads(done.stdout)["c"]
    # by hand: Y_{1t} = x_{1t} - x_{1,t+2} + 2 x_{2t} + x_{2,t+1},
    #          Y_{2t} = x_{1,t+1} + x_{2t} + x_{2,t+1} + x_{2,t+2}
    assert answers["y"] == [[-1, 0], [3, 5]]
    # ∂L/∂x_{iu} = w^{i1}_{u} + w^{i2}_{u-1} (taps 0-based), as ∂L/∂Y picks Y_{11} and Y_{22}
    assert answers["grad_x"] == [[1, 0, 0, 0], [2, 2, 1, 1]]
    bad = tmp_path / "bad.toml"
    bad.write_text('[[problems]]\nid = "c"\nkind = "conv-matrix"\nlength = 2\nkernel = 3\n')
    done = run_cli("answers", str(bad))
    assert done.returncode == 2
    assert "field 'kernel'" in done.stderr and "only 2" in done.stderr


def test_default_sheet_has_question_5_and_the_sparsity_picture(default_sheet):
    tex = (default_sheet / "hw2.tex").read_text()
    section = tex[tex.index(r"\label{app-q5}") :]  # the appendix's q5
    assert r"\includegraphics{hw2-figures/q5-1.pdf}" in section  # tests/test_figures.py
    md = (default_sheet / "hw2.md").read_text()
    assert "](hw2-figures/q5-1.svg)" in md  # checks the pattern against torch
    data = json.loads((default_sheet / "hw2.json").read_text())
    q5 = next(p for p in data["problems"] if p["id"] == "q5")
    assert math.isclose(q5["verification"]["counts"]["unverified"], 0)


def _formula_gradient(g, w: np.ndarray, gy: np.ndarray) -> np.ndarray:
    """∂L/∂x from the boxed formula as the sheet states it: Z filled by its placement rule
    Z_{j,...} = ∂L/∂Y_{j,...} (0 elsewhere), then Σ_j Σ_k w[i, j, K+1−k] Z[j, t+d(k−1)]
    evaluated by reading the integer indices off the formula at every (i, t)."""
    term, limits = backward_formula.backward_formula(g)
    placement = backward_formula.z_placement(g)
    outs = general_equation.position_symbols(g.dims)
    j_sym = general_equation.CH_OUT
    z = np.zeros((g.out_channels, *g.backward().size))
    for j, *pos in np.ndindex(*gy.shape):
        at = dict(zip((j_sym, *outs), (j + 1, *(p + 1 for p in pos)), strict=True))
        index = [int(v) - 1 for v in placement.lhs.xreplace(at).indices]
        if all(0 <= v < n for v, n in zip(index[1:], z.shape[1:], strict=True)):
            z[tuple(index)] = gy[(j, *pos)]
    w_index = next(e for e in term.atoms(sp.Indexed) if e.base == general_equation.W_INDEXED)
    z_index = next(e for e in term.atoms(sp.Indexed) if e.base == backward_formula.Z_INDEXED)
    names = (general_equation.CH_IN, *outs, *(v for v, _, _ in limits))
    ranges = [range(1, hi + 1) for _, _, hi in limits]
    grad = np.zeros((g.in_channels, *g.size))
    for i, *pos in np.ndindex(*grad.shape):
        total = 0.0
        for inner in itertools.product(*ranges):
            at = dict(zip(names, (i + 1, *(p + 1 for p in pos), *inner), strict=True))
            wi = [int(v) - 1 for v in w_index.xreplace(at).indices]
            zi = [int(v) - 1 for v in z_index.xreplace(at).indices]
            assert all(0 <= v < n for v, n in zip(zi[1:], z.shape[1:], strict=True)), zi
            if g.connected(wi[0], wi[1]):
                total += w[(wi[1], wi[0] % g.in_per_group, *wi[2:])] * z[tuple(zi)]
        grad[(i, *pos)] = total
    return grad


@SETTINGS
@given(small_layers(), st.integers(0, 2**32 - 1))
def test_boxed_backward_formula_is_torch_autograd(params, seed):
    """The formula boxed in (c), with its padding, flip and channel swap, gives torch's
    ∂L/∂x for any stride, padding, dilation and groups."""
    g = layer_geometry(params)
    rng = np.random.default_rng(seed)
    w = rng.integers(-5, 6, g.weight_shape).astype(float)
    x = torch.zeros((1, g.in_channels, *g.size), dtype=torch.float64, requires_grad=True)
    conv = F.conv1d if g.dims == 1 else F.conv2d
    kw = dict(stride=g.stride, padding=g.padding, dilation=g.dilation, groups=g.groups)
    y = conv(x, torch.tensor(w), **kw)
    gy = rng.integers(-5, 6, tuple(y.shape[1:])).astype(float)
    y.backward(torch.tensor(gy)[None])
    assert np.array_equal(_formula_gradient(g, w, gy), x.grad[0].numpy())


def test_hw2_boxed_formula_reads_as_the_review_asks(hw2_q5):
    """∂L/∂x_it = Σ_j Σ_k w^{ij}_{4−k} Z_{j,t+k−1} with Z_{j,t+2} = ∂L/∂Y_jt, verified."""
    from symhw.render.expr import latex

    box = hw2_q5.boxes()[-1]
    tex = [latex(s) for s in box.statement.segments if isinstance(s, sp.Basic)]
    assert tex[0] == (
        r"\frac{\partial L}{\partial x_{it}} = \sum_{j=1}^{2} \sum_{k=1}^{3} w_{4-k}^{ij} "
        r"{Z}_{j,k + t - 1}"
    )
    assert tex[1] == r"{Z}_{j,t + 2} = \frac{\partial L}{\partial Y_{jt}}"
    words = "".join(s for s in box.statement.segments if isinstance(s, str))
    assert "2 zeros before and 2 zeros after" in words and "flipped" in words
    assert "the forward layer itself has no padding" in words and "(stride 1" not in words
    step = next(s for s in hw2_q5.steps if s.rule == backward_formula.RULE)
    assert step.check.status == "symbolic"


def test_a_backward_formula_without_the_flip_is_refused(monkeypatch):
    right = backward_formula.backward_formula

    def unflipped(g):
        term, limits = right(g)
        k = general_equation.tap_symbols(g.dims)[0]
        return term.xreplace({g.kernel[0] + 1 - k: k}), limits

    monkeypatch.setattr(backward_formula, "backward_formula", unflipped)
    with pytest.raises(VerificationError):
        solve(Params())


def test_hw2_part_one_states_the_block_structure(hw2_q5):
    """(a)'s box reads A = [A^11 A^21; A^12 A^22] = A: block (j, i) in block row j, block
    column i, as the seed's A has w^21 in its top right (columns of input channel 2)."""
    box = hw2_q5.boxes()[0]
    (step,) = box.derivation.steps
    named = step.chain[1]
    names = [[str(b) for b in row] for row in named.blocks.tolist()]
    assert names == [["A^11", "A^21"], ["A^12", "A^22"]]
    assert [" ".join(str(v) for v in row) for row in step.chain[2].tolist()] == SEED_A
    # each named block of the seed's A holds only its own kernel's weights (or 0)
    for r, row in enumerate(names):
        for c, name in enumerate(row):
            lines = SEED_A[2 * r : 2 * r + 2]
            cells = {v for line in lines for v in line.split()[4 * c : 4 * c + 4]}
            assert {v.split("^")[1] for v in cells - {"0"}} == {name.split("^")[1]}
    assert step.check.status == "symbolic"
    parts = hw2_q5.key_parts()
    lead = parts[parts.index(box) - 1]
    words = "".join(s for s in lead.segments if isinstance(s, str))
    assert "the 2 × 4 banded Toeplitz matrix of kernel " in words


def test_a_sum_over_outputs_with_the_wrong_tap_is_refused(monkeypatch):
    """∂L/∂x_it = Σ_j Σ_t' w_{t−t'}^{ij} ∂L/∂Y_jt' (one tap off) is refused."""
    right = backward_formula.reading_tap
    monkeypatch.setattr(backward_formula, "reading_tap", lambda g: [k - 1 for k in right(g)])
    with pytest.raises(VerificationError):
        solve(Params())
