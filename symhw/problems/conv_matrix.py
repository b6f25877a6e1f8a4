"""Question 5, generalised: a convolution as Y = A x with symbolic weights; Aᵀ is its backward."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy as sp

from symhw.conv import ConvGeometry, conv_geometry, flip_kernels
from symhw.conv.backward import backward_convolution, backward_pass, flipped_kernel
from symhw.conv.checks import (
    exact_results,
    exact_tensor,
    numbers_derivation,
    operator_checks,
    parse_tensor,
    rational,
)
from symhw.conv.derivation import built, element_equations, matrix_form
from symhw.conv.layer import Layer
from symhw.conv.limits import MAX_TAPS, check_layer
from symhw.conv.symbols import JSON_ENTRIES, LOSS, shown_part, sparsity_pattern
from symhw.derivation import Answer, Figure, Paragraph, Solution
from symhw.errors import InputError
from symhw.notation import Dots, GradientEntry
from symhw.params import Where, integer, param

KIND = "conv-matrix"
SUMMARY = (
    "a 1-D or 2-D convolution as Y = A x with symbolic weights w_k^{ij}, ∂L/∂x = Aᵀ ∂L/∂Y, "
    "and the backward pass as a convolution of the padded ∂L/∂Y with flipped kernels"
)


def per_axis(minimum: int, maximum: int = 1 << 20):
    """A parser for a size given once for every axis or as a list [height, width]."""

    def parse(value: object, where: Where) -> int | tuple[int, ...]:
        items = value if isinstance(value, list) else [value]
        if not 1 <= len(items) <= 2:
            raise where.error(f"expected a whole number or a list of two, got {value!r}")
        parsed = tuple(integer(minimum, maximum)(v, where) for v in items)
        return parsed if isinstance(value, list) else parsed[0]

    return parse


@dataclass(frozen=True)
class Params:
    """Parameters of a ``conv-matrix`` problem (defaults: question 5 of the seed sheet)."""

    dims: int = param(1, parse=integer(1, 2), help="1 (a signal of some length) or 2 (an image)")
    in_channels: int = param(2, parse=integer(1, 4096), help="input channels C_in")
    out_channels: int = param(2, parse=integer(1, 4096), help="output channels C_out")
    length: int | None = param(
        None, parse=integer(1, 1 << 20), help="input length L (dims = 1; 4 if not given)"
    )
    height: int | None = param(
        None, parse=integer(1, 1 << 12), help="input height H (dims = 2; 4 if not given)"
    )
    width: int | None = param(
        None, parse=integer(1, 1 << 12), help="input width W (dims = 2; 4 if not given)"
    )
    kernel: int | tuple[int, ...] = param(
        3, parse=per_axis(1, MAX_TAPS), help="kernel size K, or [K_h, K_w] in 2-D"
    )
    stride: int | tuple[int, ...] = param(1, parse=per_axis(1), help="stride s (or one per axis)")
    padding: int | tuple[int, ...] = param(
        0, parse=per_axis(0), help="zero padding p on each side (or per axis)"
    )
    dilation: int | tuple[int, ...] = param(
        1, parse=per_axis(1), help="dilation d (or one per axis)"
    )
    groups: int = param(1, parse=integer(1, 4096), help="groups (each sees C_in/groups inputs)")
    weights: tuple | None = param(
        None, parse=parse_tensor, help="numbers [out][in/groups][taps] (PyTorch)"
    )
    x: tuple | None = param(None, parse=parse_tensor, help="a numeric input [in][positions]")
    grad_y: tuple | None = param(None, parse=parse_tensor, help="a numeric ∂L/∂Y [out][positions]")


def layer_geometry(params: Params, problem: str | None = None) -> ConvGeometry:
    """The validated shape of the layer a problem describes (errors name the field)."""
    if params.dims == 1:
        for name in ("height", "width"):
            if getattr(params, name) is not None:
                raise InputError(
                    "is for dims = 2; give `length` instead", problem=problem, field=name
                )
        size: Any = 4 if params.length is None else params.length
    else:
        if params.length is not None:
            raise InputError(
                "is for dims = 1; give height and width", problem=problem, field="length"
            )
        size = tuple(4 if v is None else v for v in (params.height, params.width))
    g = conv_geometry(
        params.in_channels,
        params.out_channels,
        size,
        params.kernel,
        params.stride,
        params.padding,
        params.dilation,
        params.groups,
        problem=problem,
    )
    check_layer(g, problem)
    return g


def _channels(n: int) -> str:
    return "channel" if n == 1 else "channels"


def _size_text(size: tuple[int, ...]) -> str:
    return f"length {size[0]}" if len(size) == 1 else f"size {size[0]} × {size[1]}"


def _statement(g: ConvGeometry) -> Paragraph:
    one = g.dims == 1
    sub = "t" if one else ",m,n"
    groups = f", in {g.groups} groups" if g.groups > 1 else ""
    y, a, x = sp.symbols("Y A x")
    backward = sp.Mul(sp.Symbol("A^{T}"), GradientEntry(LOSS, y), evaluate=False)
    return Paragraph(
        (
            f"A {g.dims}-D convolution layer (a cross-correlation, as in deep-learning "
            "frameworks) maps an input with ",
            sp.Eq(sp.Symbol("C_{in}"), g.in_channels),
            f" {_channels(g.in_channels)} of {_size_text(g.size)} to an output with ",
            sp.Eq(sp.Symbol("C_{out}"), g.out_channels),
            f" {_channels(g.out_channels)} of {_size_text(g.out_size)}: kernel size "
            f"{_axes(g.kernel)}, stride "
            f"{_axes(g.stride)}, padding {_axes(g.padding)}, dilation {_axes(g.dilation)}"
            f"{groups}. The weight ",
            sp.Symbol("w_{k}^{ij}" if one else "w_{a,b}^{ij}"),
            " is tap ",
            sp.Symbol("k") if one else sp.Tuple(*sp.symbols("a b")),
            " of the kernel that scans input channel ",
            sp.Symbol("i"),
            " and writes output channel ",
            sp.Symbol("j"),
            "; ",
            sp.Symbol(f"x_{{i{sub}}}"),
            " is the input and ",
            sp.Symbol(f"Y_{{j{sub}}}"),
            " the output. (a) Write the layer as ",
            sp.Eq(y, sp.Mul(a, x, evaluate=False)),
            " and show the block structure of A. (b) Show that ",
            sp.Eq(GradientEntry(LOSS, x), backward),
            ". (c) Show that the backward pass is itself a convolution of the zero-padded ",
            GradientEntry(LOSS, y),
            " with flipped kernels.",
        )
    )


def _axes(values: tuple[int, ...]) -> str:
    return str(values[0]) if len(set(values)) == 1 else " × ".join(map(str, values))


def _figure(layer: Layer, title: str, name: sp.Symbol, one_block: bool = False) -> Figure:
    grid, b = sparsity_pattern(layer.index_map, one_block=one_block)
    g, index_map = layer.geometry, layer.index_map
    rows, cols = (math.prod(g.out_size), math.prod(g.size)) if one_block else g.matrix_shape
    nnz = index_map.block_nnz if one_block else index_map.nnz
    what = (
        "each filled cell is a nonzero entry"
        if b == 1
        else f"each cell stands for a {b} × {b} block and is filled where the block has a nonzero"
    )
    percent = f"{100 * nnz / (rows * cols):.2f}".rstrip("0").rstrip(".")
    caption = (
        name,
        f" is {rows:,} × {cols:,} with {nnz:,} nonzeros ({percent}% of its entries); {what}.",
    )
    return Figure(title, grid, Paragraph(caption))


def _figures(layer: Layer) -> list[Figure]:
    """A's pattern; and a channel block's when A's squares are too coarse to show its bands."""
    g = layer.geometry
    figures = [_figure(layer, "Sparsity pattern of A", sp.Symbol("A"))]
    rows, cols = g.matrix_shape
    b = max(1, math.ceil(max(rows, cols) / 64))  # as sparsity_pattern draws A
    if b > 1 and 8 * b > math.prod(g.out_size) and g.in_channels * g.out_channels > 1:
        sep = "," if max(g.in_channels, g.out_channels) > 9 else ""
        name = sp.Symbol(f"A^{{1{sep}1}}")
        figures.append(_figure(layer, "Sparsity pattern of one channel block", name, True))
    return figures


