"""The command line: exit statuses, JSON answers, and hostile input that must not run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import run_cli
from symhw.cli import main
from symhw.errors import InputError

PAYLOAD = "__import__('os').system('touch {marker}')"

SPEC = """title = "{title}"
name = "{name}"

[[problems]]
id = "{id}"
kind = "{kind}"
title = "{ptitle}"
activation = "{activation}"
loss = "{loss}"
"""
GOOD = {
    "title": "T",
    "name": "sheet",
    "id": "q1",
    "kind": "activation-loss",
    "ptitle": "P",
    "activation": "tanh",
    "loss": "squared",
}


def write_spec(tmp_path, **fields):
    path = tmp_path / "spec.toml"
    path.write_text(SPEC.format(**{**GOOD, **fields}))
    return path


def test_answers_json_for_question_1(capsys):
    assert main(["answers", "--json"]) == 0
    answers = json.loads(capsys.readouterr().out)["q1"]
    assert answers["activation_derivative"] == "1 - tanh(s)**2"
    assert answers["derivative_limit_pos"] == 0 and answers["derivative_limit_neg"] == 0
    # the seed's form (2/N) Σ (tanh(wᵀx_n) − y_n)(1 − tanh²(wᵀx_n)) x_n, factors in any order
    for factor in ("2/N", "tanh(dot(w, x_n)) - y[n]", "1 - tanh(dot(w, x_n))**2", "x_n"):
        assert factor in answers["gradient"]


def test_list_shows_kinds_and_parameters(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert "activation-loss" in out and "activation: the activation" in out


@pytest.mark.parametrize("field", ["name", "id", "kind", "activation", "loss"])
def test_code_in_a_name_field_is_refused_and_never_run(tmp_path, field):
    marker = tmp_path / "pwned"
    spec = write_spec(tmp_path, **{field: PAYLOAD.format(marker=marker)})
    out = tmp_path / "out"
    done = run_cli("sheet", str(spec), "-o", str(out), "--format", "tex")
    assert done.returncode == 2
    assert f"field {field!r}" in done.stderr
    assert not marker.exists()
    assert not out.exists()


@pytest.mark.parametrize("field", ["title", "ptitle"])
def test_code_in_a_title_is_printed_as_text_and_never_run(tmp_path, field):
    marker = tmp_path / "pwned"
    text = PAYLOAD.format(marker=marker) + r" \\input{/etc/passwd}"  # TOML for \input
    spec = write_spec(tmp_path, **{field: text})
    assert main(["sheet", str(spec), "-o", str(tmp_path), "--format", "tex"]) == 0
    tex = (tmp_path / "sheet.tex").read_text()
    assert r"\textbackslash{}input\{/etc/passwd\}" in tex  # escaped, not executed by TeX
    assert not marker.exists()


@pytest.mark.parametrize(
    ("spec_text", "message"),
    [
        (
            '[[problems]]\nid = "q1"\nkind = "activation-loss"\nactivation = "swish"\n',
            "unknown activation 'swish'",
        ),
        ('[[problems]]\nkind = "activation-loss"\n', "field 'id'"),
        ("[[problems]\n", "not valid TOML"),
        (
            '[[problems]]\nid = "q1"\nkind = "activation-loss"\nactivation = "tanh"\n'
            'loss = "cross-entropy"\n',
            "use activation = 'sigmoid'",
        ),
        ('title = "日本"\n[[problems]]\nid = "q"\nkind = "norm-shapes"\n', "'日' (U+65E5) cannot"),
        (
            '[[problems]]\nid = "q"\nkind = "norm-shapes"\ntitle = "two\\nlines"\n',
            "field 'title': character '\\n'",
        ),
    ],
)
def test_bad_input_exits_2_with_one_clear_message_and_no_file(tmp_path, capsys, spec_text, message):
    spec = tmp_path / "spec.toml"
    spec.write_text(spec_text)
    out = tmp_path / "out"
    assert main(["sheet", str(spec), "-o", str(out), "--format", "tex,md,json"]) == 2
    err = capsys.readouterr().err
    assert message in err.replace("unknown value", "unknown activation")
    assert err.count("\n") == 1
    assert not out.exists()


def test_existing_files_are_untouched_on_error(tmp_path, capsys):
    (tmp_path / "sheet.tex").write_text("previous")
    spec = write_spec(tmp_path, activation="swish")
    assert main(["sheet", str(spec), "-o", str(tmp_path), "--format", "tex"]) == 2
    assert (tmp_path / "sheet.tex").read_text() == "previous"


def test_usage_errors_exit_2():
    assert run_cli("frobnicate").returncode == 2
    assert run_cli("sheet", "--format").returncode == 2
    for jobs in ("0", "-1", "two", "²"):
        done = run_cli("answers", "--jobs", jobs)
        assert done.returncode == 2
        assert "positive integer or auto" in done.stderr


def test_a_mistake_in_the_last_problem_is_found_when_the_file_loads(tmp_path):
    """q2's settings exclude each other: reported before q1 is solved, with exit 2."""
    from symhw.spec import load_problem_set

    spec = tmp_path / "spec.toml"
    spec.write_text(
        '[[problems]]\nid = "q1"\nkind = "activation-loss"\n\n'
        '[[problems]]\nid = "q2"\nkind = "block-params"\nnetwork = "resnet18"\n'
        'blocks = [{kind = "basic", channels = 8}]\n'
    )
    with pytest.raises(InputError, match="not both"):
        load_problem_set(spec)
    out = tmp_path / "out"
    done = run_cli("sheet", str(spec), "-o", str(out), "--format", "tex,md,json", "--jobs", "2")
    assert done.returncode == 2, done.stderr
    assert done.stderr == (
        "symhw: error: problem 'q2', field 'network': give either blocks or network, not both\n"
    )
    assert not out.exists()


