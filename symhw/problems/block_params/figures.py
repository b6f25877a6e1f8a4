"""The picture of a block-params sheet: the blocks side by side, with kernels and widths."""

from __future__ import annotations

import sympy as sp

from symhw.counts.blocks import Block
from symhw.counts.layers import Conv
from symhw.counts.layers import k as kernel_size
from symhw.derivation import Figure, Paragraph
from symhw.figures import BlockColumn, BlockDiagram, ConvBox
from symhw.notation import axes_shape

#: Blocks drawn side by side in one figure; more make further figures.
PER_FIGURE = 3


def _box(conv: Conv) -> ConvBox:
    return ConvBox(conv.kernel, conv.c_in, conv.c_out, conv.stride)


def block_column(letter: str, block: Block) -> BlockColumn:
    """One block's convolutions and shortcut, as its counts see them.

    >>> column = block_column("a", Block("bottleneck", 128, 128, 32))
    >>> [(c.kernel, c.c_in, c.c_out) for c in column.convs]
    [(1, 128, 32), (3, 32, 32), (1, 32, 128)]
    """
    convs = tuple(_box(c) for c in block.main_path() if isinstance(c, Conv))
    shortcut = next((_box(c) for c in block.shortcut() if isinstance(c, Conv)), None)
    return BlockColumn(f"({letter}) {block.label}", convs, shortcut, block.batchnorm)


def block_figures(letters: str, blocks: tuple[Block, ...]) -> list[Figure]:
    """The blocks, up to :data:`PER_FIGURE` a figure."""
    columns = [block_column(a, b) for a, b in zip(letters, blocks, strict=False)]
    figures = []
    for k in range(0, len(columns), PER_FIGURE):
        chunk = tuple(columns[k : k + PER_FIGURE])
        figures.append(
            Figure(
                "The blocks"
                if len(columns) <= PER_FIGURE
                else f"The blocks, part {k // PER_FIGURE + 1}",
                BlockDiagram(chunk),
                caption(chunk),
            )
        )
    return figures


def caption(columns: tuple[BlockColumn, ...]) -> Paragraph:
    """What the boxes and the shortcut of these blocks are, from their own kernels and
    shortcuts.

    >>> caption((block_column("a", Block("basic", 32, 32)),)).segments[2][:41]
    ' convolution from its input to its output'
    """
    convs = [c for col in columns for c in (*col.convs, *filter(None, (col.shortcut,)))]
    kernels = sorted({c.kernel for c in convs}, reverse=True)
    pads = ", ".join(f"{k}×{k}: {(k - 1) // 2}" for k in kernels)
    projected = [col.title.split(" ")[0] for col in columns if col.shortcut is not None]
    if not projected:
        through = ""
    elif len(projected) == len(columns):
        through = ", through a 1×1 projection,"
    else:
        through = f" (through a 1×1 projection in {', '.join(projected)})"
    bn = any(col.batchnorm for col in columns)
    follows = (
        "BN (batch norm) and ReLU written under a box follow it"
        if bn
        else ("a ReLU written under a box follows it")
    )
    strided = (
        "; a stride written there is the convolution's" if any(c.stride > 1 for c in convs) else ""
    )
    return Paragraph(
        (
            "Each box is a ",
            axes_shape("kk"),
            " convolution from its input to its output channels, with ",
            sp.Mul(kernel_size - 1, sp.Pow(2, -1, evaluate=False), evaluate=False),
            f" zeros of padding on each side ({pads}); {follows}{strided}. "
            f"The shortcut on the right adds the block's input{through} to the last "
            "convolution's output, before the final ReLU.",
        )
    )
