"""``symhw.check`` from Python: a claims file's path, its data as a dict, or the built-in
handwritten HW2; the report as data and, in a notebook, as the feedback sheet."""

from __future__ import annotations

import pytest

import symhw


def test_claims_as_a_dict_with_a_slip_of_one():
    report = symhw.check({"problem_set": "hw2", "q3": {"basic_params_bias": 18495}})
    assert report.counts()["wrong"] == 1
    assert report.verdicts[0].expected.value == 18496  # (32·9 + 1)·32 · 2, by hand


def test_numbers_from_python_keep_their_digits():
    """−1.368 is the 2-decimal replay's δ⁽²⁾ (exact −1.3503): rounding, as from a file."""
    report = symhw.check({"problem_set": "hw2", "q2": {"delta2": -1.368}})
    assert report.counts()["rounding"] == 1


def test_the_builtin_case_and_its_markdown():
    report = symhw.check()
    assert len(report.verdicts) == 69
    assert sum(v.verdict != "correct" for v in report.verdicts) == 21
    sheet = report._repr_markdown_()
    assert sheet.startswith("# CSCE 636 HW2") and "69 claims" in sheet


def test_a_path_works_like_the_file(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text('problem_set = "hw2"\n[q4]\nconv_mean_shape = "1 x 1 x 1 x C"\n')
    assert symhw.check(path).counts()["correct"] == 1
    assert symhw.check(str(path)).data()["counts"]["correct"] == 1


@pytest.mark.parametrize("bad", [42, ["q3"], b"problem_set = 'hw2'"])
def test_anything_else_is_refused_by_name(bad):
    with pytest.raises(TypeError, match="expected a claims file's path, a ClaimsFile or a dict"):
        symhw.check(bad)


def test_bad_data_is_one_input_error():
    with pytest.raises(symhw.InputError):
        symhw.check({"problem_set": "hw2", "q9": {"x": 1}})
