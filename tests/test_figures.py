"""Figures: made from each problem's own data, checked against independent computations
(finite differences, closed-form saturation points, torch's Jacobian, the numbers of the
problem file), and written as valid, deterministic files beside the sheet."""

from __future__ import annotations

import contextlib
import io
import itertools
import math
import re
import subprocess
import sys
import time
import tomllib
import xml.etree.ElementTree as ET
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import HAS_TEX, REPO
from symhw.activations import ACTIVATIONS
from symhw.conv import conv_geometry
from symhw.derivation import Figure
from symhw.figures import BlockDiagram, LinePlot, NetworkDiagram, SparsityPattern
from symhw.problems.activation_loss.figures import (
    SATURATED,
    activation_curves,
    saturated_intervals,
)
from symhw.problems.conv_matrix.figures import figures as conv_figures
from symhw.problems.conv_matrix.inputs import layer_geometry
from symhw.problems.conv_matrix.layer import ShownLayer
from symhw.render.figures import build, draw
from symhw.sheet import sheet_output, solve, write_sheet
from symhw.spec import load_problem_set

LIMITS = REPO / "benchmarks" / "limits"

OTHER_SPEC = """title = "Not HW2"
name = "other"
[[problems]]
id = "net"
kind = "mlp-backprop"
weights = [[[0.5, -1, 2], [0.25, 0.75, -0.5], [1, 0, 1]], [[0.1, 0.2], [0.3, 0.4], [-0.6, 0.7], [0.8, -0.9]], [[1], [2], [-3]]]
activations = ["sigmoid", "sigmoid", "sigmoid"]
x = [1, 2]
y = 1
[[problems]]
id = "conv"
kind = "conv-matrix"
dims = 2
in_channels = 2
out_channels = 3
height = 4
width = 5
kernel = 3
padding = 1
stride = 2
[[problems]]
id = "blocks"
kind = "block-params"
blocks = [{ kind = "basic", channels = 64 }, { kind = "bottleneck", channels = 256, mid = 64 }]
"""  # noqa: E501


def figures_of(sol) -> list[Figure]:
    return [p for p in sol.parts if isinstance(p, Figure)]


@pytest.fixture(scope="module")
def other(tmp_path_factory):
    path = tmp_path_factory.mktemp("other") / "other.toml"
    path.write_text(OTHER_SPEC, "utf-8")
    problem_set = load_problem_set(path)
    return {p.id: solve(p) for p in problem_set.problems}, problem_set


# --- q1: the activation ---------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_the_derivative_curve_is_the_slope_of_the_activation_curve(name):
    s, theta, derivative = activation_curves(ACTIVATIONS[name])
    slope = np.gradient(theta, s)  # central differences of the drawn θ
    away = np.abs(s) > 0.05  # relu has a kink at 0
    assert np.max(np.abs(slope - derivative)[away][1:-1]) < 2e-4


def _logit(p: float) -> float:
    return math.log(p / (1 - p))


#: Where |θ′| falls under 5% of its largest value on [-6, 6], solved by hand.
SATURATION = {
    "tanh": [(-6, -math.atanh(math.sqrt(0.95))), (math.atanh(math.sqrt(0.95)), 6)],
    # σ(1 − σ) = 0.05 / 4  ⇔  σ = (1 ± √0.95) / 2
    "sigmoid": [(-6, _logit((1 - math.sqrt(0.95)) / 2)), (_logit((1 + math.sqrt(0.95)) / 2), 6)],
    "softplus": [(-6, _logit(0.05 / (1 + math.exp(-6))))],  # θ′ = σ, largest σ(6)
    "relu": [(-6, 0)],  # θ′ = 0 for s < 0 (s = 0 itself counts as 0 too)
    "identity": [],
}


@pytest.mark.parametrize("name", sorted(SATURATION))
def test_the_shaded_regions_are_where_the_derivative_is_small(name):
    s, _, derivative = activation_curves(ACTIVATIONS[name])
    assert SATURATED == 0.05
    found = saturated_intervals(s, derivative)
    expected = SATURATION[name]
    assert len(found) == len(expected)
    step = s[1] - s[0]
    for (a, b), (a0, b0) in zip(found, expected, strict=True):
        assert abs(a - a0) <= step and abs(b - b0) <= step


def test_the_activation_figure_shades_the_regions_of_the_sheets_own_activation():
    sol = solve(load_problem_set().problems[0])
    plot = figures_of(sol)[0].drawing
    assert isinstance(plot, LinePlot) and len(plot.shaded) == 2
    spec = '[[problems]]\nid = "q1"\nkind = "activation-loss"\nactivation = "relu"\n'
    relu = load_problem_set(_tmp_spec(spec)).problems[0]
    assert figures_of(solve(relu))[0].drawing.shaded == ((-6.0, 0.0),)


