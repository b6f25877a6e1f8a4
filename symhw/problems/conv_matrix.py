"""Question 5, generalised: a convolution as Y = A x with symbolic weights; Aᵀ is its backward."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sympy as sp

from symhw.conv import ConvGeometry, conv_geometry
from symhw.conv.backward import backward_convolution, backward_pass
from symhw.conv.checks import exact_results, numbers_derivation, operator_checks
from symhw.conv.derivation import built, element_equations, matrix_form
from symhw.conv.given import exact_tensor, parse_tensor
from symhw.conv.layer import Layer
from symhw.conv.limits import MAX_NUMBERS, MAX_TAPS, check_layer
from symhw.conv.symbols import LOSS
from symhw.derivation import Paragraph, Solution
from symhw.errors import InputError, quote
from symhw.notation import GradientEntry, indexed_symbol
from symhw.params import SEQUENCE, Parameters, Where, as_sequence, check_call, integer, param
from symhw.problems.conv_parts import figures, kernels_answer, matrix_answers, tensor_answer

KIND = "conv-matrix"
SUMMARY = (
    "a 1-D or 2-D convolution as Y = A x with symbolic weights w_k^{ij}, ∂L/∂x = Aᵀ ∂L/∂Y, "
    "and the backward pass as a convolution of the padded ∂L/∂Y with flipped kernels"
)


def per_axis(minimum: int, maximum: int = 1 << 20):
    """A parser for a size given once for every axis or as a list [height, width]."""

    def parse(value: object, where: Where) -> int | tuple[int, ...]:
        value = as_sequence(value)
        items = value if isinstance(value, SEQUENCE) else [value]
        if not 1 <= len(items) <= 2:
            raise where.error(f"expected a whole number or a list of two, got {quote(value)}")
        parsed = tuple(integer(minimum, maximum)(v, where) for v in items)
        return parsed if isinstance(value, SEQUENCE) else parsed[0]

    return parse


@dataclass(frozen=True)
class Params(Parameters):
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
        3,
        parse=per_axis(1, MAX_TAPS),
        help="kernel size K, or [K_h, K_w] in 2-D (at most 4096 positions)",
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
        None, parse=parse_tensor, help="numbers [out][in/groups][taps] (PyTorch; at most 65,536)"
    )
    x: tuple | None = param(
        None, parse=parse_tensor, help="a numeric input [in][positions] (at most 65,536 numbers)"
    )
    grad_y: tuple | None = param(
        None, parse=parse_tensor, help="a numeric ∂L/∂Y [out][positions] (at most 65,536 numbers)"
    )

    def check(self) -> None:
        validate(self)


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
    backward = sp.Mul(indexed_symbol("A", sup="T"), GradientEntry(LOSS, y), evaluate=False)
    return Paragraph(
        (
            f"A {g.dims}-D convolution layer (a cross-correlation, as in deep-learning "
            "frameworks) maps an input with ",
            sp.Eq(indexed_symbol("C", "in"), g.in_channels),
            f" {_channels(g.in_channels)} of {_size_text(g.size)} to an output with ",
            sp.Eq(indexed_symbol("C", "out"), g.out_channels),
            f" {_channels(g.out_channels)} of {_size_text(g.out_size)}: kernel size "
            f"{_axes(g.kernel)}, stride "
            f"{_axes(g.stride)}, padding {_axes(g.padding)}, dilation {_axes(g.dilation)}"
            f"{groups}. The weight ",
            indexed_symbol("w", "k" if one else "a,b", "ij"),
            " is tap ",
            sp.Symbol("k") if one else sp.Tuple(*sp.symbols("a b")),
            " of the kernel that scans input channel ",
            sp.Symbol("i"),
            " and writes output channel ",
            sp.Symbol("j"),
            "; ",
            indexed_symbol("x", f"i{sub}"),
            " is the input and ",
            indexed_symbol("Y", f"j{sub}"),
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
    for given, result, size in ((x, "Y", g.matrix_shape[0]), (gy, "∂L/∂x", g.matrix_shape[1])):
        if given is not None and size > MAX_NUMBERS:
            raise InputError(
                f"{result} would have {size:,} entries; symhw computes numeric results of at "
                f"most {MAX_NUMBERS:,}: give a smaller layer",
                problem=problem,
                field="x" if result == "Y" else "grad_y",
            )
    return w, x, gy


def _numbers(layer: Layer, w: Any, x: Any, gy: Any) -> tuple[list, list, list]:
    """Y and ∂L/∂x from the given numbers: sheet parts, answers and checks."""
    y, gx, checks = exact_results(layer.index_map, w, x, gy)
    parts, answers = [], []
    exact = all(p is None or p.exact for p in (y, gx))
    if layer.full and exact:
        shown_gx = gx if layer.transpose_fits else None  # Aᵀ too wide to write out
        parts.append(
            numbers_derivation(
                layer.explicit,
                layer.s.weights(),
                w,
                x,
                gy,
                None if y is None else y.rationals(),
                None if shown_gx is None else shown_gx.rationals(),
            )
        )
    if y is not None:
        answers.append(tensor_answer("y", sp.Symbol("Y"), y))
    if gx is not None:
        answers.append(tensor_answer("grad_x", GradientEntry(LOSS, sp.Symbol("x")), gx))
    return parts, answers, list(checks)


def validate(params: Params, problem_id: str | None = None) -> None:
    """Every check that needs no solving (sizes, the layer's size, given tensors' shapes),
    run when the file loads."""
    _given(params, layer_geometry(params, problem_id), problem_id)


def solve(params: Params, problem_id: str = "q5", title: str | None = None) -> Solution:
    """Derive question 5 for any 1-D or 2-D layer.

    >>> sol = solve(Params())
    >>> sol.answer("A").value[1, :4]
    Matrix([[0, w_1^11, w_2^11, w_3^11]])
    >>> sol.answer("backward_kernel").data[0][1]
    ['w_3^12', 'w_2^12', 'w_1^12']
    """
    check_call(params, Params, problem_id, title)
    g = layer_geometry(params, problem_id)
    w, x, gy = _given(params, g, problem_id)
    layer = Layer(g)
    elements = element_equations(layer)
    matrix = matrix_form(layer, elements)
    backward = backward_pass(layer, elements)
    parts: list[Any] = [
        elements.build(),
        *matrix,
        *figures(layer),
        built(backward),
        *backward_convolution(layer, backward),
    ]
    answers = [*matrix_answers(layer), kernels_answer(layer)]
    checks = list(operator_checks(layer.index_map))
    if w is not None:
        more_parts, more_answers, more_checks = _numbers(layer, w, x, gy)
        parts += more_parts
        answers += more_answers
        checks += more_checks
    return Solution(
        problem_id,
        KIND,
        title or f"A {g.dims}-D convolution as a matrix, and its backward pass",
        _statement(g),
        tuple(parts),
        tuple(answers),
        tuple(checks),
    )
