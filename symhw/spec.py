"""Problem-set files (TOML): safe loading and validation.

A problem set has a ``title``, an optional ``name`` (the stem of the output files) and a
list of ``[[problems]]``, each with an ``id``, a ``kind`` and that kind's parameters. Values
are parsed by :mod:`symhw.params`; no text from the file is ever evaluated.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from symhw.errors import InputError
from symhw.params import Where, build_params, text
from symhw.problems import KINDS

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
BUILTIN = "hw2"


@dataclass(frozen=True)
class ProblemSpec:
    id: str
    kind: str
    title: str | None
    params: Any


@dataclass(frozen=True)
class ProblemSet:
    name: str
    title: str
    problems: tuple[ProblemSpec, ...]


def _check_name(value: object, problem: str | None, field: str) -> str:
    if not isinstance(value, str) or not _NAME.fullmatch(value):
        raise InputError(
            f"{value!r} is not a valid name: use letters, digits, '_', '-' or '.' "
            "(at most 64 characters, starting with a letter or digit)",
            problem=problem,
            field=field,
        )
    return value


def parse_problem_set(data: dict[str, Any], default_name: str) -> ProblemSet:
    """Validate a parsed TOML document into a :class:`ProblemSet`."""
    unknown = sorted(set(data) - {"title", "name", "problems"})
    if unknown:
        raise InputError(
            "unknown top-level key; allowed keys are title, name, problems", field=unknown[0]
        )
    title = text(data.get("title", "Solutions"), Where(None, "title"))
    name = _check_name(data.get("name", default_name), None, "name")
    tables = data.get("problems")
    if not isinstance(tables, list) or not tables or not all(isinstance(t, dict) for t in tables):
        raise InputError("add at least one [[problems]] table with id and kind", field="problems")
    problems, seen = [], set()
    for i, table in enumerate(tables, start=1):
        if "id" not in table:
            raise InputError('missing; add `id = "q1"` (a short name)', problem=f"#{i}", field="id")
        pid = _check_name(table["id"], f"#{i}", "id")
        if pid in seen:
            raise InputError("duplicate id; every problem needs its own", problem=pid, field="id")
        seen.add(pid)
        kind = table.get("kind")
        if kind not in KINDS:
            raise InputError(
                f"unknown kind {kind!r}; choose one of {', '.join(KINDS)} (see `symhw list`)"
                if kind is not None
                else f"missing; add `kind = ...`, one of {', '.join(KINDS)}",
                problem=pid,
                field="kind",
            )
        heading = text(table["title"], Where(pid, "title")) if "title" in table else None
        rest = {k: v for k, v in table.items() if k not in ("id", "kind", "title")}
        params = build_params(KINDS[kind].params, rest, pid)
        KINDS[kind].validate(params, pid)
        problems.append(ProblemSpec(pid, kind, heading, params))
    return ProblemSet(name, title, tuple(problems))


def load_problem_set(path: str | Path | None = None) -> ProblemSet:
    """Load a problem-set file, or the built-in HW2 set when ``path`` is None."""
    if path is None:
        text = resources.files("symhw.data").joinpath(f"{BUILTIN}.toml").read_text("utf-8")
        return parse_problem_set(tomllib.loads(text), BUILTIN)
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as e:
        raise InputError(f"cannot read problem set {str(p)!r}: {e.strerror}") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise InputError(f"{str(p)!r} is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as e:
        raise InputError(f"{str(p)!r} is not valid TOML: {e}") from None
    # The file's stem as a valid name (the name field says how): "_draft v2" -> "draft_v2"
    stem = re.sub(r"[^A-Za-z0-9_.-]", "_", p.stem).lstrip("_.-")[:64] or "sheet"
    return parse_problem_set(data, stem)
