"""The parser of ``symhw check`` (symhw/checker/parse.py): plain and LaTeX forms of one
expression give the same SymPy object, every claim of the handwritten HW2 transcription
parses, symhw's own answers read back, and nothing else ever comes out but a value or one
ClaimSyntaxError (fuzzed, hostile payloads, limits at their edge).

Oracles: SymPy objects built here by hand (or symhw's own answers, for the round trip),
never the parser's output copied back."""

from __future__ import annotations

import ast
import io
import logging
import time
import tomllib
from fractions import Fraction

import pytest
import sympy as sp
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from conftest import REPO
from symhw.checker import grammar
from symhw.checker.names import Extended, Fn, Name, Names, NameTable
from symhw.checker.parse import MAX_NODES, Parsed, define, parse, parser
from symhw.checker.prescan import MAX_DEPTH, MAX_LENGTH
from symhw.checker.syntax import ClaimSyntaxError
from symhw.errors import InputError
from symhw.notation import Grad, GradientEntry, Inner, Shape, Vec, indexed_symbol, layer_symbol

DRAFT = REPO / "tests" / "data" / "hw2-handwritten.draft.toml"

s, x, y, C, N = sp.symbols("s x y C N")
n = sp.Symbol("n", integer=True, positive=True)
w = Vec(sp.Symbol("w"))
x_n = Vec(sp.Symbol("x"), n)
y_family = sp.IndexedBase(sp.Symbol("y"))


def W(k, ij):
    return indexed_symbol("w", k, ij)


def X(i, t):
    return indexed_symbol("x", f"{i}{t}")


#: q1's names as the problem will give them: w and x_n vectors, y_n an entry of y.
Q1 = NameTable(
    {
        Name("w"): w,
        Name("x", "n"): x_n,
        Name("n"): n,
        Name("N"): N,
        Name("y"): y_family,
        Name("y", "n"): y_family[n],
    },
    gradient_variable=w,
)

TANH_SQ = 1 - sp.tanh(s) ** 2
GRADIENT = (
    2
    / N
    * sp.Sum(
        (sp.tanh(Inner(w, x_n)) - y_family[n]) * (1 - sp.tanh(Inner(w, x_n)) ** 2) * x_n,
        (n, 1, N),
    )
)

#: (plain, LaTeX, names, the object both denote).
PAIRS = [
    ("1 - tanh(s)^2", r"1-\tanh^2(s)", None, TANH_SQ),
    ("1 - tanh(s)**2", r"1 - \tanh(s)^2", None, TANH_SQ),
    ("1 - tanh(s)^2", r"1 - (\tanh s)^2", None, TANH_SQ),
    (
        "w_1^11*x_11 + w_2^11*x_12",
        r"w_1^{11} x_{11} + w_2^{11} x_{12}",
        None,
        W(1, 11) * X(1, 1) + W(2, 11) * X(1, 2),
    ),
    ("dot(w, x_n)", "w^T x_n", Q1, Inner(w, x_n)),
    ("dot(w, x_n)", "w^Tx_n", Q1, Inner(w, x_n)),
    ("dot(w, x_n)", "w^{T} x_{n}", Q1, Inner(w, x_n)),
    (
        "[[1, 2], [3, 4]]",
        r"\begin{bmatrix}1&2\\3&4\end{bmatrix}",
        None,
        sp.ImmutableMatrix([[1, 2], [3, 4]]),
    ),
    (
        "[1, 2; 3, 4]",
        r"\begin{pmatrix}1&2\\3&4\end{pmatrix}",
        None,
        sp.ImmutableMatrix([[1, 2], [3, 4]]),
    ),
    (
        "[-0.875, 1.736]",
        r"\begin{bmatrix}-0.875\\1.736\end{bmatrix}",
        None,
        sp.ImmutableMatrix([sp.Rational(-7, 8), sp.Rational(217, 125)]),
    ),
    (
        "(2/N)*Sum((tanh(dot(w, x_n)) - y[n])*(1 - tanh(dot(w, x_n))^2)*x_n, (n, 1, N))",
        r"\frac{2}{N}\sum_{n=1}^{N}(\tanh(w^T x_n)-y_n)(1-\tanh^2(w^T x_n))x_n",
        Q1,
        GRADIENT,
    ),
    ("exp(-x)/2", r"\frac{e^{-x}}{2}", None, sp.exp(-x) / 2),
    ("0.9^2", "0.9^{2}", None, sp.Rational(81, 100)),
    ("sigmoid(s)*(1 - sigma(s))", r"\sigma(s)(1 - \sigma(s))", None, None),
    ("delta^(1)_2", r"\delta^{(1)}_2", None, layer_symbol("delta", 1, 2)),
    (
        "dL/dY_11",
        r"\frac{\partial L}{\partial Y_{11}}",
        None,
        GradientEntry(sp.Symbol("L"), indexed_symbol("Y", 11)),
    ),
    ("a - b", "a -b", None, sp.Symbol("a") - sp.Symbol("b")),
    ("2*(x - y)", "2(x - y)", None, 2 * (x - y)),
    ("x_12", "x_{12}", None, X(1, 2)),
]


