"""JSON renderer: answers as plain values, and the whole sheet as data."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from fractions import Fraction
from typing import Any

import numpy as np
import sympy as sp

from symhw.conv.exact import Product
from symhw.conv.symbols import BackwardKernels, SymbolicConvMatrix
from symhw.derivation import Answer, Derivation, Solution, decade
from symhw.render import Frame
from symhw.render.expr import latex, text
from symhw.render.summary import verification_summary


def to_json_value(value: Any) -> Any:
    """Integers stay integers, other numbers become floats, matrices lists of rows,
    tuples lists, and symbolic values strings. A NumPy array becomes nested lists in its
    shape (a vector one list), each entry converted: a float array gives floats throughout.
    A :class:`~fractions.Fraction`, an exact ratio JSON has no number for, is written as
    its text, and so is a :class:`~decimal.Decimal` (a parameter as a file wrote it).
    A kind's own types (a conv layer's A, its backward kernels, a numeric result)
    go through their converter in ``_CONVERTERS``.

    >>> to_json_value(sp.Matrix([[1, sp.Rational(1, 2)]])), to_json_value(sp.tanh(sp.Symbol("s")))
    ([[1, 0.5]], 'tanh(s)')
    >>> to_json_value(np.array([1.0, 2.5])), to_json_value(np.array([1, sp.Symbol("x")], object))
    ([1.0, 2.5], [1, 'x'])
    >>> to_json_value(Fraction(17, 18)), to_json_value(Fraction(4))
    ('17/18', '4')
    """
    convert = _CONVERTERS.get(type(value))
    if convert is not None:
        return convert(value)
    if isinstance(value, np.ndarray):
        return [to_json_value(v) for v in value]
    if isinstance(value, np.generic):
        return to_json_value(value.item())
    if isinstance(value, bool | int | str) or value is None:
        return value
    if isinstance(value, Fraction):
        return str(value)
    if isinstance(value, Decimal):  # a number as a file wrote it (0.10): its text
        return format(value, "f")
    if isinstance(value, float):
        return value
    if isinstance(value, sp.MatrixBase):
        return [[to_json_value(v) for v in value.row(i)] for i in range(value.rows)]
    if isinstance(value, tuple | list | sp.Tuple):
        return [to_json_value(v) for v in value]
    if isinstance(value, dict):  # keys as text: a symbol as its name
        return {
            text(k) if isinstance(k, sp.Basic) else str(k): to_json_value(v)
            for k, v in value.items()
        }
    if isinstance(value, sp.Integer):
        return int(value)
    if isinstance(value, sp.Basic) and value.is_number and value.is_finite and value.is_real:
        return float(value)
    return text(value)


def answer_json(answer: Answer) -> Any:
    """An answer's JSON value: its data, or else its value, converted."""
    return to_json_value(answer.data if answer.data is not None else answer.value)


def answers_json(sol: Solution) -> dict[str, Any]:
    """``{answer name: JSON value}`` of a solution."""
    return {a.name: answer_json(a) for a in sol.answers}


def answers_document(solutions: list[Solution]) -> str:
    """``{problem id: {answer name: value}}`` as indented JSON."""
    return dump_answers({s.problem_id: answers_json(s) for s in solutions})


def dump_answers(by_problem: dict[str, dict[str, Any]]) -> str:
    """Answers already converted by :func:`answers`, keyed by problem id, as indented JSON
    (also a check report's data: :func:`indented`)."""
    return indented(by_problem) + "\n"


class Members:
    """A JSON object whose members are made as they are written, from ``(key, value)``
    pairs (string keys, plain data): with :func:`dumped_pieces`, a large object is never
    held whole (a class set's manifest reads each variant's record when its turn comes)."""

    def __init__(self, pairs: Iterable[tuple[str, Any]]) -> None:
        self.pairs = pairs


def dumped_pieces(data: Any) -> Iterator[bytes]:
    """``dump_answers(data).encode()`` in pieces, made as they are written: a
    :class:`Members` object among ``data``'s values (or theirs) one member at a time.

    >>> data = {"n": 2, "v": Members(iter([("a", [1]), ("b", {})])), "w": Members(())}
    >>> pieces = list(dumped_pieces(data)); print(b"".join(pieces).decode(), len(pieces))
    {
      "n": 2,
      "v": {
        "a": [
          1
        ],
        "b": {}
      },
      "w": {}
    }
     12
    """
    for piece in _pieces(data, "\n"):
        yield piece.encode()
    yield b"\n"


