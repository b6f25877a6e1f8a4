"""The element equations of a layer in its symbols: the terms of Y_jt, and the outputs that
read x_it, counted before any is built. Positions come from the layer's index rule
(:meth:`ConvGeometry.reads <symhw.conv.shape.ConvGeometry.reads>` and its inverse,
:meth:`ConvGeometry.readers <symhw.conv.shape.ConvGeometry.readers>`)."""

from __future__ import annotations

import sympy as sp

from symhw.conv.shape import ConvGeometry, Sizes
from symhw.conv.symbols import ConvSymbols


def term_count(g: ConvGeometry, pos: Sizes) -> int:
    """How many nonzero terms Y_{j,pos} has, for every output channel j (none is built).

    >>> from symhw.conv import conv_geometry
    >>> term_count(conv_geometry(2, 2, 4, 3, padding=1), (0,))  # 2 channels × 2 taps inside
    4
    """
    return g.in_per_group * len(g.reads(pos))


def element_terms(s: ConvSymbols, j: int, pos: Sizes) -> list[sp.Expr]:
    """Y_{j,pos} = Σ_i Σ_k w_k^ij x_{i, s·pos + d·k − p}, the terms that read the input.

    >>> from symhw.conv import conv_geometry
    >>> element_terms(ConvSymbols(conv_geometry(1, 1, 4, 3, padding=1)), 0, (0,))
    [w_2^11*x_11, w_3^11*x_12]
    """
    g = s.geometry
    first = j // g.out_per_group * g.in_per_group
    reads = g.reads(pos)
    return [
        s.weight(j, i - first, tap) * s.x(i, u)
        for i in range(first, first + g.in_per_group)
        for tap, u in reads
    ]


def reader_count(g: ConvGeometry, pos: Sizes) -> int:
    """How many outputs read x_{i,pos}, for every input channel i (none is listed)."""
    return g.out_per_group * len(g.readers(pos))


def readers_with_taps(g: ConvGeometry, i: int, pos: Sizes) -> list[tuple[int, Sizes, Sizes]]:
    """(j, t, tap) of each output Y_{j,t} whose tap reads x_{i,pos}, in (j, t) order.

    >>> from symhw.conv import conv_geometry
    >>> readers_with_taps(conv_geometry(1, 2, 4, 3), 0, (1,))
    [(0, (0,), (1,)), (0, (1,), (0,)), (1, (0,), (1,)), (1, (1,), (0,))]
    """
    first = i // g.in_per_group * g.out_per_group
    readers = g.readers(pos)
    return sorted((j, t, tap) for j in range(first, first + g.out_per_group) for t, tap in readers)


def readers(g: ConvGeometry, i: int, pos: Sizes) -> list[tuple[int, Sizes]]:
    """The outputs (j, t) whose element equation contains x_{i,pos}."""
    return [(j, t) for j, t, _ in readers_with_taps(g, i, pos)]
