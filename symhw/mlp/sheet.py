"""What a network's sheet shows besides the derivations: values, tables, answers, checks."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext

import numpy as np
import sympy as sp

from symhw.derivation import Answer, NumericCheck, Paragraph, Table, decade, numeric_check
from symhw.mlp import (
    DERIVATIVE_FROM_OUTPUT,
    Named,
    Network,
    Trace,
    average,
    backprop,
    full_values,
    quantity_symbol,
    weight_symbol,
)
from symhw.mlp import display as show
from symhw.mlp.numeric import batch_gradient, evaluate_names
from symhw.numeric import finite_difference_check
from symhw.render.json import to_json_value
from symhw.verify import expand_functions


def fmt(value: sp.Expr, decimals: int) -> str:
    """A value written with ``decimals`` decimals (halves away from zero), at any magnitude.

    >>> fmt(sp.Rational(-5, 8), 2), fmt(sp.Integer(10) ** 40 / 3, 1)[-4:]
    ('-0.63', '33.3')
    >>> fmt(-sp.exp(-sp.Integer(10) ** 45), 3)
    '0.000'

    """
    value = sp.sympify(value, strict=True)
    if value.has(sp.UnevaluatedExpr):  # a decimal as the sheet writes it (-0.5 and all)
        value = value.doit()
    if abs(sp.N(value, 15)) < sp.Float(10) ** -(decimals + 2):  # 0 at these decimals, even
        value = sp.Integer(0)  # at e^(-10^45), whose exponent no Decimal can hold
    digits = 40 + max(0, Decimal(str(sp.N(value, 15))).adjusted()) + decimals
    d = Decimal(str(sp.N(value, digits)))
    with localcontext() as ctx:  # quantize needs every digit before the point, plus decimals
        ctx.prec = max(28, d.adjusted() + decimals + 2)
        d = d.quantize(Decimal(1).scaleb(-decimals), ROUND_HALF_UP)
    out = f"{d:f}"
    return out[1:] if out.startswith("-") and set(out[1:]) <= set("0.") else out


@dataclass(frozen=True)
class Worked:
    """Everything computed for the sheet: the named traces, exact and 30-digit values."""

    net: Network
    points: tuple[tuple[sp.ImmutableMatrix, sp.ImmutableMatrix], ...]
    traces: tuple[Trace, ...]
    definitions: tuple[tuple[sp.Symbol, sp.Expr], ...]
    grads: tuple[sp.ImmutableMatrix, ...]
    e: sp.Expr
    floats: dict
    exact_names: dict

    def exact(self, expr):
        """``expr`` with every name replaced by its exact value (left unevaluated)."""
        with sp.evaluate(False):
            return expr.xreplace(self.exact_names)

    def approx(self, expr) -> sp.Expr:
        return sp.N(expand_functions(sp.sympify(expr, strict=True).xreplace(self.floats)), 30)


def work(net: Network, points, *, symbolic: bool, at: dict | None = None) -> Worked:
    """Both passes at every point, with named intermediates; values to 30 digits."""
    carry = Named(always=symbolic)
    several = len(points) > 1
    traces = tuple(
        backprop(net, x, y, carry, n if several else None) for n, (x, y) in enumerate(points, 1)
    )
    grads = tuple(average([t.grads[k] for t in traces]) for k in range(net.depth))
    e = sum((t.e for t in traces), sp.Integer(0)) / len(traces)
    exact = full_values(carry.definitions)
    floats = evaluate_names(carry.definitions, at)
    return Worked(net, tuple(points), traces, tuple(carry.definitions), grads, e, floats, exact)


def _drift(hand: sp.Expr, exact: sp.Expr, decimals: int) -> str:
    out = fmt(hand - exact, decimals)
    return out if out.startswith("-") or set(out) <= set("0.") else "+" + out


def _row(label, exact_shown, value, hand, w: Worked, decimals: int, with_exact: bool):
    row = [label]
    if with_exact:
        row.append(exact_shown)
    row.append(fmt(w.approx(value), decimals))
    if hand is not None:
        row += [fmt(hand, decimals), _drift(hand, w.approx(value), decimals)]
    return tuple(row)


def _header(first: str, forward: bool, decimals: int, k: int) -> tuple[str, ...]:
    """Column titles; the forward table also has the exact form. By hand, only forward values
    are rounded to k decimals: backward values are exact products of those (more decimals)."""
    head = [first] + (["exact"] if forward else []) + [f"value ({decimals} decimals)"]
    hand = f"by hand ({k} decimals)" if forward else f"by hand (from the {k}-decimal forward)"
    return tuple(head + ([hand, "drift (hand - exact)"] if k else []))


def value_tables(w: Worked, replays: list[Trace] | None, decimals: int, k: int) -> list[Table]:
    """Forward, backward and gradient values as decimals, with the hand replay and its drift."""
    several = len(w.traces) > 1
    forward, backward = [], []
    for n, trace in enumerate(w.traces, start=1):
        hand = replays[n - 1] if replays else None
        point = n if several else None
        for layer in range(1, w.net.depth + 1):
            hidden = layer < w.net.depth
            for j, value in enumerate(trace.s[layer - 1], start=1):
                h = hand.s_used[layer - 1][j - 1] if hand else None
                label = quantity_symbol("s", layer, j, point)
                forward.append(_row(label, show.decimal(value), value, h, w, decimals, True))
            for j, value in enumerate(trace.x[layer][hidden:], start=1):
                h = hand.x[layer][j - 1 + hidden] if hand else None
                label = quantity_symbol("x", layer, j, point)
                forward.append(_row(label, show.decimal(value), value, h, w, decimals, True))
            for j, value in enumerate(trace.delta[layer - 1], start=1):
                h = hand.delta[layer - 1][j - 1] if hand else None
                label = quantity_symbol("delta", layer, j, point)
                backward.append(_row(label, None, value, h, w, decimals, False))
        e_label = sp.Symbol(f"e_{n}" if several else "e", real=True)
        h = hand.e if hand else None
        forward.append(_row(e_label, show.decimal(trace.e), trace.e, h, w, decimals, True))
    hand_grads = (
        [average([r.grads[i] for r in replays]) for i in range(w.net.depth)] if replays else None
    )
    gradient = []
    e = sp.Symbol("e", real=True)
    for layer, g in enumerate(w.grads, start=1):
        for i in range(g.rows):
            for j in range(g.cols):
                h = hand_grads[layer - 1][i, j] if hand_grads else None
                label = show.Partial(e, weight_symbol(layer, i, j + 1))
                gradient.append(_row(label, None, g[i, j], h, w, decimals, False))
    return [
        Table("Forward table", _header("quantity", True, decimals, k), tuple(forward)),
        Table("Backward table", _header("quantity", False, decimals, k), tuple(backward)),
        Table("Gradient table", _header("entry", False, decimals, k), tuple(gradient)),
    ]


def json_answers(net: Network, traces: list[Trace], grads, e, value: Callable) -> dict:
    """``x0``…, ``s1``…, ``delta1``…, ``grad_W1``…, ``e`` as floats (per point when several);
    ``value`` turns one entry into a float."""
    several = len(traces) > 1

    def vector(m) -> list:
        return [value(v) for v in m]

    def per_point(f) -> list:
        values = [f(t) for t in traces]
        return values if several else values[0]

    out: dict = {}
    for layer in range(net.depth + 1):
        out[f"x{layer}"] = per_point(lambda t, k=layer: vector(t.x[k]))
    for name in ("s", "delta"):
        for layer in range(1, net.depth + 1):
            out[f"{name}{layer}"] = per_point(
                lambda t, a=name, k=layer: vector(getattr(t, a)[k - 1])
            )
    for layer, g in enumerate(grads, start=1):
        out[f"grad_W{layer}"] = [vector(g.row(i)) for i in range(g.rows)]
    out["e"] = value(e)
    return out


class Fixed(sp.Expr):
    """A number written with exactly ``k`` decimals, halves away from zero (display only;
    ``args[0]`` keeps the exact value).

    >>> from symhw.render.expr import latex
    >>> latex(Fixed(sp.Rational(17335296, 10**7), 4)), latex(Fixed(sp.Rational(81, 25), 4))
    ('1.7335', '3.2400')
    """

    def __new__(cls, value, decimals: int):
        return sp.Basic.__new__(cls, sp.sympify(value, strict=True), sp.Integer(decimals))

    def _latex(self, printer) -> str:
        return fmt(self.args[0], int(self.args[1]))

    _sympystr = _latex


class Approximated(show.Shown):
    r"""A shown answer followed by its value to ``decimals`` places: ``named ≈ [0.6044]``.

    Entries of ``approx`` that are rational are exact and written as such; the others are
    30-digit floats, written with ``decimals`` decimals (halves away from zero).

    >>> from symhw.render.expr import latex
    >>> t = sp.Matrix([1, sp.tanh(1)])
    >>> m = Approximated(t, t, sp.Matrix([1, sp.N(sp.tanh(1), 30)]), 4)
    >>> latex(m).split(r" \approx ")[1]
    '\\left[\\begin{matrix}1 \\\\ 0.7616\\end{matrix}\\right]'
    """

    def __new__(cls, display, value, approx, decimals):
        args = (sp.ImmutableMatrix(value), sp.ImmutableMatrix(approx), sp.Integer(decimals))
        return sp.Basic.__new__(cls, sp.sympify(display, strict=True), *args)

    def _cells(self, printer) -> list[list[str]]:
        approx, k = self.args[2], int(self.args[3])

        def cell(v):
            return printer._print(show.decimal(v)) if v.is_Rational else fmt(v, k)

        return [[cell(v) for v in approx.row(i)] for i in range(approx.rows)]

    def _latex(self, printer) -> str:
        cells = self._cells(printer)
        if not isinstance(self.display, sp.MatrixBase | sp.MatrixExpr):  # a scalar such as e
            return rf"{super()._latex(printer)} \approx {cells[0][0]}"
        body = r" \\ ".join(" & ".join(row) for row in cells)
        matrix = rf"\left[\begin{{matrix}}{body}\end{{matrix}}\right]"
        return rf"{super()._latex(printer)} \approx {matrix}"

    def _sympystr(self, printer) -> str:
        rows = "; ".join(", ".join(row) for row in self._cells(printer))
        return f"{super()._sympystr(printer)} ≈ [{rows}]"


def _shown_answer(w: Worked, named, decimals: int | None = None) -> show.Shown:
    """``named`` standing for its exact value; with ``decimals``, followed by ``≈ decimals``
    unless every entry is a rational already written exactly with that many decimals."""
    scalar = not isinstance(named, sp.MatrixBase)
    names = sp.ImmutableMatrix([[named]] if scalar else named)
    exact = names.applyfunc(w.exact)

    def written(v: sp.Expr) -> bool:  # a rational with at most ``decimals`` decimals
        return bool(v.is_Rational and (v * 10**decimals).is_Integer)

    if decimals is None or all(written(v) for v in exact):
        return show.Shown(named, exact)
    approx = [v if written(v) else w.approx(n) for n, v in zip(names, exact, strict=True)]
    approx = sp.ImmutableMatrix(names.rows, names.cols, approx)
    return Approximated(named, exact, approx, decimals)


def answers(
    w: Worked, replays: list[Trace] | None, symbolic: bool, decimals: int = 4
) -> tuple[Answer, ...]:
    """Exact answers (named intermediates on the sheet, full values inside), floats in JSON.

    Numeric answers are followed on the sheet by their value to ``decimals`` places; symbolic
    ones go to JSON in the same shapes as numeric ones, each entry as plain text.
    """
    lab = show.Labels(w.net)
    several = len(w.traces) > 1
    floats = json_answers(w.net, list(w.traces), w.grads, w.e, lambda v: float(w.approx(v)))
    shown_decimals = None if symbolic else decimals

    def _shown(named) -> show.Shown:
        return _shown_answer(w, named, shown_decimals)

    def per_point(f):
        return sp.Tuple(*[f(t) for t in w.traces]) if several else f(w.traces[0])

    out = []
    for layer in range(w.net.depth + 1):
        value = per_point(lambda t, k=layer: _shown(t.x[k]))
        out.append(Answer(f"x{layer}", lab.x(layer), value, floats[f"x{layer}"]))
    for name, attr, label in (("s", "s", lab.s), ("delta", "delta", lab.delta)):
        for layer in range(1, w.net.depth + 1):
            value = per_point(lambda t, a=attr, k=layer: _shown(getattr(t, a)[k - 1]))
            out.append(Answer(f"{name}{layer}", label(layer), value, floats[f"{name}{layer}"]))
    for layer, g in enumerate(w.grads, start=1):
        out.append(Answer(f"grad_W{layer}", lab.grad(layer), _shown(g), floats[f"grad_W{layer}"]))
    out.append(Answer("e", lab.e(), _shown(w.e), floats["e"]))
    if symbolic:  # the JSON keeps the named forms as text, with what each name stands for
        named = json_answers(w.net, list(w.traces), w.grads, w.e, to_json_value)
        out = [Answer(a.name, a.label, a.value, named[a.name]) for a in out]
        definitions = sp.Tuple(*[sp.Eq(n, v) for n, v in w.definitions])
        meaning = {to_json_value(n): to_json_value(v) for n, v in w.definitions}
        out.append(Answer("definitions", sp.Symbol("where"), definitions, meaning))
    if replays:
        hand_grads = [average([r.grads[k] for r in replays]) for k in range(w.net.depth)]
        hand_e = sum((r.e for r in replays), sp.Integer(0)) / len(replays)
        tilde = show.Labels(w.net, tilde=True)
        label = sp.Tuple(*[tilde.grad(k) for k in range(1, w.net.depth + 1)], tilde.e())
        exact = [*hand_grads, sp.ImmutableMatrix([[hand_e]])]
        # The hand products are exact in many digits (1.7335296): shown to ``decimals`` places
        longer = any(not (v * 10**decimals).is_Integer for m in exact for v in m)
        value = sp.Tuple(
            *[show.shown(g.applyfunc(lambda v: Fixed(v, decimals))) for g in hand_grads],
            Fixed(hand_e, decimals),
        )
        hand = json_answers(w.net, list(replays), hand_grads, hand_e, float)
        out.append(Answer("rounded", label, value, hand, approximate=longer))
    return tuple(out)


def statement(net: Network, w: Worked) -> Paragraph:
    lab = show.Labels(net)
    segs: list = [
        f"A fully connected network with {net.depth} layer{'s' if net.depth > 1 else ''} "
        f"(widths {' → '.join(map(str, net.widths))}; activations "
        f"{', '.join(net.activations)}) has weights ",
    ]
    for layer, weights in enumerate(net.weights, start=1):
        segs += [
            ", " if layer > 1 else "",
            sp.Eq(lab.W(layer), show.shown(weights), evaluate=False),
        ]
    segs += [
        " (row 0 of each holds the bias weights: ",
        weight_symbol(1, 0, 1),
        " is the bias of unit 1 of layer 1, and units count from 1). ",
    ]
    xs = [p[0][:, 0].T for p in w.points]
    ys = [p[1][:, 0].T for p in w.points]
    if len(xs) == 1:
        x, y = (v[0] if len(v) == 1 else show.shown(v) for v in (xs[0], ys[0]))
        x_, y_ = sp.Symbol("x"), sp.Symbol("y")
        segs += ["For the input ", sp.Eq(x_, x, evaluate=False), " with target "]
        segs += [sp.Eq(y_, y, evaluate=False), ", "]
    else:
        segs += [f"For the {len(xs)} data points (x, y) = "]
        for x, y in zip(xs, ys, strict=True):
            segs += [sp.Tuple(show.shown(x), show.shown(y)), ", "]
    e = lab.e()
    loss = show.SquaredNorm(sp.MatAdd(lab.x(net.depth), sp.MatMul(-1, lab.y())))
    segs += [
        "compute the forward pass, the sensitivities ",
        sp.Symbol("delta^(l)"),
        " and the gradients ",
        show.Partial(e, sp.Symbol("W^(l)")),
        " of ",
        sp.Eq(e, loss, evaluate=False),
        " (averaged over the points)." if len(xs) > 1 else ".",
    ]
    return Paragraph(tuple(segs))


def numeric_checks(net: Network, w: Worked) -> tuple[NumericCheck, ...]:
    """The exact gradient against NumPy: the batched backward pass and central differences."""
    X = np.array([[float(v) for v in x] for x, _ in w.points])
    Y = np.array([[float(v) for v in y] for _, y in w.points])
    exact = [
        np.array([[float(w.approx(v)) for v in g.row(i)] for i in range(g.rows)]) for g in w.grads
    ]
    run = batch_gradient(net)
    _, batch = run(X, Y)
    err = max(float(np.max(np.abs(a - b))) for a, b in zip(batch, exact, strict=True))
    checks = [
        numeric_check(
            "the exact gradient agrees with the batched NumPy backward pass to within "
            f"{decade(err)}",
            err,
            1e-10 * max(1.0, max(float(np.max(np.abs(g))) for g in exact)),  # float64: relative
        )
    ]
    weights = [np.array(m.tolist(), dtype=float) for m in net.weights]

    def loss(flat: np.ndarray) -> float:
        parts, at = [], 0
        for m in weights:
            parts.append(flat[at : at + m.size].reshape(m.shape))
            at += m.size
        return run(X, Y, parts)[0]

    flat = np.concatenate([m.ravel() for m in weights])
    derived = np.concatenate([g.ravel() for g in exact])
    checks.append(finite_difference_check("it", "the loss", loss, flat, derived, 1e-5))
    return tuple(checks)


def _hand_derivatives(activations: tuple[str, ...], k: int) -> list:
    """How the hand replay gets θ' for each activation of the network, from the rules it uses
    (:data:`symhw.mlp.DERIVATIVE_FROM_OUTPUT`): ``1 - (x^(l))^2 for tanh, 1 for identity``."""
    s_l, x_l = sp.Symbol("s^(l)"), sp.Symbol("x^(l)")
    parts: list = []
    for name in dict.fromkeys(activations):  # each once, in layer order
        rule = DERIVATIVE_FROM_OUTPUT[name]
        if rule is None:
            parts += [f"{name}' at the rounded ", s_l, f" (rounded to {k} decimals)"]
        else:
            parts += [rule(s_l, x_l).rewrite(sp.Piecewise), f" for {name}"]
        parts.append(", ")
    return ["taken from the rounded outputs: ", *parts[:-1], ";"]


def replay_paragraph(k: int, w: Worked, replays: list[Trace], decimals: int) -> Paragraph:
    """How the hand replay works, and where it drifts most from the exact gradient."""
    hand = [average([r.grads[i] for r in replays]) for i in range(w.net.depth)]
    drifts = [
        (abs(float(h[i, j] - w.approx(g[i, j]))), layer, i, j)
        for layer, (g, h) in enumerate(zip(w.grads, hand, strict=True), start=1)
        for i in range(g.rows)
        for j in range(g.cols)
    ]
    worst, layer, i, j = max(drifts, key=lambda d: d[0])
    e = sp.Symbol("e", real=True)
    return Paragraph(
        (
            "By hand, every forward value ",
            sp.Symbol("s^(l)"),
            ", ",
            sp.Symbol("x^(l)"),
            f" is rounded to {k} decimals as soon as it is computed; θ' is then ",
            *_hand_derivatives(w.net.activations, k),
            " and the backward pass multiplies those rounded numbers exactly, "
            "as on a hand-written sheet. The tables compare this replay with the exact values. "
            f"Rounding the forward pass alone moves the gradient by up to {fmt(worst, decimals)}, "
            "in ",
            show.Partial(e, weight_symbol(layer, i, j + 1)),
            f" ({fmt(hand[layer - 1][i, j], decimals)} by hand, "
            f"{fmt(w.approx(w.grads[layer - 1][i, j]), decimals)} exactly): however carefully the "
            "backward pass is multiplied out, the hand answer keeps only the digits the rounded "
            "forward pass had.",
        )
    )
