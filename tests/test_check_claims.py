"""Claims files of `symhw check` (issue 12): read into the data written, every limit and
every hostile file one short InputError naming the field, and the built-in transcription
of the handwritten HW2 sheet (symhw/data/hw2-handwritten.toml)."""

from __future__ import annotations

import ast
import contextlib
import datetime
import fnmatch
import os
import re
import time
import tomllib
from decimal import Decimal
from fractions import Fraction
from importlib import resources
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import REPO
from symhw.checker import claims as claims_module
from symhw.checker import written as written_module
from symhw.checker.claims import (
    CLAIM_KEYS,
    Claim,
    ClaimsFile,
    Number,
    ProblemSetRef,
    builtin_claims,
    claims_from_data,
    claims_from_text,
    read_claims,
)
from symhw.errors import InputError
from symhw.spec import load_problem_set
from symhw.tomlfile import MAX_FILE_BYTES

HEAD = 'problem_set = "hw2"\n'


def read_text(text: str, where: str = "claims.toml") -> ClaimsFile:
    return claims_from_text(text, where)


def n(exact: Fraction | int, decimals: int | None, written: str) -> Number:
    return Number(Fraction(exact), decimals, written)


# ------------------------------------------------------------ what a small file reads as


def test_short_and_long_form_in_one_table_read_as_written_in_file_order():
    text = HEAD + (
        'title = "My answers"\n'
        "[q2]\n"
        "delta2 = -1.368\n"
        'delta1 = [-0.875, "1.736"]\n'
        "grad_W3 = [[-3.6], [3.24]]\n"
        "[[q2.claims]]\n"
        'name = "s2"\n'
        "label = '\\delta^2'\n"
        "steps = ['\\delta^2 = (w^2)^T x^1', '= -1.48']\n"
        'source = "L59-63"\n'
        "[[q2.claims]]\n"
        "steps = ['B = A^T']\n"
        'let = ["g(x) = x"]\n'
        'vars = { x = "s" }\n'
        'note = "a statement"\n'
        "[q3]\n"
        '"basic_layers_bias[2]" = 9248\n'
        'basic_params_bias = "18496"\n'
    )
    got = read_text(text)
    assert got.problem_set == ProblemSetRef("hw2", None)
    assert got.problem_set.builtin
    assert (got.title, got.source) == ("My answers", None)
    assert got.claims == (
        Claim("q2", 0, "q2.delta2", "delta2", n(Fraction(-1368, 1000), 3, "-1.368")),
        Claim(
            "q2",
            1,
            "q2.delta1",
            "delta1",
            (n(Fraction(-875, 1000), 3, "-0.875"), n(Fraction(1736, 1000), 3, "1.736")),
        ),
        Claim(
            "q2",
            2,
            "q2.grad_W3",
            "grad_W3",
            ((n(Fraction(-36, 10), 1, "-3.6"),), (n(Fraction(324, 100), 2, "3.24"),)),
        ),
        Claim(
            "q2",
            3,
            "q2.claims[1]",
            "s2",
            None,
            label="\\delta^2",
            steps=("\\delta^2 = (w^2)^T x^1", "= -1.48"),
            source="L59-63",
        ),
        Claim(
            "q2",
            4,
            "q2.claims[2]",
            None,
            None,
            steps=("B = A^T",),
            let=("g(x) = x",),
            vars=(("x", "s"),),
            note="a statement",
        ),
        Claim("q3", 5, "q3.basic_layers_bias[2]", "basic_layers_bias[2]", n(9248, None, "9248")),
        Claim("q3", 6, "q3.basic_params_bias", "basic_params_bias", n(18496, None, "18496")),
    )
    assert got.problems == ("q2", "q3")
    assert [c.index for c in got.of("q3")] == [5, 6]
    assert got.claims[1].decimals == (3, 3)
    assert got.claims[2].decimals == ((1,), (2,))
    assert got.claims[3].decimals is None  # no value: the steps carry it


