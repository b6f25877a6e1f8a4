"""``symhw grade``: a synthetic class of a 1-2-1 tanh network (q2) and a residual block's
parameters (q3), each student on their own variant. The answers they write are computed
here, from each variant's drawn parameters, by torch autograd and by the counting formula
(k·k·C_in·C_out + C_out per convolution; a basic block: two 3 × 3, C to C channels):
correct, rounded as by hand, an error carried forward, a sign flipped, unreadable, nothing
at all, and a file for an unknown id. The grades must be what the scoring rule gives those
verdicts."""

from __future__ import annotations

import csv
import io
import json
import math
import shutil
import subprocess
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path

import pytest
import torch

from conftest import HAS_TEX, run_cli
from symhw.cli import main

SPEC = """\
title = "A class"
name = "cls"

[[problems]]
id = "q2"
kind = "mlp-backprop"
weights = [[[0.1, 0.2], [0.3, 0.4]], [0.2, 1, -3]]
activations = ["tanh", "identity"]
x = 2
y = 1
rounding = 2

[problems.vary]
weights = { range = [-1, 1], decimals = 1, exclude = [0] }
x = { range = [1, 3] }

[problems.vary.require]
max_abs_s = 3
answers_nonzero = true

[[problems]]
id = "q3"
kind = "block-params"
input = [16, 8, 8]
layout = "NHWC"
bias = "both"
blocks = [{ kind = "basic", channels = 16 }]

[problems.vary]
blocks = [{ channels = { choices = [8, 16, 32] } }]

[grading]
points = 1
rounding = 0.5
carried = 0.5

[grading.answers]
q2 = { delta1 = 2, grad_W1 = 2 }
"""
STUDENTS = ("ann", "bob", "cai", "dee", "eve")


def _d(value: float) -> Decimal:
    return Decimal(repr(value))


def _hand(value, k: int) -> Decimal:
    """Rounded to k decimals as by hand: halves away from zero."""
    return (value if isinstance(value, Decimal) else _d(value)).quantize(
        Decimal(1).scaleb(-k), rounding=ROUND_HALF_UP
    )


def _torch(w1, w2, x, y) -> dict:
    """s⁽²⁾, δ⁽¹⁾ and ∂e/∂W⁽¹⁾ of the 1-2-1 network by torch autograd (float64)."""
    W1 = torch.tensor(w1, dtype=torch.float64, requires_grad=True)
    w2t = torch.tensor(w2, dtype=torch.float64)
    x0 = torch.tensor([1.0, x], dtype=torch.float64)
    s1 = W1.T @ x0
    s1.retain_grad()
    x1 = torch.cat([torch.ones(1, dtype=torch.float64), torch.tanh(s1)])
    s2 = w2t @ x1
    ((s2 - y) ** 2).backward()
    return {"s2": s2.item(), "delta1": s1.grad.tolist(), "grad_W1": W1.grad.tolist()}


def _conv(k: int, c_in: int, c_out: int) -> int:
    return k * k * c_in * c_out + c_out


def _variant_numbers(params: dict) -> tuple:
    q2 = params["q2"]
    w1, w2 = ([[float(v) for v in row] for row in q2["weights"][0]],
              [float(v) for v in q2["weights"][1]])  # fmt: skip
    return w1, w2, float(q2["x"]), 1.0, params["q3"]["blocks"][0]["channels"]


