"""A class set's ``manifest.json`` (written by ``symhw variants``), read back for grading:
each variant's id, the answers a student gives on it, the problem set of its numbers, and
the scoring rule. The file is input like any other: anything malformed is one InputError
naming the field and the fix."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from symhw.classset import MANIFEST, MAX_VARIANTS, PROBLEMS, VARIANT_ID
from symhw.errors import InputError, quote
from symhw.scoring import Scoring, parse_scoring
from symhw.tomlfile import read_regular_file

#: The largest manifest read (a variant's record is about 10 kB: 10,000 variants fit).
MAX_MANIFEST_BYTES = 256 << 20


@dataclass(frozen=True)
class Variant:
    """A variant of the class: its id, its problem-set file (the problems with its
    numbers) and the answers asked of it, as (problem id, answer names) in sheet order."""

    id: str
    problems: Path
    asked: tuple[tuple[str, tuple[str, ...]], ...]


@dataclass(frozen=True)
class Manifest:
    """A class set as its manifest gives it: the problem set's name and title, the
    scoring rule, every variant written by id (in the manifest's order) and the ids of
    those that failed, with why."""

    path: Path
    name: str
    title: str
    scoring: Scoring
    variants: dict[str, Variant]
    failed: dict[str, str]


def read_manifest(path: str | Path) -> Manifest:
    """The manifest at ``path``, its variants' folders beside it."""
    p = Path(path)
    if p.is_dir():
        p = p / MANIFEST
    try:
        raw = read_regular_file(p, MAX_MANIFEST_BYTES, "manifest")
    except InputError as e:
        raise InputError(
            f"{e}; give the manifest.json that symhw variants wrote, or its folder",
            field="MANIFEST",
        ) from None
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        raise InputError(
            f"{quote(str(p))} is not a manifest (not JSON): give the manifest.json that "
            "symhw variants wrote"
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("variants"), dict):
        raise _bad(p, "variants", "is missing or not a table of variants")
    problems = _strings(data.get("problems"), p, "problems")
    for key in ("problem_set", "title"):
        if not isinstance(data.get(key), str):
            raise _bad(p, key, "is missing or not text")
    if len(data["variants"]) > MAX_VARIANTS:
        raise _bad(p, "variants", f"has over {MAX_VARIANTS:,} variants")
    variants = {vid: _variant(p, vid, v, problems) for vid, v in data["variants"].items()}
    failed = data.get("failed", {})
    if not isinstance(failed, dict) or not all(isinstance(r, str) for r in failed.values()):
        raise _bad(p, "failed", "is not a table of variant ids and reasons")
    scoring = _scoring(p, data.get("grading"), problems)
    return Manifest(p, data["problem_set"], data["title"], scoring, variants, dict(failed))


def _variant(p: Path, vid: object, record: object, problems: list[str]) -> Variant:
    if not isinstance(vid, str) or not VARIANT_ID.fullmatch(vid):
        raise _bad(p, "variants", f"has an id {quote(vid)} that is not a variant's")
    if not isinstance(record, dict) or not isinstance(record.get("asked"), dict):
        raise _bad(
            p,
            f"variants.{vid}.asked",
            "is missing: the manifest is from an older symhw; run symhw variants again "
            "(it redoes the variants)",
        )
    asked = []
    for pid, names in record["asked"].items():
        if pid not in problems:
            raise _bad(p, f"variants.{vid}.asked", f"names {quote(pid)}, not a problem")
        asked.append((pid, tuple(_strings(names, p, f"variants.{vid}.asked.{pid}"))))
    return Variant(vid, p.parent / vid / PROBLEMS, tuple(asked))


def _scoring(p: Path, table: object, problems: list[str]) -> Scoring:
    if table is None:
        raise _bad(p, "grading", "is missing: run symhw variants again to record it")
    try:
        return parse_scoring(table, problems)
    except InputError as e:
        raise InputError(f"{quote(str(p))}: {e}") from None


def _strings(value: object, p: Path, field: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _bad(p, field, "is missing or not a list of names")
    return value


def _bad(p: Path, field: str, what: str) -> InputError:
    return InputError(
        f"{quote(str(p))} is not a manifest symhw grade can read: {what}; give the "
        "manifest.json that symhw variants wrote",
        field=field,
    )


def manifest_data(m: Manifest) -> dict[str, Any]:
    """What a class summary says of the set: its name, title and scoring rule."""
    return {"problem_set": m.name, "title": m.title, "grading": m.scoring.as_data()}
