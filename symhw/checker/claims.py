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

import math
import re
import sys
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from fractions import Fraction
from importlib import resources
from pathlib import Path
from typing import Any

from symhw.charset import untypesettable
from symhw.errors import InputError, quote
from symhw.params import SEQUENCE, Where, check_keys, sheet_text, short_name
from symhw.spec import BUILTIN, MAX_PROBLEMS, ProblemSet, parse_toml, read_text

#: Limits of one claims file (each refused with the field named): claims in all, characters
#: in a string, entries of a vector or matrix, steps, definitions or renamings of a claim.
MAX_CLAIMS = 2_000
MAX_STRING = 4_000
MAX_ENTRIES = 1 << 16
MAX_ITEMS = 200
#: Numbers: digits of an integer (q3's FLOP counts reach 29), significant digits of a
#: decimal, and digits of a decimal before or after its point.
MAX_INTEGER_DIGITS = 40
MAX_SIGNIFICANT = 30
MAX_PLACES = 40

#: The built-in claims file: the handwritten HW2 sheet, transcribed (symhw/data/).
BUILTIN_CLAIMS = "hw2-handwritten"
METADATA = ("problem_set", "title", "source")
CLAIM_KEYS = ("name", "label", "value", "steps", "let", "vars", "source", "note")
#: A long-form table's key in a problem table: ``[[q2.claims]]``.
LONG_FORM = "claims"


@dataclass(frozen=True)
class Number:
    """A number as written: its exact value, and the decimals it claims (digits after the
    point, ``0.60`` → 2; negative for ``1.2e3``, claimed to the hundred), None when exact
    (an integer, or a fraction ``"1/3"``). ``written`` is the text it came from: a string
    as given, a TOML number as its Decimal prints (``1.0e-3`` → ``0.0010``, same digits)."""

    exact: Fraction
    decimals: int | None
    written: str


#: A leaf of a value: a number, or text kept as written for the expression parser.
Scalar = Number | str
#: A claimed value: a scalar, a vector (tuple) or a matrix (tuple of equal-length rows).
Value = Scalar | tuple[Scalar, ...] | tuple[tuple[Scalar, ...], ...]


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


def read_claims(path: str | Path) -> ClaimsFile:
    """Read a claims file: a regular UTF-8 file of at most 4 MiB, then
    :func:`claims_from_data`; anything wrong is one InputError."""
    p = Path(path)
    return claims_from_text(read_text(p, "claims"), p)


