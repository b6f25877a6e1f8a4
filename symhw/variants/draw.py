"""Drawing one variant of a problem: its parameters from (seed, problem id, variant id).

The same key gives the same parameters on every machine, whatever else is drawn: each
attempt has a :class:`~symhw.variants.stream.Stream` of its own, keyed by the seed, the
problem, the variant and the attempt's number, so no draw depends on another variant's.
"""

from __future__ import annotations

import copy
from collections import Counter
from dataclasses import dataclass
from typing import Any

from symhw.errors import InputError, quote
from symhw.params import build_params
from symhw.problems import KINDS
from symhw.variants.conditions import CONDITIONS
from symhw.variants.patterns import Choices, Draw, Pattern, Range, apply
from symhw.variants.stream import Stream

#: Attempts at a variant that meets every condition before giving up with an InputError.
MAX_TRIES = 200
#: The largest seed, and the longest variant id (a student id, a number).
MAX_SEED = 2**64 - 1
MAX_ID = 128


@dataclass(frozen=True)
class Vary:
    """A problem's ``vary`` table, parsed: the problem's own parameters as given, a pattern
    per varied parameter (in the file's order) and the conditions, by name, with settings."""

    kind: str
    base: tuple[tuple[str, Any], ...]
    patterns: tuple[tuple[str, Pattern], ...]
    require: tuple[tuple[str, Any], ...]

    def table(self, pick: Any) -> dict[str, Any]:
        """The parameters as a problem file's table, each pattern's draws from ``pick``."""
        table = copy.deepcopy(dict(self.base))
        for name, pattern in self.patterns:
            table[name] = apply(pattern, table.get(name), pick)
        return table


@dataclass(frozen=True)
class Drawn:
    """A variant's parameters: as a TOML table would give them, and parsed; the attempt
    (0-based) that met every condition."""

    table: dict[str, Any]
    params: Any
    attempt: int


def stream_pick(stream: Stream):
    """Each draw's value from ``stream``: a number of a range, an option of choices."""

    def pick(draw: Draw) -> Any:
        if isinstance(draw, Range):
            return draw.value(stream.below(draw.size))
        assert isinstance(draw, Choices)
        return draw.options[stream.below(len(draw.options))]

    return pick


def check_key(seed: object, variant_id: object) -> None:
    """A seed is a whole number 0 to 2⁶⁴ − 1; a variant id a whole number or short text."""
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= MAX_SEED:
        raise InputError(f"the seed must be a whole number 0 to 2**64 - 1, got {quote(seed)}")
    if isinstance(variant_id, bool) or not isinstance(variant_id, int | str):
        raise InputError(f"a variant id is a whole number or text, got {quote(variant_id)}")
    if isinstance(variant_id, str) and not 0 < len(variant_id) <= MAX_ID:
        raise InputError(f"a variant id has 1 to {MAX_ID} characters, got {quote(variant_id)}")


def draw(vary: Vary, problem_id: str, seed: int, variant_id: int | str) -> Drawn:
    """The parameters of variant ``variant_id`` under ``seed``: the first attempt whose
    parameters the kind accepts and that meets every condition; after :data:`MAX_TRIES`
    attempts, an InputError naming the condition most often broken. A whole-number id is
    its text (variant 7 is variant "7", as a roster or a manifest's keys give it)."""
    check_key(seed, variant_id)
    cls = KINDS[vary.kind].params
    broken: Counter[str] = Counter()
    refused = ""
    for attempt in range(MAX_TRIES):
        key = ("symhw", seed, problem_id, str(variant_id), attempt)  # 7 and "7": one variant
        table = vary.table(stream_pick(Stream(key)))
        try:
            params = build_params(cls, table, problem_id)
        except InputError as e:
            broken[""] += 1
            refused = f"{e.field}: {e.message}" if e.field else e.message
            continue
        failed = next(
            (n for n, s in vary.require if not CONDITIONS[n].holds[vary.kind](params, s)), None
        )
        if failed is None:
            return Drawn(table, params, attempt)
        broken[failed] += 1
    raise _unmet(vary, problem_id, broken, refused, (seed, variant_id))


def _unmet(
    vary: Vary, problem_id: str, broken: Counter[str], refused: str, key: tuple
) -> InputError:
    """The error for a variant no attempt could draw: which condition, how often."""
    name, times = broken.most_common(1)[0]
    where = f"in {MAX_TRIES} draws (seed {key[0]}, variant {quote(key[1])})"
    if not name:
        return InputError(
            f"no variant could be drawn {where}: the kind refused the drawn parameters "
            f"{times} times, last with {refused!r}; narrow the ranges so the parameters fit "
            "each other",
            problem=problem_id,
            field="vary",
        )
    setting = dict(vary.require)[name]
    shown = str(setting).lower() if isinstance(setting, bool) else setting
    return InputError(
        f"no variant met {name} = {shown} {where}: {times} broke it "
        f"({CONDITIONS[name].text(setting)}); shift or narrow the ranges in vary, or loosen "
        "the condition",
        problem=problem_id,
        field=f"vary.require.{name}",
    )
