"""Matrices too large for a sheet, shown by their corners: the middle elided with ⋮, ⋯, ⋱."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import sympy as sp

from symhw.conv.symbols import SymbolicConvMatrix
from symhw.notation import Dots

#: A kernel is written out in full up to this many taps per axis; else its corners.
SHOWN_TAPS = 8


def _kept(n: int, head: int, tail: int) -> list[int | None]:
    """Indices shown along one axis; None marks the ellipsis between head and tail."""
    if n <= head + tail + 1:
        return list(range(n))
    return [*range(head), None, *range(n - tail, n)]


def shown_part(
    entry: Callable[[int, int], sp.Expr], rows: int, cols: int, head: int = 3, tail: int = 1
) -> sp.ImmutableMatrix:
    """A matrix given by ``entry(r, c)`` with its middle rows and columns elided (⋮, ⋯, ⋱)."""
    kept_r, kept_c = _kept(rows, head, tail), _kept(cols, head + 2, tail + 1)

    def cell(r: int | None, c: int | None) -> sp.Expr:
        if r is None:
            return Dots("⋱") if c is None else Dots("⋮")
        return Dots("⋯") if c is None else entry(r, c)

    return sp.ImmutableMatrix([[cell(r, c) for c in kept_c] for r in kept_r])


def corners(a: SymbolicConvMatrix, head: int = 3, tail: int = 1) -> sp.ImmutableMatrix:
    """The corners of A (or Aᵀ), the rest replaced by ellipses."""
    return shown_part(a.entry, *a.shape, head=head, tail=tail)


def shown_kernel(kernel: np.ndarray) -> sp.ImmutableMatrix:
    """A kernel as a matrix (1-D: one row), its middle elided past SHOWN_TAPS per axis."""
    k = kernel.reshape(-1, kernel.shape[-1])
    if max(k.shape) <= SHOWN_TAPS:
        return sp.ImmutableMatrix(k.tolist())
    return shown_part(lambda r, c: k[int(r), int(c)], *k.shape)