@pytest.mark.parametrize("plain, latex, names, expected", PAIRS, ids=[p[1] for p in PAIRS])
def test_plain_and_latex_forms_give_the_same_object(plain, latex, names, expected):
    a, b = parse(plain, names), parse(latex, names)
    assert not a.latex
    assert b.latex or (latex.isascii() and "\\" not in latex)
    if expected is None:  # sigmoid: the activation's own node
        from symhw.activations import sigmoid

        expected = sigmoid(s) * (1 - sigmoid(s))
    assert a.value == expected
    assert b.value == expected


def _draft_names(problem: str, let: tuple[str, ...] = ()) -> Names:
    """What a claim of the draft needs beyond the default, as the claims reader will give
    it: the problem's names (q1's vectors and ∇'s variable, q2's layer families, q5's
    kernel family) and the claim's own ``let`` definitions (q1's g, q2's Θ)."""
    if problem == "q1":
        names: Names = Q1
    elif problem == "q2":
        names = NameTable(families=frozenset({"x", "W", "w", "s", "delta", "g"}))
    elif problem == "q5":
        names = NameTable(families=frozenset({"w"}))
    else:
        names = Names()
    return Extended(names, dict(define(text, names) for text in let)) if let else names


def _draft_strings():
    """Every string of the draft transcription (values, labels, steps, let), with what
    its claim defines."""
    data = tomllib.loads(DRAFT.read_text("utf-8"))
    for problem, table in data.items():
        if not isinstance(table, dict):
            continue
        for claim in table["claims"]:
            shape = claim.get("name", "").endswith("shape")
            let = tuple(claim.get("let", ()))
            for key in ("value", "label", "steps", "let"):
                for text in _strings(claim.get(key)):
                    yield problem, text, shape and key == "value", let


def _strings(x):
    if isinstance(x, str):
        yield x
    elif isinstance(x, list):
        for item in x:
            yield from _strings(item)


DRAFT_STRINGS = list(_draft_strings())


def test_the_draft_has_every_claim_string():
    """The design note's 122 (27 values, 27 labels, 64 steps, 4 let definitions) and the
    8 entries of the x_stacked matrix, which it did not count."""
    assert len(DRAFT_STRINGS) == 130
    assert sum(1 for *_, let in DRAFT_STRINGS if let) == 20  # the strings of 4 claims


@pytest.mark.parametrize("problem, text, shape, let", DRAFT_STRINGS)
def test_every_draft_claim_parses(problem, text, shape, let):
    parsed = parse(text, _draft_names(problem, let), shape=shape)
    assert isinstance(parsed, Parsed)
    if shape:
        assert isinstance(parsed.value, Shape)


