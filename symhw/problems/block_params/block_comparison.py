"""Two residual blocks compared symbolically in their width C: parameter and MAC ratios."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

import sympy as sp

from symhw.builder import DerivationBuilder
from symhw.counts.blocks import Block, traced_layers
from symhw.counts.layers import (
    C,
    C_in,
    C_out,
    Count,
    H,
    H_out,
    N,
    Shape,
    W,
    W_out,
    k,
    mac_count,
    parameter_count,
)
from symhw.derivation import Answer, Paragraph, Part, Segment
from symhw.notation import written
from symhw.notation import written_sum as _sum

POSITIVE = sp.Interval.open(0, sp.oo)


def symbolic_block(block: Block, unit: int) -> Block:
    """The block with every width written as a multiple of C (C stands for ``unit``).

    >>> symbolic_block(Block("bottleneck", 128, 128, 32), 32).mid
    C
    """

    def width(value):
        return None if value is None else sp.Rational(value, unit) * C

    return replace(block, c_in=width(block.c_in), c_out=width(block.c_out), mid=width(block.mid))


def layer_parameters(block: Block) -> list[sp.Expr]:
    """Each parametrised layer's count in layer order, as C_out·(C_in k² + 1) with bias.

    >>> layer_parameters(Block("bottleneck", 4 * C, 4 * C, C, bias=True))
    [C*(4*C + 1), C*(9*C + 1), (4*C)*(C + 1)]
    """
    counts = (parameter_count(layer) for layer in block.layers())
    return [_factored(c) for c in counts if c is not None]


def _factored(count: Count) -> sp.Expr:
    """C_out·(rest) kept as written when the count has a bias term (C·(4C + 1)), else factored."""
    if count.symbols[0] == C_out:
        rest = sp.expand(count.value / count.values[0])
        if rest.is_Add:
            return written(count.values[0], rest)
    return sp.factor(count.value)


def layer_sum(counts: Iterable[Count | None]) -> sp.Expr:
    """Σ of each layer's count formula with its values substituted: what a block total *is*.

    Computed from the layers, independently of how the sheet writes the terms or the
    polynomial; the steps that state a total are checked against it.

    >>> layer_sum(parameter_count(layer) for layer in Block("basic", C, C).layers())
    18*C**2
    """
    terms = [c.formula.subs(dict(zip(c.symbols, c.values, strict=True))) for c in counts if c]
    return sp.Add(*terms)


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


def layer_macs(block: Block) -> list[sp.Expr]:
    """Each conv's MACs on an N×H×W input, factored (e.g. 9 C² H N W).

    >>> layer_macs(Block("basic", C, C))
    [9*C**2*H*N*W, 9*C**2*H*N*W]
    """
    shape = Shape(N, block.c_in, H, W)
    counts = (mac_count(layer, s) for layer, s in traced_layers(block, shape))
    return [sp.factor(c.value) for c in counts if c is not None]


def _nhwc(monomial: sp.Expr) -> sp.Expr:
    """A term such as 9 C² H N W written in the order of N×H×W×C: 9 N H W C².

    >>> from symhw.render.expr import latex
    >>> latex(_nhwc(9 * C**2 * H * N * W))
    '9 N H W C^{2}'
    """
    coeff, rest = monomial.as_coeff_Mul()
    powers = rest.as_powers_dict()
    factors = [s ** powers[s] for s in (N, H, W, C) if s in powers]
    if sp.Mul(*factors) != rest:  # not a monomial in N, H, W, C: leave it as SymPy orders it
        return monomial
    return written(*([coeff] if coeff != 1 else []), *factors)


def _where(condition: sp.Set) -> tuple[Segment, ...]:
    if condition == POSITIVE:
        return ("for every width C",)
    if condition is sp.S.EmptySet:
        return ("for no width C",)
    if isinstance(condition, sp.Interval) and condition.sup is sp.oo:
        return ("exactly when ", sp.Gt(C, condition.inf))
    return ("exactly when C lies in ", condition)


def _block_total(d: DerivationBuilder, name: sp.Expr, block: Block, rule: str) -> sp.Expr:
    """``P(C) = Σ layer counts (in layer order) = expanded polynomial``, both checked against
    the layers' formulas; returns the polynomial."""
    counts = layer_parameters(block)
    total = sp.expand(sp.Add(*counts))
    d.instance = d.instance.with_definition(name, layer_sum(map(parameter_count, block.layers())))
    d.equal(name, _sum(*counts), rule=rule)
    if len(counts) > 1 or total != counts[0]:
        d.then(total, rule="expand")
    return total


