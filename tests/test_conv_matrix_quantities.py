"""The checkable quantities of a conv-matrix problem (symhw check): every element equation
Y_jt and every ∂L/∂x_it, found by name, against torch's convolution and its autograd with
random numbers put in for the symbols; the seed's own equations by hand."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
import torch
import torch.nn.functional as F

from symhw.conv.symbols import ConvSymbols
from symhw.notation import GradientEntry, Shape
from symhw.problems.conv_matrix.inputs import Params, layer_geometry
from symhw.problems.conv_matrix.quantities import quantities

LAYERS = [
    Params(),  # question 5: C_in = C_out = 2, L = 4, K = 3
    Params(in_channels=2, out_channels=3, length=7, kernel=3, stride=2, padding=1, dilation=2),
    Params(in_channels=4, out_channels=2, length=6, kernel=2, groups=2),
    Params(dims=2, in_channels=1, out_channels=2, height=4, width=3, kernel=(2, 2), padding=1),
]


def _grad_y(jt: str) -> GradientEntry:
    """∂L/∂Y_jt, as the notation writes a gradient entry."""
    return GradientEntry(sp.Symbol("L"), sp.Symbol(f"Y_{jt}"))


def test_the_seed_element_equations_by_hand():
    """Y_11, Y_21 and ∂L/∂x_13 of question 5, written out from Y_jt = Σ_i Σ_k w_k^ij x_i,t+k-1."""
    q = quantities(Params())
    w = {f"{k}{i}{j}": sp.Symbol(f"w_{k}^{i}{j}") for k in "123" for i in "12" for j in "12"}
    x = {f"{i}{t}": sp.Symbol(f"x_{i}{t}") for i in "12" for t in "1234"}
    assert q.find("Y_11").value == sum(w[f"{k}{i}1"] * x[f"{i}{k}"] for k in "123" for i in "12")
    assert q.find("Y_21").value == sum(w[f"{k}{i}2"] * x[f"{i}{k}"] for k in "123" for i in "12")
    g = {jt: _grad_y(jt) for jt in ("11", "12", "21", "22")}
    expected = w["311"] * g["11"] + w["211"] * g["12"] + w["312"] * g["21"] + w["212"] * g["22"]
    assert q.find("dL/dx_13").value == expected


def _numbers(symbols, seed: int) -> dict:
    rng = np.random.default_rng(seed)
    return {s: sp.Rational(int(rng.integers(-9, 10)), int(rng.integers(1, 5))) for s in symbols}


@pytest.mark.parametrize("params", LAYERS)
def test_every_element_equation_is_torch_convolution(params):
    g = layer_geometry(params)
    s = ConvSymbols(g)
    rng = np.random.default_rng(7)
    w = rng.integers(-5, 6, size=g.weight_shape).astype(float)
    x = rng.integers(-5, 6, size=(g.in_channels, *g.size)).astype(float)
    conv = F.conv1d if g.dims == 1 else F.conv2d
    kw = dict(stride=g.stride, padding=g.padding, dilation=g.dilation, groups=g.groups)
    y = conv(torch.tensor(x)[None], torch.tensor(w), **kw)[0].numpy()
    values = {s.weight_flat(n): w.reshape(-1)[n] for n in range(w.size)}
    values |= {s.x(c, tuple(p)): x[(c, *p)] for c, *p in np.ndindex(*x.shape)}
    q = quantities(params)
    for j, *t in np.ndindex(*y.shape):
        found = q.find(str(s.y(j, tuple(t))))
        assert float(found.value.xreplace(values)) == y[(j, *t)]


@pytest.mark.parametrize("params", LAYERS)
def test_every_gradient_entry_is_torch_autograd(params):
    g = layer_geometry(params)
    s = ConvSymbols(g)
    rng = np.random.default_rng(8)
    w = rng.integers(-5, 6, size=g.weight_shape).astype(float)
    gy = rng.integers(-5, 6, size=(g.out_channels, *g.out_size)).astype(float)
    x = torch.zeros((1, g.in_channels, *g.size), dtype=torch.float64, requires_grad=True)
    conv = F.conv1d if g.dims == 1 else F.conv2d
    kw = dict(stride=g.stride, padding=g.padding, dilation=g.dilation, groups=g.groups)
    conv(x, torch.tensor(w), **kw).backward(torch.tensor(gy)[None])
    grad_x = x.grad[0].numpy()
    values = {s.weight_flat(n): w.reshape(-1)[n] for n in range(w.size)}
    values |= {s.grad_y(c, tuple(p)): gy[(c, *p)] for c, *p in np.ndindex(*gy.shape)}
    q = quantities(params)
    for i, *p in np.ndindex(*grad_x.shape):
        found = q.find(s.grad_x(i, tuple(p)).name)
        assert float(found.value.xreplace(values)) == grad_x[(i, *p)]


def test_shapes_and_padded_gradient_of_question_5():
    q = quantities(Params())
    assert q.find("x_shape").value == Shape(2, 4) and q.find("Y_shape").value == Shape(2, 2)
    dy = [[_grad_y(f"{j}{t}") for t in "12"] for j in "12"]
    assert q.find("padded_grad_Y").value == sp.Matrix([[0, 0, *dy[0], 0, 0], [0, 0, *dy[1], 0, 0]])
    assert list(q.find("x_stacked").value) == [sp.Symbol(f"x_{i}{t}") for i in "12" for t in "1234"]


@pytest.mark.parametrize(
    "name",
    ["Y_13", "Y_31", "Y_01", "Y_1", "Y_111", "dL/dx_15", "dL/dx_1,1", "y_11", "A", "", "Y_", 7],
)
def test_names_the_problem_does_not_have_are_not_found(name):
    """Out of range, a wrong number of indices, commas where the sheet writes none, the
    wrong case, not a quantity at all, not even text."""
    assert quantities(Params()).find(name) is None


def test_the_families_say_what_names_the_problem_has():
    assert quantities(Params()).families[:2] == (
        "Y_jt, an element equation (j = 1..2, t = 1..2)",
        "dL/dx_it, a gradient entry (i = 1..2, t = 1..4)",
    )


def test_a_params_that_is_not_one_is_refused_by_name():
    with pytest.raises(TypeError, match=r"expected symhw\.problems\.conv_matrix\.inputs\.Params"):
        quantities({"length": 4})
