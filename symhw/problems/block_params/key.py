"""Part I of a block-params problem: each block's parameters layer by layer, boxed where
added up; the blocks side by side; the comparison in the width C and its conclusion.

Everything is taken from the verified derivations :func:`count_blocks` built: a key row
restates a chain of them (rebuilt with the same definitions, so it is verified again).
"""

from __future__ import annotations

import sympy as sp

from symhw.builder import DerivationBuilder
from symhw.counts.blocks import Block
from symhw.derivation import Answer, Boxed, Derivation, KeyPart, Paragraph, Part
from symhw.problems.block_params.block_counts import LETTERS


def _chains(d: Derivation) -> list[list]:
    """The members of each chain of a derivation: a step and the steps continuing it."""
    chains: list[list] = []
    for step in d.steps:
        if step.continues and chains:
            chains[-1] += step.chain[1:]
        else:
            chains.append(list(step.chain))
    return chains


def _count_rows(b: DerivationBuilder, d: Derivation) -> None:
    """From a parameter derivation (a chain per layer, ``P := formula|values = numbers =
    count``, then the total's): the layers' counts as one tuple row, and the total row."""
    *layers, total = _chains(d)
    for chain in (*layers, total):
        b.instance = b.instance.with_definition(chain[0], chain[-1])
    names, numbers, counts = zip(
        *((c[0], c[2] if len(c) > 3 else c[-1], c[-1]) for c in layers), strict=True
    )
    if len(layers) > 2:  # three products and their values are too wide for one line
        b.equal(sp.Tuple(*names), sp.Tuple(*numbers), rule="each layer")
        b.then(sp.Tuple(*counts), rule="multiply")
    else:
        b.equal(sp.Tuple(*names), sp.Tuple(*numbers), sp.Tuple(*counts), rule="each layer")
    b.equal(*total, rule="sum over the layers")


def _block_key(letter: str, block: Block, parts: tuple[Part, ...], answers: dict) -> KeyPart:
    """The parameters of one block, with and without bias: each layer's, then the total."""
    heading = f"({letter}) {block.label.replace('_', ' ').capitalize()} block: parameters"
    derivations = [p for p in parts if isinstance(p, Derivation) and p.title.startswith(heading)]
    b = DerivationBuilder("")
    boxed = []
    for d in derivations:
        suffix = "bias" if d.title.endswith("with bias") else "no_bias"
        _count_rows(b, d)
        boxed += [answers[f"{block.label}_{what}_{suffix}"] for what in ("layers", "params")]
    return Boxed(
        tuple(boxed),
        derived_in=derivations[0].title,
        question=f"({letter})",
        derivation=b.build(),
        brief=Paragraph(tuple(_brief(answers, block.label))),
    )


def _brief(answers: dict, label: str) -> list:
    out: list = []
    for suffix, tag in (("bias", "with bias"), ("no_bias", "without bias")):
        a = answers.get(f"{label}_params_{suffix}")
        if a is not None:
            out += [", " if out else "", sp.Eq(a.label, a.value), f" ({tag})"]
    return out


def _comparison(letter: str, parts: tuple[Part, ...], answers: dict) -> list[KeyPart]:
    """(c): the conclusion in words (the comparison, what each block buys and gives up),
    boxed; the polynomials in C, their ratios and the rest are in the appendix."""
    title = f"({letter}) Parameters in the width C"
    found = [p for p in parts if isinstance(p, Derivation) and p.title.startswith(f"({letter})")]
    if not found:
        return []
    d = next((p for p in found if p.title.startswith(title)), found[0])
    # The paragraphs after the comparisons: what the counts show, then for a basic block
    # against a bottleneck (a basic block as wide,) and the trade-offs; Part I boxes the
    # first and the last.
    after = parts[parts.index(found[-1]) + 1 :]
    said = [p for p in after if isinstance(p, Paragraph)]
    segments = said[0].segments + (said[-1].segments if len(said) > 1 else ())
    conclusion = Paragraph(segments) if said else None
    key: list[KeyPart] = []  # the polynomials in C, MACs and memory: Part II
    if conclusion is not None:
        brief = Paragraph(("the comparison and its trade-offs, in words",))
        key.append(
            Boxed(statement=conclusion, derived_in=d.title, question=f"({letter})", brief=brief)
        )
    return key


def blocks_key(
    blocks: tuple[Block, ...], parts: tuple[Part, ...], answers: tuple[Answer, ...]
) -> tuple[KeyPart, ...]:
    """Part I: each block's parameters and the comparison (MACs, FLOPs, memory and the
    polynomials in C are not asked: Part II shows them)."""
    by_name = {a.name: a for a in answers}
    key: list[KeyPart] = []
    for letter, block in zip(LETTERS, blocks, strict=False):
        kind = "basic residual" if block.kind == "basic" else "bottleneck"
        variants = [f"{block.label}_params_{v}" in by_name for v in ("bias", "no_bias")]
        what = {(True, True): "with and without bias", (True, False): "with bias"}.get(
            tuple(variants), "without bias"
        )
        key += [
            Paragraph((f"({letter}) The {kind} block, parameters layer by layer {what}:",)),
            _block_key(letter, block, parts, by_name),
        ]
    if len(blocks) < len(LETTERS):
        key += _comparison(LETTERS[len(blocks)], parts, by_name)
    return tuple(key)
