"""A hand computation that carries someone's own values forward: where they wrote s⁽ˡ⁾, x⁽ˡ⁾
or δ⁽ˡ⁾, the later steps use what they wrote (right or wrong), so that an error carried from
an earlier line can be told from a new one (``symhw check``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import sympy as sp

from symhw.activations import Activation
from symhw.mlp import Column, Rounded


@dataclass(frozen=True)
class Claimed(Rounded):
    """:class:`~symhw.mlp.Rounded`, except that the values in ``claimed`` replace the
    computed ones: ``claimed[("s", l)]``, ``("x", l)`` (the outputs θ(s⁽ˡ⁾), with or without
    the bias entry 1 in front) and ``("delta", l)``, each a column of exact numbers.

    >>> from symhw.mlp import Network, backprop
    >>> net = Network((sp.ImmutableMatrix([0, 2]),), ("identity",))
    >>> x, y = sp.ImmutableMatrix([3]), sp.ImmutableMatrix([1])
    >>> backprop(net, x, y, Claimed(2, {("delta", 1): sp.ImmutableMatrix([7])})).grads[0].T
    Matrix([[7, 21]])
    """

    claimed: Mapping[tuple[str, int], Column] = field(default_factory=dict)

    def _written(self, letter: str, layer: int, like: Column) -> Column | None:
        """What was written for ``letter`` at ``layer``, checked to fit the computed column."""
        written = self.claimed.get((letter, layer))
        if written is None:
            return None
        if letter == "x" and len(written) == len(like) + 1:  # with its bias entry: [1; θ(s)]
            written = sp.ImmutableMatrix(list(written)[1:])
        if not isinstance(written, sp.MatrixBase) or written.shape != like.shape:
            raise ValueError(
                f"{letter}{layer} written with shape {getattr(written, 'shape', None)}; "
                f"the network's is {like.shape}"
            )
        return written

    def pre_activation(self, layer: int, s: Column, point: int | None) -> Column:
        written = self._written("s", layer, s)
        return super().pre_activation(layer, s, point) if written is None else written

    def output(self, act: Activation, s: Column, layer: int = 0) -> Column:
        written = self._written("x", layer, s)
        return super().output(act, s, layer) if written is None else written

    def delta(self, layer: int, delta: Column, point: int | None) -> Column:
        written = self._written("delta", layer, delta)
        return delta if written is None else written
