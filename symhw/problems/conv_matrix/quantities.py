"""The quantities of a conv-matrix problem a person may write down besides its answers: each
element equation Y_jt, each ∂L/∂x_it, the shapes of x and Y, x stacked as A reads it, and the
spread, padded ∂L/∂Y. Each is built from the layer's index rule only when asked for."""

from __future__ import annotations

import re
from collections.abc import Callable

import sympy as sp

from symhw.conv import ConvGeometry, dilate_and_pad
from symhw.conv.equations import element_terms, readers_with_taps
from symhw.conv.symbols import ConvSymbols, column
from symhw.derivation import Quantities, Quantity
from symhw.notation import GradientEntry, Shape, indexed_symbol
from symhw.params import check_call
from symhw.problems.conv_matrix.inputs import Params, layer_geometry

#: A signal entry's name: the letter, then its indices (``Y_12``, ``x_1,2,3``).
_ENTRY = re.compile(r"(Y|dL/dx)_([0-9,]{1,40})")


def quantities(params: Params, problem_id: str = "q5") -> Quantities:
    """The quantities of the layer ``params`` describes.

    >>> q = quantities(Params())
    >>> q.find("Y_12").value
    w_1^11*x_12 + w_1^21*x_22 + w_2^11*x_13 + w_2^21*x_23 + w_3^11*x_14 + w_3^21*x_24
    >>> q.find("dL/dx_14").value
    dL/dY_12*w_3^11 + dL/dY_22*w_3^12
    >>> q.find("Y_13") is None, q.find("x_shape").value
    (True, (2, 4))
    """
    check_call(params, Params, problem_id, None)
    g = layer_geometry(params, problem_id)
    s = ConvSymbols(g)
    fixed: dict[str, Callable[[], Quantity]] = {
        "x_shape": lambda: Quantity("x_shape", sp.Symbol("x"), Shape(g.in_channels, *g.size)),
        "Y_shape": lambda: Quantity("Y_shape", sp.Symbol("Y"), Shape(g.out_channels, *g.out_size)),
        "x_stacked": lambda: Quantity("x_stacked", sp.Symbol("x"), column(s.array("x"))),
        "padded_grad_Y": lambda: _padded(g, s),
        "kernel": lambda: _kernels(g, s),
    }

    def find(name: object) -> Quantity | None:
        if not isinstance(name, str):
            return None
        if name in fixed:
            return fixed[name]()
        match = _ENTRY.fullmatch(name)
        return None if match is None else _entry(g, s, name, *match.groups())

    return Quantities(_families(g), find)


def _families(g: ConvGeometry) -> tuple[str, ...]:
    outs = ", ".join(f"{t} = 1..{n}" for t, n in zip("tuv", g.out_size, strict=False))
    ins = ", ".join(f"{t} = 1..{n}" for t, n in zip("tuv", g.size, strict=False))
    return (
        f"Y_jt, an element equation (j = 1..{g.out_channels}, {outs})",
        f"dL/dx_it, a gradient entry (i = 1..{g.in_channels}, {ins})",
        "x_shape",
        "Y_shape",
        "x_stacked",
        "padded_grad_Y",
        "kernel",
    )


def _entry(g: ConvGeometry, s: ConvSymbols, name: str, what: str, indices: str):
    """Y_jt or ∂L/∂x_it by name; None unless the name is exactly how the sheet writes it."""
    parts = indices.split(",") if "," in indices else list(indices)
    if not all(p.isdigit() and p != "0" * len(p) for p in parts) or len(parts) != g.dims + 1:
        return None
    channel, *pos = (int(p) - 1 for p in parts)
    channels, size = (g.out_channels, g.out_size) if what == "Y" else (g.in_channels, g.size)
    if channel >= channels or any(p >= n for p, n in zip(pos, size, strict=True)):
        return None
    pos = tuple(pos)
    if what == "Y":
        label, value = s.y(channel, pos), sp.Add(*element_terms(s, channel, pos))
    else:
        label = s.grad_x(channel, pos)
        ci = g.in_per_group
        value = sp.Add(
            *[
                s.weight(j, channel % ci, tap) * s.grad_y(j, t)
                for j, t, tap in readers_with_taps(g, channel, pos)
            ]
        )
    shown = label.name if isinstance(label, GradientEntry) else str(label)
    return Quantity(name, label, value) if shown == name else None


def _padded(g: ConvGeometry, s: ConvSymbols) -> Quantity:
    """Z: ∂L/∂Y spread by the stride and padded for the backward convolution (1-D: a matrix
    with a row per output channel)."""
    z = dilate_and_pad(s.array("grad_y"), g)
    value = sp.ImmutableMatrix(z.reshape(z.shape[0], -1).tolist())
    return Quantity("padded_grad_Y", indexed_symbol("Z"), value)


def _kernels(g: ConvGeometry, s: ConvSymbols) -> Quantity:
    """Each kernel w^ij as a row of its taps (1-D; a 2-D kernel row by row), one row per
    (input channel i, output channel j) in that order; 0 for a pair of different groups."""
    rows = []
    for i in range(g.in_channels):
        for j in range(g.out_channels):
            same_group = i // g.in_per_group == j // g.out_per_group
            taps = s.kernel(j, i % g.in_per_group).reshape(-1) if same_group else None
            rows.append(list(taps) if taps is not None else [0] * g.taps)
    return Quantity("kernel", indexed_symbol("w", sup="ij"), sp.ImmutableMatrix(rows))
