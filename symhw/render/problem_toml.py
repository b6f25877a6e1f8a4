"""A problem set as a TOML file: the tables a problem-set file holds (id, kind, title and
the parameters, as a file gives them), written back so that loading the text gives the
same set. A class set writes each variant's set this way (``problems.toml``): only the
parameters, never an answer."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any


def problem_set_toml(name: str, title: str, tables: list[dict[str, Any]], note: str = "") -> str:
    """The TOML text of a problem set: ``name``, ``title`` and a ``[[problems]]`` table per
    entry of ``tables`` (keys in their order), after ``note`` as comment lines.

    >>> print(problem_set_toml("s", "T", [{"id": "q", "kind": "k", "x": Decimal("0.10")}]))
    name = "s"
    title = "T"
    <BLANKLINE>
    [[problems]]
    id = "q"
    kind = "k"
    x = 0.10
    <BLANKLINE>
    """
    out = [f"# {line}".rstrip() for line in note.splitlines()]
    out += [f"name = {toml_value(name)}", f"title = {toml_value(title)}"]
    for table in tables:
        out += ["", "[[problems]]"]
        out += [f"{_key(k)} = {toml_value(v)}" for k, v in table.items()]
    return "\n".join(out) + "\n"


def toml_value(value: Any) -> str:
    """One value as TOML writes it inline: a Decimal with the digits it has (0.10 stays
    0.10), lists, inline tables, strings as JSON quotes them (a TOML basic string).

    >>> toml_value([Decimal("-1.0"), 2, {"kind": "basic", "channels": 16}, True])
    '[-1.0, 2, { kind = "basic", channels = 16 }, true]'
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        return format(value, "f")  # a whole number without a point: read the same
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        if not value:
            return "{}"
        return "{ " + ", ".join(f"{_key(k)} = {toml_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"no TOML form for {type(value).__name__}")


def _key(name: str) -> str:
    """A TOML key: bare where it can be, else quoted."""
    bare = name.replace("_", "").replace("-", "").isalnum() and name.isascii()
    return name if bare else json.dumps(name)