def _ratio_steps(d: DerivationBuilder, label: sp.Expr, num, den, unit: int) -> sp.Expr:
    """``label = num/den = cancelled``, then its value at C = unit if it depends on C."""
    ratio = sp.cancel(num / den)
    d.equal(label, num / den, *((ratio,) if ratio != num / den else ()), rule="divide")
    if ratio.has(C):
        at = (sp.Subs(label, C, unit), sp.Subs(ratio, C, unit), ratio.subs(C, unit))
        d.equal(*at, rule=f"C = {unit}")
    return ratio


def compare_blocks(
    letter: str, a: Block, b: Block, variants: tuple[bool, ...]
) -> tuple[list[Part], list[Answer]]:
    """Derivations of P_b(C)/P_a(C) (per bias variant) and M_b/M_a, and the conclusion.

    >>> a, b = Block("basic", 32, 32), Block("bottleneck", 128, 128, 32)
    >>> parts, answers = compare_blocks("c", a, b, (True,))
    >>> answers[0].value, answers[1].value
    ((17*C + 6)/(18*C + 2), 4)
    """
    widths = {w for w in (a.c_in, a.c_out, a.mid) if w is not None}
    unit = min(widths)
    sa, sb = symbolic_block(a, unit), symbolic_block(b, unit)
    which = "the width" if len(widths) == 1 else "the narrowest width"
    intro: tuple[Segment, ...] = (
        "Write every width as a multiple of ",
        C,
        f", {which} of the {a.label} block (",
        sp.Eq(C, unit),
        f" in this question): the {a.label} block is {_widths(sa)} and the {b.label} block is "
        f"{_widths(sb)}. The count of each layer above becomes a polynomial in ",
        C,
        ":",
    )
    parts: list[Part] = []
    answers: list[Answer] = []
    findings: list[Segment] = []
    for i, bias in enumerate(variants):
        tag, suffix = ("with", "bias") if bias else ("without", "no_bias")
        prefix = "P" if bias else "Ptilde"
        pa, pb = sp.Function(f"{prefix}_{a.label}")(C), sp.Function(f"{prefix}_{b.label}")(C)
        d = DerivationBuilder(
            f"({letter}) Parameters in the width C, {tag} bias", intro=intro if i == 0 else None
        )
        rule = "each layer's count, in order"
        qa = _block_total(d, pa, replace(sa, bias=bias), rule)
        qb = _block_total(d, pb, replace(sb, bias=bias), rule)
        ratio = _ratio_steps(d, pb / pa, qb, qa, unit)
        difference = sp.expand(qa - qb)
        d.equal(pa - pb, difference, rule="subtract")
        if sp.factor(difference) != difference:
            d.then(sp.factor(difference), rule="factor")
        wide = _same_width(d, a, b, sa, sb, bias, prefix, unit)
        parts.append(d.build())
        cheaper, equal = _cheaper_widths(difference)
        at_unit = ratio.subs(C, unit)
        findings += [
            f"{tag.capitalize()} bias, the {b.label} block has fewer parameters than the "
            f"{a.label} block ",
            *_where(cheaper),
            *((" (they are equal at ", sp.Eq(C, equal[0]), ")") if len(equal) == 1 else ()),
            "; at ",
            sp.Eq(C, unit),
            f" they have {qb.subs(C, unit)} and {qa.subs(C, unit)}, a ratio of ",
            at_unit,
            " ≈ ",
            sp.Float(at_unit, 3),
            ". ",
        ]
        if wide is not None and i == 0:
            findings += wide
        answers.append(Answer(f"params_ratio_{suffix}", pb / pa, ratio, str(ratio)))
        if equal:
            answers.append(Answer(f"params_crossover_{suffix}", sp.Symbol("C_crossover"), equal[0]))
    parts.append(_mac_comparison(letter, a, b, sa, sb, answers))
    parts.append(Paragraph((*findings, *_tradeoffs(a, b))))
    return parts, answers


