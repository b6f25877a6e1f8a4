"""Wide mathematics is reflowed, never shrunk: rows cut where the mathematics allows, and
pdflatex's log (an independent judge of width) shows no overfull box."""

from __future__ import annotations

import pytest
import sympy as sp

from conftest import HAS_TEX
from symhw.builder import DerivationBuilder
from symhw.derivation import Answer, Paragraph, Solution, Table
from symhw.render import latex as latex_render
from symhw.render.layout import reflow, width
from symhw.tex import compile_pdf

needs_tex = pytest.mark.skipif(not HAS_TEX, reason="needs pdflatex (CI installs TeX)")


def test_a_sum_is_cut_before_its_operators():
    assert [r.tex for r in reflow("a + b - c + d", 4.0)] == ["a + b", "- c + d"]


def test_a_sum_of_products_is_cut_between_its_terms_not_inside_one():
    tex = r"2 \cdot 65535 + 3 \cdot 4 \cdot 5 + 1 = 131097"
    assert [r.tex for r in reflow(tex, 13.0)] == [
        r"2 \cdot 65535 + 3 \cdot 4 \cdot 5 + 1",
        "= 131097",
    ]
    assert [r.tex for r in reflow(tex, 8.0)] == [
        r"2 \cdot 65535",
        r"+ 3 \cdot 4 \cdot 5",
        "+ 1",
        "= 131097",
    ]
    # a sign after an operator is not a cut
    assert [r.tex for r in reflow(r"a \cdot -b + c", 4.5)] == [r"a \cdot -b", "+ c"]


def test_math_that_fits_is_one_row():
    assert [r.tex for r in reflow(r"\frac{a}{b} + 1", 20.0)] == [r"\frac{a}{b} + 1"]


def test_a_wide_matrix_is_split_into_blocks_of_columns_noted_in_the_margin():
    m = sp.ImmutableMatrix(2, 24, lambda i, j: sp.Rational(-(100 * i + j) - 1000, 7))
    rows = reflow(latex_render.latex(m), 40.0)
    assert len(rows) > 1
    assert rows[0].tex.startswith(r"\left[") and rows[0].tex.endswith(r"\right.")
    assert rows[-1].tex.startswith(r"\left.") and rows[-1].tex.endswith(r"\right]")
    assert rows[0].note.startswith("columns 1–")
    assert rows[-1].note.endswith("–24")
    assert all(width(r.tex) <= 40.0 for r in rows)


def _sheet(tmp_path, *parts, answers=()) -> str:
    sol = Solution("q1", "k", "Wide things", Paragraph(("wide",)), tuple(parts), tuple(answers))
    tex = latex_render.document("t", [sol])
    compile_pdf(tex, tmp_path)
    log = (tmp_path / "sheet.log").read_text("utf-8", errors="replace")
    assert "Overfull \\" not in log  # too wide, or too tall for a page (cut off)
    for scaling in ("\\resizebox", "\\scalebox", "\\adjustbox"):
        assert scaling not in tex
    return tex


_x = sp.symbols("x1:41", real=True)


@needs_tex
def test_wide_members_of_a_derivation_compile_without_overfull_boxes(tmp_path):
    b = DerivationBuilder("Wide")
    y = sp.Symbol("y")
    long_sum = sp.Add(*[sp.tanh(v) * (k + 1) for k, v in enumerate(_x)])
    b.define(y, long_sum)
    wide = sp.ImmutableMatrix(3, 20, lambda i, j: sp.Rational(123457 * (i + 1) + j, 1000))
    b.define(sp.MatrixSymbol("W", 3, 20), wide)
    long_entries = sp.ImmutableMatrix([long_sum, 2 * long_sum])
    b.define(sp.MatrixSymbol("v", 2, 1), long_entries)
    tex = _sheet(tmp_path, b.build())
    assert r"\left(v\right)_{2} &=" in tex  # entries too long for the line are named


@needs_tex
def test_a_long_boxed_answer_and_a_wide_table_compile_without_overfull_boxes(tmp_path):
    long_sum = sp.Add(*[sp.tanh(v) * (k + 1) for k, v in enumerate(_x)])
    table = Table(
        "Wide table",
        tuple(f"column {k}" for k in range(16)),
        tuple(tuple(sp.Integer(123456789 * (r + 1) + k) for k in range(16)) for r in range(3)),
    )
    tex = _sheet(tmp_path, table, answers=[Answer("y", sp.Symbol("y"), long_sum)])
    assert r"\boxed{\begin{aligned}" in tex
    assert tex.count(r"\begin{tabular}") >= 2  # split by columns


@needs_tex
def test_a_table_cell_too_wide_for_any_table_is_displayed_row_by_row(tmp_path):
    long_sum = sp.Add(*[sp.tanh(v) * (k + 1) for k, v in enumerate(_x)])
    table = Table("Long cells", ("quantity", "exact"), ((sp.Symbol("y"), long_sum),))
    tex = _sheet(tmp_path, table)
    assert r"y\ \left(\text{exact}\right) &=" in tex and r"\begin{tabular}" not in tex


@needs_tex
def test_a_tuple_of_long_vectors_names_each_item_and_entry(tmp_path):
    long_sum = sp.Add(*[sp.tanh(v) * (k + 1) for k, v in enumerate(_x)])
    vector = sp.ImmutableMatrix([long_sum, -long_sum])
    answer = Answer("g", sp.Symbol("g"), sp.Tuple(vector, 2 * vector))
    tex = _sheet(tmp_path, answers=[answer])
    assert r"\left(g\right)_{2,1} &=" in tex  # item 2 of the tuple, entry 1


