"""A network's passes as verified steps: forward, backward, gradients, their average."""

from __future__ import annotations

import sympy as sp

from symhw.activations import ACTIVATIONS
from symhw.builder import DerivationBuilder
from symhw.derivation import Derivation, Part, Segment
from symhw.mlp import Network, Trace, round_decimals
from symhw.problems.mlp_backprop.labels import Labels, theta, theta_prime
from symhw.problems.mlp_backprop.nodes import Hadamard, Rounding, SquaredNorm, rounded, shown
from symhw.problems.mlp_backprop.worked import Worked

_sl, _xl = sp.Symbol("s^(l)"), sp.Symbol("x^(l)")


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


def derivations(net: Network, w: Worked, *, hand: int | None = None) -> list[Part]:
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
            forward_derivation(
                net, trace, y, forward[0].upper() + forward[1:], k=hand,
                intro=intro_forward(tuple(n for n, _ in w.definitions)) if first else None,
            ),
            backward_derivation(
                net, trace, y, f"{lead or 'B'}{'b' if tilde else ''}ackward pass{at}",
                tilde=tilde, intro=INTRO_BACKWARD if first else None,
            ),
            gradient_derivation(
                net, trace, f"{lead}{'g' if tilde else 'G'}radients{at}", tilde=tilde
            ),
        ]  # fmt: skip
    if several and not tilde:
        parts.append(
            average_derivation(
                net, list(w.traces), list(w.grads), "Gradient averaged over the data points"
            )
        )
    return parts


def _rounded_entries(col: sp.MatrixBase, k: int, skip_first: bool = False) -> sp.ImmutableMatrix:
    start = 1 if skip_first else 0
    return sp.ImmutableMatrix(
        [v if i < start or round_decimals(v, k) == v else rounded(v, k) for i, v in enumerate(col)]
    )


def forward_derivation(
    net: Network,
    trace: Trace,
    y: sp.MatrixBase,
    title: str,
    *,
    k: int | None = None,
    intro: tuple[Segment, ...] | None = None,
) -> Derivation:
    """s⁽ˡ⁾, x⁽ˡ⁾ and e, each as formula, numbers substituted, result (rounded when ``k``)."""
    lab = Labels(net, tilde=k is not None)
    b = DerivationBuilder(title, intro=intro)
    x0 = trace.x[0]
    inputs = sp.ImmutableMatrix([1, *sp.symbols(f"x_1:{len(x0)}", real=True)])
    formula0 = sp.ImmutableMatrix([1, sp.Symbol("x", real=True)]) if len(x0) == 2 else inputs
    b.equal(shown(lab.x(0), x0), shown(formula0, x0), shown(x0), rule="bias entry 1, then x")
    for layer in range(1, net.depth + 1):
        w, s, used = net.weights[layer - 1], trace.s[layer - 1], trace.s_used[layer - 1]
        x_prev = trace.x[layer - 1]
        formula = sp.MatMul(sp.Transpose(lab.W(layer)), lab.x(layer - 1))
        numbers = sp.MatMul(sp.Transpose(w), x_prev)
        if k is not None and used != s:
            b.equal(
                shown(lab.s(layer), used),
                shown(Rounding(formula, sp.Integer(k)), used),
                shown(Rounding(numbers, sp.Integer(k))),
                shown(_rounded_entries(s, k)),
                shown(used),
                rule=f"forward pass, rounded to {k} decimals",
            )
        else:
            b.equal(
                shown(lab.s(layer), s),
                shown(formula, s),
                shown(numbers),
                shown(s),
                rule="forward pass",
            )
        name, hidden = net.activations[layer - 1], layer < net.depth
        out = trace.x[layer]
        applied = [ACTIVATIONS[name].function(v) for v in used]
        shape = ([1] if hidden else []) + [theta(name, lab.s(layer))]
        chain = [shown(lab.x(layer), out), shown(sp.Matrix(shape), out)]
        written = sp.ImmutableMatrix(([1] if hidden else []) + applied)
        if k is not None and written != out:
            chain.append(shown(_rounded_entries(written, k, skip_first=hidden)))
        elif written != out:
            chain.append(shown(written))
        chain.append(shown(out))
        rule = "bias entry 1, then θ" if hidden else "output activation"
        if k is not None and written != out:
            rule += f", rounded to {k} decimals"
        b.equal(*chain, rule=rule)
    residual = sp.MatAdd(trace.x[-1], sp.MatMul(-1, y))
    e = sp.ImmutableMatrix([[trace.e]])
    b.equal(
        shown(lab.e(), e),
        shown(SquaredNorm(sp.MatAdd(lab.x(net.depth), sp.MatMul(-1, lab.y()))), e),
        shown(SquaredNorm(residual)),
        shown(trace.e, e),
        rule="squared error",
    )
    return b.build()