@pytest.mark.parametrize(
    ("written", "exact", "decimals"),
    [
        ("0.60", Fraction(3, 5), 2),  # the trailing zero is a claim of 2 decimals
        ("-3.6", Fraction(-18, 5), 1),
        ("3.24", Fraction(81, 25), 2),
        ("-0.0", Fraction(0), 1),
        ("1.0e-3", Fraction(1, 1000), 4),  # 0.0010: two significant digits, 4 decimals
        ("1e-3", Fraction(1, 1000), 3),
        ("1.2e3", Fraction(1200), -2),  # claimed to the hundred
        ("9248", Fraction(9248), None),  # an integer is exact
        ('"0.60"', Fraction(3, 5), 2),  # a string that is a plain number is that number
        ('"-3.6"', Fraction(-18, 5), 1),
        ('"1/3"', Fraction(1, 3), None),  # a fraction is exact
        ('"-2/6"', Fraction(-1, 3), None),
        ('"18496"', Fraction(18496), None),
        ('" 1.50 "', Fraction(3, 2), 2),
        ('"1e-3"', Fraction(1, 1000), 3),
    ],
)
def test_numbers_keep_the_decimals_written(written, exact, decimals):
    (claim,) = read_text(HEAD + f"[q2]\nx = {written}\n").claims
    assert claim.value.exact == exact
    assert claim.value.decimals == decimals == claim.decimals
    assert isinstance(claim.value.exact, Fraction)


@pytest.mark.parametrize(
    "text",
    [
        "1 - \\tanh^2(s)",
        "  w_1^{11} x_{11} +  ",  # spaces and a trailing operator: the parser's to judge
        "\u22123.6",  # a Unicode minus: not a plain number here
        "1,5",
        "1e",
        "0x10",
        "Infinity",
        "nan",
        "1_000",
        "1/2/3",
        "½",
        "\u0661\u0662",  # Arabic-Indic digits: ASCII digits only make a number
        "1x1x1xC",
        "__import__('os').system('true')",  # text, never run: nothing here evaluates
    ],
)
def test_strings_other_than_plain_numbers_are_kept_exactly_as_written(text):
    data = {"problem_set": "hw2", "q1": {"x": text, "v": [text, "0"]}}
    got = claims_from_data(data, "c.toml")
    assert got.claims[0].value == text
    assert got.claims[1].value == (text, n(0, None, "0"))


@pytest.mark.parametrize(
    ("name", "quantity", "entry"),
    [
        ("delta2", "delta2", ()),
        ("dL/dx_11", "dL/dx_11", ()),
        ("basic_layers_bias[2]", "basic_layers_bias", (2,)),
        ("A[4, 8]", "A", (4, 8)),
        ("A[4,8]", "A", (4, 8)),
        ("backward_kernel[1,2,3]", "backward_kernel", (1, 2, 3)),
    ],
)
def test_a_claim_name_may_pick_an_entry_counted_from_one(name, quantity, entry):
    (claim,) = read_text(HEAD + f'[q5]\n"{name}" = 1\n').claims
    assert (claim.name, claim.quantity, claim.entry) == (name, quantity, entry)


def test_a_problem_set_path_is_taken_from_the_claims_file_folder_and_not_loaded(tmp_path):
    path = tmp_path / "mine" / "claims.toml"
    path.parent.mkdir()
    path.write_text('problem_set = "../sets/hw9.toml"\n[q1]\nx = 1\n', "utf-8")
    ref = read_claims(path).problem_set
    assert ref == ProblemSetRef("../sets/hw9.toml", tmp_path / "mine" / "../sets/hw9.toml")
    assert not ref.builtin and ref.path.is_absolute()  # a path that does not exist: not read
    absolute = claims_from_text('problem_set = "/x/set.toml"\n[q1]\nx = 1\n', path)
    assert absolute.problem_set.path == Path("/x/set.toml")


