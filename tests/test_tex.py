"""pdflatex runs: errors with their log lines, no shell escape, no file access outside the
work directory, and a run that ends however symhw stops."""

from __future__ import annotations

import os
import time

import pytest

from conftest import HAS_TEX
from symhw import tex
from symhw.errors import TexError
from symhw.tex import compile_pdf, relevant_log_lines

needs_tex = pytest.mark.skipif(not HAS_TEX, reason="needs pdflatex (CI installs TeX)")
DOC = "\\documentclass{{article}}\\begin{{document}}{}\\end{{document}}\n"


@needs_tex
def test_a_tex_failure_reports_the_log_lines(tmp_path):
    with pytest.raises(TexError, match="Undefined control sequence"):
        compile_pdf(DOC.format("\\undefinedmacro"), tmp_path)


def test_relevant_log_lines_picks_the_errors():
    log = "This is pdfTeX\n(./sheet.tex\n! Missing $ inserted.\n<inserted text>\nl.12 x^2\nmore\n"
    assert relevant_log_lines(log, context=2).splitlines() == [
        "! Missing $ inserted.",
        "<inserted text>",
        "l.12 x^2",
    ]


@pytest.fixture
def permissive(monkeypatch):
    """A user environment that allows everything: symhw's own settings must still win."""
    for name, value in (("shell_escape", "t"), ("openin_any", "a"), ("openout_any", "a")):
        monkeypatch.setenv(name, value)


@needs_tex
def test_shell_escape_runs_nothing(tmp_path, permissive):
    marker = tmp_path / "marker"
    work = tmp_path / "w"
    work.mkdir()
    compile_pdf(DOC.format(f"x\\immediate\\write18{{touch {marker}}}"), work)
    assert not marker.exists()


@needs_tex
@pytest.mark.parametrize("where", ["../secret", "ABS"])
def test_files_outside_the_work_directory_cannot_be_read(tmp_path, where, permissive):
    (tmp_path / "secret.tex").write_text("TOPSECRET\n")
    work = tmp_path / "w"
    work.mkdir()
    name = str(tmp_path / "secret") if where == "ABS" else where
    with pytest.raises(TexError):
        compile_pdf(DOC.format(f"\\input{{{name}}}"), work)
    assert not (work / "sheet.pdf").exists()


@needs_tex
def test_files_outside_the_work_directory_cannot_be_written(tmp_path, permissive):
    work = tmp_path / "w"
    work.mkdir()
    body = "\\newwrite\\f\\immediate\\openout\\f=../escaped.txt\\immediate\\write\\f{x}x"
    with pytest.raises(TexError):
        compile_pdf(DOC.format(body), work)
    assert not (tmp_path / "escaped.txt").exists()


def _processes_in(directory) -> list[int]:
    """Processes whose working directory is ``directory`` (Linux /proc)."""
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if os.readlink(f"/proc/{entry}/cwd") == str(directory):
                    pids.append(int(entry))
            except OSError:
                continue
    return pids


@needs_tex
@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="needs Linux /proc")
def test_a_run_over_its_time_is_killed_with_its_process_group(tmp_path, monkeypatch):
    monkeypatch.setattr(tex, "TIMEOUT", 1)
    start = time.monotonic()
    with pytest.raises(TexError, match="over 1 s"):
        compile_pdf(DOC.format("\\def\\loop{\\loop}\\loop"), tmp_path)  # never ends
    assert time.monotonic() - start < 30
    assert _processes_in(tmp_path) == []