def backward_derivation(
    net: Network,
    trace: Trace,
    y: sp.MatrixBase,
    title: str,
    *,
    tilde: bool = False,
    intro: tuple[Segment, ...] | None = None,
) -> Derivation:
    """δ⁽ᴸ⁾, then δ⁽ˡ⁾ from δ⁽ˡ⁺¹⁾ (without the bias row), each with the numbers substituted."""
    lab = Labels(net, tilde=tilde)
    b = DerivationBuilder(title, intro=intro)
    L = net.depth
    d = trace.delta[L - 1]
    residual = sp.MatMul(2, sp.MatAdd(trace.x[-1], sp.MatMul(-1, y)))
    b.equal(
        shown(lab.delta(L), d),
        shown(
            Hadamard(
                sp.MatMul(2, sp.MatAdd(lab.x(L), sp.MatMul(-1, lab.y()))),
                theta_prime(net.activations[-1], lab.s(L)),
            ),
            d,
        ),
        shown(Hadamard(residual, trace.derivative[L - 1])),
        shown(d),
        rule="output layer",
    )
    for layer in range(L - 1, 0, -1):
        d = trace.delta[layer - 1]
        wbar = net.weights[layer][1:, :]
        b.equal(
            shown(lab.delta(layer), d),
            shown(
                Hadamard(
                    theta_prime(net.activations[layer - 1], lab.s(layer)),
                    sp.MatMul(lab.W(layer + 1, bar=True), lab.delta(layer + 1)),
                ),
                d,
            ),
            shown(Hadamard(trace.derivative[layer - 1], sp.MatMul(wbar, trace.delta_used[layer]))),
            shown(d),
            rule="backpropagate (bias row dropped)",
        )
    return b.build()


def gradient_derivation(
    net: Network, trace: Trace, title: str, *, tilde: bool = False
) -> Derivation:
    """∂e/∂W⁽ˡ⁾ = x⁽ˡ⁻¹⁾ (δ⁽ˡ⁾)ᵀ with the numbers substituted."""
    lab = Labels(net, tilde=tilde)
    b = DerivationBuilder(title)
    for layer in range(1, net.depth + 1):
        g = trace.grads[layer - 1]
        b.equal(
            shown(lab.grad(layer), g),
            shown(sp.MatMul(lab.x(layer - 1), sp.Transpose(lab.delta(layer))), g),
            shown(sp.MatMul(trace.x[layer - 1], sp.Transpose(trace.delta_used[layer - 1]))),
            shown(g),
            rule="outer product",
        )
    return b.build()


def average_derivation(
    net: Network, traces: list[Trace], grads: list[sp.ImmutableMatrix], title: str
) -> Derivation:
    """∂e/∂W⁽ˡ⁾ = (1/N) Σ_n ∂e_n/∂W⁽ˡ⁾ over the data points."""
    lab = Labels(net)
    b = DerivationBuilder(title)
    n = len(traces)
    for layer in range(1, net.depth + 1):
        terms = sp.MatAdd(*[t.grads[layer - 1] for t in traces], evaluate=False)
        b.equal(
            shown(lab.grad(layer), grads[layer - 1]),
            shown(sp.MatMul(sp.Rational(1, n), terms)),
            shown(grads[layer - 1]),
            rule=f"average over the {n} data points",
        )
    return b.build()
