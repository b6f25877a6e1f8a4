"""Part I of a conv-matrix problem: (a) x and Y stacked (the flat indices m, r and R
defined), the element equation and A, boxed, and A's pattern with each weight in its cell;
(b) the one-line reason ∂Y_r/∂x_m = A_rm, ∂L/∂x = Aᵀ ∂L/∂Y and Aᵀ, boxed; (c) why the
backward pass is a convolution, and its formula boxed with the zero padding, the flip and
the channel swap.

Everything shown is a step of the verified derivations :func:`solve` built, a figure of its
appendix, or a sentence made from the layer's geometry.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import sympy as sp

from symhw.conv.symbols import LOSS
from symhw.derivation import (
    Answer,
    Boxed,
    Derivation,
    Figure,
    KeyPart,
    Paragraph,
    Part,
    excerpt,
)
from symhw.notation import Dots, GradientEntry, PartialDerivative, indexed_symbol
from symhw.problems.conv_matrix.backward_convolution import describe_padding
from symhw.problems.conv_matrix.backward_formula import (
    SUBSTITUTE,
    backward_formula,
    change_of_index,
    shown_formula,
    z_placement,
)
from symhw.problems.conv_matrix.forward import NAMED_BLOCKS
from symhw.problems.conv_matrix.general_equation import (
    general_symbol,
    position_symbols,
    tap_symbols,
)
from symhw.problems.conv_matrix.layer import ShownLayer
from symhw.problems.conv_matrix.statement import axes_text

Y = sp.Symbol("Y")

#: Titles of the parts of :func:`solve` that Part I draws on (their beginnings).
ELEMENTS, MATRIX, BLOCKS, BACKWARD, CONVOLUTION = (
    "Element equations",
    "The convolution as a matrix",
    "Block structure of A",
    "Backward pass",
    "The backward pass as a convolution",
)


def _derivation(parts: tuple[Part, ...], title: str) -> Derivation | None:
    return next((p for p in parts if isinstance(p, Derivation) and p.title.startswith(title)), None)


def _grad_x() -> sp.Expr:
    """∂L/∂x = Aᵀ ∂L/∂Y."""
    return sp.Eq(
        GradientEntry(LOSS, sp.Symbol("x")),
        sp.Mul(sp.Symbol("A^T"), GradientEntry(LOSS, sp.Symbol("Y")), evaluate=False),
    )


def _y_equals_ax() -> sp.Expr:
    """Y = A x, as math."""
    return sp.Eq(sp.Symbol("Y"), sp.Mul(sp.Symbol("A"), sp.Symbol("x"), evaluate=False))


def _stacked(letter: str, count: int, name: Callable[[int], sp.Symbol]) -> sp.Expr:
    """``x = [x_11 x_12 ...]ᵀ``: a column vector of ``count`` entries (``name(k)`` the k-th,
    0-based) written as a transposed row, all of them, or the first two and the last."""
    shown = (
        [name(k) for k in range(count)]
        if count <= 4
        else [name(0), name(1), Dots("⋯"), name(count - 1)]
    )
    vector = sp.MatrixSymbol(letter, count, 1)
    return sp.Eq(vector, sp.Transpose(sp.ImmutableMatrix([shown])), evaluate=False)


def _vectors(layer: ShownLayer) -> Paragraph:
    """(a)'s opening: x and Y stacked channel by channel, and their flat indices m and r."""
    g, s = layer.geometry, layer.s
    rows, cols = g.matrix_shape
    per = math.prod(g.out_size)
    xs = _stacked("x", cols, s.x_flat)
    ys = _stacked("Y", rows, lambda r: s.y(r // per, _position(r % per, g.out_size)))
    m, r = sp.symbols("m r")
    return Paragraph(
        (
            "(a) Stack the inputs channel by channel into ",
            xs,
            " and the outputs into ",
            ys,
            "; ",
            sp.Symbol("x_m"),
            " and ",
            sp.Symbol("Y_r"),
            " are their entries (",
            m,
            " = 1, …, ",
            sp.Symbol("M"),
            ", ",
            sp.Eq(sp.Symbol("M"), cols, evaluate=False),
            "; ",
            r,
            " = 1, …, ",
            sp.Symbol("R"),
            ", ",
            sp.Eq(sp.Symbol("R"), rows, evaluate=False),
            "). Each output sums over the input channels and the kernel taps:",
        )
    )


def _position(flat: int, size: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(int(v) for v in np.unravel_index(flat, size))


def _brief_a(elements: Derivation, by_name: dict[str, Answer]) -> Paragraph:
    """The element equation the boxed A collects, and A's size."""
    rows, cols = by_name["A"].data.shape
    equation = elements.steps[0]
    return Paragraph(
        (
            sp.Eq(equation.lhs, equation.rhs, evaluate=False),
            ", i.e. ",
            _y_equals_ax(),
            " with ",
            sp.Symbol("A"),
            f" of size {rows} × {cols}",
        )
    )


def _block_kind(layer: ShownLayer) -> str:
    """What each channel block of A is, with its size: '2 × 4 banded Toeplitz matrix'."""
    g = layer.geometry
    if any(s > 1 for s in g.stride):
        kind = "banded matrix"
    else:
        kind = "banded Toeplitz matrix" if g.dims == 1 else "doubly block Toeplitz matrix"
    return f"{math.prod(g.out_size)} × {math.prod(g.size)} {kind}"


def _matrix_a(
    layer: ShownLayer,
    matrix: Derivation,
    blocks: Derivation | None,
    answer: Answer,
    brief: Paragraph,
) -> tuple[KeyPart, ...]:
    """(a)'s A, boxed, with its block structure: the step of the appendix that names the
    blocks, A = [A^11 A^21; ...] = A written out (when it has one), and a sentence saying
    which block is which kernel's, of what size and kind (read off the layer)."""
    named = [k for k, s in enumerate(blocks.steps) if s.rule == NAMED_BLOCKS] if blocks else []
    i, j = sp.symbols("i j")
    groups = " (0 across groups)" if layer.geometry.groups > 1 else ""
    lead = ("Reading off the coefficient of every input gives ", _y_equals_ax())
    if not named or blocks.steps[named[-1]].chain[-1] != answer.value:
        box = Boxed((answer,), derived_in=matrix.title, question="(a)", brief=brief)
        return Paragraph((*lead, " with")), box
    words = Paragraph(
        (
            *lead,
            "; its block ",
            sp.Tuple(j, i),
            " (block row ",
            j,
            ", output channel; block column ",
            i,
            ", input channel) is ",
            indexed_symbol("A", sup="ij"),
            f", the {_block_kind(layer)} of kernel ",
            indexed_symbol("w", sup="ij"),
            groups + ":",
        )
    )
    chain = excerpt(blocks, (named[-1],), "")
    box = Boxed((answer,), derived_in=matrix.title, question="(a)", brief=brief, derivation=chain)
    return words, box


def _step(d: Derivation, rule: str) -> int:
    """The index of the step of ``d`` with this rule."""
    return next(k for k, s in enumerate(d.steps) if s.rule == rule)


def _reason() -> Paragraph:
    """Why the backward pass is Aᵀ: Y = A x is linear, so each slope is an entry of A."""
    y, x, a = sp.Symbol("Y_r"), sp.Symbol("x_m"), sp.Symbol("A_rm")
    r = sp.Symbol("r", integer=True, positive=True)
    return Paragraph(
        (
            "(b) ",
            _y_equals_ax(),
            " is linear in ",
            sp.Symbol("x"),
            ", so ",
            sp.Eq(PartialDerivative(y, x), a, evaluate=False),
            " for every ",
            r,
            " and ",
            sp.Symbol("m"),
            ", and the chain rule gives ",
            sp.Eq(
                GradientEntry(LOSS, x),
                sp.Sum(a * GradientEntry(LOSS, y), (r, 1, sp.Symbol("R"))),
                evaluate=False,
            ),
            ", that is ",
            _grad_x(),
            ", with",
        )
    )


def _formula_box(layer: ShownLayer, convolution: Derivation, kernels: Answer) -> Boxed:
    """(c): the backward pass as one formula, with where ∂L/∂Y sits in Z, boxed; the words
    name the padding, the flip and the channel swap (all read off the layer)."""
    g = layer.geometry
    formula, placement = shown_formula(g), z_placement(g)
    taps = tap_symbols(g.dims)
    flipped = formula.rhs.atoms(sp.Symbol)
    weight = next(w for w in flipped if w.name.startswith("w_"))
    i, j = sp.symbols("i j")
    own = (
        "the forward layer itself has no padding"
        if not any(g.padding)
        else f"the forward layer pads {axes_text(g.padding)}"
    )
    dilation = f", the dilation {axes_text(g.dilation)}" if any(d > 1 for d in g.dilation) else ""
    # the formula and Z as answers of the key's own (the answers table boxes them; the JSON
    # keeps the kernels): each is a step of the appendix that verifies it
    as_answers = (
        Answer("backward_formula", formula.lhs, formula.rhs),
        Answer("backward_padding", placement.lhs, placement.rhs),
    )
    return Boxed(
        (kernels, *as_answers),
        statement=Paragraph(
            (
                formula,
                ", where ",
                placement,
                " and ",
                sp.Symbol("Z"),
                " is 0 elsewhere: ",
                GradientEntry(LOSS, Y),
                f" with {describe_padding(g)} ({own}). The kernel is flipped (",
                weight,
                " at tap ",
                taps[0] if len(taps) == 1 else sp.Tuple(*taps),
                f"), the stride is 1{dilation} and the channels swap: the pair ",
                sp.Tuple(i, j),
                " reads channel ",
                j,
                " of ",
                sp.Symbol("Z"),
                ", an output channel, and writes channel ",
                i,
                " of ",
                GradientEntry(LOSS, sp.Symbol("x")),
                ", an input channel.",
            )
        ),
        derived_in=convolution.title,
        question="(c)",
        brief=Paragraph((formula, ", where ", placement, " (0 elsewhere)")),
    )


def _why_convolution(layer: ShownLayer, convolution: Derivation) -> Paragraph:
    """(c)'s reason: entry (i, t) of Aᵀ ∂L/∂Y weights each output by the tap that reads
    x_{it} (that sum is the verified step of the appendix that writes it), and the change of
    index that turns it into the correlation of Z with the flipped kernels (computed from the
    layer, :func:`change_of_index`)."""
    g = layer.geometry
    i = sp.Symbol("i")
    taps = tap_symbols(g.dims)
    x = general_symbol("x", i, position_symbols(g.dims))
    primed = position_symbols(g.dims, "'")
    y = general_symbol("Y", sp.Symbol("j"), primed)
    weight = indexed_symbol("w", ",".join(map(str, taps)), "ij")
    ranges = " × ".join(f"1, …, {n}" for n in g.kernel)
    by_output = convolution.steps[_step(convolution, SUBSTITUTE)]
    changes = change_of_index(g)
    term, _ = backward_formula(g)
    z = next(e for e in term.atoms(sp.Indexed) if e.base == sp.IndexedBase("Z"))
    segments: list = [
        "(c) Entry ",
        sp.Tuple(i, *position_symbols(g.dims)),
        " of ",
        sp.Mul(sp.Symbol("A^T"), GradientEntry(LOSS, Y), evaluate=False),
        " weights ",
        y,
        " by the tap that reads ",
        x,
        ": ",
        sp.Eq(by_output.lhs, by_output.rhs, evaluate=False),
        " (",
        sp.Eq(weight, 0, evaluate=False),
        " for ",
        taps[0] if len(taps) == 1 else sp.Tuple(*taps),
        f" outside {ranges}{' or not whole' if any(d > 1 for d in g.dilation) else ''}). Put ",
    ]
    for n, (outputs, _) in enumerate(changes):
        segments += [", " if n else "", outputs]
    whole = " or not whole" if any(st > 1 for st in g.stride) else ""
    segments += [
        ": ",
        sp.Eq(z, GradientEntry(LOSS, y), evaluate=False),
        " (0 for ",
        primed[0] if len(primed) == 1 else sp.Tuple(*primed),
        f" outside {' × '.join(f'1, …, {n}' for n in g.out_size)}{whole}) and ",
    ]
    for n, (_, tap) in enumerate(changes):
        segments += [", " if n else "", tap]
    return Paragraph((*segments, ":"))


def conv_key(
    layer: ShownLayer, parts: tuple[Part, ...], answers: list[Answer]
) -> tuple[KeyPart, ...]:
    """(a) x and Y stacked, the element equation and A; (b) the reason and Aᵀ; (c) Z, one
    entry worked, and the backward formula boxed. A layer whose derivations are missing
    keeps the default key."""
    by_name = {a.name: a for a in answers}
    elements, matrix = _derivation(parts, ELEMENTS), _derivation(parts, MATRIX)
    backward, convolution = _derivation(parts, BACKWARD), _derivation(parts, CONVOLUTION)
    if None in (elements, matrix, backward, convolution):
        return ()
    return (
        _vectors(layer),
        excerpt(elements, (0,), ""),
        *_matrix_a(
            layer, matrix, _derivation(parts, BLOCKS), by_name["A"], _brief_a(elements, by_name)
        ),
        *[p for p in parts if isinstance(p, Figure)][:1],  # A's pattern, weights in its cells
        _reason(),
        Boxed(
            (by_name["A_T"],),
            derived_in=backward.title,
            question="(b)",
            brief=Paragraph((_grad_x(),)),
        ),
        _why_convolution(layer, convolution),
        _formula_box(layer, convolution, by_name["backward_kernel"]),
    )
