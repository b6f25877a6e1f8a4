"""Problem-set files (TOML): safe loading and validation.

A problem set has a ``title``, an optional ``name`` (the stem of the output files) and a
list of ``[[problems]]``, each with an ``id``, a ``kind`` and that kind's parameters. Values
are parsed by :mod:`symhw.params`; no text from the file is ever evaluated.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from symhw.errors import InputError, quote
from symhw.fields import BUILTIN, MAX_PROBLEMS, Where, sheet_text, short_name
from symhw.params import build_params
from symhw.problems import KINDS
from symhw.tomlfile import parse_toml, read_toml

if TYPE_CHECKING:  # imported where a file has a vary or grading table: most sheets have none
    from symhw.scoring import Scoring
    from symhw.variants import Vary


@dataclass(frozen=True)
class ProblemSpec:
    id: str
    kind: str
    title: str | None
    params: Any
    #: What varies from student to student (the problem's ``vary`` table), or None.
    vary: Vary | None = None


@dataclass(frozen=True)
class ProblemSet:
    name: str
    title: str
    problems: tuple[ProblemSpec, ...]
    #: How a class is graded on it (the file's ``[grading]`` table), or None.
    scoring: Scoring | None = None


def parse_problem_set(data: dict[str, Any], default_name: str) -> ProblemSet:
    """Validate a parsed TOML document into a :class:`ProblemSet`."""
    unknown = sorted(set(data) - {"title", "name", "problems", "grading"})
    if unknown:
        raise InputError(
            "unknown top-level key; allowed keys are title, name, problems, grading",
            field=unknown[0],
        )
    tables = data.get("problems")
    if not isinstance(tables, list) or not tables or not all(isinstance(t, dict) for t in tables):
        raise InputError("add at least one [[problems]] table with id and kind", field="problems")
    if len(tables) > MAX_PROBLEMS:
        raise InputError(
            f"{len(tables)} problems; a set has at most {MAX_PROBLEMS}: split it into several "
            "files",
            field="problems",
        )
    title = sheet_text(data.get("title", "Solutions"), Where(None, "title"))
    name = short_name(data.get("name", default_name), Where(None, "name"))
    problems, seen = [], set()
    for i, table in enumerate(tables, start=1):
        if "id" not in table:
            raise InputError('missing; add `id = "q1"` (a short name)', problem=f"#{i}", field="id")
        pid = short_name(table["id"], Where(f"#{i}", "id"))
        if pid in seen:
            raise InputError("duplicate id; every problem needs its own", problem=pid, field="id")
        seen.add(pid)
        kind = table.get("kind")
        if not isinstance(kind, str) or kind not in KINDS:
            raise InputError(
                f"unknown kind {quote(kind)}; choose one of {', '.join(KINDS)} (see `symhw list`)"
                if kind is not None
                else f"missing; add `kind = ...`, one of {', '.join(KINDS)}",
                problem=pid,
                field="kind",
            )
        heading = sheet_text(table["title"], Where(pid, "title")) if "title" in table else None
        rest = {k: v for k, v in table.items() if k not in ("id", "kind", "title", "vary")}
        params = build_params(KINDS[kind].params, rest, pid)  # each field, and all together
        vary = _vary(table["vary"], kind, rest, pid) if "vary" in table else None
        problems.append(ProblemSpec(pid, kind, heading, params, vary))
    ids = [p.id for p in problems]
    scoring = _scoring(data["grading"], ids) if "grading" in data else None
    return ProblemSet(name, title, tuple(problems), scoring)


def draw_variant(problem: ProblemSpec, seed: int, variant_id: int | str) -> ProblemSpec:
    """Variant ``variant_id`` of a problem under ``seed``: its own parameters, drawn as its
    ``vary`` table says, the same whatever else is drawn and on every machine (a problem
    that varies nothing is its own variant).

    >>> table = {"id": "q", "kind": "mlp-backprop", "weights": [[0.5, 1]], "x": 2, "y": 1,
    ...          "vary": {"x": {"range": [1, 9]}}}
    >>> q = parse_problem_set({"problems": [table]}, "s").problems[0]
    >>> [draw_variant(q, 7, student).params.x for student in ("ann", "bob", "ann")]
    [((5,),), ((8,),), ((5,),)]
    """
    if problem.vary is None:
        return problem
    drawn = _draw(problem.vary, problem.id, seed, variant_id)
    return ProblemSpec(problem.id, problem.kind, problem.title, drawn.params)


def draw_problem_set(problem_set: ProblemSet, seed: int, variant_id: int | str) -> ProblemSet:
    """Variant ``variant_id`` of every problem in a set (see :func:`draw_variant`)."""
    problems = tuple(draw_variant(p, seed, variant_id) for p in problem_set.problems)
    return ProblemSet(problem_set.name, problem_set.title, problems)


def drawn_tables(
    problem_set: ProblemSet, seed: int, variant_id: int | str
) -> tuple[ProblemSet, tuple[dict[str, Any] | None, ...]]:
    """:func:`draw_problem_set`, with each varied problem's drawn parameters as a problem
    file's table gives them (None for a problem that varies nothing): what a class set
    writes into a variant's problem-set file and its manifest."""
    problems, tables = [], []
    for p in problem_set.problems:
        if p.vary is None:
            problems.append(p)
            tables.append(None)
            continue
        drawn = _draw(p.vary, p.id, seed, variant_id)
        problems.append(ProblemSpec(p.id, p.kind, p.title, drawn.params))
        tables.append(drawn.table)
    return ProblemSet(problem_set.name, problem_set.title, tuple(problems)), tuple(tables)


def file_stem(path: Path) -> str:
    """A problem-set file's stem as a valid name, the set's name where the file gives none
    (the name field says how): "_draft v2" -> "draft_v2"."""
    return re.sub(r"[^A-Za-z0-9_.-]", "_", path.stem).lstrip("_.-")[:64] or "sheet"


def load_problem_set(path: str | Path | None = None) -> ProblemSet:
    """Load a problem-set file, or the built-in HW2 set when ``path`` is None."""
    if path is None:
        text = resources.files("symhw.data").joinpath(f"{BUILTIN}.toml").read_text("utf-8")
        return parse_problem_set(parse_toml(text, f"{BUILTIN}.toml", "problem set"), BUILTIN)
    p = Path(path)
    return parse_problem_set(read_toml(p, "problem set"), file_stem(p))


# What varies and how a class is graded are read where a file has those tables: a sheet of
# a file without them never imports symhw.variants and symhw.scoring (0.014 s).


def _vary(table: object, kind: str, rest: dict[str, Any], pid: str) -> Vary:
    from symhw.variants import parse_vary

    return parse_vary(table, kind, rest, pid)


def _scoring(table: object, ids: list[str]) -> Scoring:
    from symhw.scoring import parse_scoring

    return parse_scoring(table, ids)


def _draw(vary: Vary, pid: str, seed: int, variant_id: int | str) -> Any:
    from symhw.variants import draw

    return draw(vary, pid, seed, variant_id)