def test_a_claims_own_definition():
    """``let`` (the writer's g and Θ): the function defined, its derivative by SymPy."""
    name, theta = define(r"\Theta(s) = \tanh(s)")
    assert name == Name("Theta") and theta.apply(y) == sp.tanh(y)
    names = _draft_names("q2", (r"\Theta(s) = s",))
    step = parse(r"\delta^3 = 2(x^3 - y) \Theta'(\delta^3)", names)
    assert step.members[1].value == 2 * (indexed_symbol("x", sup=3) - y)  # Θ′ = 1
    g = _draft_names("q1", (r"g(x) = \tanh(x)",))
    assert parse(r"\nabla g(x)", g).value == sp.Derivative(sp.tanh(x), x)
    for text in ("x = 1", "g(x + 1) = 2", "g(x)"):
        with pytest.raises(ClaimSyntaxError, match="definition"):
            define(text)


def test_the_draft_values_that_matter_read_as_written():
    """A few of the sheet's slips and values, by hand: A's w_5^22 stays a foreign symbol,
    q2's −0.875 keeps its 3 decimals, a shape is not multiplied out."""
    q5 = _draft_names("q5")
    assert parse("w_5^{22}", q5).value == indexed_symbol("w", 5, 22)
    assert parse(r"\frac{\partial L}{\partial y_2}", q5).value == GradientEntry(
        sp.Symbol("L"), indexed_symbol("y", 2)
    )
    delta1 = parse(r"\begin{bmatrix} -0.875 \\ 1.736 \end{bmatrix}")
    assert delta1.decimals == ((3,), (3,))
    assert parse(r"1 \times C", shape=True).value == Shape(1, C)
    assert parse("1x1x1xC", shape=True).value == Shape(1, 1, 1, C)
    assert parse("(1, C)", shape=True).value == Shape(1, C)
    assert parse(r"1 \times C").value == C  # not a shape: a product


def test_the_sheets_elementwise_step_gives_its_own_replay():
    """L93's (1 − [0.6; 0.76]²)([1; −3])(−1.368) is elementwise (LFD's ⊗): written out it
    is the replay the design note computed by hand, [−0.87552; 1.7335296]."""
    step = parse(
        r"= \left(1 - \left[\begin{matrix} 0.6 \\ 0.76 \end{matrix}\right]^2\right)"
        r" \left(\begin{bmatrix} 1 \\ -3 \end{bmatrix}\right) (-1.368)"
    )
    assert step.continues
    replay = [sp.Rational("-0.87552"), sp.Rational("1.7335296")]
    assert list(sp.ImmutableMatrix(step.value.as_explicit())) == replay
    outer = parse(
        r"\begin{bmatrix} 1 \\ 2 \end{bmatrix} \begin{bmatrix} -0.875 \\ 1.736 \end{bmatrix}^T"
    )
    expected = [
        [sp.Rational(-7, 8), sp.Rational(217, 125)],
        [sp.Rational(-7, 4), sp.Rational(434, 125)],
    ]
    assert outer.value.doit() == sp.ImmutableMatrix(expected)


def test_operators_and_functions():
    """d/dw, ∇_w and grad_w are gradients by a vector; a derivative by a scalar is
    SymPy's; θ′ of the problem's θ is differentiated; Identity, \\text and \\hat."""
    inner = Inner(w, x_n)
    assert parse(r"\frac{d}{dw} (w^T x_n)", Q1).value == Grad(inner, w)
    assert parse(r"\nabla_{w} \tanh(w^T x_n)", Q1).value == Grad(sp.tanh(inner), w)
    assert parse("grad_w(tanh(dot(w, x_n)))", Q1).value == Grad(sp.tanh(inner), w)
    assert parse(r"\frac{d}{dx} x^3").value == sp.Derivative(x**3, x)
    theta = NameTable({Name("theta"): Fn("theta", sp.tanh)})
    assert parse("theta'(s)", theta).value == 1 - sp.tanh(s) ** 2
    assert parse(r"\theta'(s)", theta).value == 1 - sp.tanh(s) ** 2
    from symhw.activations import relu

    assert parse(r"\text{Identity}(s) + \operatorname{ReLU}(s)").value == s + relu(s)
    assert parse(r"\hat{Y}").value == sp.Symbol("Yhat")
    with pytest.raises(ClaimSyntaxError, match="not a known function"):
        parse("theta'(s)")


