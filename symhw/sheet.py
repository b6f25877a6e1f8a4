"""Problem set -> solutions -> sheet files, written atomically; PDF through pdflatex."""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Iterable
from functools import partial
from pathlib import Path

from symhw.cleanup import guarded_path, temporary_directory
from symhw.derivation import Solution
from symhw.errors import InputError, quote
from symhw.formats import FORMATS, check_formats
from symhw.pool import ordered_map
from symhw.problems import KINDS
from symhw.render import DETAILS, figcache
from symhw.render import figures as figure_render
from symhw.render import json as json_render
from symhw.render import latex as latex_render
from symhw.render import markdown as markdown_render
from symhw.render.figures import FIGURE_FORMAT, figure_files
from symhw.signals import held
from symhw.spec import ProblemSet, ProblemSpec
from symhw.tex import compile_pdf

#: Per text format: the pieces of one solution's section, and the frame around the
#: sections, each at a detail level (the JSON holds everything at every level).
RENDERERS = {
    "tex": (latex_render.solution_pieces, latex_render.frame),
    "md": (markdown_render.solution_pieces, markdown_render.frame),
    "json": (json_render.solution_pieces, json_render.frame),
}


#: Roughly how long each kind takes to solve and render, in milliseconds on a 2-CPU
#: machine (HW2's question of that kind, with its answer key, 2026-11-29): the workers
#: start with the costliest problems (see :func:`symhw.pool.ordered_map`), so that no
#: worker starts a long one while the other is nearly done. Only the schedule depends on
#: these numbers, never the output.
KIND_COST = {
    "mlp-backprop": 350,
    "activation-loss": 290,
    "conv-matrix": 210,
    "block-params": 160,
    "norm-shapes": 20,
}


def problem_cost(problem: ProblemSpec) -> int:
    """An estimate of the work of one problem, for the schedule (:data:`KIND_COST`)."""
    return KIND_COST.get(problem.kind, 100)


def solve(problem: ProblemSpec) -> Solution:
    """Solve one problem of a set."""
    return KINDS[problem.kind].solve(problem.params, problem.id, problem.title)


def solve_all(problem_set: ProblemSet) -> list[Solution]:
    """Solve every problem of a set, in order."""
    return [solve(p) for p in problem_set.problems]


def figure_directory(problem_set: ProblemSet) -> str:
    """Where a sheet's figure files go, beside it: ``hw2-figures``."""
    return f"{problem_set.name}-figures"


def figure_formats(formats: Iterable[str]) -> tuple[str, ...]:
    """The figure files the text formats need: PDF for LaTeX (and its PDF), SVG for Markdown.

    >>> figure_formats(["json"]), figure_formats(["pdf", "md"])
    ((), ('pdf', 'svg'))
    """
    formats = set(formats) | ({"tex"} if "pdf" in formats else set())
    return tuple(FIGURE_FORMAT[f] for f in ("tex", "md") if f in formats)


def _sections(
    problem: ProblemSpec,
    formats: tuple[str, ...],
    detail: str,
    figure_dir: str,
    figures: tuple[str, ...],
    draw: bool = True,
) -> tuple[dict[str, tuple[bytes, ...]], dict[str, bytes] | list]:
    """Solve one problem and render the pieces of its section in each format at ``detail``
    (in a worker process), as UTF-8 (text with one non-Latin character takes 2 to 4 bytes
    for every character), and draw its figures in each of ``figures`` (``{path relative to
    the sheet: bytes}``); without ``draw``, leave them to the caller
    (:func:`~symhw.render.figures.figure_jobs`: each figure's paths and drawing)."""
    return _rendered(solve(problem), formats, detail, figure_dir, figures, draw)