def claims_from_text(text: str, where: str | Path = "claims.toml") -> ClaimsFile:
    r"""The claims in TOML ``text``, as if read from the file ``where``.

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
    return claims_from_data(data, where)


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


def claims_from_data(data: dict[str, Any], where: str | Path) -> ClaimsFile:
    """Validate a parsed claims document; ``where`` is the file it came from (a relative
    ``problem_set`` path is taken from its folder)."""
    if not isinstance(data, dict):
        raise InputError(f"expected a TOML document (a table), got {quote(data)}")
    problems = _problem_tables(data)
    _count_claims(problems)
    ref = _problem_set(data.get("problem_set"), Path(where).absolute().parent)
    title = sheet_text(data["title"], Where(None, "title")) if "title" in data else None
    source = _line(data["source"], Where(None, "source")) if "source" in data else None
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


def _count_claims(problems: dict[str, dict]) -> None:
    """Refuse a file of too many claims (or none) before any is read."""
    count = 0
    for table in problems.values():
        for key, value in table.items():
            many = key == LONG_FORM and isinstance(value, SEQUENCE)
            count += len(value) if many else 1
    if count > MAX_CLAIMS:
        raise InputError(
            f"{count:,} claims; a claims file has at most {MAX_CLAIMS:,}: split it into several"
        )
    if not count:
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
    text = _text(value, where, "a path")
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
    return Claim(problem, index, field, name, _value(value, where))


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
        value=get("value", _value),
        label=get("label", _math),
        steps=get("steps", _strings) or (),
        let=get("let", _strings) or (),
        vars=get("vars", _renamings) or (),
        source=get("source", _line),
        note=get("note", _line),
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
        value=None if value is None else _value(value, Where(None, "value")),
        label=None if label is None else _math(label, Where(None, "label")),
        steps=() if steps is None else _strings(steps, Where(None, "steps")),
    )


def _name(value: object, where: Where) -> str:
    if not isinstance(value, str) or not NAME.fullmatch(value):
        raise where.error(
            f"{quote(value)} is not a claim name: an answer or quantity name (letters, "
            "digits, '_', '/'; at most 64 characters, starting with a letter), optionally "
            "with a 1-based entry, e.g. basic_layers_bias[2] or A[4, 8]"
        )
    return value


# --------------------------------------------------------------------------- values


def _value(value: object, where: Where) -> Value:
    """A scalar, a vector (array) or a matrix (array of equal-length arrays)."""
    if not isinstance(value, SEQUENCE):
        return _scalar(value, where)
    if not value:
        raise where.error("an empty array: give a vector [a, b] or a matrix [[a, b], [c, d]]")
    if len(value) > MAX_ENTRIES:
        raise where.error(_too_many(len(value)))
    rows = [isinstance(v, SEQUENCE) for v in value]
    if all(rows):
        return _matrix(value, where)
    if any(rows):
        i = rows.index(not rows[0]) + 1
        kinds = ("an array", "not an array") if rows[0] else ("not an array", "an array")
        raise where.error(
            f"entry 1 is {kinds[0]} but entry {i} is {kinds[1]}: a vector has numbers or "
            "strings, a matrix has rows (arrays) only"
        )
    return tuple(_scalar(v, where.within(f"entry {i}")) for i, v in enumerate(value, 1))


def _matrix(rows: Any, where: Where) -> tuple[tuple[Scalar, ...], ...]:
    total = sum(len(r) for r in rows)
    if total > MAX_ENTRIES:
        raise where.error(_too_many(total))
    for r, row in enumerate(rows, start=1):
        if any(isinstance(v, SEQUENCE) for v in row):
            raise where.error(
                f"row {r} has an array inside: a value nests at most two arrays deep (a "
                "matrix as a list of rows)"
            )
    widths = sorted({len(r) for r in rows})
    if widths[0] == 0:
        raise where.error("a matrix row is empty: every row needs its entries")
    if len(widths) > 1:
        raise where.error(
            f"rows have different lengths {widths[:6]}: a matrix is rectangular; give every "
            "row all its entries"
        )
    return tuple(
        tuple(_scalar(v, where.within(f"row {r}, column {c}")) for c, v in enumerate(row, 1))
        for r, row in enumerate(rows, 1)
    )


def _too_many(count: int) -> str:
    return f"{count:,} entries; a vector or matrix has at most {MAX_ENTRIES:,}"


def _scalar(value: object, where: Where) -> Scalar:
    """A number (TOML integer or decimal, as written) or text (a plain number read as one)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return Number(Fraction(_integer(value, where)), None, str(value))
    if isinstance(value, float):  # from Python
        value = _float(value, where)
    if isinstance(value, Decimal):
        return _decimal(value, str(value), where)
    if isinstance(value, Fraction):
        n, d = _integer(value.numerator, where), _integer(value.denominator, where)
        return Number(value, None, str(value) if d == 1 else f"{n}/{d}")
    if isinstance(value, str):
        text = _math(value, where)
        return _number_text(text, where) or text
    raise where.error(
        "expected a number, a string, a vector [a, b] or a matrix [[a, b], [c, d]] of them, "
        f"got {quote(value)}"
    )


#: A float given from Python keeps this many significant digits fewer than a float holds
#: (``sys.float_info.dig``, 15): 12.
FLOAT_NOISE = 3


def _float(value: float, where: Where) -> Decimal:
    """A float as the shortest decimal that reads back as it (``repr``: 1.736 claims three
    decimals, and 0.60 is the float 0.6: write the text "0.60" to claim two). A float with
    more than ``sys.float_info.dig - FLOAT_NOISE`` significant digits was computed, not
    written (``math.tanh(0.7)``): its last digits are rounding noise, so it is read rounded
    to that many (0.6043677771171636 as 0.604367777117)."""
    return float_decimal(value, sys.float_info.dig - FLOAT_NOISE, where)


def float_decimal(value: float, kept: int, where: Where) -> Decimal:
    """``value`` (finite) as the shortest decimal that reads back as it in its own type
    (``str``; ``repr`` for a Python float), rounded to ``kept`` significant digits where
    it has more."""
    if not math.isfinite(value):
        raise where.error(f"expected a finite number, got {value!r}")
    d = Decimal(repr(float(value)) if isinstance(value, float) else str(value))
    if len(d.as_tuple().digits) > kept:
        d = d.quantize(Decimal(1).scaleb(d.adjusted() - kept + 1), rounding=ROUND_HALF_EVEN)
    return d


def _integer(n: int, where: Where) -> int:
    if abs(n) >= 10**MAX_INTEGER_DIGITS:
        raise where.error(
            f"{quote(n)} has more than {MAX_INTEGER_DIGITS} digits; an integer has at most that"
        )
    return n


