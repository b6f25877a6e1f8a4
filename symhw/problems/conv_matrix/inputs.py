"""The parameters of a conv-matrix problem, and every check of them that needs no solving:
the layer's shape and limits, and the given tensors' shapes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from symhw.conv import ConvGeometry, conv_geometry
from symhw.conv.given import exact_tensor, parse_tensor
from symhw.conv.limits import MAX_NUMBERS, MAX_TAPS, check_layer
from symhw.errors import InputError, quote
from symhw.fields import SEQUENCE, Where
from symhw.params import Parameters, as_sequence, integer, param


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


def given_tensors(params: Params, g: ConvGeometry, problem: str | None) -> tuple[Any, Any, Any]:
    """The given weights, x and ∂L/∂Y as exact arrays (None where not given), checked
    against the layer's shapes and against the sizes of the results they make."""
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


def validate(params: Params, problem_id: str | None = None) -> None:
    """Every check that needs no solving (sizes, the layer's size, given tensors' shapes),
    run when the file loads."""
    given_tensors(params, layer_geometry(params, problem_id), problem_id)
