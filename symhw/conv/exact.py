"""Y = A x and Aᵀ ∂L/∂Y from given numbers: exact within a stated budget, else float64.

Exact rationals are put over one common denominator per tensor, so the products are sums
of integers: in int64 where the sizes of the integers and of the sums prove it cannot
overflow, else in Python integers while the work (multiply-adds times the 30-bit digits of
each factor) stays within :data:`EXACT_WORK`. Past that the result is computed in float64
by elementwise operations in a fixed order, so it is the same on every machine, and says
why. Every budget is a count, never a time.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import sympy as sp

from symhw.conv.limits import nonzeros
from symhw.conv.shape import ConvGeometry
from symhw.conv.windows import Scan, scan_correlate, scan_correlate_transpose, tap_windows

#: Multiply-adds times the 30-bit digits of each factor, over both passes (about 1 s at the
#: edge: benchmarks/limits/make_conv_numbers.py, conv-numbers-digits).
EXACT_WORK = 1 << 24
#: Sums of products of integers below 2^INT64_BITS cannot overflow int64.
INT64_BITS = 62


@dataclass(frozen=True)
class Scaled:
    """Exact rationals as integers over one denominator: values = numerators / denominator."""

    numerators: np.ndarray  # Python ints (object array)
    denominator: int

    @property
    def bits(self) -> int:
        """The bit length of the largest numerator."""
        return max((abs(int(v)).bit_length() for v in self.numerators.flat), default=0)


def scaled(values: np.ndarray, max_bits: int) -> Scaled | None:
    """``values`` (SymPy rationals) over their least common denominator, or None when that
    denominator would pass ``max_bits`` bits (the work would pass the budget anyway).

    >>> s = scaled(np.array([sp.Rational(1, 2), sp.Rational(2, 3)], dtype=object), 64)
    >>> s.numerators.tolist(), s.denominator
    ([3, 4], 6)
    """
    d = 1
    for q in {int(v.q) for v in values.flat}:
        d = d * q // math.gcd(d, q)
        if d.bit_length() > max_bits:
            return None
    nums = np.empty(values.shape, dtype=object)
    for idx, v in np.ndenumerate(values):
        nums[idx] = int(v.p) * (d // int(v.q))
    return Scaled(nums, d)


def to_float(values: np.ndarray) -> np.ndarray:
    """SymPy rationals as float64, each correctly rounded (Python's int / int is).

    >>> to_float(np.array([sp.Rational(1, 3), sp.Integer(2)], dtype=object)).tolist()
    [0.3333333333333333, 2.0]
    """
    flat = [int(v.p) / int(v.q) for v in values.flat]
    return np.array(flat, dtype=float).reshape(values.shape)


def _digits(bits: int) -> int:
    return max(1, -(-bits // 30))


@dataclass(frozen=True)
class Product:
    """A numeric result: exact (integers over one denominator) or float64, with the reason.

    >>> p = Product(np.array([3, 4], dtype=object), True, denominator=2)
    >>> p.entry((0,)), p.floats().tolist()
    (3/2, [1.5, 2.0])
    """

    values: np.ndarray  # numerators (Python ints) when exact, else float64
    exact: bool
    why_not: str = ""
    denominator: int = 1

    @property
    def shape(self) -> tuple[int, ...]:
        return self.values.shape

    def floats(self) -> np.ndarray:
        """Every entry as float64, correctly rounded."""
        if not self.exact:
            return self.values
        d = self.denominator
        return np.array([int(n) / d for n in self.values.flat]).reshape(self.shape)

    def entry(self, index: tuple[int, ...]) -> sp.Expr:
        """One entry as SymPy: an exact rational, or a float rounded for the sheet."""
        if self.exact:
            return sp.Rational(int(self.values[index]), self.denominator)
        return sp.Float(float(self.values[index]), FLOAT_DIGITS)

    def rationals(self) -> np.ndarray:
        """Every entry as a SymPy rational (exact results of small layers only)."""
        out = np.empty(self.shape, dtype=object)
        for index in np.ndindex(*self.shape):
            out[index] = self.entry(index)
        return out


#: Significant digits of a float64 result on the sheet (the JSON keeps every digit).
FLOAT_DIGITS = 6


def products(
    g: ConvGeometry,
    weights: np.ndarray,
    inputs: dict[str, np.ndarray],
    floats: dict[str, np.ndarray],
) -> dict[str, Product]:
    """``{"y": A x, "grad_x": Aᵀ ∂L/∂Y}`` for the given inputs (keys ``x``, ``grad_y``), exact
    where int64 cannot overflow or the Python-integer work of all passes fits the budget.
    ``floats`` holds every tensor (``weights`` too) in float64, for the float64 fallback."""
    macs = nonzeros(g)
    cap = 30 * max(1, EXACT_WORK // max(1, macs * len(inputs)))  # bits past which it cannot fit
    w = scaled(weights, cap)
    given = {name: scaled(values, cap) for name, values in inputs.items()}
    heavy = [  # passes in Python integers, and their work
        (name, macs * _digits(w.bits) * _digits(s.bits))
        for name, s in given.items()
        if w is not None and s is not None and not _fits_int64(g, w, s, name == "grad_y")
    ]
    work = sum(units for _, units in heavy)
    out = {}
    for name in inputs:
        transpose, key = name == "grad_y", "grad_x" if name == "grad_y" else "y"
        s = given[name]
        if w is None or s is None:
            why = (
                f"the common denominator of {'the weights' if w is None else name} has more "
                f"than {cap:,} bits: exact products over {macs:,} nonzeros of A would pass the "
                f"budget of {EXACT_WORK:,} digit multiply-adds"
            )
        elif work > EXACT_WORK and name in dict(heavy):
            why = (
                f"exact arithmetic would take {work:,} digit multiply-adds ({macs:,} "
                f"multiply-adds of {w.bits}-bit by {s.bits}-bit integers), over its budget "
                f"of {EXACT_WORK:,}"
            )
        else:
            out[key] = Product(_exact(g, w, s, transpose), True, "", w.denominator * s.denominator)
            continue
        out[key] = Product(_ordered(g, floats["weights"], floats[name], transpose), False, why)
    return out


def _fits_int64(g: ConvGeometry, w: Scaled, s: Scaled, transpose: bool) -> bool:
    terms = (g.out_per_group if transpose else g.in_per_group) * g.taps
    return w.bits + s.bits + terms.bit_length() <= INT64_BITS


def _exact(g: ConvGeometry, w: Scaled, s: Scaled, transpose: bool) -> np.ndarray:
    """The numerators of the exact product (over the product of the two denominators)."""
    a, b = w.numerators, s.numerators
    if _fits_int64(g, w, s, transpose):
        a, b = a.astype(np.int64), b.astype(np.int64)
    scan = Scan.forward(g)
    if transpose:
        return scan_correlate_transpose(a, b, scan, g.groups).astype(object)
    return scan_correlate(a, b, scan, g.groups).astype(object)


def _ordered(g: ConvGeometry, weights: np.ndarray, values: np.ndarray, transpose: bool):
    """The product in float64 by elementwise multiply and add, tap by tap and channel by
    channel: every operation is rounded as IEEE 754 says, the same on every machine."""
    w = weights.reshape(g.groups, g.out_per_group, g.in_per_group, g.taps)
    scan = Scan.forward(g)
    if transpose:
        gy = values.reshape(g.groups, g.out_per_group, *g.out_size)
        out = np.zeros((g.groups, g.in_per_group, *g.size))
        for q, t, u in tap_windows(scan):
            for jl in range(g.out_per_group):
                read = gy[(slice(None), jl, *t)]
                out[(slice(None), slice(None), *u)] += _outer(w[:, jl, :, q], read)
        return out.reshape(g.in_channels, *g.size)
    x = values.reshape(g.groups, g.in_per_group, *g.size)
    out = np.zeros((g.groups, g.out_per_group, *g.out_size))
    for q, t, u in tap_windows(scan):
        for il in range(g.in_per_group):
            read = x[(slice(None), il, *u)]
            out[(slice(None), slice(None), *t)] += _outer(w[:, :, il, q], read)
    return out.reshape(g.out_channels, *g.out_size)


def _outer(coefficients: np.ndarray, read: np.ndarray) -> np.ndarray:
    """[group][channel] coefficients times [group][positions...] values, elementwise."""
    shape = coefficients.shape + (1,) * (read.ndim - 1)
    return coefficients.reshape(shape) * read[:, None]
