"""``symhw variants``: a class set of HW2 (examples/hw2-class.toml), a folder per variant
with its question sheet, answer key, claims template and problem set, and a manifest.
The answers are checked against torch autograd; the question sheets must not hold them;
the files are the same byte for byte across runs, hash seeds and --count; a rerun redoes
only what is missing; bad rosters and broken variants are reported."""

from __future__ import annotations

import json
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest

from conftest import HAS_TEX, REPO, run_cli, torch_activations
from symhw.cli import main
from symhw.spec import draw_problem_set, load_problem_set

SPEC = str(REPO / "examples" / "hw2-class.toml")
SEED = "2026"


def _run(out: Path, *more: str, hashseed: str = "1") -> subprocess.CompletedProcess:
    return run_cli("variants", SPEC, "--seed", SEED, "-o", str(out), *more, hashseed=hashseed)


@pytest.fixture(scope="module")
def class_dir(tmp_path_factory) -> Path:
    """Three variants, LaTeX only, by two workers."""
    out = tmp_path_factory.mktemp("class")
    done = _run(out, "--count", "3", "--format", "tex", "--jobs", "2")
    assert done.returncode == 0, done.stderr
    return out


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def _manifest(out: Path) -> dict:
    return json.loads((out / "manifest.json").read_text("utf-8"))


def test_every_variant_has_its_files(class_dir):
    manifest = _manifest(class_dir)
    assert list(manifest["variants"]) == ["1", "2", "3"] and manifest["failed"] == {}
    for vid in ("1", "2", "3"):
        names = set(_files(class_dir / vid))
        assert {
            "hw2-class-questions.tex",
            "hw2-class.tex",
            "claims.toml",
            "problems.toml",
            "variant.json",
        } <= names
        assert any(n.startswith("hw2-class-figures/") for n in names)  # the key's figures
        assert manifest["variants"][vid]["seed"] == int(SEED)


def test_variants_differ_and_problems_toml_loads_to_the_drawn_variant(class_dir):
    """problems.toml holds the variant's parameters only (no answer, no vary table) and
    loads to the very problems draw_problem_set gives for that id."""
    base = load_problem_set(SPEC)
    weights = []
    for vid in ("1", "2", "3"):
        path = class_dir / vid / "problems.toml"
        text = path.read_text("utf-8")
        assert "vary" not in text and "delta" not in text
        mine = load_problem_set(path)
        drawn = draw_problem_set(base, int(SEED), vid)
        assert [p.params for p in mine.problems] == [p.params for p in drawn.problems]
        weights.append(mine.problems[1].params.weights)
    assert len(set(weights)) == 3


def _q2_torch(parameters: dict) -> dict:
    """∂e/∂W⁽ˡ⁾ of the 1-2-1-1 network by torch autograd, from the manifest's parameters
    (row 0 of each W is the bias row; e = (x⁽³⁾ − y)²)."""
    import torch

    theta = torch_activations()
    mats = []
    for w in parameters["weights"]:
        rows = [[float(Decimal(v)) for v in r] if isinstance(r, list) else [float(r)] for r in w]
        mats.append(torch.tensor(rows, dtype=torch.float64, requires_grad=True))
    x = torch.tensor([float(parameters["x"])], dtype=torch.float64)
    for w, act in zip(mats, parameters["activations"], strict=True):
        x = theta[act](torch.cat([torch.ones(1, dtype=torch.float64), x]) @ w)
    e = ((x - float(parameters["y"])) ** 2).sum()
    e.backward()
    return {f"grad_W{i}": w.grad.tolist() for i, w in enumerate(mats, start=1)} | {"e": e.item()}


def test_the_manifest_answers_agree_with_torch_autograd(class_dir):
    for vid, entry in _manifest(class_dir)["variants"].items():
        oracle = _q2_torch(entry["parameters"]["q2"])
        answers = entry["answers"]["q2"]
        assert answers["e"] == pytest.approx(oracle["e"], rel=1e-12), vid
        for name in ("grad_W1", "grad_W2", "grad_W3"):
            got = [v for row in answers[name] for v in row]
            want = [v for row in oracle[name] for v in row]
            assert got == pytest.approx(want, rel=1e-10, abs=1e-12), (vid, name)


