"""Question 4 (norm-shapes): statistic shapes against NumPy, torch's normalizations and buffers.

Oracle: normalizing x with the derived axes (NumPy mean/var, keepdims=True) must reproduce
torch's own F.batch_norm / F.layer_norm / F.instance_norm / F.group_norm, and batch norm's
running buffers must have the derived squeezed shape.
"""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
import sympy as sp
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from conftest import HAS_TEX, answers_error, run_cli
from symhw.cli import main
from symhw.errors import VerificationError
from symhw.notation import Shape
from symhw.problems.norm_shapes import Params, solve
from symhw.problems.norm_shapes.averages import case_derivation
from symhw.problems.norm_shapes.axes import Statistics, statistics
from symhw.problems.norm_shapes.cases import LAYOUTS, Case

EPS = 1e-5
SPATIAL = "LHW"


def sizes(n=2, c=6, h=3, w=4, length=5, g=3) -> dict[sp.Symbol, int]:
    names = {"N": n, "C": c, "H": h, "W": w, "L": length, "G": g}
    return {sp.Symbol(k, integer=True, positive=True): v for k, v in names.items()}


def concrete(shape, at) -> tuple[int, ...]:
    return tuple(int(sp.sympify(d).subs(at)) for d in shape)


def layout_shape(layout: str, at) -> tuple[int, ...]:
    return tuple(at[sp.Symbol(a, integer=True, positive=True)] for a in layout)


def channels_first(layout: str) -> list[int]:
    """The permutation taking ``layout`` to torch's N, C, spatial... order."""
    order = ["N", "C", *(a for a in layout if a in SPATIAL)]
    return [layout.index(a) for a in order]


def torch_normalized(x: np.ndarray, case: Case, groups: int) -> np.ndarray:
    """torch's own normalization of x (in ``case.layout``), without affine parameters."""
    t = torch.from_numpy(x)
    if case.norm == "layer":
        return F.layer_norm(t, t.shape[1:], eps=EPS).numpy()
    perm = channels_first(case.layout)
    cf = t.permute(perm)
    if case.norm == "batch":
        out = F.batch_norm(cf, None, None, training=True, eps=EPS)
    elif case.norm == "instance":
        out = F.instance_norm(cf, eps=EPS)
    else:
        out = F.group_norm(cf, groups, eps=EPS)
    return out.permute(list(np.argsort(perm))).numpy()


def derived_normalized(x: np.ndarray, case: Case, at) -> tuple[np.ndarray, tuple[int, ...]]:
    """x normalized with the derived axes, and the keepdims shape NumPy gives the mean."""
    stats = statistics(case)
    view = x.reshape(concrete(stats.shape, at))
    mean = view.mean(axis=stats.reduced, keepdims=True)
    var = view.var(axis=stats.reduced, keepdims=True)
    assert mean.shape == var.shape == concrete(stats.keepdims, at)
    assert view.size // mean.size == int(sp.sympify(stats.count).subs(at))
    return ((view - mean) / np.sqrt(var + EPS)).reshape(x.shape), mean.shape


CASES = [
    Case(f"{norm}_{layout.lower()}", norm, layout, groups)
    for norm in ("batch", "layer", "instance", "group")
    for layout in LAYOUTS
    for groups in ((None, 2) if norm == "group" else (None,))
    if not (norm == "instance" and layout == "NC")
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.norm}-{c.layout}-{c.groups}")
def test_derived_axes_reproduce_torch_normalization(case):
    at = sizes()
    if case.groups is not None:
        at[sp.Symbol("C", integer=True, positive=True)] = 3 * case.groups
    x = np.random.default_rng(1).standard_normal(layout_shape(case.layout, at))
    groups = case.groups or at[sp.Symbol("G", integer=True, positive=True)]
    ours, _ = derived_normalized(x, case, at)
    np.testing.assert_allclose(ours, torch_normalized(x, case, groups), atol=1e-10)


@settings(max_examples=20, deadline=None)
@given(
    norm=st.sampled_from(["batch", "layer", "instance", "group"]),
    layout=st.sampled_from(["NCL", "NLC", "NCHW", "NHWC"]),
    dims=st.tuples(*(st.integers(1, 4) for _ in range(5))),
)
def test_random_sizes_reproduce_torch_normalization(norm, layout, dims):
    n, c_per_group, h, w, g = dims
    at = sizes(n=n + 1, c=c_per_group * g, h=h + 1, w=w, length=h + 2, g=g)
    case = Case("x", norm, layout)
    x = np.random.default_rng(2).standard_normal(layout_shape(layout, at))
    ours, _ = derived_normalized(x, case, at)
    np.testing.assert_allclose(ours, torch_normalized(x, case, g), atol=1e-9)


