"""Arithmetic on parsed values, scalars and matrices alike, built as SymPy objects and
never computed further than SymPy does on its own: a product of written matrices stays a
``MatMul`` (a chain of products cannot grow), a power is built only once its size is known
to be small.

Where matrix algebra has no meaning the sheet's elementwise reading is built, as an
explicit SymPy node a checker can see: ``1 - [a; b]`` broadcasts the scalar
(``OneMatrix``), ``[a; b]^2`` is a ``HadamardPower``, and two columns side by side a
``HadamardProduct`` (the ⊗ of Learning From Data's backpropagation). A 1 × 1 matrix next
to a scalar is its entry.
"""

from __future__ import annotations

import functools

import sympy as sp

from symhw.notation import Vec, is_vector

#: Integer exponents at most this large in absolute value (``9^{999999}`` is refused
#: before SymPy, which would evaluate it).
MAX_EXPONENT = 64
#: A power of numbers is built only when its result has at most this many bits.
MAX_POWER_BITS = 100_000
#: Function applications nest at most this deep: SymPy's tanh of a tanh of ... takes
#: about five times longer at each level (tanh nested 6 deep: 0.3 s; 10 deep: 50 s),
#: asking the assumptions of every level below.
MAX_CALL_DEPTH = 6
#: A matrix expression is written out entry by entry only up to this many entries.
MAX_ENTRIES = 65_536


class Refused(ValueError):
    """An operation the values do not allow (shapes, sizes): its message is for the user."""


def is_matrix(x: object) -> bool:
    return isinstance(x, sp.MatrixBase | sp.MatrixExpr)


def shape_text(x: object) -> str:
    rows, cols = x.shape
    return f"{rows} × {cols}"


def _scalar(x: object) -> object:
    """A 1 × 1 matrix as its entry; anything else as it is."""
    if is_matrix(x) and x.shape == (1, 1):
        return explicit(x)[0, 0]
    return x


def explicit(x: sp.MatrixBase | sp.MatrixExpr) -> sp.ImmutableMatrix:
    """A matrix written out entry by entry (bounded by :data:`MAX_ENTRIES`)."""
    if isinstance(x, sp.ImmutableMatrix):
        return x
    rows, cols = (sp.Integer(n) if isinstance(n, int) else n for n in x.shape)
    if not (rows.is_Integer and cols.is_Integer) or rows * cols > MAX_ENTRIES:
        raise Refused(f"a matrix of shape {shape_text(x)} cannot be written out")
    return sp.ImmutableMatrix(x.as_explicit())


def _no_tuples(values: list[object], what: str) -> None:
    if any(isinstance(v, sp.Tuple) for v in values):
        raise Refused(f"a tuple such as (1, C) cannot be {what}")


def add_all(terms: list[object]) -> object:
    """The sum of the terms: one ``Add`` for scalars (a long sum in one step)."""
    _no_tuples(terms, "added")
    if not any(is_matrix(t) for t in terms):
        return sp.Add(*terms)
    return functools.reduce(_add, terms)


def _add(a: object, b: object) -> object:
    a, b = _scalar(a), _scalar(b)
    if is_matrix(a) and is_matrix(b):
        if a.shape != b.shape:
            raise Refused(f"cannot add a {shape_text(a)} and a {shape_text(b)} matrix")
        return sp.MatAdd(a, b)
    if is_matrix(a) or is_matrix(b):
        m, c = (a, b) if is_matrix(a) else (b, a)
        return sp.MatAdd(sp.MatMul(_plain_scalar(c), sp.OneMatrix(*m.shape)), m)
    return a + b


def neg(a: object) -> object:
    _no_tuples([a], "negated")
    return sp.MatMul(sp.Integer(-1), a) if is_matrix(a) else -a