def test_the_growth_plot_shades_where_every_sample_is_saturated_and_marks_its_peak():
    sol = solve(load_problem_set().problems[0])
    figure = figures_of(sol)[1]
    plot = figure.drawing
    assert plot.log_x and plot.log_y
    (curve,) = plot.curves
    # the check's data restated, the direction by brute force, the gradient by hand in NumPy
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((8, 3)), rng.uniform(0.05, 0.95, 8)
    units = [x / np.linalg.norm(x) for x in X]
    u = max(units, key=lambda c: min(abs(X @ c)))  # no ties here
    assert min(abs(X @ u)) == pytest.approx(0.234, abs=5e-4)
    for t, norm in zip(curve.x, curve.y, strict=True):
        s = X @ (t * u)
        by_hand = 2 / 8 * ((np.tanh(s) - y) * (1 - np.tanh(s) ** 2)) @ X
        assert norm == pytest.approx(np.linalg.norm(by_hand), rel=1e-6)
    # every |t uᵀx_n| past atanh(√0.95), where 1 − tanh² = 5%: t ≥ that / min |uᵀx_n|
    (start, end), *rest = plot.shaded
    assert rest == [] and end >= curve.x[-1]  # to the end of the range
    edge = math.atanh(math.sqrt(0.95)) / min(abs(X @ u))
    assert start == pytest.approx(edge, rel=0.04)  # the figure of θ's grid: steps of 0.02
    # the curve first rises (the review's puzzle), and the caption says where: the mark
    (mark,) = plot.marks
    assert mark.y == max(curve.y) > curve.y[0] and mark.x == curve.x[np.argmax(curve.y)]
    words = "".join(str(p) for p in figure.caption.segments)
    assert "first rises" in words and "0.905" in words and "exactly 0 in float64" in words


