"""``symhw.check`` and ``symhw.solve`` from Python: both forms of check (the claims naming
their set, or the set given first), one claim at a time against a solved problem, values
as Python gives them, hostile input refused by argument, and how a notebook shows it all.

The numbers are the homework's, worked by hand here (math.tanh, not symhw): q2's network
1-2-1-1, x⁰ = [1, 2], W¹ = [[0.1, 0.2], [0.3, 0.4]], W² = [0.2, 1, -3], W³ = [1, 2], y = 1;
q3's basic block at C = 32 has 2·(32·9·32 + 32) = 18,496 parameters with bias."""

from __future__ import annotations

import math
import re
import shutil
import subprocess

import numpy as np
import pytest
import sympy as sp

import symhw
from conftest import HAS_TEX, REPO
from symhw.checker.claims import builtin_claims
from symhw.spec import load_problem_set

# q2 by hand: s¹ = (W¹)ᵀx⁰ = [0.7, 1]; s² = 0.2 + tanh 0.7 − 3 tanh 1; x³ = 1 + 2 tanh s²;
# δ³ = 2(x³ − y); δ² = (1 − tanh² s²)·2·δ³; δ¹ = (1 − tanh² s¹) ⊙ [1, −3]·δ².
S2 = 0.2 + math.tanh(0.7) - 3 * math.tanh(1)
DELTA2 = (1 - math.tanh(S2) ** 2) * 2 * (2 * (1 + 2 * math.tanh(S2) - 1))
DELTA1 = [(1 - math.tanh(0.7) ** 2) * DELTA2, (1 - math.tanh(1) ** 2) * -3 * DELTA2]
BASIC = 2 * (32 * 9 * 32 + 32)

# A problem set of one's own: a basic block at C = 16, 2·(16·9·16 + 16) = 4,640 parameters.
MINE = """name = "mine"
[[problems]]
id = "p1"
kind = "block-params"
input = [8, 8, 8]
layout = "NHWC"
bias = "both"
blocks = [{ kind = "basic", channels = 16 }]
"""


def test_the_hand_numbers_are_the_handwritten_sheets():
    """δ² = −1.3503 exactly (the sheet's −1.368 is the 2-decimal replay), δ¹ = [−0.857,
    1.701] (the sheet has [−0.875, 1.736]): the comments of hw2-handwritten.toml."""
    assert round(DELTA2, 4) == -1.3503
    assert [round(d, 3) for d in DELTA1] == [-0.857, 1.701]
    assert BASIC == 18496


@pytest.fixture(scope="module")
def q2():
    return symhw.solve("hw2", "q2")


# ------------------------------------------------------------------ check(claims)


def test_claims_as_a_dict_with_a_slip_of_one():
    report = symhw.check({"problem_set": "hw2", "q3": {"basic_params_bias": BASIC - 1}})
    assert report.counts()["wrong"] == 1
    assert report.verdicts[0].expected.value == BASIC


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


# --------------------------------------------------------- check(problem_set, claims)


@pytest.mark.parametrize(
    "problem_set", ["hw2", load_problem_set()], ids=["by name", "a loaded ProblemSet"]
)
def test_the_set_given_first(problem_set):
    claims = {"q3": {"basic_params_bias": BASIC}, "q2": {"delta2": -1.368}}
    report = symhw.check(problem_set, claims)
    assert [v.verdict for v in report.verdicts] == ["correct", "rounding"]
    assert report.data()["problem_set"] == "hw2"
    same = symhw.check(problem_set=problem_set, claims=claims)
    assert same.data() == report.data() == symhw.check({"problem_set": "hw2", **claims}).data()


def test_a_set_of_ones_own_by_path(tmp_path, monkeypatch):
    (tmp_path / "mine.toml").write_text(MINE, "utf-8")
    monkeypatch.chdir(tmp_path)  # a relative path is taken from the working folder
    for problem_set in ("mine.toml", tmp_path / "mine.toml", load_problem_set("mine.toml")):
        report = symhw.check(problem_set, {"p1": {"basic_params_bias": 4640}})
        assert report.counts()["correct"] == 1, problem_set
        assert report.problem_set.name == "mine"
    p1 = symhw.solve("mine.toml", "p1")
    assert p1.check("basic_params_bias", "4640").verdict == "correct"
    assert p1.check("basic_params_bias", 4640.0).verdict == "correct"
    assert p1.check("basic_params_bias", 18496).verdict == "wrong"