def test_decimals_and_chains():
    p = parse("= 2(-0.8 - 1)(1) = -3.6")
    assert p.continues
    assert [m.value for m in p.members] == [sp.Rational(-18, 5)] * 2
    assert [m.decimals for m in p.members] == [None, 1]
    assert parse("0.60").decimals == 2
    assert parse("1/3").decimals is None
    assert parse("[-1.368, -0.821, -1.04]").decimals == ((3,), (3,), (2,))
    assert parse("[[1, 0.5], [2.25, 3]]").decimals == ((None, 1), (2, None))


def test_superscripts_index_power_or_transpose():
    assert parse("x^2").value == x**2
    assert parse("e^{-x}").value == sp.exp(-x)
    assert parse("w_1^{11}").value == W(1, 11)
    family = NameTable(families=frozenset({"x"}))
    assert parse("x^2", family).value == indexed_symbol("x", sup=2)
    matrix = sp.ImmutableMatrix([[1, 2]])
    table = NameTable({Name("A"): matrix})
    assert parse("A^T", table).value == sp.Transpose(matrix)
    assert parse(r"\tanh^2(s)").value == sp.tanh(s) ** 2
    with pytest.raises(ClaimSyntaxError, match="ambiguous"):
        parse(r"\tanh^{-1}(s)")


def _rebuilt(e):
    """An object rebuilt with SymPy's evaluation (the answers keep some products
    unevaluated, 2/N·Σ as written); matrices entry by entry; mlp-backprop's display nodes
    by what they show (a number to its decimals: as the text printer writes it)."""
    if hasattr(e, "display"):
        return _rebuilt(e.display)
    if type(e).__name__ == "Fixed":
        from symhw.render.expr import text

        f = Fraction(text(e))
        return sp.Rational(f.numerator, f.denominator)
    if isinstance(e, sp.MatrixBase):
        return sp.ImmutableMatrix(e.applyfunc(_rebuilt))
    if isinstance(e, sp.Float):  # written to its digits by the text printer
        return sp.Rational(Fraction(str(e)).numerator, Fraction(str(e)).denominator)
    if isinstance(e, sp.Basic) and e.args and not isinstance(e, sp.Symbol):
        return e.func(*[_rebuilt(a) for a in e.args])
    return e


def _answer_names(problem: str) -> Names:
    """Each built-in problem's symbols, with their assumptions, written down by hand."""
    positive = {"integer": True, "positive": True}
    if problem == "q1":
        y_real = sp.IndexedBase(sp.Symbol("y", real=True))
        return NameTable(
            {
                Name("s"): sp.Symbol("s", real=True),
                Name("w"): w,
                Name("x", "n"): x_n,
                Name("n"): n,
                Name("N"): sp.Symbol("N", **positive),
                Name("y"): y_real,
            }
        )
    if problem == "q2":
        return NameTable(
            {
                Name("s", str(j), f"({layer})"): layer_symbol("s", layer, j, real=True)
                for layer in (1, 2, 3)
                for j in (1, 2)
            }
        )
    return NameTable({Name(a): sp.Symbol(a, **positive) for a in "CNHW"})


def _answers():
    from symhw.sheet import solve_all
    from symhw.spec import load_problem_set

    for sol in solve_all(load_problem_set()):
        for answer in sol.answers:
            yield sol.problem_id, answer


@pytest.fixture(scope="module")
def answers():
    return list(_answers())


@pytest.mark.parametrize("printer", ["text", "latex"])
def test_symhw_reads_back_every_answer_it_prints(answers, printer):
    """parse(text(answer)) == answer and parse(latex(answer)) == answer for every answer
    of the built-in set (a display node of mlp-backprop by what it displays), with the
    problem's own symbols. The LaTeX printer writes a 1 × 1 matrix as its entry: read
    back, it is that entry."""
    from symhw.render import expr

    assert len(answers) == 48
    for problem, answer in answers:
        value = getattr(answer.value, "display", answer.value)
        written = getattr(expr, printer)(value)
        parsed = parse(written, _answer_names(problem), shape=isinstance(value, Shape))
        expected = _rebuilt(value)
        if printer == "latex" and getattr(expected, "shape", None) == (1, 1):
            expected = expected[0, 0]
        assert _rebuilt(parsed.value) == expected, (problem, answer.name, written)


