"""Every name on a conv-matrix sheet is a plain name in SymPy's grammar (w_1^11, x_12, A^T):
no LaTeX braces in any symbol of any answer, step, table, figure or paragraph, and the
indices SymPy reads back from a name are the ones it was made from."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
import sympy as sp
from sympy.printing.conventions import split_super_sub

from symhw.conv import conv_geometry
from symhw.conv.symbols import ConvSymbols
from symhw.derivation import Answer, Derivation, Figure, Paragraph, Solution, Table
from symhw.notation import GradientEntry
from symhw.problems.conv_matrix import Params, solve
from symhw.spec import load_problem_set


def names(obj: object) -> Iterator[str]:
    """The name of every symbol (and matrix symbol) anywhere in a sheet's parts."""
    if isinstance(obj, Solution):
        yield from names((obj.statement, obj.parts, obj.answers))
    elif isinstance(obj, Answer):
        yield from names((obj.label, obj.value))
    elif isinstance(obj, Derivation):
        yield from names((obj.intro, [s.chain for s in obj.steps]))
    elif isinstance(obj, Table):
        yield from names((obj.intro, obj.header, obj.rows))
    elif isinstance(obj, Figure):
        yield from names(obj.caption)
    elif isinstance(obj, Paragraph):
        yield from names(obj.segments)
    elif isinstance(obj, tuple | list):
        for item in obj:
            yield from names(item)
    elif isinstance(obj, np.ndarray):
        yield from names(obj.tolist())
    elif isinstance(obj, sp.Basic):
        for s in obj.atoms(sp.Symbol, sp.MatrixSymbol):
            yield str(s.name)
            if isinstance(s, GradientEntry):
                yield from names((s.of, s.wrt))
    else:
        assert obj is None or isinstance(obj, str), type(obj)


def hw2_q5() -> Solution:
    spec = next(p for p in load_problem_set().problems if p.id == "q5")
    return solve(spec.params, spec.id, spec.title)


LAYERS = {
    "hw2 q5": hw2_q5,
    "2-D, groups, given numbers": lambda: solve(
        Params(
            dims=2,
            in_channels=2,
            out_channels=2,
            height=3,
            width=3,
            kernel=2,
            padding=1,
            groups=2,
            weights=[[[[1, 2], [3, 4]]], [[[5, 6], [7, 8]]]],
            x=[[[1, 0, 1], [0, 1, 0], [1, 1, 1]], [[2, 0, 0], [0, 2, 0], [0, 0, 2]]],
        )
    ),
    "2-D, large (corners, commas)": lambda: solve(
        Params(dims=2, in_channels=12, out_channels=3, height=9, width=10, kernel=[3, 2])
    ),
}


@pytest.mark.parametrize("make", LAYERS.values(), ids=LAYERS.keys())
def test_no_symbol_name_has_latex_braces(make):
    sol = make()
    found = set(names(sol))
    assert {"A", "Y", "x"} <= found and any(n.startswith("w_") for n in found)
    assert [n for n in found if "{" in n or "}" in n] == []


@pytest.mark.parametrize(
    ("geometry", "tap", "channels", "position"),
    [
        (conv_geometry(2, 2, 4, 3), (2,), (0, 1), (3,)),
        (conv_geometry(12, 3, 10, 2), (1,), (11, 2), (9,)),
        (conv_geometry(2, 3, (4, 5), (3, 2)), (2, 1), (1, 2), (3, 4)),
    ],
)
def test_split_super_sub_reads_back_the_indices(geometry, tap, channels, position):
    """The indices are data: SymPy's own parser recovers them from the names."""
    s = ConvSymbols(geometry)
    i, j = channels
    letter, sup, sub = split_super_sub(s.weight(j, i % geometry.in_per_group, tap).name)
    assert (letter, read(sub), read(sup)) == ("w", [k + 1 for k in tap], [i + 1, j + 1])
    letter, sup, sub = split_super_sub(s.x(i, position).name)
    assert (letter, read(sub), sup) == ("x", [i + 1, *(p + 1 for p in position)], [])


def read(index: list[str]) -> list[int]:
    """One index of a name: numbers with commas, or single digits side by side."""
    (text,) = index
    return [int(v) for v in (text.split(",") if "," in text else text)]
