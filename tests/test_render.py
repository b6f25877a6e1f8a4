"""Renderers: expressions print as on a solution sheet; text is escaped; JSON values convert."""

from __future__ import annotations

import json

import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from sympy.printing.latex import LatexPrinter

from symhw.activations import sigmoid
from symhw.derivation import Derivation, Paragraph
from symhw.notation import Grad, Inner, Norm, Vec, indexed_symbol
from symhw.render import json as json_render
from symhw.render import latex as latex_render
from symhw.render import markdown as markdown_render
from symhw.render.expr import SheetLatexPrinter, latex, text

s, y = sp.symbols("s y", real=True)
n, N = sp.Symbol("n", integer=True, positive=True), sp.Symbol("N", integer=True, positive=True)
w, x_n = Vec(sp.Symbol("w")), Vec(sp.Symbol("x"), n)
e_plus, e_minus = sp.exp(s) + sp.exp(-s), sp.exp(s) - sp.exp(-s)


@pytest.mark.parametrize(
    ("expr", "tex"),
    [
        (Inner(w, x_n), "w^{T} x_{n}"),
        (Grad(sp.Function("E_in")(w), w), r"\nabla_{w} E_{\mathrm{in}}{\left(w \right)}"),
        (
            sp.Subs(sp.Derivative(sp.tanh(s), s), s, Inner(w, x_n)),
            r"\tanh'\left(w^{T} x_{n}\right)",
        ),
        (sigmoid(s) ** 2, r"\sigma^{2}\left(s\right)"),
        (sp.tanh(s) - y, r"\tanh{\left(s \right)} - y"),  # positive term first
        (sp.Sum(s, (n, 1, N)) / N, r"\frac{1}{N} \sum_{n=1}^{N} s"),  # (1/N) Σ, not Σ/N
        (Norm(w), r"\left\|w\right\|"),
        # the quotient rule as written: products kept, in order, not merged into squares
        (
            sp.Add(
                sp.Mul(e_plus, e_plus, evaluate=False),
                sp.Mul(-1, e_minus, e_minus, evaluate=False),
                evaluate=False,
            ),
            r"\left(e^{s} + e^{- s}\right) \left(e^{s} + e^{- s}\right) - "
            r"\left(e^{s} - e^{- s}\right) \left(e^{s} - e^{- s}\right)",
        ),
        (
            sp.Mul(sp.tanh(s) - y, 1 - sp.tanh(s) ** 2, x_n, evaluate=False),
            r"\left(\tanh{\left(s \right)} - y\right) \left(1 - \tanh^{2}{\left(s \right)}\right)"
            r" x_{n}",
        ),
    ],
)
def test_latex_as_on_a_sheet(expr, tex):
    assert latex(expr) == tex


@pytest.mark.parametrize(
    ("expr", "plain"),
    [
        (Inner(w, x_n), "dot(w, x_n)"),
        (Grad(sp.tanh(Inner(w, x_n)), w), "grad_w(tanh(dot(w, x_n)))"),
        (sigmoid(s), "sigmoid(s)"),
    ],
)
def test_plain_text_for_json(expr, plain):
    assert text(expr) == plain


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("50% of $x & y_1", r"50\% of \$x \& y\_1"),
        (r"\input{/etc/passwd}", r"\textbackslash{}input\{/etc/passwd\}"),
        ("θ → ∞", r"$\theta$ $\to$ $\infty$"),
    ],
)
def test_latex_text_escapes_special_characters(raw, escaped):
    assert latex_render.escape(raw) == escaped


def test_paragraphs_put_expressions_in_inline_math():
    p = Paragraph(("Let ", sp.Eq(s, Inner(w, x_n)), "."))
    assert latex_render.paragraph(p) == "Let $s = w^{T} x_{n}$."
    assert markdown_render.paragraph(p) == "Let $s = w^{T} x_{n}$."


@pytest.mark.parametrize(
    ("value", "converted"),
    [
        (sp.Integer(18496), 18496),
        (sp.Rational(-27, 20), -1.35),
        (sp.Matrix([[1, 2], [3, 4]]), [[1, 2], [3, 4]]),
        ((sp.Integer(1), sp.Symbol("C")), [1, "C"]),
        (sp.tanh(sp.Rational(7, 10)), pytest.approx(0.6043677771171636)),
        (sp.oo, "oo"),
        (sp.tanh(s), "tanh(s)"),
    ],
)
def test_json_values(value, converted):
    assert json_render.to_json_value(value) == converted


