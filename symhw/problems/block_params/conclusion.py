"""The comparison of two blocks at the question's own widths: their counts side by side as
verified ratios (the appendix), and the conclusion Part I boxes, every number and word of
it taken from those counts."""

from __future__ import annotations

from fractions import Fraction

import sympy as sp

from symhw.builder import DerivationBuilder
from symhw.counts.blocks import Block, receptive_field
from symhw.counts.layers import BatchNorm, Conv
from symhw.derivation import Answer, Derivation, Paragraph, Segment
from symhw.problems.block_params.layer_counts import count_symbol

#: The counts compared, by the suffix of their answers' names, as the sentences say them.
COUNTS = {
    "params_bias": "parameters with bias",
    "params_no_bias": "parameters without bias",
    "macs": "multiply-accumulates on this input",
    "activation_elements": "values the layers output on this input",
}


def title(letter: str) -> str:
    return f"({letter}) The two blocks at the question's widths"


def pair(a: Block, b: Block) -> tuple[Block, Block]:
    """(the block compared against, the block compared): a bottleneck against a basic
    block, otherwise the second block against the first."""
    return (b, a) if (a.kind, b.kind) == ("bottleneck", "basic") else (a, b)


def _fraction(p: int, q: int) -> sp.Expr:
    """p/q as written, not cancelled."""
    return sp.Mul(p, sp.Pow(q, -1, evaluate=False), evaluate=False)


def widths_derivation(letter: str, a: Block, b: Block, answers: dict[str, Answer]) -> Derivation:
    """Each count of the compared block over the other's: channels, parameters, MACs and
    activation memory, as fractions of the numbers derived above and cancelled.

    >>> from symhw.problems.block_params import Params, solve, SEED_BLOCKS
    >>> answers = {x.name: x for x in solve(Params()).answers}
    >>> [str(s.rhs) for s in widths_derivation("c", *SEED_BLOCKS, answers).steps]
    ['4', '275/289', '17/18', '17/18', '3']
    """
    ref, sub = pair(a, b)
    channels = count_symbol("C", ref.label), count_symbol("C", sub.label)
    d = DerivationBuilder(
        title(letter),
        intro=(
            "The counts of the two blocks side by side: ",
            channels[1],
            " and ",
            channels[0],
            " are the channels at each block's output (the C of the question), ",
            sp.Symbol("P"),
            " and ",
            sp.Symbol("Ptilde"),
            " the parameters with and without bias, ",
            sp.Symbol("M"),
            " the multiply-accumulates and ",
            sp.Symbol("A"),
            " the values the layers output (the activation memory), all derived above.",
        ),
    )
    d.instance = d.instance.with_definition(channels[0], sp.Integer(ref.c_out))
    d.instance = d.instance.with_definition(channels[1], sp.Integer(sub.c_out))
    _ratio(d, channels[1], channels[0], sub.c_out, ref.c_out, "channels at each output")
    for suffix, what in COUNTS.items():
        x, y = answers.get(f"{ref.label}_{suffix}"), answers.get(f"{sub.label}_{suffix}")
        if x is None or y is None:
            continue
        d.instance = d.instance.with_definition(x.label, x.value)
        d.instance = d.instance.with_definition(y.label, y.value)
        _ratio(d, y.label, x.label, int(y.value), int(x.value), what)
    return d.build()


def _ratio(d: DerivationBuilder, num: sp.Expr, den: sp.Expr, p: int, q: int, rule: str) -> None:
    members = dict.fromkeys((_fraction(p, q), sp.Rational(p, q)))
    d.equal(num / den, *members, rule=rule)


def _times(r: Fraction) -> list[Segment]:
    """A ratio as a factor: 4×, or 5.41·10⁵× for one that is not a whole number."""
    if r.denominator == 1:
        return [f"{r.numerator}×"]
    if r < 1000:  # three significant figures: 16.5×, 140×
        return [f"{float(r):.3g}×"]
    return [sp.Float(sp.Rational(r.numerator, r.denominator), 3), "×"]


def _change(r: Fraction, noun: str, fewer: str = "fewer") -> list[Segment]:
    """How a count compares, new/old = ``r``: "about 5% fewer parameters", "3× the
    activation memory"."""
    if r == 1:
        return [f"as many {noun}" if fewer == "fewer" else f"the same {noun}"]
    if r > 2:
        return [*_times(r), f" the {noun}"]
    percent = round(100 * abs(1 - r))
    word = fewer if r < 1 else "more"
    return [f"about {percent}% {word} {noun}" if percent else f"slightly {word} {noun}"]


