"""The forward steps of a conv-matrix sheet: the element equations, Y = A x, A's blocks.

Every step is built with :class:`~symhw.builder.DerivationBuilder` and so verified as it is
made. A small layer is written out entry by entry and every matrix identity is checked in
full; a large one shows corners, blocks and a few rows, and each row shown is checked.
"""

from __future__ import annotations

import functools
import itertools
import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import sympy as sp

from symhw.builder import DerivationBuilder
from symhw.conv import ConvGeometry, ConvIndexMap
from symhw.conv.symbols import ConvSymbols, SymbolicConvMatrix, column, shown_part
from symhw.derivation import Derivation, Paragraph
from symhw.notation import PartialDerivative, written_sum

#: A is written out entry by entry up to this size; larger layers show corners and blocks.
FULL_ROWS = 24
FULL_COLS = {1: 12, 2: 9}  # 2-D names are wider
#: The most terms a sum on one line may have (per dims): products w x, and products with ∂L/∂Y,
#: which are wider. Longer sums are not written out; the checks at the end cover them.
MAX_TERMS = {1: 8, 2: 6}
MAX_GRADIENT_TERMS = {1: 6, 2: 4}
#: Channel indices as they appear in the prose of a sheet.
CH_IN, CH_OUT = sp.symbols("i j")