def test_answers_document_is_valid_json_with_ids_and_names():
    from symhw.problems import activation_loss

    sol = activation_loss.solve(activation_loss.Params(activation="identity"))
    data = json.loads(json_render.answers_document([sol]))
    assert data["q1"]["derivative_limit_pos"] == 1  # identity' = 1 everywhere
    assert data["q1"]["activation_derivative"] == 1  # a number, not a string


def test_jupyter_display_is_the_derivations_and_boxed_answers():
    from symhw.problems import activation_loss

    sol = activation_loss.solve(activation_loss.Params(activation="identity"))
    shown = sol._repr_latex_()
    assert shown.startswith("$\\displaystyle \\begin{aligned}") and shown.endswith("$")
    assert shown.count("\\boxed{") == len(sol.answers)
    first = next(p for p in sol.parts if isinstance(p, Derivation))
    assert first._repr_latex_().count("&=") == len(first.steps)


_A, _B = sp.MatrixSymbol("A", 2, 2), sp.MatrixSymbol("B", 2, 2)
_M, _v = sp.ImmutableMatrix([[1, -2], [3, 4]]), sp.ImmutableMatrix([-1, 5])


@pytest.mark.parametrize(
    "product",
    [
        sp.MatMul(-1, _A, _B, evaluate=False),
        sp.MatMul(-2, _A, _B, evaluate=False),
        sp.MatMul(sp.Rational(3, 2), _A, _B, evaluate=False),
        sp.MatMul(_M, _v, evaluate=False),
        sp.MatMul(-3, _M.T, _v, evaluate=False),
        sp.MatMul(_A + _B, _A, evaluate=False),
        -_A * _B,
    ],
    ids=str,
)
def test_matrix_products_print_as_sympy_prints_them(product):
    """The sheet printer reads the sign off the leading scalar instead of multiplying the
    matrices out; what it writes is what SymPy's own LaTeX printer writes."""
    from sympy.printing.latex import LatexPrinter

    assert latex(product) == LatexPrinter({"mul_symbol": None}).doprint(product)


def test_markdown_shows_user_text_as_written():
    """A title with Markdown markup must not become a heading, emphasis or a table column."""
    from symhw.derivation import Solution

    sol = Solution(
        "q1", "k", "A *bold* claim | # not a heading", Paragraph(("x_1 and y_1",)), (), ()
    )
    section = markdown_render.solution_section(sol)
    assert section.startswith(r"## q1. A \*bold\* claim \| \# not a heading")
    assert r"x\_1 and y\_1" in section


def test_the_json_document_is_what_json_dumps_writes_for_the_whole():
    """Sections are joined as text (less memory than objects); the bytes are json.dumps's."""
    from symhw.sheet import solve_all
    from symhw.spec import load_problem_set

    sols = solve_all(load_problem_set())
    title = 'Übung "2"\\'
    whole = {"title": title, "problems": [json_render.solution_data(s) for s in sols]}
    expected = json.dumps(whole, indent=2, ensure_ascii=False) + "\n"
    assert json_render.document(title, sols) == expected
    assert json.loads(json_render.document(title, [])) == {"title": title, "problems": []}


@pytest.mark.parametrize(
    ("symbol", "tex", "plain"),
    [
        (indexed_symbol("w", 1, (1, 1)), "w_{1}^{11}", "w_1^11"),
        (indexed_symbol("w", 3, (10, 2)), "w_{3}^{10,2}", "w_3^10,2"),
        (indexed_symbol("A", sup="T"), "A^{T}", "A^T"),
        (indexed_symbol("x", 12), "x_{12}", "x_12"),
        (indexed_symbol("alpha", 1, 2), r"\alpha_{1}^{2}", "alpha_1^2"),
        (sp.Symbol("s^(1)_2"), "s^{(1)}_{2}", "s^(1)_2"),  # SymPy's own order, as written
    ],
)
def test_indexed_symbols_print_their_indices_in_the_order_named(symbol, tex, plain):
    assert latex(symbol) == tex
    assert text(symbol) == plain