@pytest.mark.parametrize(
    "layout,module", [("NC", nn.BatchNorm1d), ("NCL", nn.BatchNorm1d), ("NHWC", nn.BatchNorm2d)]
)
def test_batch_norm_buffers_have_the_squeezed_shape(layout, module):
    stats = statistics(Case("x", "batch", layout))
    bn = module(7)
    at = sizes(c=7)
    assert concrete(stats.squeezed, at) == tuple(bn.running_mean.shape)
    assert concrete(stats.squeezed, at) == tuple(bn.running_var.shape)


def test_seed_answers_are_the_hand_checked_shapes(capsys):
    assert main(["answers", "--json"]) == 0
    q4 = json.loads(capsys.readouterr().out)["q4"]
    assert q4["fc_mean_shape"] == q4["fc_var_shape"] == [1, "C"]
    assert q4["conv_mean_shape"] == q4["conv_var_shape"] == [1, 1, 1, "C"]
    assert q4["conv_mean_shape_squeezed"] == ["C"]


def test_solution_is_fully_verified_and_cross_checked():
    sol = solve(Params())
    # Before: 2 equalities and 14 definitions. Now per case m, shape(μ), shape(σ²),
    # shape(squeeze(μ)) and the entry count are checked; shape(x), m := Σ 1, μ and σ² define.
    assert sol.summary() == {
        "symbolic": 10,
        "numeric": 0,
        "unverified": 0,
        "budget": 0,
        "definition": 8,
    }
    assert len(sol.numeric_checks) == 2 and all(c.passed for c in sol.numeric_checks)
    c = sp.Symbol("C", integer=True, positive=True)
    assert tuple(sol.answer("conv_mean_shape").value) == (1, 1, 1, c)


N_, H_, C_ = (sp.Symbol(a, integer=True, positive=True) for a in "NHC")


@pytest.mark.parametrize(
    "claim,wrong,message",
    [
        ("keepdims", (1, 1, C_, 1), "shape(mu) = (1, 1, C, 1) is false"),
        ("squeezed", (N_,), "shape(squeeze(mu)) = (N,) is false"),
        ("count", H_ * H_, "m = H**2 is false"),  # H·H, not N·H·W
    ],
)
def test_a_wrong_stated_shape_or_count_is_refused(monkeypatch, claim, wrong, message):
    """The stated shapes and m are checked against the averaging formulas, not copied."""
    monkeypatch.setattr(Statistics, claim, property(lambda st: wrong))
    with pytest.raises(VerificationError, match=re.escape(message)):
        case_derivation("b", Case("conv", "batch", "NHWC"))


@pytest.mark.parametrize("norm,layout", [("group", "NCHW"), ("layer", "NLC"), ("instance", "NCL")])
def test_every_case_states_its_shapes_as_checked_equalities(norm, layout):
    derivation, _ = case_derivation("a", Case("x", norm, layout))
    statuses = [s.check.status for s in derivation.steps]
    assert statuses == ["definition"] * 2 + ["symbolic"] + ["definition"] * 2 + ["symbolic"] * 4


BAD = [
    ('cases = [{norm = "batch", layout = "NWHC"}]', "unknown layout 'NWHC'"),
    ('cases = [{norm = "weight", layout = "NC"}]', "unknown norm 'weight'"),
    ('cases = [{layout = "NC"}]', "case 1: missing norm; add norm = one of batch"),
    ('cases = [{norm = "batch"}]', "case 1: missing layout; add layout = one of NC"),
    ('cases = [{norm = "instance", layout = "NC"}]', "has none"),
    ('cases = [{norm = "batch", layout = "NC", groups = 2}]', "only applies"),
    ('cases = [{norm = "group", layout = "NCHW", groups = 0}]', "positive whole number"),
    ('cases = [{norm = "batch", layout = "NC", axis = 0}]', "unknown key 'axis'"),
    ('cases = [{norm = "batch", layout = "NC"}, {norm = "batch", layout = "NC"}]', "two cases"),
    ("cases = []", "expected a list"),
    # one past each limit; 10**9 groups was a 358 GiB NumPy array (MemoryError, exit 1)
    (
        "cases = ["
        + ", ".join(f'{{norm = "batch", layout = "NC", name = "c{i}"}}' for i in range(27))
        + "]",
        "27 cases; a sheet labels them (a) to (z), at most 26",
    ),
    ('cases = [{norm = "group", layout = "NHWC", groups = 65537}]', "use at most 65536"),
    ('cases = [{norm = "group", layout = "NHWC", groups = 1000000000}]', "use at most 65536"),
]