def _printed_answers(entry: dict) -> list[str]:
    """The variant's answers as the key prints them: q2's numbers at its 4 decimals (an
    entry that is not a whole number), q3's counts of 1,000 and more grouped in threes."""
    out = []
    for name, value in entry["answers"]["q2"].items():
        if name.startswith(("x", "s", "delta", "grad", "e")) and name != "x0":
            flat = json.dumps(value).replace("[", "").replace("]", "").split(",")
            out += [f"{abs(float(v)):.4f}" for v in flat if float(v) != int(float(v))]
    for value in entry["answers"]["q3"].values():
        for v in value if isinstance(value, list) else [value]:
            if isinstance(v, int) and v >= 1000:
                out.append(f"{v:,}".replace(",", "\\,"))
    return sorted(set(out))


def test_question_sheets_hold_no_answer(class_dir):
    """Each answer the key prints (found in the key: the check is not vacuous) is not in
    the question sheet, whose statements give the variant's own numbers."""
    for vid, entry in _manifest(class_dir)["variants"].items():
        key = (class_dir / vid / "hw2-class.tex").read_text("utf-8")
        questions = (class_dir / vid / "hw2-class-questions.tex").read_text("utf-8")
        printed = [a for a in _printed_answers(entry) if a in key]
        assert len(printed) >= 15, (vid, printed)
        assert [a for a in printed if a in questions] == []
        weights = entry["parameters"]["q2"]["weights"]
        shown = [format(abs(Decimal(v)).normalize(), "f") for v in weights[1]]
        assert all(v in questions for v in shown)  # its own numbers (1.0 is shown 1)
        assert "boxed" not in questions and "Part I" not in questions


def test_same_files_across_runs_hash_seeds_and_count(class_dir, tmp_path):
    """Variants 1 and 2 of --count 2, in another process with another PYTHONHASHSEED, are
    the same bytes as variants 1 and 2 of --count 3."""
    done = _run(tmp_path, "--count", "2", "--format", "tex", "--jobs", "1", hashseed="99")
    assert done.returncode == 0, done.stderr
    for vid in ("1", "2"):
        assert _files(tmp_path / vid) == _files(class_dir / vid)
    assert _manifest(tmp_path)["variants"]["2"] == _manifest(class_dir)["variants"]["2"]


def test_a_rerun_writes_only_what_is_missing(class_dir, tmp_path):
    out = tmp_path / "class"
    shutil.copytree(class_dir, out)
    (out / "2" / "hw2-class-questions.tex").unlink()
    (out / "manifest.json").unlink()
    before = {p: p.stat().st_mtime_ns for p in (out / "1").rglob("*")}
    done = _run(out, "--count", "3", "--format", "tex", "--jobs", "1")
    assert done.returncode == 0, done.stderr
    assert [line.split(": ")[1] for line in done.stdout.splitlines()[:3]] == [
        "kept",
        "written",
        "kept",
    ]
    assert {p: p.stat().st_mtime_ns for p in (out / "1").rglob("*")} == before
    for vid in ("1", "2", "3"):
        assert _files(out / vid) == _files(class_dir / vid)
    assert _manifest(out) == _manifest(class_dir)


def test_detail_and_formats_are_those_asked_for(tmp_path):
    """--detail full adds the appendix to the key; md and json: the key in both, the
    question sheet in Markdown only (its JSON would be the answers)."""
    done = _run(tmp_path, "--count", "1", "--format", "md,json", "--detail", "full")
    assert done.returncode == 0, done.stderr
    names = set(_files(tmp_path / "1"))
    assert {"hw2-class.md", "hw2-class.json", "hw2-class-questions.md"} <= names
    assert not any(n.endswith((".tex", ".pdf")) or n == "hw2-class-questions.json" for n in names)
    assert "# Part II" in (tmp_path / "1" / "hw2-class.md").read_text("utf-8")
    assert _manifest(tmp_path)["detail"] == "full"