def _rendered(
    sol: Solution,
    formats: tuple[str, ...],
    detail: str,
    figure_dir: str,
    figures: tuple[str, ...],
    draw: bool = True,
) -> tuple[dict[str, tuple[bytes, ...]], dict[str, bytes] | list]:
    """The sections and figures of :func:`_sections`, of a problem solved already."""
    sections = {
        f: tuple(p.encode() for p in RENDERERS[f][0](sol, detail, figure_dir)) for f in formats
    }
    if not draw:
        return sections, figure_render.figure_jobs(sol, figure_dir, figures, detail)
    return sections, figure_files(sol, figure_dir, figures, detail)


def _problem_answers(problem: ProblemSpec) -> tuple[str, dict[str, object]]:
    return problem.id, json_render.answers_json(solve(problem))


def answers_by_problem(problem_set: ProblemSet, jobs: int = 1) -> dict[str, dict[str, object]]:
    """``{problem id: {answer name: JSON value}}``, solving in ``jobs`` processes."""
    return dict(ordered_map(_problem_answers, problem_set.problems, jobs, problem_cost))


def _text_formats(formats: Iterable[str]) -> tuple[str, ...]:
    need = set(formats) | ({"tex"} if "pdf" in formats else set())
    return tuple(f for f in RENDERERS if f in need)


def sheet_texts(
    problem_set: ProblemSet, formats: Iterable[str], jobs: int = 1, detail: str = "full"
) -> dict[str, str]:
    """Solve and render a set: the text of each text format (tex too when pdf is asked for)
    at a detail level (:data:`symhw.render.DETAILS`).

    With ``jobs > 1`` each problem is solved and rendered in a worker process and only its
    sections come back; the documents are the same, byte for byte, as with ``jobs = 1``.
    """
    documents = sheet_chunks(problem_set, formats, jobs, detail)
    return {f: b"".join(chunks).decode() for f, chunks in documents.items()}


def sheet_chunks(
    problem_set: ProblemSet, formats: Iterable[str], jobs: int = 1, detail: str = "full"
) -> dict[str, list[bytes]]:
    """Like :func:`sheet_texts`, each document as the UTF-8 pieces it is written in."""
    return sheet_output(problem_set, formats, jobs, detail, figures=())[0]


def sheet_output(
    problem_set: ProblemSet,
    formats: Iterable[str],
    jobs: int = 1,
    detail: str = "full",
    figures: tuple[str, ...] | None = None,
) -> tuple[dict[str, list[bytes]], dict[str, bytes]]:
    """The documents of :func:`sheet_chunks` and the figure files they link, drawn in the
    file formats ``figures`` (default: those the documents need), by path relative to the
    sheet (``hw2-figures/q1-1.pdf``)."""
    need = _text_formats(check_formats(formats))
    detail = check_detail(detail)
    if detail == "answers":
        figures = ()  # the answers table shows no figure
    figures = figure_formats(need) if figures is None else figures
    later = bool(figures) and figcache.expect_misses()  # figures to draw: see _draw_figures
    work = partial(
        _sections,
        formats=need,
        detail=detail,
        figure_dir=figure_directory(problem_set),
        figures=figures,
        draw=not later,
    )
    warm_up = figure_render.warm_up if later else None
    solved = ordered_map(work, problem_set.problems, jobs, problem_cost, meanwhile=warm_up)
    if later:
        solved = _draw_figures(solved, figures, jobs)
    documents = {
        f: RENDERERS[f][1](problem_set.title, detail).chunks([s[f] for s, _ in solved])
        for f in need
    }
    return documents, {path: data for _, drawn in solved for path, data in drawn.items()}