@pytest.mark.skipif(not HAS_TEX, reason="needs pdflatex")
def test_q1s_figures_label_their_axes_and_their_captions_are_math(default_sheet):
    tex = (default_sheet / "hw2.tex").read_text("utf-8")
    q1 = tex[tex.index("Part II") :]
    q1 = q1[: q1.index("q2. ")]
    assert "x\\_n" not in q1 and "\\theta'(s)" not in q1  # no literal subscripts or θ'(s)
    assert r"$w^{T} x_{n}$ lies there" in q1 and r"\left|{\frac{d}{d s}" in q1
    assert "Gradient norm along a growing direction" not in tex  # the plot replaced it
    text = subprocess.run(
        ["pdftotext", "-layout", str(default_sheet / "hw2.pdf"), "-"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert "tanh (s) and" in text  # q1-1's y-axis label, drawn inside the figure
    assert "every tu Txn saturated" in text  # q1-2's shading, named in its legend
    assert "Gradient norm along" not in text and "minn t w0T xn" not in text  # the table


# --- q2: the network -------------------------------------------------------------------


def _weights(spec: str, problem: int) -> list[list[list[Fraction]]]:
    """W⁽ˡ⁾ as the problem file writes them, each a list of rows (a vector is one column)."""
    raw = tomllib.loads(spec)["problems"][problem]["weights"]
    as_rows = [[r if isinstance(r, list) else [r] for r in w] for w in raw]
    return [[[Fraction(str(v)) for v in row] for row in w] for w in as_rows]


def _label(v: Fraction) -> str:
    return (str(v.numerator) if v.denominator == 1 else f"{float(v):.4g}").replace("-", "−")


@pytest.mark.parametrize(
    ("spec", "problem", "widths"),
    [
        ((REPO / "symhw" / "data" / "hw2.toml").read_text("utf-8"), 1, (1, 2, 1, 1)),
        (OTHER_SPEC, 0, (2, 3, 2, 1)),
    ],
)
def test_the_network_has_a_node_per_unit_and_bias_and_an_edge_per_weight(spec, problem, widths):
    weights = _weights(spec, problem)
    problem_set = load_problem_set(_tmp_spec(spec))
    sol = solve(problem_set.problems[problem])
    (fig,) = figures_of(sol)
    net = fig.drawing
    assert isinstance(net, NetworkDiagram) and net.widths == widths and net.edge_labels
    ax = build(net).axes[0]
    kinds = [type(p).__name__ for p in ax.patches]
    assert kinds.count("Circle") == sum(widths)  # one per unit
    assert kinds.count("FancyBboxPatch") == len(widths) - 1  # a bias node feeding each layer
    assert len(ax.lines) == sum(len(w) * len(w[0]) for w in weights)  # one edge per weight
    shown = {t.get_gid(): t.get_text() for t in ax.texts if t.get_gid()}
    expected = {
        f"w{layer}_{i}_{j + 1}": _label(v)
        for layer, w in enumerate(weights, start=1)
        for i, row in enumerate(w)
        for j, v in enumerate(row)
    }
    assert shown == expected
    svg = ET.fromstring(draw(net, "svg"))
    ids = {e.get("id") for e in svg.iter()}
    assert set(expected) <= ids  # each weight is findable in the SVG


def _label_geometry(drawing: NetworkDiagram) -> tuple[dict, dict, dict]:
    """The drawn network as pdflatex will show it: each edge's ends and each weight label's
    box (as matplotlib lays the text out), in display units, and each label's angle."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from symhw.render.figures import _settings

    with _settings():
        fig = build(drawing)
        FigureCanvasAgg(fig)
        renderer = fig.canvas.get_renderer()
        ax = fig.axes[0]
        edges = {
            line.get_gid(): ax.transData.transform(np.column_stack(line.get_data()))
            for line in ax.lines
        }
        boxes = {t.get_gid(): t.get_window_extent(renderer) for t in ax.texts if t.get_gid()}
        angles = {t.get_gid(): t.get_rotation() for t in ax.texts if t.get_gid()}
    return edges, boxes, angles


def _crosses(edge: np.ndarray, box) -> bool:
    """Whether a straight edge passes through a box (sampled finely)."""
    t = np.linspace(0.0, 1.0, 4000)[:, None]
    p = edge[0] + t * (edge[1] - edge[0])
    inside = (p[:, 0] >= box.x0) & (p[:, 0] <= box.x1) & (p[:, 1] >= box.y0) & (p[:, 1] <= box.y1)
    return bool(inside.any())


def _ambiguous(drawing: NetworkDiagram) -> list[tuple]:
    """The weight labels a reader could take for another edge's: off their own edge, crossed
    by another edge or overlapping another label, unless turned along their own edge."""
    edges, boxes, angles = _label_geometry(drawing)
    bad = []
    for gid, box in sorted(boxes.items()):
        own = edges["e" + gid[1:]]
        if not _crosses(own, box):
            bad.append((gid, "off its edge"))
        dx, dy = own[1] - own[0]
        if abs((angles[gid] - math.degrees(math.atan2(dy, dx)) + 180) % 360 - 180) < 1:
            continue  # it reads along its own edge (a level edge's label is level)
        assert angles[gid] == 0, gid  # turned, then only along its own edge
        bad += [
            (gid, other)
            for other, e in edges.items()
            if other != "e" + gid[1:] and _crosses(e, box)
        ]
        bad += [(gid, other) for other, b in boxes.items() if other < gid and box.overlaps(b)]
    return bad


@pytest.mark.parametrize(
    ("spec", "problem"),
    [((REPO / "symhw" / "data" / "hw2.toml").read_text("utf-8"), 1), (OTHER_SPEC, 0)],
)
def test_each_weight_sits_on_its_own_edge_clear_of_the_others(spec, problem):
    """HW2's "0.2" and "0.3" once sat where two edges cross: now every label lies on its
    own edge, no other edge passes through it, no two overlap (as matplotlib lays them out);
    each unit shows its output as the text names it (x, x_j for the input entries)."""
    (fig,) = figures_of(solve(load_problem_set(_tmp_spec(spec)).problems[problem]))
    assert _ambiguous(fig.drawing) == []
    edges, boxes, angles = _label_geometry(fig.drawing)
    assert set(angles.values()) == {0}  # room for every label, none turned
    for gid, box in boxes.items():  # and none crossed, level edges' labels included
        crossing = [e for e in edges if e != "e" + gid[1:] and _crosses(edges[e], box)]
        assert crossing == [], gid
    inside = sorted(t.get_text() for t in build(fig.drawing).axes[0].texts if not t.get_gid())
    widths = fig.drawing.widths
    inputs = ["$x$"] if widths[0] == 1 else [f"$x_{{{j}}}$" for j in range(1, widths[0] + 1)]
    units = [
        f"$x^{{({k})}}_{{{j}}}$" for k in range(1, len(widths)) for j in range(1, widths[k] + 1)
    ]
    assert set(inputs + units) <= set(inside)
    assert "$x_{1}$" not in inside or widths[0] > 1  # HW2's input is x, as its text says


@pytest.mark.parametrize("widths", [(1, 4, 4, 1), (5, 5), (2, 6, 2), (3, 3, 3, 3), (7, 4)])
def test_crowded_networks_turn_a_label_along_its_edge_rather_than_leave_it_ambiguous(widths):
    """Where full layers leave a label no place clear of the other edges, it is turned
    along its own edge; every label stays on its own edge either way."""
    rng = np.random.default_rng(0)
    weights = tuple(
        sp.ImmutableMatrix(
            a + 1, b, [sp.Rational(int(v), 100) for v in rng.integers(-300, 300, (a + 1) * b)]
        )
        for a, b in itertools.pairwise(widths)
    )
    drawing = NetworkDiagram(widths, weights, ("tanh",) * (len(widths) - 1))
    assert drawing.edges <= 40  # labelled, as the figure of a problem this size is
    assert _ambiguous(drawing) == []


def _tmp_spec(text: str):
    import tempfile

    path = tempfile.mkdtemp() + "/spec.toml"
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return path


def test_a_network_at_the_size_limit_is_drawn_without_edge_labels():
    from symhw.problems.mlp_backprop.figures import network_figure
    from symhw.problems.mlp_backprop.inputs import network

    problem = load_problem_set(LIMITS / "mlp-8x8-sigmoid.toml").problems[0]
    fig = network_figure(network(problem.params, problem.id))
    assert not fig.drawing.edge_labels and fig.drawing.edges == 8 * 9 * 8
    start = time.perf_counter()
    ax = build(fig.drawing).axes[0]
    assert len(ax.lines) == 576 and not [t for t in ax.texts if t.get_gid()]
    assert len(draw(fig.drawing, "svg")) < 400_000
    assert time.perf_counter() - start < 60  # a hang guard, not a benchmark


# --- q3: the blocks --------------------------------------------------------------------


def test_the_blocks_show_their_own_kernels_and_widths(other):
    solved, _ = other
    hw2 = figures_of(solve(load_problem_set().problems[2]))[0].drawing
    mine = figures_of(solved["blocks"])[0].drawing
    assert isinstance(mine, BlockDiagram)
    shapes = [[(c.kernel, c.c_in, c.c_out) for c in b.convs] for b in mine.blocks]
    assert shapes == [[(3, 64, 64), (3, 64, 64)], [(1, 256, 64), (3, 64, 64), (1, 64, 256)]]
    assert [[(c.kernel, c.c_in, c.c_out) for c in b.convs] for b in hw2.blocks] == [
        [(3, 32, 32), (3, 32, 32)],
        [(1, 128, 32), (3, 32, 32), (1, 32, 128)],
    ]
    texts = " ".join(t.get_text() for t in build(mine).axes[0].texts)
    assert "1×1 conv, 256 → 64" in texts and "3×3 conv, 64 → 64" in texts


# --- q4: the averaged axes ------------------------------------------------------------


def test_the_averaged_axes_are_those_each_norm_averages_over():
    from symhw.problems import norm_shapes

    cases = (
        {"name": "conv", "norm": "batch", "layout": "NHWC"},
        {"name": "fc", "norm": "layer", "layout": "NC"},
        {"name": "inst", "norm": "instance", "layout": "NCHW"},
        {"name": "grp", "norm": "group", "layout": "NCHW", "groups": 4},
    )
    sol = norm_shapes.solve(norm_shapes.Params(cases=cases))
    (fig,) = figures_of(sol)
    # "(a) conv: batch norm", or on two lines "(c) inst\ninstance norm" when longer
    shown = {re.split(r"[:\n]", r.title.split(") ")[1])[0]: r for r in fig.drawing.rows}
    # by the definitions: batch norm keeps C, layer norm keeps N, instance norm keeps N and
    # C, group norm keeps N and the group G (C splits into G × C/G)
    assert shown["conv"].averaged == (True, True, True, False)
    assert shown["fc"].averaged == (False, True)
    assert shown["inst"].averaged == (False, False, True, True)
    assert shown["grp"].axes == ("N", "G", "c", "H", "W")
    assert shown["grp"].averaged == (False, False, True, True, True)
    assert [str(d) for d in shown["conv"].result] == ["1", "1", "1", "C"]


# --- q5: the sparsity pattern ----------------------------------------------------------


def _torch_pattern(problem) -> np.ndarray:
    """Which entries of A are nonzero: the Jacobian of torch's convolution, random weights."""
    p = problem.params
    g = layer_geometry(p, problem.id)
    torch.manual_seed(0)
    w = torch.randn(g.out_channels, g.in_channels // g.groups, *g.kernel, dtype=torch.float64)
    x = torch.randn(1, g.in_channels, *g.size, dtype=torch.float64)
    conv = F.conv1d if g.dims == 1 else F.conv2d
    kw = {"stride": g.stride, "padding": g.padding, "dilation": g.dilation, "groups": g.groups}
    jac = torch.autograd.functional.jacobian(lambda v: conv(v, w, **kw), x)
    rows = math.prod(jac.shape[: 2 + g.dims])
    return (jac.reshape(rows, -1) != 0).numpy()


@pytest.mark.parametrize("which", ["hw2", "other"])
def test_the_sparsity_pattern_is_the_jacobians(which, other):
    problem = load_problem_set().problems[4] if which == "hw2" else other[1].problems[1]
    (fig,) = conv_figures(ShownLayer(layer_geometry(problem.params, problem.id)))
    pattern = fig.drawing
    assert isinstance(pattern, SparsityPattern) and pattern.cell == 1
    expected = _torch_pattern(problem)
    assert np.array_equal(pattern.grid, expected)
    assert f"with {int(expected.sum()):,} nonzeros" in fig.caption.segments[1]
    g = layer_geometry(problem.params, problem.id)
    assert (pattern.row_blocks, pattern.col_blocks) == (g.out_channels, g.in_channels)


@pytest.mark.parametrize("seed", range(5))
def test_the_drawn_rectangles_cover_exactly_the_filled_cells(seed):
    from symhw.render.plots import filled_cells

    grid = np.random.default_rng(seed).random((7, 11)) < 0.5
    vertices, codes = filled_cells(grid, 3)
    drawn = np.zeros_like(grid)
    for rect in vertices.reshape(-1, 5, 2) // 3:  # back to cells
        (x0, y0), (x1, y1) = rect[0], rect[2]
        assert y1 == y0 + 1 and not drawn[y0, x0:x1].any()  # one row, no overlap
        drawn[y0, x0:x1] = True
    assert np.array_equal(drawn, grid) and len(codes) == len(vertices)


def test_the_hw2_pattern_names_its_rows_y_jt_and_its_columns_x_it():
    problem = load_problem_set().problems[4]
    (fig,) = conv_figures(ShownLayer(layer_geometry(problem.params, problem.id)))
    p = fig.drawing
    assert [str(n) for n in p.row_names] == ["Y_11", "Y_12", "Y_21", "Y_22"]
    assert [str(n) for n in p.col_names] == [f"x_{i}{t}" for i in (1, 2) for t in (1, 2, 3, 4)]
    assert [str(s) for s in p.row_label[:1] + p.col_label[:1]] == ["Y_jt", "x_it"]
    assert int(p.grid.sum()) == 24  # 2 × 2 channel pairs × 2 outputs × 3 taps


def test_a_pattern_at_the_nonzero_limit_is_an_image_of_cells():
    """20,000,000 nonzeros: 16 → 16 channels of 78,125 positions, kernel 1."""
    problem = load_problem_set(LIMITS / "conv-nonzeros.toml").problems[0]
    start = time.perf_counter()
    figs = conv_figures(ShownLayer(layer_geometry(problem.params, problem.id)))
    pattern = figs[0].drawing
    n, b = 78_125, pattern.cell
    assert pattern.shape == (16 * n, 16 * n) and pattern.grid.shape[0] <= 128
    # independent: row j·n + t and column i·n + t are the nonzeros (kernel 1)
    expected = np.zeros_like(pattern.grid)
    t = np.arange(n)
    for j in range(16):
        for i in range(16):
            expected[(j * n + t) // b, (i * n + t) // b] = True
    assert np.array_equal(pattern.grid, expected)
    pdf = draw(pattern, "pdf")
    assert b"/Subtype /Image" not in pdf and len(pdf) < 200_000  # vector cells, no image
    assert time.perf_counter() - start < 120  # a hang guard, not a benchmark


# --- files ---------------------------------------------------------------------------


def test_figure_files_are_valid_and_linked_by_the_sheet(default_sheet):
    directory = default_sheet / "hw2-figures"
    names = sorted(p.name for p in directory.iterdir())
    stems = sorted({n.rsplit(".", 1)[0] for n in names})
    assert {s.split("-")[0] for s in stems} == {"q1", "q2", "q3", "q4", "q5"}
    assert names == sorted(f"{s}.{e}" for s in stems for e in ("pdf", "svg"))
    tex = (default_sheet / "hw2.tex").read_text("utf-8")
    md = (default_sheet / "hw2.md").read_text("utf-8")
    for stem in stems:
        assert (directory / f"{stem}.pdf").read_bytes().startswith(b"%PDF-")
        root = ET.fromstring((directory / f"{stem}.svg").read_bytes())
        assert root.tag == "{http://www.w3.org/2000/svg}svg"
        assert f"\\includegraphics{{hw2-figures/{stem}.pdf}}" in tex
        assert f"(hw2-figures/{stem}.svg)" in md


def test_committed_figures_are_what_the_code_draws(default_sheet):
    committed = REPO / "reports" / "hw2-figures"
    names = sorted(p.name for p in committed.iterdir())
    assert names == sorted(p.name for p in (default_sheet / "hw2-figures").iterdir())
    for name in names:
        fresh = (default_sheet / "hw2-figures" / name).read_bytes()
        assert fresh == (committed / name).read_bytes(), f"reports/hw2-figures/{name} is stale"


@pytest.mark.skipif(not HAS_TEX, reason="needs pdflatex")
@pytest.mark.parametrize("where", ["fresh", "committed"])
def test_the_compiled_sheet_holds_the_figures(default_sheet, where):
    pdf = (default_sheet if where == "fresh" else REPO / "reports") / "hw2.pdf"
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    for title in ("The activation and its derivative", "Gradient norm as the weights grow",
                  "The network", "The blocks", "The averaged axes",
                  "Sparsity pattern of A"):  # fmt: skip
        assert title in text
    # text drawn inside the figures themselves (up to an arrow, which comes from a second
    # subset of the font and so starts a new run of text)
    for inside in ("saturated", "3×3 conv, 32", "1×1 conv, 128", "input, 128 channels"):
        assert inside in text, inside


def test_other_specs_get_their_own_figures(other, tmp_path):
    _, problem_set = other
    _, drawn = sheet_output(problem_set, ["md"])
    assert sorted(drawn) == [
        "other-figures/blocks-1.svg",
        "other-figures/conv-1.svg",
        "other-figures/net-1.svg",
    ]
    hw2 = {p.read_bytes() for p in (REPO / "reports" / "hw2-figures").glob("*.svg")}
    assert not hw2 & set(drawn.values())


@pytest.mark.parametrize(
    ("formats", "files"),
    [
        (["json"], []),
        (["md"], ["conv-1.svg"]),
        (["tex"], ["conv-1.pdf"]),
        (["tex", "md"], ["conv-1.pdf", "conv-1.svg"]),
    ],
)
def test_figures_are_written_only_for_the_formats_asked_for(tmp_path, formats, files):
    spec = tmp_path / "s.toml"
    spec.write_text('[[problems]]\nid = "conv"\nkind = "conv-matrix"\n', "utf-8")
    write_sheet(load_problem_set(spec), tmp_path / "out", formats)
    figures = tmp_path / "out" / "s-figures"
    assert (sorted(p.name for p in figures.iterdir()) if figures.exists() else []) == files


def test_importing_symhw_does_not_import_matplotlib():
    code = "import sys, symhw, symhw.sheet, symhw.cli; print('matplotlib' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO)
    assert done.stdout.strip() == "False", done.stderr


def test_a_figure_has_the_same_bytes_whichever_formats_are_drawn_with_it(tmp_path):
    spec = tmp_path / "s.toml"
    spec.write_text('[[problems]]\nid = "q1"\nkind = "activation-loss"\n', "utf-8")
    problem_set = load_problem_set(spec)
    both = sheet_output(problem_set, ["tex", "md"])[1]
    alone = sheet_output(problem_set, ["tex"])[1] | sheet_output(problem_set, ["md"])[1]
    assert both == alone and len(both) == 4


def test_figures_use_the_fonts_shipped_with_matplotlib():
    """Not a system font of the same name, whose version varies from machine to machine."""
    import matplotlib
    from matplotlib import font_manager

    from symhw.render.figures import _RC

    data = matplotlib.get_data_path()
    with matplotlib.rc_context(_RC):
        for weight in ("normal", "bold"):
            props = font_manager.FontProperties(family=_RC["font.family"], weight=weight)
            assert font_manager.findfont(props, fallback_to_default=False).startswith(data)


def _widest_inches(pdf: bytes) -> float:
    import re

    box = re.search(rb"/MediaBox \[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    return float(box.group(1)) / 72


@pytest.mark.parametrize(
    "problem",
    [
        ("mlp-8x8-sigmoid.toml", 0),
        ("blocks-max.toml", 0),
        ("conv-nonzeros-channels.toml", 0),
    ],
)
def test_figures_at_the_limits_fit_the_sheets_line(problem):
    """17 cm is 6.69 in: a figure is included at its natural size, never shrunk."""
    from symhw.problems.block_params import LETTERS
    from symhw.problems.block_params.figures import block_figures
    from symhw.problems.mlp_backprop.figures import network_figure
    from symhw.problems.mlp_backprop.inputs import network

    name, index = problem
    spec = load_problem_set(LIMITS / name).problems[index]
    if spec.kind == "mlp-backprop":
        figs = [network_figure(network(spec.params, spec.id))]
    elif spec.kind == "block-params":
        figs = block_figures(LETTERS, spec.params.blocks)[:1]
    else:
        figs = conv_figures(ShownLayer(layer_geometry(spec.params, spec.id)))
    for fig in figs:
        assert _widest_inches(draw(fig.drawing, "pdf")) <= 6.5


def test_the_widest_axes_figure_fits_the_line():
    from symhw.problems import norm_shapes

    cases = ({"name": "g", "norm": "group", "layout": "NCHW", "groups": 4},)
    (fig,) = figures_of(norm_shapes.solve(norm_shapes.Params(cases=cases)))
    assert _widest_inches(draw(fig.drawing, "pdf")) <= 6.5


def test_a_file_where_the_figures_go_is_named_and_nothing_is_written(tmp_path, capsys):
    from symhw.cli import main

    spec = tmp_path / "s.toml"
    spec.write_text('[[problems]]\nid = "conv"\nkind = "conv-matrix"\n', "utf-8")
    out = tmp_path / "out"
    out.mkdir()
    (out / "s-figures").write_text("mine", "utf-8")
    assert main(["sheet", str(spec), "-o", str(out), "--format", "md"]) == 2
    assert f"cannot write '{out / 's-figures'}'" in capsys.readouterr().err
    assert sorted(p.name for p in out.iterdir()) == ["s-figures"]
    assert (out / "s-figures").read_text("utf-8") == "mine"


@pytest.mark.skipif(not HAS_TEX, reason="needs pdflatex")
def test_names_with_dots_and_underscores_include_their_figures(tmp_path):
    spec = tmp_path / "s.toml"
    spec.write_text(
        'name = "my_sheet.v2"\n[[problems]]\nid = "a.b_c"\nkind = "conv-matrix"\n', "utf-8"
    )
    write_sheet(load_problem_set(spec), tmp_path / "out", ["pdf"])
    text = subprocess.run(
        ["pdftotext", str(tmp_path / "out" / "my_sheet.v2.pdf"), "-"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert "(input channel i, position t)" in text  # the figure's own axis label
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["my_sheet.v2.pdf"]


@pytest.mark.parametrize("detail", ["answers", "key", "full"])
def test_the_figures_written_are_those_the_documents_link(tmp_path, detail):
    """No figure is drawn that no document shows (the answers table shows none; Part I
    the ones its key holds), and every figure a document links is there."""
    spec = tmp_path / "s.toml"
    spec.write_text('[[problems]]\nid = "q1"\nkind = "activation-loss"\n', "utf-8")
    write_sheet(load_problem_set(spec), tmp_path / "out", ["tex", "md"], detail=detail)
    tex = (tmp_path / "out" / "s.tex").read_text("utf-8")
    md = (tmp_path / "out" / "s.md").read_text("utf-8")
    linked = set(re.findall(r"\\(?:includegraphics|symhwfigure)\{(s-figures/[^}]+)\}", tex))
    linked |= set(re.findall(r"\]\((s-figures/[^)]+)\)", md))
    written = {p.relative_to(tmp_path / "out").as_posix() for p in tmp_path.glob("out/s-figures/*")}
    assert written == linked
    assert bool(written) == (detail != "answers")  # q1's Part I shows θ and θ′


_INDEX = r"\{[A-Za-z0-9(),]{1,4}\}"


@settings(max_examples=40)
@given(st.from_regex(rf"[A-Za-z]((_{_INDEX})?(\^{_INDEX})?|\^{_INDEX}_{_INDEX})", fullmatch=True))
def test_labels_set_without_a_trial_parse_are_ones_mathtext_sets(source):
    """The symbols whose LaTeX :func:`symhw.render.mpl.math` passes to mathtext untried
    are ones it parses (a label it could not parse would stop the drawing)."""
    from matplotlib.mathtext import MathTextParser

    from symhw.render.mpl import _PLAIN_SYMBOL

    assert _PLAIN_SYMBOL.fullmatch(source)
    MathTextParser("path").parse(f"${source}$")  # raises ValueError if it cannot


def test_the_hw2_pattern_writes_each_weight_in_its_cell_as_the_seed_does():
    """The seed's A, hand-checked (its w_5^22 corrected to w_3^22), cell by cell; a layer
    too large for names in cells keeps black cells and says so."""
    seed_a = [
        "w_1^11 w_2^11 w_3^11 0 w_1^21 w_2^21 w_3^21 0",
        "0 w_1^11 w_2^11 w_3^11 0 w_1^21 w_2^21 w_3^21",
        "w_1^12 w_2^12 w_3^12 0 w_1^22 w_2^22 w_3^22 0",
        "0 w_1^12 w_2^12 w_3^12 0 w_1^22 w_2^22 w_3^22",
    ]
    expected = {
        (r, c, name) for r, row in enumerate(seed_a) for c, name in enumerate(row.split())
    } - {(r, c, "0") for r in range(4) for c in range(8)}
    problem = load_problem_set().problems[4]
    (fig,) = conv_figures(ShownLayer(layer_geometry(problem.params, problem.id)))
    assert {(r, c, str(name)) for r, c, name in fig.drawing.entries} == expected
    assert "the weight it holds written in it" in fig.caption.segments[1]
    (big,) = conv_figures(ShownLayer(conv_geometry(1, 1, 14, 3)))  # A is 12 × 14
    assert big.drawing.entries == () and "each black cell" in big.caption.segments[1]


# --- print size: figures are drawn at the size they are printed ----------------------


def _streams(pdf: bytes) -> list[bytes]:
    """The Flate-compressed streams of a PDF, decompressed (matplotlib and pdfTeX write
    their page contents so)."""
    import zlib

    out = []
    for match in re.finditer(rb"stream\r?\n", pdf):
        end = pdf.find(b"endstream", match.end())
        with contextlib.suppress(zlib.error):
            out.append(zlib.decompress(pdf[match.end() : end]))
    return out


def _placed_scales(pdf: bytes) -> list[tuple[float, float]]:
    """The scale (x, y) at which each included figure (an XObject /Im…) is drawn on the
    pages: the product of the ``cm`` matrices in force (q … Q nesting), text left out."""
    scales = []
    for content in _streams(pdf):
        outside_text = re.sub(rb"\bBT\b.*?\bET\b", b" ", content, flags=re.S)
        stack, now = [], (1.0, 1.0)
        ops = rb"((?:[-\d.]+\s+){6})cm|(?<!\S)([qQ])(?!\S)|/(Im\d+)\s+Do"
        for m in re.finditer(ops, outside_text):
            if m.group(1):
                a, _, _, d = (float(v) for v in m.group(1).split()[:4])
                now = (now[0] * a, now[1] * d)
            elif m.group(2) == b"q":
                stack.append(now)
            elif m.group(2) == b"Q":
                now = stack.pop() if stack else (1.0, 1.0)
            else:
                scales.append(now)
    return scales


def test_the_scale_reader_sees_a_shrunk_figure():
    """The oracle of the next test, on a hand-written page: a figure drawn inside a
    0.62 scaling, then one at its size."""
    import zlib

    page = b"q 0.62 0 0 0.62 56 220 cm q 1 0 0 1 0 0 cm /Im1 Do Q Q BT (q) Tj ET "
    page += b"1 0 0 1 9 9 cm /Im2 Do"
    pdf = b"stream\n" + zlib.compress(page) + b"\nendstream"
    assert _placed_scales(pdf) == [(0.62, 0.62), (1.0, 1.0)]


@pytest.mark.skipif(not HAS_TEX, reason="needs pdflatex")
def test_no_figure_is_scaled_in_the_sheet(default_sheet):
    """Part I and the appendix include each figure file at its natural size: no width=,
    scale= or resizing in the .tex, and in the compiled PDF every figure is placed at
    scale 1 (so its text prints at the size it was drawn at)."""
    tex = (default_sheet / "hw2.tex").read_text("utf-8")
    graphics = re.findall(r"\\includegraphics(\[[^]]*\])?\{([^}]+)\}", tex)
    assert graphics and all(not options for options, _ in graphics)
    assert not re.search(r"\\(resizebox|scalebox|adjustbox|setkeys\{Gin\})", tex)
    assert len(re.findall(r"\\symhwfigure\{hw2-figures/q\d-\d\.pdf\}", tex)) == 5  # Part I
    scales = _placed_scales((default_sheet / "hw2.pdf").read_bytes())
    assert len(scales) == 11  # 5 in Part I, 6 in the appendix
    assert all(math.isclose(x, 1) and math.isclose(y, 1) for x, y in scales), scales


def test_each_figure_fits_the_width_it_is_placed_at(default_sheet):
    """The 17 cm line is 481.9 bp; Part I sets a figure at most 3.51 in (252.7 bp) wide
    beside its caption, a wider one above it. q1, q3 and q5 sit beside their captions
    (their pages are full), q2's network and q4's axes above them."""
    line, beside = 170 / 25.4 * 72, 3.51 * 72
    widths = {}
    for path in sorted((default_sheet / "hw2-figures").glob("*.pdf")):
        box = re.search(rb"/MediaBox \[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", path.read_bytes())
        widths[path.stem] = float(box.group(1))
        svg = ET.fromstring((path.with_suffix(".svg")).read_bytes())
        assert math.isclose(float(svg.get("width").removesuffix("pt")), widths[path.stem])
    assert all(w <= line for w in widths.values()), widths
    assert all(widths[s] <= beside for s in ("q1-1", "q1-2", "q3-1", "q5-1")), widths
    assert all(beside < widths[s] for s in ("q2-1", "q4-1")), widths


def _text_sizes(drawing) -> list[tuple[str, float]]:
    """Every piece of text a drawing shows, with its size in points (tick labels
    included: the figure is saved once, which lays them out)."""
    from symhw.render.figures import _settings

    fig = build(drawing)
    with _settings():
        fig.savefig(io.BytesIO(), format="pdf")
    texts = fig.findobj(lambda o: hasattr(o, "get_text") and hasattr(o, "get_fontsize"))
    return [(t.get_text(), t.get_fontsize()) for t in texts if t.get_visible() and t.get_text()]


def test_every_figure_text_is_at_least_8_pt_and_its_scripts_at_least_6_pt(other):
    """Printed at scale 1 (the test above), a text's drawn size is its printed size:
    at least 8 pt; mathtext sets scripts and fractions at 0.7 of their text, so text with
    any is at least 8.6 pt (scripts of 6 pt). The figure files agree: no glyph in them is
    set below 6 pt."""
    problems = load_problem_set().problems
    drawings = [f.drawing for p in problems for f in figures_of(solve(p))]
    drawings += [f.drawing for sol in other[0].values() for f in figures_of(sol)]
    for drawing in drawings:
        sizes = _text_sizes(drawing)
        assert sizes
        for words, size in sizes:
            assert size >= 8, (type(drawing).__name__, words, size)
            if "$" in words and re.search(r"[_^]|\\frac", words):
                assert size * 0.7 >= 6, (type(drawing).__name__, words, size)
        glyphs = [float(s) for c in _streams(draw(drawing, "pdf"))
                  for s in re.findall(rb"/F\d+ ([\d.]+) Tf", c)]  # fmt: skip
        assert glyphs and min(glyphs) >= 6, (type(drawing).__name__, min(glyphs))
