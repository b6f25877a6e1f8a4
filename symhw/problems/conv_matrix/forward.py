"""The forward steps of a conv-matrix sheet: the element equations, Y = A x, A's blocks.

Every step is built with :class:`~symhw.builder.DerivationBuilder` and so verified as it is
made, or shown "not verified (budget)" where its check would pass the term budget of
:mod:`~symhw.problems.conv_matrix.general_equation`. A small layer is written out entry by
entry and every matrix identity is checked in full; a large one shows corners, blocks and a
few rows.
"""

from __future__ import annotations

import math

import sympy as sp

from symhw.builder import DerivationBuilder
from symhw.conv import ConvGeometry
from symhw.conv.equations import element_terms, term_count
from symhw.conv.symbols import column
from symhw.derivation import Derivation, Paragraph
from symhw.notation import indexed_symbol, written_sum
from symhw.problems.conv_matrix.corners import shown_part
from symhw.problems.conv_matrix.general_equation import (
    CH_IN,
    CH_OUT,
    W_INDEXED,
    ensure_defined,
    general_formula,
    general_symbol,
    nested_sum,
    over_budget,
    position_symbols,
    tap_symbols,
)
from symhw.problems.conv_matrix.layer import FULL_COLS, ShownLayer, flat_index


def _at(g: ConvGeometry, j: int, pos: tuple[int, ...]) -> str:
    """'formula at j = 1, t = 2': where the general formula is evaluated, as the rule of a step."""
    names = [CH_OUT, *position_symbols(g.dims)]
    at = ", ".join(f"{n} = {v + 1}" for n, v in zip(names, (j, *pos), strict=True))
    return f"formula at {at}"


def element_equations(layer: ShownLayer) -> DerivationBuilder:
    """The general element equation (stride, padding and dilation filled in), then each entry,
    checked against the general equation evaluated at its indices."""
    g = layer.geometry
    outs = position_symbols(g.dims)
    taps = tap_symbols(g.dims)
    w = indexed_symbol("w", ",".join(map(str, taps)), "ij")
    indexed, limits = general_formula(g)
    term = indexed.xreplace({W_INDEXED[(CH_IN, CH_OUT, *taps)]: w})
    group = (
        f" With {g.groups} groups, an output channel reads only the {g.in_per_group} input "
        "channels of its group (the other weights are 0)."
        if g.groups > 1
        else ""
    )
    intro = (
        "Cross-correlation, as in deep-learning frameworks: the kernel is not flipped. In ",
        w,
        " the kernel scans input channel ",
        CH_IN,
        " and writes output channel ",
        CH_OUT,
        "; input positions outside the signal read the zero padding and drop out." + group,
    )
    b = DerivationBuilder("Element equations", intro=intro)
    b.define(general_symbol("Y", CH_OUT, outs), nested_sum(term, limits), rule="cross-correlation")
    for j, pos in layer.shown(g.out_channels, g.out_size):
        if layer.fits(term_count(g, pos)):
            terms = written_sum(*element_terms(layer.s, j, pos))
            checked_entry(b, layer, j, pos, terms, rule=_at(g, j, pos))
    return b


def checked_entry(
    b: DerivationBuilder, layer: ShownLayer, j: int, pos: tuple[int, ...], value: sp.Expr, rule: str
) -> None:
    """Y_{j,pos} = value, checked against the general equation (within the term budget)."""
    reason = over_budget(layer, 1)
    if reason is not None:
        b.over_budget(layer.s.y(j, pos), value, rule=rule, budget=reason)
        return
    ensure_defined(b, layer, j, pos)
    b.equal(layer.s.y(j, pos), value, rule=rule)


def block_name(layer: ShownLayer, i: int, j: int) -> sp.Symbol:
    """A^ij: the block taking input channel i to output channel j (commas past 9)."""
    return indexed_symbol("A", sup=layer.s.channel_pair(i, j))


def _matrix_intro(layer: ShownLayer) -> tuple:
    g = layer.geometry
    position = (sp.Symbol("t"),) if g.dims == 1 else sp.symbols("m n")
    primed = tuple(sp.Symbol(f"{p}'") for p in position)
    return (
        "Reading off the coefficient of every input gives ",
        sp.Eq(sp.Symbol("Y"), sp.Mul(*sp.symbols("A x"), evaluate=False)),
        ", with the rows of A in the order of ",
        sp.Tuple(CH_OUT, *position),
        " and its columns in the order of ",
        sp.Tuple(CH_IN, *primed),
        "." if layer.full else "; the rows below are checked against the element equations.",
    )


#: The rule of the step that writes A by its named channel blocks A^ij (Part I shows it).
NAMED_BLOCKS = "blocks named"


def block_kind(g: ConvGeometry) -> str:
    """What one channel block of A is, read off the geometry (stride 1 keeps it Toeplitz).

    >>> from symhw.conv import conv_geometry
    >>> block_kind(conv_geometry(2, 2, 4, 3))
    'a Toeplitz matrix (constant along its diagonals)'
    >>> block_kind(conv_geometry(1, 1, 5, 3, stride=2))
    'banded: each row is the row above shifted 2 columns right'
    """
    if any(s > 1 for s in g.stride):
        shifts = " and ".join(str(s) for s in g.stride)
        return f"banded: each row is the row above shifted {shifts} columns right"
    if g.dims == 1:
        return "a Toeplitz matrix (constant along its diagonals)"
    return "doubly block Toeplitz: block Toeplitz, with Toeplitz blocks"


