"""Residual blocks counted one by one: parameters (with and without bias), buffers,
MACs/FLOPs and activation memory, each layer derived; two blocks then compared in C."""

from __future__ import annotations

from dataclasses import replace

import sympy as sp

from symhw.counts.blocks import Block, traced_layers
from symhw.counts.layers import C_in, C_out, Shape, k
from symhw.counts.resnets import layer_totals
from symhw.derivation import Answer, Paragraph, Part, Segment
from symhw.notation import axes_shape, written
from symhw.problems.block_params.block_comparison import compare_blocks
from symhw.problems.block_params.conclusion import conclusion, widths_derivation
from symhw.problems.block_params.layer_counts import (
    Counted,
    buffer_derivation,
    count_symbol,
    mac_derivation,
    memory_table,
    parameter_derivation,
)
from symhw.problems.block_params.wording import describe

LETTERS = "abcdefghijklmnopqrstuvwxyz"

#: Which bias settings each ``bias`` option counts: True with conv biases, False without.
BIAS_VARIANTS = {"auto": (True, False), "both": (True, False), "with": (True,), "without": (False,)}


def count_blocks(
    blocks: tuple[Block, ...],
    size: tuple[int, int, int],
    bias: str,
    layout: str,
    compare: bool,
) -> Counted:
    """Each block counted on an input of batch ``N`` and spatial size ``H×W`` (``size``);
    two blocks also compared in their width C when ``compare``.

    >>> counted = count_blocks((Block("basic", 8, 8),), (1, 4, 4), "with", "NHWC", True)
    >>> [(a.name, a.value) for a in counted.answers][:2]
    [('basic_params_bias', 1168), ('basic_layers_bias', (584, 584))]
    """
    n, h, w = size
    variants = BIAS_VARIANTS[bias]
    parts: list[Part] = []
    answers: list[Answer] = []
    statement: list[Segment] = [
        f"Each block below takes an input of batch size {n} and spatial size {h}×{w}, written ",
        axes_shape(layout),
        " with ",
        sp.Symbol("C"),
        " the number of channels.",
    ]
    for letter, block in zip(LETTERS, blocks, strict=False):
        shape = Shape(sp.Integer(n), sp.Integer(block.c_in), sp.Integer(h), sp.Integer(w))
        statement.append(_block_statement(letter, block, shape, layout))
        more_parts, more_answers = block_parts(letter, block, shape, variants, layout)
        parts += more_parts
        answers += more_answers
    statement.append(
        " Count the parameters of each block"
        + (" with and without bias" if len(variants) == 2 else "")
        + "."
    )
    compared = compare and len(blocks) == 2
    if compared:
        letter = LETTERS[len(blocks)]
        statement.append(
            f" ({letter}) Compare the two blocks: their channels and parameters, and the "
            "advantages and disadvantages of each."
        )
        more_parts, more_answers = compare_blocks(letter, blocks[0], blocks[1], variants)
        parts += more_parts
        answers += more_answers
        by_name = {a.name: a for a in answers}
        parts += [
            widths_derivation(letter, blocks[0], blocks[1], by_name),
            conclusion(blocks[0], blocks[1], by_name)[0],
        ]
    parts.insert(0, _beyond_the_question(compared))
    return Counted(Paragraph(tuple(statement)), tuple(parts), tuple(answers))


def _block_statement(letter: str, block: Block, shape: Shape, layout: str) -> str:
    kind = "basic residual" if block.kind == "basic" else "bottleneck"
    sizes = "×".join(str(d) for d in shape.in_layout(layout))
    convs = "; ".join(describe(layer, stride=False) for layer in block.main_path())
    shortcut = "1×1 projection shortcut" if block.projection else "identity shortcut"
    norm = ", batch norm after each conv" if block.batchnorm else ""
    return f" ({letter}) A {kind} block on a {sizes} input: {convs}; {shortcut}{norm}."