def test_claims_that_name_the_same_set_are_fine(tmp_path):
    """The claims may name their set too: the built-in one by name or by its file."""
    claims = {"problem_set": "hw2", "q3": {"basic_params_bias": BASIC}}
    assert symhw.check("hw2", claims).counts()["correct"] == 1
    builtin = symhw.check(load_problem_set(REPO / "symhw/data/hw2.toml"), builtin_claims())
    assert sum(v.verdict != "correct" for v in builtin.verdicts) == 21


def test_claims_that_name_another_set_are_one_error(tmp_path):
    (tmp_path / "mine.toml").write_text(MINE, "utf-8")
    other = {"problem_set": str(tmp_path / "mine.toml"), "p1": {"basic_params_bias": 4640}}
    with pytest.raises(symhw.InputError, match="a different set from the one given, 'hw2'"):
        symhw.check("hw2", other)
    with pytest.raises(symhw.InputError, match="field 'problem_set'"):
        symhw.check(tmp_path / "mine.toml", builtin_claims())


def test_a_problem_the_set_lacks(tmp_path):
    with pytest.raises(symhw.InputError, match="'q9' is not a problem of 'hw2'"):
        symhw.check("hw2", {"q9": {"x": 1}})


# ----------------------------------------------------------------- argument errors


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        ((42,), {}, "claims: expected a claims file's path, a ClaimsFile or a dict"),
        ((["q3"],), {}, "claims: expected a claims file's path, a ClaimsFile or a dict"),
        ((b"problem_set = 'hw2'",), {}, "claims: expected a claims file's path"),
        (("hw2", 42), {}, "claims: expected a claims file's path, a ClaimsFile or a dict"),
        ((42, {"q3": {}}), {}, "problem_set: expected 'hw2' \\(the built-in set\\)"),
        ((b"hw2", {"q3": {}}), {}, "problem_set: expected 'hw2'"),
        (("hw2",), {}, "claims: 'hw2' names a problem set, not claims: give the claims after"),
        (("hw2", None), {}, "claims: give the claims to check on 'hw2'"),
        ((), {"problem_set": "hw2"}, "claims: give the claims to check on 'hw2'"),
        (("hw2", "q3.x = 1"), {}, "claims_from_text"),
        (("hw2", {}, {}), {}, "check\\(claims\\) or check\\(problem_set, claims\\): got 3"),
        (("hw2", {}), {"claims": {}}, "given twice"),
        (("hw2",), {"problem_set": "hw2", "claims": {}}, "given twice"),
    ],
)
def test_a_wrong_kind_of_argument_is_a_type_error_naming_it(args, kwargs, message):
    with pytest.raises(TypeError, match=message):
        symhw.check(*args, **kwargs)


@pytest.mark.parametrize(
    ("args", "field", "message"),
    [
        (({"q3": {"basic_params_bias": 1}},), "problem_set", "the claims name no problem set"),
        (("a\x00b", {"q3": {"x": 1}}), "problem_set", "NUL"),
        (("a\x00b",), "claims", "NUL"),
        (("/no/such/set.toml", {"q3": {"x": 1}}), None, "cannot read problem set"),
    ],
)
def test_wrong_content_is_an_input_error_naming_the_field(args, field, message):
    with pytest.raises(symhw.InputError, match=message) as caught:
        symhw.check(*args)
    assert caught.value.field == field


# ------------------------------------------------------------------ hostile values