def _draw_figures(
    solved: list[tuple[dict, list]], figures: tuple[str, ...], jobs: int
) -> list[tuple[dict, dict[str, bytes]]]:
    """Each solved problem's sections and its figure files, drawn here, for a run that
    expects to draw (the figure cache is off or new: :func:`figcache.expect_misses`).

    Such a run imports matplotlib (about 0.45 s of CPU, more than SymPy) and sets up its
    fonts and mathtext parser (0.14 s more per process) once, in this process, while the
    workers solve (:func:`~symhw.render.figures.warm_up`, on the CPU the solving leaves
    free), and then draws the figures in workers forked from here, which share it all,
    costliest first. Drawing in the solving workers instead paid matplotlib's import
    before they forked, with one CPU idle, and the set-up once in each.
    """
    pending = [job for _, jobs_of_problem in solved for job in jobs_of_problem]
    draw = partial(figure_render.cached_draw, formats=figures)
    cost = figure_render.drawing_cost
    drawn = iter(ordered_map(draw, [drawing for _, drawing in pending], jobs, cost))
    return [
        (sections, figure_render.placed(problem_jobs, [next(drawn) for _ in problem_jobs], figures))
        for sections, problem_jobs in solved
    ]


def check_detail(detail: object) -> str:
    """The detail level, one of :data:`symhw.render.DETAILS` (else exit 2 naming --detail).

    >>> check_detail("key")
    'key'
    """
    if detail not in DETAILS:
        raise InputError(
            f"unknown detail level {quote(detail)}; choose from {', '.join(DETAILS)}",
            field="--detail",
        )
    return detail


def write_sheet(
    problem_set: ProblemSet,
    out_dir: str | Path,
    formats: Iterable[str] = ("tex", "pdf", "md", "json"),
    jobs: int = 1,
    detail: str = "full",
) -> list[Path]:
    """Solve, render and write the sheet files; return their paths.

    Everything (PDF included) is produced before ``out_dir`` is touched; then every file is
    written to a temporary file beside its target, and only when all are written are they
    renamed into place. An error on the way leaves no new file and existing files untouched.
    ``jobs`` worker processes solve the problems (see :func:`symhw.pool.ordered_map`);
    ``detail`` is how much the sheet shows (:data:`symhw.render.DETAILS`).
    """
    formats = check_formats(formats)
    detail = check_detail(detail)
    out = output_directory(out_dir)  # a mistake in -o is reported before the solving
    documents, figures = sheet_output(problem_set, formats, jobs, detail)
    files = _sheet_files(problem_set.name, documents, figures, formats)
    # Everything is rendered: only now touch the output directory.
    out = output_directory(out_dir)  # again: it may have changed while we worked
    files = {out / p: d for p, d in files.items()}
    try:
        out.mkdir(parents=True, exist_ok=True)
        return _write_with_figures(files, out / figure_directory(problem_set))
    except OSError as e:
        named = isinstance(e, IsADirectoryError | NotADirectoryError) and e.filename
        where = e.filename if named else out
        reason = e.strerror or str(e)
        raise InputError(
            f"cannot write {str(where)!r}: {reason}; give a writable directory", field="-o"
        ) from None


def _sheet_files(
    name: str, documents: dict[str, list[bytes]], figures: dict[str, bytes], formats: tuple
) -> dict[str, list[bytes] | bytes]:
    """The files of a sheet by path relative to its folder: each format's document (the
    PDF compiled here) and the figure files the text formats link."""
    payload: dict[str, list[bytes]] = {}
    if "pdf" in formats:
        with temporary_directory() as tmp:
            _place(tmp, {p: d for p, d in figures.items() if p.endswith(".pdf")})
            tex = b"".join(documents["tex"]).decode()
            payload["pdf"] = [compile_pdf(tex, tmp).read_bytes()]
    payload.update({f: documents[f] for f in ("tex", "md", "json") if f in formats})
    files: dict[str, list[bytes] | bytes] = {
        f"{name}.{fmt}": payload[fmt] for fmt in FORMATS if fmt in payload
    }
    linked = figure_formats(f for f in formats if f != "pdf")  # the PDF holds its own
    files.update({p: d for p, d in figures.items() if p.rsplit(".", 1)[1] in linked})
    return files


