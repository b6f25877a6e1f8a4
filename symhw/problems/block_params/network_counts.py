"""Whole ResNets: parameters, buffers, MACs and activation memory, derived unit by unit."""

from __future__ import annotations

import sympy as sp

from symhw.builder import DerivationBuilder
from symhw.counts.layers import Shape
from symhw.counts.resnets import RESNETS, NetworkSpec, Unit, layer_totals, network_units
from symhw.derivation import Answer, Derivation, NumericCheck, Paragraph, Part, Table, numeric_check
from symhw.lowering import Instance
from symhw.problems.block_params.layer_counts import (
    Counted,
    count_symbol,
    flop_steps,
    mac_derivation,
    parameter_derivation,
    sum_steps,
)
from symhw.problems.block_params.wording import describe, outer_widths

#: torchvision's published figures (parameters; "GFLOPS", which are in fact GMACs).
PUBLISHED = {
    "resnet18": (11_689_512, "1.81"),
    "resnet34": (21_797_672, "3.66"),
    "resnet50": (25_557_032, "4.09"),
}
#: The totals: letter, what it counts, and the rule that adds a stage's units.
TOTALS = (
    ("P", "Total learnable parameters", "first block + repeats"),
    ("B", "Total batch-norm buffers", "first block + repeats"),
    ("M", "Total multiply-accumulates and FLOPs", "first block + repeats"),
)


def count_network(
    spec: NetworkSpec, size: tuple[int, int, int], conv_bias: bool, layout: str
) -> Counted:
    """Count a whole ResNet on an input of batch N and spatial size H×W (``size``), unit
    by unit, each unit layer by layer.

    >>> counted = count_network(RESNETS["resnet18"], (1, 224, 224), False, "NHWC")
    >>> {a.name: a.value for a in counted.answers}["macs"]
    1814073344
    """
    n, h, w = size
    units = network_units(spec, Shape(*map(sp.Integer, (n, spec.in_channels, h, w))), conv_bias)
    derivations, values = _unit_derivations(units)
    totals = {
        letter: sum((u.count * per_unit[u.name] for u in units), sp.Integer(0))
        for letter, per_unit in values.items()
    }
    parts: list[Part] = [architecture_table(spec, units, values, layout), *derivations]
    parts += [_total(title, letter, units, values, rule) for letter, title, rule in TOTALS]
    builtin = next((name for name, s in RESNETS.items() if s == spec), None)
    checks: tuple[NumericCheck, ...] = ()
    if size == (1, 224, 224) and not conv_bias and builtin is not None:
        paragraph, checks = published_check(spec, PUBLISHED[builtin], totals)
        parts.append(paragraph)
    answers = (
        Answer("params", sp.Symbol("P"), totals["P"]),
        Answer("buffers", sp.Symbol("B"), totals["B"]),
        Answer("macs", sp.Symbol("M"), totals["M"]),
        Answer("flops", sp.Symbol("F"), 2 * totals["M"]),
        Answer("activation_elements", sp.Symbol("A"), totals["A"]),
    )
    return Counted(_statement(spec, size, conv_bias), tuple(parts), answers, checks)


def _statement(spec: NetworkSpec, size: tuple[int, int, int], conv_bias: bool) -> Paragraph:
    n, h, w = size
    return Paragraph(
        (
            f"{spec.title} as torchvision builds it, on an input of batch size {n} and spatial "
            f"size {h}×{w} with {spec.in_channels} channels"
            + (", every conv with a bias" if conv_bias else " (convs without bias)")
            + ". Count its learnable parameters, batch-norm buffers, multiply-accumulates, "
            "FLOPs and activation memory.",
        )
    )