@pytest.mark.parametrize("module", [claims_module, written_module], ids=["claims", "written"])
def test_the_claims_modules_never_touch_sympy(module):
    """User text is kept as text: no SymPy import, so no sympify or parse_expr either."""
    source = Path(module.__file__).read_text("utf-8")
    tree = ast.parse(source)
    imported = {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    } | {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert not {m for m in imported if m and m.split(".")[0] in ("sympy", "numpy")}
    assert not re.search(r"\b(eval|exec|sympify|parse_expr|S)\(", source)


# ------------------------------------------------------------------ limits, at the edge


def _claims_lines(count: int) -> str:
    return "[q1]\n" + "".join(f"c{i} = {i}\n" for i in range(count))


def _vector(count: int) -> str:
    return "[q1]\nv = [" + ",".join(["0"] * count) + "]\n"


def _matrix(rows: int, columns: int) -> str:
    row = "[" + ",".join(["0"] * columns) + "]"
    return "[q5]\nA = [" + ",".join([row] * rows) + "]\n"


def _long_steps(count: int) -> str:
    return '[[q1.claims]]\nname = "x"\nsteps = [' + ",".join(["'= 1'"] * count) + "]\n"


@pytest.mark.parametrize(
    ("accepted", "refused", "message"),
    [
        (_claims_lines(2000), _claims_lines(2001), "2,001 claims; a claims file has at most 2,000"),
        (
            "[q1]\nx = '" + "x" * 4000 + "'\n",
            "[q1]\nx = '" + "x" * 4001 + "'\n",
            "4,001 characters; a string in a claims file has at most 4,000",
        ),
        (
            '[q1]\nx = "' + "9" * 40 + '"\n',
            '[q1]\nx = "' + "9" * 41 + '"\n',
            "more than 40 digits",
        ),
        (
            "[q1]\nx = " + "9" * 40 + "\n",
            "[q1]\nx = " + "1" + "0" * 40 + "\n",
            "more than 40 digits",
        ),
        ('[q1]\nx = "1/' + "7" * 40 + '"\n', '[q1]\nx = "1/' + "7" * 41 + '"\n', "40 digits"),
        (
            "[q1]\nx = 0." + "1" * 30 + "\n",
            "[q1]\nx = 0." + "1" * 31 + "\n",
            "31 significant digits",
        ),
        ("[q1]\nx = 1e-40\n", "[q1]\nx = 1e-41\n", "more than 40 digits before or after"),
        ("[q1]\nx = 1.5e39\n", "[q1]\nx = 1.5e40\n", "more than 40 digits before or after"),
        (_vector(65536), _vector(65537), "65,537 entries; a vector or matrix has at most 65,536"),
        (_matrix(256, 256), _matrix(257, 256), "65,792 entries"),
        (_long_steps(200), _long_steps(201), "201 strings; a claim has at most 200"),
        (
            "".join(f"[q{i}]\nx = 1\n" for i in range(50)),
            "".join(f"[q{i}]\nx = 1\n" for i in range(51)),
            "51 problems; a claims file has at most 50",
        ),
    ],
    ids=[
        "claims",
        "string",
        "integer-text",
        "integer",
        "fraction",
        "significant",
        "places-after",
        "places-before",
        "vector",
        "matrix",
        "steps",
        "problems",
    ],
)
def test_every_limit_is_accepted_at_its_edge_and_refused_one_past(accepted, refused, message):
    assert read_text(HEAD + accepted).claims
    with pytest.raises(InputError, match=re.escape(message)) as err:
        read_text(HEAD + refused)
    assert len(str(err.value)) < 400


# ---------------------------------------------------- every error names the field and fix


@pytest.mark.parametrize(
    ("body", "field", "fix"),
    [
        (
            '[[q2.claims]]\nname = "x"\nvalue = 1\nlabl = "y"\n',
            "q2.claims[1]",
            "unknown key 'labl'; use name, label, value, steps, let, vars, source, note",
        ),
        ("[q2]\nx = true\n", "q2.x", "expected a number, a string, a vector"),
        ("[q2]\nx = 1979-05-27\n", "q2.x", "expected a number, a string, a vector"),
        ("[q2]\nx = nan\n", "q2.x", "expected a finite number"),
        ("[q2]\nx = [1, -inf]\n", "q2.x", "entry 2: expected a finite number"),
        ("[q2]\nx = {a = 1}\n", "q2.x", "write a [[q2.claims]] table"),
        ("[q2]\nx = []\n", "q2.x", "an empty array"),
        ("[q2]\nx = [1, [2]]\n", "q2.x", "entry 1 is not an array but entry 2 is an array"),
        ("[q2]\nx = [[1], 2]\n", "q2.x", "entry 1 is an array but entry 2 is not an array"),
        ("[q5]\nA = [[1, 2], [3]]\n", "q5.A", "rows have different lengths [1, 2]"),
        ("[q5]\nA = [[1], []]\n", "q5.A", "a matrix row is empty"),
        ("[q5]\nA = [[[1]]]\n", "q5.A", "nests at most two arrays deep"),
        (
            '[q5]\nA = [[1, "a\\u0000b"]]\n',
            "q5.A",
            "row 1, column 2: character U+0000 at position 2",
        ),
        ('[q2]\nx = "1/0"\n', "q2.x", "divides by zero"),
        ('[q2]\nx = "1e99999999999999999999999"\n', "q2.x", "out of range"),
        ("[q2]\nx = '  '\n", "q2.x", "empty"),
        ('[q2]\n"delta 2" = 1\n', "q2.delta 2", "is not a claim name"),
        ('[q2]\n"A[0]" = 1\n', "q2.A[0]", "1-based entry"),
        ('[[q2.claims]]\nname = "x"\nsource = "L1"\n', "q2.claims[1]", "give the claimed `value`"),
        ("[[q2.claims]]\nvalue = 1\nsteps = ['a = b']\n", "q2.claims[1]", "add name ="),
        ('[[q2.claims]]\nname = "x"\nsteps = "a = b"\n', "q2.claims[1].steps", "array of strings"),
        ('[[q2.claims]]\nname = "x"\nsteps = []\n', "q2.claims[1].steps", "non-empty array"),
        (
            "[[q2.claims]]\nname = \"x\"\nsteps = ['a = b', 3]\n",
            "q2.claims[1].steps[2]",
            "in quotes",
        ),
        ('[[q2.claims]]\nname = "x"\nvalue = 1\nvars = ["x"]\n', "q2.claims[1].vars", "vars = {"),
        (
            '[[q2.claims]]\nname = "x"\nvalue = 1\nnote = """a\nb"""\n',
            "q2.claims[1].note",
            "one line",
        ),
        (
            '[[q2.claims]]\nname = "x"\nvalue = 1\nsource = "日本"\n',
            "q2.claims[1].source",
            "typeset",
        ),
        ('[[q2.claims]]\nname = "x"\nvalue = 1\nlabel = 2\n', "q2.claims[1].label", "in quotes"),
        ("[[q2.claims]]\nname = 3\nvalue = 1\n", "q2.claims[1].name", "not a claim name"),
        ("[q2]\nclaims = 3\n", "q2.claims", "kept for the long form"),
        ("[q2]\nclaims = [1]\n", "q2.claims[1]", "expected a table [[q2.claims]]"),
        ('["q 2"]\nx = 1\n', "q 2", "is not a valid name"),
        ("foo = 1\n[q2]\nx = 1\n", "foo", "the top level has problem_set, title, source"),
        ("title = '" + "t" * 201 + "'\n[q2]\nx = 1\n", "title", "at most 200 characters"),
        ("source = 3\n[q2]\nx = 1\n", "source", "expected text in quotes"),
    ],
)
def test_a_bad_field_is_one_input_error_naming_it_and_the_fix(body, field, fix):
    with pytest.raises(InputError) as err:
        read_text(HEAD + body)
    assert err.value.field == field
    assert fix in err.value.message
    assert len(str(err.value)) < 400


@pytest.mark.parametrize(
    ("text", "fix"),
    [
        ("[q1]\nx = 1\n", 'missing; add problem_set = "hw2"'),
        ("problem_set = 3\n[q1]\nx = 1\n", "expected a path in quotes"),
        ('problem_set = "a\\u0000b"\n[q1]\nx = 1\n', "U+0000"),
        (HEAD, "no claims"),
        (HEAD + 'title = "t"\n', "no claims"),
    ],
)
def test_the_problem_set_is_named_and_there_are_claims(text, fix):
    with pytest.raises(InputError, match=re.escape(fix)):
        read_text(text)


# ----------------------------------------------------------------------- hostile files


def _write(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "claims.toml"
    path.write_bytes(data)
    return path


def _hostile(tmp_path: Path, what: str) -> Path:
    if what == "directory":
        return tmp_path
    if what == "fifo":
        os.mkfifo(tmp_path / "fifo")  # opening it to read would wait for a writer forever
        return tmp_path / "fifo"
    if what == "device":
        return Path("/dev/zero")  # never ends
    if what == "symlink-loop":
        os.symlink("b", tmp_path / "a")
        os.symlink("a", tmp_path / "b")
        return tmp_path / "a"
    if what == "missing":
        return tmp_path / "nope.toml"
    contents = {
        "huge": HEAD.encode() + b"#" * MAX_FILE_BYTES,
        "numbers": (HEAD + _vector((MAX_FILE_BYTES - 100) // 2)).encode(),
        "nul-byte": HEAD.encode() + b"[q1]\nx = 'a\x00b'\n",
        "not-utf8": HEAD.encode() + b"[q1]\nx = '\xff\xfe'\n",
        "deep-arrays": HEAD.encode() + b"[q1]\nx = " + b"[" * 100_000 + b"]" * 100_000,
        "deep-tables": HEAD.encode() + b"[q1]\nx = " + b"{a=" * 100_000 + b"}" * 100_000,
        "dotted-key": HEAD.encode() + b"q1." + b"a." * 50_000 + b"b = 1\n",
        "huge-integer": HEAD.encode() + b"[q1]\nx = " + b"9" * 5000 + b"\n",
        "huge-exponent": HEAD.encode() + b"[q1]\nx = 1e99999999999999999999\n",
    }
    return _write(tmp_path, contents[what])


@pytest.mark.parametrize(
    ("what", "message"),
    [
        ("directory", "not a regular file; give a claims file"),
        ("fifo", "not a regular file"),
        ("device", "not a regular file"),
        ("symlink-loop", "cannot read claims"),
        ("missing", "cannot read claims"),
        ("huge", "over 4 MiB; a claims file is at most that"),
        ("numbers", "entries; a vector or matrix has at most 65,536"),
        ("nul-byte", "not valid TOML"),
        ("not-utf8", "not UTF-8 text"),
        ("deep-arrays", "nests arrays or tables too deeply for a claims file"),
        ("deep-tables", "nests arrays or tables too deeply for a claims file"),
        ("dotted-key", "more than 32 parts"),
        ("huge-integer", "has a number symhw cannot read"),
        ("huge-exponent", "exponent too large"),
    ],
)
def test_hostile_files_are_one_short_input_error_quickly(tmp_path, what, message):
    path = _hostile(tmp_path, what)
    start = time.monotonic()
    with pytest.raises(InputError, match=re.escape(message)) as err:
        read_claims(path)
    assert time.monotonic() - start < 30  # a hang guard: a 4 MiB parse takes ~2 s
    assert len(str(err.value)) < 400


def test_a_byte_order_mark_is_the_start_of_the_file(tmp_path):
    path = _write(tmp_path, b"\xef\xbb\xbf" + (HEAD + "[q1]\nx = 1\n").encode())
    assert read_claims(path).claims[0].value == n(1, None, "1")


# ------------------------------------------------- any TOML-ish document: data or one error

_leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**45), max_value=10**45),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.floats(),
    st.fractions(),
    st.text(max_size=12),
    st.sampled_from(["0.60", "1/3", "1/0", "1e999999999999999999999", "-3.6", "a\x00"]),
    st.datetimes(),
)
_values = st.recursive(
    _leaves,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner),
    max_leaves=10,
)
#: Values of the right types, so that fuzzed documents also get through whole.
_scalars = (
    st.integers(-(10**6), 10**6)
    | st.decimals(-(10**6), 10**6, places=3)
    | st.text(st.characters(min_codepoint=32, max_codepoint=126), min_size=1, max_size=8)
)
_good_values = _scalars | st.lists(_scalars, min_size=1, max_size=4)
_strings = st.text(max_size=8) | st.lists(st.text(max_size=5), min_size=1, max_size=3)
_claim_tables = st.dictionaries(
    st.sampled_from((*CLAIM_KEYS, "other")), _values | _strings, max_size=6
).map(lambda t: t if "other" in t or "name" in t else {"name": "x", **t})
_problem_tables = st.dictionaries(
    st.sampled_from(("delta1", "A[2,3]", "claims", "bad name", "x", "A[0]")),
    _good_values | _values | st.lists(_claim_tables, max_size=3),
    min_size=1,
    max_size=4,
)
#: Anything at all at the top level (most of it refused there) ...
_anything = st.dictionaries(
    st.sampled_from(("problem_set", "title", "source", "q1", "q2", "q 3")) | st.text(max_size=4),
    st.just("hw2") | _values | _problem_tables,
    max_size=5,
)
#: ... and documents that get past the top level, for the claims themselves.
_documents = st.builds(
    lambda problem_set, problems, meta: {"problem_set": problem_set, **problems, **meta},
    st.sampled_from(("hw2", "../set.toml")) | st.just("hw2") | _values,
    st.dictionaries(st.sampled_from(("q1", "q2", "q-3")), _problem_tables, min_size=1, max_size=3),
    st.dictionaries(st.sampled_from(("title", "source")), st.just("T") | _values, max_size=2),
)


