"""A graded class's files, rendered (PDFs compiled) and then written all at once, or none:
``grades.csv`` and ``totals.csv``, the class summary (``class-summary.md``, ``.tex``,
``.pdf``) and per student who submitted, their feedback sheet
(``feedback/<id>-check.md``, ... as ``symhw check`` writes it). Such files an earlier
grading left in the folder and this one does not write are removed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from symhw.cleanup import temporary_directory
from symhw.feedback import feedback_files
from symhw.render.class_summary_latex import class_summary as summary_tex
from symhw.render.class_summary_markdown import class_summary as summary_md
from symhw.render.grades_csv import grades_csv, totals_csv
from symhw.sheet import atomic_write_all, output_directory
from symhw.tex import compile_pdf

SUMMARY = "class-summary"
FEEDBACK = "feedback"


def write_grades(data: dict[str, Any], out_dir: str | Path, formats: tuple[str, ...]) -> list[Path]:
    """Every file of a graded class in ``out_dir`` (the feedback sheets and the summary in
    ``formats``; the summary has no json), written once all are ready; their paths."""
    out = output_directory(out_dir)
    files: dict[Path, bytes] = {
        out / "grades.csv": grades_csv(data).encode(),
        out / "totals.csv": totals_csv(data).encode(),
    }
    files.update(_summary_files(data, out, formats))
    graded = [s for s in data["students"] if s["report"] is not None]
    stems = [out / FEEDBACK / f"{s['id']}-check" for s in graded]
    files.update(feedback_files([s["report"] for s in graded], stems, formats))
    (out / FEEDBACK).mkdir(parents=True, exist_ok=True)
    written = atomic_write_all(files)
    _remove_stale(out, set(written))
    return written


#: What an earlier grading wrote that this one may not: removed when this one does not
#: write it, so no stale feedback (a student since removed) or summary (a format not
#: asked for now) is left beside the new files.
_OURS = (f"{SUMMARY}.*", f"{FEEDBACK}/*-check.*")
_SUFFIXES = {".md", ".tex", ".pdf", ".json"}


def _remove_stale(out: Path, written: set[Path]) -> None:
    for pattern in _OURS:
        for path in sorted(out.glob(pattern)):
            if path.suffix in _SUFFIXES and path.is_file() and path not in written:
                path.unlink()


def _summary_files(data: dict[str, Any], out: Path, formats: tuple[str, ...]) -> dict:
    files = {}
    if "md" in formats:
        files[out / f"{SUMMARY}.md"] = summary_md(data).encode()
    tex = summary_tex(data) if {"tex", "pdf"} & set(formats) else ""
    if "tex" in formats:
        files[out / f"{SUMMARY}.tex"] = tex.encode()
    if "pdf" in formats:
        with temporary_directory() as tmp:
            files[out / f"{SUMMARY}.pdf"] = compile_pdf(tex, tmp).read_bytes()
    return files
