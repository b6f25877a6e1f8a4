"""Problem set -> solutions -> sheet files, written atomically; PDF through pdflatex."""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterable
from functools import partial
from pathlib import Path

from symhw.derivation import Solution
from symhw.errors import InputError, TexError
from symhw.pool import ordered_map
from symhw.problems import KINDS
from symhw.render import json as json_render
from symhw.render import latex as latex_render
from symhw.render import markdown as markdown_render
from symhw.spec import ProblemSet, ProblemSpec

FORMATS = ("tex", "pdf", "md", "json")

#: Per text format: the section of one solution, and the document around the sections.
RENDERERS = {
    "tex": (latex_render.solution_section, latex_render.assemble),
    "md": (markdown_render.solution_section, markdown_render.assemble),
    "json": (json_render.solution_data, json_render.assemble),
}


def solve(problem: ProblemSpec) -> Solution:
    """Solve one problem of a set."""
    return KINDS[problem.kind].solve(problem.params, problem.id, problem.title)


def solve_all(problem_set: ProblemSet) -> list[Solution]:
    """Solve every problem of a set, in order."""
    return [solve(p) for p in problem_set.problems]


def _sections(problem: ProblemSpec, formats: tuple[str, ...]) -> dict[str, object]:
    """Solve one problem and render its section in each format (in a worker process)."""
    sol = solve(problem)
    return {f: RENDERERS[f][0](sol) for f in formats}


def _answers(problem: ProblemSpec) -> tuple[str, dict[str, object]]:
    return problem.id, json_render.answers(solve(problem))


def answers(problem_set: ProblemSet, jobs: int = 1) -> dict[str, dict[str, object]]:
    """``{problem id: {answer name: JSON value}}``, solving in ``jobs`` processes."""
    return dict(ordered_map(_answers, problem_set.problems, jobs))


def tex_available() -> bool:
    return shutil.which("pdflatex") is not None


def _text_formats(formats: Iterable[str]) -> tuple[str, ...]:
    need = set(formats) | ({"tex"} if "pdf" in formats else set())
    return tuple(f for f in RENDERERS if f in need)


def sheet_texts(problem_set: ProblemSet, formats: Iterable[str], jobs: int = 1) -> dict[str, str]:
    """Solve and render a set: the text of each text format (tex too when pdf is asked for).

    With ``jobs > 1`` each problem is solved and rendered in a worker process and only its
    sections come back; the documents are the same, byte for byte, as with ``jobs = 1``.
    """
    need = _text_formats(check_formats(formats))
    sections = ordered_map(partial(_sections, formats=need), problem_set.problems, jobs)
    return {f: RENDERERS[f][1](problem_set.title, [s[f] for s in sections]) for f in need}


def compile_pdf(tex: str, workdir: Path) -> Path:
    """Run pdflatex (twice, for stable layout) on ``tex``; return the PDF path.

    SOURCE_DATE_EPOCH pins the dates and IDs pdfTeX writes, so the PDF is reproducible.
    """
    if not tex_available():
        raise InputError(
            "PDF output needs pdflatex; install TeX (Debian: texlive-latex-base "
            "texlive-latex-recommended) or leave pdf out of --format",
            field="--format",
        )
    src = workdir / "sheet.tex"
    src.write_text(tex, encoding="utf-8")
    env = {**os.environ, "SOURCE_DATE_EPOCH": "0", "FORCE_SOURCE_DATE": "1"}
    cmd = ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "sheet.tex"]
    for _ in range(2):
        done = subprocess.run(
            cmd, cwd=workdir, env=env, capture_output=True, text=True, errors="replace", check=False
        )
        if done.returncode != 0:
            log = (
                (workdir / "sheet.log").read_text(errors="replace")
                if (workdir / "sheet.log").exists()
                else done.stdout
            )
            raise TexError("pdflatex failed:\n" + relevant_log_lines(log))
    return workdir / "sheet.pdf"


def relevant_log_lines(log: str, context: int = 3) -> str:
    """The error lines of a TeX log (those starting with '!') and a few lines after each."""
    lines = log.splitlines()
    picked: list[str] = []
    for i, line in enumerate(lines):
        if line.startswith("!"):
            picked.extend(lines[i : i + context + 1])
    return "\n".join(picked or lines[-20:])


def check_formats(formats: Iterable[str]) -> tuple[str, ...]:
    """The requested formats as a tuple, each one known (else exit 2 naming --format)."""
    formats = tuple(formats)
    bad = [f for f in formats if f not in FORMATS]
    if bad or not formats:
        raise InputError(
            f"unknown format {bad[0] if bad else ''!r}; choose from {', '.join(FORMATS)}",
            field="--format",
        )
    return formats


def write_sheet(
    problem_set: ProblemSet,
    out_dir: str | Path,
    formats: Iterable[str] = ("tex", "pdf", "md", "json"),
    jobs: int = 1,
) -> list[Path]:
    """Solve, render and write the sheet files; return their paths.

    Everything (PDF included) is produced before ``out_dir`` is touched; then every file is
    written to a temporary file beside its target, and only when all are written are they
    renamed into place. An error on the way leaves no new file and existing files untouched.
    ``jobs`` worker processes solve the problems (see :func:`symhw.pool.ordered_map`).
    """
    formats = check_formats(formats)
    texts = sheet_texts(problem_set, formats, jobs)
    out = Path(out_dir)
    with tempfile.TemporaryDirectory(prefix="symhw-") as tmp:
        payload: dict[str, bytes] = {}
        if "pdf" in formats:
            payload["pdf"] = compile_pdf(texts["tex"], Path(tmp)).read_bytes()
        payload.update({f: texts[f].encode("utf-8") for f in ("tex", "md", "json") if f in formats})
    # Everything is rendered: only now touch the output directory.
    if out.exists() and not out.is_dir():
        raise InputError(f"{str(out)!r} is a file, not a directory", field="-o")
    files = {out / f"{problem_set.name}.{fmt}": payload[fmt] for fmt in FORMATS if fmt in payload}
    try:
        out.mkdir(parents=True, exist_ok=True)
        return atomic_write_all(files)
    except OSError as e:
        reason = e.strerror or str(e)
        raise InputError(
            f"cannot write to {str(out)!r}: {reason}; give a writable directory", field="-o"
        ) from None


def atomic_write(path: Path, data: bytes) -> Path:
    """Write through a temporary file in the same directory and rename it into place."""
    return atomic_write_all({path: data})[0]


def atomic_write_all(files: dict[Path, bytes]) -> list[Path]:
    """Write each file to a temporary file in its directory, then rename them all into place
    (a rename within a directory is atomic); on an error before the renames, no trace."""
    for path in files:  # what would stop a rename, found before any file is replaced
        if path.is_dir():
            raise IsADirectoryError(errno.EISDIR, "a directory stands where a file goes", path)
    temporary: list[tuple[str, Path]] = []
    try:
        for path, data in files.items():
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
            temporary.append((tmp, path))
            os.fchmod(fd, 0o644)
            with os.fdopen(fd, "wb") as f:
                f.write(data)
        for tmp, path in temporary:
            os.replace(tmp, path)
    except BaseException:
        for tmp, _ in temporary:
            Path(tmp).unlink(missing_ok=True)
        raise
    return list(files)
