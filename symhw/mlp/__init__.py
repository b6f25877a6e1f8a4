"""Fully connected networks in the seed's notation: forward and backward passes, in any domain."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from itertools import pairwise

import sympy as sp

from symhw import dag
from symhw.activations import ACTIVATIONS, Activation
from symhw.memo import forgettable
from symhw.notation import layer_symbol
from symhw.program import approximate
from symhw.verify import BUDGET, Budget, expand_functions

Column = sp.ImmutableMatrix


@dataclass(frozen=True)
class Network:
    """Weights W⁽¹⁾…W⁽ᴸ⁾ (W⁽ˡ⁾ is (d⁽ˡ⁻¹⁾+1) × d⁽ˡ⁾, first row = bias) and one activation each.

    >>> net = Network((sp.ImmutableMatrix([[0, 1], [2, 3]]),), ("tanh",))
    >>> net.widths
    (1, 2)
    """

    weights: tuple[sp.ImmutableMatrix, ...]
    activations: tuple[str, ...]

    @property
    def depth(self) -> int:
        return len(self.weights)

    @property
    def widths(self) -> tuple[int, ...]:
        """(d⁽⁰⁾, d⁽¹⁾, …, d⁽ᴸ⁾): the input dimension, then the units of every layer."""
        return (self.weights[0].rows - 1, *(w.cols for w in self.weights))

    def activation(self, layer: int) -> Activation:
        """θ of layer ``layer`` (1-based)."""
        return ACTIVATIONS[self.activations[layer - 1]]


def weight_symbol(layer: int, i: int, j: int) -> sp.Symbol:
    """w⁽ˡ⁾ᵢⱼ: row i (0 = bias) and column j (1-based unit) of W⁽ˡ⁾.

    >>> weight_symbol(1, 0, 1), weight_symbol(2, 10, 3)
    (w^(1)_01, w^(2)_10,3)
    """
    return layer_symbol("w", layer, (i, j), real=True)


def symbolic_weights(widths: tuple[int, ...]) -> tuple[sp.ImmutableMatrix, ...]:
    """Weight matrices of symbols w⁽ˡ⁾ᵢⱼ for the given widths (d⁽⁰⁾, …, d⁽ᴸ⁾).

    >>> symbolic_weights((1, 1))[0]
    Matrix([
    [w^(1)_01],
    [w^(1)_11]])
    """
    return tuple(
        sp.ImmutableMatrix(rows + 1, cols, lambda i, j, k=k: weight_symbol(k, i, j + 1))
        for k, (rows, cols) in enumerate(pairwise(widths), start=1)
    )


def quantity_symbol(letter: str, layer: int, j: int, point: int | None = None) -> sp.Symbol:
    """The name of entry j of a per-layer vector, s⁽ˡ⁾ⱼ (s⁽ˡ⁾ₙ,ⱼ at data point n).

    >>> quantity_symbol("s", 2, 1), quantity_symbol("delta", 1, 3, point=2)
    (s^(2)_1, delta^(1)_2,3)
    """
    return layer_symbol(letter, layer, j if point is None else f"{point},{j}", real=True)


@forgettable
@functools.lru_cache(maxsize=8192)
def round_decimals(value: sp.Expr, k: int) -> sp.Rational:
    """``value`` rounded to k decimals, halves away from zero (as by hand), exactly.

    >>> round_decimals(sp.tanh(sp.Rational(7, 10)), 2), round_decimals(sp.Rational(-5, 8), 2)
    (3/5, -63/100)
    >>> round_decimals(1250, -2)  # k < 0: to the hundred, as 1.3e3 claims
    1300

    Remembered (a pure function of the value): a hand replay and a check round the same
    exact values again and again, each a 50-digit evaluation of nested functions.
    """
    scale = sp.Integer(10) ** k
    scaled = expand_functions(sp.sympify(value, strict=True)) * scale
    if not scaled.is_Rational:
        scaled = digits50(scaled)
    n = sp.floor(abs(scaled) + sp.Rational(1, 2))
    return sp.sign(scaled) * sp.Integer(int(n)) / scale


@forgettable
@functools.lru_cache(maxsize=8192)
def digits50(number: sp.Expr) -> sp.Float:
    """A number to 50 significant digits, once per number: rounding a value to k decimals
    and cutting it there (the checker's truncation test) evaluate the same scaled values."""
    return sp.Float(approximate(number, 50), 50)


#: θ' written with the layer's output x = θ(s), as a person computes it from the forward table.
DERIVATIVE_FROM_OUTPUT = {
    "tanh": lambda s, x: 1 - x**2,
    "sigmoid": lambda s, x: x * (1 - x),
    "identity": lambda s, x: sp.Integer(1),
    "relu": lambda s, x: sp.Heaviside(s, 0),
    "softplus": None,  # σ(s): a function evaluation, not a polynomial in x
}


class Carry:
    """How a value computed at one layer is written where later layers use it: exactly
    (:data:`EXACT`), as a named intermediate symbol (:class:`Named`, reverse mode with a
    straight-line program) or rounded to k decimals as a person does by hand
    (:class:`Rounded`).

    The base class carries exact values: θ(s) and θ'(s) in closed form.
    """

    def pre_activation(self, layer: int, s: Column, point: int | None) -> Column:
        return s

    def output(self, act: Activation, s: Column) -> Column:
        return s.applyfunc(act.function)

    def derivative(self, act: Activation, s: Column, out: Column) -> Column:
        return s.applyfunc(act.derivative)

    def delta(self, layer: int, delta: Column, point: int | None) -> Column:
        return delta


EXACT = Carry()


@dataclass
class Named(Carry):
    """Reverse mode with intermediate symbols: values become names s⁽ˡ⁾ⱼ, δ⁽ˡ⁾ⱼ.

    ``always`` names every pre-activation and δ (the straight-line program of the symbolic
    mode); otherwise a pre-activation is named only when it is not a rational number and a δ
    only when its expression has more than ``delta_limit`` operations. ``definitions``
    records (name, expression) in the order computed, so each expression uses only names
    defined before it.
    """

    always: bool = False
    delta_limit: int = 14
    definitions: list[tuple[sp.Symbol, sp.Expr]] = field(default_factory=list)

    def _name(self, letter: str, layer: int, col: Column, point: int | None, keep) -> Column:
        out = []
        for j, v in enumerate(col, start=1):
            if keep(v):
                out.append(v)
                continue
            name = quantity_symbol(letter, layer, j, point)
            self.definitions.append((name, v))
            out.append(name)
        return sp.ImmutableMatrix(out)

    def pre_activation(self, layer: int, s: Column, point: int | None) -> Column:
        return self._name("s", layer, s, point, lambda v: not self.always and v.is_Rational)

    def delta(self, layer: int, delta: Column, point: int | None) -> Column:
        def keep(v: sp.Expr) -> bool:
            return not self.always and (v.is_Rational or sp.count_ops(v) <= self.delta_limit)

        return self._name("delta", layer, delta, point, keep)


@dataclass(frozen=True)
class Rounded(Carry):
    """A hand computation: every forward value s⁽ˡ⁾, x⁽ˡ⁾ rounded to ``decimals`` decimals.

    θ' is computed from the rounded output (1 − x² for tanh, x(1 − x) for sigmoid) and is
    rounded only where it needs a function evaluation (softplus' = σ(s)); the backward pass
    multiplies these rounded numbers exactly, as on the seed sheet (δ⁽²⁾ = −1.368 for k = 2).
    """

    decimals: int

    def pre_activation(self, layer: int, s: Column, point: int | None) -> Column:
        return s.applyfunc(lambda v: round_decimals(v, self.decimals))

    def output(self, act: Activation, s: Column) -> Column:
        return s.applyfunc(lambda v: round_decimals(act.function(v), self.decimals))

    def derivative(self, act: Activation, s: Column, out: Column) -> Column:
        rule = DERIVATIVE_FROM_OUTPUT[act.name]
        if rule is None:
            return s.applyfunc(lambda v: round_decimals(act.derivative(v), self.decimals))
        return sp.ImmutableMatrix([rule(a, b) for a, b in zip(s, out, strict=True)])


@dataclass(frozen=True)
class Trace:
    """One data point through both passes; index l − 1 holds layer l (x holds x⁽⁰⁾…x⁽ᴸ⁾).

    ``s`` and ``delta`` are as computed; ``s_used`` and ``delta_used`` as carried to later
    steps (names, rounded values or the same values).
    """

    x: tuple[Column, ...]
    s: tuple[Column, ...]
    s_used: tuple[Column, ...]
    derivative: tuple[Column, ...]
    delta: tuple[Column, ...]
    delta_used: tuple[Column, ...]
    grads: tuple[sp.ImmutableMatrix, ...]
    e: sp.Expr


def with_bias(values: Column) -> Column:
    """[1; values]."""
    return sp.ImmutableMatrix([1, *values])


def forward(net: Network, x: Column, carry: Carry = EXACT, point: int | None = None):
    """The forward pass: (x⁽⁰⁾…x⁽ᴸ⁾, s⁽¹⁾…s⁽ᴸ⁾ as computed, as carried, θ'(s⁽ˡ⁾) as carried)."""
    xs, ss, used, derivs = [with_bias(x)], [], [], []
    for layer, w in enumerate(net.weights, start=1):
        act = net.activation(layer)
        s = sp.ImmutableMatrix(w.T * xs[-1])
        s_used = carry.pre_activation(layer, s, point)
        out = carry.output(act, s_used)
        ss.append(s)
        used.append(s_used)
        derivs.append(carry.derivative(act, s_used, out))
        xs.append(out if layer == net.depth else with_bias(out))
    return xs, ss, used, derivs


def backprop(
    net: Network,
    x: Column,
    y: Column,
    carry: Carry = EXACT,
    point: int | None = None,
) -> Trace:
    """The forward and backward pass for one data point (x, y), written as ``carry`` says:

    x⁽⁰⁾ = [1; x], s⁽ˡ⁾ = (W⁽ˡ⁾)ᵀ x⁽ˡ⁻¹⁾, x⁽ˡ⁾ = [1; θ(s⁽ˡ⁾)] (hidden) or θ_out(s⁽ᴸ⁾)
    (output), e = ‖x⁽ᴸ⁾ − y‖², δ⁽ᴸ⁾ = 2(x⁽ᴸ⁾ − y) ⊙ θ'(s⁽ᴸ⁾), δ⁽ˡ⁾ = θ'(s⁽ˡ⁾) ⊙ (W̄⁽ˡ⁺¹⁾ δ⁽ˡ⁺¹⁾)
    with W̄ the weights without their bias row, and ∂e/∂W⁽ˡ⁾ = x⁽ˡ⁻¹⁾ (δ⁽ˡ⁾)ᵀ.

    >>> net = Network((sp.ImmutableMatrix([0, 2]),), ("identity",))  # x⁽¹⁾ = 2x
    >>> t = backprop(net, sp.ImmutableMatrix([3]), sp.ImmutableMatrix([1]))
    >>> t.e, t.delta[0], t.grads[0]
    (25, Matrix([[10]]), Matrix([
    [10],
    [30]]))
    """
    xs, ss, used, derivs = forward(net, x, carry, point)
    residual = xs[-1] - y
    e = sum((r**2 for r in residual), sp.Integer(0))
    deltas: list[Column] = [None] * net.depth  # type: ignore[list-item]
    deltas_used: list[Column] = [None] * net.depth  # type: ignore[list-item]
    back = sp.ImmutableMatrix(2 * residual)
    for layer in range(net.depth, 0, -1):
        d = sp.ImmutableMatrix(derivs[layer - 1].multiply_elementwise(back))
        deltas[layer - 1] = d
        deltas_used[layer - 1] = carry.delta(layer, d, point)
        back = sp.ImmutableMatrix(net.weights[layer - 1][1:, :] * deltas_used[layer - 1])
    grads = tuple(sp.ImmutableMatrix(xs[k] * deltas_used[k].T) for k in range(net.depth))
    return Trace(
        tuple(xs), tuple(ss), tuple(used), tuple(derivs), tuple(deltas), tuple(deltas_used),
        grads, e,
    )  # fmt: skip


def average(matrices: list[sp.ImmutableMatrix]) -> sp.ImmutableMatrix:
    """(1/N) Σ_n M_n, exactly."""
    total = matrices[0]
    for m in matrices[1:]:
        total = total + m
    return sp.ImmutableMatrix(total / len(matrices))


def full_values(definitions: list[tuple[sp.Symbol, sp.Expr]]) -> dict[sp.Symbol, sp.Expr]:
    """What every name stands for with no names left (definitions in the order they were made).

    Each definition is expanded once and the results are shared, so the cost is linear in the
    program's length. They are built without SymPy's automatic evaluation: at a depth of
    eight, tanh of a nested sum asks for the sign of its argument, and deciding it evaluates
    the whole tree below (exponential in depth). The values are the same either way.

    >>> a, b, x = sp.symbols("a b x")
    >>> full_values([(a, x + 1), (b, 2 * a)])[b]
    2*(x + 1)
    """
    full: dict[sp.Symbol, sp.Expr] = {}
    with sp.evaluate(False):
        for name, value in definitions:
            full[name] = value.xreplace(full)
    return full


def composed_loss(net: Network, x: Column, y: Column) -> sp.Expr:
    """e as one expression of the weights (and inputs): the baseline direct ``sympy.diff``
    differentiates (its size grows exponentially with depth).

    >>> net = Network((sp.ImmutableMatrix([[0], [1]]),), ("identity",))
    >>> composed_loss(net, sp.ImmutableMatrix([3]), sp.ImmutableMatrix([1]))
    4
    """
    xs = forward(net, x)[0]
    return sum(((a - b) ** 2 for a, b in zip(xs[-1], y, strict=True)), sp.Integer(0))


def from_layer(net: Network, layer: int) -> Network:
    """Layers ``layer``…L fed the pre-activation s⁽ˡ⁾ itself (its first W is [0; I])."""
    d = net.widths[layer]
    first = sp.ImmutableMatrix(sp.Matrix.vstack(sp.zeros(1, d), sp.eye(d)))
    return Network((first, *net.weights[layer:]), net.activations[layer - 1 :])


def delta_two_ways(
    net: Network, layer: int, sigma: Column, y: Column, budget: Budget = BUDGET
) -> tuple[sp.ImmutableMatrix, sp.ImmutableMatrix, sp.Expr]:
    """δ⁽ˡ⁾ by the backward recursion and ∂e/∂s⁽ˡ⁾ by differentiating e, both as functions of
    the pre-activation s⁽ˡ⁾ = ``sigma``; and e itself.

    Written out as a tree, e through the layers after l grows like the product of their
    widths. Where that tree exceeds ``budget.evaluate`` nodes, the passes are built without
    SymPy's automatic evaluation (each layer then costs its own size) and ∂e/∂s⁽ˡ⁾ is left
    unevaluated (:class:`~symhw.dag.LazyDerivative`), for :func:`~symhw.verify.check_equal`
    to decide by differentiating e's graph at sample points.

    >>> weights = (sp.ImmutableMatrix([0, 1]), sp.ImmutableMatrix([0, 3]))
    >>> net = Network(weights, ("tanh", "identity"))
    >>> s = sp.Symbol("s")
    >>> rec, direct, e = delta_two_ways(net, 1, sp.ImmutableMatrix([s]), sp.ImmutableMatrix([0]))
    >>> sp.simplify(rec - direct)
    Matrix([[0]])
    """
    tail = from_layer(net, layer)
    with sp.evaluate(False):
        trace = backprop(tail, sigma, y)
    if dag.tree_size(trace.e, budget.evaluate) > budget.evaluate:
        direct = sp.ImmutableMatrix([dag.LazyDerivative(trace.e, v) for v in sigma])
        return trace.delta[0], direct, trace.e
    trace = backprop(tail, sigma, y)
    direct = sp.ImmutableMatrix([sp.diff(trace.e, v) for v in sigma])
    return trace.delta[0], direct, trace.e
