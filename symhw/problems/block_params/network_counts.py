"""Whole ResNets: parameters, buffers, MACs and activation memory, derived unit by unit."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import sympy as sp

from symhw.builder import DerivationBuilder
from symhw.counts.blocks import BLOCK_KINDS, MAX_CHANNELS, block_output, traced_layers
from symhw.counts.layers import (
    NetworkLayer,
    Shape,
    describe,
)
from symhw.counts.resnets import RESNETS, NetworkSpec, build_network, layer_totals, trace_sequence
from symhw.derivation import (
    Answer,
    Derivation,
    Paragraph,
    Part,
    Solution,
    Table,
    numeric_check,
)
from symhw.errors import quote
from symhw.params import SEQUENCE, Where, as_int, as_sequence, check_keys, choice, text
from symhw.problems.block_params.layer_counts import (
    flop_steps,
    mac_derivation,
    name_symbol,
    parameter_derivation,
    sum_steps,
)
from symhw.verify import Instance

KIND = "block-params"

#: torchvision's published figures (parameters; "GFLOPS", which are in fact GMACs).
PUBLISHED = {
    "resnet18": (11_689_512, "1.81"),
    "resnet34": (21_797_672, "3.66"),
    "resnet50": (25_557_032, "4.09"),
}
#: Stages of a network given as a table, and blocks per stage (a stage's repeated block is
#: derived once whatever its count, which only multiplies).
MAX_STAGES, MAX_DEPTH = 8, 1024
NETWORK_KEYS = ("title", "block", "depths", "widths", "expansion", "stem", "in_channels", "classes")


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
    title = text(value.get("title", f"A {block}-block ResNet"), where)
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


@dataclass(frozen=True)
class Unit:
    """A part of the network counted once and used ``count`` times (stem, a block, head)."""

    name: str
    description: str
    traced: list[tuple[NetworkLayer, Shape]]
    count: int
    output: Shape


def network_units(spec: NetworkSpec, shape: Shape, conv_bias: bool) -> list[Unit]:
    """The stem, each stage's first block, its repeated block, and the head, with shapes.

    >>> units = network_units(RESNETS["resnet50"], Shape(1, 3, 224, 224), False)
    >>> [(u.name, u.count) for u in units][:3]
    [('stem', 1), ('conv2.1', 1), ('conv2.2', 2)]
    """
    net = build_network(spec, conv_bias=conv_bias)
    traced, shape = trace_sequence(net.stem, shape)
    units = [Unit("stem", "conv /2, max pool /2", traced, 1, shape)]
    for stage in net.stages:
        for block, count in ((stage.first, 1), (stage.rest, stage.repeats)):
            if block is None:
                continue
            out = block_output(block, shape)
            kind = _widths(block)
            if block.stride != 1:
                kind += f" /{block.stride}"
            if block.projection:
                kind += ", proj."
            units.append(Unit(block.label, kind, traced_layers(block, shape), count, out))
            shape = out
    traced, shape = trace_sequence(net.head, shape)
    units.append(Unit("head", "avg pool, linear", traced, 1, shape))
    return units


def _widths(block) -> str:
    if block.kind == "bottleneck":
        return f"{block.c_in}→{block.mid}→{block.c_out}"
    return f"{block.c_in}→{block.c_out}"


def _total(title: str, letter: str, units, values, definitions, rule: str) -> Derivation:
    """Stage subtotals ``X_conv2 := X_conv2.1 + 3 X_conv2.2 = ...``, then the whole ``X``.

    The unit values come from the derivations above (passed in as ``definitions``).
    """
    b = DerivationBuilder(title, instance=Instance(definitions=definitions))
    stages: dict[str, list[tuple[Unit, sp.Expr]]] = {}
    for unit, value in zip(units, values, strict=True):
        if value != 0:
            stages.setdefault(unit.name.split(".")[0], []).append((unit, value))
    terms, shown = [], []
    for stage, members in stages.items():
        pairs = [(name_symbol(letter, u.name), u.count) for u, _ in members]
        if len(members) == 1 and members[0][0].count == 1:
            terms.append(pairs[0][0])
            shown.append(members[0][1])
            continue
        symbol = name_symbol(letter, stage)
        shown.append(sum_steps(b, symbol, pairs, [v for _, v in members], rule))
        terms.append(symbol)
    total = sp.Symbol(letter)
    sum_steps(b, total, [(s, 1) for s in terms], shown, "sum of the parts")
    if letter == "M":
        flop_steps(b, total, b.last, sp.Symbol("F"))
    return b.build()


def solve_network(
    spec: NetworkSpec,
    size: tuple[int, int, int],
    conv_bias: bool,
    layout: str,
    problem_id: str,
    title: str | None,
) -> Solution:
    """Count a whole ResNet unit by unit, each unit layer by layer.

    >>> from symhw.counts.resnets import RESNETS
    >>> sol = solve_network(RESNETS["resnet18"], (1, 224, 224), False, "NHWC", "r18", None)
    >>> sol.answer("params").value, sol.answer("macs").value
    (11689512, 1814073344)
    """
    n, h, w = size
    units = network_units(spec, Shape(*map(sp.Integer, (n, spec.in_channels, h, w))), conv_bias)
    parts: list[Part] = []
    params, buffers, macs, acts = {}, {}, {}, {}
    for unit in units:
        heading = unit.name if unit.count == 1 else f"{unit.name} (each of {unit.count})"
        layers = [layer for layer, _ in unit.traced]
        p = parameter_derivation(
            f"{heading}: parameters",
            layers,
            name_symbol("P", unit.name),
            intro=("; ".join(describe(layer) for layer in layers) + ".",),
            buffers=name_symbol("B", unit.name),
        )
        m = mac_derivation(
            f"{heading}: multiply-accumulates",
            unit.traced,
            name_symbol("M", unit.name),
            name_symbol("F", unit.name),
        )
        parts += [p.derivation, m.derivation]
        totals = layer_totals(unit.traced)
        params[unit.name], buffers[unit.name] = p.total, totals.buffers
        macs[unit.name], acts[unit.name] = m.total, totals.activations
    rows = tuple(
        (
            u.name,
            u.description,
            sp.Integer(u.count),
            "×".join(str(d) for d in u.output.in_layout(layout)),
            params[u.name],
            macs[u.name],
            acts[u.name],
        )
        for u in units
    )
    table = Table(
        "Architecture",
        ("unit", "block", "×", f"output ({layout})", "parameters", "MACs", "activations"),
        rows,
        Paragraph(
            (
                f"Counts per unit, a repeated block counted once ({spec.block} blocks, widths "
                "in→mid→out; /2 is stride 2, proj. a projection shortcut). Activations are the "
                "elements of every conv, batch-norm, pooling and linear output.",
            )
        ),
    )
    definitions = {}
    for letter, values in (("P", params), ("B", buffers), ("M", macs)):
        definitions |= {name_symbol(letter, name): v for name, v in values.items()}
    totals = {
        letter: sum((u.count * values[u.name] for u in units), sp.Integer(0))
        for letter, values in (("P", params), ("B", buffers), ("M", macs), ("A", acts))
    }
    parts = [table, *parts]
    for letter, values, title_, rule in (
        ("P", params, "Total learnable parameters", "first block + repeats"),
        ("B", buffers, "Total batch-norm buffers", "first block + repeats"),
        ("M", macs, "Total multiply-accumulates and FLOPs", "first block + repeats"),
    ):
        parts.append(
            _total(title_, letter, units, [values[u.name] for u in units], definitions, rule)
        )
    builtin = next((name for name, s in RESNETS.items() if s == spec), None)
    standard = (n, h, w) == (1, 224, 224) and not conv_bias and builtin is not None
    published = PUBLISHED[builtin] if standard else None
    checks = ()
    if published:
        checks = (
            numeric_check(
                f"the parameter total equals torchvision's published {published[0]}",
                abs(int(totals["P"]) - published[0]),
                0,
            ),
            numeric_check(
                f"the MACs, in G, round to torchvision's published {published[1]}",
                abs(float(totals["M"]) / 1e9 - float(published[1])),
                0.005,
            ),
        )
        parts.append(
            Paragraph(
                (
                    f"torchvision publishes {published[0]} parameters for {spec.title} and "
                    f"{published[1]} “GFLOPS” at 224×224; the totals above give ",
                    totals["P"],
                    " parameters and ",
                    sp.Float(totals["M"] / 10**9, 3),
                    " G multiply-accumulates: the published “FLOPS” are MACs (FLOPs are twice "
                    "as many).",
                )
            )
        )
    answers = (
        Answer("params", sp.Symbol("P"), totals["P"]),
        Answer("buffers", sp.Symbol("B"), totals["B"]),
        Answer("macs", sp.Symbol("M"), totals["M"]),
        Answer("flops", sp.Symbol("F"), 2 * totals["M"]),
        Answer("activation_elements", sp.Symbol("A"), totals["A"]),
    )
    statement = Paragraph(
        (
            f"{spec.title} as torchvision builds it, on an input of batch size {n} and spatial "
            f"size {h}×{w} with {spec.in_channels} channels"
            + (", every conv with a bias" if conv_bias else " (convs without bias)")
            + ". Count its learnable parameters, batch-norm buffers, multiply-accumulates, "
            "FLOPs and activation memory.",
        )
    )
    return Solution(
        problem_id,
        KIND,
        title or f"Parameters and operations of {spec.title}",
        statement,
        tuple(parts),
        answers,
        checks,
    )