def _decimal(d: Decimal, written: str, where: Where) -> Number:
    """A finite decimal, its decimals as written (``0.60``: 2, ``1.0e-3``: 4, ``1.2e3``: -2)."""
    if not d.is_finite():
        raise where.error(f"expected a finite number, got {quote(written)}")
    exponent, digits = d.as_tuple().exponent, len(d.as_tuple().digits)
    if digits > MAX_SIGNIFICANT:
        raise where.error(
            f"{quote(written)} has {digits} significant digits; a decimal has at most "
            f'{MAX_SIGNIFICANT} (or give the exact value as a fraction "p/q")'
        )
    if d.adjusted() >= MAX_PLACES or exponent < -MAX_PLACES:
        raise where.error(
            f"{quote(written)} has more than {MAX_PLACES} digits before or after its point; "
            "give a number of at most that many"
        )
    return Number(Fraction(d), -exponent, written)


_DECIMAL_TEXT = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_INTEGER_TEXT = re.compile(r"[+-]?[0-9]+")
_FRACTION_TEXT = re.compile(r"([+-]?[0-9]+) */ *([0-9]+)")


def _number_text(text: str, where: Where) -> Number | None:
    """The number a string is when it is a plain decimal, integer or fraction p/q (ASCII
    digits only; anything else is left to the expression parser), or None."""
    bare = text.strip()
    if _INTEGER_TEXT.fullmatch(bare):
        return Number(Fraction(_integer_text(bare, where)), None, text)
    if fraction := _FRACTION_TEXT.fullmatch(bare):
        p, q = (_integer_text(s, where) for s in fraction.groups())
        if not q:
            raise where.error(f"{quote(text)} divides by zero; give a nonzero denominator")
        return Number(Fraction(p, q), None, text)
    if _DECIMAL_TEXT.fullmatch(bare):
        try:
            d = Decimal(bare)
        except InvalidOperation:  # an exponent Decimal cannot hold
            raise where.error(f"{quote(text)} is out of range: give a smaller exponent") from None
        return _decimal(d, text, where)
    return None


def _integer_text(digits: str, where: Where) -> int:
    if len(digits.lstrip("+-")) > MAX_INTEGER_DIGITS:
        raise where.error(
            f"{quote(digits)} has more than {MAX_INTEGER_DIGITS} digits; an integer has at most "
            "that"
        )
    return int(digits)


# --------------------------------------------------------------------------- text

#: Control characters (tab, line feed and carriage return aside) and lone surrogates.
_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def _text(value: object, where: Where, what: str) -> str:
    """A string of 1 to :data:`MAX_STRING` characters, no control characters or NUL."""
    if not isinstance(value, str):
        raise where.error(f"expected {what} in quotes, got {quote(value)}")
    if len(value) > MAX_STRING:
        raise where.error(
            f"{len(value):,} characters; a string in a claims file has at most {MAX_STRING:,}"
        )
    if not value.strip():
        raise where.error(f"empty; give {what}")
    if bad := _FORBIDDEN.search(value):
        ch = bad.group()
        raise where.error(
            f"character U+{ord(ch):04X} at position {bad.start() + 1} is not allowed; use "
            "printable text (line breaks and tabs are fine)"
        )
    return value


def _math(value: object, where: Where) -> str:
    """Mathematics as written (LaTeX or plain), kept as it is for the expression parser."""
    return _text(value, where, "mathematics (LaTeX or plain, e.g. '1 - \\tanh^2(s)')")


def _line(value: object, where: Where) -> str:
    """Text shown on the feedback sheet as it is: one line the sheet can typeset."""
    text = _text(value, where, "text")
    if (bad := untypesettable(text)) is not None:
        raise where.error(
            f"character {bad!r} (U+{ord(bad):04X}) cannot be typeset on the sheet; use Latin "
            "letters, digits, punctuation and common symbols, on one line"
        )
    return text


def _strings(value: object, where: Where) -> tuple[str, ...]:
    """``steps`` or ``let``: a non-empty array of mathematics strings."""
    if not isinstance(value, SEQUENCE) or not value:
        raise where.error(
            "expected a non-empty array of strings, e.g. ['a = b', '= c'], got " + quote(value)
        )
    if len(value) > MAX_ITEMS:
        raise where.error(f"{len(value):,} strings; a claim has at most {MAX_ITEMS} here")
    return tuple(_math(v, Where(None, f"{where.field}[{i}]")) for i, v in enumerate(value, 1))


def _renamings(value: object, where: Where) -> tuple[tuple[str, str], ...]:
    """``vars``: the writer's variables and the answer's, ``{ x = "s" }``."""
    if not isinstance(value, dict) or not value:
        raise where.error(
            "expected a table of the writer's variables and the answer's, e.g. "
            f'vars = {{ x = "s" }}, got {quote(value)}'
        )
    if len(value) > MAX_ITEMS:
        raise where.error(f"{len(value):,} renamings; a claim has at most {MAX_ITEMS}")
    return tuple(
        (_math(k, where.within("a variable")), _math(v, where.within(quote(k))))
        for k, v in value.items()
    )
