"""``symhw template``: a claims file to fill in, with every answer of a problem set as a
commented line saying its form, and none of the answers. Filled in, ``symhw check`` reads
it; left as it is, or with a placeholder left in, it is one clear error."""

from __future__ import annotations

import re

import pytest

from conftest import run_cli
from symhw.cli import main


@pytest.fixture(scope="module")
def template() -> str:
    done = run_cli("template")
    assert done.returncode == 0, done.stderr
    return done.stdout


def _answers(text: str) -> dict[str, str]:
    """The commented answer lines: name -> the line."""
    found = re.findall(r"^# ([A-Za-z_0-9\"/]+) = (.*)$", text, re.M)
    return {name: rest for name, rest in found}


def test_every_answer_of_hw2_is_asked_for_in_its_problem(template):
    tables = re.split(r"^\[(q[0-9])\]$", template, flags=re.M)
    asked = {tables[i]: set(_answers(tables[i + 1])) for i in range(1, len(tables), 2)}
    assert list(asked) == ["q1", "q2", "q3", "q4", "q5"]
    assert {"delta1", "delta2", "delta3", "grad_W1", "grad_W2", "grad_W3", "e"} <= asked["q2"]
    assert {"basic_params_bias", "bottleneck_params_no_bias"} <= asked["q3"]
    assert {"fc_mean_shape", "conv_count"} <= asked["q4"] and {"A", "A_T"} <= asked["q5"]
    assert "rounded" not in asked["q2"]  # the hand replay's table: not an answer to write


def test_each_answer_says_its_form(template):
    """The 1-2-1-1 network of HW2: δ⁽¹⁾ has 2 entries, ∂e/∂W⁽¹⁾ is 2 × 2 (a bias row and
    one input, by two units), ∂e/∂W⁽²⁾ has 3 entries (a bias and two units)."""
    lines = _answers(template)
    assert lines["delta1"].startswith("[_, _]  # \\delta^{(1)}: a vector of 2 numbers")
    assert lines["grad_W1"].startswith("[[_, _], [_, _]]  #") and "2 × 2 matrix" in lines["grad_W1"]
    assert lines["grad_W2"].startswith("[_, _, _]  #")
    assert lines["basic_params_bias"].startswith("_  #")
    assert lines["conv_mean_shape"].startswith('"..."  #') and "a shape" in lines["conv_mean_shape"]


def test_no_answer_is_in_the_template(template):
    """Numbers of the answers (worked out by hand: 2·(3·3·32·32 + 32) = 18496 parameters;
    δ⁽¹⁾ ≈ [−0.857, 1.701]), q4's axes and q5's matrix size are nowhere in it."""
    for answer in ("18496", "9248", "0.857", "1.70", "17/18", "1x1x1", "4 × 8", "8 × 4"):
        assert answer not in template
    assert "w_1^" not in template and "w_{1}" not in template


def test_the_template_filled_in_is_checked(tmp_path, template):
    """Three answers filled in by hand (x⁽⁰⁾ = [1; 2] is given; 18496 as above; the conv
    mean keeps every axis but C): three claims, all correct; the rest stay comments."""
    filled = (
        template.replace("# x0 = [_, _]", "x0 = [1, 2]")
        .replace("# basic_params_bias = _", "basic_params_bias = 18496")
        .replace('# conv_mean_shape = "..."', 'conv_mean_shape = "1x1x1xC"')
    )
    claims = tmp_path / "mine.toml"
    claims.write_text(filled, "utf-8")
    done = run_cli("check", str(claims), "--json")
    assert done.returncode == 0, done.stderr
    assert '"correct": 3' in done.stdout and '"wrong": 0' in done.stdout


def test_every_line_uncommented_with_a_value_of_its_form_is_read(tmp_path, template):
    """Each _ made 1 and each "..." made "x": the file reads, every answer a claim."""
    body = re.sub(r"^# (\S+ = .*?)  #.*$", r"\1", template, flags=re.M)
    body = body.replace("_]", "1]").replace("_,", "1,").replace('"..."', '"x"')
    body = re.sub(r"= _$", "= 1", body, flags=re.M)
    claims = tmp_path / "all.toml"
    claims.write_text(body, "utf-8")
    done = run_cli("check", str(claims), "--json")
    assert done.returncode == 0, done.stderr
    assert '"unknown": 0' in done.stdout


def test_a_placeholder_left_in_or_nothing_filled_in_is_one_clear_error(tmp_path, capsys, template):
    claims = tmp_path / "t.toml"
    claims.write_text(template.replace("# delta2 = _", "delta2 = _"), "utf-8")
    assert main(["check", str(claims)]) == 2
    assert "each _ of the claims template is a number to write" in capsys.readouterr().err
    claims.write_text(template, "utf-8")
    assert main(["check", str(claims)]) == 2
    assert "no claims (an answer commented out with # is not one)" in capsys.readouterr().err


def test_a_problem_set_by_path_is_named_from_the_templates_folder(tmp_path):
    """Written into another folder, the template names the set by a path from there, so
    `symhw check` run from anywhere finds it."""
    (tmp_path / "sets").mkdir()
    (tmp_path / "class").mkdir()
    spec = tmp_path / "sets" / "mine.toml"
    spec.write_text('name = "mine"\n[[problems]]\nid = "p1"\nkind = "norm-shapes"\n', "utf-8")
    out = tmp_path / "class" / "claims.toml"
    done = run_cli("template", str(spec), "-o", str(out))
    assert done.returncode == 0, done.stderr
    text = out.read_text("utf-8")
    assert 'problem_set = "../sets/mine.toml"' in text
    out.write_text(text.replace('# fc_count = "..."', 'fc_count = "N"'), "utf-8")
    done = run_cli("check", str(out), "--json", cwd=tmp_path / "sets")
    assert done.returncode == 0 and '"correct": 1' in done.stdout, done.stderr


def test_the_same_set_gives_the_same_bytes(tmp_path):
    for name, seed in (("a.toml", "1"), ("b.toml", "2")):
        assert run_cli("template", "-o", str(tmp_path / name), hashseed=seed).returncode == 0
    assert (tmp_path / "a.toml").read_bytes() == (tmp_path / "b.toml").read_bytes()


@pytest.mark.parametrize("where", ["folder", "missing/claims.toml"])
def test_a_bad_output_path_is_exit_2_and_no_file(tmp_path, capsys, where):
    (tmp_path / "folder").mkdir()
    assert main(["template", "-o", str(tmp_path / where)]) == 2
    err = capsys.readouterr().err
    assert "field '-o'" in err and ("is a folder" in err or "does not exist" in err)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["folder"]
