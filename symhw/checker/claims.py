"""Claims files (TOML): what someone wrote for a problem set, read safely into data.

A claims file names a problem set (``problem_set = "hw2"``, the built-in one, or a path
relative to the claims file) and has one table per problem id. A claim is either a key of
that table (short form, ``delta2 = -1.368``) or a ``[[q2.claims]]`` table (long form: name,
label, value, steps, let, vars, source, note), and both forms may share a table::

    problem_set = "hw2"
    [q2]
    delta1 = [-0.875, 1.736]
    [[q2.claims]]
    name = "delta2"
    label = '\\delta^2'
    steps = ['\\delta^2 = (1 - 0.9^2)(2)(-3.6)', '= -1.368']

A value is a number, a string, an array of them (a vector) or an array of arrays (a matrix,
rectangular). Numbers keep the digits written: ``0.60`` is 3/5 claimed to 2 decimals.
Strings are kept exactly as written for :mod:`symhw.checker.parse`: nothing here evaluates,
sympifies or parses the text of a claim (a string that is a plain number, such as
``"0.60"`` or ``"1/3"``, is read as that number, exactly). Every error is one
:class:`~symhw.errors.InputError` naming the field (``q2.claims[3].value``, ``q5.A``; long-form
claims are counted from 1) and the fix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from symhw.checker.written import (  # noqa: F401  (Number, MAX_*: claims' names too)
    MAX_CLAIMS,
    MAX_ENTRIES,
    MAX_ITEMS,
    MAX_STRING,
    Number,
    Scalar,
    Value,
    line_of,
    math_of,
    renamings_of,
    strings_of,
    text_of,
    value_of,
)
from symhw.errors import InputError, quote
from symhw.fields import (
    BUILTIN,
    MAX_PROBLEMS,
    SEQUENCE,
    Where,
    check_keys,
    sheet_text,
    short_name,
)
from symhw.tomlfile import parse_toml, read_text

if TYPE_CHECKING:
    from symhw.spec import ProblemSet

#: The built-in claims file: the handwritten HW2 sheet, transcribed (symhw/data/).
BUILTIN_CLAIMS = "hw2-handwritten"
METADATA = ("problem_set", "title", "source")
CLAIM_KEYS = ("name", "label", "value", "steps", "let", "vars", "source", "note")
#: A long-form table's key in a problem table: ``[[q2.claims]]``.
LONG_FORM = "claims"


@dataclass(frozen=True)
class ProblemSetRef:
    """The problem set a claims file names: the built-in one (``path`` None) or a file,
    its path made absolute against the claims file's folder. Not loaded here; claims given
    from Python may come with a set loaded already (``loaded``, named by ``written``)."""

    written: str
    path: Path | None
    loaded: ProblemSet | None = None

    @property
    def builtin(self) -> bool:
        return self.path is None and self.loaded is None


#: A claim name: an answer or quantity name, then optionally a 1-based entry, ``A[4, 8]``.
NAME = re.compile(
    r"([A-Za-z][A-Za-z0-9_/]{0,63})(?:\[([1-9][0-9]{0,5}(?: ?, ?[1-9][0-9]{0,5}){0,2})\])?"
)


@dataclass(frozen=True)
class Claim:
    """One claim, as written. ``index`` is its place in the file (0-based, over all
    problems), ``field`` where it is (``q2.claims[3]``, ``q5.A``); ``name`` is None for a
    standalone statement (``steps`` only); ``vars`` renames the writer's variables
    (writer's, answer's)."""

    problem: str
    index: int
    field: str
    name: str | None
    value: Value | None
    label: str | None = None
    steps: tuple[str, ...] = ()
    let: tuple[str, ...] = ()
    vars: tuple[tuple[str, str], ...] = ()
    source: str | None = None
    note: str | None = None

    @property
    def quantity(self) -> str | None:
        """The answer or quantity claimed: the name without its entry."""
        return None if self.name is None else NAME.fullmatch(self.name).group(1)

    @property
    def entry(self) -> tuple[int, ...]:
        """The 1-based entry the name picks (``basic_layers_bias[2]`` → (2,)), else ()."""
        found = None if self.name is None else NAME.fullmatch(self.name).group(2)
        return tuple(int(i) for i in found.split(",")) if found else ()

    @property
    def decimals(self) -> int | tuple | None:
        """The decimals of each number of the value, in the value's shape (None: exact, or
        text)."""
        return _decimals(self.value)


def _decimals(value: object) -> int | tuple | None:
    if isinstance(value, Number):
        return value.decimals
    if isinstance(value, tuple):
        return tuple(_decimals(v) for v in value)
    return None


@dataclass(frozen=True)
class ClaimsFile:
    problem_set: ProblemSetRef
    title: str | None
    source: str | None
    claims: tuple[Claim, ...]

    @property
    def problems(self) -> tuple[str, ...]:
        """The problem ids with claims, in file order."""
        return tuple(dict.fromkeys(c.problem for c in self.claims))

    def of(self, problem: str) -> tuple[Claim, ...]:
        """The claims on one problem, in file order."""
        return tuple(c for c in self.claims if c.problem == problem)


def read_claims(path: str | Path, against: Path | None = None) -> ClaimsFile:
    """Read a claims file: a regular UTF-8 file of at most 4 MiB, then
    :func:`claims_from_data`; anything wrong is one InputError."""
    p = Path(path)
    return claims_from_text(read_text(p, "claims"), p, against)


def claims_from_text(
    text: str, where: str | Path = "claims.toml", against: Path | None = None
) -> ClaimsFile:
    r"""The claims in TOML ``text``, as if read from the file ``where``: checked against the
    problem set the file names, or the problem-set file ``against`` whatever it names (a
    student's submission, graded against their variant: then a file of no claims is one
    that answers nothing).

    >>> f = claims_from_text('problem_set = "hw2"\n[q2]\ndelta2 = -1.368\nx1 = [1, "0.60"]')
    >>> [(c.field, c.value) for c in f.claims][0]
    ('q2.delta2', Number(exact=Fraction(-171, 125), decimals=3, written='-1.368'))
    >>> f.claims[1].decimals
    (None, 2)
    """
    try:
        data = parse_toml(text, str(where), "claims")
    except InputError as e:
        if not _placeholder_left(text):
            raise
        raise InputError(f"{e}; each _ of the claims template is a number to write") from None
    return claims_from_data(data, where, against)


#: A claims template's number placeholder: a _ standing alone (``delta1 = [_, _]``).
_PLACEHOLDER = re.compile(r"(?<![\w.])_(?![\w.])")


def _placeholder_left(text: str) -> bool:
    """Whether a line not commented out has a template's placeholder after its ``=`` (in
    time linear in the text: a hostile file may be 4 MiB of one line)."""
    for line in text.splitlines():
        value = line.split("#", 1)[0].partition("=")[2]
        if _PLACEHOLDER.search(value):
            return True
    return False


def builtin_claims() -> ClaimsFile:
    """The handwritten HW2 solution's claims, transcribed as written, slips included
    (``symhw/data/hw2-handwritten.toml``)."""
    data = resources.files("symhw.data").joinpath(f"{BUILTIN_CLAIMS}.toml")
    return claims_from_text(data.read_text("utf-8"), f"{BUILTIN_CLAIMS}.toml")


def claims_from_data(
    data: dict[str, Any], where: str | Path, against: Path | None = None
) -> ClaimsFile:
    """Validate a parsed claims document; ``where`` is the file it came from (a relative
    ``problem_set`` path is taken from its folder), ``against`` as in
    :func:`claims_from_text`."""
    if not isinstance(data, dict):
        raise InputError(f"expected a TOML document (a table), got {quote(data)}")
    problems = _problem_tables(data)
    _count_claims(problems, none_allowed=against is not None)
    if against is not None:
        ref = ProblemSetRef(against.name, against.absolute())
    else:
        ref = _problem_set(data.get("problem_set"), Path(where).absolute().parent)
    title = sheet_text(data["title"], Where(None, "title")) if "title" in data else None
    source = line_of(data["source"], Where(None, "source")) if "source" in data else None
    claims: list[Claim] = []
    for problem, table in problems.items():
        claims.extend(_problem_claims(problem, table, len(claims)))
    return ClaimsFile(ref, title, source, tuple(claims))


def _problem_tables(data: dict) -> dict[str, dict]:
    """The problem tables of the document that hold claims, each id checked (an empty one
    is a problem not answered yet, as a claims template leaves it); anything else at the
    top level but the metadata is refused."""
    count = sum(isinstance(v, dict) for k, v in data.items() if k not in METADATA)
    if count > MAX_PROBLEMS:
        raise InputError(f"{count} problems; a claims file has at most {MAX_PROBLEMS}: split it")
    problems = {}
    for key, value in data.items():
        if key in METADATA:
            continue
        if not isinstance(value, dict):
            raise InputError(
                f"unknown top-level key; the top level has {', '.join(METADATA)} and one table "
                "per problem id ([q1] with name = value lines, or [[q1.claims]] tables)",
                field=key if isinstance(key, str) else quote(key),
            )
        field = key if isinstance(key, str) else quote(key)
        short_name(key, Where(None, field, "a problem id"))
        if value:  # an empty table: a problem not answered yet (a template's)
            problems[key] = value
    return problems


def _count_claims(problems: dict[str, dict], none_allowed: bool = False) -> None:
    """Refuse a file of too many claims (or none, unless ``none_allowed``) before any is
    read."""
    count = 0
    for table in problems.values():
        for key, value in table.items():
            many = key == LONG_FORM and isinstance(value, SEQUENCE)
            count += len(value) if many else 1
    if count > MAX_CLAIMS:
        raise InputError(
            f"{count:,} claims; a claims file has at most {MAX_CLAIMS:,}: split it into several"
        )
    if not count and not none_allowed:
        raise InputError(
            "no claims (an answer commented out with # is not one); add a table per "
            "problem, e.g. [q1] with `name = value` lines"
        )


def _problem_set(value: object, base: Path) -> ProblemSetRef:
    where = Where(None, "problem_set")
    if value is None:
        raise where.error(
            f'missing; add problem_set = "{BUILTIN}" (the built-in set) or the path of a '
            "problem-set file, relative to this file"
        )
    text = text_of(value, where, "a path")
    return ProblemSetRef(text, None if text == BUILTIN else base / text)


def _problem_claims(problem: str, table: dict, start: int) -> list[Claim]:
    """The claims of one problem table, short and long form, in file order."""
    claims: list[Claim] = []
    for key, value in table.items():
        if key != LONG_FORM:
            claims.append(_short_claim(problem, key, value, start + len(claims)))
            continue
        if not isinstance(value, SEQUENCE):
            raise InputError(
                f"`{LONG_FORM}` is kept for the long form: write [[{problem}.{LONG_FORM}]] "
                "tables (name, value, ...)",
                field=f"{problem}.{LONG_FORM}",
            )
        for i, item in enumerate(value, start=1):
            field = f"{problem}.{LONG_FORM}[{i}]"
            claims.append(_long_claim(problem, item, start + len(claims), field))
    return claims


def _short_claim(problem: str, key: object, value: object, index: int) -> Claim:
    field = f"{problem}.{key}" if isinstance(key, str) else f"{problem}.{quote(key)}"
    where = Where(None, field)
    name = _name(key, where)
    if isinstance(value, dict):
        raise where.error(
            "a short-form claim is `name = value` (a number, a string, a vector or a "
            f"matrix); for a label, steps or a note write a [[{problem}.{LONG_FORM}]] table"
        )
    return Claim(problem, index, field, name, value_of(value, where))


def _long_claim(problem: str, table: object, index: int, field: str) -> Claim:
    where = Where(None, field)
    if not isinstance(table, dict):
        raise where.error(
            f"expected a table [[{problem}.{LONG_FORM}]] with {', '.join(CLAIM_KEYS)}, got "
            f"{quote(table)}"
        )
    check_keys(table, CLAIM_KEYS, where)
    if "value" not in table and "steps" not in table:
        raise where.error("give the claimed `value`, or its `steps`, or both")
    if "name" not in table and ("value" in table or "label" in table):
        raise where.error(
            "a claim without a name is a statement, checked by its steps alone: add "
            'name = "..." (the answer it claims) or leave out value and label'
        )

    def at(key: str) -> Where:
        return Where(None, f"{field}.{key}")

    def get(key: str, read: Any) -> Any:
        return read(table[key], at(key)) if key in table else None

    return Claim(
        problem,
        index,
        field,
        name=get("name", _name),
        value=get("value", value_of),
        label=get("label", math_of),
        steps=get("steps", strings_of) or (),
        let=get("let", strings_of) or (),
        vars=get("vars", renamings_of) or (),
        source=get("source", line_of),
        note=get("note", line_of),
    )


def python_claim(
    problem: str, name: object, value: object = None, label: object = None, steps: object = None
) -> Claim:
    """One claim given from Python (a solved problem's ``check``), each argument read as
    the same key of a claims file is; an error names the argument (``value``,
    ``steps[2]``).

    >>> python_claim("q2", "delta2", -1.368).value
    Number(exact=Fraction(-171, 125), decimals=3, written='-1.368')
    >>> python_claim("q2", "delta2", 0.1 + 0.2).value.written  # computed: 12 digits kept
    '0.300000000000'
    """
    name = _name(name, Where(None, "name"))
    if value is None and steps is None:
        raise InputError("give the claimed value (or the steps that derive it)", field="value")
    return Claim(
        problem,
        0,
        f"{problem}.{name}",
        name,
        value=None if value is None else value_of(value, Where(None, "value")),
        label=None if label is None else math_of(label, Where(None, "label")),
        steps=() if steps is None else strings_of(steps, Where(None, "steps")),
    )


def _name(value: object, where: Where) -> str:
    if not isinstance(value, str) or not NAME.fullmatch(value):
        raise where.error(
            f"{quote(value)} is not a claim name: an answer or quantity name (letters, "
            "digits, '_', '/'; at most 64 characters, starting with a letter), optionally "
            "with a 1-based entry, e.g. basic_layers_bias[2] or A[4, 8]"
        )
    return value
