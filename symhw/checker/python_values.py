"""Claims given from Python (``symhw.check``, a solved problem's ``check``): NumPy and SymPy
values made into the data a claims file holds, before :mod:`symhw.checker.claims` reads
them. Numbers only: a SymPy expression is refused (its text is what symhw reads, with its
own grammar), and nothing here evaluates or sympifies anything."""

from __future__ import annotations

import numbers
from decimal import Decimal
from fractions import Fraction

import numpy as np
import sympy as sp

from symhw.checker.written import FLOAT_NOISE, MAX_ENTRIES, float_decimal
from symhw.errors import InputError, quote
from symhw.fields import SEQUENCE, Where
from symhw.params import as_sequence

#: How deep a claims document nests (document, problem, claims, claim, value, row, entry);
#: anything deeper is left as it is, for the claims reader to refuse by its field.
MAX_DEPTH = 8


def from_python(value: object, field: str = "", depth: int = 0) -> object:
    """``value`` with NumPy and SymPy numbers, arrays and matrices as a claims file's
    (int, Fraction, float, Decimal, lists); dicts and lists walked, ``field`` naming where
    (for an error). Anything else is kept, for the claims reader to refuse by its field.

    >>> from_python({"q2": {"delta1": np.array([-0.875, 1.736]), "n": np.int64(3)}})
    {'q2': {'delta1': [-0.875, 1.736], 'n': 3}}
    >>> from_python(np.array([0.60431, 2.5], dtype=np.float32)), from_python(sp.Rational(1, 3))
    ([Decimal('0.604'), Decimal('2.5')], Fraction(1, 3))
    """
    if depth > MAX_DEPTH:
        return value
    if isinstance(value, np.ndarray):
        if value.size > MAX_ENTRIES:
            raise InputError(
                f"an array of {value.size:,} entries; a vector or matrix has at most "
                f"{MAX_ENTRIES:,}",
                field=field or "value",
            )
        value = value[()] if value.ndim == 0 else list(value)  # NumPy numbers (float32) kept
    value = as_sequence(value)  # a SymPy matrix as lists
    if isinstance(value, dict) and len(value) <= MAX_ENTRIES:
        return {k: from_python(v, _inside(field, k), depth + 1) for k, v in value.items()}
    if isinstance(value, SEQUENCE) and len(value) <= MAX_ENTRIES:
        return [from_python(v, f"{field}[{i}]", depth + 1) for i, v in enumerate(value, 1)]
    return _number(value, field)


def _inside(field: str, key: object) -> str:
    shown = key if isinstance(key, str) else quote(key)
    return f"{field}.{shown}" if field else shown


def _number(value: object, field: str) -> object:
    """One number from Python as a TOML file gives it; anything else as it is."""
    if isinstance(value, bool | str | Decimal | Fraction) or type(value) is int:
        return value
    if isinstance(value, float):  # NumPy's float64 too
        return float(value)
    if isinstance(value, numbers.Integral):  # NumPy's and SymPy's integers
        return int(value)
    if isinstance(value, np.floating):  # float32: the digits of its own precision
        kept = np.finfo(value.dtype).precision - FLOAT_NOISE
        return float_decimal(value, max(kept, 1), Where(None, field or "value"))
    if isinstance(value, numbers.Rational):  # SymPy's Rational: exact
        return Fraction(int(value.numerator), int(value.denominator))
    if isinstance(value, sp.Float):  # its float's digits
        return float(value)
    if isinstance(value, sp.Basic):
        raise InputError(
            f"{quote(value)} is a SymPy object: give it as text, str(expr) or "
            "sympy.latex(expr), which symhw reads with its own grammar",
            field=field or "value",
        )
    return value
