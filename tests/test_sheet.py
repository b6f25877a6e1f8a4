"""The built-in sheet: committed reports match, output is deterministic, the PDF compiles."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess

import pytest

from conftest import HAS_TEX, REPO, run_cli
from symhw.errors import InputError
from symhw.sheet import atomic_write, atomic_write_all, sheet_texts, write_sheet
from symhw.spec import load_problem_set
from symhw.tex import compile_pdf


@pytest.mark.parametrize("suffix", ["tex", "md", "json"])
def test_committed_reports_are_what_the_code_generates(default_sheet, suffix):
    committed = (REPO / "reports" / f"hw2.{suffix}").read_bytes()
    assert (default_sheet / f"hw2.{suffix}").read_bytes() == committed, (
        f"reports/hw2.{suffix} is stale: regenerate it with `symhw sheet`"
    )


def test_two_runs_under_different_hash_seeds_are_byte_identical(default_sheet, tmp_path):
    done = run_cli("sheet", "-o", str(tmp_path), "--format", "tex,md,json", hashseed="2")
    assert done.returncode == 0, done.stderr
    for name in _sheet_files(default_sheet):
        assert (tmp_path / name).read_bytes() == (default_sheet / name).read_bytes(), name


def _sheet_files(directory) -> list[str]:
    """The text files of a sheet and its figures (a PDF sheet is compared apart)."""
    figures = sorted(p.name for p in (directory / "hw2-figures").iterdir())
    assert figures, "no figure written"
    return [f"hw2.{s}" for s in ("tex", "md", "json")] + [f"hw2-figures/{f}" for f in figures]


def test_solving_in_this_process_gives_the_same_files_as_two_workers(default_sheet, tmp_path):
    done = run_cli("sheet", "-o", str(tmp_path), "--format", "tex,md,json", "--jobs", "1")
    assert done.returncode == 0, done.stderr
    for name in _sheet_files(default_sheet):
        assert (tmp_path / name).read_bytes() == (default_sheet / name).read_bytes(), name


@pytest.mark.skipif(not HAS_TEX, reason="needs pdflatex (CI installs TeX)")
def test_pdf_compiles_and_shows_the_answers(default_sheet):
    pdf = default_sheet / "hw2.pdf"
    assert pdf.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftotext") is None:
        pytest.skip("needs pdftotext (poppler-utils)")
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "q1. Gradient of the tanh squared-error loss" in text
    assert text.count("equalities verified") == 5  # one summary per question
    assert "1 − tanh" in text or "1 - tanh" in text  # θ'(s) = 1 − tanh²(s), boxed
    # hand-checked numbers of questions 2-5 (see test_mlp_backprop, test_block_params, ...)
    for shown in ("-1.3503", "−1.368", "= 18 496", "= 17 600", "= 1 × C", "= 1 × 1 × 1 × C"):
        assert shown in text, shown
    assert "NOT verified" not in text and "not verified" not in text


@pytest.mark.skipif(not HAS_TEX, reason="needs pdflatex (CI installs TeX)")
def test_pdf_is_reproducible(default_sheet, tmp_path):
    done = run_cli("sheet", "-o", str(tmp_path), "--format", "pdf", hashseed="3")
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "hw2.pdf").read_bytes() == (default_sheet / "hw2.pdf").read_bytes()


@pytest.mark.skipif(not HAS_TEX, reason="needs pdflatex (CI installs TeX)")
def test_nothing_runs_into_the_margin_and_nothing_is_shrunk(default_sheet, tmp_path):
    """Wide matrices, sums and tables are reflowed, never scaled: TeX reports no overfull
    box, and the source has no command that scales."""
    tex = (default_sheet / "hw2.tex").read_text("utf-8")
    for scaling in ("\\resizebox", "\\scalebox", "\\adjustbox", "\\fitbox"):
        assert scaling not in tex, scaling
    shutil.copytree(default_sheet / "hw2-figures", tmp_path / "hw2-figures")
    compile_pdf(tex, tmp_path)
    log = (tmp_path / "sheet.log").read_text("utf-8", errors="replace")
    assert "Overfull \\" not in log  # too wide, or too tall for a page (cut off)


def test_unknown_format_leaves_no_file(tmp_path):
    with pytest.raises(InputError, match="unknown format 'docx'"):
        write_sheet(load_problem_set(), tmp_path / "out", ["tex", "docx"])
    assert not (tmp_path / "out").exists()


def test_atomic_write_replaces_whole_files(tmp_path):
    target = tmp_path / "a.txt"
    target.write_text("old")
    atomic_write(target, b"new")
    assert target.read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt"]  # no temp file left


def test_a_failed_write_leaves_every_target_as_it_was(tmp_path):
    """The second file cannot be written (its directory is missing): the first, though
    written to a temporary file, is not renamed over the old one."""
    first = tmp_path / "a.tex"
    first.write_text("old")
    with pytest.raises(FileNotFoundError):
        atomic_write_all({first: b"new", tmp_path / "missing" / "a.md": b"new"})
    assert first.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.tex"]


def test_a_directory_where_a_file_goes_stops_before_any_file_is_replaced(tmp_path):
    first = tmp_path / "a.tex"
    first.write_text("old")
    (tmp_path / "a.md").mkdir()
    with pytest.raises(IsADirectoryError):
        atomic_write_all({first: b"new", tmp_path / "a.md": b"new"})
    assert first.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.md", "a.tex"]


def test_sheet_texts_refuses_an_unknown_format():
    with pytest.raises(InputError, match="unknown format 'docx'"):
        sheet_texts(load_problem_set(), iter(["md", "docx"]))


def test_without_tex_the_default_formats_skip_pdf_and_say_so(tmp_path, monkeypatch, capsys):
    import symhw.tex
    from symhw.cli import main

    monkeypatch.setattr(symhw.tex.shutil, "which", lambda name: None)
    assert main(["sheet", "-o", str(tmp_path)]) == 0
    assert "pdflatex not found" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "hw2-figures",
        "hw2.json",
        "hw2.md",
        "hw2.tex",
    ]
    # asking for a PDF explicitly is an input error that names the fix
    assert main(["sheet", "-o", str(tmp_path / "x"), "--format", "pdf"]) == 2
    assert "install TeX" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()


def _one_problem(tmp_path):
    spec = tmp_path / "one.toml"
    spec.write_text('[[problems]]\nid = "q"\nkind = "norm-shapes"\n', "utf-8")
    return spec


def test_an_output_path_that_is_a_file_exits_2_and_keeps_it(tmp_path, capsys):
    from symhw.cli import main

    afile = tmp_path / "afile"
    afile.write_text("keep", "utf-8")
    assert main(["sheet", str(_one_problem(tmp_path)), "-o", str(afile), "--format", "md"]) == 2
    assert "field '-o'" in capsys.readouterr().err and afile.read_text("utf-8") == "keep"


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="needs Linux /proc")
def test_an_unwritable_output_directory_exits_2(tmp_path, capsys):
    """/proc takes no new directories, even from root (which CI runs as)."""
    from symhw.cli import main

    out = "/proc/symhw-no-such-dir"
    assert main(["sheet", str(_one_problem(tmp_path)), "-o", out, "--format", "md"]) == 2
    assert "field '-o': cannot write '/proc/symhw-no-such-dir'" in capsys.readouterr().err


class _Stop(Exception):
    pass


@pytest.mark.skipif(not hasattr(signal, "pthread_sigmask"), reason="POSIX signal masks")
def test_a_signal_during_the_renames_waits_until_every_file_is_in_place(tmp_path, monkeypatch):
    """All or nothing: a stop that lands between two renames is held until the set is done."""
    files = {tmp_path / f"s.{ext}": b"new" for ext in ("tex", "md", "json")}
    for path in files:
        path.write_bytes(b"old")
    real_replace = os.replace

    def replace_and_get_stopped(src, dst):
        os.kill(os.getpid(), signal.SIGTERM)  # lands during the first rename
        real_replace(src, dst)

    def stop(signum, frame):
        raise _Stop

    previous = signal.signal(signal.SIGTERM, stop)
    monkeypatch.setattr(os, "replace", replace_and_get_stopped)
    try:
        with pytest.raises(_Stop):
            atomic_write_all(files)
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert [p.read_bytes() for p in files] == [b"new"] * 3
