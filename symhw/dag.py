"""Expressions as shared graphs: sizes counted, and values computed, once per distinct node.

SymPy shares equal subexpressions, so an expression built by repeated substitution (a
network's loss through eight layers) is a small graph whose tree is exponentially large.
Walking it as a tree (``subs``, ``evalf``, ``count_ops``, ``has``) costs the tree; the
functions here visit each distinct subexpression once. Nodes are told apart by equality,
not by object identity, so every count is the same whichever objects SymPy's cache shared.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterator

import mpmath
import sympy as sp

#: Counts stop growing here: a size beyond it only needs to be known to be too large.
CAP = 10**18


def nodes(expr: sp.Basic) -> Iterator[sp.Basic]:
    """Every distinct subexpression of ``expr`` once, children before their parents.

    >>> x = sp.Symbol("x")
    >>> [str(n) for n in nodes(sp.tanh(x) + sp.tanh(x) ** 2)]
    ['x', 'tanh(x)', '2', 'tanh(x)**2', 'tanh(x)**2 + tanh(x)']
    """
    seen: set[sp.Basic] = set()
    stack: list[tuple[sp.Basic, bool]] = [(expr, False)]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            yield node
            continue
        if node in seen:
            continue
        seen.add(node)
        stack.append((node, True))
        stack.extend((a, False) for a in reversed(node.args) if a not in seen)


def _fold(expr: sp.Basic, combine: Callable[[sp.Basic, list[int]], int]) -> int:
    """A quantity computed bottom-up over the graph, each node once; capped at :data:`CAP`."""
    value: dict[sp.Basic, int] = {}
    for node in nodes(expr):
        value[node] = min(CAP, combine(node, [value[a] for a in node.args]))
    return value[expr]


def dag_size(expr: sp.Basic) -> int:
    """The number of distinct subexpressions: the cost of one evaluation by :func:`evaluate`.

    >>> x = sp.Symbol("x")
    >>> dag_size(sp.tanh(x) + sp.tanh(x) ** 2)
    5
    """
    return sum(1 for _ in nodes(expr))


def tree_size(expr: sp.Basic) -> int:
    """The number of nodes of ``expr`` written out as a tree (a shared subexpression counts
    at each of its uses): the cost of SymPy's tree walks. Capped at :data:`CAP`.

    >>> x = sp.Symbol("x")
    >>> tree_size(sp.tanh(x) + sp.tanh(x) ** 2)
    7
    """
    return _fold(expr, lambda node, sizes: 1 + sum(sizes))


def _expanded(node: sp.Basic, kids: list[tuple[int, int]]) -> tuple[int, int]:
    """(terms, tree size) of ``node`` expanded, from its children's (terms, size)."""
    if isinstance(node, sp.Add):
        return sum(t for t, _ in kids), 1 + sum(z for _, z in kids)
    if isinstance(node, sp.Mul):  # every choice of one term per factor, as a product
        product = math.prod(t for t, _ in kids)
        return product, product + sum(product // t * z for t, z in kids)
    if isinstance(node, sp.Pow) and node.exp.is_Integer and 1 < node.exp < 100:
        (k, z), n = kids[0], int(node.exp)
        terms = math.comb(n + k - 1, n)  # monomials of degree n in k terms
        return terms, terms + terms * n * z // k
    if isinstance(node, sp.exp):  # e^(a + b) = e^a e^b: one factor per term
        return 1, 1 + kids[0][0] + kids[0][1]
    return 1, 1 + sum(z for _, z in kids)  # a function: its arguments expanded inside


def expanded_size(expr: sp.Basic) -> int:
    """An estimate of the tree size of ``sympy.expand(expr)``: products of sums multiplied
    out, integer powers of sums by the multinomial count, and every argument of a function
    or power expanded in place (so an expansion repeated in many terms counts each time).
    It is within a factor of about 3 of the true size on networks' derivatives (both ways:
    SymPy also merges equal terms). Capped at :data:`CAP`.

    >>> a, b, c = sp.symbols("a b c")
    >>> expanded_size((a + b) * (a + c)), tree_size(sp.expand((a + b) * (a + c)))
    (16, 13)
    """
    value: dict[sp.Basic, tuple[int, int]] = {}
    for node in nodes(expr):
        terms, size = _expanded(node, [value[a] for a in node.args])
        value[node] = (min(CAP, terms), min(CAP, size))
    return value[expr][1]


# ---------------------------------------------------------------- numeric evaluation


class LazyDerivative(sp.Expr):
    """∂f/∂v as a node built in constant time: ``sympy.Derivative`` collects the free
    symbols of f when it is made, a walk of f's whole tree. :class:`Evaluator` computes its
    value by forward-mode differentiation of f's graph; ``doit`` asks SymPy for it.

    >>> x = sp.Symbol("x")
    >>> LazyDerivative(x**3, x).doit()
    3*x**2
    """

    is_commutative = True

    def __new__(cls, f: sp.Basic, v: sp.Symbol):
        return sp.Expr.__new__(cls, f, v)

    @property
    def expr(self) -> sp.Basic:
        return self.args[0]

    @property
    def variable_count(self) -> list[tuple[sp.Basic, sp.Integer]]:
        return [(self.args[1], sp.Integer(1))]

    def doit(self, **hints) -> sp.Basic:
        return sp.diff(self.args[0].doit(**hints), self.args[1])


#: Derivatives :class:`Evaluator` computes by forward mode.
_DERIVATIVES = (sp.Derivative, LazyDerivative)


class Unevaluable(ValueError):
    """No real value here: a pole, the log of a negative number, a function without one."""


#: Evaluated whole by SymPy at the point's numbers: they bind variables or pick a branch.
_WHOLE = (sp.Piecewise, sp.Sum, sp.Product, sp.Integral, sp.Subs, sp.Limit)


def _children(node: sp.Basic) -> tuple[sp.Basic, ...]:
    """What a node's value is computed from (a derivative: its expression, not its variables;
    a piecewise function or a sum: the symbols it depends on)."""
    if isinstance(node, _DERIVATIVES):
        return (node.expr,)
    if isinstance(node, _WHOLE):
        return tuple(sorted(node.free_symbols, key=str))
    return node.args


def _walk(expr: sp.Basic, known: dict) -> Iterator[sp.Basic]:
    """The distinct nodes of ``expr`` not in ``known``, children first (as :func:`nodes`)."""
    seen: set[sp.Basic] = set()
    stack: list[tuple[sp.Basic, bool]] = [(expr, False)]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            yield node
        elif node not in seen and node not in known:
            seen.add(node)
            stack.append((node, True))
            stack.extend((a, False) for a in reversed(_children(node)))


def _number(x: sp.Basic | mpmath.mpf) -> mpmath.mpf:
    if isinstance(x, mpmath.mpf):
        return x
    if x.is_Rational:
        return mpmath.mpf(x.p) / x.q
    if x.is_Float:
        return mpmath.mpf(x._mpf_)
    if isinstance(x, sp.NumberSymbol):
        return mpmath.mpf(x.evalf(mpmath.mp.dps)._mpf_)
    raise Unevaluable(f"{type(x).__name__} is not a real number")


def _heaviside(x: mpmath.mpf, at_zero: mpmath.mpf | None = None) -> mpmath.mpf:
    """SymPy's Heaviside: 1 above 0, 0 below, ``at_zero`` (default 1/2) at 0."""
    if x == 0:
        return mpmath.mpf(0.5) if at_zero is None else at_zero
    return mpmath.mpf(1) if x > 0 else mpmath.mpf(0)


#: Fast paths by node type; any other function goes through its definition() or evalf.
_DIRECT: dict[type, Callable[..., mpmath.mpf]] = {
    sp.Add: lambda *v: mpmath.fsum(v),
    sp.Mul: lambda *v: mpmath.fprod(v),
    sp.Pow: lambda b, e: b ** int(e) if e == int(e) else mpmath.power(b, e),
    sp.exp: mpmath.exp,
    sp.log: mpmath.log,
    sp.tanh: mpmath.tanh,
    sp.sinh: mpmath.sinh,
    sp.cosh: mpmath.cosh,
    sp.Abs: abs,
    sp.Max: lambda *v: max(v),
    sp.Min: lambda *v: min(v),
    sp.Heaviside: _heaviside,
}


class Evaluator:
    """Values of expressions at one point, each distinct subexpression computed once.

    ``point`` gives every free symbol a number; arithmetic is mpmath at ``digits``
    significant digits. A derivative ``Derivative(f, v)`` is computed by forward-mode
    differentiation of f's graph (the chain rule at every node, in the same arithmetic):
    its cost is that of f, not of the symbolic derivative.

    >>> x = sp.Symbol("x")
    >>> ev = Evaluator({x: sp.Rational(1, 2)}, 30)
    >>> print(mpmath.nstr(ev.value(sp.Derivative(sp.tanh(x) ** 2, x)), 12))
    0.726861981384
    """

    def __init__(self, point: dict[sp.Symbol, sp.Basic], digits: int):
        self.digits = digits
        with mpmath.workdps(digits):
            self.values: dict[sp.Basic, mpmath.mpf] = {s: _number(v) for s, v in point.items()}

    def value(self, expr: sp.Basic) -> mpmath.mpf:
        """The value of ``expr``; :class:`Unevaluable` if it has no real value here."""
        with mpmath.workdps(self.digits):
            for node in _walk(expr, self.values):
                self.values[node] = self._node(node)
            return self.values[expr]

    def _node(self, node: sp.Basic) -> mpmath.mpf:
        if not node.args:
            if node.is_Symbol:
                raise Unevaluable(f"no value for the symbol {node.name}")
            return _number(node)
        if isinstance(node, _DERIVATIVES):
            return self._derivative(node)
        if isinstance(node, _WHOLE):
            return self._whole(node)
        args = [self.values[a] for a in node.args]
        try:
            direct = _DIRECT.get(type(node))
            out = direct(*args) if direct else _by_definition(node, args, self.digits)
        except (ZeroDivisionError, ValueError, OverflowError, TypeError, AttributeError) as e:
            raise Unevaluable(f"{node.func} at {args}: {e}") from None
        if not isinstance(out, mpmath.mpf) or not mpmath.isfinite(out):
            raise Unevaluable(f"{node.func} has no finite real value at {args}")
        return out

    def _whole(self, node: sp.Basic) -> mpmath.mpf:
        """A node SymPy evaluates itself, with the point's numbers put in (a small tree)."""
        prec = mpmath.mp.prec
        at = {s: sp.Float._new(self.values[s]._mpf_, prec) for s in node.free_symbols}
        out = sp.N(node.xreplace(at), self.digits)
        if not (out.is_Float or out.is_Rational):
            raise Unevaluable(f"{node.func} has no numeric value here")
        return _number(out)

    def _derivative(self, node: sp.Derivative | LazyDerivative) -> mpmath.mpf:
        (var, count), *rest = node.variable_count
        if rest or count != 1 or not isinstance(var, sp.Symbol):
            raise Unevaluable("only first derivatives in one symbol are evaluated")
        self.value(node.expr)
        slopes: dict[sp.Basic, mpmath.mpf] = {}
        try:
            for sub in _walk(node.expr, {}):
                slopes[sub] = self._slope(sub, var, slopes)
        except (ZeroDivisionError, ValueError, OverflowError, TypeError) as e:
            raise Unevaluable(f"a derivative: {e}") from None
        out = slopes[node.expr]
        if not isinstance(out, mpmath.mpf) or not mpmath.isfinite(out):
            raise Unevaluable("a derivative has no finite real value")
        return out

    def _slope(self, node: sp.Basic, var: sp.Symbol, slopes: dict) -> mpmath.mpf:
        """d(node)/d(var) from the children's values and slopes (the chain rule, one node)."""
        zero = mpmath.mpf(0)
        if not node.args:
            return mpmath.mpf(1) if node == var else zero
        if isinstance(node, (*_DERIVATIVES, *_WHOLE)):
            raise Unevaluable(f"no slope computed through {node.func}")
        vals, ds = [self.values[a] for a in node.args], [slopes[a] for a in node.args]
        if isinstance(node, sp.Add):
            return mpmath.fsum(ds)
        if isinstance(node, sp.Mul):
            return mpmath.fsum(
                d * mpmath.fprod(vals[:i] + vals[i + 1 :]) for i, d in enumerate(ds) if d
            )
        if isinstance(node, sp.Pow):
            (b, e), (db, de) = vals, ds
            if not de:
                return e * mpmath.power(b, e - 1) * db if db else zero
            return self.values[node] * (de * mpmath.log(b) + e * db / b)
        return mpmath.fsum(_partial(node, i, vals, self.digits) * d for i, d in enumerate(ds) if d)


def _dummies(n: int) -> tuple[sp.Dummy, ...]:
    return tuple(sp.Dummy(f"u{i}", real=True) for i in range(n))


@functools.cache
def _definition(cls: type, nargs: int) -> tuple[tuple[sp.Dummy, ...], sp.Expr] | None:
    """cls(u0, u1, ...).definition() in placeholder arguments, if it can be written so."""
    us = _dummies(nargs)
    try:
        return us, cls(*us).definition()
    except (TypeError, ValueError, AttributeError, NotImplementedError):
        return None


@functools.cache
def _derivative_template(cls: type, nargs: int, i: int):
    """∂cls(u0, u1, ...)/∂u_i in placeholder arguments (None if SymPy leaves it unevaluated)."""
    us = _dummies(nargs)
    d = sp.diff(cls(*us), us[i])
    return None if d.has(sp.Derivative, sp.Subs) else (us, d)


def _by_definition(node: sp.Basic, args: list[mpmath.mpf], digits: int) -> mpmath.mpf:
    """A function without a fast path: its definition() at the arguments, or SymPy's evalf."""
    template = _definition(type(node), len(args)) if hasattr(node, "definition") else None
    if template is not None:
        us, expr = template
        return Evaluator(dict(zip(us, args, strict=True)), digits).value(expr)
    prec = mpmath.mp.prec
    at = node.func(*[sp.Float._new(a._mpf_, prec) for a in args])
    if hasattr(at, "definition"):
        at = at.definition()
    out = sp.sympify(at, strict=True).evalf(digits)
    if not (out.is_Float or out.is_Rational):
        raise Unevaluable(f"{node.func} has no numeric value at {args}")
    return _number(out)


def _partial(node: sp.Basic, i: int, args: list[mpmath.mpf], digits: int) -> mpmath.mpf:
    """∂f/∂(argument i) of the function node f at its arguments' values."""
    template = _derivative_template(type(node), len(args), i)
    if template is None:
        raise Unevaluable(f"no derivative of {node.func} in argument {i + 1}")
    us, expr = template
    return Evaluator(dict(zip(us, args, strict=True)), digits).value(expr)


def contains(expr: sp.Basic, types: type | tuple[type, ...]) -> bool:
    """Whether some subexpression of ``expr`` is one of ``types`` (``Basic.has`` walks the tree).

    >>> x = sp.Symbol("x")
    >>> contains(sp.tanh(x) + 1, sp.tanh), contains(x + 1, sp.Sum)
    (True, False)
    """
    return any(isinstance(n, types) for n in nodes(expr))


def symbols(exprs: list[sp.Basic]) -> set[sp.Symbol]:
    """The symbols a value of ``exprs`` depends on (what :class:`Evaluator` needs a value for)."""
    known: dict = {}
    found: set[sp.Symbol] = set()
    for expr in exprs:
        for node in _walk(expr, known):
            known[node] = None
            if node.is_Symbol:
                found.add(node)
    return found


def evaluation_cost(exprs: list[sp.Basic]) -> int:
    """Node evaluations :class:`Evaluator` makes for ``exprs`` at one point: each distinct
    subexpression once, and a derivative's expression once more for its slopes.

    >>> x = sp.Symbol("x")
    >>> evaluation_cost([sp.tanh(x), sp.Derivative(sp.tanh(x), x)])
    5
    """
    known: dict = {}
    cost = 0
    for expr in exprs:
        for node in _walk(expr, known):
            known[node] = None
            cost += 1
            if isinstance(node, _DERIVATIVES):
                cost += sum(1 for _ in _walk(node.expr, {}))
    return cost
