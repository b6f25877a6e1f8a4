"""The quantities of an mlp-backprop problem a person may write down besides its answers:
the given weights W⁽ˡ⁾ (a hand solution copies them before using them)."""

from __future__ import annotations

import re

from symhw.derivation import Quantities, Quantity
from symhw.mlp import Network
from symhw.problems.mlp_backprop.labels import Labels

_WEIGHTS = re.compile(r"W([1-9][0-9]{0,2})")


def network_quantities(net: Network) -> Quantities:
    """W1 … WL of ``net``, by name.

    >>> import sympy as sp
    >>> net = Network((sp.ImmutableMatrix([[1], [2]]),), ("identity",))
    >>> q = network_quantities(net)
    >>> q.find("W1").value.T, q.find("W2"), q.families
    (Matrix([[1, 2]]), None, ('W1, the given weights of layer 1',))
    """
    labels = Labels(net)

    def find(name: object) -> Quantity | None:
        match = _WEIGHTS.fullmatch(name) if isinstance(name, str) else None
        layer = int(match.group(1)) if match else 0
        if not 1 <= layer <= net.depth:
            return None
        return Quantity(name, labels.W(layer), net.weights[layer - 1])

    if net.depth == 1:
        return Quantities(("W1, the given weights of layer 1",), find)
    return Quantities((f"W1 … W{net.depth}, the given weights of layers 1 … {net.depth}",), find)
