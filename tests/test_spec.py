"""Problem-set files: exact numbers, allow-listed names, errors that name the field."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pytest

from conftest import run_cli
from symhw.errors import InputError
from symhw.fields import MAX_PROBLEMS
from symhw.spec import load_problem_set, parse_problem_set
from symhw.tomlfile import MAX_FILE_BYTES, MAX_NESTING, parse_toml


def problem_set(**problem) -> dict:
    return {"title": "T", "problems": [{"id": "q1", "kind": "activation-loss", **problem}]}


def test_the_builtin_set_starts_with_question_1():
    ps = load_problem_set()
    assert ps.name == "hw2"
    assert ps.problems[0].id == "q1"
    assert ps.problems[0].params.activation == "tanh"


def test_defaults_fill_missing_parameters():
    ps = parse_problem_set(problem_set(), "x")
    assert (ps.problems[0].params.activation, ps.problems[0].params.loss) == ("tanh", "squared")


@pytest.mark.parametrize(
    ("data", "field", "fix"),
    [
        (problem_set(activation="swish"), "activation", "choose one of tanh"),
        (problem_set(check_samples=0), "check_samples", "at least 1"),
        (problem_set(check_samples="8"), "check_samples", "whole number"),
        (problem_set(activaton="tanh"), "activaton", "this kind takes activation"),
        ({"problems": [{"kind": "activation-loss"}]}, "id", "add `id"),
        ({"problems": [{"id": "q1"}]}, "kind", "add `kind"),
        ({"problems": [{"id": "q1", "kind": "nope"}]}, "kind", "symhw list"),
        ({"problems": []}, "problems", "at least one"),
        ({"title": "T"}, "problems", "at least one"),
        ({"problems": [{"id": "q 1", "kind": "activation-loss"}]}, "id", "letters, digits"),
        ({"problems": [{"id": "a", "kind": "activation-loss"}] * 2}, "id", "duplicate"),
        ({"titel": "T", "problems": []}, "titel", "allowed keys"),
        (
            {"name": "../etc", "problems": [{"id": "a", "kind": "activation-loss"}]},
            "name",
            "letters, digits",
        ),
    ],
)
def test_bad_problem_sets_name_the_field_and_the_fix(data, field, fix):
    with pytest.raises(InputError) as err:
        parse_problem_set(data, "x")
    assert f"field {field!r}" in str(err.value)
    assert fix in str(err.value)


def test_malformed_toml_is_an_input_error(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text('title = "unterminated\n')
    with pytest.raises(InputError, match="not valid TOML"):
        load_problem_set(path)


def test_missing_file_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="cannot read problem set"):
        load_problem_set(tmp_path / "nope.toml")


def test_output_name_defaults_to_the_file_stem(tmp_path):
    path = tmp_path / "my sheet.toml"
    path.write_text('[[problems]]\nid = "q1"\nkind = "activation-loss"\n')
    assert load_problem_set(path).name == "my_sheet"


def test_a_file_stem_that_is_not_a_name_still_gives_one(tmp_path):
    """'_draft v2.toml' names no valid sheet; the user wrote no name field to blame."""
    path = tmp_path / "_draft v2.toml"
    path.write_text('[[problems]]\nid = "q1"\nkind = "activation-loss"\n')
    assert load_problem_set(path).name == "draft_v2"


# ------------------------------------------------------ hostile files (issue 9, section 4)

NORM = '[[problems]]\nid = "q"\nkind = "norm-shapes"\n'


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('[[problems]]\nid = "a"\nkind = ["x"]\n', "unknown kind ['x']"),
        ('[[problems]]\nid = "a"\nkind = {a = 1}\n', "unknown kind {'a': 1}"),
        ("x = " + "[" * 496 + "]" * 496 + "\n", "nests arrays or tables too deeply"),
        (NORM + "b" * 100_000 + " = 1\n", "unknown parameter"),
        ('[[problems]]\nid = "a"\nkind = "' + "a" * 3_000_000 + '"\n', "unknown kind"),
        ("[[problems]]\n" * (MAX_PROBLEMS + 1), f"at most {MAX_PROBLEMS}"),
    ],
    ids=["kind-list", "kind-table", "deep", "long-key", "long-kind", "too-many"],
)
def test_hostile_files_give_one_short_error(tmp_path, content, message):
    path = tmp_path / "bad.toml"
    path.write_text(content, "utf-8")
    with pytest.raises(InputError, match=re.escape(message)) as err:
        load_problem_set(path)
    assert len(str(err.value)) < 400  # values are quoted cut short, never echoed whole


def _nested(depth: int) -> str:
    """A document whose key x holds ``depth`` arrays and tables inside one another."""
    inner = "[" * (depth // 2) + "]" * (depth // 2)
    return "x = " + "{a = " * (depth - depth // 2) + inner + "}" * (depth - depth // 2)


@pytest.mark.parametrize("limit", [1_000, 10_000])
def test_nesting_is_refused_past_its_limit_whatever_the_recursion_limit(limit):
    # The limit is symhw's own: a process that raised its recursion limit (torch and
    # hypothesis do) reads and refuses the same files as one that did not.
    before = sys.getrecursionlimit()
    sys.setrecursionlimit(limit)
    try:
        at_edge = parse_toml(_nested(MAX_NESTING), "f.toml", "problem set")
        for text in (_nested(MAX_NESTING + 1), "x = " + "[" * 496 + "]" * 496):
            with pytest.raises(InputError, match=rf"too deeply .*more than {MAX_NESTING}"):
                parse_toml(text, "f.toml", "problem set")
    finally:
        sys.setrecursionlimit(before)
    node, depth = at_edge["x"], 1  # read whole at the edge: tables, then arrays
    while node:
        node, depth = (node["a"] if isinstance(node, dict) else node[0]), depth + 1
    assert depth == MAX_NESTING


def test_a_byte_order_mark_is_read_as_the_start_of_the_file(tmp_path):
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + NORM.encode())
    assert load_problem_set(path).problems[0].kind == "norm-shapes"


@pytest.mark.parametrize("what", ["directory", "fifo", "device", "huge"])
def test_only_regular_files_of_bounded_size_are_read(tmp_path, what):
    path = {"directory": tmp_path, "device": Path("/dev/zero")}.get(what, tmp_path / "f.toml")
    if what == "fifo":
        os.mkfifo(path)  # opening it to read would wait for a writer forever
    if what == "huge":
        path.write_bytes(NORM.encode() + b"#" * MAX_FILE_BYTES)
    with pytest.raises(InputError, match=r"not a regular file|over 4 MiB"):
        load_problem_set(path)


def test_a_file_at_the_size_limit_is_read(tmp_path):
    path = tmp_path / "f.toml"
    path.write_bytes(NORM.encode() + b"#" * (MAX_FILE_BYTES - len(NORM) - 1) + b"\n")
    assert path.stat().st_size == MAX_FILE_BYTES
    assert load_problem_set(path).problems[0].id == "q"


def test_a_file_at_the_size_limit_full_of_numbers_is_refused_in_bounded_time(tmp_path):
    """The costliest file to parse: 4 MiB of one-digit numbers (2 million of them, far over
    what any tensor takes). A hang guard, not a speed target (see bench_limits.py)."""
    head = '[[problems]]\nid = "c"\nkind = "conv-matrix"\nx = ['
    count = (MAX_FILE_BYTES - len(head) - 2) // 2
    path = tmp_path / "numbers.toml"
    path.write_text(head + ",".join(["1"] * count) + "]\n", "utf-8")
    assert path.stat().st_size <= MAX_FILE_BYTES
    done = run_cli("answers", str(path), timeout=120)
    assert done.returncode == 2
    assert "field 'x': has more than 65,536 numbers" in done.stderr


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (NORM + "x." + "a." * 20_000 + "b = 1\n", "more than 32 parts"),
        ("[" + "a." * 40 + "b]\n" + NORM, "more than 32 parts"),
        (NORM.replace('"q"\n', '"q"\n') + "seed = " + "9" * 5000 + "\n", "cannot read"),
        (NORM + "seed = 1e99999999999999999999\n", "exponent too large"),
    ],
    ids=["dotted-key", "table-name", "5000-digit-integer", "huge-exponent"],
)
def test_what_the_toml_parser_would_choke_on_is_one_short_error(tmp_path, content, message):
    path = tmp_path / "bad.toml"
    path.write_text(content, "utf-8")
    with pytest.raises(InputError, match=message) as err:
        load_problem_set(path)
    assert len(str(err.value)) < 400


def test_dots_in_numbers_strings_and_comments_are_not_keys(tmp_path):
    path = tmp_path / "ok.toml"
    dots = "a." * 100
    path.write_text(
        f'title = "{dots}"  # {dots}\n[[problems]]\nid = "c"\nkind = "conv-matrix"\n'
        "in_channels = 1\nout_channels = 1\nlength = 3\nkernel = 1\n"
        f"weights = [[[0.5]]]\nx = [[0.5, 1.5, 2.5]]\n",
        "utf-8",
    )
    assert load_problem_set(path).title == dots


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("0x" + "f" * 4000, "an integer of 16,000 bits"),
        ("1e-400", "'1E-400' is out of range"),  # a TOML float, not rounded to 0
    ],
)
def test_numbers_beyond_float_or_string_conversion_are_refused_plainly(tmp_path, value, message):
    path = tmp_path / "n.toml"
    path.write_text(
        '[[problems]]\nid = "q"\nkind = "mlp-backprop"\nweights = [[[0], [2]]]\n'
        f"x = {value}\ny = 1\n",
        "utf-8",
    )
    with pytest.raises(InputError, match=re.escape(message)) as err:
        load_problem_set(path)
    assert err.value.field == "x" and len(str(err.value)) < 400