@dataclass(frozen=True)
class Layer:
    """A layer and its symbolic matrix, with which entries the sheet writes out."""

    geometry: ConvGeometry

    @cached_property
    def index_map(self) -> ConvIndexMap:
        return ConvIndexMap(self.geometry)

    @cached_property
    def A(self) -> SymbolicConvMatrix:
        return SymbolicConvMatrix(self.index_map)

    @property
    def s(self) -> ConvSymbols:
        return self.A.symbols

    @property
    def transpose_fits(self) -> bool:
        """Whether Aᵀ (as wide as A is tall) can be written out too."""
        return self.full and self.geometry.matrix_shape[0] <= FULL_COLS[self.geometry.dims]

    def fits(self, terms: int, gradient: bool = False) -> bool:
        """Whether a sum of this many terms fits on a line of the sheet."""
        return terms <= (MAX_GRADIENT_TERMS if gradient else MAX_TERMS)[self.geometry.dims]

    @property
    def full(self) -> bool:
        rows, cols = self.geometry.matrix_shape
        return rows <= FULL_ROWS and cols <= FULL_COLS[self.geometry.dims]

    @cached_property
    def explicit(self) -> sp.ImmutableMatrix:
        return self.A.explicit()

    def shown(self, channels: int, size: tuple[int, ...]) -> list[tuple[int, tuple[int, ...]]]:
        """Every (channel, position) when A is small; else corners and a middle position."""
        n = math.prod(size)
        if self.full:
            return [(c, p) for c in range(channels) for p in np.ndindex(*size)]
        flat = sorted({0, n // 2, n - 1})
        return [
            (c, tuple(int(v) for v in np.unravel_index(f, size)))
            for c in sorted({0, channels - 1})
            for f in flat
        ]

    def element_terms(self, j: int, pos: tuple[int, ...]) -> list[sp.Expr]:
        """Y_{j,pos} = Σ_i Σ_k w_k^{ij} x_{i, s·pos + d·k - p}, written from the definition."""
        g = self.geometry
        terms = []
        for i in range(g.in_channels):
            if not g.connected(i, j):
                continue
            for tap in np.ndindex(*g.kernel):
                src = tuple(
                    t * s + k * d - p
                    for t, k, s, d, p in zip(pos, tap, g.stride, g.dilation, g.padding, strict=True)
                )
                if all(0 <= a < n for a, n in zip(src, g.size, strict=True)):
                    w = self.s.weight(j, i % g.in_per_group, tap)
                    terms.append(w * self.s.x(i, src))
        return terms

    def readers(self, i: int, pos: tuple[int, ...]) -> list[tuple[int, tuple[int, ...]]]:
        """The outputs (j, t) whose element equation contains x_{i,pos}."""
        g = self.geometry
        found = []
        for j in range(g.out_channels):
            if not g.connected(i, j):
                continue
            for tap in np.ndindex(*g.kernel):
                t = []
                for u, k, s, d, p, m in zip(
                    pos, tap, g.stride, g.dilation, g.padding, g.out_size, strict=True
                ):
                    q, r = divmod(u + p - k * d, s)
                    t.append(q if r == 0 and 0 <= q < m else None)
                if None not in t:
                    found.append((j, tuple(t)))
        return sorted(set(found))


def flat_index(size: tuple[int, ...], pos: tuple[int, ...]) -> int:
    return int(np.ravel_multi_index(pos, size))


def position_symbols(dims: int, prime: str = "") -> tuple[sp.Symbol, ...]:
    return tuple(sp.Symbol(n + prime) for n in ("t",) if dims == 1) or tuple(
        sp.Symbol(n + prime) for n in ("m", "n")
    )


def general_symbol(letter: str, channel: sp.Symbol, positions: tuple[sp.Symbol, ...]) -> sp.Symbol:
    """A display name with symbolic indices: Y_{jt}, x_{i,m,n}, ..."""
    sep = "" if len(positions) == 1 else ","
    return sp.Symbol(f"{letter}_{{{channel}{sep}{sep.join(map(str, positions))}}}")


def nested_sum(term: sp.Expr, limits: list[tuple[sp.Symbol, int, int]]) -> sp.Expr:
    """Σ Σ ... written as nested sums (SymPy would merge them into one multi-limit sum)."""
    for limit in reversed(limits):
        term = sp.Sum(sp.UnevaluatedExpr(term), limit)
    return term


#: The weights and inputs of the general element equation, indexed (1-based) as on the sheet.
W_INDEXED, X_INDEXED = sp.IndexedBase("w"), sp.IndexedBase("x")


def general_formula(g: ConvGeometry) -> tuple[sp.Expr, list[tuple[sp.Symbol, int, int]]]:
    """The summand w[i, j, k] x[i, s(t - 1) + d(k - 1) - p + 1] of Y_{jt}, and its limits."""
    outs = position_symbols(g.dims)
    taps = (sp.Symbol("k"),) if g.dims == 1 else sp.symbols("a b")
    src = [
        sp.expand(s * (t - 1) + d * (k - 1) - p + 1)
        for t, k, s, d, p in zip(outs, taps, g.stride, g.dilation, g.padding, strict=True)
    ]
    term = W_INDEXED[(CH_IN, CH_OUT, *taps)] * X_INDEXED[(CH_IN, *src)]
    limits = [(CH_IN, 1, g.in_channels), *((k, 1, n) for k, n in zip(taps, g.kernel, strict=True))]
    return term, limits


@functools.lru_cache(maxsize=8)
def _general_sum(g: ConvGeometry) -> sp.Expr:
    """The general element equation with its sums over i and the taps done (j, t left free)."""
    term, limits = general_formula(g)
    return sp.Sum(term, *limits).doit()


def general_element(layer: Layer, j: int, pos: tuple[int, ...]) -> sp.Expr:
    """Y_{j,pos} (0-based) from the general element equation: the SymPy Sum over i and the taps,
    evaluated at (j, pos), with x outside the signal and weights across groups set to 0.

    Independent of :meth:`Layer.element_terms` and of the index map behind A, so the entries
    written out on the sheet are checked against it.

    >>> from symhw.conv import conv_geometry
    >>> y21 = general_element(Layer(conv_geometry(2, 2, 4, 3)), 1, (0,))
    >>> sorted(map(str, y21.args))[:3]
    ['w_{1}^{12}*x_{11}', 'w_{1}^{22}*x_{21}', 'w_{2}^{12}*x_{12}']
    """
    g = layer.geometry
    at = {CH_OUT: j + 1, **dict(zip(position_symbols(g.dims), (p + 1 for p in pos), strict=True))}
    value = _general_sum(g).xreplace(at)

    def sheet_name(e: sp.Indexed) -> sp.Expr:
        index = [int(v) - 1 for v in e.indices]
        if e.base == W_INDEXED:
            i, jj, *tap = index
            if not g.connected(i, jj):
                return sp.Integer(0)
            return layer.s.weight(jj, i % g.in_per_group, tuple(tap))
        i, *u = index
        inside = all(0 <= v < n for v, n in zip(u, g.size, strict=True))
        return layer.s.x(i, tuple(u)) if inside else sp.Integer(0)

    return value.xreplace({e: sheet_name(e) for e in value.atoms(sp.Indexed)})


def _at(g: ConvGeometry, j: int, pos: tuple[int, ...]) -> str:
    """'formula at j = 1, t = 2': where the general formula is evaluated, as the rule of a step."""
    names = [CH_OUT, *position_symbols(g.dims)]
    at = ", ".join(f"{n} = {v + 1}" for n, v in zip(names, (j, *pos), strict=True))
    return f"formula at {at}"


def element_equations(layer: Layer) -> DerivationBuilder:
    """The general element equation (stride, padding and dilation filled in), then each entry,
    checked against the general equation evaluated at its indices."""
    g = layer.geometry
    outs = position_symbols(g.dims)
    taps = (sp.Symbol("k"),) if g.dims == 1 else sp.symbols("a b")
    w = sp.Symbol(f"w_{{{','.join(map(str, taps))}}}^{{ij}}")
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
        terms = layer.element_terms(j, pos)
        if layer.fits(len(terms)):
            ensure_defined(b, layer, j, pos)
            b.equal(layer.s.y(j, pos), written_sum(*terms), rule=_at(g, j, pos))
    return b


def ensure_defined(b: DerivationBuilder, layer: Layer, j: int, pos: tuple[int, ...]) -> None:
    """Let checks use Y_{j,pos} = the general element equation at (j, pos) (shown or not)."""
    y = layer.s.y(j, pos)
    if y not in b.instance.definitions:
        b.instance = b.instance.with_definition(y, general_element(layer, j, pos))


def chain_rule(b: DerivationBuilder, layer: Layer, i: int, pos: tuple[int, ...]) -> sp.Expr:
    """Σ ∂L/∂Y ∂Y/∂x_{i,pos} over the outputs that read x_{i,pos} (their equations defined)."""
    x = layer.s.x(i, pos)
    outputs = layer.readers(i, pos)
    for j, t in outputs:
        ensure_defined(b, layer, j, t)
    s = layer.s
    return written_sum(*[s.grad_y(j, t) * PartialDerivative(s.y(j, t), x) for j, t in outputs])


#: Up to this many outputs, the chain rule for ∂L/∂x_{it} is checked summed over all of them.
ALL_OUTPUTS = 64


def _outputs_near(layer: Layer, i: int, pos: tuple[int, ...]) -> list[tuple[int, tuple]]:
    """The outputs (j, t) the chain-rule check sums over: all when few, else those of the
    channels connected to i whose window (widened by one on each side) can reach ``pos``."""
    g = layer.geometry
    if g.out_channels * math.prod(g.out_size) <= ALL_OUTPUTS:
        channels, ranges = range(g.out_channels), [range(m) for m in g.out_size]
    else:
        channels = [j for j in range(g.out_channels) if g.connected(i, j)]
        ranges = [
            range(max(0, (u + p - d * (k - 1)) // s - 1), min(m, (u + p) // s + 2))
            for u, k, s, d, p, m in zip(
                pos, g.kernel, g.stride, g.dilation, g.padding, g.out_size, strict=True
            )
        ]
    return [(j, tuple(t)) for j in channels for t in itertools.product(*ranges)]


def chain_rule_all(b: DerivationBuilder, layer: Layer, i: int, pos: tuple[int, ...]) -> sp.Expr:
    """Σ_j Σ_t ∂L/∂Y_{jt} ∂Y_{jt}/∂x_{i,pos} over every output (see :func:`_outputs_near`),
    zero terms included, each Y by the general element equation: what the shown sums, of
    the nonzero terms only, are checked against."""
    x, s = layer.s.x(i, pos), layer.s
    outputs = _outputs_near(layer, i, pos)
    for j, t in outputs:
        ensure_defined(b, layer, j, t)
    return sp.Add(*[s.grad_y(j, t) * PartialDerivative(s.y(j, t), x) for j, t in outputs])


def ensure_chain_rule(b: DerivationBuilder, layer: Layer, i: int, pos: tuple[int, ...]) -> None:
    """Let checks use ∂L/∂x_{i,pos} by the chain rule (over all outputs), shown or not."""
    name = layer.s.grad_x(i, pos)
    if name not in b.instance.definitions:
        b.instance = b.instance.with_definition(name, chain_rule_all(b, layer, i, pos))


def block_name(layer: Layer, i: int, j: int) -> sp.Symbol:
    g = layer.geometry
    sep = "," if max(g.in_channels, g.out_channels) > 9 else ""
    return sp.Symbol(f"A^{{{i + 1}{sep}{j + 1}}}")


def matrix_form(layer: Layer, previous: DerivationBuilder) -> tuple[Derivation | Paragraph, ...]:
    """Y = A x (rows (j, t), columns (i, t')), then the block structure of A."""
    g = layer.geometry
    position = (sp.Symbol("t"),) if g.dims == 1 else sp.symbols("m n")
    primed = tuple(sp.Symbol(f"{p}'") for p in position)
    intro = (
        "Reading off the coefficient of every input gives ",
        sp.Eq(sp.Symbol("Y"), sp.Mul(*sp.symbols("A x"), evaluate=False)),
        ", with the rows of A in the order of ",
        sp.Tuple(CH_OUT, *position),
        " and its columns in the order of ",
        sp.Tuple(CH_IN, *primed),
        "." if layer.full else "; the rows below are checked against the element equations.",
    )
    b = DerivationBuilder(
        "The convolution as a matrix: Y = A x", instance=previous.instance, intro=intro
    )
    kind = (
        "a Toeplitz matrix (constant along its diagonals)"
        if g.dims == 1
        else "doubly block Toeplitz: block Toeplitz, with Toeplitz blocks"
    )
    blocks = DerivationBuilder(
        "Block structure of A",
        intro=(
            "The block ",
            sp.Symbol("A^{ij}"),
            " that takes input channel ",
            CH_IN,
            " to output channel ",
            CH_OUT,
            " sits in block row ",
            CH_OUT,
            " and block column ",
            CH_IN,
            " (rows follow the outputs, columns the inputs), holds the weights of kernel ",
            sp.Symbol("w^{ij}"),
            f" only, and is {kind}.",
        ),
    )
    A = layer.A
    if layer.full:
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
        if g.dims == 2 and 2 * math.prod(g.size) <= FULL_COLS[2]:  # both fit on one line
            h, w = g.out_size[1], g.size[1]
            a11 = A.block(0, 0)
            inner = [
                [a11[r * h : (r + 1) * h, c * w : (c + 1) * w] for c in range(g.size[0])]
                for r in range(g.out_size[0])
            ]
            blocks.equal(a11, sp.BlockMatrix(inner), rule="by image rows")
        return built(b), built(blocks)
    for j, pos in layer.shown(g.out_channels, g.out_size):
        row = j * math.prod(g.out_size) + flat_index(g.out_size, pos)
        terms = [A.entry(row, c) * x_at(layer, c) for c, _ in layer.index_map.nonzeros(row)]
        if layer.fits(len(terms)):
            ensure_defined(b, layer, j, pos)
            b.equal(layer.s.y(j, pos), written_sum(*terms), rule="row of A times x")
    grid = shown_part(lambda r, c: block_name(layer, int(c), int(r)), g.out_channels, g.in_channels)
    blocks.define(sp.Symbol("A"), grid, rule="channel blocks")
    corner = shown_part(A.entry, math.prod(g.out_size), math.prod(g.size))
    blocks.define(block_name(layer, 0, 0), corner, rule="corners shown")
    return built(b), built(blocks)


def built(b: DerivationBuilder) -> Derivation | Paragraph:
    """The derivation, or only its introduction when no step is short enough to show."""
    d = b.build()
    if d.steps:
        return d
    note = " Each entry is too long a sum to write out here: the checks at the end cover them."
    return Paragraph((*(d.intro.segments if d.intro else ()), note))


def x_at(layer: Layer, col: int) -> sp.Symbol:
    g = layer.geometry
    i, u = divmod(col, math.prod(g.size))
    return layer.s.x(i, tuple(int(v) for v in np.unravel_index(u, g.size)))


def grad_y_at(layer: Layer, row: int) -> sp.Symbol:
    g = layer.geometry
    j, t = divmod(row, math.prod(g.out_size))
    return layer.s.grad_y(j, tuple(int(v) for v in np.unravel_index(t, g.out_size)))