@needs_tex
@pytest.mark.parametrize(
    "case",
    # each once overran the margin by 95 to 529 pt when nothing was shrunk: a vector of long
    # entries, a block label as wide as a third of the line, Part I's sums over the layers
    # of blocks 2^16 channels wide, an 8×8 network's Part I worked number by number (columns
    # of 15-decimal numbers side by side, a boxed 9×8 matrix of them)
    ["mlp-sigmoid-3x3-issue", "blocks-network-max", "blocks-compare-max", "mlp-8x8-sigmoid"],
)
def test_limit_cases_compile_without_overfull_boxes(case, tmp_path):
    from conftest import REPO, run_cli

    done = run_cli(
        "sheet",
        str(REPO / "benchmarks" / "limits" / f"{case}.toml"),
        "-o",
        str(tmp_path),
        "--format",
        "tex",
        "--jobs",
        "1",
    )
    assert done.returncode == 0, done.stderr
    tex = (tmp_path / f"{case}.tex").read_text("utf-8")
    compile_pdf(tex, tmp_path)  # beside the figures the sheet links
    log = (tmp_path / "sheet.log").read_text("utf-8", errors="replace")
    assert "Overfull \\" not in log  # too wide (hbox), or too tall for a page (vbox: cut off)
    assert "\\resizebox" not in tex and "\\scalebox" not in tex


@needs_tex
def test_long_numbers_after_an_approx_and_in_a_table_are_continued_in_the_margin(tmp_path):
    """A boxed value whose numbers after ≈ are too long for a line has them named one by
    one, digits continued (mlp-8x8-extreme-numbers' 100-digit pre-activations); a table
    shown row by row notes a continued number in the margin, not on its line."""
    from symhw.problems.mlp_backprop.nodes import Approximated

    big = sp.Integer(7) ** 200 / 3
    exact = sp.ImmutableMatrix([1, sp.tanh(big), big])
    approx = sp.ImmutableMatrix([1, sp.Float(1, 30), sp.N(big, 200)])
    value = Approximated(sp.MatrixSymbol("v", 3, 1), exact, approx, 15)
    table = Table("Long cells", ("quantity", "exact"), ((sp.Symbol("y"), sp.Integer(7) ** 260),))
    tex = _sheet(tmp_path, table, answers=[Answer("x", sp.MatrixSymbol("x", 3, 1), value)])
    assert r"\left(x\right)_{3} &\approx" in tex  # the long number, named
    table_rows = tex[tex.index(r"y\ \left(\text{exact}\right)") :].split(r"\end{align*}")[0]
    assert r"\tag*{\text{\small digits continue}}" in table_rows  # in the margin
    assert r"\quad \text{\small (digits continue)}" not in table_rows


def test_the_height_of_display_math_counts_matrix_rows():
    from symhw.render.layout import height

    column = latex_render.latex(sp.ImmutableMatrix(9, 1, lambda i, j: i))
    nested = latex_render.latex(sp.ImmutableMatrix([[sp.ImmutableMatrix([1, 2, 3])], [4]]))
    assert height("a + b") == 1 and height(column) == 9 and height(nested) == 4


@needs_tex
def test_a_table_longer_than_a_page_breaks_across_pages(tmp_path):
    """120 rows are about three pages: as one tabular box they ran off the page, unseen
    (pdflatex reported an overfull vbox); every row must reach the PDF."""
    import shutil
    import subprocess

    rows = tuple((sp.Symbol(f"g_{k}"), sp.Rational(k, 7)) for k in range(1, 121))
    _sheet(tmp_path, Table("A long table", ("entry", "value"), rows))
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", str(tmp_path / "sheet.pdf"), "-"], capture_output=True, text=True
        ).stdout
        assert "120/7" in text.replace(" ", "") or "120\n7" in text


@needs_tex
def test_a_boxed_answer_taller_than_a_page_is_set_so_that_it_can_break(tmp_path):
    """A 9 × 8 matrix of long entries splits into blocks of columns, each 9 rows: one box
    of them all is taller than a page, so the answer is an align* with its name boxed."""
    x = sp.symbols("x_1:9")
    m = sp.ImmutableMatrix(9, 8, lambda i, j: (1 - sp.tanh(x[j]) ** 2) * sp.tanh(x[(i + j) % 8]))
    answer = Answer("G", sp.Symbol("G"), m)
    tex = _sheet(tmp_path, answers=[answer])  # no overfull box, no scaling
    assert r"\boxed{\begin{aligned}" not in tex and r"\boxed{G}" in tex


@needs_tex
def test_a_long_problem_id_wraps_in_the_summary_table(tmp_path):
    """The summary table's first column holds the problem id on every row: a long one
    (8x8-symbolic-rounded, 8 to 35 pt too wide before) wraps at its hyphens."""
    answer = Answer("x0", sp.Symbol("x"), sp.ImmutableMatrix([1, 2, 3]).T)
    sol = Solution("8x8-symbolic-rounded-network", "k", "Long id", Paragraph(("q",)), (), (answer,))
    compile_pdf(latex_render.document("t", [sol]), tmp_path)
    log = (tmp_path / "sheet.log").read_text("utf-8", errors="replace")
    assert "Overfull \\" not in log


def test_a_fraction_of_long_numbers_is_cut_as_numerator_over_denominator():
    tex = latex_render.latex(-sp.Rational(10**80 + 7, 3 * 10**70 + 1))
    rows = reflow(tex, 30.0)
    assert len(rows) > 2 and all(width(r.tex) <= 30.0 for r in rows)
    joined = "".join(r.tex for r in rows).replace("\\,", "").replace(" ", "")
    assert joined == f"-{10**80 + 7}/{3 * 10**70 + 1}"
