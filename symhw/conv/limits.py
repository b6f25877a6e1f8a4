"""The sizes a conv-matrix layer costs the machine, and the limits symhw keeps them within.

Every limit is a count, never a time, so a sheet is the same on every machine: nonzeros of
A (the multiply-adds of one pass), weight symbols, entries of x and of Y, kernel positions,
and the numbers of a given or computed numeric tensor. A layer past a limit is refused when
its file loads, with one message naming the fields and the fix.
"""

from __future__ import annotations

import math

from symhw.conv.shape import AXIS_NAMES, ConvGeometry
from symhw.errors import InputError

#: Nonzeros of A: each random-data check and each exact product costs one multiply-add each.
MAX_NONZEROS = 20_000_000
#: Weight symbols C_out × C_in / groups × kernel positions (also the random weights drawn).
MAX_WEIGHTS = 1 << 24
#: Entries of x (C_in × input positions) and of Y (C_out × output positions): vectors A acts on.
MAX_ENTRIES = 1 << 24
#: Kernel positions K, or K_h × K_w: a convolution visits them one after another.
MAX_TAPS = 4096
#: Numbers in each given tensor (weights, x, grad_y) and entries of each numeric result.
MAX_NUMBERS = 1 << 16


def nonzeros(g: ConvGeometry) -> int:
    """The nonzeros of A: connected channel pairs times the pairs of each axis.

    >>> from symhw.conv import conv_geometry
    >>> nonzeros(conv_geometry(2, 2, 4, 3))
    24
    """
    per_block = math.prod(ax.pairs() for ax in g.axes)
    return g.out_channels * g.in_per_group * per_block


def _sizes(g: ConvGeometry) -> str:
    return ", ".join(AXIS_NAMES[g.dims])


def check_layer(g: ConvGeometry, problem: str | None = None) -> None:
    """Raise an InputError naming the fields if the layer passes any limit."""
    if g.taps > MAX_TAPS:
        raise InputError(
            f"the kernel has {g.taps:,} positions ({' × '.join(map(str, g.kernel))}); symhw "
            f"scans at most {MAX_TAPS:,}: use a smaller kernel",
            problem=problem,
            field="kernel",
        )
    weights = math.prod(g.weight_shape)
    if weights > MAX_WEIGHTS:
        raise InputError(
            f"the layer has {weights:,} weights (out_channels × in_channels / groups × kernel "
            f"positions); symhw names at most {MAX_WEIGHTS:,}: use fewer channels, more groups "
            "or a smaller kernel",
            problem=problem,
            field="in_channels, out_channels, kernel",
        )
    x_entries, y_entries = g.in_channels * math.prod(g.size), g.matrix_shape[0]
    if x_entries > MAX_ENTRIES:
        raise InputError(
            f"x would have {x_entries:,} entries (in_channels × {' × '.join(AXIS_NAMES[g.dims])}); "
            f"symhw handles at most {MAX_ENTRIES:,}: use fewer channels or a smaller input",
            problem=problem,
            field=f"in_channels, {_sizes(g)}",
        )
    if y_entries > MAX_ENTRIES:
        raise InputError(
            f"Y would have {y_entries:,} entries (out_channels × {math.prod(g.out_size):,} output "
            f"positions); symhw handles at most {MAX_ENTRIES:,}: use fewer channels, less padding "
            "or a larger stride",
            problem=problem,
            field="out_channels, padding, stride",
        )
    count = nonzeros(g)
    if count > MAX_NONZEROS:
        raise InputError(
            f"A would have {count:,} nonzeros; symhw builds at most {MAX_NONZEROS:,}: use fewer "
            "channels or a smaller input",
            problem=problem,
            field=f"in_channels, out_channels, {_sizes(g)}",
        )
