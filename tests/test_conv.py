"""The structured convolution operator against torch: Y = A x, Aᵀ g, the backward convolution.

Every expected value comes from torch (conv1d/conv2d, their autograd input gradient,
conv_transpose1d/2d, the Jacobian of conv) or is worked out by hand in the test.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest
import sympy as sp
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from symhw.conv import (
    ConvGeometry,
    ConvIndexMap,
    backward_as_convolution,
    backward_map,
    conv_geometry,
    correlate,
    correlate_transpose,
    dilate_and_pad,
    flip_kernels,
)
from symhw.conv.backward_map import _all_triplets_match, _blocks_match, backward_map_matches
from symhw.conv.equations import element_terms, reader_count, readers, term_count
from symhw.conv.limits import nonzeros
from symhw.conv.symbols import ConvSymbols, SymbolicConvMatrix
from symhw.conv.windows import Scan, axis_window
from symhw.errors import InputError
from symhw.render.expr import text

SETTINGS = settings(max_examples=25, deadline=None)

#: (in, out, size, kernel, stride, padding, dilation, groups)
LAYERS = [
    (2, 2, (4,), 3, 1, 0, 1, 1),  # question 5 of the seed sheet
    (3, 2, (9,), 4, 3, 2, 2, 1),
    (4, 6, (7,), 2, 2, 1, 1, 2),
    (1, 1, (5,), 1, 1, 0, 1, 1),
    (1, 1, (4,), 2, 1, 3, 1, 1),  # padding wider than the kernel: entries cut
    (2, 3, (5, 6), (3, 2), (2, 1), (1, 2), (1, 2), 1),
    (4, 2, (4, 4), 3, 1, 1, 1, 2),
    (1, 1, (3, 3), 2, 1, 1, 1, 1),
]


def torch_conv(g: ConvGeometry):
    return F.conv1d if g.dims == 1 else F.conv2d


def torch_conv_transpose(g: ConvGeometry):
    return F.conv_transpose1d if g.dims == 1 else F.conv_transpose2d


def torch_kwargs(g: ConvGeometry) -> dict:
    return dict(stride=g.stride, padding=g.padding, dilation=g.dilation, groups=g.groups)


def random_data(g: ConvGeometry, seed: int = 0):
    rng = np.random.default_rng(seed)
    w = rng.standard_normal(g.weight_shape)
    x = rng.standard_normal((g.in_channels, *g.size))
    gy = rng.standard_normal((g.out_channels, *g.out_size))
    return w, x, gy


def torch_forward_backward(g: ConvGeometry, w, x, gy):
    """(y, ∂L/∂x) from torch autograd, for L with ∂L/∂Y = gy."""
    xt = torch.tensor(x)[None].requires_grad_(True)
    y = torch_conv(g)(xt, torch.tensor(w), **torch_kwargs(g))
    y.backward(torch.tensor(gy)[None])
    return y[0].detach().numpy(), xt.grad[0].numpy()


def torch_transpose(g: ConvGeometry, w, gy):
    """conv_transpose with the output padding that restores the input size."""
    natural = [
        (m - 1) * s - 2 * p + d * (k - 1) + 1
        for m, s, p, d, k in zip(g.out_size, g.stride, g.padding, g.dilation, g.kernel, strict=True)
    ]
    extra = tuple(n - m for n, m in zip(g.size, natural, strict=True))
    out = torch_conv_transpose(g)(
        torch.tensor(gy)[None], torch.tensor(w), **torch_kwargs(g), output_padding=extra
    )
    return out[0].numpy()


def geometry(layer) -> ConvGeometry:
    cin, cout, size, k, s, p, d, groups = layer
    return conv_geometry(cin, cout, size if len(size) > 1 else size[0], k, s, p, d, groups)


@pytest.mark.parametrize("layer", LAYERS)
def test_forward_and_backward_match_torch(layer):
    g = geometry(layer)
    w, x, gy = random_data(g)
    y, grad_x = torch_forward_backward(g, w, x, gy)
    index_map = ConvIndexMap(g)
    assert correlate(w, x, g) == pytest.approx(y, abs=1e-12)
    assert index_map.matvec(w, x).reshape(y.shape) == pytest.approx(y, abs=1e-12)
    assert correlate_transpose(w, gy, g) == pytest.approx(grad_x, abs=1e-12)
    assert backward_as_convolution(w, gy, g) == pytest.approx(grad_x, abs=1e-12)
    assert index_map.matvec(w, gy, transpose=True).reshape(grad_x.shape) == pytest.approx(
        grad_x, abs=1e-12
    )
    assert correlate_transpose(w, gy, g) == pytest.approx(torch_transpose(g, w, gy), abs=1e-12)


@pytest.mark.parametrize("layer", LAYERS)
def test_dense_matrix_is_the_jacobian_of_torch_conv(layer):
    g = geometry(layer)
    w, x, _ = random_data(g, seed=1)
    wt = torch.tensor(w)
    jac = torch.autograd.functional.jacobian(
        lambda v: torch_conv(g)(v[None], wt, **torch_kwargs(g))[0], torch.tensor(x)
    )
    expected = jac.reshape(g.matrix_shape).numpy()
    a = ConvIndexMap(g).dense(w)
    assert a.shape == g.matrix_shape
    assert np.array_equal(a, expected)  # the same products, so exactly equal


@pytest.mark.parametrize("layer", LAYERS)
def test_symbolic_matrix_with_weights_substituted_is_the_jacobian(layer):
    g = geometry(layer)
    w, x, _ = random_data(g, seed=2)
    a = SymbolicConvMatrix(ConvIndexMap(g))
    values = dict(zip(a.symbols.weights().reshape(-1), w.reshape(-1), strict=True))
    numeric = np.array(a.explicit().xreplace(values).tolist(), dtype=float)
    wt = torch.tensor(w)
    jac = torch.autograd.functional.jacobian(
        lambda v: torch_conv(g)(v[None], wt, **torch_kwargs(g))[0], torch.tensor(x)
    )
    assert np.array_equal(numeric, jac.reshape(g.matrix_shape).numpy())
    assert np.array_equal(np.array(a.T.explicit().xreplace(values).tolist(), float), numeric.T)


@st.composite
def layers(draw):
    dims = draw(st.sampled_from([1, 2]))
    groups = draw(st.integers(1, 2))
    cin, cout = groups * draw(st.integers(1, 3)), groups * draw(st.integers(1, 3))
    axes = []
    for _ in range(dims):
        k, d, p = draw(st.integers(1, 4)), draw(st.integers(1, 3)), draw(st.integers(0, 3))
        n = draw(st.integers(max(1, d * (k - 1) + 1 - 2 * p), 12))
        axes.append((n, k, draw(st.integers(1, 3)), p, d))
    n, k, s, p, d = (tuple(a[i] for a in axes) for i in range(5))
    return conv_geometry(cin, cout, n if dims == 2 else n[0], k, s, p, d, groups)


@SETTINGS
@given(layers(), st.integers(0, 2**32 - 1))
def test_random_layers_match_torch(g, seed):
    w, x, gy = random_data(g, seed)
    y, grad_x = torch_forward_backward(g, w, x, gy)
    assert correlate(w, x, g) == pytest.approx(y, abs=1e-11)
    assert ConvIndexMap(g).matvec(w, x).reshape(y.shape) == pytest.approx(y, abs=1e-11)
    assert backward_as_convolution(w, gy, g) == pytest.approx(grad_x, abs=1e-11)
    assert correlate_transpose(w, gy, g) == pytest.approx(torch_transpose(g, w, gy), abs=1e-11)
    index_map = ConvIndexMap(g)
    compared = backward_map_matches(index_map)
    assert compared == f"{index_map.nnz} (position, weight) pairs compared exactly"
    assert _blocks_match(index_map)  # the tap-by-tap comparison of large layers agrees


@SETTINGS
@given(layers())
def test_entry_lookups_agree_with_the_dense_matrix(g):
    w = np.arange(1, math.prod(g.weight_shape) + 1, dtype=float).reshape(g.weight_shape)
    a = ConvIndexMap(g).dense(w)
    index_map = ConvIndexMap(g)
    flat = w.reshape(-1)
    for r in range(a.shape[0]):
        assert [c for c, _ in index_map.nonzeros(r)] == list(np.flatnonzero(a[r]))
        for c in range(a.shape[1]):
            k = index_map.weight_at(r, c)
            assert (a[r, c] == 0) if k is None else (a[r, c] == flat[k])
    for c in range(a.shape[1]):
        assert [r for r, _ in index_map.nonzeros(c, transpose=True)] == list(
            np.flatnonzero(a[:, c])
        )


@pytest.mark.parametrize("compare", [_all_triplets_match, _blocks_match])
@pytest.mark.parametrize(
    "mistake",
    [
        "kernels not reversed",
        "Z one place to the left",
        "channels not swapped",
    ],
)
def test_backward_map_comparisons_catch_a_wrong_backward_convolution(monkeypatch, compare, mistake):
    g = conv_geometry(4, 2, (5, 6), (3, 2), stride=(2, 1), padding=1, groups=2)
    assert compare(ConvIndexMap(g))
    if mistake == "kernels not reversed":
        monkeypatch.setattr(backward_map, "flip_kernels", lambda w, g: unflipped(w, g))
    elif mistake == "Z one place to the left":
        right = Scan.backward
        monkeypatch.setattr(
            Scan, "backward", staticmethod(lambda g: replace(right(g), offset=(-1, 0)))
        )
    else:
        monkeypatch.setattr(
            backward_map, "flip_kernels", lambda w, g: flip_kernels(w, g)[[1, 0, 3, 2]]
        )
    assert not compare(ConvIndexMap(g))


def unflipped(w, g: ConvGeometry) -> np.ndarray:
    """flip_kernels without the reversal: the channels swapped, the taps in forward order."""
    reversed_twice = np.asarray(w)[(slice(None), slice(None), *(slice(None, None, -1),) * g.dims)]
    return flip_kernels(reversed_twice, g)


@SETTINGS
@given(
    st.integers(1, 12),
    st.integers(1, 4),
    st.integers(-9, 9),
    st.integers(1, 4),
    st.integers(1, 12),
)
def test_a_tap_window_is_every_output_that_reads_a_stored_value(out_len, stride, shift, step, n):
    """Brute force: output t reads grid position t·stride + shift, which holds value q when
    it equals q·step for some 0 <= q < n."""
    expected = [
        (t, (t * stride + shift) // step)
        for t in range(out_len)
        if (t * stride + shift) % step == 0 and 0 <= (t * stride + shift) // step < n
    ]
    window = axis_window(out_len, stride, shift, step, n)
    if window is None:
        assert expected == []
        return
    outs, values = range(out_len)[window[0]], range(n)[window[1]]
    assert list(zip(outs, values, strict=True)) == expected


@SETTINGS
@given(layers())
def test_nonzeros_are_counted_as_torch_s_jacobian_has_them(g):
    w = np.random.default_rng(0).uniform(1, 2, g.weight_shape)  # no weight is 0
    jac = torch.autograd.functional.jacobian(
        lambda v: torch_conv(g)(v[None], torch.tensor(w), **torch_kwargs(g))[0],
        torch.zeros((g.in_channels, *g.size), dtype=torch.float64),
    )
    assert nonzeros(g) == ConvIndexMap(g).nnz == int(torch.count_nonzero(jac))


@SETTINGS
@given(layers(), st.integers(0, 2**32 - 1))
def test_json_names_are_the_symbols_printed_plainly(g, seed):
    s = ConvSymbols(g)
    index = np.random.default_rng(seed).integers(0, math.prod(g.weight_shape), 5)
    expected = [text(s.weight_flat(int(i))) for i in index]
    assert s.weight_names(index).tolist() == expected


def test_seed_example_by_hand():
    """Question 5: the zero-padded ∂L/∂Y and the flipped kernels as the seed writes them."""
    g = conv_geometry(2, 2, 4, 3)
    g11, g12, g21, g22 = sp.symbols("g11 g12 g21 g22")
    z = dilate_and_pad(np.array([[g11, g12], [g21, g22]], dtype=object), g)
    assert z.tolist() == [[0, 0, g11, g12, 0, 0], [0, 0, g21, g22, 0, 0]]
    w = np.array([[[1, 2, 3], [4, 5, 6]], [[7, 8, 9], [10, 11, 12]]])  # [out j][in i][tap]
    v = flip_kernels(w, g)  # [in i][out j][tap], each reversed
    assert v.tolist() == [[[3, 2, 1], [9, 8, 7]], [[6, 5, 4], [12, 11, 10]]]


@pytest.mark.parametrize(
    ("stride", "length", "expected"),
    [
        (2, 5, [[0, 0, 1, 0, 2, 0, 0]]),  # one zero between entries, 2 on each side
        (2, 6, [[0, 0, 1, 0, 2, 0, 0, 0]]),  # the last input is skipped: one zero more after
        (3, 7, [[0, 0, 1, 0, 0, 2, 0, 0, 0]]),
    ],
)
def test_dilation_by_the_stride(stride, length, expected):
    g = conv_geometry(1, 1, length, 3, stride=stride)
    assert dilate_and_pad([[1, 2]], g).tolist() == expected


def test_padding_wider_than_the_kernel_cuts_entries():
    g = conv_geometry(1, 1, 2, 2, padding=2)  # output length 5, d(K-1) - p = -1
    assert g.backward_padding == ((-1, -1),)
    assert dilate_and_pad([[1, 2, 3, 4, 5]], g).tolist() == [[2, 3, 4]]


def test_counts_of_terms_and_readers_match_the_lists():
    g = conv_geometry(4, 6, (5, 7), (3, 2), (2, 1), (1, 2), (1, 3), groups=2)
    s = ConvSymbols(g)
    for j in range(g.out_channels):
        for pos in np.ndindex(*g.out_size):
            assert term_count(g, pos) == len(element_terms(s, j, pos))
    for i in range(g.in_channels):
        for pos in np.ndindex(*g.size):
            assert reader_count(g, pos) == len(readers(g, i, pos))


@pytest.mark.parametrize(
    ("kwargs", "field", "words"),
    [
        (dict(size=4, kernel=5), "kernel", ["5 positions", "4"]),
        (dict(size=(4, 4), kernel=(2, 7), padding=1), "kernel", ["width", "7 positions", "6"]),
        (dict(size=4, kernel=3, dilation=2), "kernel", ["5 positions", "dilation 2"]),
        (dict(size=0, kernel=1), "length", ["at least 1", "0"]),
        (dict(size=4, kernel=0), "kernel", ["at least 1", "0"]),
        (dict(size=4, kernel=3, stride=-1), "stride", ["at least 1", "-1"]),
        (dict(size=4, kernel=3, padding=-2), "padding", ["at least 0", "-2"]),
        (dict(size=4, kernel=3, groups=3), "groups", ["3", "in_channels = 2"]),
        (dict(size=(4, 4), kernel=(1, 2, 3)), "kernel", ["list of 2"]),
    ],
)
def test_bad_shapes_name_the_field_and_sizes(kwargs, field, words):
    with pytest.raises(InputError) as err:
        conv_geometry(2, 2, **kwargs)
    assert err.value.field == field
    for word in words:
        assert word in str(err.value)


def test_wrong_weight_shape_names_both_shapes():
    g = conv_geometry(2, 2, 4, 3)
    with pytest.raises(InputError, match=r"\[2\]\[2\]\[2\].*\[2\]\[2\]\[3\]") as err:
        correlate(np.zeros((2, 2, 2)), np.zeros((2, 4)), g)
    assert err.value.field == "weights"


def test_results_do_not_depend_on_earlier_calls():
    """Work arrays are reused between calls: a layer whose padded input has the same size."""
    wide, narrow = conv_geometry(1, 1, 3, 2, padding=1), conv_geometry(1, 1, 1, 2, padding=2)
    correlate(np.ones((1, 1, 2)), np.full((1, 3), 7.0), wide)  # fills the middle with 7s
    w, x, gy = random_data(narrow)
    y, grad_x = torch_forward_backward(narrow, w, x, gy)
    assert correlate(w, x, narrow) == pytest.approx(y, abs=1e-12)
    assert correlate_transpose(w, gy, narrow) == pytest.approx(grad_x, abs=1e-12)