def test_every_symbol_text_may_use_has_its_latex_and_compiles_as_text():
    from symhw.charset import SYMBOLS

    assert all(latex_render.escape(ch) != ch for ch in SYMBOLS)


# ---------------------------------------------------------------- typesetting conventions


@pytest.mark.parametrize(
    ("name", "tex"),
    [
        # words (upright): q1's E_in, q3's layer and block names, q4's statistics, q5's C_in
        ("E_in", r"E_{\mathrm{in}}"),
        ("C_out", r"C_{\mathrm{out}}"),
        ("P_conv1", r"P_{\mathrm{conv1}}"),
        ("Ptilde_bottleneck", r"\tilde{P}_{\mathrm{bottleneck}}"),
        ("H_out,conv2", r"H_{\mathrm{out},\mathrm{conv2}}"),
        ("C_crossover", r"C_{\mathrm{crossover}}"),
        ("P_bn1", r"P_{\mathrm{bn1}}"),
        ("mu_fc", r"\mu_{\mathrm{fc}}"),
        ("sigma_conv", r"\sigma_{\mathrm{conv}}"),
        # index lists (italic): q5's x_it, Y_jt', w_k^ij; q2's layer symbols; digits
        ("x_it", "x_{it}"),
        ("Y_jt'", "Y_{jt'}"),
        ("w_k^ij", "w_{k}^{ij}"),
        ("x_i,m,n", "x_{i,m,n}"),
        ("s^(l)_j", "s^{(l)}_{j}"),
        ("Wbar^(l+1)", r"\bar{W}^{(l+1)}"),
        ("w^(1)_01", "w^{(1)}_{01}"),
        ("w_1^11", "w_{1}^{11}"),
        ("x_n", "x_{n}"),
    ],
)
def test_word_indices_are_upright_and_index_lists_italic(name, tex):
    assert latex(sp.Symbol(name)) == tex


def test_a_function_named_with_a_word_index_is_upright_too():
    assert latex(sp.Function("E_in")(w)) == r"E_{\mathrm{in}}{\left(w \right)}"


@pytest.mark.parametrize(
    ("value", "tex"),
    [
        (18496, r"18\,496"),
        (1207959552, r"1\,207\,959\,552"),
        (-295168, r"-295\,168"),
        (10000, r"10\,000"),
        (9999, "9999"),  # four digits stay whole (SI)
        (2026, "2026"),
        (sp.Rational(275, 289), r"\frac{275}{289}"),
        (sp.Rational(-123456, 7), r"- \frac{123\,456}{7}"),
    ],
)
def test_integers_from_ten_thousand_on_are_grouped_by_thin_spaces(value, tex):
    assert latex(sp.sympify(value)) == tex


def test_json_keeps_integers_whole():
    assert json_render.to_json_value(sp.Integer(18496)) == 18496


@pytest.mark.parametrize(
    ("raw", "tex", "md"),
    [
        ("they have 17600 and 18496.", r"they have 17\,600 and 18\,496.", "17\u202f600"),
        ("seed 4294967295", "seed 4294967295", "seed 4294967295"),  # an id
        ("in 2026, q12345", "in 2026, q12345", "q12345"),  # a year, a name
        ("0.000012345 or 12345.5", "0.000012345 or 12345.5", "12345.5"),
        ("65536×65536", r"65\,536$\times$65\,536", "65\u202f536×65\u202f536"),
    ],
)
def test_prose_groups_whole_numbers_but_not_ids_years_or_decimals(raw, tex, md):
    assert latex_render.escape(raw) == tex
    assert md in markdown_render.escape(raw)


@pytest.mark.parametrize(
    ("raw", "tex", "md"),
    [
        ("θ' is 1", r"$\theta'$ is 1", r"$\theta'$ is 1"),
        ("substitute tanh′ derived above", r"substitute $\tanh'$ derived above", r"$\tanh'$"),
        ("identity' of s", r"$\operatorname{identity}'$ of s", r"$\operatorname{identity}'$"),
        ("the identity's value", "the identity's value", "identity's"),  # not a derivative
    ],
)
def test_a_primed_activation_in_prose_is_math(raw, tex, md):
    assert latex_render.escape(raw) == tex
    assert md in markdown_render.escape(raw)