def _beyond_the_question(compared: bool) -> Paragraph:
    """What the appendix shows that the question does not ask."""
    return Paragraph(
        (
            "Beyond the parameters the question asks for, this appendix counts each block's "
            "multiply-accumulates (MACs) and FLOPs on its input and the memory of each "
            "layer's output"
            + (
                ", and writes the counts of the two blocks as polynomials in a width C"
                if compared
                else ""
            )
            + ".",
        )
    )


def block_parts(
    letter: str, block: Block, shape: Shape, variants: tuple[bool, ...], layout: str
) -> tuple[list[Part], list[Answer]]:
    """Parameter derivations (per bias variant), buffers, MACs/FLOPs and the memory table.

    >>> block, shape = Block("basic", 32, 32), Shape(1, 32, 8, 8)
    >>> parts, answers = block_parts("a", block, shape, (True,), "NHWC")
    >>> answers[0].value
    18496
    """
    heading = f"({letter}) {block.label.replace('_', ' ').capitalize()} block"
    parts: list[Part] = []
    answers: list[Answer] = []
    for i, bias in enumerate(variants):
        intro = _parameter_intro(shape, layout) if i == 0 else None
        part, more = _parameter_part(heading, replace(block, bias=bias), intro)
        parts.append(part)
        answers += more
    if block.batchnorm:
        result = buffer_derivation(
            f"{heading}: batch-norm running statistics (buffers, not learnable)",
            block.layers(),
            count_symbol("B", block.label),
        )
        parts.append(result.derivation)
        answers.append(Answer(f"{block.label}_buffers", result.total_symbol, result.total))
    more_parts, more = _operation_parts(heading, block, shape, layout)
    return parts + more_parts, answers + more


def _parameter_intro(shape: Shape, layout: str) -> tuple[Segment, ...]:
    sizes = "×".join(str(d) for d in shape.in_layout(layout))
    return (f"The input is {sizes} (", axes_shape(layout), "). ", *CONV_COUNT, ".")


#: How many parameters a convolution has, in words (the appendix and Part I say it alike).
CONV_COUNT: tuple[Segment, ...] = (
    "A ",
    axes_shape("kk"),
    " convolution from ",
    C_in,
    " to ",
    C_out,
    " channels has ",
    written(C_out, C_in, k**2),
    " weights and, with bias, ",
    C_out,
    " biases",
)


def _parameter_part(
    heading: str, block: Block, intro: tuple[Segment, ...] | None
) -> tuple[Part, list[Answer]]:
    """The parameters of ``block`` with its own bias setting: the total and each layer's."""
    tag, suffix = ("with", "bias") if block.bias else ("without", "no_bias")
    total = count_symbol("P", block.label, tilde=not block.bias)
    result = parameter_derivation(
        f"{heading}: parameters {tag} bias",
        block.layers(),
        total,
        tilde=not block.bias,
        intro=intro,
    )
    answers = [
        Answer(f"{block.label}_params_{suffix}", total, result.total),
        Answer(
            f"{block.label}_layers_{suffix}",
            sp.Tuple(*result.layer_symbols),
            sp.Tuple(*result.per_layer),
        ),
    ]
    return result.derivation, answers


def _operation_parts(
    heading: str, block: Block, shape: Shape, layout: str
) -> tuple[list[Part], list[Answer]]:
    """MACs and FLOPs, and the memory of every layer's output, on an input of ``shape``."""
    label = block.label
    macs, flops, elements = (count_symbol(letter, label) for letter in "MFA")
    traced = traced_layers(block, shape)
    result = mac_derivation(f"{heading}: multiply-accumulates and FLOPs", traced, macs, flops)
    memory = memory_table(f"{heading}: activation memory", traced, layout, elements)
    answers = [
        Answer(f"{label}_macs", macs, result.total),
        Answer(f"{label}_flops", flops, 2 * result.total),
        Answer(f"{label}_activation_elements", elements, layer_totals(traced).activations),
    ]
    return [result.derivation, memory], answers