def _kernels_json(layer: Layer) -> Any:
    """Every v^{ij} by input channel i then output channel j ("0"s across groups), as names;
    only the sizes past JSON_ENTRIES names."""
    g = layer.geometry
    shape = (g.in_channels, g.out_channels, *g.kernel)
    if math.prod(shape) > JSON_ENTRIES:
        return {"shape": list(shape), "entries": "omitted"}
    count = math.prod(g.weight_shape)
    v = flip_kernels(np.arange(count).reshape(g.weight_shape), g)  # which weight, flat
    names = layer.s.weight_texts(v)
    table = np.full(shape, "0", dtype=object)
    for grp in range(g.groups):
        ins = slice(grp * g.in_per_group, (grp + 1) * g.in_per_group)
        table[ins, grp * g.out_per_group : (grp + 1) * g.out_per_group] = names[ins]
    return table.tolist()


def _kernels_answer(layer: Layer) -> Answer:
    """The flipped kernels v^{ij}, by input channel i then output channel j."""
    g = layer.geometry
    pairs: list[tuple[int, int] | None] = [
        (i, j) for i in range(min(g.in_channels, 9)) for j in range(g.out_channels)
    ][:9]
    if g.in_channels * g.out_channels > 8:
        pairs = [*pairs[:2], None, (g.in_channels - 1, g.out_channels - 1)]

    def label(pair) -> sp.Expr:
        if pair is None:
            return Dots("⋮")
        sep = "," if max(g.in_channels, g.out_channels) > 9 else ""
        return sp.Symbol(f"v^{{{pair[0] + 1}{sep}{pair[1] + 1}}}")

    def kernel(pair) -> sp.ImmutableMatrix:
        if pair is None:
            k = np.full(g.kernel, Dots("⋮"), dtype=object)
        elif g.connected(*pair):
            k = flipped_kernel(layer, pair[0], pair[1] % g.out_per_group)
        else:
            k = np.zeros(g.kernel, dtype=int)
        return sp.ImmutableMatrix(k.reshape(-1, g.kernel[-1]).tolist())

    labels = sp.ImmutableMatrix([label(p) for p in pairs])
    if g.dims == 1:
        value: Any = sp.ImmutableMatrix.vstack(*[kernel(p) for p in pairs])
    else:
        value = sp.BlockMatrix([[kernel(p)] for p in pairs])
    return Answer("backward_kernel", labels, value, _kernels_json(layer))


