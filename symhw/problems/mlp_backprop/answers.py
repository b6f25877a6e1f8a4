"""The answers of a network's sheet: exact values, shown to some decimals, and the hand replay."""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp

from symhw.derivation import Answer
from symhw.mlp import Network, Trace, average
from symhw.problems.mlp_backprop.labels import Labels
from symhw.problems.mlp_backprop.nodes import Approximated, Fixed, Shown, shown
from symhw.problems.mlp_backprop.worked import Worked
from symhw.render.json import to_json_value


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


def _shown_answer(w: Worked, named, decimals: int | None = None) -> Shown:
    """``named`` standing for its exact value; with ``decimals``, followed by ``≈ decimals``
    unless every entry is a rational already written exactly with that many decimals."""
    scalar = not isinstance(named, sp.MatrixBase)
    names = sp.ImmutableMatrix([[named]] if scalar else named)
    exact = names.applyfunc(w.exact)

    def written(v: sp.Expr) -> bool:  # a rational with at most ``decimals`` decimals
        return bool(v.is_Rational and (v * 10**decimals).is_Integer)

    if decimals is None or all(written(v) for v in exact):
        return Shown(named, exact)
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
    lab = Labels(w.net)
    several = len(w.traces) > 1
    floats = json_answers(w.net, list(w.traces), w.grads, w.e, lambda v: float(w.approx(v)))
    shown_decimals = None if symbolic else decimals

    def _shown(named) -> Shown:
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
        tilde = Labels(w.net, tilde=True)
        label = sp.Tuple(*[tilde.grad(k) for k in range(1, w.net.depth + 1)], tilde.e())
        exact = [*hand_grads, sp.ImmutableMatrix([[hand_e]])]
        # The hand products are exact in many digits (1.7335296): shown to ``decimals`` places
        longer = any(not (v * 10**decimals).is_Integer for m in exact for v in m)
        value = sp.Tuple(
            *[shown(g.applyfunc(lambda v: Fixed(v, decimals))) for g in hand_grads],
            Fixed(hand_e, decimals),
        )
        hand = json_answers(w.net, list(replays), hand_grads, hand_e, float)
        out.append(Answer("rounded", label, value, hand, approximate=longer))
    return tuple(out)
