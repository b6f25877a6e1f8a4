"""Question 2, generalised: forward and backward pass through a fully connected network."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import sympy as sp

from symhw.activations import ACTIVATIONS
from symhw.derivation import Part, Solution
from symhw.errors import InputError, quote
from symhw.mlp import (
    Network,
    Rounded,
    backprop,
    delta_two_ways,
    quantity_symbol,
    symbolic_weights,
)
from symhw.mlp import display as show
from symhw.mlp import sheet as sheet
from symhw.params import (
    SEQUENCE,
    Parameters,
    Where,
    boolean,
    check_call,
    choice,
    integer,
    matrix,
    param,
    parse_number,
)

KIND = "mlp-backprop"
SUMMARY = (
    "forward and backward pass through a fully connected network, exact and rounded by hand, "
    "every δ checked against ∂e/∂s"
)
#: The sheet derives every layer at every data point. Measured on a 2-CPU machine, a whole
#: run (PDF included) stays within 20 s up to 4 points and 576 weights × points: 8 layers
#: of 8 units at 1 point take about 10 s, 2 layers of 8 at 4 points (576) about 10 s, one
#: 8-unit layer at 8 points (also 576) 20 s, and 8 layers of 8 at 2 points 23 s.
MAX_LAYERS, MAX_UNITS, MAX_POINTS = 8, 8, 4
MAX_WEIGHT_PASSES = 576


def weight_list(value: object, where: Where) -> tuple[sp.ImmutableMatrix, ...]:
    """Weight matrices, one per layer; each a list of rows, a flat list being a column."""
    example = "weights = [[[0.1, 0.2], [0.3, 0.4]], [0.2, 1, -3]]"
    if not isinstance(value, SEQUENCE):
        raise where.error(
            f"expected a list of weight matrices, one per layer, e.g. {example}; got {quote(value)}"
        )
    if not value:
        raise where.error(f"the network is empty: give one weight matrix per layer, e.g. {example}")
    if len(value) > MAX_LAYERS:  # sizes first: no number is parsed for a network refused
        raise where.error(f"{len(value)} layers; at most {MAX_LAYERS} fit on a sheet")
    out = []
    for layer, item in enumerate(value, start=1):
        rows, cols = _size(item)
        if rows > MAX_UNITS + 1 or cols > MAX_UNITS:
            raise where.error(
                f"layer {layer}: W is {rows}×{cols}; at most {MAX_UNITS + 1}×{MAX_UNITS} (a bias "
                f"row and {MAX_UNITS} inputs, by {MAX_UNITS} units) fit on a sheet"
            )
        out.append(sp.ImmutableMatrix(matrix(item, where.within(f"layer {layer}"))))
    return tuple(out)


def _size(item: object) -> tuple[int, int]:
    """Rows and the widest row of a matrix as given, counted without reading a number."""
    if isinstance(item, sp.MatrixBase | np.ndarray):
        return (item.shape[0], item.shape[1] if len(item.shape) > 1 else 1)
    if not isinstance(item, SEQUENCE):
        return (1, 1)
    return (len(item), max((len(r) if isinstance(r, SEQUENCE) else 1 for r in item), default=0))


def data_points(value: object, where: Where) -> tuple[tuple[sp.Rational, ...], ...]:
    """A number or a list of numbers is one data point; a list of lists is several."""
    if isinstance(value, np.ndarray | sp.MatrixBase):  # from Python: rows are points
        if value.shape[0] > MAX_POINTS or math.prod(value.shape) > MAX_POINTS * MAX_UNITS:
            raise where.error(f"a {value.shape} array; at most {MAX_POINTS} points")
        value = value.tolist()
    if isinstance(value, SEQUENCE) and value and all(isinstance(v, SEQUENCE) for v in value):
        points = value
    elif isinstance(value, SEQUENCE) and any(isinstance(v, SEQUENCE) for v in value):
        raise where.error(
            "mix of numbers and lists: give one point as [a, b] or several as [[a], [b]]"
        )
    else:
        points = [value if isinstance(value, SEQUENCE) else [value]]
    if len(points) > MAX_POINTS:  # sizes first: no number is parsed for data refused
        raise where.error(
            f"{len(points)} data points; at most {MAX_POINTS}: the sheet derives every "
            "layer at every point, and 8 points take more than 20 s on a 2-CPU machine"
        )
    if any(len(p) > MAX_UNITS for p in points):
        raise where.error(f"a point of {max(map(len, points))} numbers; at most {MAX_UNITS}")
    out = []
    for p in points:
        if not p:
            raise where.error("a data point needs at least one number")
        out.append(tuple(parse_number(v, where) for v in p))
    if len({len(p) for p in out}) != 1:
        raise where.error(f"data points have different lengths {sorted({len(p) for p in out})}")
    return tuple(out)


def activation_list(value: object, where: Where) -> tuple[str, ...]:
    """One activation name per layer.

    >>> activation_list(["tanh", 1], Where(None, "activations"))
    Traceback (most recent call last):
    ...
    symhw.errors.InputError: field 'activations': layer 2: unknown activation 1; choose one of ...
    """
    if not isinstance(value, SEQUENCE) or not value:
        raise where.error('expected a list of names, one per layer, e.g. ["tanh", "identity"]')
    name = choice(ACTIVATIONS, "activation")
    return tuple(name(v, where.within(f"layer {layer}")) for layer, v in enumerate(value, start=1))


_sl, _xl, _e = sp.Symbol("s^(l)"), sp.Symbol("x^(l)"), sp.Symbol("e")


def intro_forward(named: tuple[sp.Symbol, ...]) -> tuple:
    """How the forward lines read, and which values are carried by name (``named``)."""
    delta = any(str(n).startswith("delta") for n in named)
    return (
        "Each line gives the quantity, its formula, the numbers substituted and the result, "
        "exactly. A pre-activation that is not a rational number is written ",
        sp.Symbol("s^(l)_j"),
        " (entry j of ",
        _sl,
        " above) where later lines use it",
        *(
            (", and so is a long entry ", sp.Symbol("delta^(l)_j"), " of ", sp.Symbol("delta^(l)"))
            if delta
            else ()
        ),
        ".",
    )


INTRO_BACKWARD = (
    sp.Symbol("Wbar^(l+1)"),
    " is ",
    sp.Symbol("W^(l+1)"),
    " without its bias row (the bias entry of ",
    _xl,
    " does not depend on ",
    _sl,
    "), and ⊙ multiplies entry by entry.",
)
INTRO_CHECK = (
    "Write e as a function of the pre-activations ",
    _sl,
    " of one layer (through the layers after it, for any target y) and differentiate it "
    "directly: it agrees with the ",
    sp.Symbol("delta^(l)"),
    " of the backward recursion as a function of them and of y, not only at the numbers "
    "above (each step says how that was checked).",
)


@dataclass(frozen=True)
class Params(Parameters):
    """Parameters of an ``mlp-backprop`` problem."""

    weights: tuple = param(
        parse=weight_list, help="W⁽¹⁾…W⁽ᴸ⁾, each (units in + 1 bias row) × units out"
    )
    x: tuple = param(
        parse=data_points,
        help=(
            "input: a number, a list, or a list of points (at most 4, and weights × points "
            "at most 576: what a 2-CPU machine derives in 20 s)"
        ),
    )
    y: tuple = param(parse=data_points, help="target(s), one per input point")
    activations: tuple | None = param(
        None, parse=activation_list, help="θ per layer (default: tanh, identity at the output)"
    )
    decimals: int = param(4, parse=integer(1, 15), help="decimals shown for approximate values")
    rounding: int = param(
        0, parse=integer(0, 12), help="hand replay rounded to k decimals (0: off)"
    )
    symbolic: bool = param(False, parse=boolean, help="weights, x and y as symbols w_ij^(l)")

    def check(self) -> None:
        validate(self)


def network(params: Params, problem: str | None = None) -> Network:
    """The network the parameters describe; every shape and name is checked."""
    units = len(params.x[0])
    for layer, w in enumerate(params.weights, start=1):
        before = "the input x has" if layer == 1 else "the previous layer has"
        noun = "entries" if layer == 1 else "units"
        if w.rows != units + 1:
            raise InputError(
                f"layer {layer}: W has shape ({w.rows}, {w.cols}) but {before} {units} {noun}, "
                f"so W needs {units + 1} rows (bias row + {units})",
                problem=problem,
                field="weights",
            )
        if w.cols > MAX_UNITS:
            raise InputError(
                f"layer {layer}: {w.cols} units; at most {MAX_UNITS} fit on a sheet",
                problem=problem,
                field="weights",
            )
        units = w.cols
    depth = len(params.weights)
    if depth > MAX_LAYERS or len(params.x[0]) > MAX_UNITS:
        raise InputError(
            f"{depth} layers and {len(params.x[0])} inputs; at most {MAX_LAYERS} layers and "
            f"{MAX_UNITS} inputs fit on a sheet",
            problem=problem,
            field="weights",
        )
    acts = params.activations or ("tanh",) * (depth - 1) + ("identity",)
    if len(acts) != depth:
        raise InputError(
            f"{len(acts)} activations for {depth} layers: give one per layer",
            problem=problem,
            field="activations",
        )
    for layer, name in enumerate(acts, start=1):
        if name not in ACTIVATIONS:
            raise InputError(
                f"layer {layer}: unknown activation {quote(name)}; choose one of "
                f"{', '.join(ACTIVATIONS)}",
                problem=problem,
                field="activations",
            )
    if len(params.y) != len(params.x):
        raise InputError(
            f"{len(params.x)} inputs but {len(params.y)} targets: give one target per input",
            problem=problem,
            field="y",
        )
    if len(params.y[0]) != units:
        raise InputError(
            f"y has {len(params.y[0])} entries but the output layer has {units} units",
            problem=problem,
            field="y",
        )
    _check_passes(params, problem)
    if params.symbolic and len(params.x) > 1:
        raise InputError(
            "the symbolic mode takes one data point", problem=problem, field="symbolic"
        )
    return Network(tuple(params.weights), tuple(acts))


def _check_passes(params: Params, problem: str | None) -> None:
    """Weights × points within what a sheet derives in 20 s."""
    points, depth = len(params.x), len(params.weights)
    weights = sum(w.rows * w.cols for w in params.weights)
    if points * weights > MAX_WEIGHT_PASSES:
        raise InputError(
            f"{points} data points through {depth} layers with {weights} weights: the sheet "
            f"derives every weight at every point, and past {MAX_WEIGHT_PASSES} weights × "
            f"points (here {points * weights}) a run takes more than 20 s on a 2-CPU machine; "
            "use fewer data points or a smaller network",
            problem=problem,
            field="x",
        )


def _vector_symbols(letter: str, n: int) -> sp.ImmutableMatrix:
    if n == 1:
        return sp.ImmutableMatrix([sp.Symbol(letter, real=True)])
    return sp.ImmutableMatrix(sp.symbols(f"{letter}_1:{n + 1}", real=True))


def _symbolic(given: Network, x: sp.ImmutableMatrix, y: sp.ImmutableMatrix):
    """The same network with weights, input and target as symbols, and the given numbers."""
    net = Network(symbolic_weights(given.widths), given.activations)
    xs, ys = _vector_symbols("x", len(x)), _vector_symbols("y", len(y))
    at = {
        s: v
        for m, g in zip(net.weights, given.weights, strict=True)
        for s, v in zip(m, g, strict=True)
    }
    at.update({**dict(zip(xs, x, strict=True)), **dict(zip(ys, y, strict=True))})
    return net, (xs, ys), at


def _derivations(net: Network, w: sheet.Worked, *, hand: int | None = None) -> list[Part]:
    """Forward pass, backward pass and gradients at every data point (by hand when ``hand``)."""
    parts: list[Part] = []
    several = len(w.points) > 1
    tilde = hand is not None
    lead = "By hand: " if tilde else ""
    for n, ((_, y), trace) in enumerate(zip(w.points, w.traces, strict=True), start=1):
        at = f", data point {n}" if several else ""
        first = n == 1 and not tilde
        rounded = f" rounded to {hand} decimals" if tilde else ""
        forward = f"{lead}forward pass{rounded}{at}"
        parts += [
            show.forward_derivation(
                net, trace, y, forward[0].upper() + forward[1:], k=hand,
                intro=intro_forward(tuple(n for n, _ in w.definitions)) if first else None,
            ),
            show.backward_derivation(
                net, trace, y, f"{lead or 'B'}{'b' if tilde else ''}ackward pass{at}",
                tilde=tilde, intro=INTRO_BACKWARD if first else None,
            ),
            show.gradient_derivation(
                net, trace, f"{lead}{'g' if tilde else 'G'}radients{at}", tilde=tilde
            ),
        ]  # fmt: skip
    if several and not tilde:
        parts.append(
            show.average_derivation(
                net, list(w.traces), list(w.grads), "Gradient averaged over the data points"
            )
        )
    return parts


def _delta_check(net: Network) -> Part:
    """δ⁽ˡ⁾ = ∂e/∂s⁽ˡ⁾ at every layer, as an identity in s⁽ˡ⁾ and y."""
    ys = _vector_symbols("y", net.widths[-1])

    def sigma(layer: int) -> sp.ImmutableMatrix:
        units = range(1, net.widths[layer] + 1)
        return sp.ImmutableMatrix([quantity_symbol("s", layer, j) for j in units])

    return show.delta_check_derivation(
        net,
        "Each δ is the derivative of e",
        sigma,
        lambda layer: delta_two_ways(net, layer, sigma(layer), ys),
        intro=INTRO_CHECK,
    )


def validate(params: Params, problem_id: str | None = None) -> None:
    """Every check that needs no solving (shapes, names, limits), run when the file loads."""
    network(params, problem_id)


def solve(params: Params, problem_id: str = "q2", title: str | None = None) -> Solution:
    """Derive question 2 for the given network: exact, replayed by hand, verified.

    >>> p = Params(weights=(sp.ImmutableMatrix([0, 2]),), x=((3,),), y=((1,),),
    ...            activations=("identity",))
    >>> solve(p).answer("grad_W1").data
    [[10.0], [30.0]]
    """
    check_call(params, Params, problem_id, title)
    given = network(params, problem_id)
    points = [
        (sp.ImmutableMatrix(x), sp.ImmutableMatrix(y))
        for x, y in zip(params.x, params.y, strict=True)
    ]
    numeric = sheet.work(given, points, symbolic=False)
    if params.symbolic:
        net, point, at = _symbolic(given, *points[0])
        w = sheet.work(net, [point], symbolic=True, at=at)
    else:
        net, w = given, numeric
    parts = [*_derivations(net, w), _delta_check(net)]
    replays = None
    if params.rounding:
        k = params.rounding
        replays = [backprop(given, x, y, Rounded(k)) for x, y in points]
        parts += sheet.value_tables(w, replays, params.decimals, k)
        parts.append(sheet.replay_paragraph(k, numeric, replays, params.decimals))
        by_hand = sheet.Worked(given, tuple(points), tuple(replays), (), (), 0, {}, {})
        parts += _derivations(given, by_hand, hand=k)
    else:
        parts += sheet.value_tables(w, None, params.decimals, 0)
    return Solution(
        problem_id,
        KIND,
        title or "Backpropagation through a fully connected network",
        sheet.statement(net, w),
        tuple(parts),
        sheet.answers(w, replays, params.symbolic, params.decimals),
        sheet.numeric_checks(given, numeric),
    )