def _submissions(manifest: dict, folder: Path) -> dict[str, dict[str, tuple[str, Fraction]]]:
    """Each student's file written, and what each answer they give must be graded:
    (verdict, points) by the rule of SPEC."""
    expected: dict[str, dict[str, tuple[str, Fraction]]] = {}
    for sid in STUDENTS[:4]:
        w1, w2, x, y, channels = _variant_numbers(manifest["variants"][sid]["parameters"])
        t = _torch(w1, w2, x, y)
        basic = 2 * _conv(3, channels, channels)  # a basic block: two 3 × 3, C to C
        lines, grades = ['problem_set = "problems.toml"', "[q2]"], {}
        if sid == "ann":  # every value right, at four decimals
            lines += [f"s2 = {_hand(t['s2'], 4)}", _vector("delta1", t["delta1"])]
            grades |= {"s2": ("correct", 1), "delta1": ("correct", 2)}
        elif sid == "bob":  # δ⁽¹⁾ by hand, the forward values rounded to two decimals
            written = _by_hand(w1, w2, x, y, 2)
            exact = [_hand(v, 2) for v in t["delta1"]]
            lines.append(f"delta1 = [{', '.join(map(str, written))}]")
            grades["delta1"] = ("correct", 2) if written == exact else ("rounding", 1)
        elif sid == "cai":  # δ⁽¹⁾ off by one in its first entry, ∂e/∂W⁽¹⁾ from it
            delta = [round(v, 4) + (1 if i == 0 else 0) for i, v in enumerate(t["delta1"])]
            grad = [[round(a * d, 4) for d in delta] for a in (1.0, x)]
            lines += [
                _vector("delta1", delta),
                "[[q2.claims]]",
                'name = "grad_W1"',
                "steps = ['\\frac{\\partial e}{\\partial w^1} = x^0 (\\delta^1)^T', "
                f"'= {_bmatrix(grad)}']",
            ]
            grades |= {"delta1": ("wrong", 0), "grad_W1": ("carried", 1)}
        else:  # dee: s⁽²⁾ with its sign flipped, δ⁽¹⁾ unreadable
            lines += [f"s2 = {-_hand(t['s2'], 4)}", 'delta1 = "[1 +* 2]"']
            grades |= {"s2": ("wrong", 0), "delta1": ("unparsable", 0)}
        lines += ["[q3]", f"basic_params_bias = {basic + (1 if sid == 'dee' else 0)}"]
        grades["basic_params_bias"] = ("wrong", 0) if sid == "dee" else ("correct", 1)
        (folder / f"{sid}.toml").write_text("\n".join(lines) + "\n", "utf-8")
        expected[sid] = {k: (v, Fraction(p)) for k, (v, p) in grades.items()}
    (folder / "zed.toml").write_text("[q3]\nbasic_params_bias = 1\n", "utf-8")  # no such id
    (folder / "README.txt").write_text("not a submission", "utf-8")
    return expected


def _by_hand(w1, w2, x, y, k: int) -> list[Decimal]:
    """δ⁽¹⁾ as a student computes it: s⁽¹⁾, x⁽¹⁾ and s⁽²⁾ rounded to k decimals, θ′ = 1 − x²
    from the rounded x, then the result rounded to k decimals."""
    s1 = [_hand(_d(w1[0][j]) + _d(w1[1][j]) * _d(x), k) for j in range(2)]
    x1 = [_hand(math.tanh(s), k) for s in s1]
    s2 = _hand(_d(w2[0]) + sum(_d(w) * a for w, a in zip(w2[1:], x1, strict=True)), k)
    delta2 = 2 * (s2 - _d(y))
    return [_hand((1 - a * a) * _d(w) * delta2, k) for a, w in zip(x1, w2[1:], strict=True)]


def _vector(name: str, values) -> str:
    return f"{name} = [{', '.join(f'{v:.4f}' for v in values)}]"


def _bmatrix(rows) -> str:
    body = r" \\ ".join(" & ".join(f"{v:.4f}" for v in row) for row in rows)
    return rf"\begin{{bmatrix}} {body} \end{{bmatrix}}"


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> tuple[Path, dict]:
    root = tmp_path_factory.mktemp("grade")
    (root / "spec.toml").write_text(SPEC, "utf-8")
    (root / "roster.csv").write_text("id,name\n" + "".join(f"{s},{s}\n" for s in STUDENTS))
    made = run_cli("variants", str(root / "spec.toml"), "--roster", str(root / "roster.csv"),
                   "--format", "tex", "-o", str(root / "class"))  # fmt: skip
    assert made.returncode == 0, made.stderr
    manifest = json.loads((root / "class" / "manifest.json").read_text("utf-8"))
    (root / "subs").mkdir()
    expected = _submissions(manifest, root / "subs")
    done = run_cli("grade", str(root / "class"), str(root / "subs"), "-o", str(root / "out"),
                   "--format", "md,json")  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "zed.toml" in done.stderr
    return root, expected


