"""A class's claims files read side by side (symhw/checker/reading.py): in worker
processes the files are what reading them in turn gives, the first bad file's error is
the error, and the reading needs nothing heavy, so that ``symhw check`` imports SymPy while
the files are read.

Oracle: each file read in turn by read_claims in this process; the modules a fresh
interpreter has loaded (sys.modules)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from symhw.checker.claims import read_claims
from symhw.checker.reading import READ_IN_WORKERS, read_files
from symhw.errors import InputError

#: A student's file: numbers as written (0.60 keeps its two decimals), a vector, a table.
WRONG_Q2 = """problem_set = "hw2"
title = "one student's answers"
[q1]
activation_derivative = "1 - tanh(s)^2"
[q2]
delta2 = -1.368
x1 = [1, "0.60"]
"""


def test_many_files_read_in_workers_are_the_files_read_in_turn(tmp_path):
    paths = []
    for k in range(READ_IN_WORKERS + 3):
        path = tmp_path / f"s{k:02d}.toml"
        path.write_text(WRONG_Q2.replace("-1.368", f"-1.{k:03d}") + "q = 1\n", "utf-8")
        paths.append(str(path))
    assert read_files(paths, jobs=2) == [read_claims(p) for p in paths]


def test_the_first_bad_file_is_the_error_when_read_in_workers(tmp_path):
    paths = []
    for k in range(READ_IN_WORKERS + 3):
        path = tmp_path / f"s{k:02d}.toml"
        bad = k in (7, 15)
        path.write_text(f'problem_set = "hw2"\n[q2]\ndelta2 = {"[" if bad else "1"}\n', "utf-8")
        paths.append(str(path))
    with pytest.raises(InputError) as serial:
        [read_claims(p) for p in paths]
    with pytest.raises(InputError) as workers:
        read_files(paths, jobs=2)
    assert "s07.toml" in str(serial.value)
    assert str(workers.value) == str(serial.value)


def test_what_is_done_meanwhile_runs_while_workers_read(tmp_path):
    paths = []
    for k in range(READ_IN_WORKERS):
        path = tmp_path / f"s{k:02d}.toml"
        path.write_text(WRONG_Q2, "utf-8")
        paths.append(str(path))
    ran = []
    assert read_files(paths, jobs=2, meanwhile=lambda: ran.append(1)) == [
        read_claims(p) for p in paths
    ]
    assert ran == [1]
    read_files(paths[: READ_IN_WORKERS - 1], jobs=2, meanwhile=lambda: ran.append(2))
    assert ran == [1]  # read here, in turn: nothing to overlap


def test_reading_claims_files_imports_no_sympy_numpy_or_lark(tmp_path):
    """The readers are forked before the heavy imports: were any of these imported by the
    reading modules, the fork would come after them and the overlap would be lost."""
    path = tmp_path / "s.toml"
    path.write_text(WRONG_Q2, "utf-8")
    code = (
        "import sys; from symhw.checker.reading import read_files; "
        f"read_files([{str(path)!r}] * {READ_IN_WORKERS}, jobs=2); "
        "print(sorted(m for m in ('sympy', 'numpy', 'lark', 'mpmath') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