@settings(max_examples=300)
@given(_anything | _documents)
def test_any_document_is_claims_or_one_input_error(data):
    try:
        got = claims_from_data(data, "fuzz.toml")
    except InputError as e:
        assert e.field is None or isinstance(e.field, str)
        assert len(str(e)) < 1000
    else:
        assert isinstance(got, ClaimsFile) and got.claims


@given(st.text(max_size=200))
def test_any_text_is_claims_or_one_input_error(text):
    with contextlib.suppress(InputError):
        read_text(HEAD + "[q1]\n" + text)


# ------------------------------------------------------- the built-in HW2 transcription

#: The claims of the handwritten sheet, counted by hand from the seed (its line numbers):
#: one per answer, displayed intermediate or equation it writes (design note §1, §3).
# fmt: off
HAND_COUNT = {
    # L7 E_in; L11-21 tanh' (let g = tanh); L9 + L23-27 the gradient; L29-33 the limits
    "q1": ["L7", "L11-21", "L9, L23-27", "L29-33"],
    # W^1, W^2, W^3; x^0; g^1 (= s^1); x^1; delta^2 (= s^2); x^2; delta^3 (= s^3); x^3;
    # delta^3, delta^2, delta^1 (backward); de/dw^1, de/dw^2, de/dw^3
    "q2": [
        "L41", "L43", "L45", "L47", "L49-53", "L55-57", "L59-63", "L65-67", "L69-73", "L75",
        "L79-83", "L85-89", "L91-95", "L97", "L99", "L101",
    ],
    # (a) shape, layers 1-2 with bias, total, layers 1-2 without, total; (b) shape, layers
    # 1-3 with bias, total, layers 1-3 without, total; (c) channels and totals twice
    "q3": [
        "L107-111", "L115-122", "L124-131", "L133", "L137-139", "L141-143", "L145",
        "L149-151", "L155-161", "L163-165", "L167-169", "L171", "L175-177", "L179-181",
        "L183-185", "L187", "L191", "L193", "L197", "L199",
    ],
    # shapes of x, mean, variance: for N x C, then for N x H x W x C
    "q4": ["L214", "L216", "L218", "L222-226", "L228", "L230"],
    # X, Y; the kernel w^ij; Y^1, Y^2, Y^21, Y^22; A and the stacked x; dL/dx_11..14; B;
    # B = A^T; (c) twice: padded dL/dY, kernel, dL/dX_11, kernels
    "q5": [
        "L234", "L236", "L238-243", "L245", "L247", "L249", "L251", "L253-256", "L253",
        "L264", "L266", "L268", "L270", "L276-279", "L281",
        "L285-287", "L289-295", "L299-305", "L309-313",
        "L317-319", "L321-327", "L331-337", "L339-340",
    ],
}
# fmt: on
SEED = Path("/work/shared/seed/000_2e03fe83488ed17e.txt")


