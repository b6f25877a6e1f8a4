"""Residual blocks (basic and bottleneck) as data: their layers, shapes and validation."""

from __future__ import annotations

from dataclasses import dataclass

from symhw.counts.layers import BatchNorm, Conv, NetworkLayer, Shape, Width, output_shape
from symhw.errors import InputError, quote

BLOCK_KINDS = ("basic", "bottleneck")

#: Size limits. Counts are exact integers whatever the sizes, and cost no more to derive when
#: large; the limits keep each count short enough to set on a line of the sheet (with sizes
#: of 2^16 and a 63×63 kernel a conv's MACs have 28 digits, a block's FLOPs 29).
MAX_CHANNELS = 1 << 16
MAX_KERNEL = 63
MAX_STRIDE = 64


@dataclass(frozen=True)
class Block:
    """A residual block (torchvision layout).

    basic: k×k conv C_in→C_out (stride s), k×k conv C_out→C_out.
    bottleneck: 1×1 conv C_in→mid, k×k conv mid→mid (stride s), 1×1 conv mid→C_out.
    Each conv is followed by batch norm when ``batchnorm``; the shortcut is a 1×1 conv
    (stride s, then batch norm) when ``projection``, and the identity otherwise.
    """

    kind: str
    c_in: Width
    c_out: Width
    mid: Width | None = None
    kernel: int = 3
    stride: int = 1
    projection: bool = False
    bias: bool = False
    batchnorm: bool = False
    name: str = ""

    @property
    def label(self) -> str:
        return self.name or self.kind

    def main_path(self) -> tuple[NetworkLayer, ...]:
        kk, st, b = self.kernel, self.stride, self.bias
        if self.kind == "basic":
            convs = [
                Conv("conv1", self.c_in, self.c_out, kk, st, bias=b),
                Conv("conv2", self.c_out, self.c_out, kk, bias=b),
            ]
        else:
            convs = [
                Conv("conv1", self.c_in, self.mid, 1, bias=b),
                Conv("conv2", self.mid, self.mid, kk, st, bias=b),
                Conv("conv3", self.mid, self.c_out, 1, bias=b),
            ]
        return tuple(self._with_norms(convs))

    def shortcut(self) -> tuple[NetworkLayer, ...]:
        if not self.projection:
            return ()
        proj = Conv("proj", self.c_in, self.c_out, 1, self.stride, bias=self.bias)
        return tuple(self._with_norms([proj]))

    def layers(self) -> tuple[NetworkLayer, ...]:
        return self.main_path() + self.shortcut()

    def _with_norms(self, convs: list[Conv]):
        for conv in convs:
            yield conv
            if self.batchnorm:
                suffix = conv.name.removeprefix("conv")
                yield BatchNorm("bn" + suffix if conv.name != "proj" else "proj_bn", conv.c_out)


def traced_layers(block: Block, shape: Shape) -> list[tuple[NetworkLayer, Shape]]:
    """Every layer of a block with the shape of its input (the shortcut sees the block input).

    >>> block = Block("basic", 64, 128, stride=2, projection=True)
    >>> [(layer.name, shape.h) for layer, shape in traced_layers(block, Shape(1, 64, 56, 56))]
    [('conv1', 56), ('conv2', 28), ('proj', 56)]
    """
    out = []
    for path in (block.main_path(), block.shortcut()):
        current = shape
        for layer in path:
            out.append((layer, current))
            current = output_shape(layer, current)
    return out


def block_output(block: Block, shape: Shape) -> Shape:
    """The shape a block produces (its main path; the shortcut matches it).

    >>> block_output(Block("bottleneck", 64, 256, 64, projection=True), Shape(1, 64, 56, 56))
    Shape(n=1, c=256, h=56, w=56)
    """
    for layer in block.main_path():
        shape = output_shape(layer, shape)
    return shape


def receptive_field(block: Block) -> int:
    """Side of the input window one output of the main path sees: 1 + Σ (k_i − 1)·Π_{j<i} s_j.

    >>> receptive_field(Block("basic", 32, 32)), receptive_field(Block("bottleneck", 128, 128, 32))
    (5, 3)
    """
    size, jump = 1, 1
    for layer in block.main_path():
        kernel, stride = getattr(layer, "kernel", 1), getattr(layer, "stride", 1)
        size += (kernel - 1) * jump
        jump *= stride
    return size


def check_block(block: Block, problem: str | None, field: str) -> Block:
    """Validate a block's widths and structure; raise :class:`InputError` naming the fix.

    >>> check_block(Block("bottleneck", 128, 128, 32), "q3", "blocks").mid
    32
    """

    def error(message: str) -> InputError:
        return InputError(f"{block.label} block: {message}", problem=problem, field=field)

    if block.kind not in BLOCK_KINDS:
        raise error(f"unknown kind {quote(block.kind)}; choose one of {', '.join(BLOCK_KINDS)}")
    widths = {"in_channels": block.c_in, "out_channels": block.c_out}
    if block.kind == "bottleneck":
        if block.mid is None:
            raise error("a bottleneck needs `mid` (the width of its 3×3 conv), e.g. mid = 32")
        widths["mid"] = block.mid
    elif block.mid is not None:
        raise error("a basic block has no `mid` width; remove it or use kind = 'bottleneck'")
    for key, value in widths.items():
        if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
            raise error(f"{key} must be a positive whole number, got {quote(value)}")
        if value > MAX_CHANNELS:
            raise error(f"{key} = {value} is over the limit; use at most {MAX_CHANNELS} channels")
    if block.kind == "bottleneck" and block.mid > min(block.c_in, block.c_out):
        raise error(
            f"mid = {block.mid} is wider than the block ({block.c_in}→{block.c_out}): a "
            "bottleneck narrows the width; use mid ≤ min(in_channels, out_channels)"
        )
    if not 0 < block.kernel <= MAX_KERNEL or block.kernel % 2 == 0:
        raise error(
            f"kernel must be an odd number from 1 to {MAX_KERNEL} (padding k//2), "
            f"got {block.kernel}"
        )
    if not 0 < block.stride <= MAX_STRIDE:
        raise error(f"stride must be from 1 to {MAX_STRIDE}, got {block.stride}")
    if not block.projection and (block.c_in != block.c_out or block.stride != 1):
        raise error(
            f"an identity shortcut needs in_channels = out_channels and stride 1 (got "
            f"{block.c_in}→{block.c_out}, stride {block.stride}); set projection = true"
        )
    return block