def _cyclic():
    x: list = []
    x.append(x)
    return x


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (10**100, "more than 40 digits"),
        (1e300, "more than 40 digits before or after its point"),
        (float("nan"), "expected a finite number"),
        (float("inf"), "expected a finite number"),
        (np.float32("inf"), "expected a finite number"),
        (True, "expected a number, a string"),
        (1j, "expected a number, a string"),
        (None, "expected a number, a string"),
        (sp.Symbol("x") + 1, "x \\+ 1 is a SymPy object: give it as text"),
        (sp.oo, "is a SymPy object"),
        (_cyclic(), "nests at most two arrays deep"),
        ("x" * 10**6, "1,000,000 characters"),
        ("1" * 5000, "5,000 characters"),
        (np.zeros((300, 300)), "90,000 entries"),
        ([], "an empty array"),
        ([[1, 2], [3]], "rows have different lengths"),
    ],
)
def test_a_hostile_value_is_one_input_error_naming_its_field(value, message):
    with pytest.raises(symhw.InputError, match=message) as caught:
        symhw.check("hw2", {"q2": {"delta2": value}})
    assert caught.value.field == "q2.delta2"


@pytest.mark.parametrize(
    "text",
    [
        "__import__('os').system('touch pwned')",
        "exec(\"open('pwned', 'w')\")",
        "lambda: open('pwned', 'w')",
        "9**9**9**9",
        "\\input{/etc/passwd}",
    ],
)
def test_text_that_looks_like_code_is_read_never_run(text, tmp_path, monkeypatch, q2):
    monkeypatch.chdir(tmp_path)
    verdict = q2.check("delta2", text)
    assert verdict.verdict in ("unparsable", "wrong")
    assert symhw.check("hw2", {"q2": {"delta2": text}}).verdicts[0].verdict == verdict.verdict
    assert not (tmp_path / "pwned").exists()


# ----------------------------------------------------------- one claim: solve/check


def test_solve_shows_the_problem(q2):
    assert q2.spec.id == "q2" and q2.solution.kind == "mlp-backprop"
    assert q2.answer("delta2").name == "delta2"
    assert float(q2.check("delta2", "-1.35").expected) == pytest.approx(DELTA2, abs=1e-12)
    assert q2._repr_latex_() == q2.solution._repr_latex_()
    assert q2._repr_latex_().startswith("$")
    assert repr(q2).startswith("<SolvedProblem q2 of hw2 (mlp-backprop): x0, x1")


def test_the_issues_example_the_sheets_delta1(q2):
    """[−0.875, 1.736] for δ¹ = [−0.857, 1.701]: the first entry is the 2-decimal replay
    cut at 3 decimals, the second is wrong."""
    got = q2.check("delta1", "[-0.875, 1.736]")
    assert got.verdict == "wrong"
    exact = [float(v) for v in got.expected]
    assert exact == pytest.approx(DELTA1, abs=1e-12)
    entries = got.data()["entries"]
    assert [e["verdict"] for e in entries] == ["rounding", "wrong"]
    assert [e["expected"] for e in entries] == ["-0.857", "1.701"]
    assert entries[0]["truncated"]


@pytest.mark.parametrize(
    ("value", "verdict"),
    [
        ("-1.35", "correct"),
        (-1.35, "correct"),
        (r"-1.3503", "correct"),
        (DELTA2, "correct"),  # computed in float64: judged at 12 significant digits
        (np.float64(DELTA2), "correct"),
        (np.float32(DELTA2), "correct"),  # at float32's 3 (precision 6, less 3)
        (-1.368, "rounding"),  # the 2-decimal replay
        (-1.5, "wrong"),
        (DELTA2 + 1e-9, "wrong"),
        ("-1.3503 +", "unparsable"),
    ],
)
def test_one_value_of_delta2(q2, value, verdict):
    got = q2.check("delta2", value)
    assert got.verdict == verdict, got.data()


def test_vectors_as_lists_arrays_and_text(q2):
    for value in (
        DELTA1,
        np.array(DELTA1),
        np.array(DELTA1).reshape(2, 1),
        [[d] for d in DELTA1],
        [round(d, 3) for d in DELTA1],
        r"\begin{bmatrix} -0.857 \\ 1.701 \end{bmatrix}",
    ):
        assert q2.check("delta1", value).verdict == "correct", value