def _unit_derivations(units: list[Unit]) -> tuple[list[Derivation], dict[str, dict]]:
    """Each unit's parameters (and buffers) and MACs, derived once however often it is
    used; and each count by letter (P, B, M, A) and unit name."""
    derivations: list[Derivation] = []
    values: dict[str, dict] = {letter: {} for letter in "PBMA"}
    for unit in units:
        heading = unit.name if unit.count == 1 else f"{unit.name} (each of {unit.count})"
        layers = [layer for layer, _ in unit.traced]
        p = parameter_derivation(
            f"{heading}: parameters",
            layers,
            count_symbol("P", unit.name),
            intro=("; ".join(describe(layer) for layer in layers) + ".",),
            buffers=count_symbol("B", unit.name),
        )
        m = mac_derivation(
            f"{heading}: multiply-accumulates",
            unit.traced,
            count_symbol("M", unit.name),
            count_symbol("F", unit.name),
        )
        derivations += [p.derivation, m.derivation]
        totals = layer_totals(unit.traced)
        values["P"][unit.name], values["B"][unit.name] = p.total, totals.buffers
        values["M"][unit.name], values["A"][unit.name] = m.total, totals.activations
    return derivations, values


def unit_description(unit: Unit) -> str:
    """What a unit is, for the architecture table: its widths, stride and shortcut."""
    if unit.block is None:
        return "conv /2, max pool /2" if unit.name == "stem" else "avg pool, linear"
    text = outer_widths(unit.block)
    if unit.block.stride != 1:
        text += f" /{unit.block.stride}"
    if unit.block.projection:
        text += ", proj."
    return text


def architecture_table(
    spec: NetworkSpec, units: list[Unit], values: dict[str, dict], layout: str
) -> Table:
    """One row per unit: what it is, how often it is used, its output and its counts."""
    rows = tuple(
        (
            u.name,
            unit_description(u),
            sp.Integer(u.count),
            "×".join(str(d) for d in u.output.in_layout(layout)),
            values["P"][u.name],
            values["M"][u.name],
            values["A"][u.name],
        )
        for u in units
    )
    return Table(
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


def _total(
    title: str, letter: str, units: list[Unit], values: dict[str, dict], rule: str
) -> Derivation:
    """Stage subtotals ``X_conv2 := X_conv2.1 + 3 X_conv2.2 = ...``, then the whole ``X``.

    The unit values come from the derivations above: they are the definitions the steps
    are checked with.
    """
    definitions = {count_symbol(key, name): v for key in "PBM" for name, v in values[key].items()}
    b = DerivationBuilder(title, instance=Instance(definitions=definitions))
    stages: dict[str, list[tuple[Unit, sp.Expr]]] = {}
    for unit in units:
        if values[letter][unit.name] != 0:
            stages.setdefault(unit.stage, []).append((unit, values[letter][unit.name]))
    terms, shown = [], []
    for stage, members in stages.items():
        pairs = [(count_symbol(letter, u.name), u.count) for u, _ in members]
        if len(members) == 1 and members[0][0].count == 1:
            terms.append(pairs[0][0])
            shown.append(members[0][1])
            continue
        symbol = count_symbol(letter, stage)
        shown.append(sum_steps(b, symbol, pairs, [v for _, v in members], rule))
        terms.append(symbol)
    total = sp.Symbol(letter)
    sum_steps(b, total, [(s, 1) for s in terms], shown, "sum of the parts")
    if letter == "M":
        flop_steps(b, total, b.last, sp.Symbol("F"))
    return b.build()


def published_check(
    spec: NetworkSpec, published: tuple[int, str], totals: dict[str, sp.Expr]
) -> tuple[Paragraph, tuple[NumericCheck, ...]]:
    """The totals against torchvision's published parameters and "GFLOPS" (in fact GMACs)."""
    params, gmacs = published
    checks = (
        numeric_check(
            f"the parameter total equals torchvision's published {params}",
            abs(int(totals["P"]) - params),
            0,
        ),
        numeric_check(
            f"the MACs, in G, round to torchvision's published {gmacs}",
            abs(float(totals["M"]) / 1e9 - float(gmacs)),
            0.005,
        ),
    )
    paragraph = Paragraph(
        (
            f"torchvision publishes {params} parameters for {spec.title} and "
            f"{gmacs} “GFLOPS” at 224×224; the totals above give ",
            totals["P"],
            " parameters and ",
            sp.Float(totals["M"] / 10**9, 3),
            " G multiply-accumulates: the published “FLOPS” are MACs (FLOPs are twice as many).",
        )
    )
    return paragraph, checks
