"""Part I of a block-params problem: what the question asks, the parameters of each block
with and without bias (one sum over its layers, the total boxed) and the comparison.

Everything is taken from the verified derivations :func:`count_blocks` built: a key row
restates a chain of them (rebuilt with the same definitions, so it is verified again).
"""

from __future__ import annotations

import sympy as sp

from symhw.builder import DerivationBuilder
from symhw.counts.blocks import Block
from symhw.derivation import (
    Answer,
    Boxed,
    Derivation,
    Figure,
    KeyPart,
    Paragraph,
    Part,
    Segment,
)
from symhw.notation import written_sum
from symhw.problems.block_params.block_counts import CONV_COUNT, LETTERS
from symhw.problems.block_params.conclusion import conclusion, title


def _chains(d: Derivation) -> list[list]:
    """The members of each chain of a derivation: a step and the steps continuing it."""
    chains: list[list] = []
    for step in d.steps:
        if step.continues and chains:
            chains[-1] += step.chain[1:]
        else:
            chains.append(list(step.chain))
    return chains


def _total_box(letter: str, block: Block, d: Derivation, answers: dict) -> Boxed:
    """A block's parameters from a derivation of them (a chain per layer, ``P := formula|
    values = numbers = count``, then the total's): ``P = Σ numbers = Σ counts = total``,
    one term per layer in order, the total boxed and linked to ``d``."""
    with_bias = d.title.endswith("with bias")
    answer = answers[f"{block.label}_params_{'bias' if with_bias else 'no_bias'}"]
    *layers, _ = _chains(d)
    terms = [c[2] if len(c) > 3 else c[-1] for c in layers]
    b = DerivationBuilder("")
    b.instance = b.instance.with_definition(answer.label, answer.value)
    members = [written_sum(*terms), written_sum(*(c[-1] for c in layers)), answer.value]
    b.equal(answer.label, *dict.fromkeys(members), rule="one term per layer, in order")
    tag = " (with bias)" if with_bias else " (without bias)"
    return Boxed(
        (answer,),
        derived_in=d.title,
        question=f"({letter})",
        derivation=b.build(),
        brief=Paragraph((sp.Eq(answer.label, answer.value, evaluate=False), tag)),
    )


def _symbols(blocks: tuple[Block, ...], answers: dict) -> Paragraph:
    """What the sums below add up, and the names of their totals."""
    norms = any(block.batchnorm for block in blocks)
    projections = any(block.projection for block in blocks)
    both = any(name.endswith("_params_no_bias") for name in answers) and any(
        name.endswith("_params_bias") for name in answers
    )
    p, p_tilde = sp.Symbol("P"), sp.Symbol("Ptilde")
    names: list[Segment] = (
        [" ", p, " is a block's number of parameters with bias, ", p_tilde, " without."]
        if both
        else [" ", p, " (", p_tilde, " without bias) is a block's number of parameters."]
    )
    return Paragraph(
        (
            *CONV_COUNT,
            *(("; a batch norm over C channels has 2C (γ and β)",) if norms else ()),
            ". Each sum below has one term per layer, in the order data flows"
            + (" (the projection shortcut last)" if projections else "")
            + ".",
            *names,
        )
    )


def _comparison(letter: str, blocks: tuple[Block, ...], parts: tuple[Part, ...], answers: dict):
    """(c): the conclusion at the question's widths, boxed and linked to the ratios the
    appendix derives (the polynomials in C, MACs and memory are the appendix's)."""
    if not any(getattr(p, "title", None) == title(letter) for p in parts):
        return []
    statement, brief = conclusion(blocks[0], blocks[1], answers)
    return [
        Boxed(statement=statement, derived_in=title(letter), question=f"({letter})", brief=brief)
    ]


def blocks_key(
    blocks: tuple[Block, ...], parts: tuple[Part, ...], answers: tuple[Answer, ...]
) -> tuple[KeyPart, ...]:
    """Part I: each block's parameters with and without bias, and the comparison (MACs,
    FLOPs, memory and the polynomials in C are not asked: Part II shows them)."""
    by_name = {a.name: a for a in answers}
    key: list[KeyPart] = [p for p in parts if isinstance(p, Figure)]  # the blocks, drawn
    key.append(_symbols(blocks, by_name))
    for letter, block in zip(LETTERS, blocks, strict=False):
        kind = "basic residual" if block.kind == "basic" else "bottleneck"
        heading = f"({letter}) {block.label.replace('_', ' ').capitalize()} block: parameters"
        counts = [p for p in parts if isinstance(p, Derivation) and p.title.startswith(heading)]
        key.append(Paragraph((f"({letter}) The {kind} block:",)))
        key += [_total_box(letter, block, d, by_name) for d in counts]
    if len(blocks) < len(LETTERS):
        key += _comparison(LETTERS[len(blocks)], blocks, parts, by_name)
    return tuple(key)