@pytest.mark.parametrize(
    ("kind", "body", "field"),
    [
        (
            "mlp-backprop",
            'weights = [[[0.1], [0.2]]]\nx = 1\ny = 1\nactivations = ["{p}"]',
            "activations",
        ),
        ("mlp-backprop", 'weights = [[["{p}"], [0.2]]]\nx = 1\ny = 1', "weights"),
        ("mlp-backprop", 'weights = [[[0.1], [0.2]]]\nx = "{p}"\ny = 1', "x"),
        ("block-params", 'blocks = [{{kind = "{p}", channels = 32}}]', "blocks"),
        ("block-params", 'network = "{p}"', "network"),
        ("block-params", 'layout = "{p}"', "layout"),
        ("block-params", 'bias = "{p}"', "bias"),
        ("norm-shapes", 'cases = [{{norm = "{p}", layout = "NC"}}]', "cases"),
        ("norm-shapes", 'cases = [{{norm = "batch", layout = "{p}"}}]', "cases"),
        ("conv-matrix", 'kernel = "{p}"', "kernel"),
        (
            "conv-matrix",
            'in_channels = 1\nout_channels = 1\nweights = [[["{p}", 1, 1]]]',
            "weights",
        ),
    ],
)
def test_code_in_any_kind_is_refused_and_never_run(tmp_path, kind, body, field):
    marker = tmp_path / "pwned"
    payload = PAYLOAD.format(marker=marker)
    spec = tmp_path / "spec.toml"
    spec.write_text(f'[[problems]]\nid = "q"\nkind = "{kind}"\n{body.format(p=payload)}\n')
    out = tmp_path / "out"
    done = run_cli("sheet", str(spec), "-o", str(out), "--format", "tex")
    assert done.returncode == 2, done.stderr
    assert field in done.stderr and "problem 'q'" in done.stderr
    assert done.stderr.count("\n") == 1
    assert not marker.exists()
    assert not out.exists()


@pytest.mark.skipif(not os.path.exists("/proc/self/task"), reason="needs Linux /proc")
def test_ctrl_c_stops_the_workers_with_one_line(tmp_path):
    """SIGINT reaches the whole process group, as from a terminal: one line, status 130."""
    import signal
    import time

    big = 'kind = "conv-matrix"\nin_channels = 64\nout_channels = 64\nlength = 1500\n'
    spec = tmp_path / "slow.toml"
    spec.write_text(f'[[problems]]\nid = "a"\n{big}\n[[problems]]\nid = "b"\n{big}', "utf-8")
    command = [sys.executable, "-m", "symhw", "answers", str(spec), "--jobs", "2"]
    proc = subprocess.Popen(command, stderr=subprocess.PIPE, text=True, start_new_session=True)
    children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children")
    deadline = time.monotonic() + 60
    while len(children.read_text().split()) < 2:  # until both workers run (~2.5 s of work each)
        assert time.monotonic() < deadline and proc.poll() is None, "no workers started"
        time.sleep(0.05)
    workers = [Path(f"/proc/{pid}") for pid in children.read_text().split()]
    time.sleep(0.3)
    interrupted = time.monotonic()
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert err == "symhw: interrupted\n"
    # The workers are stopped at once (~0.1 s), not left to finish their problems (~2 s more).
    assert time.monotonic() - interrupted < 1.0
    assert not any(w.exists() for w in workers), "workers outlived the interrupted run"


def test_a_reader_that_stops_early_gets_no_traceback(tmp_path):
    """`symhw answers | head -1`: the pipe closes after one line of ~170 kB (more than a
    pipe holds, so a write fails); exit quietly with 0."""
    spec = tmp_path / "c8.toml"
    spec.write_text(
        '[[problems]]\nid = "c"\nkind = "conv-matrix"\nin_channels = 8\nout_channels = 8\n'
        "length = 16\n",
        "utf-8",
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "symhw", "answers", str(spec)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout.readline().startswith("c.")
    proc.stdout.close()
    err = proc.stderr.read()
    assert proc.wait(timeout=60) == 0 and err == ""


def _norm_spec(tmp_path):
    spec = tmp_path / "spec.toml"
    spec.write_text('[[problems]]\nid = "q"\nkind = "norm-shapes"\n')
    return spec


def test_an_empty_output_directory_is_refused_before_anything_is_solved(tmp_path, capsys):
    assert main(["sheet", str(_norm_spec(tmp_path)), "-o", "", "--format", "md"]) == 2
    assert "field '-o': empty; give an output directory" in capsys.readouterr().err


def test_a_dangling_symlink_as_output_directory_says_what_it_points_to(tmp_path, capsys):
    link = tmp_path / "out"
    link.symlink_to(tmp_path / "gone")
    assert main(["sheet", str(_norm_spec(tmp_path)), "-o", str(link), "--format", "md"]) == 2
    err = capsys.readouterr().err
    assert "symbolic link to" in err and "gone" in err and "does not exist" in err


def test_a_directory_where_an_output_file_goes_is_named(tmp_path, capsys):
    (tmp_path / "out" / "spec.md").mkdir(parents=True)
    assert main(["sheet", str(_norm_spec(tmp_path)), "-o", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert f"cannot write '{tmp_path / 'out' / 'spec.md'}'" in err
    assert err.count("\n") == 1
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["spec.md"]
