"""Figure files: each figure drawn with matplotlib (:mod:`.plots`, :mod:`.diagrams`) as a
PDF for LaTeX and an SVG for Markdown, byte-identical on every run (fixed hash salt, no
dates or creator, matplotlib's own DejaVu fonts, no TeX).

matplotlib is imported by :mod:`.mpl` only when a figure is drawn (its import costs more
than SymPy's): ``import symhw`` does not pay it. Only ``matplotlib.figure`` and the two
backends are loaded, never pyplot.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterator
from typing import Any

import numpy as np
import sympy as sp

from symhw.derivation import Figure, Solution
from symhw.figures import (
    AxesDiagram,
    BlockDiagram,
    Curve,
    Drawing,
    LinePlot,
    NetworkDiagram,
    SparsityPattern,
)
from symhw.render import diagrams, figcache, plots
from symhw.render.mpl import matplotlib

#: File format of the figures each text format links: LaTeX includes PDF (pdflatex),
#: Markdown links SVG.
FIGURE_FORMAT = {"tex": "pdf", "md": "svg"}

#: Settings that make the bytes the same on every run and machine.
_RC = {
    "svg.hashsalt": "symhw",
    "svg.fonttype": "path",  # glyphs as outlines: the SVG needs no fonts where it is shown
    "pdf.fonttype": 3,
    "font.family": "DejaVu Sans",
    "mathtext.fontset": "dejavusans",
    "axes.unicode_minus": True,
    "font.size": 9,
}
_METADATA = {
    "svg": {"Creator": None, "Date": None, "Format": None, "Type": None},
    "pdf": {"Creator": None, "Producer": None, "CreationDate": None, "ModDate": None},
}


def figure_name(problem_id: str, index: int) -> str:
    """The file stem of a problem's ``index``-th figure (1-based): ``q1-2``."""
    return f"{problem_id}-{index}"


def figure_paths(sol: Solution, directory: str, fmt: str) -> dict[int, str]:
    """The relative path of each figure of ``sol`` (by its position in ``sol.parts``)."""
    positions = [i for i, p in enumerate(sol.parts) if isinstance(p, Figure)]
    return {
        i: f"{directory}/{figure_name(sol.problem_id, k)}.{fmt}"
        for k, i in enumerate(positions, start=1)
    }


def linked_figures(sol: Solution, detail: str) -> set[int]:
    """The positions in ``sol.parts`` of the figures a sheet at ``detail`` shows: all of
    them in the full sheet (the appendix), those Part I shows in the key, none in the
    answers-only sheet."""
    if detail == "full":
        return {i for i, p in enumerate(sol.parts) if isinstance(p, Figure)}
    if detail == "key":
        shown = [p for p in sol.key_parts() if isinstance(p, Figure)]
        return {i for i, p in enumerate(sol.parts) if any(p is f or p == f for f in shown)}
    return set()


def figure_files(
    sol: Solution, directory: str, formats: tuple[str, ...], detail: str = "full"
) -> dict[str, bytes]:
    """The figures of ``sol`` that a sheet at ``detail`` links (:func:`linked_figures`),
    drawn in each file format of ``formats`` (``pdf``, ``svg``): ``{relative path: bytes}``,
    the paths :func:`figure_paths` gives the sections. Each figure is laid out once and
    saved in every format."""
    jobs = figure_jobs(sol, directory, formats, detail)
    return placed(jobs, [cached_draw(drawing, formats) for _, drawing in jobs], formats)


def figure_jobs(
    sol: Solution, directory: str, formats: tuple[str, ...], detail: str = "full"
) -> list[tuple[tuple[str, ...], Drawing]]:
    """What :func:`figure_files` draws: each linked figure's paths (one per format of
    ``formats``) and its drawing, in the order of ``sol.parts``."""
    if not formats:
        return []
    paths = {fmt: figure_paths(sol, directory, fmt) for fmt in formats}
    linked = linked_figures(sol, detail)
    return [
        (tuple(paths[f][i] for f in formats), part.drawing)
        for i, part in enumerate(sol.parts)
        if i in linked
    ]


def placed(
    jobs: list[tuple[tuple[str, ...], Drawing]],
    drawn: list[tuple[bytes, ...]],
    formats: tuple[str, ...],
) -> dict[str, bytes]:
    """The files of :func:`figure_jobs` once drawn (``drawn``: each job's files, one per
    format): ``{relative path: bytes}``, format by format."""
    files = {}
    for (paths, _), data in zip(jobs, drawn, strict=True):
        files.update(zip(paths, data, strict=True))
    return dict(sorted(files.items(), key=lambda item: formats.index(item[0].rsplit(".", 1)[1])))


