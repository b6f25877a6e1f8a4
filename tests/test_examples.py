"""examples/check.ipynb runs as Jupyter runs it (nbclient, a python3 kernel of this very
interpreter) and shows what a student should see; the committed file has no outputs.

The values it is checked against are worked by hand here (math.tanh, the homework's
network), not read back from symhw."""

from __future__ import annotations

import ast
import math
import os
import sys

import nbformat
import pytest
from nbclient import NotebookClient

from conftest import REPO

NOTEBOOK = REPO / "examples" / "check.ipynb"

# q2 by hand: x⁰ = [1, 2], W¹ = [[0.1, 0.2], [0.3, 0.4]], W² = [0.2, 1, −3], W³ = [1, 2],
# y = 1, e = (x³ − y)²; δ² = (1 − tanh² s²)·2·δ³, δ¹ = (1 − tanh² s¹) ⊙ [1, −3]·δ².
S1 = (0.7, 1.0)
S2 = 0.2 + math.tanh(S1[0]) - 3 * math.tanh(S1[1])
DELTA3 = 2 * (1 + 2 * math.tanh(S2) - 1)
DELTA2 = (1 - math.tanh(S2) ** 2) * 2 * DELTA3
DELTA1 = ((1 - math.tanh(S1[0]) ** 2) * DELTA2, (1 - math.tanh(S1[1]) ** 2) * -3 * DELTA2)


def test_the_notebook_is_committed_without_outputs():
    text = NOTEBOOK.read_text("utf-8")
    nb = nbformat.reads(text, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(c.outputs == [] and c.execution_count is None for c in code)
    assert nbformat.writes(nb) + "\n" == text  # nbformat's own layout: a stable file
    assert nb.metadata.kernelspec.name == "python3"


@pytest.fixture(scope="module")
def executed():
    """The notebook run top to bottom in a fresh kernel, this tree's symhw first on its
    path; a last cell (not in the file) says which interpreter and symhw it ran."""
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nb.cells.append(
        nbformat.v4.new_code_cell("import sys, symhw\nprint(sys.executable)\nprint(symhw.__file__)")
    )
    path = os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH")) if p)
    client = NotebookClient(nb, timeout=60, kernel_name="python3", allow_errors=False)
    client.execute(env={**os.environ, "PYTHONPATH": path}, cwd=str(REPO / "examples"))
    return {c.get("id"): c for c in nb.cells if c.cell_type == "code"}, nb.cells[-1]


def _result(cell, kind: str = "text/plain") -> str:
    (out,) = [o for o in cell.outputs if o.output_type in ("execute_result", "display_data")]
    return out.data[kind]


def test_it_ran_in_this_interpreter_with_this_symhw(executed):
    _, last = executed
    (stream,) = last.outputs
    executable, module = stream.text.splitlines()
    assert executable == sys.executable
    assert module.startswith(str(REPO / "symhw"))


def test_the_solutions_show_as_math(executed):
    cells, _ = executed
    for cell in ("q1-solve", "q2-solve"):
        assert _result(cells[cell], "text/latex").startswith("$\\displaystyle \\begin{aligned}")


def test_the_students_own_numbers_are_the_hand_computed_ones(executed):
    cells, _ = executed
    delta2, delta1 = ast.literal_eval(_result(cells["q2-compute"]))
    assert delta2 == pytest.approx(DELTA2, abs=1e-12) and round(delta2, 4) == -1.3503
    assert delta1 == pytest.approx(DELTA1, abs=1e-12)


@pytest.mark.parametrize(
    ("cell", "verdict"),
    [
        ("q1-derivative", "q1.activation_derivative: correct"),
        ("q1-gradient", "q1.gradient: wrong"),  # the factor 2 left out
        ("q2-delta2", "q2.delta2: correct"),  # float64, at 12 significant digits
        ("q2-rounded", "q2.delta2: rounding"),  # −1.368, the 2-decimal hand replay
        ("q2-digits", "q2.delta1: correct"),  # [−0.86, 1.70]: δ¹ at two decimals
        ("q2-wrong", "q2.delta1: wrong"),  # the handwritten sheet's [−0.875, 1.736]
    ],
)
def test_each_verdict(executed, cell, verdict):
    cells, _ = executed
    assert _result(cells[cell]) == f"<ClaimCheck {verdict}>"


def test_the_diagnoses_say_why(executed):
    cells, _ = executed
    gradient = _result(cells["q1-gradient"], "text/markdown")
    assert "expected: $\\frac{2}{N}" in gradient
    assert "the whole expression is $\\frac{1}{2}$ times the expected one" in gradient
    wrong = _result(cells["q2-wrong"], "text/markdown")
    exact = [f"{d:.4f}" for d in DELTA1]  # −0.8571, 1.7012
    assert f"- expected: $\\left[\\begin{{matrix}}{exact[0]}\\\\{exact[1]}\\end{{matrix}}" in wrong
    assert f"- entry 2, 1: 1.736 is wrong: exact {exact[1]}, {DELTA1[1]:.3f} at" in wrong
    assert f"- entry 1, 1: -0.875 is rounding (digits cut, not rounded): exact {exact[0]}" in wrong
    rounded = _result(cells["q2-rounded"], "text/markdown")
    assert f"exact {DELTA2:.4f}, {DELTA2:.3f} at the digits written" in rounded
    assert "\\textbf{delta1}\\text{: wrong}" in _result(cells["q2-wrong"], "text/latex")


def test_all_at_once(executed):
    cells, _ = executed
    counts = ast.literal_eval(_result(cells["all"]))
    assert {k: n for k, n in counts.items() if n} == {"correct": 2, "rounding": 1, "wrong": 1}
    sheet = _result(cells["all-show"], "text/markdown")
    assert sheet.startswith("# Claims on hw2, checked\n\n")
    assert "\n**4 claims: 2 correct, 1 rounding, 1 wrong.**\n" in sheet
    assert _result(cells["all-show"]) == "<Report on hw2: 4 claims, 2 correct, 1 rounding, 1 wrong>"
