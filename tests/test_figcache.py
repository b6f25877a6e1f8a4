"""The figure cache: a warm run writes the same bytes as a cold run and as a run without
the cache, never imports matplotlib, and a changed drawing, a corrupt entry, an unwritable
cache directory or SYMHW_CACHE=off all lead to a fresh drawing."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from conftest import REPO
from symhw.figures import Curve, LinePlot
from symhw.render import figcache
from symhw.render import figures as figure_render


def _files(directory: Path) -> dict[str, bytes]:
    return {
        p.relative_to(directory).as_posix(): p.read_bytes()
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


def _sheet(out: Path, cache_home: Path, *extra: str, importtime: bool = False, **env: str):
    flags = ["-X", "importtime"] if importtime else []
    done = subprocess.run(
        [sys.executable, *flags, "-m", "symhw", "sheet", "-o", str(out),
         "--format", "tex,md,json", *extra],
        cwd=REPO, capture_output=True, text=True, check=False,
        env={**os.environ, "XDG_CACHE_HOME": str(cache_home), **env},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done


def _imports_matplotlib(importtime_log: str) -> bool:
    """Whether any process of the run (workers inherit -X importtime) imported it."""
    return any(line.rsplit("|", 1)[-1].strip().startswith("matplotlib") for line in
               importtime_log.splitlines())  # fmt: skip


def test_cold_warm_and_uncached_runs_write_the_same_bytes(tmp_path):
    cache = tmp_path / "cache"
    cold = _sheet(tmp_path / "cold", cache, "--jobs", "2", importtime=True)
    entries = sorted((cache / "symhw" / "figures").glob("*/*"))
    warm = _sheet(tmp_path / "warm", cache, "--jobs", "2", importtime=True)
    _sheet(tmp_path / "off", tmp_path / "unused", SYMHW_CACHE="off")
    _sheet(tmp_path / "serial", cache, "--jobs", "1")
    figures = _files(tmp_path / "cold")
    assert len([n for n in figures if n.startswith("hw2-figures/")]) == 12
    assert len(entries) == 12  # one entry per figure file
    for run in ("warm", "off", "serial"):
        assert _files(tmp_path / run) == figures, run
    committed = _files(REPO / "reports")
    assert {n: d for n, d in figures.items() if n.startswith("hw2-figures/")} == {
        n: d for n, d in committed.items() if n.startswith("hw2-figures/")
    }
    assert not (tmp_path / "unused" / "symhw").exists()  # SYMHW_CACHE=off: no cache
    assert _imports_matplotlib(cold.stderr)
    assert not _imports_matplotlib(warm.stderr)


def test_a_warm_run_in_one_process_never_imports_matplotlib(tmp_path):
    cache = tmp_path / "cache"
    code = (
        "import sys; from symhw.cli import main; "
        "main(['sheet', '-o', sys.argv[1], '--format', 'tex,md', '--jobs', '1']); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'matplotlib'))"
    )
    env = {**os.environ, "XDG_CACHE_HOME": str(cache)}
    runs = [
        subprocess.run([sys.executable, "-c", code, str(tmp_path / name)], cwd=REPO, env=env,
                       capture_output=True, text=True, check=True).stdout.splitlines()[-1]
        for name in ("cold", "warm")
    ]  # fmt: skip
    assert runs[0] != "[]" and runs[1] == "[]"


def _plot(y_last: float = 1.0) -> LinePlot:
    s = np.linspace(-2.0, 2.0, 5)
    y = np.tanh(s)
    y[-1] = y_last
    return LinePlot((Curve(("θ",), s, y),), ("s",), ("",))


@pytest.fixture
def counted(monkeypatch, tmp_path):
    """A cache of its own and a count of the formats actually drawn."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("SYMHW_CACHE", raising=False)
    drawn: list[str] = []
    real = figure_render.draw_all

    def draw_all(drawing, formats):
        drawn.extend(formats)
        return real(drawing, formats)

    monkeypatch.setattr(figure_render, "draw_all", draw_all)
    return drawn


def test_a_cached_figure_is_not_drawn_again(counted):
    first = figure_render.cached_draw(_plot(), ("pdf", "svg"))
    assert counted == ["pdf", "svg"]
    again = figure_render.cached_draw(_plot(), ("svg", "pdf"))
    assert counted == ["pdf", "svg"] and again == first[::-1]
    assert first == figure_render.draw_all(_plot(), ("pdf", "svg"))


