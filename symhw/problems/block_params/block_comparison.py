"""Two residual blocks compared symbolically in their width C: parameter and MAC ratios."""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

import sympy as sp

from symhw.builder import DerivationBuilder
from symhw.counts.blocks import Block, traced_layers
from symhw.counts.layers import (
    C,
    C_in,
    C_out,
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
from symhw.counts.width import (
    POSITIVE,
    cheaper_widths,
    layer_macs,
    layer_parameters,
    layer_sum,
    symbolic_block,
)
from symhw.derivation import Answer, Derivation, Paragraph, Part, Segment
from symhw.notation import axes_shape, written
from symhw.notation import written_sum as _sum
from symhw.problems.block_params.layer_counts import count_symbol
from symhw.problems.block_params.wording import path_widths


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
        return ("exactly when ", sp.Gt(C, condition.inf, evaluate=False))
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
    unit = min(w for w in (a.c_in, a.c_out, a.mid) if w is not None)
    pair = (a, b), (symbolic_block(a, unit), symbolic_block(b, unit))
    parts: list[Part] = []
    answers: list[Answer] = []
    findings: list[Segment] = []
    wider: tuple[Segment, ...] | None = None
    for i, bias in enumerate(variants):
        intro = _intro(*pair, unit) if i == 0 else None
        derivation, more, found, wide = _parameter_comparison(letter, *pair, unit, bias, intro)
        parts.append(derivation)
        answers += more
        findings += found
        wider = wide if i == 0 else wider
    mac_derivation, macs_ratio = _mac_comparison(letter, *pair)
    answers.append(macs_ratio)
    # What the counts in C show, and a block as wide as the other (the conclusion at the
    # question's widths follows: :mod:`.conclusion`).
    parts += [mac_derivation, Paragraph(tuple(findings))]
    parts += [Paragraph(wider)] if wider else []
    return parts, answers


def _intro(
    blocks: tuple[Block, Block], symbolic: tuple[Block, Block], unit: int
) -> tuple[Segment, ...]:
    a, b = blocks
    which = "the width" if len({a.c_in, a.c_out, a.mid} - {None}) == 1 else "the narrowest width"
    return (
        "Write every width as a multiple of ",
        C,
        f", {which} of the {a.label} block (",
        sp.Eq(C, unit, evaluate=False),
        f" in this question): the {a.label} block is {path_widths(symbolic[0])} and the "
        f"{b.label} block is {path_widths(symbolic[1])}. The count of each layer above becomes "
        "a polynomial in ",
        C,
        ":",
    )


def _parameters_in_c(label: str, bias: bool) -> sp.Function:
    """P_label (P̃_label without bias) as a function of the width: P_basic(C)."""
    return sp.Function(count_symbol("P", label, tilde=not bias).name)


def _parameter_comparison(
    letter: str,
    blocks: tuple[Block, Block],
    symbolic: tuple[Block, Block],
    unit: int,
    bias: bool,
    intro: tuple[Segment, ...] | None,
) -> tuple[Derivation, list[Answer], list[Segment], tuple[Segment, ...] | None]:
    """P_a(C), P_b(C), their ratio and difference for one bias setting; the answers, and
    what the sheet concludes (and, for a basic block against a bottleneck, a basic block
    as wide as the bottleneck)."""
    (a, b), (sa, sb) = blocks, symbolic
    tag, suffix = ("with", "bias") if bias else ("without", "no_bias")
    pa, pb = _parameters_in_c(a.label, bias)(C), _parameters_in_c(b.label, bias)(C)
    d = DerivationBuilder(f"({letter}) Parameters in the width C, {tag} bias", intro=intro)
    rule = "each layer's count, in order"
    qa = _block_total(d, pa, replace(sa, bias=bias), rule)
    qb = _block_total(d, pb, replace(sb, bias=bias), rule)
    ratio = _ratio_steps(d, pb / pa, qb, qa, unit)
    difference = sp.expand(qa - qb)
    d.equal(pa - pb, difference, rule="subtract")
    if sp.factor(difference) != difference:
        d.then(sp.factor(difference), rule="factor")
    wide = _same_width(d, blocks, symbolic, bias, unit)
    cheaper, equal = cheaper_widths(difference)
    at_unit = ratio.subs(C, unit)
    findings = [
        f"{tag.capitalize()} bias, the {b.label} block has fewer parameters than the "
        f"{a.label} block ",
        *_where(cheaper),
        *(
            (" (they are equal at ", sp.Eq(C, equal[0], evaluate=False), ")")
            if len(equal) == 1
            else ()
        ),
        "; at ",
        sp.Eq(C, unit, evaluate=False),
        f" they have {qb.subs(C, unit)} and {qa.subs(C, unit)}, a ratio of ",
        at_unit,
        " ≈ ",
        sp.Float(at_unit, 3),
        ". ",
    ]
    answers = [Answer(f"params_ratio_{suffix}", pb / pa, ratio, _exact(ratio))]
    if equal:
        answers.append(Answer(f"params_crossover_{suffix}", sp.Symbol("C_crossover"), equal[0]))
    return d.build(), answers, findings, wide


def _same_width(
    d: DerivationBuilder,
    blocks: tuple[Block, Block],
    symbolic: tuple[Block, Block],
    bias: bool,
    unit: int,
) -> tuple[Segment, ...] | None:
    """A basic block as wide as the bottleneck's ends, against the bottleneck; or None."""
    (a, b), (sa, sb) = blocks, symbolic
    if {a.kind, b.kind} != {"basic", "bottleneck"} or a.c_in != a.c_out or b.c_in != b.c_out:
        return None
    if a.kind == "basic":
        (basic, bneck), names = (sa, sb), (a.label, b.label)
    else:
        (basic, bneck), names = (sb, sa), (b.label, a.label)
    wide = replace(basic, c_in=bneck.c_in, c_out=bneck.c_out, bias=bias)
    p_wide = _parameters_in_c(names[0], bias)(bneck.c_in)
    p_bneck = _parameters_in_c(names[1], bias)(C)
    q_wide = _block_total(d, p_wide, wide, "a basic block as wide as the bottleneck's ends")
    q_bneck = sp.expand(sp.Add(*layer_parameters(replace(bneck, bias=bias))))
    ratio = _ratio_steps(d, p_bneck / p_wide, q_bneck, q_wide, unit)
    width = bneck.c_in.subs(C, unit)
    return (
        f"A basic block {width} channels wide would have {q_wide.subs(C, unit)} parameters, ",
        sp.Float(1 / ratio.subs(C, unit), 3),
        " times as many as the bottleneck of the same outer width. ",
    )


def _mac_comparison(
    letter: str, blocks: tuple[Block, Block], symbolic: tuple[Block, Block]
) -> tuple[Derivation, Answer]:
    """M_a(C) and M_b(C) on an N×H×W input, and their ratio (N, H and W cancel)."""
    (a, b), (sa, sb) = blocks, symbolic
    ma, mb = (sp.Function(count_symbol("M", blk.label).name)(C) for blk in (a, b))
    qa, qb = (sp.expand(sp.Add(*layer_macs(blk))) for blk in (sa, sb))
    strided = any(getattr(layer, "stride", 1) != 1 for blk in (sa, sb) for layer in blk.layers())
    d = DerivationBuilder(
        f"({letter}) Multiply-accumulates in C, H and W",
        intro=(
            "On an ",
            axes_shape("NHW"),
            " input" + (" (H and W divisible by the strides)" if strided else ""),
            " each conv does ",
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
    return d.build(), Answer("macs_ratio", mb / ma, ratio, _exact(ratio))


def _exact(ratio: sp.Expr) -> Fraction | None:
    """A ratio that is a number as the exact fraction it is (17/18); None for a ratio that
    depends on C, whose value is the data.

    >>> _exact(sp.Rational(17, 18)), _exact(C / (C + 1))
    (Fraction(17, 18), None)
    """
    return Fraction(int(ratio.p), int(ratio.q)) if ratio.is_Rational else None