def test_no_text_reaches_sympy(monkeypatch):
    """With SymPy's text parsers made to raise, every draft string parses anyway."""
    import sympy.parsing.sympy_parser as sympy_parser

    def refuse(*args, **kwargs):
        raise AssertionError(f"SymPy asked to parse text: {args[:1]!r}")

    monkeypatch.setattr(sp, "sympify", refuse)
    monkeypatch.setattr(sympy_parser, "parse_expr", refuse)
    for problem, text, shape, let in DRAFT_STRINGS:
        parse(text, _draft_names(problem, let), shape=shape)
    for text in ("[[1, 2], [3, 4]]", "tanh(x)", "Matrix([[x + 1]])", "y[n]"):
        parse(text)


#: How long one claim may take, at most, in the fuzz and hostile tests (a generous guard:
#: the slowest measured is about 0.1 s).
TIME_BOUND = 2.0


def _one_outcome(text: str) -> None:
    start = time.perf_counter()
    try:
        result = parse(text)
    except ClaimSyntaxError as error:
        assert error.line >= 1 and error.column >= 1 and error.text_message
    else:
        assert isinstance(result, Parsed)
    assert time.perf_counter() - start < TIME_BOUND, text


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=200))
def test_arbitrary_text_gives_a_value_or_one_error(text):
    """Within TIME_BOUND seconds each: a Parsed, or a ClaimSyntaxError; never anything
    else."""
    _one_outcome(text)


ALPHABET = [
    *"0123456789.+-*/^_=()[]{},;&' xyzwnNTe",
    r"\frac",
    r"\tanh",
    r"\sum",
    r"\lim",
    r"\to",
    r"\infty",
    r"\nabla",
    r"\partial",
    r"\left",
    r"\right",
    r"\delta",
    r"\begin{bmatrix}",
    r"\end{bmatrix}",
    r"\\",
    r"\times",
    r"\text{bias}",
    "tanh",
    "dot",
    "Sum",
    "Matrix",
    "dL/dx_13",
    "w_1^11",
    "**",
]


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(ALPHABET), max_size=40).map("".join))
def test_the_grammars_alphabet_gives_a_value_or_one_error(text):
    """Strings over the grammars' own tokens: within TIME_BOUND seconds, a Parsed or a
    ClaimSyntaxError."""
    _one_outcome(text)


HOSTILE = [
    "__import__('os').system('x')",
    r"\input{/etc/passwd}",
    r"\write18{ls}",
    "9^{9^{9}}",
    "9**9**9**9",
    "(" * 1_000_000 + ")" * 1_000_000,
    "[" * 51 + "]" * 51,
    "a\x00b",
    "x" * 10_000_000,
    "1" * 41,
    "0." + "1" * 31,
    "2**65",
    "(10**40)**64**64",
    "lambda: 0",
    "Matrix(__import__('os'))",
    "exec('1')",
    "\u202e1+1",
    "tanh(" * 12 + "x" + ")" * 12,  # SymPy: about 5× slower at each level of tanh
    r"\tanh(\tanh(\tanh(\tanh(\tanh(\tanh(\tanh(x)))))))",
    "(1, 2) + 3",
]


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_payloads_are_one_clear_error_quickly(text, monkeypatch):
    import os

    monkeypatch.setattr(os, "system", lambda *a: pytest.fail("os.system ran"))
    start = time.perf_counter()
    with pytest.raises(ClaimSyntaxError) as caught:
        parse(text)
    assert time.perf_counter() - start < TIME_BOUND
    error = caught.value
    assert isinstance(error, InputError) and len(str(error)) < 400