def test_exact_numbers_from_python():
    q3 = symhw.solve("hw2", "q3")
    for value in (BASIC, np.int64(BASIC), sp.Integer(BASIC), sp.Rational(BASIC), "18496"):
        assert q3.check("basic_params_bias", value).verdict == "correct", value
    assert q3.check("basic_params_bias", np.int32(BASIC + 1)).verdict == "wrong"


def test_expressions_and_steps_one_at_a_time():
    q1 = symhw.solve("hw2", "q1")
    assert q1.check("activation_derivative", r"1 - \tanh^2(s)").verdict == "correct"
    assert q1.check("activation_derivative", "1 - tanh(s)^2").verdict == "correct"
    assert q1.check("activation_derivative", "1 + tanh(s)^2").verdict == "wrong"
    steps = [r"\frac{d}{ds}\tanh(s) = 1 - \tanh(s)^2", "= 1 - tanh(s)*tanh(s)"]
    assert q1.check("activation_derivative", steps=steps).verdict == "correct"
    unknown = q1.check("delta9", "1")
    assert unknown.verdict == "unknown" and "activation_derivative" in unknown.result.why


@pytest.mark.parametrize(
    ("args", "kwargs", "field"),
    [
        ((3, "1"), {}, "name"),
        (("delta1; import os", "1"), {}, "name"),
        (("delta1",), {}, "value"),
        (("delta1", {"a": 1}), {}, "value"),
        (("delta1", "1"), {"steps": "= 1"}, "steps"),
        (("delta1", "1"), {"label": 5}, "label"),
    ],
)
def test_one_claim_refused_by_argument(q2, args, kwargs, field):
    with pytest.raises(symhw.InputError) as caught:
        q2.check(*args, **kwargs)
    assert caught.value.field == field


def test_solve_refuses_by_argument():
    with pytest.raises(symhw.InputError, match="'q9' is not a problem of 'hw2'; its problems"):
        symhw.solve("hw2", "q9")
    with pytest.raises(TypeError, match="problem_id: expected a problem id such as 'q1'"):
        symhw.solve("hw2", 2)
    with pytest.raises(TypeError, match="problem_set: expected 'hw2'"):
        symhw.solve(None, "q2")


# ------------------------------------------------------------------ in a notebook


def _bullets(markdown: str) -> list[str]:
    return [line for line in markdown.splitlines() if line.startswith("- ")]


def test_one_claim_shows_as_the_feedback_sheet_says_it(q2):
    """The same words as the claim on a feedback sheet, in Markdown and in LaTeX."""
    got = q2.check("delta1", "[-0.875, 1.736]")
    sheet = symhw.check("hw2", {"q2": {"delta1": "[-0.875, 1.736]"}})._repr_markdown_()
    mine = got._repr_markdown_()
    assert mine.startswith("**delta1: wrong**")
    assert _bullets(mine) == _bullets(sheet)
    assert "- entry 2, 1: 1.736 is wrong: exact 1.7012, 1.701 at the digits written" in mine
    tex = got._repr_latex_()
    assert r"\textbf{delta1}\text{: wrong}" in tex
    assert r"\text{entry 2, 1: 1.736 is wrong: exact 1.7012, 1.701 at the digits written}" in tex
    assert repr(got) == "<ClaimCheck q2.delta1: wrong>"


#: What MathJax (2.7 and 3, the TeX input Jupyter loads) knows, of what these displays use.
_MATHJAX = r"""\displaystyle \begin \end \text \textbf \quad \bullet \left \right \frac \tanh
    \sum \limits \cdot \partial \delta \theta \sigma \nabla \odot \infty \to \lim \times
    \mathrm \operatorname \backslash \hat \sim \_ \{ \} \$ \& \% \# \, \approx \ldots \dots
    \cdots \vdots \ddots \sqrt \log \exp \max \min \mid \neq \leq \geq \prime \mathbf
    \boldsymbol \Theta \phi \psi \sinh \cosh"""
MATHJAX = set(_MATHJAX.split()) | {"\\ "}  # and a control space


