"""The structural rules of both grammars (sums, products, scripts, calls, matrices, the
big operators), on top of the values and leaves of :class:`symhw.checker.build.Builder`."""

from __future__ import annotations

import re
from dataclasses import replace

import sympy as sp
from lark import Token

from symhw.checker import arith
from symhw.checker.build import (
    Builder,
    BuildError,
    Chain,
    Pending,
    _List,
    _Partial,
    _Product,
    _Transposed,
    index_text,
)
from symhw.checker.names import FUNCTIONS, Fn, Name, is_vector_like
from symhw.notation import Grad, GradientEntry, Inner, Norm, Vec

_TRANSPOSE = ("T", r"\top")
#: The variable a limit over an expression (w^T x_n → ∞) is taken in.
LIMIT_VARIABLE = Name("t", "lim").symbol()


def _script(token: Token) -> str:
    raw = str(token)
    return raw[1:-1].strip() if raw.startswith("{") else raw


def _parenthesised(text: str) -> bool:
    return text.startswith("(") and text.endswith(")")


class ClaimBuilder(Builder):
    """Builds one claim: :meth:`transform` a tree of either grammar."""

    # -- sums and products ------------------------------------------------------------

    def chain(self, children):
        members = tuple(self.value(c) for c in children if not isinstance(c, Token))
        return Chain(members, isinstance(children[0], Token))

    def sum(self, children):
        terms, sign = [self.value(children[0])], "+"
        for c in children[1:]:
            if isinstance(c, Token):
                sign = str(c)
            else:
                terms.append(arith.neg(self.value(c)) if sign == "-" else self.value(c))
        return arith.add_all(terms)

    def product(self, children):
        values = []
        for op, factor in self._paired(children):
            v = self.value(factor)
            values.append(arith.reciprocal(v) if op is not None and op.type == "SLASH" else v)
        return arith.mul_all(values)

    def juxt(self, children):
        return self.product(list(children))

    def _paired(self, children) -> list[tuple[Token | None, object]]:
        """(operator, factor) pairs, a transposed vector taken with the factor after it
        (w^T x_n is one inner product)."""
        pairs: list[tuple[Token | None, object]] = []
        op = None
        for c in children:
            if isinstance(c, Token):
                op = c
                continue
            times = op is None or op.type == "TIMES"
            if pairs and isinstance(pairs[-1][1], _Transposed) and times:
                pairs[-1] = (pairs[-1][0], self.times_transposed(pairs[-1][1], c))
            else:
                pairs.append((op, c))
            op = None
        return pairs

    def times_transposed(self, t: _Transposed, other: object) -> object:
        right = self.value(other)
        if isinstance(t.value, Vec) and isinstance(right, Vec):
            return Inner(t.value, right)
        if isinstance(t.value, Vec):
            raise BuildError(f"{t.value.name}^T must be followed by a vector, as in w^T x_n")
        return arith.mul(arith.transpose(t.value), right)

    def neg(self, children):
        return arith.neg(self.value(children[-1]))

    def pos(self, children):
        return self.value(children[-1])

    def power(self, children):
        """``a ** b`` or ``a ^ b`` in plain math; ``(W)^T`` a transpose."""
        base, _, exponent = children
        transpose = isinstance(exponent, Pending) and exponent.name == Name("T")
        if transpose and self.names.resolve(exponent.name) is None:
            return self.upper([base, Token("SCRIPT", "T")])
        return arith.power(self.value(base), self.value(exponent))

    # -- scripts and primes -----------------------------------------------------------

    def lower(self, children):
        base, script = children
        if isinstance(base, _Product):
            return _Product(base.left, self.lower([base.right, script]))
        if not isinstance(base, Pending):
            raise BuildError("a subscript needs a name before it")
        if base.name.sub is not None:
            raise BuildError("two subscripts on one name")
        # a superscript before it is now an index too: w^{22}_5
        return Pending(replace(base.name, sub=index_text(str(script))), base.plain)

    def upper(self, children):
        base, script = children
        text = _script(script)
        if isinstance(base, Pending):
            return self.superscript(base, text)
        if isinstance(base, _Product):
            return _Product(base.left, self.upper([base.right, script]))
        value = self.value(base)
        if text in _TRANSPOSE:  # a scalar is its own transpose
            return _Transposed(value) if isinstance(value, Vec) else arith.transpose(value)
        return arith.power(value, self.script(text))

    def superscript(self, base: Pending, text: str, sup_first: bool | None = None) -> object:
        """A superscript on a name: the problem's name (δ^2 in q2), a transpose (w^T on
        a vector), an index (w_1^11 when w_1 is not a name of the problem, w^22 of a
        family, δ^(2)), else a power (x^2, e^{-x}, x_{12}^{2} when x_12 is known).
        ``sup_first``: the superscript was written before the subscript (plain δ^(1)_2)."""
        name = base.name
        if name.sup is not None:
            raise BuildError("two superscripts on one name")
        if text in _TRANSPOSE:
            inner = self.names.resolve(name)
            if is_vector_like(inner):
                return _Transposed(inner) if isinstance(inner, Vec) else arith.transpose(inner)
        written = _parenthesised(text) or text in _TRANSPOSE
        sup = "T" if text in _TRANSPOSE else index_text(text) if written else _index_or_none(text)
        if sup is not None:
            first = name.sub is None if sup_first is None else sup_first
            full = replace(name, sup=sup, sup_first=first)
            known = self.names.indexed(name.base) or self.names.resolve(full) is not None
            # w_1^{11}: an index, unless the problem knows w_1 (then x_{12}^{2} is a square)
            indexed = name.sub is not None and self.names.resolve(name) is None
            return Pending(full, base.plain, power=not (written or known or indexed))
        return arith.power(self.value(base), self.script(text))

    def prime(self, children):
        base = children[0]
        if isinstance(base, Pending):
            return Pending(replace(base.name, primes=base.name.primes + 1), base.plain)
        if isinstance(base, _Product):
            return _Product(base.left, self.prime([base.right, children[1]]))
        if isinstance(base, Fn):
            return base.prime(1)
        raise BuildError("a prime needs a function or a name before it")

    # -- calls ------------------------------------------------------------------------

    def apply(self, children):
        """``f(x)``: a call when ``f`` is a function, else the product f·(x)."""
        callee, arg = children
        if isinstance(callee, _Product):
            return _Product(callee.left, self.apply([callee.right, arg]))
        if isinstance(callee, _Transposed):
            return self.times_transposed(callee, arg)
        if _word(callee) == "Matrix":
            return self._matrix_argument(arg)
        if _word(callee) == "norm":
            return Norm(self.value(arg))
        if isinstance(callee, Pending) and callee.name.base == "grad" and callee.plain:
            return self._gradient(callee.name, arg)
        fn = self.function(callee)
        if fn is None and _powered(callee):  # σ^2(s), as SymPy prints σ(s)²: σ(s)²
            fn = self.function(Pending(replace(callee.name, sup=None), callee.plain))
            if fn is not None and not isinstance(arg, sp.Tuple):
                value = arith.apply(fn.apply, self.value(arg))
                return arith.power(value, self.script(callee.name.sup))
            fn = None
        if fn is None:
            return _Product(callee, arg)
        if isinstance(arg, sp.Tuple):
            raise BuildError(f"{fn.name} takes one argument")
        return arith.apply(fn.apply, self.value(arg))

    def apply_many(self, children):
        """Calls with several arguments: dot(u, v), Sum(f, (n, 1, N)), Limit(f, s, oo)
        (the one-argument forms Matrix, norm and grad_w are in :meth:`apply`)."""
        callee, *args = children
        word = _word(callee)
        if word == "dot" and len(args) == 2:
            a, b = (self.vector(x) for x in args)
            if isinstance(a, Vec) and isinstance(b, Vec):
                return Inner(a, b)
            return arith.mul(arith.transpose(a), b)
        if word == "Sum":
            body = scalar(self.value(args[0]), "a sum")
            return sp.Sum(body, *[self._limits(x) for x in args[1:]])
        if word == "Limit" and len(args) == 3:
            f, var, to = (scalar(self.value(x), "a limit") for x in args)
            return sp.Limit(f, self._variable(var), to)
        what = f"{word}(...)" if word else "this"
        raise BuildError(f"{what} with {len(args)} arguments is not a known function")

    def _limits(self, x: object) -> sp.Tuple:
        if not isinstance(x, sp.Tuple) or len(x) != 3:
            raise BuildError("a sum's limits are (index, first, last)")
        return sp.Tuple(self._variable(x[0]), x[1], x[2])

    def _variable(self, x: object) -> sp.Symbol:
        if not isinstance(x, sp.Symbol):
            raise BuildError("a variable must be a name")
        return x

    def _matrix_argument(self, arg: object) -> object:
        value = self.value(arg)
        if not arith.is_matrix(value):
            raise BuildError("Matrix(...) takes a list of rows")
        return value

    def _gradient(self, name: Name, arg: object) -> object:
        """``grad_w(f)``, as symhw's text printer writes ∇_w f."""
        if name.sub is None or name.sup is not None or name.primes:
            raise BuildError("a gradient is written grad_w(...)")
        return _derivative(self.value(arg), self.vector(Pending(Name(name.sub), True)))

    def vector(self, x: object) -> object:
        """An argument of dot(): the problem's vector, else the vector named x_n."""
        if isinstance(x, Pending) and self.names.resolve(x.name) is None:
            name = x.name
            if name.sup is not None or name.primes:
                raise BuildError("dot() takes vectors such as w and x_n")
            base = Name(name.base).symbol()
            if name.sub is None:
                return Vec(base)
            return Vec(base, self.value(Pending(Name(name.sub), x.plain)))
        return self.value(x)

    def index(self, children):
        base, *indices = children
        meaning = self.names.resolve(base.name) if isinstance(base, Pending) else None
        if isinstance(meaning, sp.IndexedBase):
            family = meaning
        elif isinstance(base, Pending) and meaning is None:
            family = sp.IndexedBase(base.name.symbol())
        else:
            raise BuildError("only a name can be indexed with [ ]")
        return family[tuple(scalar(self.value(i), "an index") for i in indices)]

    def call(self, children):
        fn, arg = FUNCTIONS[str(children[0])[1:]], children[-1]
        if isinstance(arg, sp.Tuple):
            raise BuildError(f"{fn.name} takes one argument")
        return arith.apply(fn.apply, self.value(arg))

    def call_pow(self, children):
        """``\\tanh^2(s)`` is tanh(s)²; ``\\tanh^{-1}`` is refused (inverse or
        reciprocal?)."""
        func, script, arg = children
        text = _script(script)
        if text.lstrip().startswith("-"):
            raise BuildError(
                f"{func}^{{{text}}} is ambiguous (inverse or reciprocal): "
                f"write 1/{func}(x) or the inverse by name"
            )
        if not text.isdigit():
            raise BuildError(f"{func}^{{{text}}}: only a whole power of a function")
        return arith.power(self.call([func, arg]), self.script(text))

    # -- brackets and matrices --------------------------------------------------------

    def group(self, children):
        inner = [c for c in children if not isinstance(c, Token)]
        return self.value(inner[0])

    def brace(self, children):
        """``{y}``: a TeX group, transparent (``{y}_{n}`` is y_n, as SymPy writes it)."""
        return children[0]

    def tuple(self, children):
        return sp.Tuple(*[self.value(c) for c in children if not isinstance(c, Token)])

    def row(self, children):
        return tuple(c for c in children if not isinstance(c, Token))

    def brackets(self, children):
        if children and all(isinstance(c, tuple) for c in children):
            return _List(tuple(children), flat=len(children) == 1)
        return _List((tuple(children),), flat=True)

    def matrix(self, children):
        return self.explicit_matrix(tuple(c for c in children if isinstance(c, tuple)))

    # -- fractions and derivatives ----------------------------------------------------

    def frac(self, children):
        _, num, den = children
        if isinstance(num, _Partial) and isinstance(den, _Partial):
            return GradientEntry(self._partial_symbol(num), self._partial_symbol(den))
        return arith.mul_all([self.value(num), arith.reciprocal(self.value(den))])

    def _partial_symbol(self, p: _Partial):
        if not isinstance(p.of, Pending):
            raise BuildError(r"\partial takes a name: \frac{\partial L}{\partial y_{11}}")
        return self.symbolic(p.of.name)

    def partial(self, children):
        return _Partial(children[-1])

    def nabla(self, children):
        """``\\nabla_w f``; without a subscript by the problem's variable when f has it,
        else by f's one free symbol (∇g(x) is g′(x), as on the sheet)."""
        f = self.value(children[-1])
        if len(children) == 3:
            var = self.value(Pending(Name(index_text(str(children[1])))))
        else:  # the problem's variable when f has it, else f's one free symbol
            var = self.names.gradient_variable
            var = var if var is not None and getattr(f, "has", lambda v: False)(var) else None
        if var is None:
            free = sorted(getattr(f, "free_symbols", ()), key=str)
            if len(free) != 1:
                raise BuildError(r"∇ of what variable? write \nabla_{w}")
            var = free[0]
        return _derivative(f, var)

    def deriv_op(self, children):
        letter = re.findall(r"[A-Za-z]", str(children[0]))[-1]
        return _derivative(self.value(children[1]), self.value(Pending(Name(letter))))

    def sum_op(self, children):
        _, index, first, last, body = children
        var = self._variable(self.value(Pending(Name(str(index)))))
        upper = self.script(_script(last))
        limits = (var, scalar(self.value(first), "a sum"), scalar(upper, "a sum"))
        return sp.Sum(scalar(self.value(body), "a sum"), limits)

    def lim_op(self, children):
        _, var, _, target, body = children
        var, target, body = (scalar(self.value(x), "a limit") for x in (var, target, body))
        if isinstance(var, sp.Symbol):
            return sp.Limit(body, var, target)
        return sp.Limit(body.xreplace({var: LIMIT_VARIABLE}), LIMIT_VARIABLE, target)


