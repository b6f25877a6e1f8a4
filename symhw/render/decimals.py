"""Numbers as a sheet writes them: terminating fractions as decimals, values to k decimals."""

from __future__ import annotations

import functools
import re
from decimal import ROUND_HALF_UP, Decimal, localcontext

import sympy as sp

from symhw.memo import forgettable
from symhw.program import approximate


def as_decimals(expr: sp.Basic) -> sp.Basic:
    """Terminating fractions written as decimals (7/10 → 0.7), kept from evaluating further.

    >>> from symhw.render.expr import latex
    >>> latex(as_decimals(sp.tanh(sp.Rational(7, 10))))
    '\\\\tanh{\\\\left(0.7 \\\\right)}'
    """
    reps = {}
    for r in expr.atoms(sp.Rational):
        if r.is_Integer or not _terminates(r.q):
            continue
        digits = len(str(abs(r.p))) + len(str(r.q))
        literal = sp.UnevaluatedExpr(sp.Float(abs(r), max(15, digits)))
        reps[r] = literal if r > 0 else -literal
    return expr.xreplace(reps) if reps else expr


def _terminates(q: int) -> bool:
    for p in (2, 5):
        while q % p == 0:
            q //= p
    return q == 1


@forgettable
@functools.lru_cache(maxsize=8192)
def fixed_point(value: sp.Expr, decimals: int) -> str:
    """A value written with ``decimals`` decimals (halves away from zero), at any magnitude.

    >>> fixed_point(sp.Rational(-5, 8), 2), fixed_point(sp.Integer(10) ** 40 / 3, 1)[-4:]
    ('-0.63', '33.3')
    >>> fixed_point(-sp.exp(-sp.Integer(10) ** 45), 3)
    '0.000'

    Remembered (a pure function of the value: equal values are written alike): a sheet and
    a check's report write the same exact values again and again, each evaluation of a
    nested tanh to 40 digits costing milliseconds.
    """
    value = sp.sympify(value, strict=True)
    if value.has(sp.UnevaluatedExpr):  # a decimal as the sheet writes it (-0.5 and all)
        value = value.doit()
    rough = approximate(value, 15)  # once: a nested tanh takes milliseconds to evaluate
    if abs(rough) < sp.Float(10) ** -(decimals + 2):  # 0 at these decimals, even
        value = rough = sp.Integer(0)  # at e^(-10^45), whose exponent no Decimal can hold
    digits = 40 + max(0, Decimal(str(rough)).adjusted()) + decimals
    d = Decimal(str(approximate(value, digits)))  # 40 digits more than are written
    with localcontext() as ctx:  # quantize needs every digit before the point, plus decimals
        ctx.prec = max(28, d.adjusted() + decimals + 2)
        d = d.quantize(Decimal(1).scaleb(-decimals), ROUND_HALF_UP)
    out = f"{d:f}"
    return out[1:] if out.startswith("-") and set(out[1:]) <= set("0.") else out


def grouped(n: int, sep: str) -> str:
    """An integer with its digits in groups of three from 10^4 on (SI style; 4-digit
    numbers such as 4096 or a year stay whole).

    >>> grouped(18496, r"\\,"), grouped(-1207959552, " "), grouped(4096, " ")
    ('18\\\\,496', '-1 207 959 552', '4096')
    """
    digits = str(abs(n))
    if abs(n) >= 10**4:
        head = len(digits) % 3 or 3
        digits = sep.join([digits[:head], *re.findall("...", digits[head:])])
    return ("-" if n < 0 else "") + digits


#: A whole number standing alone in prose: not part of a decimal, a word or an id such as
#: q12 or 2x8-4-points, and not a seed (an id, however long).
_TEXT_INTEGER = re.compile(r"(?<![\w.,\-])(?<!seed )-?[0-9]{5,}(?![\w.,\-]?[0-9A-Za-z_])")


def grouped_text(text: str, sep: str) -> str:
    """Prose with its whole numbers of five or more digits grouped by ``sep``.

    >>> grouped_text("they have 17600 and 18496; seed 4294967295, q12, 0.000012345", "~")
    'they have 17~600 and 18~496; seed 4294967295, q12, 0.000012345'
    """
    return _TEXT_INTEGER.sub(lambda m: grouped(int(m.group()), sep), text)
