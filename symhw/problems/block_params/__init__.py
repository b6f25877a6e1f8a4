"""Question 3, generalised: parameters, MACs and activation memory of residual blocks.

The ``block-params`` kind: :func:`solve` counts the blocks a problem gives
(:mod:`.block_counts`, compared in their width C by :mod:`.block_comparison`) or a whole
ResNet (:mod:`.network_counts`), every count derived layer by layer (:mod:`.layer_counts`).
The mathematics (layers, blocks, networks, counting formulas) is :mod:`symhw.counts`.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from symhw.counts.blocks import MAX_CHANNELS, MAX_KERNEL, MAX_STRIDE, Block, block_output
from symhw.counts.layers import Shape as LayerShape
from symhw.counts.resnets import NetworkSpec
from symhw.derivation import Quantities, Quantity, Solution
from symhw.errors import InputError
from symhw.notation import Shape
from symhw.params import Parameters, boolean, check_call, choice, param
from symhw.problems.block_params.block_counts import LETTERS, count_blocks
from symhw.problems.block_params.figures import block_figures
from symhw.problems.block_params.key import blocks_key
from symhw.problems.block_params.network_counts import count_network
from symhw.problems.block_params.parsing import (
    MAX_BLOCKS,
    MAX_DEPTH,
    MAX_SIZE,
    MAX_STAGES,
    parse_blocks,
    parse_input,
    parse_network,
)

KIND = "block-params"
SUMMARY = (
    "parameters (with and without bias), batch-norm buffers, MACs/FLOPs and activation memory "
    "of residual blocks or whole ResNets, each layer derived; two blocks compared in their width C"
)

#: The seed's question 3: a basic block on 32 channels, a bottleneck 128→32→32→128.
SEED_BLOCKS = (Block("basic", 32, 32), Block("bottleneck", 128, 128, 32))


@dataclass(frozen=True)
class Params(Parameters):
    """Parameters of a ``block-params`` problem."""

    blocks: tuple[Block, ...] | None = param(
        None,
        parse=parse_blocks,
        help=f"1 to {MAX_BLOCKS} tables {{kind = basic|bottleneck, channels (or in_channels, "
        f"out_channels), mid (widths 1 to {MAX_CHANNELS}), kernel (odd, 1 to {MAX_KERNEL}), "
        f"stride (1 to {MAX_STRIDE}), projection, batchnorm, name}}; default the seed's two blocks",
    )
    network: NetworkSpec | None = param(  # noqa: RUF009 - param() returns a dataclasses.field
        None,
        parse=parse_network,
        help="a whole network instead of blocks: resnet18|resnet34|resnet50, or a table "
        f"{{block, depths (1 to {MAX_STAGES} stages of 1 to {MAX_DEPTH} blocks), widths, "
        f"expansion, stem, in_channels, classes (widths × expansion and the rest 1 to "
        f"{MAX_CHANNELS}), title}}",
    )
    bias: str = param(
        "auto",
        parse=choice(("auto", "both", "with", "without")),
        help="conv biases; auto = both for blocks, none for a network (as torchvision)",
    )
    input: tuple[int, int, int] | None = param(
        None,
        parse=parse_input,
        help=f"[N, H, W] of the input, each 1 to {MAX_SIZE}; default [128, 16, 16] for blocks, "
        "[1, 224, 224] for networks",
    )
    layout: str = param("NHWC", parse=choice(("NHWC", "NCHW")), help="how shapes are written")
    compare: bool = param(True, parse=boolean, help="compare two blocks symbolically in width C")

    def check(self) -> None:
        validate(self)


def validate(params: Params, problem_id: str | None = None) -> None:
    """Settings that exclude each other, found when the file loads."""
    if params.network and params.blocks is not None:
        raise InputError(
            "give either blocks or network, not both", problem=problem_id, field="network"
        )
    if params.network and params.bias == "both":
        raise InputError(
            "a network is counted with one bias setting; use auto, with or without",
            problem=problem_id,
            field="bias",
        )


def solve(params: Params, problem_id: str = "q3", title: str | None = None) -> Solution:
    """Count parameters, MACs and memory of residual blocks (or a whole ResNet).

    >>> sol = solve(Params())
    >>> sol.answer("basic_params_bias").value, sol.answer("bottleneck_params_no_bias").value
    (18496, 17408)
    """
    check_call(params, Params, problem_id, title)
    if params.network:
        size = params.input or (1, 224, 224)
        counted = count_network(params.network, size, params.bias == "with", params.layout)
        title = title or f"Parameters and operations of {params.network.title}"
        key = ()  # the default key: the answers boxed
    else:
        blocks, size = params.blocks or SEED_BLOCKS, params.input or (128, 16, 16)
        counted = count_blocks(blocks, size, params.bias, params.layout, params.compare)
        counted = counted._replace(parts=(*block_figures(LETTERS, blocks), *counted.parts))
        title = title or "Parameters and operations of residual blocks"
        key = blocks_key(blocks, counted.parts, counted.answers)
    return Solution(problem_id, KIND, title, *counted, key)


def quantities(params: Params, problem_id: str = "q3") -> Quantities:
    """What a person may write down besides the answers: each block's input and output
    shapes and channels (``basic_input_shape``, ``bottleneck_channels``); none for a whole
    network.

    >>> q = quantities(Params())
    >>> q.find("bottleneck_input_shape").value, q.find("basic_channels").value
    ((128, 16, 16, 128), 32)
    """
    check_call(params, Params, problem_id, None)
    if params.network:
        return Quantities((), lambda name: None)
    n, h, w = params.input or (128, 16, 16)
    found: dict[str, Quantity] = {}
    for block in params.blocks or SEED_BLOCKS:
        given = LayerShape(n, block.c_in, h, w)
        for what, shape in (("input", given), ("output", block_output(block, given))):
            name = f"{block.label}_{what}_shape"
            sizes = map(sp.Integer, shape.in_layout(params.layout))
            found[name] = Quantity(name, sp.Symbol("x" if what == "input" else "y"), Shape(*sizes))
        widths = {"in_channels": block.c_in, "out_channels": block.c_out}
        if block.c_in == block.c_out:
            widths["channels"] = block.c_in
        for what, width in widths.items():
            name = f"{block.label}_{what}"
            found[name] = Quantity(name, sp.Symbol("C"), sp.Integer(width))
    return Quantities(tuple(found), lambda name: found.get(name) if isinstance(name, str) else None)
