"""A class set (``symhw variants``): per variant, in a folder of its own, a question sheet,
its answer key, a claims template and the variant's problem-set file; a manifest last.

Each variant is drawn, solved, rendered and written by one worker (the solutions of one
variant at a time, never of the class), its files atomically and then its record
(``variant.json``: seed, parameters, answers and the SHA-256 of every file). A rerun keeps
a variant whose record matches the run and whose files all have their recorded hashes,
and redoes the others; the manifest, made of the records, is written last.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from dataclasses import dataclass
from functools import partial
from importlib.metadata import version
from pathlib import Path
from typing import Any

from symhw.checker.template import problem_template, template_data
from symhw.cleanup import temporary_directory
from symhw.errors import InputError, SymhwError, quote
from symhw.formats import check_formats
from symhw.memo import forgetting
from symhw.pool import ordered_map
from symhw.render.claims_template import claims_template
from symhw.render.json import Members, answers_json, dump_answers, dumped_pieces, to_json_value
from symhw.render.problem_toml import problem_set_toml
from symhw.render.questions import question_markdown, question_tex
from symhw.scoring import Scoring
from symhw.sheet import (
    atomic_write,
    atomic_write_all,
    check_detail,
    output_directory,
    solve,
    solved_sheet_files,
)
from symhw.spec import ProblemSet, drawn_tables, file_stem, parse_problem_set
from symhw.tex import compile_pdf, tex_available
from symhw.tomlfile import MAX_FILE_BYTES, decoded, parse_toml, read_regular_file, read_text

#: The most variants a class set has (a roster's students, or --count).
MAX_VARIANTS = 10_000
#: A variant id names its folder: letters, digits, '_', '-', '.', starting with a letter or
#: a digit (never '.' or '..'), at most 64 characters.
VARIANT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
RECORD = "variant.json"
MANIFEST = "manifest.json"
PROBLEMS = "problems.toml"
CLAIMS = "claims.toml"


@dataclass(frozen=True)
class ClassSet:
    """What every variant of a run shares: the problem set and its file's tables (each
    ``vary`` removed), the file's SHA-256, the seed, the formats and detail of the key,
    and the output folder."""

    problem_set: ProblemSet
    tables: tuple[dict[str, Any], ...]
    spec_sha256: str
    #: The SHA-256 of the problems alone (the file read, its ``[grading]`` table left
    #: out), with symhw's version: what a variant's files depend on, so a variant written
    #: before a change to the grading only is kept.
    made_from: str
    seed: int
    formats: tuple[str, ...]
    detail: str
    out: Path


def class_set(
    spec: str | Path, seed: int, formats: tuple[str, ...], detail: str, out: str | Path
) -> ClassSet:
    """A run's :class:`ClassSet`, every argument checked (an InputError naming it)."""
    formats, detail = check_formats(formats), check_detail(detail)
    if "pdf" in formats and not tex_available():  # refused now, not once per variant
        raise InputError(
            "PDF output needs pdflatex; install TeX or leave pdf out of --format",
            field="--format",
        )
    path = Path(spec)  # read and parsed once: the set, its tables and its SHA-256
    raw = read_regular_file(path, MAX_FILE_BYTES, "problem set")
    data = parse_toml(decoded(raw, path), str(spec), "problem set")
    problem_set = parse_problem_set(data, file_stem(path))
    tables = tuple({k: v for k, v in t.items() if k != "vary"} for t in data["problems"])
    if not 0 <= seed < 2**64:
        raise InputError(
            f"{seed} is out of range: give a whole number 0 to 2**64 - 1",
            field="--seed",
        )
    check_scoring(problem_set)
    sha = hashlib.sha256(raw).hexdigest()
    problems = {k: v for k, v in data.items() if k != "grading"}
    made_from = hashlib.sha256(
        json.dumps([version("symhw"), to_json_value(problems)], sort_keys=True).encode()
    ).hexdigest()
    return ClassSet(
        problem_set, tables, sha, made_from, seed, formats, detail, output_directory(out)
    )


