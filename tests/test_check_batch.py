"""Claims files checked together, the problems judged side by side in worker processes
(symhw/checker/batch.py, what ``symhw check f1 ... fN`` runs): each file's report data is
what checking that file alone gives (report_data(check_file(f)), the Python API's path),
byte for byte as JSON, whatever the mix of files; bad input is found before any solving.

Oracle: each file checked alone, in this process, by the serial path."""

from __future__ import annotations

import pytest

from symhw.checker.batch import reports_data
from symhw.checker.claims import builtin_claims, claims_from_text
from symhw.checker.report import check_file, report_data
from symhw.errors import InputError
from symhw.render.json import indented

WRONG_Q2 = """problem_set = "hw2"
title = "a student"
[q2]
delta2 = -1.368
delta1 = [-0.875, 1.737]
x1 = [1, "0.60"]
[q4]
"""

ONLY_Q3_Q5 = """problem_set = "hw2"
[q5]
[[q5.claims]]
name = "A"
value = "7"
[q3]
basic_params_bias = 18495
"""


def _files():
    text = WRONG_Q2 + "unknown_name = 3\n"
    return [
        builtin_claims(),
        claims_from_text(text, "student1.toml"),
        claims_from_text(ONLY_Q3_Q5, "student2.toml"),
        builtin_claims(),
    ]


@pytest.mark.parametrize("jobs", [1, 2])
def test_files_checked_together_report_what_each_alone_does(jobs):
    files = _files()
    alone = [indented(report_data(check_file(f))) for f in files]
    together = [indented(d) for d in reports_data(files, jobs)]
    assert together == alone
    assert [len(d["claims"]) for d in reports_data(files[1:3], jobs)] == [4, 2]


def test_a_problem_a_set_lacks_is_bad_input_before_anything_is_solved(monkeypatch):
    import symhw.checker.batch as batch

    def never(*args):
        raise AssertionError("solved before the input was checked")

    monkeypatch.setattr(batch, "solve", never)
    bad = claims_from_text('problem_set = "hw2"\n[q9]\nx = 1\n', "bad.toml")
    with pytest.raises(InputError, match="'q9' is not a problem of"):
        reports_data([builtin_claims(), bad], jobs=1)


def test_batches_run_by_threads_at_once_keep_their_own_files():
    """Each batch has its own files while it runs (threads judge in their own process)."""
    import threading

    texts = {"a.toml": WRONG_Q2 + "q = 1\n", "b.toml": ONLY_Q3_Q5}
    files = {name: claims_from_text(text, name) for name, text in texts.items()}
    alone = {name: indented(report_data(check_file(f))) for name, f in files.items()}
    got: dict = {}

    def run(name):
        got[name] = indented(reports_data([files[name]], jobs=2)[0])

    threads = [threading.Thread(target=run, args=(name,)) for name in files]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert got == alone