def solved_sheet_files(
    problem_set: ProblemSet,
    solutions: list[Solution],
    formats: Iterable[str],
    detail: str = "full",
) -> dict[str, list[bytes] | bytes]:
    """The files :func:`write_sheet` writes, by path relative to the output folder, for
    a set whose problems are solved already (in this process, figures drawn here): a
    class set's answer key of one variant. Nothing is written."""
    formats = check_formats(formats)
    detail = check_detail(detail)
    need = _text_formats(formats)
    figures = () if detail == "answers" else figure_formats(need)
    figure_dir = figure_directory(problem_set)
    solved = [_rendered(s, need, detail, figure_dir, figures) for s in solutions]
    documents = {
        f: RENDERERS[f][1](problem_set.title, detail).chunks([s[f] for s, _ in solved])
        for f in need
    }
    drawn = {path: data for _, files in solved for path, data in files.items()}
    return _sheet_files(problem_set.name, documents, drawn, formats)


def _write_with_figures(files: dict[Path, list[bytes] | bytes], figures: Path) -> list[Path]:
    """:func:`atomic_write_all`, making the figures' directory first where a file goes in
    it, and removing it again if it was new and the files could not be written."""
    made = any(p.parent == figures for p in files) and not figures.is_dir()
    if made and figures.exists():
        raise NotADirectoryError(errno.ENOTDIR, "a file stands where the figures go", figures)
    if made:
        figures.mkdir()
    try:
        return atomic_write_all(files)
    except BaseException:
        if made:
            with contextlib.suppress(OSError):
                figures.rmdir()
        raise


def _place(directory: Path, files: dict[str, bytes]) -> None:
    """Write ``files`` (paths relative to ``directory``) for pdflatex to include."""
    for path, data in files.items():
        target = directory / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


def output_directory(out_dir: str | Path) -> Path:
    """``out_dir`` as a path, if it can be a directory to write into (nothing is created).

    >>> output_directory("")
    Traceback (most recent call last):
    ...
    symhw.errors.InputError: field '-o': empty; give an output directory such as reports
    """
    if not isinstance(out_dir, str | os.PathLike) or not os.fspath(out_dir).strip():
        raise InputError("empty; give an output directory such as reports", field="-o")
    out = Path(out_dir)
    if out.is_symlink() and not out.exists():
        raise InputError(
            f"{quote(str(out))} is a symbolic link to {quote(os.readlink(out))}, which does "
            "not exist; create that directory or give another",
            field="-o",
        )
    if out.exists() and not out.is_dir():
        raise InputError(f"{quote(str(out))} is a file, not a directory", field="-o")
    return out


def atomic_write(path: Path, data: bytes) -> Path:
    """Write through a temporary file in the same directory and rename it into place."""
    return atomic_write_all({path: data})[0]


def atomic_write_all(files: dict[Path, bytes | Iterable[bytes]]) -> list[Path]:
    """Write each file (its bytes, or pieces written in turn, a generator's included) to a
    temporary file in its directory, then rename them all into place (a rename within a
    directory is atomic); on an error before the renames, no trace."""
    for path in files:  # what would stop a rename, found before any file is replaced
        if path.is_dir():
            raise IsADirectoryError(errno.EISDIR, "a directory stands where a file goes", path)
    temporary: list[tuple[str, Path]] = []
    with contextlib.ExitStack() as guards:
        try:
            for path, data in files.items():
                fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
                temporary.append((tmp, path))
                guards.enter_context(guarded_path(tmp))  # removed even if symhw is killed
                os.fchmod(fd, 0o644)
                with os.fdopen(fd, "wb") as f:
                    f.writelines([data] if isinstance(data, bytes) else data)
            with held():  # a Ctrl-C waits until the set is renamed: all files, or none
                for tmp, path in temporary:
                    os.replace(tmp, path)
        except BaseException:
            for tmp, _ in temporary:
                Path(tmp).unlink(missing_ok=True)
            raise
    return list(files)
