"""The answers of a network's sheet: exact values shown to some decimals, and their data."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import sympy as sp

from symhw.derivation import Answer
from symhw.mlp import Network, Trace
from symhw.notation import Dots
from symhw.problems.mlp_backprop.labels import Labels
from symhw.problems.mlp_backprop.nodes import Approximated, Fixed, Shown, shown
from symhw.problems.mlp_backprop.worked import Worked


def answer_name(quantity: str, layer: int | None = None) -> str:
    """The name of an answer, also its key in the JSON: the quantity, then its layer.

    >>> answer_name("x", 0), answer_name("delta", 2), answer_name("grad_W", 1), answer_name("e")
    ('x0', 'delta2', 'grad_W1', 'e')
    """
    return quantity if layer is None else f"{quantity}{layer}"


def quantities(net: Network) -> Iterator[tuple[str, int | None]]:
    """(quantity, layer) of every answer, in the sheet's order: x⁽⁰⁾…x⁽ᴸ⁾, s⁽¹⁾…, δ⁽¹⁾…,
    ∂e/∂W⁽¹⁾…, e."""
    yield from (("x", layer) for layer in range(net.depth + 1))
    for quantity in ("s", "delta", "grad_W"):
        yield from ((quantity, layer) for layer in range(1, net.depth + 1))
    yield "e", None


def _vector(trace: Trace, quantity: str, layer: int) -> sp.ImmutableMatrix:
    """x⁽ˡ⁾, s⁽ˡ⁾ or δ⁽ˡ⁾ at one data point."""
    return trace.x[layer] if quantity == "x" else getattr(trace, quantity)[layer - 1]


def _label(labels: Labels, quantity: str, layer: int | None) -> sp.Basic:
    if quantity == "e":
        return labels.e()
    if quantity == "grad_W":
        return labels.grad(layer)
    return getattr(labels, quantity)(layer)


def answer_data(worked: Worked, entry: Callable[[sp.Expr], Any], dtype: type) -> dict[str, Any]:
    """Every answer's data by name: a vector as a 1-D array (a row per data point when there
    are several), ∂e/∂W⁽ˡ⁾ as a 2-D array, e alone; each entry is ``entry(value)`` (a number
    for ``dtype=float``, a SymPy expression for ``dtype=object``)."""
    several = len(worked.traces) > 1
    out: dict[str, Any] = {}
    for quantity, layer in quantities(worked.net):
        if quantity == "e":
            value = entry(worked.e)
            out[answer_name(quantity)] = np.float64(value) if dtype is float else value
        elif quantity == "grad_W":
            g = worked.grads[layer - 1]
            rows = [[entry(v) for v in g.row(i)] for i in range(g.rows)]
            out[answer_name(quantity, layer)] = np.array(rows, dtype=dtype)
        else:
            points = [[entry(v) for v in _vector(t, quantity, layer)] for t in worked.traces]
            out[answer_name(quantity, layer)] = np.array(points if several else points[0], dtype)
    return out


def _shown_answer(worked: Worked, named, decimals: int | None = None) -> Shown:
    """``named`` standing for its exact value; with ``decimals``, followed by ``≈ decimals``
    unless every entry is a rational already written exactly with that many decimals."""
    scalar = not isinstance(named, sp.MatrixBase)
    names = sp.ImmutableMatrix([[named]] if scalar else named)
    exact = names.applyfunc(worked.exact)

    def written(v: sp.Expr) -> bool:  # a rational with at most ``decimals`` decimals
        return bool(v.is_Rational and (v * 10**decimals).is_Integer)

    if decimals is None or all(written(v) for v in exact):
        return Shown(named, exact)
    approx = [v if written(v) else worked.approx(n) for n, v in zip(names, exact, strict=True)]
    approx = sp.ImmutableMatrix(names.rows, names.cols, approx)
    return Approximated(named, exact, approx, decimals)


def _shown_value(worked: Worked, quantity: str, layer: int | None, decimals: int | None):
    """The answer as the sheet shows it: per data point (a tuple) when there are several."""
    if quantity == "e":
        return _shown_answer(worked, worked.e, decimals)
    if quantity == "grad_W":
        return _shown_answer(worked, worked.grads[layer - 1], decimals)
    values = [_shown_answer(worked, _vector(t, quantity, layer), decimals) for t in worked.traces]
    return sp.Tuple(*values) if len(values) > 1 else values[0]


def _hand_answer(hand: Worked, decimals: int) -> Answer:
    """The hand replay's gradients and e, shown to ``decimals`` places (with ≈ where the
    exact products have more: 2 × 0.8668 × … = 1.7335296); its data keeps every answer."""
    tilde = Labels(hand.net, tilde=True)
    grads = [tilde.grad(layer) for layer in range(1, hand.net.depth + 1)]
    if len(grads) > 3:  # the label names the entries of every row: ∂ẽ/∂W⁽¹⁾, …, ∂ẽ/∂W⁽ᴸ⁾
        grads = [grads[0], Dots("⋯"), grads[-1]]
    label = sp.Tuple(*grads, tilde.e())
    exact = [*hand.grads, sp.ImmutableMatrix([[hand.e]])]
    longer = any(not (v * 10**decimals).is_Integer for m in exact for v in m)
    value = sp.Tuple(
        *[shown(g.applyfunc(lambda v: Fixed(v, decimals))) for g in hand.grads],
        Fixed(hand.e, decimals),
    )
    data = answer_data(hand, lambda v: v, float)
    return Answer("rounded", label, value, data, approximate=longer)


def network_answers(
    worked: Worked, hand: Worked | None, symbolic: bool, decimals: int = 4
) -> tuple[Answer, ...]:
    """Exact answers (named intermediates on the sheet, full values inside), and the hand
    replay's when there is one.

    Numeric answers are followed on the sheet by their value to ``decimals`` places, and
    their data are floats; the data of symbolic ones are the named forms, in the same
    shapes, with what each name stands for as one more answer.
    """
    labels = Labels(worked.net)
    if symbolic:
        data = answer_data(worked, lambda v: v, object)
    else:
        data = answer_data(worked, worked.approx, float)
    shown_decimals = None if symbolic else decimals
    out = [
        Answer(
            answer_name(quantity, layer),
            _label(labels, quantity, layer),
            _shown_value(worked, quantity, layer, shown_decimals),
            data[answer_name(quantity, layer)],
        )
        for quantity, layer in quantities(worked.net)
    ]
    if symbolic:
        definitions = sp.Tuple(*[sp.Eq(n, v, evaluate=False) for n, v in worked.definitions])
        out.append(Answer("definitions", sp.Symbol("where"), definitions, dict(worked.definitions)))
    if hand:
        out.append(_hand_answer(hand, decimals))
    return tuple(out)