_S = sp.ImmutableMatrix([[s + 1]])


@pytest.mark.parametrize(
    ("expr", "tex"),
    [
        (_S, "s + 1"),
        (sp.ImmutableMatrix([[sp.Rational(-36, 10)]]), r"- \frac{18}{5}"),
        (sp.MatMul(sp.ImmutableMatrix([[2]]), _S, evaluate=False), r"2 \left(s + 1\right)"),
        (
            sp.MatMul(sp.ImmutableMatrix([1, 2]), _S.T, evaluate=False),
            r"\left[\begin{matrix}1\\2\end{matrix}\right] \left(s + 1\right)",
        ),
        (
            sp.MatMul(sp.ImmutableMatrix([[2]]), sp.ImmutableMatrix([[3]]), evaluate=False),
            r"2 \cdot 3",
        ),
        (sp.ImmutableMatrix([1, 2]), r"\left[\begin{matrix}1\\2\end{matrix}\right]"),
    ],
)
def test_a_one_by_one_matrix_prints_as_its_entry(expr, tex):
    assert latex(expr) == tex


def test_a_one_by_one_matrix_stays_a_list_in_json():
    assert json_render.to_json_value(sp.ImmutableMatrix([[5]])) == [[5]]


_JSON_LEAVES = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=8)
)
_JSON_KEYS = st.text(max_size=6) | st.integers(-3, 3) | st.none() | st.booleans()
_JSON_DATA = st.recursive(
    _JSON_LEAVES,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.tuples(inner, inner)
        | st.dictionaries(st.text(max_size=6), inner, max_size=4)
        | st.dictionaries(_JSON_KEYS, inner, max_size=3)
    ),
    max_leaves=25,
)


@settings(max_examples=300, deadline=None)
@given(_JSON_DATA)
def test_indented_json_is_json_dumps_text(data):
    """The fast indented encoder writes json.dumps(data, indent=2)'s very text, whatever the
    data (non-ASCII, NaN and infinities, number, None and boolean keys, tuples, nesting)."""
    assert json_render.indented(data) == json.dumps(data, indent=2)


def test_indented_json_of_a_check_report_is_json_dumps_text():
    from symhw.checker.claims import builtin_claims
    from symhw.checker.report import check_file, report_data

    data = report_data(check_file(builtin_claims()))
    assert json_render.indented(data) == json.dumps(data, indent=2)


class _SympyMatrixRows(SheetLatexPrinter):
    """The sheet's printer with SymPy's own way of writing a matrix's rows."""

    _print_matrix_contents = LatexPrinter._print_matrix_contents


@pytest.mark.parametrize("mode", ["plain", "inline", "equation"])
@pytest.mark.parametrize(
    "matrix",
    [
        sp.ImmutableMatrix([[1, sp.Rational(1, 3)], [sp.tanh(sp.Symbol("s")), -2]]),
        sp.Matrix([[sp.Symbol("x")], [2]]),  # mutable, one column
        sp.ImmutableMatrix(2, 12, list(range(24))),  # over 10 columns: an array
        sp.ImmutableSparseMatrix(2, 3, {(0, 1): 3}),
    ],
    ids=["2x2", "column", "2x12", "sparse"],
)
def test_matrix_rows_are_written_as_sympy_writes_them(matrix, mode):
    """The printer reads a matrix's rows with tolist (faster): the LaTeX is SymPy's."""
    settings = {"mode": mode}
    assert SheetLatexPrinter(settings).doprint(matrix) == _SympyMatrixRows(settings).doprint(matrix)


def test_a_sums_term_order_follows_each_printers_order_setting():
    """Term orders are remembered across printers: each printer still gets its own order
    (SymPy's printer with the same settings is the oracle), whichever printed first."""
    x, y = sp.symbols("x y")
    e = sp.Add(y**2, x, 1)
    for order in (None, "none", "old", None, "none"):
        settings = {} if order is None else {"order": order}
        expected = LatexPrinter({"mul_symbol": None, **settings}).doprint(e)
        assert SheetLatexPrinter(settings).doprint(e) == expected, order