def _rows(path: Path) -> list[dict]:
    return list(csv.DictReader(io.StringIO(path.read_text("utf-8"))))


def test_each_answer_given_gets_the_verdict_and_points_of_the_rule(graded):
    root, expected = graded
    rows = _rows(root / "out" / "grades.csv")
    got = {
        (r["student"], r["answer"]): (r["verdict"], Fraction(r["points"]))
        for r in rows
        if r["verdict"] != "missing"
    }
    want = {(s, a): g for s, answers in expected.items() for a, g in answers.items()}
    assert got == want
    assert {r["student"] for r in rows} == set(STUDENTS)  # eve too, every answer missing
    assert all(r["verdict"] == "missing" for r in rows if r["student"] == "eve")


def test_totals_add_up_the_points_and_say_what_the_answers_are_worth(graded):
    root, expected = graded
    totals = {r["student"]: r for r in _rows(root / "out" / "totals.csv")}
    for sid in STUDENTS:
        points = sum((p for _, p in expected.get(sid, {}).values()), start=Fraction(0))
        assert Fraction(totals[sid]["points"]) == points
    # q2's answers of a 1-2-1 network (x0 x1 x2 s1 s2 delta1 delta2 grad_W1 grad_W2 e)
    # with two worth 2 points, q3's of one basic block: every student the same
    assert len({t["max_points"] for t in totals.values()}) == 1
    assert totals["eve"]["submission"] == ""


def test_the_summary_counts_verdicts_per_answer_and_lists_what_was_not_graded(graded):
    root, _ = graded
    summary = (root / "out" / "class-summary.md").read_text("utf-8")
    assert "4 of 5 students graded" in summary and "`eve`" in summary
    assert "`zed.toml`: no variant has this id" in summary
    assert "`README.txt`" in summary
    row = next(line for line in summary.splitlines() if line.startswith("| `q2.s2`"))
    assert "sign flipped (1)" in row
    assert "| `eve` | none | 0 |" in summary
    feedback = sorted(p.name for p in (root / "out" / "feedback").iterdir())
    assert feedback == [f"{s}-check.{f}" for s in STUDENTS[:4] for f in ("json", "md")]


def test_a_feedback_sheet_says_whose_it_is_its_points_and_what_was_not_answered(graded):
    root, expected = graded
    ann = json.loads((root / "out" / "feedback" / "ann-check.json").read_text("utf-8"))
    points = sum((p for _, p in expected["ann"].values()), start=Fraction(0))
    assert ann["grade"]["student"] == "ann" and Fraction(ann["grade"]["points"]) == points
    assert "q2.grad_W1" in ann["grade"]["missing"] and "q2.s2" not in ann["grade"]["missing"]
    sheet = (root / "out" / "feedback" / "ann-check.md").read_text("utf-8")
    assert f"**`ann`: {points} of " in sheet and "answer key of your variant" in sheet


def test_grading_twice_gives_the_same_files(graded, tmp_path):
    root, _ = graded
    again = run_cli("grade", str(root / "class" / "manifest.json"), str(root / "subs"),
                    "-o", str(tmp_path), "--format", "md,json", hashseed="7")  # fmt: skip
    assert again.returncode == 0, again.stderr
    for path in (root / "out").rglob("*"):
        if path.is_file():
            assert (tmp_path / path.relative_to(root / "out")).read_bytes() == path.read_bytes()