def _commands(tex: str) -> set[str]:
    return set(re.findall(r"\\(?:[A-Za-z]+|.)", tex)) - {"\\\\"}


def _displays(tex: str) -> list[str]:
    """The displays of a notebook's LaTeX, each ``$$\\begin{array}{l} ... \\end{array}$$``,
    with nothing but line breaks between them."""
    parts = re.split(r"(?<=\$\$)\n(?=\$\$)", tex)
    for part in parts:
        assert part.startswith("$$\\begin{array}{l}\n") and part.endswith("\n\\end{array}$$")
        assert part.count("$") % 2 == 0
        depth = 0
        for ch in re.sub(r"\\[{}]", "", part):
            depth += {"{": 1, "}": -1}.get(ch, 0)
            assert depth >= 0
        assert depth == 0
    return parts


def test_the_report_as_latex_a_notebook_shows():
    """Displays of MathJax's TeX (no document, section or itemize), one per claim, each
    within MathJax's buffer; every claim with its verdict in the sheet's words."""
    report = symhw.check()
    tex = report._repr_latex_()
    displays = _displays(tex)
    assert len(displays) == 1 + 69
    assert max(map(len, displays)) <= 4 * 1024
    assert _commands(tex) <= MATHJAX, _commands(tex) - MATHJAX
    assert r"\textbf{CSCE 636 HW2: the handwritten solution, checked}" in displays[0]
    assert r"\text{69 claims: 48 correct, " in displays[0]
    assert tex.count(r"\text{: wrong}") == report.counts()["wrong"]
    assert displays[1].startswith("$$\\begin{array}{l}\n\\textbf{q1} \\\\\n\\textbf{loss (L7)}")


def test_a_display_too_long_for_mathjax_is_split_by_line(q2):
    big = [["0.5"] * 40] * 40  # 1,600 entries written for a 2 × 1 vector
    tex = q2.check("delta1", big)._repr_latex_()
    displays = _displays(tex)
    assert len(displays) == 3  # the verdict, what was written, what was expected
    assert len(displays[0]) < 100 and len(displays[1]) > 4 * 1024


def test_hostile_text_in_a_note_is_set_as_text_only():
    claims = {
        "problem_set": "hw2",
        "title": "50% of {my} $answers$ & #1_",
        "q3": {"claims": [{"name": "basic_params_bias", "value": BASIC, "note": r"\input{x} ~^"}]},
    }
    tex = symhw.check(claims)._repr_latex_()
    assert r"\input" not in tex and "\\x" not in tex
    assert r"\textbf{50}\%\textbf{ of }\{\textbf{my}\}\textbf{ }\$" in tex
    assert r"\text{note: }\backslash{}\text{input}\{\text{x}\}\text{ }\sim{}\hat{}" in tex
    assert _commands(tex) <= MATHJAX


@pytest.mark.tex
@pytest.mark.skipif(not HAS_TEX, reason="needs pdflatex")
def test_the_notebook_latex_is_latex_too(tmp_path):
    """A notebook exported to PDF puts the display into a LaTeX document: it compiles."""
    body = symhw.check()._repr_latex_()
    doc = "\\documentclass{article}\n\\usepackage{amsmath}\n\\begin{document}\n"
    (tmp_path / "n.tex").write_text(doc + body + "\n\\end{document}\n", "utf-8")
    done = subprocess.run(
        [shutil.which("pdflatex"), "-interaction=nonstopmode", "-halt-on-error", "n.tex"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-2000:]


def test_a_right_value_under_a_wrong_label_is_said_to_be_right():
    """L59-63: s⁽²⁾ = 0.2 + tanh(0.7) − 3 tanh(1) = −1.4804, written −1.48 but labelled δ²:
    the value is right (no expected value shown), the label is what is wrong."""
    shown = symhw.solve("hw2", "q2").check("s2", "-1.48", label=r"\delta^2")._repr_markdown_()
    assert "**s2: wrong**" in shown and "- the value is right\n" in shown
    assert "expected:" not in shown and "the label $\\delta^{2}$ stands for" in shown