def _width(block: Block) -> str:
    return str(block.c_out) if block.c_in == block.c_out else f"{block.c_in}→{block.c_out}"


def _channels(ref: Block, sub: Block) -> list[Segment]:
    """ "4× the channels of the basic block (128 vs 32)"."""
    r = Fraction(int(sub.c_out), int(ref.c_out))
    versus = f" ({_width(sub)} vs {_width(ref)})"
    if r == 1:
        return [f"as many channels as the {ref.label} block{versus}"]
    if r > 1:
        return [*_times(r), f" the channels of the {ref.label} block{versus}"]
    return [*_times(1 / r), f" fewer channels than the {ref.label} block{versus}"]


def _counts(answers: dict[str, Answer], block: Block, suffix: str) -> int | None:
    answer = answers.get(f"{block.label}_{suffix}")
    return None if answer is None else int(answer.value)


def _parameters(ref: Block, sub: Block, answers: dict[str, Answer]) -> list[Segment]:
    """ "about 5% fewer parameters (17 600 vs 18 496 with bias; 17 408 vs 18 432 without)"."""
    shown = [
        (suffix, _counts(answers, sub, suffix), _counts(answers, ref, suffix))
        for suffix in ("params_bias", "params_no_bias")
        if _counts(answers, ref, suffix) is not None
    ]
    _, ps, pr = shown[0]
    tags = {"params_bias": " with bias", "params_no_bias": " without"}
    versus = "; ".join(f"{s} vs {r}{tags[x] if len(shown) > 1 else ''}" for x, s, r in shown)
    return [*_change(Fraction(ps, pr), "parameters"), f" ({versus})"]


#: A trade-off: whether the compared block does better, the words of the box, and the
#: words of the summary table (None: the table's row says it already, the parameters).
TradeOff = tuple[bool, list[Segment], list[Segment] | None]


def _main(ref: Block, answers: dict[str, Answer]) -> str:
    """The parameter count the comparison leads with: with bias where it was counted."""
    return "params_bias" if _counts(answers, ref, "params_bias") is not None else "params_no_bias"


def _trade_offs(ref: Block, sub: Block, answers: dict[str, Answer]) -> list[TradeOff]:
    """What the compared block does better (True) or worse, each with its numbers."""
    main = _main(ref, answers)
    out: list[TradeOff] = []
    ps, pr = _counts(answers, sub, main), _counts(answers, ref, main)
    wider = (sub.c_out > ref.c_out) - (sub.c_out < ref.c_out)
    if ps != pr:  # said with the channels where they go the other way
        fewer = ["more channels for fewer parameters" if wider > 0 else "fewer parameters"]
        more = ["fewer channels for more parameters" if wider < 0 else "more parameters"]
        out.append((ps < pr, fewer if ps < pr else more, None))
    for suffix, noun, short, fewer in (
        ("macs", "multiply-accumulates", "MACs", "fewer"),
        ("activation_elements", "activation memory", "activation memory", "less"),
    ):
        s, r = _counts(answers, sub, suffix), _counts(answers, ref, suffix)
        if s is not None and r is not None and s != r:
            versus = [f" ({s} vs {r})"] if suffix == "macs" else _memory(ref, sub, s, r, wider)
            said = [*_change(Fraction(s, r), noun, fewer), " on this input", *versus]
            out.append((s < r, said, _rough(Fraction(s, r), short, fewer)))
    rs, rr = receptive_field(sub), receptive_field(ref)
    if rs != rr:
        size = "a larger" if rs > rr else "a smaller"
        said = [
            f"{size} receptive field: one output sees a {rs}×{rs} window of the "
            f"block's input, against {rr}×{rr}"
        ]
        out.append((rs > rr, said, [f"{rs}×{rs} vs {rr}×{rr} receptive field"]))
    return out


def _rough(r: Fraction, noun: str, fewer: str) -> list[Segment]:
    """A count's change in a few words, for the summary table: 3× the activation memory
    (a factor of 2 or more), otherwise which way it goes: fewer MACs."""
    if r >= 2:
        return [*_times(r), f" the {noun}"]
    if r <= Fraction(1, 2):
        return [*_times(1 / r), f" {fewer} {noun}"]
    return [f"{fewer if r < 1 else 'more'} {noun}"]


