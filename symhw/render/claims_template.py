"""A claims template (TOML) from :func:`symhw.checker.template.template_data`: every answer
of a problem set as a commented-out line saying what it is and the form its value takes,
for a student to fill in and check with ``symhw check``. No answer is in it."""

from __future__ import annotations

import json
from typing import Any

#: Placeholders: ``_`` a number (not TOML: a line uncommented and not filled in is an
#: error naming it, never a 0 that gets checked), ``"..."`` text.
_NUMBER, _EXPR = "_", '"..."'


def claims_template(data: dict[str, Any]) -> str:
    """The template's text: a header saying how to fill it in, ``problem_set``, then a
    table per problem with a commented line per answer."""
    out = [
        f"# Claims on {_line(data['name'])}: {_line(data['title'])}",
        "# Fill in your answers, then check them:  symhw check THIS-FILE.toml",
        '# Remove the "# " before an answer and write your value after "=" (each _ a number',
        "# to write): numbers with the digits you computed (0.60 claims two decimals),",
        '# vectors [a, b], matrices [[a, b], [c, d]], shapes as text ("AxB"), expressions as',
        "# text in plain math (\"1 - tanh(s)^2\") or LaTeX ('\\frac{1}{2}'). A derivation:",
        "# [[q.claims]] tables with name and steps (see the README). Lines left commented out",
        "# are not checked.",
        f"problem_set = {json.dumps(data['problem_set'], ensure_ascii=False)}",
    ]
    for problem in data["problems"]:
        out += ["", f"[{_key(problem['id'])}]", f"# {_line(problem['title'])}"]
        out += [_answer(a) for a in problem["answers"]]
    return "\n".join(out) + "\n"


def _answer(a: dict[str, Any]) -> str:
    label = f"{_line(a['label'])}: " if a["label"] and a["label"] != a["name"] else ""
    value, words = _form(a)
    return f"# {_key(a['name'])} = {value}  # {label}{words}"


def _form(a: dict[str, Any]) -> tuple[str, str]:
    """A placeholder of the answer's form, and the form in words."""
    size, numeric = a["size"], a["numeric"]
    entry = _NUMBER if numeric else '""'
    what = "numbers" if numeric else "expressions (text)"
    if a["form"] in ("integer", "number"):  # which one is part of the answer: not said
        return _NUMBER, "a number"
    if a["form"] == "integers":
        return "[" + ", ".join([_NUMBER] * size[0]) + "]", f"a list of {size[0]} numbers"
    if a["form"] == "vector":
        return "[" + ", ".join([entry] * size[0]) + "]", f"a vector of {size[0]} {what}"
    if a["form"] == "matrix" and not size:
        return _EXPR, "a matrix of expressions (LaTeX bmatrix, or rows [[a, b], [c, d]])"
    if a["form"] == "matrix":
        rows, cols = size
        row = "[" + ", ".join([entry] * cols) + "]"
        shown = "[" + ", ".join([row] * rows) + "]" if rows * cols <= 16 else _EXPR
        return shown, f"a {rows} × {cols} matrix of numbers (rows, or LaTeX bmatrix)"
    if a["form"] == "shape":
        return _EXPR, 'a shape, as text ("AxBxC")'
    return _EXPR, "an expression, as text (plain math or LaTeX)"


def _line(text: str) -> str:
    """Text for a comment: one line."""
    return " ".join(str(text).split())


def _key(name: str) -> str:
    """A TOML key: bare where it can be, else quoted (dL/dx_13)."""
    bare = name.replace("_", "").replace("-", "").isalnum() and name.isascii()
    return name if bare else json.dumps(name)