def test_every_bad_submission_is_named_in_one_error_and_nothing_is_written(
    graded, tmp_path, capsys
):
    root, _ = graded
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "ann.toml").write_text("[q7]\nx = 1\n", "utf-8")  # a problem ann's variant lacks
    (subs / "bob.toml").write_text("[q2\n", "utf-8")  # not TOML
    (subs / "cai.toml").write_text("[q3]\nbasic_params_bias = 1\n", "utf-8")
    (subs / "CAI.toml").write_text("[q3]\nbasic_params_bias = 2\n", "utf-8")  # cai's too
    assert main(["grade", str(root / "class"), str(subs), "-o", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "3 submissions cannot be graded" in err
    assert "answers 'q7', not a problem of variant ann" in err
    assert "bob.toml" in err and "is not valid TOML" in err
    assert "'cai.toml' and 'CAI.toml' are both student cai's" in err
    assert not (tmp_path / "out").exists()


def test_a_second_grading_leaves_no_stale_feedback_or_summary(graded, tmp_path):
    root, _ = graded
    subs = tmp_path / "subs"
    shutil.copytree(root / "subs", subs)
    out = tmp_path / "out"
    first = run_cli("grade", str(root / "class"), str(subs), "-o", str(out), "--format", "md,json")
    assert first.returncode == 0, first.stderr
    (subs / "dee.toml").unlink()  # dee withdrew their file
    again = run_cli("grade", str(root / "class"), str(subs), "-o", str(out), "--format", "json")
    assert again.returncode == 0, again.stderr
    assert not (out / "feedback" / "dee-check.json").exists()
    assert not list(out.glob("**/*.md"))  # no Markdown asked for now
    assert (out / "feedback" / "ann-check.json").exists()


def test_a_rule_naming_no_answer_is_refused_before_any_variant(tmp_path, capsys):
    spec = tmp_path / "spec.toml"
    spec.write_text(SPEC.replace("delta1 = 2", "delta9 = 2"), "utf-8")
    code = main(["variants", str(spec), "--count", "2", "--format", "tex", "-o",
                 str(tmp_path / "out")])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2 and "'delta9' is not an answer of q2" in err
    assert not (tmp_path / "out").exists()


def test_a_manifest_that_is_not_one_is_refused(tmp_path, capsys):
    (tmp_path / "manifest.json").write_text('{"variants": []}', "utf-8")
    (tmp_path / "subs").mkdir()
    code = main(["grade", str(tmp_path), str(tmp_path / "subs"), "-o", str(tmp_path / "o")])
    assert code == 2 and "not a manifest symhw grade can read" in capsys.readouterr().err


def test_a_change_to_the_grading_alone_keeps_every_variant(tmp_path):
    spec = tmp_path / "spec.toml"
    spec.write_text(SPEC, "utf-8")
    args = ("variants", str(spec), "--count", "2", "--format", "tex", "-o", str(tmp_path / "c"))
    assert run_cli(*args).returncode == 0
    spec.write_text(SPEC.replace("carried = 0.5", "carried = 0.25"), "utf-8")
    again = run_cli(*args)
    assert again.returncode == 0, again.stderr
    assert again.stdout.count(": kept") == 2  # the problems did not change
    manifest = json.loads((tmp_path / "c" / "manifest.json").read_text("utf-8"))
    assert manifest["grading"]["carried"] == "1/4"
    spec.write_text(SPEC.replace("x = 2\n", "x = 3\n").replace("x = { range = [1, 3] }", ""))
    assert run_cli(*args).stdout.count(": written") == 2  # a problem changed: redone


@pytest.mark.skipif(not HAS_TEX, reason="pdflatex not installed")
def test_the_summary_and_the_feedback_compile_to_pdf(graded, tmp_path):
    root, _ = graded
    done = run_cli("grade", str(root / "class"), str(root / "subs"), "-o", str(tmp_path),
                   "--format", "pdf")  # fmt: skip
    assert done.returncode == 0, done.stderr
    text = subprocess.run(["pdftotext", str(tmp_path / "class-summary.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout  # fmt: skip
    assert "Class summary: A class" in text and "4 of 5 students graded" in text
    assert sorted(p.name for p in (tmp_path / "feedback").iterdir()) == [
        f"{s}-check.pdf" for s in STUDENTS[:4]
    ]
