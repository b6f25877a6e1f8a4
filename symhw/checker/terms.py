"""Where a written sum differs from the expected one, term by term: each wrong term paired
with the term it stands for and the symbols swapped in it (w_1^11 where w_2^11 belongs), a
wrong coefficient or sign, and the terms missing or extra. Data only; the renderers word it."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace

import sympy as sp
from sympy.printing.conventions import split_super_sub

#: Sums with more terms than this are not paired term by term (the pairing is quadratic):
#: only their missing and extra terms are listed.
MAX_PAIRED_TERMS = 400


@dataclass(frozen=True)
class Swap:
    """A symbol written where another belongs."""

    written: sp.Symbol
    expected: sp.Symbol


@dataclass(frozen=True)
class TermPair:
    """A written term and the expected term it stands for: the symbols swapped in it, and
    ``factor`` = written coefficient / expected coefficient where they differ (−1: the sign)."""

    written: sp.Expr
    expected: sp.Expr
    swaps: tuple[Swap, ...]
    factor: sp.Expr | int = 1


@dataclass(frozen=True)
class TermDiff:
    """How a written sum differs from the expected one (all empty: they are the same sum)."""

    pairs: tuple[TermPair, ...] = ()
    missing: tuple[sp.Expr, ...] = ()
    extra: tuple[sp.Expr, ...] = ()
    #: Every term off by one same factor and nothing else: the written sum is ``whole``
    #: times the expected one (−1: its sign flipped; 1/2: a factor 2 dropped); else None.
    whole: sp.Expr | None = None

    @property
    def same(self) -> bool:
        return not (self.pairs or self.missing or self.extra)


def _terms(expr: sp.Expr) -> Counter:
    return Counter(sp.Add.make_args(sp.expand(expr)))


def _factors(term: sp.Expr) -> tuple[sp.Expr, list[sp.Basic]]:
    """A term as its numeric coefficient and its other factors, powers kept whole."""
    coeff, rest = term.as_coeff_Mul()
    return coeff, sorted(sp.Mul.make_args(rest), key=sp.default_sort_key)


def _base(factor: sp.Basic) -> str:
    name = getattr(factor, "name", None)
    return split_super_sub(name)[0] if isinstance(name, str) else sp.srepr(type(factor))


def _swaps(written: list[sp.Basic], expected: list[sp.Basic]) -> list[Swap] | None:
    """The factors of two terms paired: equal ones cancel, the rest pair by base letter
    (w with w), then in order. None when the terms cannot stand for each other: different
    numbers of factors, or a factor other than a symbol differs."""
    if len(written) != len(expected):
        return None
    left, right = list(written), list(expected)
    for a in list(left):
        if a in right:
            left.remove(a)
            right.remove(a)
    pairs = []
    for a in list(left):
        b = next((b for b in right if _base(b) == _base(a)), None)
        if b is not None:
            pairs.append((a, b))
            left.remove(a)
            right.remove(b)
    pairs += zip(left, right, strict=True)
    if not all(isinstance(a, sp.Symbol) and isinstance(b, sp.Symbol) for a, b in pairs):
        return None
    return [Swap(a, b) for a, b in pairs]


def _pair(written: sp.Expr, expected: sp.Expr) -> TermPair | None:
    cw, fw = _factors(written)
    ce, fe = _factors(expected)
    swaps = _swaps(fw, fe)
    if swaps is None:
        return None
    return TermPair(written, expected, tuple(swaps), sp.Rational(cw) / ce if cw != ce else 1)


def _cost(pair: TermPair) -> int:
    return len(pair.swaps) + (pair.factor != 1)


def term_diff(written: sp.Expr, expected: sp.Expr) -> TermDiff:
    """The differences between two sums, term by term (both expanded first).

    >>> w1, w2, x = sp.symbols("w_1^11 w_2^11 x_13")
    >>> d = term_diff(w1 * x + 2, w2 * x + 2)
    >>> [(s.written, s.expected) for s in d.pairs[0].swaps], d.missing, d.extra
    ([(w_1^11, w_2^11)], (), ())
    >>> term_diff(-w1 * x - 2, w1 * x + 2).whole, term_diff(w1 - 2, w1 + 2).whole
    (-1, None)
    """
    have, want = _terms(written), _terms(expected)
    extra, missing = list((have - want).elements()), list((want - have).elements())
    if len(extra) * len(missing) > MAX_PAIRED_TERMS**2:
        return TermDiff((), tuple(missing), tuple(extra))
    candidates = [
        (pair, i, j)
        for i, e in enumerate(extra)
        for j, m in enumerate(missing)
        if (pair := _pair(e, m)) is not None
    ]
    candidates.sort(key=lambda c: (_cost(c[0]), c[1], c[2]))  # fewest changes first
    pairs, used_e, used_m = [], set(), set()
    for pair, i, j in candidates:
        if i not in used_e and j not in used_m:
            pairs.append((i, pair))
            used_e.add(i)
            used_m.add(j)
    diff = TermDiff(
        tuple(p for _, p in sorted(pairs, key=lambda ip: ip[0])),
        tuple(m for j, m in enumerate(missing) if j not in used_m),
        tuple(e for i, e in enumerate(extra) if i not in used_e),
    )
    factors = {p.factor for p in diff.pairs}
    scaled = len(factors) == 1 and not (diff.missing or diff.extra or have & want)
    if scaled and all(not p.swaps for p in diff.pairs) and 1 not in factors:
        return replace(diff, whole=factors.pop())
    return diff
