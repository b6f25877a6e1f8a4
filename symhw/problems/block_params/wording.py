"""The words a block-params sheet uses for layers and widths: 3×3 conv 64→128, 4C→C→C→4C."""

from __future__ import annotations

from collections.abc import Iterable

from symhw.counts.blocks import Block
from symhw.counts.layers import BatchNorm, Conv, Linear, NetworkLayer, Width


def describe(layer: NetworkLayer, *, stride: bool = True) -> str:
    """A short plain-text description of a layer (a conv's stride left out on request).

    >>> conv = Conv("conv2", 64, 128, 3, stride=2)
    >>> describe(conv), describe(conv, stride=False)
    ('3×3 conv 64→128, stride 2', '3×3 conv 64→128')
    """
    if isinstance(layer, Conv):
        stride = f", stride {layer.stride}" if stride and layer.stride != 1 else ""
        kk = layer.kernel
        return f"{kk}×{kk} conv {arrows((layer.c_in, layer.c_out))}{stride}"
    if isinstance(layer, BatchNorm):
        return f"batch norm over {width_text(layer.channels)} channels"
    if isinstance(layer, Linear):
        return f"linear {arrows((layer.c_in, layer.c_out))}"
    if layer.kernel == 0:
        return "global average pooling"
    return f"{layer.kernel}×{layer.kernel} {layer.kind} pooling, stride {layer.stride}"


def width_text(width: Width) -> str:
    """A width in running text: 32, or 4C for a multiple of the width C.

    >>> from symhw.counts.layers import C
    >>> width_text(32), width_text(4 * C)
    ('32', '4C')
    """
    return str(width).replace("*", "")


def arrows(widths: Iterable[Width]) -> str:
    """Widths in the order data flows through them: 128→32→128."""
    return "→".join(map(width_text, widths))


def outer_widths(block: Block) -> str:
    """A block's input, inner (bottleneck) and output widths: 64→64→256, or 64→128.

    >>> outer_widths(Block("bottleneck", 64, 256, 64)), outer_widths(Block("basic", 64, 128))
    ('64→64→256', '64→128')
    """
    return arrows(w for w in (block.c_in, block.mid, block.c_out) if w is not None)


def path_widths(block: Block) -> str:
    """The widths along a block's main path, into and out of each conv: 4C→C→C→4C.

    >>> path_widths(Block("basic", 32, 32)), path_widths(Block("bottleneck", 128, 128, 32))
    ('32→32→32', '128→32→32→128')
    """
    convs = [layer for layer in block.main_path() if isinstance(layer, Conv)]
    return arrows((convs[0].c_in, *(conv.c_out for conv in convs)))