def _blocks_intro(g: ConvGeometry) -> tuple:
    kind = block_kind(g)
    return (
        "The block ",
        indexed_symbol("A", sup="ij"),
        " that takes input channel ",
        CH_IN,
        " to output channel ",
        CH_OUT,
        " sits in block row ",
        CH_OUT,
        " and block column ",
        CH_IN,
        " (rows follow the outputs, columns the inputs), holds the weights of kernel ",
        indexed_symbol("w", sup="ij"),
        f" only, and is {kind}.",
    )


def _full_matrix(b: DerivationBuilder, blocks: DerivationBuilder, layer: ShownLayer) -> None:
    """A small A in full: Y = A x checked entry by entry, A by channel blocks (and by image
    rows, when a 2-D block is small enough)."""
    g, A = layer.geometry, layer.A
    for j, pos in layer.shown(g.out_channels, g.out_size):
        ensure_defined(b, layer, j, pos)  # also the entries too long to show
    b.equal(
        column(layer.s.array("y")),
        sp.MatMul(layer.explicit, column(layer.s.array("x")), evaluate=False),
        rule="collect",
    )
    grid = [[A.block(j, i) for i in range(g.in_channels)] for j in range(g.out_channels)]
    blocks.define(sp.Symbol("A"), layer.explicit, rule="as collected")
    if g.in_channels * g.out_channels > 1:
        blocks.then(sp.BlockMatrix(grid), rule="channel blocks")
        _named_blocks(blocks, layer, grid)
    if g.dims == 2 and 2 * math.prod(g.size) <= FULL_COLS[2]:  # both fit on one line
        h, w = g.out_size[1], g.size[1]
        a11 = A.block(0, 0)
        inner = [
            [a11[r * h : (r + 1) * h, c * w : (c + 1) * w] for c in range(g.size[0])]
            for r in range(g.out_size[0])
        ]
        blocks.equal(a11, sp.BlockMatrix(inner), rule="by image rows")


def _named_blocks(blocks: DerivationBuilder, layer: ShownLayer, grid: list[list]) -> None:
    """A = [A^11 A^21; A^12 A^22 ...] = A written out: block (j, i) named A^ij, checked
    against A with each name standing for the block the index map gives."""
    named = [
        [sp.MatrixSymbol(block_name(layer, i, j).name, *block.shape) for i, block in enumerate(row)]
        for j, row in enumerate(grid)
    ]
    for names, row in zip(named, grid, strict=True):
        for name, block in zip(names, row, strict=True):
            blocks.instance = blocks.instance.with_definition(name, block)
    explicit = sp.ImmutableMatrix(sp.BlockMatrix(grid).as_explicit())
    blocks.equal(sp.Symbol("A"), sp.BlockMatrix(named), explicit, rule=NAMED_BLOCKS)


def _large_matrix(b: DerivationBuilder, blocks: DerivationBuilder, layer: ShownLayer) -> None:
    """A large A by a few rows (those short enough to show), its block grid and a corner."""
    g, A = layer.geometry, layer.A
    for j, pos in layer.shown(g.out_channels, g.out_size):
        if not layer.fits(term_count(g, pos)):
            continue
        row = j * math.prod(g.out_size) + flat_index(g.out_size, pos)
        terms = [A.entry(row, c) * layer.s.x_flat(c) for c, _ in layer.index_map.nonzeros(row)]
        checked_entry(b, layer, j, pos, written_sum(*terms), rule="row of A times x")
    grid = shown_part(lambda r, c: block_name(layer, int(c), int(r)), g.out_channels, g.in_channels)
    blocks.define(sp.Symbol("A"), grid, rule=NAMED_BLOCKS)
    corner = shown_part(A.entry, math.prod(g.out_size), math.prod(g.size))
    blocks.define(block_name(layer, 0, 0), corner, rule="corners shown")


def matrix_form(
    layer: ShownLayer, previous: DerivationBuilder
) -> tuple[Derivation | Paragraph, ...]:
    """Y = A x (rows (j, t), columns (i, t')), then the block structure of A."""
    b = DerivationBuilder(
        "The convolution as a matrix: Y = A x",
        instance=previous.instance,
        intro=_matrix_intro(layer),
    )
    blocks = DerivationBuilder("Block structure of A", intro=_blocks_intro(layer.geometry))
    (_full_matrix if layer.full else _large_matrix)(b, blocks, layer)
    return built(b), built(blocks)


def built(b: DerivationBuilder) -> Derivation | Paragraph:
    """The derivation, or only its introduction when no step is short enough to show."""
    d = b.build()
    if d.steps:
        return d
    note = " Each entry is too long a sum to write out here: the checks at the end cover them."
    return Paragraph((*(d.intro.segments if d.intro else ()), note))
