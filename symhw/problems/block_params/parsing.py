"""A block-params problem as a file gives it: block tables, an input size, a network."""

from __future__ import annotations

import re
from dataclasses import asdict, replace

from symhw.counts.blocks import BLOCK_KINDS, MAX_CHANNELS, Block, check_block
from symhw.counts.resnets import RESNETS, NetworkSpec
from symhw.errors import quote
from symhw.fields import SEQUENCE, Where, check_keys, sheet_text
from symhw.params import as_int, as_sequence, boolean, choice

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
NETWORK_KEYS = ("title", "block", "depths", "widths", "expansion", "stem", "in_channels", "classes")
_LABEL = re.compile(r"[a-z][a-z0-9_]{0,31}")
#: Blocks per problem (labelled (a) to (z) on the sheet) and the largest N, H or W of the input.
MAX_BLOCKS, MAX_SIZE = 26, 1 << 16
#: Stages of a network given as a table, and blocks per stage (a stage's repeated block is
#: derived once whatever its count, which only multiplies).
MAX_STAGES, MAX_DEPTH = 8, 1024


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


def parse_network(value: object, where: Where) -> NetworkSpec:
    """A built-in name (resnet18, resnet34, resnet50) or a table such as
    ``{block = "bottleneck", depths = [3, 4, 6, 3]}`` (widths 64, 128, ... by default).

    >>> parse_network({"block": "basic", "depths": [1, 1]}, Where(None, "network")).widths
    (64, 128)
    """
    if isinstance(value, NetworkSpec):  # from Python: parsed again as the table it would be
        value = {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(value).items()}
    if isinstance(value, str):
        if value not in RESNETS:
            raise where.error(
                f"unknown network {quote(value)}; choose one of {', '.join(RESNETS)} "
                "or give a table {block, depths, widths, ...}"
            )
        return RESNETS[value]
    if not isinstance(value, dict):
        raise where.error(f"expected a name such as 'resnet18' or a table, got {quote(value)}")
    check_keys(value, NETWORK_KEYS, where)
    block = choice(BLOCK_KINDS, "block")(value.get("block"), where)
    depths = _positive_list(value.get("depths"), where, "depths", MAX_DEPTH)
    if len(depths) > MAX_STAGES:
        raise where.error(
            f"depths has {len(depths)} stages; use at most {MAX_STAGES} (each halves the "
            "spatial size, and every stage adds a term to each total)"
        )
    default_widths = [64 * 2**i for i in range(len(depths))]
    widths = _positive_list(value.get("widths", default_widths), where, "widths", MAX_CHANNELS)
    if len(widths) != len(depths):
        raise where.error(f"depths has {len(depths)} stages but widths has {len(widths)}")
    sizes = {}
    defaults = {
        "expansion": 4 if block == "bottleneck" else 1,
        "stem": 64,
        "in_channels": 3,
        "classes": 1000,
    }
    for key, default in defaults.items():
        sizes[key] = _positive_list([value.get(key, default)], where, key, MAX_CHANNELS)[0]
    if max(widths) * sizes["expansion"] > MAX_CHANNELS:
        raise where.error(
            f"a stage's output width, width × expansion = {max(widths)} × "
            f"{sizes['expansion']}, is over {MAX_CHANNELS} channels; use narrower widths"
        )
    title = sheet_text(value.get("title", f"A {block}-block ResNet"), where)
    return NetworkSpec(title, block, depths, widths, **sizes)


def _positive_list(value: object, where: Where, key: str, maximum: int) -> tuple[int, ...]:
    value = as_sequence(value)
    if isinstance(value, SEQUENCE):
        value = [as_int(v) for v in value]
    if (
        not isinstance(value, SEQUENCE)
        or not value
        or not all(isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in value)
    ):
        raise where.error(f"{key} must be positive whole numbers, got {quote(value)}")
    if max(value) > maximum:
        raise where.error(f"{key} = {max(value)} is over the limit; use at most {maximum}")
    return tuple(value)
