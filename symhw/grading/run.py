"""A class graded (``symhw grade MANIFEST SUBMISSIONS -o DIR``): each submission (a claims
file named by student id, ``ann.toml``) checked against its own variant's problems, as
``symhw check`` checks a file, every answer graded, and the class summed up.

Nothing is written until everything is ready: the grades, a feedback sheet per student
and the class summary, then all files at once (:func:`symhw.grading.files.write_grades`).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from symhw.checker.batch import reports_data
from symhw.checker.claims import ClaimsFile, read_claims
from symhw.errors import InputError, quote
from symhw.grading.answers import Graded, graded_answers
from symhw.grading.manifest import Manifest, manifest_data
from symhw.grading.summary import class_summary

#: A submission's suffix; other files in the folder are listed as ignored.
SUFFIX = ".toml"
#: The most files a submissions folder may hold.
MAX_SUBMISSIONS = 10_000


@dataclass(frozen=True)
class Submissions:
    """A folder of submissions sorted out: by student id (a variant's, in the manifest's
    order) the file, the files whose stem is no variant's id (with why), the other files
    ignored, and what makes grading impossible until the instructor decides."""

    by_student: dict[str, Path]
    unknown: dict[Path, str]
    ignored: tuple[Path, ...]
    #: Files that make the run stop (two for one student): the instructor decides.
    clashes: tuple[str, ...] = ()


def find_submissions(folder: str | Path, manifest: Manifest) -> Submissions:
    """The submissions in ``folder`` (not in its subfolders): ``ann.toml`` is student
    ``ann``'s, the letter case of the name aside (ids differ by more than case)."""
    root = Path(folder)
    if not root.is_dir():
        raise InputError(
            f"{quote(str(root))} is not a folder: give the folder of the students' claims "
            "files, each named by student id (ann.toml)",
            field="SUBMISSIONS",
        )
    entries = sorted(root.iterdir())
    if len(entries) > MAX_SUBMISSIONS:
        raise InputError(
            f"{len(entries):,} files; a class has at most {MAX_SUBMISSIONS:,}",
            field="SUBMISSIONS",
        )
    ids = {vid.casefold(): vid for vid in manifest.variants}
    failed = {vid.casefold(): vid for vid in manifest.failed}
    found: dict[str, Path] = {}
    unknown: dict[Path, str] = {}
    ignored, clashes = [], []
    for path in entries:
        if path.suffix != SUFFIX or not path.is_file():
            ignored.append(path)
            continue
        key = path.stem.casefold()
        if key in ids and ids[key] in found:
            clashes.append(
                f"{quote(path.name)} and {quote(found[ids[key]].name)} are both student "
                f"{ids[key]}'s (ids are matched letter case aside): keep one"
            )
        elif key in ids:
            found[ids[key]] = path
        elif key in failed:
            unknown[path] = f"variant {failed[key]} failed; run symhw variants again"
        else:
            unknown[path] = "no variant has this id (a typo in the file's name?)"
    order = {vid: i for i, vid in enumerate(manifest.variants)}
    by_student = dict(sorted(found.items(), key=lambda kv: order[kv[0]]))
    return Submissions(by_student, unknown, tuple(ignored), tuple(clashes))


def read_submissions(manifest: Manifest, subs: Submissions) -> list[ClaimsFile]:
    """Each submission read, against its student's variant (whatever problem set it
    names). A file that cannot be read, that answers a problem its variant lacks, or that
    is a second one for a student is bad input: one InputError naming every such file (the
    instructor fixes them all at once), and nothing is graded."""
    files, bad = [], list(subs.clashes)
    for vid, path in subs.by_student.items():
        variant = manifest.variants[vid]
        try:
            claims = read_claims(path, against=variant.problems)
        except InputError as e:
            bad.append(str(e) if str(path) in str(e) else f"{quote(str(path))}: {e}")
            continue
        problems = [p for p, _ in variant.asked]
        extra = [p for p in claims.problems if p not in problems]
        if extra:
            bad.append(
                f"{quote(str(path))} answers {quote(extra[0])}, not a problem of variant "
                f"{vid}; its problems are {', '.join(problems)}"
            )
        files.append(claims)
    if bad:
        more = [f"and {len(bad) - MAX_SHOWN} more"] if len(bad) > MAX_SHOWN else []
        raise InputError(
            f"{len(bad)} submission{'s' if len(bad) > 1 else ''} cannot be graded; fix or "
            "remove them, then grade again:\n  " + "\n  ".join(bad[:MAX_SHOWN] + more),
            field="SUBMISSIONS",
        )
    return files


#: The bad submissions an error lists (the rest counted).
MAX_SHOWN = 20


def grade_class(manifest: Manifest, subs: Submissions, jobs: int | None = None) -> dict:
    """The class graded, as data: per student (every variant's, in the manifest's order)
    their answers graded and their report (None for no submission); the files not graded;
    and the class summary (:func:`~symhw.grading.summary.class_summary`)."""
    files = read_submissions(manifest, subs)
    reports = dict(zip(subs.by_student, reports_data(files, jobs), strict=True))
    students = []
    for vid, variant in manifest.variants.items():
        report = reports.get(vid)
        answers = graded_answers(report, variant.asked, manifest.scoring)
        students.append(_student(vid, subs.by_student.get(vid), report, answers))
    return {
        **manifest_data(manifest),
        "students": students,
        "not_graded": [{"file": p.name, "why": why} for p, why in subs.unknown.items()],
        "ignored": [p.name for p in subs.ignored],
        "summary": class_summary(students),
    }


def _student(
    vid: str, path: Path | None, report: dict | None, answers: list[Graded]
) -> dict[str, Any]:
    """A student's grade, and their report (if they submitted) told it: the feedback
    sheet handed back says whose it is, their points and the answers not given."""
    points = sum((a.points for a in answers), start=Fraction(0))
    worth = sum((a.worth for a in answers), start=Fraction(0))
    unknown = [] if report is None else [
        c["field"] for c in report["claims"] if c["verdict"] == "unknown"
    ]  # fmt: skip
    if report is not None:
        missing = [f"{a.problem}.{a.answer}" for a in answers if a.verdict == "missing"]
        grade = {"student": vid, "points": str(points), "worth": str(worth), "missing": missing}
        report = {**report, "grade": grade}
    return {
        "id": vid,
        "submission": None if path is None else path.name,
        "report": report,
        "points": points,
        "worth": worth,
        "answers": answers,
        "unknown": unknown,
    }
