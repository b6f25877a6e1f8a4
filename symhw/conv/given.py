"""Numbers given for a conv-matrix problem (weights, x, ∂L/∂Y): parsed exactly, counted first."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np
import sympy as sp

from symhw.conv.limits import MAX_NUMBERS
from symhw.errors import InputError, quote
from symhw.fields import SEQUENCE, Where
from symhw.params import parse_number

#: The deepest tensor a layer takes: 2-D weights [out][in / groups][height][width].
MAX_DEPTH = 4

LAYOUTS = {
    "weights": "[out_channels][in_channels / groups][kernel taps]",
    "x": "[in_channels][input positions]",
    "grad_y": "[out_channels][output positions]",
}


def _shape(value: Any) -> tuple[int, ...]:
    return (len(value), *_shape(value[0])) if isinstance(value, tuple | list) and value else ()


def _too_many(value: list, limit: int) -> bool:
    """Whether nested lists hold more than ``limit`` numbers. It stops past the limit, and
    past 5 × ``limit`` lists and numbers together (a tensor at most 4 deep has no more), so
    a list that holds itself or the same list many times (from Python) is refused at once
    instead of walked forever."""
    numbers = visited = 0
    stack = [value]
    while stack:
        v = stack.pop()
        visited += 1
        if isinstance(v, SEQUENCE):
            stack.extend(v)
        else:
            numbers += 1
        if numbers > limit or visited > 5 * limit:
            return True
    return False


def _too_many_numbers(where: Where) -> InputError:
    return where.error(
        f"has more than {MAX_NUMBERS:,} numbers; symhw reads at most {MAX_NUMBERS:,} per "
        "tensor (each is parsed and multiplied exactly): give a smaller layer"
    )


def parse_tensor(value: object, where: Where) -> tuple:
    """Nested lists of exact numbers (at most :data:`MAX_DEPTH` deep), checked to be
    rectangular and counted (at most :data:`~symhw.conv.limits.MAX_NUMBERS`) before any is
    parsed. From Python, tuples and NumPy arrays too.

    >>> parse_tensor([[0.5, 1], [2, "1/3"]], Where(None, "x"))
    ((1/2, 1), (2, 1/3))
    """
    if isinstance(value, np.ndarray):
        if value.size > MAX_NUMBERS:
            raise _too_many_numbers(where)
        value = value.tolist()
    if not isinstance(value, SEQUENCE):
        raise where.error(
            f"expected nested lists of numbers such as [[0.5, 1.0]], got {quote(value)}"
        )
    if _too_many(value, MAX_NUMBERS):
        raise _too_many_numbers(where)

    def walk(v: object, depth: int) -> Any:
        if not isinstance(v, SEQUENCE):
            return parse_number(v, where)
        if not v:
            raise where.error("contains an empty list")
        if depth == MAX_DEPTH:
            raise where.error(f"lists are nested more than {MAX_DEPTH} deep; no tensor is")
        items = tuple(walk(u, depth + 1) for u in v)
        shapes = sorted({_shape(u) for u in items})
        if len(shapes) > 1:
            found = " and ".join("".join(f"[{n}]" for n in s) or "a number" for s in shapes)
            raise where.error(f"is ragged: its entries have shapes {found}")
        return items

    return walk(value, 0)


def exact_tensor(value: Any, shape: tuple[int, ...], field: str, problem: str | None) -> np.ndarray:
    """A given tensor as SymPy rationals, or an InputError naming the field and both shapes."""
    try:
        arr = np.array(value, dtype=object)
    except ValueError:
        arr = None
    if arr is None or arr.shape != shape:
        found = "ragged" if arr is None else "".join(f"[{n}]" for n in arr.shape) or "a number"
        raise InputError(
            f"has shape {found} but this layer needs {''.join(f'[{n}]' for n in shape)} "
            f"({LAYOUTS[field]})",
            problem=problem,
            field=field,
        )
    where = Where(problem, field)
    out = np.empty(shape, dtype=object)
    for idx, v in np.ndenumerate(arr):
        out[idx] = (
            v
            if isinstance(v, sp.Rational)
            else parse_number(v.item() if isinstance(v, np.generic) else v, where)
        )
    return out


def rational(values: np.ndarray) -> np.ndarray:
    """Exact numbers (SymPy rationals, Fractions or ints) as SymPy rationals, same shape."""
    out = np.empty(values.shape, dtype=object)
    for idx, v in np.ndenumerate(values):
        if isinstance(v, sp.Rational):
            out[idx] = v
        else:
            f = Fraction(v)
            out[idx] = sp.Rational(f.numerator, f.denominator)
    return out