#: Roughly what drawing each kind of figure costs, in milliseconds of CPU for its PDF and
#: SVG (HW2's figures, 2026-11-29): the order in which workers draw them (costliest first);
#: only the schedule depends on these numbers.
DRAWING_COST = {
    SparsityPattern: 200,
    LinePlot: 140,
    NetworkDiagram: 130,
    BlockDiagram: 110,
    AxesDiagram: 50,
}


def drawing_cost(drawing: Drawing) -> int:
    """:data:`DRAWING_COST` of a drawing."""
    return DRAWING_COST.get(type(drawing), 100)


def warm_up() -> None:
    """Import matplotlib and draw a small figure in both formats, for nothing: a process's
    first drawing also loads the font and builds the mathtext parser (about 0.14 s of CPU),
    which processes forked afterwards then share. A sheet does this while its workers
    solve."""
    s = np.linspace(-1.0, 1.0, 3)
    symbol = sp.Symbol("x^(1)")
    draw_all(LinePlot((Curve((symbol,), s, s),), (symbol,), ("θ'",)), ("pdf", "svg"))


def cached_draw(drawing: Drawing, formats: tuple[str, ...]) -> tuple[bytes, ...]:
    """:func:`draw_all`, each file taken from the figure cache where it is there
    (:mod:`.figcache`); only the formats not found are drawn, and then stored."""
    where = figcache.entries()
    names = _cache_names(drawing, formats) if where else None
    if names is None:
        return draw_all(drawing, formats) if formats else ()
    found = {f: figcache.load(where, names[f]) for f in formats}
    missing = tuple(f for f in formats if found[f] is None)
    for fmt, data in zip(missing, draw_all(drawing, missing) if missing else (), strict=True):
        figcache.store(where, names[fmt], data)
        found[fmt] = data
    return tuple(found[f] for f in formats)


def _cache_names(drawing: Drawing, formats: tuple[str, ...]) -> dict[str, str] | None:
    """The cache entry of each format, or None for data the cache cannot key."""
    try:
        return {f: f"{name}.{f}" for f, name in figcache.keys(drawing, formats).items()}
    except TypeError:
        return None


def draw(drawing: Drawing, fmt: str) -> bytes:
    """One drawing as the bytes of an ``svg`` or ``pdf`` file.

    >>> import numpy as np
    >>> from symhw.figures import Curve, LinePlot
    >>> s = np.linspace(-2.0, 2.0, 5)
    >>> draw(LinePlot((Curve(("θ",), s, np.tanh(s)),), ("s",), ("",)), "pdf")[:5]
    b'%PDF-'
    """
    return draw_all(drawing, (fmt,))[0]


def draw_all(drawing: Drawing, formats: tuple[str, ...]) -> tuple[bytes, ...]:
    """One drawing, laid out once, saved in each of ``formats``."""
    with _settings():
        fig = build(drawing)
        out = []
        for fmt in formats:
            buffer = io.BytesIO()
            fig.savefig(buffer, format=fmt, metadata=_METADATA[fmt])
            out.append(buffer.getvalue())
    return tuple(out)


def build(drawing: Drawing) -> Any:
    """The drawing as a matplotlib ``Figure`` (not yet saved)."""
    mpl = matplotlib()
    with _settings():
        fig = mpl.figure.Figure()
        _DRAW[type(drawing)](fig, drawing)
    return fig


@contextlib.contextmanager
def _settings() -> Iterator[None]:
    """matplotlib's own defaults and :data:`_RC`, whatever a matplotlibrc of the user or
    of the working directory says: the files depend on symhw's code alone (and so the
    figure cache's key does)."""
    mpl = matplotlib()
    with mpl.rc_context():
        mpl.rcParams.update({k: v for k, v in mpl.rcParamsDefault.items() if k != "backend"})
        mpl.rcParams.update(_RC)
        yield


def load() -> None:
    """Import matplotlib now (a sheet does, before it forks its workers: they share it)."""
    matplotlib()


_DRAW = {
    LinePlot: plots.line_plot,
    NetworkDiagram: diagrams.network,
    BlockDiagram: diagrams.blocks,
    SparsityPattern: plots.sparsity,
    AxesDiagram: diagrams.axes,
}
