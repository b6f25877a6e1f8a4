"""Problem-set files (TOML): safe loading and validation.

A problem set has a ``title``, an optional ``name`` (the stem of the output files) and a
list of ``[[problems]]``, each with an ``id``, a ``kind`` and that kind's parameters. Values
are parsed by :mod:`symhw.params`; no text from the file is ever evaluated.
"""

from __future__ import annotations

import os
import re
import stat
import tomllib
from dataclasses import dataclass
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

from symhw.errors import InputError, quote
from symhw.params import Where, build_params, sheet_text, short_name
from symhw.problems import KINDS
from symhw.scoring import Scoring, parse_scoring
from symhw.variants import Vary, draw, parse_vary

BUILTIN = "hw2"
#: The largest problem-set file read (numeric tensors included), and its most problems.
MAX_FILE_BYTES = 4 << 20
MAX_PROBLEMS = 50


def read_regular_file(path: Path, limit: int, what: str) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes; anything else (a directory,
    a FIFO that would block, /dev/zero that never ends, a huge file) is an InputError."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as e:
        raise InputError(f"cannot read {what} {quote(str(path))}: {e.strerror}") from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise InputError(f"{quote(str(path))} is not a regular file; give a {what} file")
        data = os.read(fd, limit + 1)  # a regular file gives all it has, up to the limit
    finally:
        os.close(fd)
    if len(data) > limit:
        raise InputError(
            f"{quote(str(path))} is over {limit >> 20} MiB; a {what} file is at most that"
        )
    return data


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
        vary = parse_vary(table["vary"], kind, rest, pid) if "vary" in table else None
        problems.append(ProblemSpec(pid, kind, heading, params, vary))
    ids = [p.id for p in problems]
    scoring = parse_scoring(data["grading"], ids) if "grading" in data else None
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
    drawn = draw(problem.vary, problem.id, seed, variant_id)
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
        drawn = draw(p.vary, p.id, seed, variant_id)
        problems.append(ProblemSpec(p.id, p.kind, p.title, drawn.params))
        tables.append(drawn.table)
    return ProblemSet(problem_set.name, problem_set.title, tuple(problems)), tuple(tables)


#: Strings and comments, to be skipped when keys are looked at (multi-line ones included).
_STRINGS = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*+"""|\'\'\'.*?\'\'\'|"(?:[^"\\\n]|\\.)*+"|\'[^\'\n]*+\'|#[^\n]*+',
    re.S,
)
#: The most parts a dotted key or a table name may have; a problem file needs three.
MAX_KEY_PARTS = 32
_DOTTED = re.compile(rf"(?<![\w-])(?:[\w-]++\s*+\.\s*+){{{MAX_KEY_PARTS}}}[\w-]")


def _check_dotted_keys(text: str, shown: str, what: str) -> None:
    """Refuse keys of many parts before tomllib sees them: it takes time quadratic in the
    parts (a 40 kB key of 20,000 parts: 7 s)."""
    if _DOTTED.search(_STRINGS.sub("s", text)):
        raise InputError(
            f"{quote(shown)} has a dotted key or table name of more than {MAX_KEY_PARTS} "
            f"parts; a {what} file needs at most three"
        )


def parse_toml(text: str, shown: str, what: str) -> dict[str, Any]:
    """A TOML document (the text of ``shown``, a ``what`` file) as a dict, decimals as
    written (1e-400 is not 0); whatever tomllib would choke on or fail at is one
    InputError naming the file.

    >>> parse_toml("x = 0.60", "f.toml", "claims")
    {'x': Decimal('0.60')}
    >>> parse_toml("x = 1e99999999999999999999", "f.toml", "claims")
    Traceback (most recent call last):
    ...
    symhw.errors.InputError: 'f.toml' has a number symhw cannot read: an exponent too large ...
    """
    _check_dotted_keys(text, shown, what)
    try:
        data = tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as e:
        raise InputError(f"{quote(shown)} is not valid TOML: {e}") from None
    except ValueError as e:  # an integer of over 4,300 digits (Python's conversion limit)
        raise InputError(f"{quote(shown)} has a number symhw cannot read: {e}") from None
    except ArithmeticError:  # decimal.InvalidOperation: an exponent Decimal cannot hold
        raise InputError(
            f"{quote(shown)} has a number symhw cannot read: an exponent too large "
            "(such as 1e99999999999999999999)"
        ) from None
    except RecursionError:  # tomllib recurses once per nesting level
        data = None
    if data is None or _depth(data) > MAX_NESTING:
        raise InputError(
            f"{quote(shown)} nests arrays or tables too deeply for a {what} file "
            f"(more than {MAX_NESTING} inside one another)"
        )
    return data


#: The most arrays and tables a TOML document may hold inside one another (a problem file
#: needs four: problems, a problem, a matrix and its rows). A limit of its own, not
#: tomllib's RecursionError alone: the recursion limit is the process's (torch and
#: hypothesis raise it), so the same file would be refused in one process and read in another.
MAX_NESTING = 32


def _depth(data: dict[str, Any]) -> int:
    """How many arrays and tables lie inside one another in ``data``, the document
    counted as none (walked without recursion).

    >>> _depth({"a": 1}), _depth({"a": [1, [2]]}), _depth({"t": {"m": [[1]]}})
    (0, 2, 3)
    """
    deepest, stack = 0, [(data, 0)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        children = node.values() if isinstance(node, dict) else node
        stack.extend((c, depth + 1) for c in children if isinstance(c, dict | list))
    return deepest


def read_toml(path: Path, what: str) -> dict[str, Any]:
    """The TOML document in the regular file ``path``, read by :func:`parse_toml`."""
    return parse_toml(read_text(path, what), str(path), what)


def read_text(path: Path, what: str) -> str:
    """The text of the regular file ``path`` (at most :data:`MAX_FILE_BYTES`, UTF-8, a
    byte-order mark allowed)."""
    return decoded(read_regular_file(path, MAX_FILE_BYTES, what), path)


def decoded(raw: bytes, path: Path) -> str:
    """The bytes of the file ``path`` as UTF-8 text, a byte-order mark allowed."""
    try:
        return raw.decode("utf-8-sig")  # a byte-order mark is not an error
    except UnicodeDecodeError:
        raise InputError(f"{quote(str(path))} is not UTF-8 text") from None


def file_stem(path: Path) -> str:
    """A problem-set file's stem as a valid name, the set's name where the file gives none
    (the name field says how): "_draft v2" -> "draft_v2"."""
    return re.sub(r"[^A-Za-z0-9_.-]", "_", path.stem).lstrip("_.-")[:64] or "sheet"


def load_problem_set(path: str | Path | None = None) -> ProblemSet:
    """Load a problem-set file, or the built-in HW2 set when ``path`` is None."""
    if path is None:
        text = resources.files("symhw.data").joinpath(f"{BUILTIN}.toml").read_text("utf-8")
        return parse_problem_set(tomllib.loads(text, parse_float=Decimal), BUILTIN)
    p = Path(path)
    return parse_problem_set(read_toml(p, "problem set"), file_stem(p))