def check_scoring(problem_set: ProblemSet) -> None:
    """Every answer the ``[grading]`` table gives points of by name is one of its
    problem's (the problems it names solved here, as the file gives them: a variant has
    the same answers); else an InputError naming the field."""
    scoring = problem_set.scoring
    named = scoring.named() if scoring is not None else ()
    asked: dict[str, list[str]] = {}
    for problem, name in named:
        if problem not in asked:
            spec = next(p for p in problem_set.problems if p.id == problem)
            asked[problem] = [a["name"] for a in problem_template(solve(spec))["answers"]]
        if name not in asked[problem]:
            raise InputError(
                f"{quote(name)} is not an answer of {problem}; its answers are "
                f"{', '.join(asked[problem])}",
                field=f"grading.answers.{problem}",
            )


def read_roster(path: str | Path) -> list[str]:
    """The student ids of a roster: a CSV file whose header (first line) has an ``id``
    column. An id that is not a valid folder name (:data:`VARIANT_ID`), or that repeats
    one before it (letter case aside: folders Ann and ann clash on some systems), is an
    InputError naming its line."""
    text = read_text(Path(path), "roster")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [name.strip() for name in reader.fieldnames or ()]
    if "id" not in header:
        raise InputError(
            f"{quote(str(path))} has no id column: its first line must be a header naming "
            "the columns, one of them id",
            field="--roster",
        )
    reader.fieldnames = header
    seen: dict[str, int] = {}
    ids = []
    for row in reader:
        line, vid = reader.line_num, (row.get("id") or "").strip()
        if not VARIANT_ID.fullmatch(vid):
            raise InputError(
                f"line {line}: id {quote(vid)} is not a valid student id: letters, digits, "
                "'_', '-' or '.' (at most 64, starting with a letter or digit)",
                field="--roster",
            )
        if vid.casefold() in seen:
            raise InputError(
                f"line {line}: id {quote(vid)} is already on line {seen[vid.casefold()]}; "
                "every student needs an id of their own",
                field="--roster",
            )
        seen[vid.casefold()] = line
        ids.append(vid)
    return _count_checked(ids, "--roster")


def numbered_ids(count: int) -> list[str]:
    """Variants 1 to ``count``, as ids.

    >>> numbered_ids(3)
    ['1', '2', '3']
    """
    return _count_checked([str(i) for i in range(1, count + 1)], "--count")


def _count_checked(ids: list[str], field: str) -> list[str]:
    if not 1 <= len(ids) <= MAX_VARIANTS:
        raise InputError(f"{len(ids)} variants; give 1 to {MAX_VARIANTS:,}", field=field)
    return ids


@dataclass(frozen=True)
class Outcome:
    """What became of a variant: ``written``, ``kept`` (done by an earlier run) or
    ``failed`` (with the reason)."""

    id: str
    status: str
    reason: str = ""


def write_class_set(cs: ClassSet, ids: list[str], jobs: int = 1) -> list[Outcome]:
    """Every variant written (or kept) in its folder, in workers, then the manifest of
    those done; the outcomes in the order of ``ids``. A variant that fails (TeX, a
    condition no draw met) is an outcome, not an error: the others go on."""
    cs.out.mkdir(parents=True, exist_ok=True)
    outcomes = ordered_map(partial(forgetting, partial(variant_outcome, cs)), ids, jobs)
    write_manifest(cs, outcomes)
    return outcomes


def variant_outcome(cs: ClassSet, vid: str) -> Outcome:
    """One variant, in a worker: kept if done already, else written."""
    if _done(cs, vid):
        return Outcome(vid, "kept")
    try:
        files, record = variant_files(cs, vid)
    except SymhwError as e:
        return Outcome(vid, "failed", str(e))
    folder = cs.out / vid
    for path in files:
        (folder / path).parent.mkdir(parents=True, exist_ok=True)
    atomic_write_all({folder / p: d for p, d in files.items()})
    atomic_write(folder / RECORD, dump_answers(record).encode())  # last: the variant is done
    return Outcome(vid, "written")


