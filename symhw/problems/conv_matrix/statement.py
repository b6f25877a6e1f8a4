"""The question a conv-matrix sheet answers: the layer in words and symbols."""

from __future__ import annotations

import sympy as sp

from symhw.conv import ConvGeometry
from symhw.conv.symbols import LOSS
from symhw.derivation import Paragraph
from symhw.notation import GradientEntry, indexed_symbol


def _channels(n: int) -> str:
    return "channel" if n == 1 else "channels"


def _size_text(size: tuple[int, ...]) -> str:
    return f"length {size[0]}" if len(size) == 1 else f"size {size[0]} × {size[1]}"


def statement(g: ConvGeometry) -> Paragraph:
    """The question: the layer in words and symbols, and parts (a) to (c)."""
    one = g.dims == 1
    sub = "t" if one else ",m,n"
    groups = f", in {g.groups} groups" if g.groups > 1 else ""
    y, a, x = sp.symbols("Y A x")
    backward = sp.Mul(indexed_symbol("A", sup="T"), GradientEntry(LOSS, y), evaluate=False)
    return Paragraph(
        (
            f"A {g.dims}-D convolution layer (a cross-correlation, as in deep-learning "
            "frameworks) maps an input with ",
            sp.Eq(indexed_symbol("C", "in"), g.in_channels, evaluate=False),
            f" {_channels(g.in_channels)} of {_size_text(g.size)} to an output with ",
            sp.Eq(indexed_symbol("C", "out"), g.out_channels, evaluate=False),
            f" {_channels(g.out_channels)} of {_size_text(g.out_size)}: kernel size "
            f"{axes_text(g.kernel)}, stride {axes_text(g.stride)}, padding "
            f"{axes_text(g.padding)}, dilation {axes_text(g.dilation)}"
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
            " and show the block structure of ",
            a,
            ". (b) Show that, for a loss ",
            LOSS,
            ", ",
            sp.Eq(GradientEntry(LOSS, x), backward, evaluate=False),
            ". (c) Show that the backward pass is itself a convolution of the zero-padded ",
            GradientEntry(LOSS, y),
            " with flipped kernels.",
        )
    )


def axes_text(values: tuple[int, ...]) -> str:
    """One setting of every axis: 3 when the axes agree, else 3 × 2.

    >>> axes_text((3, 3)), axes_text((3, 2))
    ('3', '3 × 2')
    """
    return str(values[0]) if len(set(values)) == 1 else " × ".join(map(str, values))
