"""Question 3, generalised: parameters, MACs and activation memory of residual blocks."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

import sympy as sp

from symhw.counts.blocks import (
    MAX_CHANNELS,
    MAX_KERNEL,
    MAX_STRIDE,
    Block,
    check_block,
    traced_layers,
)
from symhw.counts.layers import (
    C_in,
    C_out,
    Shape,
    describe,
    k,
    parameter_count,
)
from symhw.counts.resnets import NetworkSpec
from symhw.derivation import Answer, Paragraph, Part, Solution
from symhw.errors import InputError, quote
from symhw.notation import written
from symhw.params import (
    SEQUENCE,
    Parameters,
    Where,
    as_int,
    as_sequence,
    boolean,
    check_call,
    check_keys,
    choice,
    param,
)
from symhw.problems.block_params.block_comparison import compare_blocks
from symhw.problems.block_params.layer_counts import (
    buffer_derivation,
    mac_derivation,
    memory_table,
    name_symbol,
    parameter_derivation,
)
from symhw.problems.block_params.network_counts import (
    MAX_DEPTH,
    MAX_STAGES,
    parse_network,
    solve_network,
)

KIND = "block-params"
SUMMARY = (
    "parameters (with and without bias), batch-norm buffers, MACs/FLOPs and activation memory "
    "of residual blocks or whole ResNets, each layer derived; two blocks compared in their width C"
)

#: The seed's question 3: a basic block on 32 channels, a bottleneck 128→32→32→128.
SEED_BLOCKS = (Block("basic", 32, 32), Block("bottleneck", 128, 128, 32))
BLOCK_KEYS = (
    "kind",
    "name",
    "channels",
    "in_channels",
    "out_channels",
    "mid",
    "kernel",
    "stride",
    "projection",
    "batchnorm",
)
_LABEL = re.compile(r"[a-z][a-z0-9_]{0,31}")
#: Blocks per problem (labelled (a) to (z) on the sheet) and the largest N, H or W of the input.
MAX_BLOCKS, MAX_SIZE = 26, 1 << 16


def _table(block: Block) -> dict[str, object]:
    """A block given from Python as the table it would be in a file (its bias is the
    problem's, not the block's), to be parsed as one."""
    table = {
        "kind": block.kind,
        "in_channels": block.c_in,
        "out_channels": block.c_out,
        "mid": block.mid,
        "kernel": block.kernel,
        "stride": block.stride,
        "projection": block.projection,
        "batchnorm": block.batchnorm,
        "name": block.name,
    }
    return {k: v for k, v in table.items() if v is not None}


def _block(table: object, where: Where, i: int) -> Block:
    if isinstance(table, Block):
        table = _table(table)
    if not isinstance(table, dict):
        raise where.error(f'block {i}: expected a table such as {{kind = "basic", channels = 32}}')
    check_keys(table, BLOCK_KEYS, where.within(f"block {i}"))
    table = {k: as_int(v) for k, v in table.items()}
    kind = choice(("basic", "bottleneck"), "kind")(table.get("kind"), where)
    if "channels" in table and ("in_channels" in table or "out_channels" in table):
        raise where.error(f"block {i}: give channels, or in_channels and out_channels, not both")
    c_in = table.get("in_channels", table.get("channels"))
    c_out = table.get("out_channels", table.get("channels"))
    if c_in is None or c_out is None:
        raise where.error(f"block {i}: missing width; add channels = 32 (or in/out_channels)")
    name = table.get("name", "")
    if name and (not isinstance(name, str) or not _LABEL.fullmatch(name)):
        raise where.error(f"block {i}: name {quote(name)} must be lower-case letters, digits and _")
    ints = {}
    for key, default in (("kernel", 3), ("stride", 1)):
        value = table.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int):
            raise where.error(f"block {i}: {key} must be a whole number, got {quote(value)}")
        ints[key] = value
    batchnorm = boolean(table.get("batchnorm", False), where)
    stride = ints["stride"]
    needed = c_in != c_out or stride != 1
    projection = boolean(table["projection"], where) if "projection" in table else needed
    block = Block(
        kind,
        c_in,
        c_out,
        table.get("mid"),
        kernel=ints["kernel"],
        stride=stride,
        projection=projection,
        batchnorm=batchnorm,
        name=name,
    )
    return check_block(block, where.problem, where.field)


def parse_blocks(value: object, where: Where) -> tuple[Block, ...]:
    """A non-empty list of block tables, each with a unique label.

    >>> [b.label for b in parse_blocks([{"kind": "basic", "channels": 8}] * 2, Where(None, "b"))]
    ['basic', 'basic_2']
    """
    if not isinstance(value, SEQUENCE) or not value:
        raise where.error('expected a list of block tables, e.g. [{kind = "basic", channels = 32}]')
    if len(value) > MAX_BLOCKS:
        raise where.error(
            f"{len(value)} blocks; a sheet labels them (a) to (z), at most {MAX_BLOCKS}: "
            "split them over several problems"
        )
    blocks, seen = [], set()
    for i, table in enumerate(value, start=1):
        block = _block(table, where, i)
        label, n = block.label, 2
        while label in seen:
            label, n = f"{block.label}_{n}", n + 1
        seen.add(label)
        blocks.append(replace(block, name=label))
    return tuple(blocks)


def parse_input(value: object, where: Where) -> tuple[int, int, int]:
    """``[N, H, W]``: batch size and spatial size of the input, whole numbers from 1 to
    :data:`MAX_SIZE`.

    >>> parse_input([128, 16, 16], Where(None, "input"))
    (128, 16, 16)
    """
    value = as_sequence(value)
    if (
        not isinstance(value, SEQUENCE)
        or len(value) != 3
        or not all(isinstance(as_int(v), int) and not isinstance(v, bool) and v > 0 for v in value)
    ):
        raise where.error(f"expected [N, H, W], three positive whole numbers, got {quote(value)}")
    value = [int(v) for v in value]
    if max(value) > MAX_SIZE:
        raise where.error(f"{quote(value)} has a size over the limit; use sizes up to {MAX_SIZE}")
    return (value[0], value[1], value[2])


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


def _block_statement(letter: str, block: Block) -> str:
    kind = "basic residual" if block.kind == "basic" else "bottleneck"
    convs = "; ".join(describe(layer).split(",")[0] for layer in block.main_path())
    shortcut = "1×1 projection shortcut" if block.projection else "identity shortcut"
    norm = ", batch norm after each conv" if block.batchnorm else ""
    return f" ({letter}) A {kind} block: {convs}; {shortcut}{norm}."


def _bias_variants(bias: str) -> tuple[bool, ...]:
    return {"auto": (True, False), "both": (True, False), "with": (True,), "without": (False,)}[
        bias
    ]


def block_parts(
    letter: str, block: Block, shape: Shape, variants: tuple[bool, ...], layout: str
) -> tuple[list[Part], list[Answer]]:
    """Parameter derivations (per bias variant), buffers, MACs/FLOPs and the memory table.

    >>> block, shape = Block("basic", 32, 32), Shape(1, 32, 8, 8)
    >>> parts, answers = block_parts("a", block, shape, (True,), "NHWC")
    >>> answers[0].value
    18496
    """
    label, title = block.label, block.label.replace("_", " ").capitalize()
    sizes = "×".join(str(d) for d in shape.in_layout(layout))
    intro = (
        f"The input is {sizes} ({'×'.join(layout)}). A k×k convolution from ",
        C_in,
        " to ",
        C_out,
        " channels has ",
        written(C_out, C_in, k**2),
        " weights and, with bias, ",
        C_out,
        " biases.",
    )
    parts: list[Part] = []
    answers: list[Answer] = []
    for i, bias in enumerate(variants):
        blk = replace(block, bias=bias)
        tag, suffix = ("with", "bias") if bias else ("without", "no_bias")
        total = name_symbol("P", label, tilde=not bias)
        result = parameter_derivation(
            f"({letter}) {title} block: parameters {tag} bias",
            blk.layers(),
            total,
            tilde=not bias,
            intro=intro if i == 0 else None,
        )
        parts.append(result.derivation)
        layer_syms = sp.Tuple(
            *(name_symbol("P", layer.name, tilde=not bias) for layer in _with_params(blk))
        )
        answers += [
            Answer(f"{label}_params_{suffix}", total, result.total),
            Answer(f"{label}_layers_{suffix}", layer_syms, sp.Tuple(*result.per_layer)),
        ]
    if block.batchnorm:
        result = buffer_derivation(
            f"({letter}) {title} block: batch-norm running statistics (buffers, not learnable)",
            block.layers(),
            name_symbol("B", label),
        )
        parts.append(result.derivation)
        answers.append(Answer(f"{label}_buffers", result.total_symbol, result.total))
    traced = traced_layers(block, shape)
    macs = mac_derivation(
        f"({letter}) {title} block: multiply-accumulates and FLOPs",
        traced,
        name_symbol("M", label),
        name_symbol("F", label),
    )
    parts.append(macs.derivation)
    memory = memory_table(
        f"({letter}) {title} block: activation memory", traced, layout, name_symbol("A", label)
    )
    parts.append(memory)
    elements = memory.rows[-1][3]
    answers += [
        Answer(f"{label}_macs", name_symbol("M", label), macs.total),
        Answer(f"{label}_flops", name_symbol("F", label), 2 * macs.total),
        Answer(f"{label}_activation_elements", name_symbol("A", label), elements),
    ]
    return parts, answers


def _with_params(block: Block) -> list:
    return [layer for layer in block.layers() if parameter_count(layer) is not None]


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
        return solve_network(
            params.network,
            params.input or (1, 224, 224),
            params.bias == "with",
            params.layout,
            problem_id,
            title,
        )
    blocks = params.blocks or SEED_BLOCKS
    n, h, w = params.input or (128, 16, 16)
    variants = _bias_variants(params.bias)
    letters = "abcdefghijklmnopqrstuvwxyz"
    parts: list[Part] = []
    answers: list[Answer] = []
    statement: list = [
        f"Each block below takes an input of batch size {n} and spatial size {h}×{w}, "
        f"written {'×'.join(params.layout)}."
    ]
    for letter, block in zip(letters, blocks, strict=False):
        statement.append(_block_statement(letter, block))
        shape = Shape(sp.Integer(n), sp.Integer(block.c_in), sp.Integer(h), sp.Integer(w))
        more_parts, more_answers = block_parts(letter, block, shape, variants, params.layout)
        parts += more_parts
        answers += more_answers
    statement.append(
        " Count the parameters of each block"
        + (" with and without bias" if len(variants) == 2 else "")
        + ", its multiply-accumulates on this input and the memory of each layer's output."
    )
    if params.compare and len(blocks) == 2:
        letter = letters[len(blocks)]
        statement.append(f" ({letter}) Compare the two blocks.")
        more_parts, more_answers = compare_blocks(letter, blocks[0], blocks[1], variants)
        parts += more_parts
        answers += more_answers
    return Solution(
        problem_id,
        KIND,
        title or "Parameters and operations of residual blocks",
        Paragraph(("".join(statement),)),
        tuple(parts),
        tuple(answers),
    )