def mul_all(factors: list[object]) -> object:
    """The product of the factors in order: one ``Mul`` for scalars (as SymPy builds
    ``-3*a*b``, without distributing the -3 over a first factor that is a sum)."""
    _no_tuples(factors, "multiplied")
    if not any(is_matrix(f) for f in factors):
        return sp.Mul(*factors)
    return functools.reduce(mul, factors)


def mul(a: object, b: object) -> object:
    """A product as written: matrices that conform multiply, two of one shape multiply
    elementwise, a scalar scales."""
    a, b = _scalar(a), _scalar(b)
    if is_matrix(a) and is_matrix(b):
        if a.shape[1] == b.shape[0]:
            return sp.MatMul(a, b)
        if a.shape == b.shape:
            return sp.HadamardProduct(a, b)
        raise Refused(f"cannot multiply a {shape_text(a)} by a {shape_text(b)} matrix")
    if is_matrix(a) or is_matrix(b):
        m, c = (a, b) if is_matrix(a) else (b, a)
        return sp.MatMul(_plain_scalar(c), m)
    return a * b


def _plain_scalar(c: object) -> object:
    """A scalar that may multiply or shift a written matrix: not a vector (w, x_n)."""
    if is_vector(c):
        raise Refused("a vector such as x_n cannot be combined with a written matrix")
    return c


def reciprocal(b: object) -> object:
    """1/b, for a divisor."""
    b = _scalar(b)
    if is_matrix(b):
        raise Refused(f"cannot divide by a {shape_text(b)} matrix")
    return power(b, sp.Integer(-1))


def power(base: object, exponent: object) -> object:
    """``base ** exponent`` once the exponent and the result are known to be small."""
    _no_tuples([base, exponent], "raised to a power")
    exponent = _scalar(exponent)
    if is_matrix(exponent):
        raise Refused("an exponent cannot be a matrix")
    if exponent.is_Rational and abs(exponent) > MAX_EXPONENT:
        raise Refused(f"exponent {exponent}: at most {MAX_EXPONENT} in size")
    base = _scalar(base)
    if is_matrix(base):
        square = base.shape[0] == base.shape[1]
        return sp.MatPow(base, exponent) if square else sp.HadamardPower(base, exponent)
    if base.is_Rational and exponent.is_Rational:
        bits = max(abs(base.p).bit_length(), base.q.bit_length()) * abs(exponent)
        if bits > MAX_POWER_BITS:
            raise Refused("this power of a number is too large to write out")
    return sp.Pow(base, exponent)


def transpose(x: object) -> object:
    """``x^T``: a matrix transposed; a scalar is its own transpose."""
    if is_matrix(x):
        return sp.Transpose(x)
    if isinstance(x, Vec):
        raise Refused(f"{x.name}^T must be followed by a vector, as in w^T x_n")
    return x


def apply(f, arg: object) -> object:
    """A function of a scalar, or of every entry of a matrix (tanh of a vector), within
    :data:`MAX_CALL_DEPTH`."""
    if is_matrix(arg):
        entries = explicit(arg)
        if any(call_depth(e) >= MAX_CALL_DEPTH for e in entries):
            raise Refused(f"functions nested more than {MAX_CALL_DEPTH} deep")
        return entries.applyfunc(f)
    if call_depth(arg) >= MAX_CALL_DEPTH:
        raise Refused(f"functions nested more than {MAX_CALL_DEPTH} deep")
    return f(arg)


def call_depth(e: object, memo: dict | None = None) -> int:
    """How deeply function applications nest in an expression (tanh(tanh(x)): 2), each
    shared subexpression visited once.

    >>> x = sp.Symbol("x")
    >>> call_depth(sp.tanh(x + sp.tanh(x))), call_depth(x**2)
    (2, 0)
    """
    memo = {} if memo is None else memo
    if not isinstance(e, sp.Basic) or not e.args:
        return 0
    if e not in memo:
        inner = max(call_depth(a, memo) for a in e.args)
        memo[e] = inner + isinstance(e, sp.Function)
    return memo[e]