def _index_or_none(text: str) -> str | None:
    try:
        return index_text(text)
    except BuildError:
        return None


def _word(x: object) -> str | None:
    """The bare word a callee is (dot, Sum, Matrix), or None."""
    if isinstance(x, Pending) and x.name.sub is None and x.name.sup is None:
        return x.name.base
    return None


def scalar(x: object, what: str) -> object:
    """A value that must be a scalar (a sum's body, a limit's): a 1 × 1 matrix is its
    entry; a larger matrix or a vector is refused."""
    if arith.is_matrix(x) and x.shape == (1, 1):
        return arith.explicit(x)[0, 0]
    if arith.is_matrix(x) or isinstance(x, sp.Tuple):
        raise BuildError(f"{what} of a matrix or tuple cannot be read: write it per entry")
    return x


def _derivative(f: object, var: object) -> object:
    f = scalar(f, "a derivative")
    if isinstance(var, Vec):
        return Grad(f, var)
    if isinstance(var, sp.Symbol):
        return sp.Derivative(f, var)
    raise BuildError("a derivative is taken by a name")


def _powered(callee: object) -> bool:
    """A name with a whole-number superscript read as a power (σ^2)."""
    return (
        isinstance(callee, Pending)
        and callee.power
        and callee.name.sup is not None
        and callee.name.sup.isdigit()
        and callee.name.sub is None
    )