def test_a_changed_drawing_is_drawn_again(counted):
    figure_render.cached_draw(_plot(), ("svg",))
    nudged = float(np.nextafter(1.0, 2.0))  # one unit in the last place
    assert figcache.key(_plot(nudged), "svg") != figcache.key(_plot(), "svg")
    assert figcache.key(_plot(), "pdf") != figcache.key(_plot(), "svg")
    figure_render.cached_draw(_plot(nudged), ("svg",))
    assert counted == ["svg", "svg"]


@pytest.mark.parametrize("damage", ["truncated", "flipped", "empty"])
def test_a_corrupt_entry_is_drawn_again_and_replaced(counted, damage):
    good = figure_render.cached_draw(_plot(), ("svg",))[0]
    entry = figcache.entries() / (figcache.key(_plot(), "svg") + ".svg")
    stored = entry.read_bytes()
    bad = {
        "truncated": stored[: len(stored) // 2],
        "flipped": stored[:-10] + bytes([stored[-10] ^ 1]) + stored[-9:],
        "empty": b"",
    }[damage]
    entry.write_bytes(bad)
    assert figure_render.cached_draw(_plot(), ("svg",))[0] == good
    assert counted == ["svg", "svg"]
    assert entry.read_bytes() == stored


def test_an_unwritable_cache_directory_is_skipped(counted, monkeypatch, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")  # no directory can be made under it, even as root
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    first = figure_render.cached_draw(_plot(), ("svg",))
    assert figure_render.cached_draw(_plot(), ("svg",)) == first
    assert counted == ["svg", "svg"]


@pytest.mark.parametrize("value", ["off", "OFF", "0"])
def test_symhw_cache_off_draws_every_time_and_stores_nothing(counted, monkeypatch, value):
    monkeypatch.setenv("SYMHW_CACHE", value)
    assert figcache.directory() is None
    figure_render.cached_draw(_plot(), ("svg",))
    figure_render.cached_draw(_plot(), ("svg",))
    assert counted == ["svg", "svg"]


def test_the_cache_lives_under_xdg_cache_home_or_home(monkeypatch, tmp_path):
    monkeypatch.delenv("SYMHW_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert figcache.directory() == tmp_path / "symhw" / "figures"
    for unset in ("", "relative/path"):  # the XDG spec: a relative path is ignored
        monkeypatch.setenv("XDG_CACHE_HOME", unset)
        assert figcache.directory() == Path.home() / ".cache" / "symhw" / "figures"


def test_keys_are_the_same_under_any_hash_seed():
    code = (
        "from symhw.spec import load_problem_set; from symhw.sheet import solve; "
        "from symhw.derivation import Figure; from symhw.render.figcache import key; "
        "print([key(p.drawing, 'svg') for q in load_problem_set(None).problems "
        "for p in solve(q).parts if isinstance(p, Figure)])"
    )
    keys = [
        subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True,
                       check=True, env={**os.environ, "PYTHONHASHSEED": seed}).stdout
        for seed in ("1", "2")
    ]  # fmt: skip
    assert keys[0] == keys[1] and keys[0].count("'") == 12


def test_every_file_of_the_drawing_code_is_in_the_key():
    symhw = REPO / "symhw"
    assert all((symhw / name).is_file() for name in figcache.CODE)
    drawing = {p.relative_to(symhw).as_posix() for p in (symhw / "render").glob("*.py")}
    drawing &= {"render/figures.py", "render/plots.py", "render/diagrams.py", "render/mpl.py"}
    assert drawing <= set(figcache.CODE)
    # labels are printed by render/expr.py, and so by the render modules it imports
    tree = ast.parse((symhw / "render" / "expr.py").read_text("utf-8"))
    printer = {
        node.module.removeprefix("symhw.").replace(".", "/") + ".py"
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("symhw.render.")
    }
    assert printer and printer <= set(figcache.CODE)


def test_a_run_expects_misses_until_this_codes_entries_exist(counted, monkeypatch):
    assert figcache.expect_misses()  # a new cache: the sheet imports matplotlib up front
    figure_render.cached_draw(_plot(), ("svg",))
    assert not figcache.expect_misses()
    assert figcache.entries().parent == figcache.directory()
    monkeypatch.setenv("SYMHW_CACHE", "off")
    assert figcache.expect_misses()
