"""Feedback sheets as files (``symhw check -o``, ``symhw grade``): each report rendered in
every format asked for, PDFs compiled, a class's side by side in forked workers; nothing
is written here."""

from __future__ import annotations

from pathlib import Path

from symhw.cleanup import temporary_directory
from symhw.formats import FORMATS
from symhw.pool import chunked, default_jobs, shared_map
from symhw.render.check_latex import feedback as tex_feedback
from symhw.render.check_markdown import feedback as md_feedback
from symhw.render.json import dump_answers
from symhw.tex import compile_pdf

#: Feedback sheets rendered in worker processes from this many on (fewer, here: a worker
#: costs about as much to start as rendering a few); the reports reach the workers by the
#: fork, only the files' bytes come back.
RENDER_IN_WORKERS = 8


def feedback_files(
    reports: list[dict], stems: list[Path], formats: tuple[str, ...]
) -> dict[Path, bytes]:
    """Every report's feedback sheet in each format, at its stem's path with the format's
    suffix (``out/hw2-check.pdf``), by path: rendered, PDFs compiled."""
    jobs = default_jobs(len(reports)) if len(reports) >= RENDER_IN_WORKERS else 1
    every = list(range(len(reports)))
    # a PDF takes a second or so, and some longer: one task each keeps the workers even;
    # text takes a millisecond: one run of sheets per worker
    tasks = [[i] for i in every] if "pdf" in formats else chunked(every, jobs)
    parts = shared_map(_render_some, (reports, stems, formats), tasks, jobs)
    return {path: data for part in parts for path, data in part.items()}


def _render_some(job: tuple, some: list[int]) -> dict[Path, bytes]:
    reports, stems, formats = job
    files: dict[Path, bytes] = {}
    for i in some:
        files.update(sheet_files(reports[i], stems[i], formats))
    return files


def sheet_files(data: dict, stem: Path, formats: tuple[str, ...]) -> dict[Path, bytes]:
    """One feedback sheet in each format, rendered (the PDF compiled). Each links into the
    answer key where its file for the format is beside it (hw2.md for the Markdown, hw2.pdf
    for the LaTeX and PDF), else names the places and says how to write it."""
    out = stem.parent
    key = data["answer_key"]["sheet"]  # linked where the answer key is beside the sheet
    render = {
        "json": dump_answers,
        "md": lambda d: md_feedback(d, linked=(out / f"{key}.md").is_file()),
        "tex": lambda d: tex_feedback(d, linked=(out / f"{key}.pdf").is_file()),
    }
    wanted = {f for f in formats if f != "pdf"} | ({"tex"} if "pdf" in formats else set())
    texts = {f: render[f](data) for f in sorted(wanted)}  # only what is written or compiled
    payload = {f: texts[f].encode() for f in formats if f != "pdf"}
    if "pdf" in formats:
        with temporary_directory() as tmp:
            payload["pdf"] = compile_pdf(texts["tex"], tmp).read_bytes()
    return {stem.with_name(f"{stem.name}.{f}"): payload[f] for f in FORMATS if f in payload}
