"""A graded class's files, rendered (PDFs compiled) and then written all at once, or none:
``grades.csv`` and ``totals.csv``, the class summary (``class-summary.md``, ``.tex``,
``.pdf``) and per student who submitted, their feedback sheet
(``feedback/<id>-check.md``, ... as ``symhw check`` writes it)."""

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
    return atomic_write_all(files)


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