def _cheaper_widths(difference: sp.Expr) -> tuple[sp.Set, list[sp.Expr]]:
    """Where ``difference = P_a(C) - P_b(C)`` is positive for C > 0, and its positive roots.

    Parameter counts are polynomials in C, so this is real-root isolation on one polynomial
    (``solve_univariate_inequality`` would also try periodicity and simplify: 100x slower).

    >>> _cheaper_widths(C**2 - 4*C)
    (Interval.open(4, oo), [4])
    """
    poly = sp.Poly(difference, C)
    if poly.is_zero:
        return sp.S.EmptySet, []
    cheaper = sp.Union(*sp.solve_poly_inequality(poly, ">")) & POSITIVE
    roots = sorted({r for r in poly.real_roots() if r.is_positive})
    return cheaper, roots


def _widths(block: Block) -> str:
    def w(x):
        return str(x).replace("*", "")

    if block.kind == "bottleneck":
        return f"{w(block.c_in)}→{w(block.mid)}→{w(block.mid)}→{w(block.c_out)}"
    return f"{w(block.c_in)}→{w(block.c_out)}→{w(block.c_out)}"


def _same_width(d, a, b, sa, sb, bias, prefix, unit) -> tuple[Segment, ...] | None:
    """A basic block as wide as the bottleneck's ends, against the bottleneck; or None."""
    if {a.kind, b.kind} != {"basic", "bottleneck"} or a.c_in != a.c_out or b.c_in != b.c_out:
        return None
    if a.kind == "basic":
        (basic, bneck), names = (sa, sb), (a.label, b.label)
    else:
        (basic, bneck), names = (sb, sa), (b.label, a.label)
    wide = replace(basic, c_in=bneck.c_in, c_out=bneck.c_out, bias=bias)
    p_wide = sp.Function(f"{prefix}_{names[0]}")(bneck.c_in)
    p_bneck = sp.Function(f"{prefix}_{names[1]}")(C)
    q_wide = _block_total(d, p_wide, wide, "a basic block as wide as the bottleneck's ends")
    q_bneck = sp.expand(sp.Add(*layer_parameters(replace(bneck, bias=bias))))
    ratio = _ratio_steps(d, p_bneck / p_wide, q_bneck, q_wide, unit)
    width = bneck.c_in.subs(C, unit)
    return (
        f"A basic block {width} channels wide would have {q_wide.subs(C, unit)} parameters, ",
        sp.Float(1 / ratio.subs(C, unit), 3),
        " times as many as the bottleneck of the same outer width. ",
    )


def _mac_comparison(letter, a, b, sa, sb, answers: list[Answer]):
    ma, mb = sp.Function(f"M_{a.label}")(C), sp.Function(f"M_{b.label}")(C)
    qa, qb = (sp.expand(sp.Add(*layer_macs(blk))) for blk in (sa, sb))
    strided = any(getattr(layer, "stride", 1) != 1 for blk in (sa, sb) for layer in blk.layers())
    d = DerivationBuilder(
        f"({letter}) Multiply-accumulates in C, H and W",
        intro=(
            "On an N×H×W input"
            + (" (H and W divisible by the strides)" if strided else "")
            + " each conv does ",
            written(N, H_out, W_out, C_out, C_in, k**2),
            " MACs, with or without bias:",
        ),
    )
    for name, blk, total in ((ma, sa, qa), (mb, sb, qb)):
        traced = traced_layers(blk, Shape(N, blk.c_in, H, W))
        d.instance = d.instance.with_definition(name, layer_sum(mac_count(*t) for t in traced))
        d.equal(name, _sum(*map(_nhwc, layer_macs(blk))), rule="the conv MACs, widths in C")
        d.then(_nhwc(total), rule="add")
    ratio = sp.cancel(qb / qa)
    d.equal(mb / ma, *dict.fromkeys((qb / qa, ratio)), rule="cancel N H W")
    answers.append(Answer("macs_ratio", mb / ma, ratio, str(ratio)))
    return d.build()


def _tradeoffs(a: Block, b: Block) -> tuple[Segment, ...]:
    if {a.kind, b.kind} != {"basic", "bottleneck"}:
        return ()
    basic, bneck = (a, b) if a.kind == "basic" else (b, a)
    rb, rn = receptive_field(basic), receptive_field(bneck)
    return (
        f"The bottleneck's {bneck.kernel}×{bneck.kernel} conv works on only {bneck.mid} of its "
        f"{bneck.c_in} channels and its 1×1 convs mix channels at a single position: it buys "
        "width cheaply. What it gives up: one output of the basic block sees a "
        f"{rb}×{rb} window of the block's input, one output of the bottleneck only {rn}×{rn}, "
        "so a bottleneck network needs more blocks for the same receptive field.",
    )