def test_the_limits_at_their_edge():
    assert parse("1" + " " * (MAX_LENGTH - 1)).value == 1
    with pytest.raises(ClaimSyntaxError, match="at most 4,000"):
        parse("1" + " " * MAX_LENGTH)
    assert parse("(" * MAX_DEPTH + "x" + ")" * MAX_DEPTH).value == x
    with pytest.raises(ClaimSyntaxError, match="nested more than 50"):
        parse("(" * (MAX_DEPTH + 1) + "x" + ")" * (MAX_DEPTH + 1))
    assert parse("9" * 40).value == 10**40 - 1
    with pytest.raises(ClaimSyntaxError, match="at most 40"):
        parse("9" * 41)
    assert parse("0." + "1" * 30).decimals == 30
    with pytest.raises(ClaimSyntaxError, match="at most 30"):
        parse("0." + "1" * 31)
    assert parse("2^64").value == 2**64
    assert parse("2^{-64}").value == sp.Rational(1, 2**64)
    with pytest.raises(ClaimSyntaxError, match="at most 64"):
        parse("2^65")


def test_the_node_limit():
    terms = (MAX_NODES - 1) // 2  # x+x+...: a sum node, its terms and their operators
    assert parse("+".join(["x"] * (terms // 2))).value == (terms // 2) * x
    with pytest.raises(ClaimSyntaxError, match="parts"):
        parse("+".join(["x"] * terms + ["x"] * 10))


def test_errors_say_where_and_what_was_expected():
    with pytest.raises(ClaimSyntaxError) as caught:
        parse(r"\frac{1}{2 + }")
    error = caught.value
    assert (error.line, error.column) == (1, 14)
    assert "expected a number, a name, '('" in str(error)
    with pytest.raises(ClaimSyntaxError) as caught:
        parse("1 +\n× é")
    assert (caught.value.line, caught.value.column) == (2, 3)
    assert "U+00E9" in str(caught.value)
    with pytest.raises(ClaimSyntaxError, match="x\\*y"):
        parse("xy + 1")


def test_unicode_signs_are_read():
    assert parse("δ⁽²⁾ − 1").value == layer_symbol("delta", 2) - 1
    assert parse("x² · 3").value == 3 * x**2
    assert parse("1 × C", shape=True).value == Shape(1, C)
    assert parse("∂L/∂x_13").value == GradientEntry(sp.Symbol("L"), indexed_symbol("x", 13))


def test_the_parsers_are_built_once_without_a_cache_file():
    """lark's cache=True would unpickle a file from the shared temporary directory."""
    assert parser(True) is parser(True)
    for latex in (True, False):
        assert parser(latex).options.cache is False
    for path in (REPO / "symhw" / "checker").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.keyword) and node.arg == "cache":
                assert isinstance(node.value, ast.Constant) and node.value.value is False


#: The shift/reduce conflicts of the two grammars, each resolved as shift (lark's
#: default): an operator takes all it can to its right. ∂ and ∇ (∇_w too) take the
#: scripts, prime and parenthesis after their operand (∂x_1^2, ∇g(x)); \tanh x^2 is
#: tanh(x²); the body of \sum and \lim runs over * and / to the next + or -; a factor
#: followed by '(' is an application (the builder decides call or product); in plain math
#: f(x) is a call and y[n] an index, not a product with what follows.
_SCRIPTS = ("CIRCUMFLEX", "UNDERSCORE", "LPAR", "PRIME", "LEFT")
CONFLICTS = {
    *((t, "primary : PARTIAL scripted") for t in _SCRIPTS),
    *((t, "primary : NABLA scripted") for t in _SCRIPTS),
    *((t, "primary : NABLA UNDERSCORE SCRIPT scripted") for t in _SCRIPTS),
    ("CIRCUMFLEX", "primary : FUNC bare"),
    ("UNDERSCORE", "primary : FUNC bare"),
    ("TIMES", "product : signed"),
    ("SLASH", "product : signed"),
    ("TIMES", "product : signed __product_star_2"),
    ("SLASH", "product : signed __product_star_2"),
    ("LPAR", "__juxt_plus_3 : scripted"),
    ("LEFT", "__juxt_plus_3 : scripted"),
    ("LPAR", "__juxt_plus_3 : __juxt_plus_3 scripted"),
    ("LEFT", "__juxt_plus_3 : __juxt_plus_3 scripted"),
    ("LPAR", "power : postfix"),
    ("LSQB", "power : postfix"),
}


def test_the_grammars_conflicts_are_the_known_ones():
    from lark import Lark, logger

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        for text in (grammar.LATEX, grammar.PLAIN):
            Lark(text, parser="lalr", lexer="contextual")
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    lines = stream.getvalue().splitlines()
    found = {
        (line.split("terminal ")[1].split(":")[0], lines[i + 1].strip(" *<>"))
        for i, line in enumerate(lines)
        if line.startswith("Shift/Reduce conflict")
    }
    assert found == CONFLICTS
    assert not any("Reduce/Reduce" in line for line in lines)


def test_the_parser_makes_symbols_only_through_notation():
    """No SymPy constructor that reads text is called in symhw/checker: symbols come from
    symhw.notation (Name.symbol), numbers from fractions.Fraction."""
    readers = {"Symbol", "symbols", "Function", "sympify", "S", "parse_expr", "parse_latex"}
    found = []
    for path in (REPO / "symhw" / "checker").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Call):
                f = node.func
                name = f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", None)
                if name in readers:
                    found.append(f"{path.name}:{node.lineno} {name}")
    assert found == []


_SYMBOLS = {
    Name("s"): s,
    Name("x"): x,
    Name("w", "1", "11"): indexed_symbol("w", 1, 11),
    Name("w", "3", "ij"): indexed_symbol("w", 3, "ij"),
    Name("x", "12"): indexed_symbol("x", 12),
    Name("s", "1", "(2)"): layer_symbol("s", 2, 1),
    Name("delta", "2", "(1)"): layer_symbol("delta", 1, 2),
}
_LEAVES = st.sampled_from(
    [*_SYMBOLS.values(), sp.Integer(3), sp.Rational(7, 10), sp.Rational(-2, 3)]
)


def _combine(children):
    from symhw.activations import sigmoid

    pairs = st.tuples(children, children)
    return st.one_of(
        pairs.map(lambda ab: ab[0] + ab[1]),
        pairs.map(lambda ab: ab[0] * ab[1]),
        pairs.map(lambda ab: ab[0] - ab[1]),
        st.tuples(children, st.sampled_from([2, 3, -1])).map(lambda ae: ae[0] ** ae[1]),
        children.map(sp.tanh),
        children.map(sigmoid),
        children.map(sp.exp),
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.recursive(_LEAVES, _combine, max_leaves=8), st.sampled_from(["text", "latex"]))
def test_random_expressions_read_back_from_both_printers(value, printer):
    """Expressions of the nodes symhw's answers are made of (indexed and layer symbols,
    numbers, tanh, σ, exp, sums, products, powers), printed by symhw's text or LaTeX
    printer, read back as themselves when the symbols are the problem's (x_{12}^{2} is
    then a square, not an index)."""
    from symhw.checker.arith import MAX_CALL_DEPTH, call_depth
    from symhw.render import expr

    assume(call_depth(value) < MAX_CALL_DEPTH)
    assume(not value.has(sp.zoo, sp.nan, sp.oo, -sp.oo))  # (x - x)**-1: no answer is that
    written = getattr(expr, printer)(value)
    assert _rebuilt(parse(written, NameTable(_SYMBOLS)).value) == _rebuilt(value), written


def test_a_wide_matrix_as_symhw_prints_it_reads_back():
    """SymPy sets a matrix of more than 10 columns as an array: it reads back the same."""
    from symhw.render.expr import latex

    wide = sp.ImmutableMatrix(2, 12, lambda i, j: sp.Symbol(f"w_{j + 1}^{i + 1}{i + 1}"))
    assert "\\begin{array}" in latex(wide)
    assert parse(latex(wide)).value == wide