def _matrix_answers(layer: Layer) -> tuple[Answer, Answer]:
    a = layer.A
    rows, cols = a.shape

    def too_big(r: int, c: int) -> dict[str, Any]:
        return {"rows": r, "columns": c, "nonzeros": layer.index_map.nnz, "entries": "omitted"}

    value = layer.explicit if layer.full else a.shown()
    value_t = layer.explicit.T if layer.transpose_fits else a.T.shown()
    return (
        Answer("A", sp.Symbol("A"), value, a.json_rows() or too_big(rows, cols)),
        Answer(
            "A_T",
            sp.MatrixSymbol("A", rows, cols).T,
            value_t,
            a.T.json_rows() or too_big(cols, rows),
        ),
    )


def _tensor_answer(name: str, label: sp.Expr, values: np.ndarray) -> Answer:
    """A numeric result: per channel a row (1-D) or a matrix (2-D); corners only when large."""
    exact = rational(values)
    json = np.vectorize(lambda r: int(r) if r.is_integer else float(r), otypes=[object])(exact)

    def matrix(a: np.ndarray) -> sp.ImmutableMatrix:
        if a.shape[0] * a.shape[1] <= 16 * 16:
            return sp.ImmutableMatrix(a.tolist())
        return shown_part(lambda r, c: a[int(r), int(c)], *a.shape)

    value: Any = matrix(exact) if exact.ndim == 2 else sp.Tuple(*[matrix(c) for c in exact])
    return Answer(name, label, value, json.tolist())