@pytest.mark.parametrize("body,message", BAD)
def test_bad_input_exits_2_with_a_clear_message(tmp_path, capsys, body, message):
    err = answers_error(tmp_path, capsys, f'id = "q4"\nkind = "norm-shapes"\n{body}')
    assert message in err and "q4" in err and err.count("\n") == 1


def test_the_most_cases_and_groups_give_a_sheet(tmp_path):
    """26 cases (a to z), the last a group norm with 2^16 groups, PDF included; its
    statistics have the shape torch's group_norm normalizes over (N, G)."""
    cases = [
        f'{{norm = "group", layout = "NHWC", groups = {g}, name = "g{g}"}}' for g in range(1, 26)
    ]
    cases.append('{norm = "group", layout = "NHWC", groups = 65536, name = "g65536"}')
    spec = tmp_path / "limits.toml"
    spec.write_text(
        f'[[problems]]\nid = "q4"\nkind = "norm-shapes"\ncases = [{", ".join(cases)}]\n'
    )
    formats = "tex,pdf,json" if HAS_TEX else "tex,json"
    done = run_cli("sheet", str(spec), "-o", str(tmp_path), "--format", formats, timeout=120)
    assert done.returncode == 0, done.stderr
    answers = json.loads((tmp_path / "limits.json").read_text("utf-8"))["problems"][0]["answers"]
    assert answers["g65536_mean_shape"] == ["N", 1, 1, 65536, 1]
    h, w, c = sp.symbols("H W C")
    assert sp.sympify(answers["g65536_count"]) == h * w * c / 65536  # H·W·(C/G) entries averaged


def test_group_norm_with_the_most_groups_reproduces_torch():
    g = 1 << 16
    case = Case("g", "group", "NHWC", g)
    at = sizes(n=2, c=2 * g, h=1, w=2, g=g)
    x = np.random.default_rng(3).standard_normal(layout_shape("NHWC", at))
    ours, mean_shape = derived_normalized(x, case, at)
    assert mean_shape == (2, 1, 1, g, 1)
    np.testing.assert_allclose(ours, torch_normalized(x, case, g), atol=1e-9)


def test_seed_question_and_key_name_the_layer_and_why_conv_averages_positions():
    """As the homework asks: batch norm after a fully connected layer (N×C) and after a
    convolution layer (N×H×W×C); for the convolution, the batch-norm paper's reason (one
    filter at every position, so a channel's positions are normalized together)."""
    sol = solve(Params())

    def plain(segments) -> str:  # a shape (in math in the sheet) as N×C
        return "".join(s if isinstance(s, str) else "×".join(map(str, s)) for s in segments)

    statement = plain(sol.statement.segments)
    assert "(a) Batch norm after a fully connected layer, input N×C." in statement
    assert "(b) Batch norm after a 2-D convolution layer, input N×H×W×C." in statement
    leads = [
        plain(s for s in p.segments if isinstance(s, str | Shape))
        for p in sol.key_parts()
        if hasattr(p, "segments") and str(p.segments[0]).startswith("(")
    ]
    fc, conv = leads
    assert fc.startswith("(a) After a fully connected layer, input N×C.")
    assert conv.startswith("(b) After a 2-D convolution layer, input N×H×W×C.")
    assert "same filter at every position" in conv and "Ioffe & Szegedy 2015" in conv
    assert "same filter" not in fc


@pytest.mark.parametrize(("norm", "kept"), [("batch", "C"), ("layer", "N")])
def test_the_axis_a_norm_keeps_is_written_as_math_like_the_homeworks_c(norm, kept):
    """'every axis except C': C is the homework's channel axis, a symbol, not a word."""
    derivation, _ = case_derivation("a", Case("x", norm, "NHWC"))
    segments = derivation.intro.segments
    at = next(i for i, s in enumerate(segments) if isinstance(s, str) and "except" in s)
    assert segments[at].endswith("every axis except ") and segments[at + 1] == sp.Symbol(kept)
    assert Shape(*sp.symbols("N H W C")) in segments  # the input's shape, as math too