def test_the_builtin_transcription_has_every_claim_of_the_sheet_in_sheet_order():
    got = builtin_claims()
    assert got.problem_set == ProblemSetRef("hw2", None)
    assert {p: [c.source for c in got.of(p)] for p in got.problems} == HAND_COUNT
    assert len(got.claims) == sum(map(len, HAND_COUNT.values())) == 69
    assert [c.index for c in got.claims] == list(range(69))


def test_the_builtin_transcription_names_problems_of_the_builtin_set():
    ids = {p.id for p in load_problem_set().problems}
    assert set(builtin_claims().problems) <= ids
    assert set(builtin_claims().problems) == {"q1", "q2", "q3", "q4", "q5"}


def test_the_builtin_transcription_keeps_the_sheets_slips_as_written():
    """The slips of the design note §2, read from the seed: none corrected."""
    claims = {(c.name, c.source): c for c in builtin_claims().claims}
    assert claims["s1", "L49-53"].label == "g^1"
    assert claims["s2", "L59-63"].label == "\\delta^2"
    assert claims["s3", "L69-73"].label == "\\delta^3"
    assert "\\tanh(\\delta^2)" in claims["x2", "L65-67"].steps[0]
    assert "\\text{Identity}(\\delta^2)" in claims["x3", "L75"].steps[0]
    assert "\\Theta'(\\delta^3)" in claims["delta3", "L79-83"].steps[0]
    assert (
        claims["delta1", "L91-95"].steps[-1]
        == "= \\begin{bmatrix} -0.875 \\\\ 1.736 \\end{bmatrix}"
    )
    assert "-1.75 & 3.467" in claims["grad_W1", "L97"].steps[-1]
    assert "-0.821 \\\\ -1.04" in claims["grad_W2", "L99"].steps[-1]
    assert claims["Y_11", "L245"].value.startswith("w_1^1 x_{11} + w_2^1 x_{12}")
    assert claims["Y_12", "L247"].label == "Y^2"
    assert claims["Y_21", "L249"].value.startswith("w_1^{21} x_{11}")
    assert "& w_2^{22} & w_5^{22}\n\\end{bmatrix}" in claims["A", "L253-256"].value
    assert "w_1^{11} \\frac{\\partial L}{\\partial y_{12}}" in claims["dL/dx_13", "L268"].value
    assert "\\frac{\\partial L}{\\partial y_2}" in claims["dL/dx_14", "L270"].value
    assert claims["kernel", "L238-243"].label == "w_i^{ij}"
    assert claims["dL/dx_11", "L299-305"].steps[-1].startswith("= w_1 \\frac")
    assert claims["dL/dx_11", "L331-337"].steps[-1].startswith("= w_1^1 \\frac")


