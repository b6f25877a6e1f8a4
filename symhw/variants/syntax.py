"""A problem's ``vary`` table, read and checked when the file loads.

Every key names a parameter of the problem's kind (or is ``require``, the conditions);
every range and choice is tried in the parameter's own parser, so a typo in a choice or
a range that reaches a value the parameter refuses is reported at once, not in the one
variant of fifty that draws it; then one variant is drawn, so conditions no variant can
meet are reported too.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from symhw.errors import InputError, quote
from symhw.params import Where
from symhw.problems import KINDS
from symhw.variants.conditions import CONDITIONS, for_kind
from symhw.variants.draw import Vary, draw
from symhw.variants.patterns import (
    MAX_DRAWS,
    Draw,
    Fixed,
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
            f"more than {MAX_DRAWS} ranges and choices (each choice counts); vary whole "
            "matrices with one range",
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
    if isinstance(pattern, Fixed):
        raise where.error(
            f"{quote(entry)} draws nothing: give {{ range = [low, high] }} or "
            "{ choices = [...] } (inside lists and tables too)"
        )
    check_fits(pattern, base, where)
    return pattern


def _size(d: Draw) -> int:
    return 2 if isinstance(d, Range) else len(d.options)


def _try_each_value(name: str, pattern: Pattern, base: object, parse: Any, problem: str) -> None:
    """Each range's ends and each choice, the other draws at their first value, through the
    parameter's own parser."""
    for target in draws(pattern):
        values = target.ends() if isinstance(target, Range) else target.options
        for candidate in values:

            def pick(d: Draw, target: Draw = target, candidate: object = candidate) -> object:
                if d is target:
                    return candidate
                return d.value(0) if isinstance(d, Range) else d.options[0]

            try:
                parse(apply(pattern, base, pick), Where(problem, name))
            except InputError as e:
                what = target.shown() if isinstance(target, Range) else "choices"
                raise InputError(
                    f"{what} gives {quote(candidate)}, which {name} refuses: {e.message}",
                    problem=problem,
                    field=f"vary.{name}",
                ) from None


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