def variant_files(cs: ClassSet, vid: str) -> tuple[dict[str, bytes], dict[str, Any]]:
    """A variant's files by path in its folder, and its record: drawn, solved and
    rendered (PDFs compiled) here; nothing is written."""
    variant, drawn = drawn_tables(cs.problem_set, cs.seed, vid)
    solutions = [solve(p) for p in variant.problems]
    files: dict[str, bytes] = {PROBLEMS: _problems_toml(cs, vid, drawn).encode()}
    claims = template_data(variant, [problem_template(s) for s in solutions], PROBLEMS)
    files[CLAIMS] = claims_template(claims).encode()
    files.update(_question_files(cs, vid, solutions))
    key = solved_sheet_files(variant, solutions, cs.formats, cs.detail)
    files.update({p: d if isinstance(d, bytes) else b"".join(d) for p, d in key.items()})
    parameters = {p.id: t for p, t in zip(variant.problems, drawn, strict=True) if t is not None}
    record = {
        "id": vid,
        "seed": cs.seed,
        "made_from": cs.made_from,
        "detail": cs.detail,
        "formats": list(cs.formats),
        "parameters": to_json_value(parameters),
        "answers": {s.problem_id: answers_json(s) for s in solutions},
        "asked": {p["id"]: [a["name"] for a in p["answers"]] for p in claims["problems"]},
        "files": {p: hashlib.sha256(files[p]).hexdigest() for p in sorted(files)},
    }
    return files, record


def _problems_toml(cs: ClassSet, vid: str, drawn: tuple) -> str:
    """The variant's problem set as a file: the set's tables, each varied problem's
    parameters replaced by its drawn ones (its id, kind and title kept); no answer."""
    tables = []
    for table, params in zip(cs.tables, drawn, strict=True):
        head = {k: table[k] for k in ("id", "kind", "title") if k in table}
        tables.append(table if params is None else {**head, **params})
    note = (
        f"Variant {vid} of {cs.problem_set.name} (seed {cs.seed}): the problems with this "
        f"variant's numbers.\n{CLAIMS} names this file: symhw check {CLAIMS} checks answers."
    )
    return problem_set_toml(cs.problem_set.name, cs.problem_set.title, tables, note)


def _question_files(cs: ClassSet, vid: str, solutions: list) -> dict[str, bytes]:
    """The question sheet in the formats asked for among tex, pdf and md."""
    stem, title = f"{cs.problem_set.name}-questions", cs.problem_set.title
    tex = question_tex(title, vid, solutions)
    out = {}
    if "tex" in cs.formats:
        out[f"{stem}.tex"] = tex.encode()
    if "pdf" in cs.formats:
        with temporary_directory() as tmp:
            out[f"{stem}.pdf"] = compile_pdf(tex, tmp).read_bytes()
    if "md" in cs.formats:
        out[f"{stem}.md"] = question_markdown(title, vid, solutions).encode()
    return out


def _record(cs: ClassSet, vid: str) -> dict[str, Any] | None:
    """A variant's record from an earlier run, if it is one of this run's (same file,
    seed, detail and formats); else None."""
    path = cs.out / vid / RECORD
    try:
        record = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None
    same = (cs.made_from, cs.seed, cs.detail, list(cs.formats))
    if not isinstance(record, dict) or record.get("id") != vid:
        return None
    mine = tuple(record.get(k) for k in ("made_from", "seed", "detail", "formats"))
    return record if mine == same and isinstance(record.get("files"), dict) else None


def _done(cs: ClassSet, vid: str) -> bool:
    """Whether a variant is done: its record is this run's and every file it lists has
    the SHA-256 recorded."""
    record = _record(cs, vid)
    if record is None:
        return False
    for name, digest in record["files"].items():
        try:
            data = (cs.out / vid / name).read_bytes()
        except OSError:
            return False
        if hashlib.sha256(data).hexdigest() != digest:
            return False
    return True


def write_manifest(cs: ClassSet, outcomes: list[Outcome]) -> Path:
    """``manifest.json``, written atomically: the run's seed and file, each variant done
    (its record: seed, parameters, answers, files) by id, and those that failed."""
    variants = Members((o.id, _entry(cs, o.id)) for o in outcomes if o.status != "failed")
    manifest = {
        "problem_set": cs.problem_set.name,
        "title": cs.problem_set.title,
        "problems": [p.id for p in cs.problem_set.problems],
        "spec_sha256": cs.spec_sha256,
        "seed": cs.seed,
        "detail": cs.detail,
        "formats": list(cs.formats),
        "grading": (cs.problem_set.scoring or Scoring()).as_data(),
        "variants": variants,
        "failed": {o.id: o.reason for o in outcomes if o.status == "failed"},
    }
    return atomic_write_all({cs.out / MANIFEST: dumped_pieces(manifest)})[0]  # record by record


def _entry(cs: ClassSet, vid: str) -> dict[str, Any]:
    record = json.loads((cs.out / vid / RECORD).read_bytes())
    return {k: v for k, v in record.items() if k != "id"}
