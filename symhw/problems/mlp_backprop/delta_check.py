"""Each δ⁽ˡ⁾ checked against ∂e/∂s⁽ˡ⁾ from differentiating e directly, as an identity."""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp

from symhw import dag
from symhw.builder import DerivationBuilder
from symhw.derivation import Derivation, Segment
from symhw.mlp import Network, delta_two_ways, quantity_symbol
from symhw.notation import GradientEntry, layer_symbol
from symhw.problems.mlp_backprop.labels import Labels, vector_symbols
from symhw.problems.mlp_backprop.nodes import shown

#: Expressions longer than this many operations are not written out in the δ check.
SHORT = 24

INTRO_CHECK = (
    "Write e as a function of the pre-activations ",
    layer_symbol("s", "l"),
    " of one layer (through the layers after it, for any target y) and differentiate it "
    "directly: it agrees with the ",
    layer_symbol("delta", "l"),
    " of the backward recursion as a function of them and of y, not only at the numbers "
    "above (each step says how that was checked).",
)


def _short(expr: sp.Basic) -> bool:
    """At most :data:`SHORT` operations (counted only when the tree is small: ``count_ops``
    walks the tree, which for e through eight layers has millions of nodes)."""
    return dag.tree_size(expr, 4 * SHORT + 4) <= 4 * SHORT + 4 and sp.count_ops(expr) <= SHORT


def delta_check_derivation(
    net: Network,
    title: str,
    sigma: Callable[[int], sp.ImmutableMatrix],
    pairs: Callable[[int], tuple[sp.ImmutableMatrix, sp.ImmutableMatrix, sp.Expr]],
    intro: tuple[Segment, ...],
) -> Derivation:
    """δ⁽ˡ⁾ = ∂e/∂s⁽ˡ⁾ for every layer, as identities in the pre-activations s⁽ˡ⁾.

    ``pairs(l)`` gives δ⁽ˡ⁾ from the recursion, ∂e/∂s⁽ˡ⁾ by differentiating e directly, and
    e itself, all as functions of the symbols ``sigma(l)``.
    """
    labels = Labels(net)
    b = DerivationBuilder(title, intro=intro)
    for layer in range(1, net.depth + 1):
        recursion, direct, e = pairs(layer)
        if _short(e):
            rule = f"e through layers {layer} to {net.depth}"
            b.equal(shown(labels.e(), sp.ImmutableMatrix([[e]])), shown(e), rule=rule)
        partials = shown(sp.Matrix([GradientEntry(labels.e(), v) for v in sigma(layer)]), direct)
        short = all(_short(v) for v in (*recursion, *direct))
        chain = [shown(recursion), partials, shown(direct)] if short else [partials]
        rule = (
            "recursion, then e differentiated directly"
            if short
            else "recursion and e differentiated directly agree (too long to show)"
        )
        b.equal(shown(labels.delta(layer), recursion), *chain, rule=rule)
    return b.build()


def delta_check(net: Network) -> Derivation:
    """δ⁽ˡ⁾ = ∂e/∂s⁽ˡ⁾ at every layer, as an identity in s⁽ˡ⁾ and y."""
    ys = vector_symbols("y", net.widths[-1])

    def sigma(layer: int) -> sp.ImmutableMatrix:
        units = range(1, net.widths[layer] + 1)
        return sp.ImmutableMatrix([quantity_symbol("s", layer, j) for j in units])

    return delta_check_derivation(
        net,
        "Each δ is the derivative of e",
        sigma,
        lambda layer: delta_two_ways(net, layer, sigma(layer), ys),
        intro=INTRO_CHECK,
    )