def test_the_builtin_transcription_reads_the_given_numbers_with_their_digits():
    claims = {c.name: c for c in builtin_claims().of("q2")}
    w1 = claims["W1"]
    assert [[e.exact for e in row] for row in w1.value] == [
        [Fraction(1, 10), Fraction(2, 10)],
        [Fraction(3, 10), Fraction(4, 10)],
    ]
    assert w1.decimals == ((1, 1), (1, 1))
    assert claims["W2"].decimals == ((1,), (None,), (None,))  # 0.2, 1, -3
    q3 = {c.source: c for c in builtin_claims().of("q3")}
    assert q3["L133"].value == n(18496, None, "18496")


@pytest.mark.skipif(not SEED.exists(), reason="the seed sheet is not on this machine")
def test_every_source_points_at_written_lines_of_the_seed():
    lines = SEED.read_text("utf-8").splitlines()
    for claim in builtin_claims().claims:
        for first, last in re.findall(r"L(\d+)(?:-(\d+))?", claim.source):
            span = lines[int(first) - 1 : int(last or first)]
            assert span and span[0].strip(), (claim.field, claim.source)


def test_the_builtin_transcription_ships_as_package_data():
    resource = resources.files("symhw.data").joinpath("hw2-handwritten.toml")
    assert resource.is_file()
    config = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["symhw"]
    assert any(fnmatch.fnmatch("data/hw2-handwritten.toml", p) for p in patterns)


def test_decimal_values_from_python_are_read_as_written():
    """From Python (the API), a float reads as its shortest decimal and a Decimal as is."""
    got = claims_from_data(
        {"problem_set": "hw2", "q2": {"a": 0.6, "b": Decimal("0.60"), "c": Fraction(1, 3)}},
        "api",
    )
    assert [c.value for c in got.claims] == [
        n(Fraction(3, 5), 1, "0.6"),
        n(Fraction(3, 5), 2, "0.60"),
        n(Fraction(1, 3), None, "1/3"),
    ]
    with pytest.raises(InputError, match="expected a number"):
        claims_from_data({"problem_set": "hw2", "q2": {"d": datetime.date(2026, 1, 1)}}, "api")