def _brief(
    ref: Block, sub: Block, answers: dict[str, Answer], trade_offs: list[TradeOff]
) -> Paragraph:
    """The comparison in one row of the summary table: channels and parameters, then the
    other advantages, then the disadvantages ("bottleneck: 4× the channels (128 vs 32) with
    ≈5% fewer parameters (17600 vs 18496); fewer MACs; 3× the activation memory, …")."""
    r = Fraction(int(sub.c_out), int(ref.c_out))
    versus = f" ({_width(sub)} vs {_width(ref)})"
    if r == 1:
        channels: list[Segment] = [f"as many channels{versus}"]
    elif r > 1:
        channels = [*_times(r), f" the channels{versus}"]
    else:
        channels = [*_times(1 / r), f" fewer channels{versus}"]
    main = _main(ref, answers)
    ps, pr = _counts(answers, sub, main), _counts(answers, ref, main)
    rp = Fraction(ps, pr)
    if rp >= 2:
        change: list[Segment] = [*_times(rp), " the"]
    else:
        percent = round(100 * abs(1 - rp))
        change = ["as many" if ps == pr else f"≈{percent}% {'fewer' if ps < pr else 'more'}"]
    said = [f"{sub.label}: ", *channels, " with ", *change, f" parameters ({ps} vs {pr})"]
    for better in (True, False):
        items = [short for good, _, short in trade_offs if good == better and short]
        if items:
            said += ["; ", *_listed(items, ", ")]
    return Paragraph(tuple(said))


def _widths(block: Block) -> list[int] | None:
    """The channels each layer of a block outputs and stores, per position (None when a
    stride changes the positions, or a layer has no channel count here)."""
    if block.stride != 1:
        return None
    widths = []
    for layer in block.layers():
        if not isinstance(layer, Conv | BatchNorm):
            return None
        width = layer.c_out if isinstance(layer, Conv) else layer.channels
        if not isinstance(width, int | sp.Integer):
            return None
        widths.append(int(width))
    return widths


def _memory(ref: Block, sub: Block, s: int, r: int, wider: int) -> list[Segment]:
    """Why the stored values differ: the wider block's tensors, with the channels each layer
    stores per position when their sums give the totals' ratio (the appendix's tables)."""
    why = ""
    if wider and (s > r) == (wider > 0):
        more, less = (sub, ref) if wider > 0 else (ref, sub)
        factor = Fraction(int(more.c_out), int(less.c_out))
        times = "".join(map(str, _times(factor)))
        why = f", as the {more.label} block's tensors carry {times} the channels"
    ws, wr = _widths(sub), _widths(ref)
    if ws and wr and Fraction(sum(ws), sum(wr)) == Fraction(s, r):
        per = f": {' + '.join(map(str, ws))} vs {' + '.join(map(str, wr))} channels per position"
    else:
        per = ""
    return [f"{why} ({s} vs {r} values stored for the backward pass{per})"]


def _listed(items: list[list], last: str = " and ") -> list[Segment]:
    """a, b and c (or, with ``last`` ", ", a, b, c)."""
    out: list[Segment] = []
    for i, item in enumerate(items):
        out += [("" if i == 0 else last if i + 1 == len(items) else ", "), *item]
    return out


def conclusion(a: Block, b: Block, answers: dict[str, Answer]) -> tuple[Paragraph, Paragraph]:
    """The comparison in words, and its one line for the summary table.

    >>> from symhw.problems.block_params import Params, solve, SEED_BLOCKS
    >>> answers = {x.name: x for x in solve(Params()).answers}
    >>> _, brief = conclusion(*SEED_BLOCKS, answers)
    >>> "".join(brief.segments)  # doctest: +NORMALIZE_WHITESPACE
    'bottleneck: 4× the channels (128 vs 32) with ≈5% fewer parameters (17600 vs 18496);
    fewer MACs; 3× the activation memory, 3×3 vs 5×5 receptive field'
    """
    ref, sub = pair(a, b)
    said: list[Segment] = [
        f"The {sub.label} block handles ",
        *_channels(ref, sub),
        " with ",
        *_parameters(ref, sub, answers),
    ]
    if sub.kind == "bottleneck" and sub.mid is not None and sub.mid < sub.c_in:
        said.append(
            f": its {sub.kernel}×{sub.kernel} conv runs at the inner width {sub.mid}, after a "
            f"1×1 conv reduces {sub.c_in} channels to {sub.mid}"
        )
    said.append(".")
    trade_offs = _trade_offs(ref, sub, answers)
    for better, heading in ((True, "Advantages"), (False, "Disadvantages")):
        items = [words for good, words, _ in trade_offs if good == better]
        if items:
            said += [f" {heading}: ", *_listed(items), "."]
    return Paragraph(tuple(said)), _brief(ref, sub, answers, trade_offs)
