"""μ and σ² of one case as averages over the summed axes, and their shapes, derived."""

from __future__ import annotations

import sympy as sp

from symhw.builder import DerivationBuilder
from symhw.derivation import Derivation
from symhw.notation import Shape, axes_shape, written
from symhw.problems.norm_shapes.axes import Statistics, statistic_shape, statistics
from symhw.problems.norm_shapes.cases import SPATIAL, Case
from symhw.problems.norm_shapes.wording import what

#: The names of the sheet: the input x, its mean μ and variance σ², m entries per statistic.
x, mu, sigma = sp.IndexedBase("x"), sp.IndexedBase("mu"), sp.IndexedBase("sigma")
m = sp.Symbol("m", integer=True, positive=True)
shape, squeeze, numel = sp.Function("shape"), sp.Function("squeeze"), sp.Function("numel")


def case_derivation(letter: str, case: Case) -> tuple[Derivation, Statistics]:
    """μ and σ² as averages over the reduced axes; their shapes, and a count that checks them.

    >>> derivation, stats = case_derivation("a", Case("ln", "layer", "NCHW"))
    >>> stats.keepdims
    (N, 1, 1, 1)
    """
    st = statistics(case)
    idx = [sp.Symbol(a.lower() if a != "c" else "c", integer=True, positive=True) for a in st.axes]
    if case.norm == "group":
        idx[st.axes.index("c")] = sp.Symbol("j", integer=True, positive=True)
    kept = [idx[i] for i in range(len(st.axes)) if i not in st.reduced]
    entry = x[tuple(idx)]
    limits = [(idx[i], 1, st.shape[i]) for i in st.reduced]
    mean, var = mu[tuple(kept)], sigma[tuple(kept)] ** 2
    b = DerivationBuilder(
        f"({letter}) {case.norm.capitalize()} norm on an {'×'.join(case.layout)} input",
        intro=_intro(case, st),
    )
    b.define(shape(sp.Symbol("x")), Shape(*st.shape), rule=f"layout {case.layout}")
    summed = ", ".join(str(idx[i]) for i in st.reduced)
    b.define(m, sp.Sum(1, *limits), rule=f"entries averaged for each statistic (summed: {summed})")
    b.equal(m, st.count, rule="one term for each value of the summed indices")
    mean_sum, var_sum = sp.Sum(entry, *limits), sp.Sum((entry - mean) ** 2, *limits)
    b.define(mean, written(1 / m, mean_sum), rule="mean over the summed axes")
    b.define(var, written(1 / m, var_sum), rule="variance over the same axes")
    _shape_steps(b, st, tuple(zip(idx, st.shape, strict=True)), mean_sum, var_sum)
    return b.build(), st


def _intro(case: Case, st: Statistics) -> tuple:
    positions = " and every position" if any(a in SPATIAL for a in case.layout) else ""
    intro = ("The input ", sp.Symbol("x"), " is ", axes_shape(case.layout), ". ")
    intro += what(case.norm, positions)
    if case.norm == "group":
        intro += (
            " Channel (g - 1)·C/G + j is channel j of group g: the input is viewed as "
            f"{'×'.join(st.axes).replace('c', '(C/G)')}.",
        )
    return intro


def _shape_steps(
    b: DerivationBuilder,
    st: Statistics,
    sizes: tuple[tuple[sp.Symbol, sp.Expr], ...],
    mean_sum: sp.Sum,
    var_sum: sp.Sum,
) -> None:
    """The shapes of μ, σ² and squeezed μ, and the entries of μ counted two ways: each
    checked against the shape read off the averaging formulas just shown."""
    for name, average, keepdims in (
        (shape(mu), mean_sum, True),
        (shape(sigma**2), var_sum, True),
        (shape(squeeze(mu)), mean_sum, False),
    ):
        b.instance = b.instance.with_definition(name, statistic_shape(average, sizes, keepdims))
    b.equal(shape(mu), Shape(*st.keepdims), rule="keepdims: each summed axis has length 1")
    b.equal(shape(sigma**2), Shape(*st.keepdims), rule="the same axes as the mean")
    b.equal(shape(squeeze(mu)), Shape(*st.squeezed), rule="summed axes dropped")
    symbolic = all(not d.is_Integer for d in st.shape)
    entries = sp.UnevaluatedExpr(written(*st.shape)) if symbolic else sp.Mul(*st.shape)
    b.instance = b.instance.with_definition(
        numel(mu), sp.Mul(*statistic_shape(mean_sum, sizes, keepdims=False))
    )
    b.equal(
        numel(mu),
        written(*st.squeezed) if symbolic else sp.Mul(*st.squeezed),
        sp.Mul(entries, 1 / m),
        rule="entries of μ: from its shape, and as entries of x / entries per statistic",
    )
