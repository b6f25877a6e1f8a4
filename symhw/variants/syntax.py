"""A problem's ``vary`` table, read and checked when the file loads.

Every key names a parameter of the problem's kind (or is ``require``, the conditions);
every range and choice is tried in the parameter's own parser, so a typo in a choice or
a range that reaches a value the parameter refuses is reported at once, not in the one
variant of fifty that draws it; then one variant is drawn, so conditions no variant can
meet are reported too.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from symhw.errors import InputError, quote
from symhw.fields import Where
from symhw.problems import KINDS
from symhw.variants.conditions import CONDITIONS, for_kind
from symhw.variants.draw import Vary, draw
from symhw.variants.patterns import (
    KEEP,
    MAX_DRAWS,
    Choices,
    Draw,
    Pattern,
    Range,
    apply,
    check_fits,
    draws,
    parse_pattern,
)

#: The key of ``vary`` that holds the conditions rather than a parameter.
REQUIRE = "require"


def parse_vary(value: object, kind: str, base: dict[str, Any], problem: str) -> Vary:
    """The ``vary`` table of problem ``problem`` (of ``kind``, whose own parameters are
    ``base``), checked whole; one InputError naming the field otherwise.

    >>> v = parse_vary({"x": {"range": [1, 3]}}, "mlp-backprop",
    ...                {"weights": [[0.5, 1]], "x": 2, "y": 1}, "q2")
    >>> [name for name, _ in v.patterns]
    ['x']
    >>> parse_vary({"z": {"range": [1, 3]}}, "mlp-backprop", {}, "q2")
    Traceback (most recent call last):
    ...
    symhw.errors.InputError: problem 'q2', field 'vary.z': not a parameter of mlp-backprop; ...
    """
    if not isinstance(value, dict) or not value:
        raise InputError(
            "expected a table of what varies, e.g. [problems.vary] with x = { range = [1, 3] }",
            problem=problem,
            field="vary",
        )
    fields = {f.name: f for f in dataclasses.fields(KINDS[kind].params)}
    patterns = []
    for name, entry in value.items():
        if name == REQUIRE:
            continue
        if name not in fields:
            raise InputError(
                f"not a parameter of {kind}; vary takes {', '.join(fields)} and {REQUIRE} "
                "(see `symhw list`)",
                problem=problem,
                field=f"vary.{name}",
            )
        patterns.append((name, _pattern(entry, base.get(name), Where(problem, f"vary.{name}"))))
    if not patterns:
        raise InputError(
            "varies nothing: add a parameter with a range or choices, e.g. x = { range = [1, 3] }",
            problem=problem,
            field="vary",
        )
    if sum(_size(d) for _, p in patterns for d in draws(p)) > MAX_DRAWS:
        raise InputError(
            f"more than {MAX_DRAWS} ranges and choices (each choice counts); vary a whole "
            "matrix with one range, or give fewer choices",
            problem=problem,
            field="vary",
        )
    for name, pattern in patterns:
        _try_each_value(name, pattern, base.get(name), fields[name].metadata["parse"], problem)
    require = _require(value.get(REQUIRE, {}), kind, problem)
    vary = Vary(kind, tuple(base.items()), tuple(patterns), require)
    draw(vary, problem, 0, "load check")  # a condition no variant meets fails here, at load
    return vary


def _pattern(entry: object, base: object, where: Where) -> Pattern:
    pattern = parse_pattern(entry, where)
    if not draws(pattern):
        raise where.error(
            f"{quote(entry)} draws nothing: give {{ range = [low, high] }} or "
            "{ choices = [...] } (inside lists and tables too)"
        )
    check_fits(pattern, base, where)
    return pattern


def _size(d: Draw) -> int:
    """What a draw costs to check at load: a range one parse (all of them at once), a
    choice one per option."""
    return 1 if isinstance(d, Range) else len(d.options)


def _try_each_value(name: str, pattern: Pattern, base: object, parse: Any, problem: str) -> None:
    """Every range at its low and at its high end, and each choice alone (the other draws
    keeping the problem's own values), through the parameter's own parser: two parses for
    the ranges however many, one per choice."""
    check = _Check(name, pattern, base, parse, problem)
    for d in draws(pattern):  # first each choice, so that the ranges' check may keep them
        if isinstance(d, Choices):
            for option in d.options:
                check.alone(d, option)
    ranges = [d for d in draws(pattern) if isinstance(d, Range)]
    for end in (0, 1) if ranges else ():
        chosen: dict[Draw, Any] = {r: r.ends()[end] for r in ranges}
        refused = check.refusal(chosen)
        if refused is not None:
            for r, value in chosen.items():  # which range it is: each alone
                check.alone(r, value)
            raise check.error(f"the ranges' ends together give a value it refuses: {refused}")


@dataclass(frozen=True)
class _Check:
    """A parameter's vary pattern tried in the parameter's parser."""

    name: str
    pattern: Pattern
    base: object
    parse: Any
    problem: str

    def refusal(self, chosen: dict[Draw, Any]) -> str | None:
        """Why the parser refuses the value made with ``chosen`` draws (the others kept)."""
        try:
            value = apply(self.pattern, self.base, lambda d: chosen.get(d, KEEP))
            self.parse(value, Where(self.problem, self.name))
        except InputError as e:
            return e.message
        return None

    def alone(self, draw: Draw, value: object) -> None:
        """Raise an error naming the draw if ``value`` alone makes a value refused."""
        refused = self.refusal({draw: value})
        if refused is not None:
            what = draw.shown() if isinstance(draw, Range) else "choices"
            raise self.error(f"{what} gives {quote(value)}, which {self.name} refuses: {refused}")

    def error(self, message: str) -> InputError:
        return InputError(message, problem=self.problem, field=f"vary.{self.name}")


def _require(value: object, kind: str, problem: str) -> tuple[tuple[str, Any], ...]:
    """The conditions, each from the vocabulary and meant for this kind."""
    where = Where(problem, f"vary.{REQUIRE}")
    if not isinstance(value, dict):
        raise where.error(f"expected a table such as {REQUIRE} = {{ answers_nonzero = true }}")
    known = for_kind(kind)
    out = []
    for name, setting in value.items():
        if name not in known:
            offer = f"use {', '.join(known)}" if known else f"{kind} problems take none yet"
            raise InputError(
                f"unknown condition {quote(name)} for {kind}; {offer}",
                problem=problem,
                field=f"vary.{REQUIRE}.{name}",
            )
        out.append(
            (name, CONDITIONS[name].parse(setting, Where(problem, f"vary.{REQUIRE}.{name}")))
        )
    return tuple(out)
