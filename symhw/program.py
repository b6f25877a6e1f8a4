"""Expressions compiled once into a straight-line program, then evaluated in mpmath at points.

A :class:`Program` lists the distinct subexpressions of its expressions, each after those it
is computed from, so one evaluation costs one operation per node
(:func:`symhw.dag.evaluation_cost`) however large the expressions' trees are. A derivative
(``Derivative`` or :class:`~symhw.dag.LazyDerivative`) is computed by forward mode: the
chain rule at every node of its expression's graph, in the same arithmetic.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence

import mpmath
import sympy as sp

from symhw import dag

#: A node's value, or None where it has none (a pole, log of a negative, no numeric form).
Value = mpmath.mpf | None
_FAILURES = (ZeroDivisionError, ValueError, OverflowError, TypeError, AttributeError)


class Unevaluable(ValueError):
    """No real value here: a pole, the log of a negative number, a function without one."""


def _number(x: object) -> mpmath.mpf:
    if isinstance(x, mpmath.mpf):
        return +x  # rounded to the working precision
    if isinstance(x, int | float):
        return mpmath.mpf(x)
    if isinstance(x, sp.Rational):
        return mpmath.mpf(x.p) / x.q
    if isinstance(x, sp.Float):
        return +mpmath.mpf(x._mpf_)
    if isinstance(x, sp.NumberSymbol):
        return mpmath.mpf(x.evalf(mpmath.mp.dps + 5)._mpf_)
    raise Unevaluable(f"{type(x).__name__} is not a real number")


def _heaviside(x: mpmath.mpf, at_zero: mpmath.mpf | None = None) -> mpmath.mpf:
    """SymPy's Heaviside: 1 above 0, 0 below, ``at_zero`` (default 1/2) at 0."""
    if x == 0:
        return mpmath.mpf(0.5) if at_zero is None else at_zero
    return mpmath.mpf(1) if x > 0 else mpmath.mpf(0)


def _power(b: mpmath.mpf, e: mpmath.mpf) -> mpmath.mpf:
    return b ** int(e) if e == int(e) else mpmath.power(b, e)


