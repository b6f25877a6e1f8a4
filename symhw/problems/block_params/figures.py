"""The picture of a block-params sheet: the blocks side by side, with kernels and widths."""

from __future__ import annotations

from symhw.counts.blocks import Block
from symhw.counts.layers import Conv
from symhw.derivation import Figure, Paragraph
from symhw.figures import BlockColumn, BlockDiagram, ConvBox

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
                Paragraph(
                    (
                        "Each box is a convolution, k×k with its input and output channels "
                        "(padding k // 2); the shortcut adds the block's input (or its 1×1 "
                        "projection) before the last ReLU.",
                    )
                ),
            )
        )
    return figures
