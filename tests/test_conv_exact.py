"""Numeric Y and ∂L/∂x from given numbers: exact (int64 or Python integers) or float64.

Oracles: the convolution's definition summed by hand in Python Fractions (exact results),
torch conv1d/conv2d and autograd (float results), and plain Python floats added in the
documented order (the float64 fallback must round the same way on every machine).
"""

from __future__ import annotations

import itertools
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp
import torch
import torch.nn.functional as F

from symhw.conv import ConvIndexMap, conv_geometry
from symhw.conv import exact as exact_module
from symhw.conv.exact import products, scaled, to_float
from symhw.problems.conv_matrix import Params, solve
from symhw.problems.conv_matrix.checks import exact_results
from symhw.render.json import answer_json, answers_json

GEOMETRIES = [
    conv_geometry(2, 3, 7, 3, stride=2, padding=1, dilation=2),
    conv_geometry(4, 2, (4, 5), (2, 3), stride=(1, 2), padding=(1, 0), groups=2),
]


def rationals(rng: np.random.Generator, shape, digits: int) -> np.ndarray:
    """Decimals with ``digits`` places, as SymPy rationals."""
    scale = 10**digits
    values = rng.integers(-10 * scale, 10 * scale, shape)
    out = np.empty(shape, dtype=object)
    for idx, v in np.ndenumerate(values):
        out[idx] = sp.Rational(int(v), scale)
    return out


def source(g, t, k) -> list[int]:
    """The input position output t reads with tap k: t s + k d - p on each axis."""
    axes = zip(t, k, g.stride, g.dilation, g.padding, strict=True)
    return [a * s + b * d - p for a, b, s, d, p in axes]


def by_definition(g, w, x) -> np.ndarray:
    """Y_{j,t} = Σ_i Σ_k w[j][i][k] x[i][t s + k d - p], in Fractions, straight from the sum."""
    y = np.empty((g.out_channels, *g.out_size), dtype=object)
    for j, *t in np.ndindex(*y.shape):
        total = Fraction(0)
        group = j // g.out_per_group
        for il, k in itertools.product(range(g.in_per_group), np.ndindex(*g.kernel)):
            u = source(g, t, k)
            if all(0 <= v < n for v, n in zip(u, g.size, strict=True)):
                i = group * g.in_per_group + il
                total += Fraction(str(w[(j, il, *k)])) * Fraction(str(x[(i, *u)]))
        y[(j, *t)] = total
    return y


def torch_results(g, w, x, gy):
    conv = F.conv1d if g.dims == 1 else F.conv2d
    kw = dict(stride=g.stride, padding=g.padding, dilation=g.dilation, groups=g.groups)
    xt = torch.tensor(x)[None].requires_grad_(True)
    y = conv(xt, torch.tensor(w), **kw)
    y.backward(torch.tensor(gy)[None])
    return y[0].detach().numpy(), xt.grad[0].numpy()


@pytest.mark.parametrize("g", GEOMETRIES)
@pytest.mark.parametrize("digits", [2, 9])  # int64; 30-bit numerators: Python integers
def test_exact_results_are_the_definition_summed_in_fractions(g, digits):
    rng = np.random.default_rng(digits)
    w = rationals(rng, g.weight_shape, digits)
    x = rationals(rng, (g.in_channels, *g.size), digits)
    gy = rationals(rng, (g.out_channels, *g.out_size), digits)
    y, gx, checks = exact_results(ConvIndexMap(g), w, x, gy)
    assert y.exact and gx.exact and all(c.passed for c in checks)
    expected = by_definition(g, w, x)
    for idx, v in np.ndenumerate(expected):
        assert y.entry(idx) == sp.Rational(v.numerator, v.denominator)
    _, grad_x = torch_results(g, to_float(w), to_float(x), to_float(gy))
    assert gx.floats() == pytest.approx(grad_x, rel=1e-12, abs=1e-9)


@pytest.mark.parametrize(("digits", "fits"), [(2, True), (9, False)])
def test_int64_is_used_only_where_no_sum_can_overflow(digits, fits):
    """2 decimals fit int64; 9 (34-bit numerators, 6 terms a sum) could overflow it."""
    g = GEOMETRIES[0]
    rng = np.random.default_rng(0)
    w, x = (rationals(rng, s, digits) for s in (g.weight_shape, (2, 7)))
    assert exact_module._fits_int64(g, scaled(w, 4096), scaled(x, 4096), False) is fits
    found = products(g, w, {"x": x}, {"weights": to_float(w), "x": to_float(x)})
    assert found["y"].exact


@pytest.mark.parametrize("g", GEOMETRIES)
def test_past_the_budget_results_are_float64_added_in_a_fixed_order(monkeypatch, g):
    monkeypatch.setattr(exact_module, "EXACT_WORK", 0)  # nothing exact fits
    rng = np.random.default_rng(1)
    w = rationals(rng, g.weight_shape, 9)
    x = rationals(rng, (g.in_channels, *g.size), 9)
    gy = rationals(rng, (g.out_channels, *g.out_size), 9)
    y, gx, checks = exact_results(ConvIndexMap(g), w, x, gy)
    assert not y.exact and "over its budget of 0" in y.why_not
    assert all(c.passed and "float64, in a fixed order" in c.description for c in checks)
    wf, xf, gyf = to_float(w), to_float(x), to_float(gy)
    y_torch, gx_torch = torch_results(g, wf, xf, gyf)
    assert y.floats() == pytest.approx(y_torch, rel=1e-12, abs=1e-9)
    assert gx.floats() == pytest.approx(gx_torch, rel=1e-12, abs=1e-9)
    # the documented order: tap after tap, then input channel after input channel
    expected = np.zeros(y.shape)
    for k in np.ndindex(*g.kernel):
        for il in range(g.in_per_group):
            for j, *t in np.ndindex(*y.shape):
                i = j // g.out_per_group * g.in_per_group + il
                u = source(g, t, k)
                if all(0 <= v < n for v, n in zip(u, g.size, strict=True)):
                    expected[(j, *t)] += float(wf[(j, il, *k)]) * float(xf[(i, *u)])
    assert np.array_equal(y.floats(), expected)  # bit for bit


def test_a_float64_answer_is_shown_rounded_and_written_in_full(monkeypatch):
    monkeypatch.setattr(exact_module, "EXACT_WORK", 0)
    w, x = ["0.123456789", "-1.987654321"], ["3.141592653", "2.718281828", "1.414213562"]
    sol = solve(Params(in_channels=1, out_channels=1, length=3, kernel=2, weights=[[w]], x=[x]))
    y = sol.answer("y")
    assert y.approximate
    first = float(w[0]) * float(x[0]) + float(w[1]) * float(x[1])  # tap by tap, as documented
    assert answer_json(y)[0][0] == first
    assert y.value[0, 0] == sp.Float(first, 6)


def test_numbers_near_1e15_are_confirmed_relative_to_their_size():
    """An absolute tolerance of 1e-9 could not hold for products near 1e30."""
    sol = solve(Params(in_channels=1, out_channels=1, length=2, kernel=2,
                       weights=[[["1e15", "-1e15"]]], x=[["1e15", "0.3"]]))  # fmt: skip
    assert answers_json(sol)["y"] == [[10**30 - 3 * 10**14]]
    assert all(c.passed for c in sol.numeric_checks)