def _pieces(o: Any, newline: str) -> Iterator[str]:
    """``o``'s JSON as :func:`indented` writes it, its inner lines starting with
    ``newline`` plus two spaces; in pieces down to each :class:`Members` member."""
    if _streamed(o):
        inner, opening = newline + "  ", "{"
        for key, value in o.pairs if isinstance(o, Members) else o.items():
            if type(key) is not str:
                raise TypeError(f"a JSON object's key must be a string, not {key!r}")
            yield opening + inner + _ESCAPED(key) + ": "
            yield from _pieces(value, inner)
            opening = ","
        yield "{}" if opening == "{" else newline + "}"
        return
    out: list[str] = []
    try:
        _encode(o, out.append, newline)
    except _Unusual:  # as indented does: json.dumps's text, indented to its place
        out = [json.dumps(o, indent=2).replace("\n", newline)]
    yield "".join(out)


def _streamed(o: Any) -> bool:
    return isinstance(o, Members) or (type(o) is dict and any(_streamed(v) for v in o.values()))


class _Unusual(Exception):
    """A value :func:`indented` leaves to :func:`json.dumps`."""


def indented(data: Any) -> str:
    """``json.dumps(data, indent=2)``, the same text, in about half the time: with an
    indent, :mod:`json` encodes through Python generators, a chunk at a time (a 200-file
    ``symhw check`` spent a tenth of its time there). Plain data only (dicts with string
    keys, lists, tuples, strings, finite floats, ints, booleans, None); anything else
    (NaN, a number key, another type) is encoded by :func:`json.dumps` itself.

    >>> print(indented({"a": [1, 2.5, None], "b": {}, "c": "σ"}))
    {
      "a": [
        1,
        2.5,
        null
      ],
      "b": {},
      "c": "\\u03c3"
    }
    """
    out: list[str] = []
    try:
        _encode(data, out.append, "\n")
    except _Unusual:
        return json.dumps(data, indent=2)
    return "".join(out)


_ESCAPED = json.encoder.encode_basestring_ascii  # C: a string's JSON, non-ASCII as \\uXXXX
_INFINITE = (math.inf, -math.inf)


def _encode(o: Any, put: Callable[[str], object], newline: str) -> None:
    """Put ``o``'s JSON, its inner lines starting with ``newline`` plus two spaces."""
    kind = type(o)
    if isinstance(o, str):
        put(_ESCAPED(o))
    elif o is None or o is True or o is False:
        put("null" if o is None else "true" if o else "false")
    elif kind is int:
        put(int.__repr__(o))
    elif kind is float and o == o and o not in _INFINITE:
        put(float.__repr__(o))
    elif kind is dict and o:
        inner, opening = newline + "  ", "{"
        for key, value in o.items():
            if type(key) is not str:
                raise _Unusual
            put(opening + inner + _ESCAPED(key) + ": ")
            _encode(value, put, inner)
            opening = ","
        put(newline + "}")
    elif (kind is list or kind is tuple) and o:
        inner, opening = newline + "  ", "["
        for value in o:
            put(opening + inner)
            _encode(value, put, inner)
            opening = ","
        put(newline + "]")
    elif kind is dict or kind is list or kind is tuple:
        put("{}" if kind is dict else "[]")
    else:
        raise _Unusual


def solution_data(sol: Solution) -> dict[str, Any]:
    steps = [
        {
            "derivation": p.title,
            "latex": [latex(e) for e in s.chain],
            "rule": s.rule,
            "status": s.check.status,
            "method": s.check.method,
            "instance": s.check.instance,
        }
        for p in sol.parts
        if isinstance(p, Derivation)
        for s in p.steps
    ]
    return {
        "id": sol.problem_id,
        "kind": sol.kind,
        "title": sol.title,
        "answers": answers_json(sol),
        "answers_latex": {a.name: latex(a.value) for a in sol.answers},
        "verification": {
            "summary": verification_summary(sol),
            "counts": sol.summary(),
            # Errors as the power of ten above them and tolerances to 2 digits: their last
            # bits depend on the BLAS and CPU, and the file must not.
            "numeric_checks": [
                {
                    "description": c.description,
                    "confirmed": c.confirmed,
                    "max_error_within": float(decade(c.max_error)) if c.confirmed else None,
                    "tolerance": float(f"{c.tolerance:.2g}"),
                }
                for c in sol.numeric_checks
            ],
        },
        "steps": steps,
    }


