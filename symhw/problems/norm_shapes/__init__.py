"""Question 4, generalised: which axes a normalization averages over, and its statistics' shapes."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

import numpy as np
import sympy as sp

from symhw.builder import DerivationBuilder
from symhw.counts.layers import dim
from symhw.derivation import Answer, Derivation, Paragraph, Part, Solution, numeric_check
from symhw.errors import quote
from symhw.notation import written
from symhw.params import SEQUENCE, Parameters, Where, as_int, check_call, check_keys, param

KIND = "norm-shapes"
SUMMARY = (
    "shapes of the mean and variance of batch, layer, instance and group norm for a given "
    "layout, with the averaging formulas and the number of entries each statistic averages"
)

NORMS = ("batch", "layer", "instance", "group")
LAYOUTS = ("NC", "NCL", "NLC", "NCHW", "NHWC")
SPATIAL = "LHW"
G = dim("G")
#: Sizes of the NumPy cross-check (G divides C).
CHECK_SIZES = {"N": 2, "C": 6, "H": 3, "W": 4, "L": 5, "G": 3}
_LABEL = re.compile(r"[a-z][a-z0-9_]{0,31}")
#: Cases per problem (labelled (a) to (z)), and groups of a group norm: the NumPy check's
#: input has 48·G entries (N·C·H·W at the sizes above with C = 2G), 25 MB at 2^16.
MAX_CASES, MAX_GROUPS = 26, 1 << 16


@dataclass(frozen=True)
class Case:
    """One input: a normalization kind, a layout such as NHWC, and (group norm) the groups."""

    name: str
    norm: str
    layout: str
    groups: int | None = None

    @property
    def group_count(self) -> sp.Expr:
        return G if self.groups is None else sp.Integer(self.groups)


SEED_CASES = (Case("fc", "batch", "NC"), Case("conv", "batch", "NHWC"))
CASE_KEYS = ("name", "norm", "layout", "groups")


def _case(table: object, where: Where, i: int) -> Case:
    if isinstance(table, Case):  # from Python: parsed again as the table it would be
        table = {k: v for k, v in asdict(table).items() if v is not None}
    if not isinstance(table, dict):
        raise where.error(f'case {i}: expected a table such as {{norm = "batch", layout = "NC"}}')
    check_keys(table, CASE_KEYS, where.within(f"case {i}"))
    norm, layout = table.get("norm"), table.get("layout")
    for key, value, options in (("norm", norm, NORMS), ("layout", layout, LAYOUTS)):
        if value is None:
            raise where.error(f"case {i}: missing {key}; add {key} = one of {', '.join(options)}")
    if norm not in NORMS:
        raise where.error(f"case {i}: unknown norm {quote(norm)}; choose one of {', '.join(NORMS)}")
    if layout not in LAYOUTS:
        raise where.error(
            f"case {i}: unknown layout {quote(layout)}; choose one of {', '.join(LAYOUTS)} "
            "(N batch, C channels, L length, H height, W width)"
        )
    if norm == "instance" and not any(a in SPATIAL for a in layout):
        raise where.error(
            f"case {i}: instance norm averages each sample's channel over its positions, and "
            f"layout {layout} has none; use NCL, NLC, NCHW or NHWC"
        )
    groups = as_int(table.get("groups"))
    if groups is not None:
        if norm != "group":
            raise where.error(f"case {i}: groups only applies to norm = 'group'")
        if isinstance(groups, bool) or not isinstance(groups, int) or groups <= 0:
            raise where.error(
                f"case {i}: groups must be a positive whole number, got {quote(groups)}"
            )
        if groups > MAX_GROUPS:
            raise where.error(
                f"case {i}: groups = {groups} is over the limit; use at most {MAX_GROUPS} (the "
                "NumPy cross-check builds an input of up to 48 numbers per group)"
            )
    name = table.get("name", f"{norm}_{layout.lower()}")
    if not isinstance(name, str) or not _LABEL.fullmatch(name):
        raise where.error(f"case {i}: name {quote(name)} must be lower-case letters, digits and _")
    return Case(name, norm, layout, groups)


def parse_cases(value: object, where: Where) -> tuple[Case, ...]:
    """A non-empty list of case tables with distinct names.

    >>> parse_cases([{"norm": "group", "layout": "NCHW", "groups": 32}], Where(None, "cases"))
    (Case(name='group_nchw', norm='group', layout='NCHW', groups=32),)
    """
    if not isinstance(value, SEQUENCE) or not value:
        raise where.error('expected a list of tables, e.g. [{norm = "batch", layout = "NC"}]')
    if len(value) > MAX_CASES:
        raise where.error(
            f"{len(value)} cases; a sheet labels them (a) to (z), at most {MAX_CASES}: "
            "split them over several problems"
        )
    cases = tuple(_case(t, where, i) for i, t in enumerate(value, start=1))
    names = [c.name for c in cases]
    duplicate = next((n for n in names if names.count(n) > 1), None)
    if duplicate:
        raise where.error(f"two cases are named {quote(duplicate)}; give each its own name")
    return cases


@dataclass(frozen=True)
class Params(Parameters):
    """Parameters of a ``norm-shapes`` problem."""

    cases: tuple[Case, ...] | None = param(
        None,
        parse=parse_cases,
        help=f"1 to {MAX_CASES} inputs: tables {{norm = batch|layer|instance|group, "
        f"layout = NC|NCL|NLC|NCHW|NHWC, groups (group norm, 1 to {MAX_GROUPS}; default "
        "symbolic G), name}; default the seed's N×C and N×H×W×C",
    )


@dataclass(frozen=True)
class Statistics:
    """Where a normalization's statistics live, for one case.

    ``axes`` are the axes of the (for group norm: reshaped) input; ``reduced`` the positions
    averaged over; ``shape`` the input's sizes along ``axes``.
    """

    axes: tuple[str, ...]
    shape: tuple[sp.Expr, ...]
    reduced: tuple[int, ...]

    @property
    def keepdims(self) -> tuple[sp.Expr, ...]:
        return tuple(sp.Integer(1) if i in self.reduced else d for i, d in enumerate(self.shape))

    @property
    def squeezed(self) -> tuple[sp.Expr, ...]:
        return tuple(d for i, d in enumerate(self.shape) if i not in self.reduced)

    @property
    def count(self) -> sp.Expr:
        """Entries averaged for each statistic."""
        return written(*(self.shape[i] for i in self.reduced))


def statistics(case: Case) -> Statistics:
    """The axes a normalization averages over, on the input (reshaped for group norm).

    >>> st = statistics(Case("conv", "batch", "NHWC"))
    >>> st.keepdims, st.squeezed
    ((1, 1, 1, C), (C,))
    """
    axes = tuple(case.layout)
    if case.norm == "group":  # C splits into G groups of C/G channels
        i = axes.index("C")
        axes = (*axes[:i], "G", "c", *axes[i + 1 :])
    shape = tuple(_size(a, case) for a in axes)
    keep = {"batch": {"C"}, "layer": {"N"}, "instance": {"N", "C"}, "group": {"N", "G"}}
    reduced = tuple(i for i, a in enumerate(axes) if a not in keep[case.norm])
    return Statistics(axes, shape, reduced)


def _size(axis: str, case: Case) -> sp.Expr:
    if axis == "G":
        return case.group_count
    if axis == "c":
        return dim("C") / case.group_count
    return dim(axis)


_WHAT = {
    "batch": "Batch norm computes one mean and variance per channel, over the batch{positions}: "
    "it averages over every axis except C.",
    "layer": "Layer norm computes one mean and variance per sample, over all of that sample's "
    "entries: it averages over every axis except N.",
    "instance": "Instance norm computes one mean and variance per sample and channel, over the "
    "positions: it averages over the spatial axes only.",
    "group": "Group norm splits the C channels into G groups of C/G and computes one mean and "
    "variance per sample and group, over the group's channels and every position.",
}
_BUFFERS = {
    "batch": "PyTorch keeps running_mean and running_var of the squeezed shape (C) for "
    "inference; it normalizes with the biased variance above and updates running_var with the "
    "unbiased one, m/(m - 1) times it.",
    "layer": "The statistics are recomputed for every sample, in training and inference alike; "
    "nothing is kept.",
    "instance": "The statistics are recomputed for every sample; PyTorch keeps running "
    "statistics of shape (C) only with track_running_stats=True.",
    "group": "The statistics are recomputed for every sample; nothing is kept.",
}


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
    x, mu, sigma = sp.IndexedBase("x"), sp.IndexedBase("mu"), sp.IndexedBase("sigma")
    kept = [idx[i] for i in range(len(st.axes)) if i not in st.reduced]
    entry = x[tuple(idx)]
    limits = [(idx[i], 1, st.shape[i]) for i in st.reduced]
    shape = sp.Function("shape")
    m = sp.Symbol("m", integer=True, positive=True)
    mean, var = mu[tuple(kept)], sigma[tuple(kept)] ** 2
    layout_text = "×".join(case.layout)
    positions = " and every position" if any(a in SPATIAL for a in case.layout) else ""
    intro = [f"The input x is {layout_text}. {_WHAT[case.norm].format(positions=positions)}"]
    if case.norm == "group":
        intro.append(
            " Channel (g - 1)·C/G + j is channel j of group g: the input is viewed as "
            f"{'×'.join(st.axes).replace('c', '(C/G)')}."
        )
    b = DerivationBuilder(
        f"({letter}) {case.norm.capitalize()} norm on an {layout_text} input",
        intro=("".join(intro),),
    )
    b.define(shape(sp.Symbol("x")), sp.Tuple(*st.shape), rule=f"layout {case.layout}")
    summed = ", ".join(str(idx[i]) for i in st.reduced)
    b.define(m, sp.Sum(1, *limits), rule=f"entries averaged for each statistic (summed: {summed})")
    b.equal(m, st.count, rule="one term for each value of the summed indices")
    mean_sum, var_sum = sp.Sum(entry, *limits), sp.Sum((entry - mean) ** 2, *limits)
    b.define(mean, written(1 / m, mean_sum), rule="mean over the summed axes")
    b.define(var, written(1 / m, var_sum), rule="variance over the same axes")
    # What each shape is, read off the formulas just shown: the steps below are checked on it.
    sizes = tuple(zip(idx, st.shape, strict=True))
    squeeze = sp.Function("squeeze")(mu)
    for name, average, keepdims in (
        (shape(mu), mean_sum, True),
        (shape(sigma**2), var_sum, True),
        (shape(squeeze), mean_sum, False),
    ):
        b.instance = b.instance.with_definition(name, statistic_shape(average, sizes, keepdims))
    b.equal(shape(mu), sp.Tuple(*st.keepdims), rule="keepdims: each summed axis has length 1")
    b.equal(shape(sigma**2), sp.Tuple(*st.keepdims), rule="the same axes as the mean")
    b.equal(shape(squeeze), sp.Tuple(*st.squeezed), rule="summed axes dropped")
    symbolic = all(not d.is_Integer for d in st.shape)
    entries = sp.UnevaluatedExpr(written(*st.shape)) if symbolic else sp.Mul(*st.shape)
    numel = sp.Function("numel")(mu)
    b.instance = b.instance.with_definition(
        numel, sp.Mul(*statistic_shape(mean_sum, sizes, keepdims=False))
    )
    b.equal(
        numel,
        written(*st.squeezed) if symbolic else sp.Mul(*st.squeezed),
        sp.Mul(entries, 1 / m),
        rule="entries of μ: from its shape, and as entries of x / entries per statistic",
    )
    return b.build(), st


def statistic_shape(
    average: sp.Sum, sizes: tuple[tuple[sp.Symbol, sp.Expr], ...], keepdims: bool = True
) -> sp.Tuple:
    """The shape of an average: length 1 (dropped without keepdims) where its index is summed.

    Read off the averaging formula itself (its free indices), so that the shapes the sheet
    states are checked against the formula rather than against the list they came from.

    >>> n, c = sp.symbols("n c", integer=True, positive=True)
    >>> N, C = dim("N"), dim("C")
    >>> mean = sp.Sum(sp.IndexedBase("x")[n, c], (n, 1, N))
    >>> statistic_shape(mean, ((n, N), (c, C))), statistic_shape(mean, ((n, N), (c, C)), False)
    ((1, C), (C,))
    """
    free = average.free_symbols
    shape = (size if index in free else sp.Integer(1) for index, size in sizes)
    if not keepdims:
        shape = (size for index, size in sizes if index in free)
    return sp.Tuple(*shape)


def numpy_shape_check(case: Case, st: Statistics) -> tuple[bool, str]:
    """Whether NumPy's ``mean(axis=reduced, keepdims=True)`` has the derived keepdims shape.

    >>> case = Case("in", "instance", "NHWC")
    >>> numpy_shape_check(case, statistics(case))
    (True, '(2, 3, 4, 6) → (2, 1, 1, 6)')
    """
    sizes = {dim(k): v for k, v in CHECK_SIZES.items()}
    if case.groups is not None:  # C/G must be whole
        sizes[dim("C")] = 2 * case.groups
    shape = tuple(int(d.subs(sizes)) for d in st.shape)
    x = np.zeros(shape)  # only the shapes of the statistics are compared, not their values
    got = x.mean(axis=st.reduced, keepdims=True).shape
    expected = tuple(int(d.subs(sizes)) for d in st.keepdims)
    var = x.var(axis=st.reduced, keepdims=True).shape
    return got == expected == var, f"{shape} → {expected}"


def solve(params: Params, problem_id: str = "q4", title: str | None = None) -> Solution:
    """Derive the statistics' shapes for each case.

    >>> sol = solve(Params())
    >>> sol.answer("fc_mean_shape").value, sol.answer("conv_var_shape").value
    ((1, C), (1, 1, 1, C))
    """
    check_call(params, Params, problem_id, title)
    parts: list[Part] = []
    answers: list[Answer] = []
    checks = []
    statement = [
        "For each input below, give the shapes of the mean and variance the normalization computes."
    ]
    cases = params.cases or SEED_CASES
    for letter, case in zip("abcdefghijklmnopqrstuvwxyz", cases, strict=False):
        statement.append(f" ({letter}) {case.norm} norm, input {'×'.join(case.layout)}.")
        derivation, st = case_derivation(letter, case)
        parts += [derivation, Paragraph((_BUFFERS[case.norm],))]
        ok, sizes = numpy_shape_check(case, st)
        checks.append(
            numeric_check(
                f"({letter}) NumPy mean and var with axis={st.reduced}, keepdims=True: "
                f"{sizes}" + (" as derived" if ok else " differs from the derivation"),
                0.0 if ok else 1.0,
                0.0,
            )
        )
        shape = sp.Function("shape")
        mu, sigma = sp.Symbol(f"mu_{case.name}"), sp.Symbol(f"sigma_{case.name}")
        m = sp.Symbol(f"m_{case.name}")
        keep, squeezed = sp.Tuple(*st.keepdims), sp.Tuple(*st.squeezed)
        answers += [
            Answer(f"{case.name}_mean_shape", shape(mu), keep),
            Answer(f"{case.name}_var_shape", shape(sigma**2), keep),
            Answer(f"{case.name}_mean_shape_squeezed", shape(sp.Function("squeeze")(mu)), squeezed),
            Answer(f"{case.name}_count", m, st.count),
        ]
    return Solution(
        problem_id,
        KIND,
        title or "Shapes of normalization statistics",
        Paragraph(("".join(statement),)),
        tuple(parts),
        tuple(answers),
        tuple(checks),
    )