#: Fast paths by node type; any other function goes through its definition() or evalf.
_DIRECT: dict[type, Callable[..., mpmath.mpf]] = {
    sp.Add: lambda *v: mpmath.fsum(v),
    sp.Mul: lambda *v: mpmath.fprod(v),
    sp.Pow: _power,
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


class Program:
    """``exprs`` as one straight-line program over their distinct subexpressions.

    >>> x = sp.Symbol("x")
    >>> p = Program([sp.tanh(x) ** 2, sp.Derivative(sp.tanh(x) ** 2, x)])
    >>> [mpmath.nstr(v, 12) for v in p.values({x: sp.Rational(1, 2)}, 30)]
    ['0.213552267034', '0.726861981384']
    """

    def __init__(self, exprs: Sequence[sp.Basic]):
        self.graph = dag.Graph(exprs, dag.inputs)
        self.nodes, self.kids, self.roots = self.graph.nodes, self.graph.kids, self.graph.roots
        self._ops = [_operation(node) for node in self.nodes]
        self._reached: dict[int, list[int]] = {}
        self._wanted = self._derivatives()

    @property
    def symbols(self) -> list[sp.Symbol]:
        """The symbols the program needs a value for, sorted by name."""
        return sorted((n for n in self.nodes if n.is_Symbol), key=str)

    def values(self, point: Mapping[sp.Basic, object], digits: int) -> list[Value]:
        """The value of each expression at ``point`` in ``digits``-digit arithmetic."""
        with mpmath.workdps(digits):
            vals: list[Value] = [None] * len(self.nodes)
            gradients: dict[int, list[mpmath.mpf]] = {}
            for i, node in enumerate(self.nodes):
                kids = self.kids[i]
                if any(vals[k] is None for k in kids):
                    continue
                try:
                    if isinstance(node, dag.DERIVATIVES):
                        out = self._derivative(i, vals, gradients)
                    elif node.is_Symbol:
                        out = _number(point[node]) if node in point else None
                    else:
                        out = self._ops[i](*[vals[k] for k in kids])
                except (Unevaluable, *_FAILURES):
                    continue
                if isinstance(out, mpmath.mpf) and mpmath.isfinite(out):
                    vals[i] = out
            return [vals[r] for r in self.roots]

    def _derivatives(self) -> dict[int, list[int]]:
        """For each expression differentiated: the symbols (their node numbers) it is
        differentiated in, so that one forward sweep gives every slope it is asked for."""
        wanted: dict[int, list[int]] = {}
        for i, node in enumerate(self.nodes):
            if isinstance(node, dag.DERIVATIVES):
                var = self.graph.number(_variable(node))
                if var is not None:
                    wanted.setdefault(self.kids[i][0], []).append(var)
        return wanted

    def _derivative(self, i: int, vals: list[Value], gradients: dict) -> mpmath.mpf:
        """The value of derivative node i (its expression's slopes, swept once per point)."""
        var, top = self.graph.number(_variable(self.nodes[i])), self.kids[i][0]
        if var is None:
            return mpmath.mpf(0)
        if top not in gradients:
            gradients[top] = self._gradient(top, vals)
        return gradients[top][self._wanted[top].index(var)]

    def _gradient(self, top: int, vals: list[Value]) -> list[mpmath.mpf]:
        """Slopes of node ``top`` in each of its wanted symbols: forward mode, every slope
        carried through the graph at once (None: a node that depends on none of them)."""
        wanted = self._wanted[top]
        unit = {v: [mpmath.mpf(int(v == w)) for w in wanted] for v in wanted}
        slopes: dict[int, list[mpmath.mpf] | None] = {}
        for j in self._reach(top):
            kids = self.kids[j]
            ds = [slopes[k] for k in kids]
            if not kids or all(d is None for d in ds):
                slopes[j] = unit.get(j)
                continue
            moving = [d is not None for d in ds]
            coefficients = self._chain(j, [vals[k] for k in kids], moving, vals[j])
            terms = [(c, d) for c, d in zip(coefficients, ds, strict=True) if d is not None]
            slopes[j] = [mpmath.fsum(c * d[m] for c, d in terms) for m in range(len(wanted))]
        return slopes[top] or [mpmath.mpf(0)] * len(wanted)

    def _chain(self, j: int, vs: list[mpmath.mpf], moving: list[bool], value: mpmath.mpf) -> list:
        """∂(node j)/∂(child i) at the children's values ``vs`` (the node's own is ``value``),
        for each child that moves: the chain rule's factors at one node (None for the rest)."""
        node = self.nodes[j]
        if isinstance(node, sp.Add):
            return [mpmath.mpf(1)] * len(vs)
        if isinstance(node, sp.Mul):
            return [mpmath.fprod(vs[:i] + vs[i + 1 :]) if m else None for i, m in enumerate(moving)]
        if isinstance(node, sp.Pow):
            b, e = vs
            if not moving[1]:
                return [e * mpmath.power(b, e - 1), None]
            return [value * e / b, value * mpmath.log(b)]
        if isinstance(node, (*dag.DERIVATIVES, *dag.WHOLE)):
            raise Unevaluable(f"no slope computed through {type(node).__name__}")
        cls = type(node)
        return [_partial(cls, len(vs), i)(*vs) if m else None for i, m in enumerate(moving)]

    def _reach(self, top: int) -> list[int]:
        """The nodes ``top`` is computed from (itself included), in program order."""
        if top not in self._reached:
            self._reached[top] = self.graph.below(top)
        return self._reached[top]


def _variable(node: sp.Basic) -> sp.Basic:
    """The symbol a derivative node differentiates in (first derivatives only)."""
    (var, count), *rest = node.variable_count
    if rest or count != 1 or not isinstance(var, sp.Symbol):
        raise Unevaluable("only first derivatives in one symbol are evaluated")
    return var


def _operation(node: sp.Basic) -> Callable[..., mpmath.mpf]:
    """How node's value is computed from its children's values (symbols: by the caller)."""
    if not node.args:
        if node.is_Symbol:
            return lambda: None
        return functools.partial(_number, node)
    if isinstance(node, dag.WHOLE):
        return functools.partial(_whole, node)
    direct = _DIRECT.get(type(node))
    if direct is not None:
        return direct
    if hasattr(node, "definition"):
        template = _definition(type(node), len(node.args))
        if template is not None:
            return template
    return functools.partial(_by_evalf, node)


def _dummies(n: int) -> tuple[sp.Dummy, ...]:
    return tuple(sp.Dummy(f"u{i}", real=True) for i in range(n))


def _compiled(us: tuple[sp.Dummy, ...], expr: sp.Basic) -> Callable[..., mpmath.mpf]:
    """``expr`` in placeholders ``us`` as a function of their values: a small program run
    without the bookkeeping of :meth:`Program.values` (it runs once per node and point)."""
    program = Program([expr])
    slot = {u: i for i, u in enumerate(us)}
    steps = [
        (slot.get(node, -1), program._ops[i], program.kids[i])
        for i, node in enumerate(program.nodes)
    ]

    def run(*args: mpmath.mpf) -> mpmath.mpf:
        vals: list[mpmath.mpf] = []
        for position, op, kids in steps:
            vals.append(args[position] if position >= 0 else op(*[vals[k] for k in kids]))
        return vals[-1]

    return run


@functools.cache
def _definition(cls: type, nargs: int) -> Callable[..., mpmath.mpf] | None:
    """cls(u0, u1, ...).definition() as a function of the u's, if it can be written so."""
    us = _dummies(nargs)
    try:
        return _compiled(us, cls(*us).definition())
    except (TypeError, ValueError, AttributeError, NotImplementedError):
        return None


@functools.cache
def _partial(cls: type, nargs: int, i: int) -> Callable[..., mpmath.mpf]:
    """∂cls(u0, u1, ...)/∂u_i as a function of the u's (SymPy's derivative of the class)."""
    us = _dummies(nargs)
    d = sp.diff(cls(*us), us[i])
    if d.has(sp.Derivative, sp.Subs):
        raise Unevaluable(f"no derivative of {cls.__name__} in argument {i + 1}")
    return _compiled(us, d)


def _floats(args: Sequence[mpmath.mpf]) -> list[sp.Float]:
    return [sp.Float._new(a._mpf_, mpmath.mp.prec) for a in args]


def _by_evalf(node: sp.Basic, *args: mpmath.mpf) -> mpmath.mpf:
    """A function without a fast path: rebuilt at the arguments' values and evaluated."""
    at = node.func(*_floats(args))
    if hasattr(at, "definition"):
        at = at.definition()
    out = sp.sympify(at, strict=True).evalf(mpmath.mp.dps)
    if not (out.is_Float or out.is_Rational):
        raise Unevaluable(f"{type(node).__name__} has no numeric value here")
    return _number(out)


def _whole(node: sp.Basic, *args: mpmath.mpf) -> mpmath.mpf:
    """A node SymPy evaluates itself (a piecewise function, a sum), its symbols given."""
    symbols = sorted(node.free_symbols, key=str)
    out = sp.N(node.xreplace(dict(zip(symbols, _floats(args), strict=True))), mpmath.mp.dps)
    if not (out.is_Float or out.is_Rational):
        raise Unevaluable(f"{type(node).__name__} has no numeric value here")
    return _number(out)


def value_at(expr: sp.Basic, point: Mapping[sp.Basic, object], digits: int) -> mpmath.mpf:
    """The value of one expression at ``point``; :class:`Unevaluable` if it has none.

    >>> x = sp.Symbol("x")
    >>> mpmath.nstr(value_at(sp.exp(x) / 2, {x: 1}, 20), 15)
    '1.35914091422952'
    """
    out = Program([expr]).values(point, digits)[0]
    if out is None:
        raise Unevaluable("the expression has no real value at this point")
    return out


#: Guard digits of the two working precisions :func:`approximate` compares.
_GUARDS = (12, 30)
#: Functions that jump: at an argument that is 0 but not written as 0 (cosh² − sinh² − 1),
#: both precisions see rounding noise of one sign and agree on the wrong side.
_STEPS = (sp.Heaviside, sp.sign, sp.floor, sp.ceiling, sp.Piecewise, sp.frac)


def approximate(expr: sp.Expr, digits: int) -> sp.Float:
    """``sp.N(expr, digits)`` for a number: its ``digits``-digit Float, computed by one
    straight-line program in mpmath at two working precisions (``digits`` + 12 and + 30),
    kept where both round to the same Float; else (an operation it cannot evaluate, the
    digits changing with the precision: cancellation, a value of 0 not written as 0; a
    step, sign or piecewise function, whose value at a hidden 0 is decided by rounding
    noise of the same sign at both precisions) by SymPy's evalf.

    Evaluating each distinct subexpression once, it takes a fraction of evalf's time on
    nested functions (a q2 δ to 45 digits: 0.25 ms against 3.5 ms), and two precisions
    agreeing is evalf's own test of its digits. Its last digit is the correctly rounded
    one, where evalf's is off by one unit in about 1 case in 400: where every digit is
    printed, use ``sp.N`` (the committed sheets print evalf's); rounding or cutting to fewer
    places (:func:`symhw.render.decimals.fixed_point`, :func:`symhw.mlp.digits50`) can see
    the difference only for a value within one unit of the last digit of a boundary, and
    then approximate's is the right one.

    >>> approximate(sp.tanh(sp.tanh(sp.Rational(7, 10)) - 3), 20)
    -0.98353280315506755824
    >>> tiny = sp.exp(sp.Integer(-92))  # 1 + 1.1e-40 - 1: 40 digits cancel, evalf decides
    >>> approximate(sp.Add(1 + tiny, -1, evaluate=False), 5), approximate(sp.Rational(1, 3), 5)
    (1.1089e-40, 0.33333)
    """
    expr = sp.sympify(expr, strict=True)
    if expr.is_Rational or expr.free_symbols:
        return sp.N(expr, digits)
    try:
        program = Program([expr])
        if any(isinstance(node, _STEPS) for node in program.nodes):
            return sp.N(expr, digits)
        low, high = (program.values({}, digits + g)[0] for g in _GUARDS)
    except (Unevaluable, *_FAILURES):
        return sp.N(expr, digits)
    if low is None or high is None or not low or not high:
        return sp.N(expr, digits)
    bits = mpmath.libmp.dps_to_prec(digits)
    near, far = (
        mpmath.libmp.normalize(*v._mpf_, bits, mpmath.libmp.round_nearest) for v in (low, high)
    )
    return sp.Float._new(near, bits) if near == far else sp.N(expr, digits)