@pytest.mark.parametrize(
    "roster,message",
    [
        ("id,name\nann,Ann\nbob,Bob\nann,Ann again\n", "line 4: id 'ann' is already on line 2"),
        ("id,name\nann,Ann\nBob,B\nbob,b\n", "line 4: id 'bob' is already on line 3"),
        ("id\nann\n../etc\n", "line 3: id '../etc' is not a valid student id"),
        ('id\nann\n""\n', "line 3: id '' is not a valid student id"),
        ("name\nann\n", "has no id column"),
    ],
)
def test_roster_errors_exit_2_and_write_nothing(tmp_path, capsys, roster, message):
    path = tmp_path / "roster.csv"
    path.write_text(roster, "utf-8")
    out = tmp_path / "out"
    assert main(["variants", SPEC, "--roster", str(path), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert message in err and "--roster" in err and len(err.strip().splitlines()) == 1
    assert not out.exists()


def test_a_broken_variant_is_reported_and_the_others_are_written(tmp_path, capsys, monkeypatch):
    """A TeX failure in variant 2 only: 1 and 3 are written, 2 has no record, the manifest
    lists it as failed, and the exit status is 1 with a summary naming it."""
    import symhw.classset as classset
    from symhw.errors import TexError

    real = classset.question_tex

    def broken(title, variant, solutions):
        if variant == "2":
            raise TexError("pdflatex failed:\n! Undefined control sequence.")
        return real(title, variant, solutions)

    monkeypatch.setattr(classset, "question_tex", broken)
    args = ["variants", SPEC, "--count", "3", "--format", "tex", "-j", "1", "-o", str(tmp_path)]
    assert main(args) == 1
    err = capsys.readouterr().err
    assert "variant 2 failed: pdflatex failed" in err and "1 of 3 variants failed (2)" in err
    assert all((tmp_path / vid / "variant.json").is_file() for vid in ("1", "3"))
    assert not (tmp_path / "2").exists()
    manifest = _manifest(tmp_path)
    assert list(manifest["variants"]) == ["1", "3"] and list(manifest["failed"]) == ["2"]


@pytest.mark.skipif(not HAS_TEX, reason="pdflatex is not installed")
def test_a_roster_variant_in_pdf(tmp_path):
    """One student of a roster, tex and pdf: the key compiles, the question sheet's text
    (pdftotext) holds none of the answers, and the filled-in template is checked against
    this student's own key."""
    roster = tmp_path / "roster.csv"
    roster.write_text("name,id\nAnn Lee,s-017\n", "utf-8")
    out = tmp_path / "out"
    done = _run(out, "--roster", str(roster), "--format", "tex,pdf")
    assert done.returncode == 0, done.stderr
    folder = out / "s-017"
    assert (folder / "hw2-class.pdf").read_bytes().startswith(b"%PDF")
    text = subprocess.run(
        ["pdftotext", str(folder / "hw2-class-questions.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    squeezed = "".join(text.split())
    entry = _manifest(out)["variants"]["s-017"]
    printed = [a.replace("\\,", "") for a in _printed_answers(entry)]
    assert printed and [a for a in printed if a in squeezed] == []
    assert "Variant s-017" in text
    _check_filled_template(folder, entry)


def _check_filled_template(folder: Path, entry: dict) -> None:
    """delta2 of this variant at 4 decimals, and a wrong e: correct and wrong."""
    import symhw

    delta2 = entry["answers"]["q2"]["delta2"][0]
    claims = (folder / "claims.toml").read_text("utf-8")
    claims = claims.replace("# delta2 = _ ", f"delta2 = {delta2:.4f} ", 1)
    claims = claims.replace("# e = _ ", f"e = {entry['answers']['q2']['e'] + 1:.4f} ", 1)
    (folder / "claims.toml").write_text(claims, "utf-8")
    report = symhw.check(str(folder / "claims.toml"))
    assert report.counts()["correct"] == 1 and report.counts()["wrong"] == 1


@pytest.mark.skipif(not HAS_TEX, reason="pdflatex is not installed")
def test_fifty_variants_every_key_compiles_and_no_question_sheet_holds_an_answer(tmp_path):
    """The issue's class of 50: every variant's key and question sheet compile (a TeX
    failure would be a failed variant), and no question sheet's text holds an answer its
    key prints."""
    out = tmp_path / "out"
    done = _run(out, "--count", "50", "--format", "pdf", "--jobs", "2")
    assert done.returncode == 0, done.stderr
    manifest = _manifest(out)
    assert len(manifest["variants"]) == 50 and manifest["failed"] == {}
    for vid, entry in manifest["variants"].items():
        key = subprocess.run(["pdftotext", str(out / vid / "hw2-class.pdf"), "-"],
                             capture_output=True, text=True, check=True).stdout  # fmt: skip
        questions = subprocess.run(
            ["pdftotext", str(out / vid / "hw2-class-questions.pdf"), "-"],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
        key, questions = "".join(key.split()), "".join(questions.split())
        printed = [a.replace("\\,", "") for a in _printed_answers(entry)]
        printed = [a for a in printed if a in key]
        assert len(printed) >= 10, (vid, printed)  # the check is not vacuous
        assert [a for a in printed if a in questions] == [], vid