def solution_section(sol: Solution) -> str:
    """One problem's part of the sheet, as JSON text indented for its place in the document.

    Sections travel from worker processes as text: a large problem's data as Python objects
    takes several times the memory of its text.
    """
    text = json.dumps(solution_data(sol), indent=2, ensure_ascii=False)
    return "\n".join(_SECTION_INDENT + line for line in text.split("\n"))


def solution_pieces(sol: Solution, detail: str = "full", figure_dir: str = "") -> tuple[str]:
    """The section as the one piece of a JSON document: the same at every detail level, and
    with no figures (``figure_dir`` is not used)."""
    return (solution_section(sol),)


_SECTION_INDENT = " " * 4  # inside the document's object and its "problems" list


def document(title: str, solutions: list[Solution]) -> str:
    """The whole sheet as JSON: answers, LaTeX of every step, and how each was verified.

    >>> json.loads(document("T", []))
    {'title': 'T', 'problems': []}
    """
    return assemble(title, [solution_section(s) for s in solutions])


def assemble(title: str, sections: list[str]) -> str:
    """The document around sections made by :func:`solution_section`: for one section or
    more, the same text as ``json.dumps({"title": ..., "problems": [...]}, indent=2)``."""
    return frame(title).join(sections)


def frame(title: str, detail: str = "full") -> Frame:
    """What goes around the sections: the title, and the list that holds them (the same at
    every detail level)."""
    head = json.dumps({"title": title}, indent=2, ensure_ascii=False)[:-2]  # no closing brace
    return Frame(head + ',\n  "problems": [\n', ",\n", "\n  ]\n}\n")


# conv-matrix: A and Aᵀ, and the backward kernels, by their weights' names; numeric results.

#: The most entries A, Aᵀ or the table of backward kernels may have to be written out, name by
#: name (2^20 made 120 MB of JSON for 1024 -> 1024 channels); past it, their sizes.
JSON_ENTRIES = 1 << 16


def conv_matrix_json(a: SymbolicConvMatrix) -> list[list[str]] | dict[str, Any]:
    """Rows of weight names and ``"0"``; only the sizes past :data:`JSON_ENTRIES` entries.

    >>> from symhw.conv import ConvIndexMap, conv_geometry
    >>> conv_matrix_json(SymbolicConvMatrix(ConvIndexMap(conv_geometry(1, 1, 3, 2))).T)
    [['w_1^11', '0'], ['w_2^11', 'w_1^11'], ['0', 'w_2^11']]
    """
    rows, cols = a.shape
    if rows * cols > JSON_ENTRIES:
        nnz = a.index_map.nnz
        return {"rows": rows, "columns": cols, "nonzeros": nnz, "entries": "omitted"}
    table = np.full((rows, cols), "0", dtype=object)
    r, c, w = a.index_map.triplets(a.transposed)
    table[r, c] = a.symbols.weight_names(w)
    return table.tolist()


def backward_kernels_json(kernels: BackwardKernels) -> list | dict[str, Any]:
    """Every v^ij by input channel i then output channel j, as the names of the weights of A
    (``"0"`` across groups); only the shape past :data:`JSON_ENTRIES` entries."""
    if math.prod(kernels.shape) > JSON_ENTRIES:
        return {"shape": list(kernels.shape), "entries": "omitted"}
    index = kernels.indices()
    table = np.full(kernels.shape, "0", dtype=object)
    inside = index >= 0
    table[inside] = kernels.symbols.weight_names(index[inside])
    return table.tolist()


def product_json(p: Product) -> list:
    """A numeric result as nested lists: whole numbers as ints, the rest as floats.

    >>> product_json(Product(np.array([3, 4], dtype=object), True, denominator=2))
    [1.5, 2]
    """
    if not p.exact:
        return p.values.tolist()
    d = p.denominator
    flat = [int(n) // d if int(n) % d == 0 else int(n) / d for n in p.values.flat]
    return np.array(flat, dtype=object).reshape(p.shape).tolist()


#: Converters of the values that are neither SymPy nor plain Python, by type.
_CONVERTERS: dict[type, Callable[[Any], Any]] = {
    SymbolicConvMatrix: conv_matrix_json,
    BackwardKernels: backward_kernels_json,
    Product: product_json,
}
