"""``symhw check`` from the command line: the built-in handwritten sheet by default, a
claims file of one's own, the report as JSON or Markdown, files written whole, and the
exit statuses (0 checked, 3 with --fail-on wrong and a wrong claim, 2 bad input)."""

from __future__ import annotations

import json
import shutil

import pytest

from conftest import HAS_TEX, REPO, run_cli
from symhw.tex import compile_pdf

needs_tex = pytest.mark.skipif(not HAS_TEX, reason="needs pdflatex (CI installs TeX)")


def test_the_builtin_sheet_as_json_counts_the_slips_found_by_hand():
    done = run_cli("check", "--json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert len(data["claims"]) == 69  # every claim transcribed from the sheet
    flagged = [c for c in data["claims"] if c["verdict"] != "correct"]
    assert len(flagged) == 21  # the slips listed in tests/test_check_verdict.py
    a = next(c for c in data["claims"] if c["name"] == "A")
    assert a["cells"][0]["row"] == 4 and a["cells"][0]["column"] == 8


def test_fail_on_wrong_exits_3(tmp_path):
    claims = tmp_path / "mine.toml"
    claims.write_text('problem_set = "hw2"\n[q3]\nbasic_params_bias = 18495\n')
    assert run_cli("check", str(claims), "--fail-on", "wrong").returncode == 3
    claims.write_text('problem_set = "hw2"\n[q3]\nbasic_params_bias = 18496\n')
    done = run_cli("check", str(claims), "--fail-on", "wrong")
    assert done.returncode == 0 and "1 correct" in done.stdout


def test_files_are_written_whole_into_the_output_directory(tmp_path):
    claims = tmp_path / "mine.toml"
    claims.write_text('problem_set = "hw2"\n[q4]\nfc_mean_shape = "1 x C"\n')
    done = run_cli("check", str(claims), "-o", str(tmp_path / "out"), "--format", "md,json")
    assert done.returncode == 0, done.stderr
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names == ["mine-check.json", "mine-check.md"]
    data = json.loads((tmp_path / "out" / "mine-check.json").read_text())
    assert data["counts"]["correct"] == 1


def test_bad_input_is_one_line_and_exit_2(tmp_path):
    claims = tmp_path / "mine.toml"
    claims.write_text('problem_set = "hw2"\n[q9]\nx = 1\n')
    done = run_cli("check", str(claims))
    assert done.returncode == 2 and "q9" in done.stderr and "Traceback" not in done.stderr
    assert run_cli("check", "-o", str(tmp_path), "--format", "docx").returncode == 2
    assert run_cli("check", "--format", "md").returncode == 2  # --format without -o
    missing = run_cli("check", str(tmp_path / "nothing.toml"))
    assert missing.returncode == 2 and "Traceback" not in missing.stderr


@pytest.mark.parametrize("suffix", ["tex", "md", "json"])
def test_committed_feedback_is_what_the_code_generates(feedback_files, suffix):
    committed = (REPO / "reports" / f"hw2-check.{suffix}").read_bytes()
    assert (feedback_files / f"hw2-check.{suffix}").read_bytes() == committed, (
        f"reports/hw2-check.{suffix} is stale: regenerate it with `symhw check -o reports`"
    )


@needs_tex
def test_the_feedback_sheet_compiles_without_an_overfull_box(feedback_files, tmp_path):
    tex = (feedback_files / "hw2-check.tex").read_text("utf-8")
    compile_pdf(tex, tmp_path)
    log = (tmp_path / "sheet.log").read_text("utf-8", errors="replace")
    assert "Overfull \\" not in log


@pytest.fixture(scope="module")
def feedback_files(tmp_path_factory):
    """The built-in feedback written as into reports/: beside the answer key (its PDF and
    Markdown), so that it links into it."""
    out = tmp_path_factory.mktemp("feedback")
    for suffix in ("md", "pdf"):
        shutil.copy(REPO / "reports" / f"hw2.{suffix}", out)
    done = run_cli("check", "-o", str(out), "--format", "tex,md,json", hashseed="3")
    assert done.returncode == 0, done.stderr
    return out


def test_several_files_each_get_their_report(tmp_path):
    """A class's files on one problem set: one report each, all written or none."""
    for name, total in (("ann", 18496), ("bob", 18495)):
        (tmp_path / f"{name}.toml").write_text(
            f'problem_set = "hw2"\n[q3]\nbasic_params_bias = {total}\n'
        )
    out = tmp_path / "out"
    done = run_cli(
        "check", str(tmp_path / "ann.toml"), str(tmp_path / "bob.toml"),
        "-o", str(out), "--format", "json", "--fail-on", "wrong",
    )  # fmt: skip
    assert done.returncode == 3, done.stderr  # bob's total is wrong
    ann, bob = (json.loads((out / f"{n}-check.json").read_text()) for n in ("ann", "bob"))
    assert ann["counts"]["correct"] == 1 and bob["counts"]["wrong"] == 1


def test_a_class_of_files_written_side_by_side_is_what_each_alone_writes(tmp_path):
    """Nine files (from RENDER_IN_WORKERS = 8 on, rendered in workers): each one's sheets
    are byte for byte what checking it alone writes."""
    from symhw.feedback import RENDER_IN_WORKERS

    claims = tmp_path / "in"
    claims.mkdir()
    for i in range(RENDER_IN_WORKERS + 1):
        (claims / f"s{i}.toml").write_text(
            f'problem_set = "hw2"\n[q3]\nbasic_params_bias = {18490 + i}\n', "utf-8"
        )
    paths = sorted(str(p) for p in claims.iterdir())
    done = run_cli("check", *paths, "-o", str(tmp_path / "all"), "--format", "md,json")
    assert done.returncode == 0, done.stderr
    alone = run_cli("check", paths[3], "-o", str(tmp_path / "one"), "--format", "md,json")
    assert alone.returncode == 0, alone.stderr
    for name in ("s3-check.md", "s3-check.json"):
        assert (tmp_path / "all" / name).read_bytes() == (tmp_path / "one" / name).read_bytes()
    assert len(list((tmp_path / "all").iterdir())) == 2 * (RENDER_IN_WORKERS + 1)