def _given(params: Params, g: ConvGeometry, problem: str) -> tuple[Any, Any, Any]:
    if params.weights is None:
        for name in ("x", "grad_y"):
            if getattr(params, name) is not None:
                raise InputError(
                    f"{name} is given but the weights are not: add weights with shape "
                    + "".join(f"[{n}]" for n in g.weight_shape)
                    + " ([out_channels][in_channels / groups][kernel taps])",
                    problem=problem,
                    field="weights",
                )
        return None, None, None
    if params.x is None and params.grad_y is None:
        raise InputError(
            "weights alone give no numbers: add x (the input) and/or grad_y (∂L/∂Y)",
            problem=problem,
            field="weights",
        )
    w = exact_tensor(params.weights, g.weight_shape, "weights", problem)
    x = gy = None
    if params.x is not None:
        x = exact_tensor(params.x, (g.in_channels, *g.size), "x", problem)
    if params.grad_y is not None:
        gy = exact_tensor(params.grad_y, (g.out_channels, *g.out_size), "grad_y", problem)
    return w, x, gy


def validate(params: Params, problem_id: str) -> None:
    """Every check that needs no solving (sizes, the layer's size, given tensors' shapes),
    run when the file loads."""
    _given(params, layer_geometry(params, problem_id), problem_id)


def solve(params: Params, problem_id: str = "q5", title: str | None = None) -> Solution:
    """Derive question 5 for any 1-D or 2-D layer.

    >>> sol = solve(Params())
    >>> sol.answer("A").value[1, :4]
    Matrix([[0, w_{1}^{11}, w_{2}^{11}, w_{3}^{11}]])
    >>> sol.answer("backward_kernel").json_value[0][1]
    ['w_3^12', 'w_2^12', 'w_1^12']
    """
    g = layer_geometry(params, problem_id)
    w, x, gy = _given(params, g, problem_id)
    layer = Layer(g)
    elements = element_equations(layer)
    matrix = matrix_form(layer, elements)
    backward = backward_pass(layer, elements)
    parts: list[Any] = [
        elements.build(),
        *matrix,
        *_figures(layer),
        built(backward),
        *backward_convolution(layer, backward),
    ]
    answers = [*_matrix_answers(layer), _kernels_answer(layer)]
    checks = list(operator_checks(g))
    if w is not None:
        y, gx, exact_checks = exact_results(g, w, x, gy)
        checks += exact_checks
        if layer.full:
            shown_gx = gx if layer.transpose_fits else None  # Aᵀ too wide to write out
            parts.append(
                numbers_derivation(layer.explicit, layer.s.weights(), w, x, gy, y, shown_gx)
            )
        if y is not None:
            answers.append(_tensor_answer("y", sp.Symbol("Y"), y))
        if gx is not None:
            label = GradientEntry(LOSS, sp.Symbol("x"))
            answers.append(_tensor_answer("grad_x", label, gx))
    return Solution(
        problem_id,
        KIND,
        title or f"A {g.dims}-D convolution as a matrix, and its backward pass",
        _statement(g),
        tuple(parts),
        tuple(answers),
        tuple(checks),
    )
