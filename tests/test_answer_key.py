"""The sheet as an answer key: a summary table, Part I (a page per question, answers boxed
where derived, at most 6 pages for HW2), Part II (the appendix), linked both ways; and the
detail levels answers, key and full.

The oracles are the compiled PDF read back with pdftotext, the answers `symhw answers
--json` prints (a separate command and code path), and the .tex and .md as written.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest
import sympy as sp

from conftest import HAS_TEX, REPO, run_cli
from symhw.derivation import Answer, Boxed, Derivation, Paragraph, Solution, Table, excerpt
from symhw.render import summary_table
from symhw.render.latex import summary_math
from symhw.sheet import solve_all
from symhw.spec import load_problem_set
from symhw.tex import compile_pdf

needs_pdf = pytest.mark.skipif(
    not HAS_TEX or shutil.which("pdftotext") is None, reason="needs pdflatex and pdftotext"
)


def pdf_pages(pdf) -> list[str]:
    """The text of each page (pdftotext ends every page with a form feed)."""
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    return text.split("\f")[:-1]


def part_one(pages: list[str]) -> list[str]:
    """The pages of Part I: from its heading up to the page before Part II's."""
    start = next(i for i, p in enumerate(pages) if "Part I Solutions" in " ".join(p.split()))
    end = next(
        (i for i, p in enumerate(pages) if "Part II Appendix" in " ".join(p.split())), len(pages)
    )
    return pages[start:end]


def numbers_in(text: str) -> set[float]:
    """Every number a text shows (− as a minus, digit groups joined), to 4 decimals."""
    text = text.replace("−", "-")
    text = re.sub(r"(?<=\d)[ \u2009\u202f,](?=\d{3}\b)", "", text)
    return {round(float(n), 4) for n in re.findall(r"-?\d+(?:\.\d+)?", text)}


def numeric_leaves(value) -> list[float]:
    """The numbers in an answer's JSON value (lists nested), strings skipped."""
    if isinstance(value, bool | str):
        return []
    if isinstance(value, int | float):
        return [value]
    if isinstance(value, list):
        return [v for item in value for v in numeric_leaves(item)]
    return []


@pytest.fixture(scope="module")
def answers() -> dict:
    done = run_cli("answers", "--json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@needs_pdf
def test_every_answer_appears_in_part_one_to_four_decimals(default_sheet, answers):
    shown = numbers_in("\n".join(part_one(pdf_pages(default_sheet / "hw2.pdf"))))
    missing = []
    for problem, values in answers.items():
        for name, value in values.items():
            kind = {"q2": "mlp-backprop", "q3": "block-params", "q4": "norm-shapes"}.get(
                problem, ""
            )
            if not _asked(kind, name, values):  # the hand replay, MACs, ...: Part II
                continue
            missing += [
                (problem, name, v) for v in numeric_leaves(value) if round(v, 4) not in shown
            ]
    assert missing == []
    assert {-1.3503, 3.4025, 18496, 17600, 0.7616} <= shown  # by hand, seed


#: A network's forward pass on the way to its answers: shown in Part I, not boxed (the
#: review: box x^(L), e, the δ's and the gradients, not the given x^(0) or each s and x).
ON_THE_WAY = re.compile(r"x0|s\d+|x\d+")


def _on_the_way(name: str, sol_answers) -> bool:
    """An intermediate of a forward pass: s^(l), or x^(l) before the output."""
    last = max((int(n[1:]) for n in sol_answers if re.fullmatch(r"x\d+", n)), default=0)
    return bool(ON_THE_WAY.fullmatch(name)) and name != f"x{last}"


#: The kinds of HW2's problems whose Part I boxes only some of their answers.
HW2_KINDS = {"q2": "mlp-backprop", "q3": "block-params", "q4": "norm-shapes"}


def _asked(kind: str, name: str, names) -> bool:
    """Whether the homework asks for an answer (Part I boxes it): not a forward pass's
    intermediates or its hand replay, not a block's layer counts (they are the terms of
    its boxed total), MACs, FLOPs, memory or ratios in C,
    not a normalization's squeezed shape or count."""
    if kind == "mlp-backprop":
        return not (_on_the_way(name, names) or name == "rounded")
    if kind == "block-params":
        return re.fullmatch(r".+_params_(bias|no_bias)", name) is not None  # the totals
    if kind == "norm-shapes":  # the shapes, not what is kept for inference nor the count
        return not name.endswith(("_squeezed", "_count"))
    return True


def test_every_answer_is_boxed_in_part_one_with_a_link_to_its_derivation(default_sheet, answers):
    tex = (default_sheet / "hw2.tex").read_text("utf-8")
    key, appendix = tex.split("Part II\\quad Appendix")
    targets = set(re.findall(r"\\label\{(app-[^}]+)\}", appendix))
    boxed_q2 = {n for n in answers["q2"] if not _on_the_way(n, answers["q2"])}
    boxed_q2 -= {"rounded"}  # the hand replay is not asked: Part II shows it
    assert boxed_q2 == {"x3", "e", "delta1", "delta2", "delta3", "grad_W1", "grad_W2", "grad_W3"}
    for problem, values in answers.items():
        for name in values:
            if not _asked(HW2_KINDS.get(problem, ""), name, values):
                assert f"\\label{{key-{problem}-{name}}}" not in key, name  # Part II only
                continue
            label = f"\\label{{key-{problem}-{name}}}"
            assert label in key, label
            display = key[key.index(label) :]
            display = display[
                : re.search(r"\\end\{(align\*|equation\*|gather\*|center)\}", display).end()
            ]
            links = re.findall(r"\\hyperref\[(app-[^\]]+)\]", display)
            assert links and set(links) <= targets, (problem, name, links)
    # and back: every part a box links to links back to Part I
    for target in set(re.findall(r"\\hyperref\[(app-[^\]]+)\]", key)):
        after = appendix[appendix.index(f"\\label{{{target}}}") :][:600]
        assert re.search(r"\\hyperref\[key-[^\]]+\]", after), target


def test_every_box_in_part_one_is_itself_a_link_to_the_appendix(default_sheet):
    """Not only the tag beside an aligned box: the box (a click on the answer) links too."""
    tex = (default_sheet / "hw2.tex").read_text("utf-8")
    key = tex.split("Part II\\quad Appendix")[0]
    boxes = [m.start() for m in re.finditer(r"\\boxed\{", key)]
    assert len(boxes) >= 20  # HW2: 2 + 8 + 4 + 4 + 2 answers boxed as math, at least
    aligned = 0
    for at in boxes:
        before = key[:at]
        assert re.search(r"\\hyperref\[app-[^\]]+\]\{$", before), key[at - 80 : at + 40]
        aligned += before.rfind("\\begin{align*}") > before.rfind("\\end{align*}")
    assert aligned >= 5  # q3's four parameter counts and q5's A sit in align displays


def test_part_one_defines_its_symbols_and_sets_dimensions_in_math(default_sheet):
    """Review 2, A8: N, x_n, y_n and u are introduced before q1 uses them, q5 names the
    loss L and the range of m as it does R's; sizes in prose are math (N × C), as in boxes."""
    tex = (default_sheet / "hw2.tex").read_text("utf-8")
    key = tex.split("Part II\\quad Appendix")[0]
    heads = re.split(r"\\section\*\{\\phantomsection\\label\{key-q(\d)\}", key)[1:]
    q = dict(zip(heads[::2], heads[1::2], strict=True))
    q1, q3, q4, q5 = q["1"], q["3"], q["4"], q["5"]
    assert re.search(r"for \$N\$ examples \$\\left\( x_\{n\}, \\ +\{y\}_\{n\}\\right\)\$", q1)
    assert q1.index("direction $u$") < q1.index("(b)}")  # before the boxed conclusion
    assert "for a loss $L$" in q5 and "$m$ = 1, \\dots{}, $M$, $M = 8$" in q5
    sizes = {
        "N \\times H \\times W \\times C": (q3, q4),
        "k \\times k": (q3,),
        "N \\times C": (q4,),
    }
    for size, questions in sizes.items():
        assert all(f"${size}$" in question for question in questions), size
    assert not re.search(r"\b[NHWCk]\$\\times\$[NHWCk]\b", key)  # no N×C in text mode


@needs_pdf
def test_hw2_part_one_is_at_most_six_pages_and_each_question_starts_a_page(default_sheet):
    pages = part_one(pdf_pages(default_sheet / "hw2.pdf"))
    assert len(pages) <= 6
    for q in ("q1", "q2", "q3", "q4", "q5"):
        starts = [i for i, p in enumerate(pages) if re.search(rf"^\s*{q}\. ", p, re.M)]
        assert len(starts) == 1, q
        page = pages[starts[0]].lstrip().splitlines()
        top = [line for line in page[:3] if line.strip()]
        assert any(re.match(rf"\s*{q}\. ", line) for line in top), (q, top)


@needs_pdf
def test_q4_part_one_writes_shapes_as_the_homework_and_defines_the_variance(default_sheet):
    """Read back from the PDF: the seed's answers 1 × C and 1 × 1 × 1 × C, σ_c² defined as
    an average like μ_c, and nothing that reads like code (tuples, squeeze, numel)."""
    page = next(p for p in part_one(pdf_pages(default_sheet / "hw2.pdf")) if "q4." in p)
    flat = " ".join(page.split()).replace("\u00b5", "μ")  # TeX's μ is the micro sign
    assert flat.count("shape (μ) = 1 × C") == 1 and flat.count("= 1 × 1 × 1 × C") == 2
    assert page.count("σ") >= 4  # σ_c² defined in (a) and (b), its shape boxed in each
    for code in ("squeeze", "numel", "(C,)", "(1,", "running"):
        assert code not in page, code
    assert "filled" in flat and "averaged over" in flat  # the figure's caption and legend


@needs_pdf
def test_page_one_is_the_summary_table_with_page_numbers(default_sheet):
    pages = pdf_pages(default_sheet / "hw2.pdf")
    first = pages[0]
    assert "Answers at a glance" in first
    starts = {
        q: next(i + 1 for i, p in enumerate(pages) if re.search(rf"^\s*{q}\. ", p, re.M))
        for q in ("q1", "q4")
    }
    rows = {q: re.search(rf"^\s*{q} \(a\).*?(\d+)\s*$", first, re.M) for q in starts}
    assert all(rows.values()), first
    assert {q: int(m.group(1)) for q, m in rows.items()} == starts  # \pageref: the right page


#: q2's answers in the order Part I boxes them, each a row of the summary table, to 4
#: decimals as recomputed by hand (and by the instructor's review): x⁽³⁾, e, δ⁽³⁾, δ⁽²⁾,
#: δ⁽¹⁾, ∂e/∂W⁽¹⁾, ∂e/∂W⁽²⁾, ∂e/∂W⁽³⁾.
Q2_ROWS = (
    ("-0.8031",),
    ("3.2511",),
    ("-3.6062",),
    ("-1.3503",),
    ("-0.8571", "1.7012"),
    ("-0.8571", "1.7012", "-1.7141", "3.4025"),
    ("-1.3503", "-0.8161", "-1.0284"),
    ("-3.6062", "3.2511"),
)


@needs_pdf
def test_the_summary_table_has_one_row_per_answer_with_its_value(default_sheet):
    first = pdf_pages(default_sheet / "hw2.pdf")[0]
    rows = [line for line in first.splitlines() if re.match(r"\s*q\d", line)]
    assert len([r for r in rows if re.match(r"\s*q2\s", r)]) == len(Q2_ROWS)
    # each row's numbers: three gradients boxed together are three rows, each with its
    # value (a matrix's lines lie above and below its row's label: each number goes to
    # the label nearest it)
    lines = first.replace("−", "-").splitlines()
    labels = [i for i, line in enumerate(lines) if re.match(r"\s*q\d", line)]
    found: dict[int, list[str]] = {i: [] for i in labels}
    for i, line in enumerate(lines):
        nearest = min(labels, key=lambda k: abs(k - i))
        found[nearest] += re.findall(r"-?\d\.\d{4}", line)
    q2 = [found[i] for i in labels if re.match(r"\s*q2\s", lines[i])]
    assert q2 == [list(row) for row in Q2_ROWS]
    # q1 (b): the boxed conclusion, one row, no limit of tanh′ on the way to it
    assert len([r for r in rows if re.match(r"\s*q1 \(b\)", r)]) == 1
    assert "lim" not in first and "∇w Ein (w) → 0" in first
    # every row has a right-hand side: a value after = or ≈, or words
    tex = (default_sheet / "hw2.tex").read_text("utf-8")
    table = tex[tex.index("Answers at a glance") : tex.index("\\end{longtable}")]
    cells = re.findall(r"^q\d[^&]*&(.*)&[^&]*\\\\$", table, re.M)
    assert len(cells) == len(rows)
    for cell in cells:
        assert re.search(r"(=|\\approx|\\to) *[^$ ]|[a-z]{4}", cell), cell


@needs_pdf
def test_q1_is_one_page_that_shows_the_limit_of_the_derivative_once(default_sheet):
    pages = part_one(pdf_pages(default_sheet / "hw2.pdf"))
    q1 = next(p for p in pages if re.search(r"^\s*q1\. ", p, re.M))
    words = " ".join(q1.split())
    assert "(b) ∇w Ein (w) → 0" in words and "vanishing-gradient problem" in words
    # lim as s → ±∞ of tanh′ (1 − tanh²) and of the whole factor: two limits, one line each
    assert len(re.findall(r"\blim\b", words)) == 2 and words.count("s→±∞") == 2, words
    assert re.search(r"have these limits as s ?→ ?±∞:", words)  # a sentence before the display
    assert re.search(r"along any fixed direction u: w = tu", words)  # u before the box


def test_summary_rows_follow_the_boxes_answers_and_briefs():
    a, b, c = (Answer(n, sp.Symbol(n), k) for k, n in enumerate("abc", 1))
    said = Paragraph(("it holds",))
    key = (
        Boxed((a, b)),  # two answers boxed together: two rows
        Boxed((a, b, c), brief=Paragraph((sp.Eq(sp.Symbol("c"), 3), " (total)"))),
        Boxed((a,), statement=said, brief=Paragraph(("a conclusion",))),
    )
    sol = Solution("q", "k", "t", Paragraph(()), (), (a, b, c), key=key)
    rows = summary_table(sol)
    assert [(r.target, r.answer and r.answer.name) for r in rows] == [
        ("key-q-a", "a"),
        ("key-q-b", "b"),
        ("key-q-c", "c"),  # the brief names c alone: the table shows c
        ("key-q-a", None),  # a conclusion: one row, its brief
    ]
    assert rows[-1].words.segments == ("a conclusion",)
    assert summary_math(a) == "a = 1"
    wide = Answer("m", sp.Symbol("m"), sp.ImmutableMatrix([[1, 2], [3, 4], [5, 6]]))
    assert summary_math(wide) is None  # three rows: too tall for a row of the table
    column = Answer("v", sp.Symbol("v"), sp.ImmutableMatrix([1, 2]))
    assert summary_math(column).endswith("^{T}")


def test_the_markdown_summary_table_has_one_row_per_answer(default_sheet):
    md = (default_sheet / "hw2.md").read_text("utf-8")
    table = md[md.index("## Answers at a glance") : md.index("# Part I")]
    q2 = [line for line in table.splitlines() if line.startswith("| [q2]")]
    assert len(q2) == len(Q2_ROWS)
    for line, row in zip(q2, Q2_ROWS, strict=True):
        assert re.findall(r"-?\d+\.\d+", line.replace("- ", "-")) == list(row), line


@needs_pdf
@pytest.mark.parametrize("detail", ["answers", "key"])
def test_each_detail_level_writes_a_compiling_pdf_and_markdown(tmp_path, default_sheet, detail):
    done = run_cli("sheet", "-o", str(tmp_path), "--detail", detail)
    assert done.returncode == 0, done.stderr
    pages = pdf_pages(tmp_path / "hw2.pdf")
    md = (tmp_path / "hw2.md").read_text("utf-8")
    full = pdf_pages(default_sheet / "hw2.pdf")
    assert len(pages) < len(full)
    assert "Appendix" not in "".join(pages) and "Part II" not in md
    if detail == "answers":
        assert len(pages) <= 2
        assert "−1.3503" in "".join(pages) and "18496" in "".join(pages).replace(" ", "")
    else:
        assert len(pages) <= 7  # page 1 and Part I
        assert "# Part I: Solutions" in md
    # JSON is the same document at every level
    assert (tmp_path / "hw2.json").read_bytes() == (default_sheet / "hw2.json").read_bytes()


def test_markdown_links_go_to_anchors_that_exist(default_sheet):
    md = (default_sheet / "hw2.md").read_text("utf-8")
    anchors = set(re.findall(r'<a id="([^"]+)"></a>', md))
    links = set(re.findall(r"\]\(#([^)]+)\)", md))
    assert links and links <= anchors
    assert {"key-q2-delta2", "app-q2-answers"} <= anchors


def test_an_unknown_detail_level_exits_2_with_one_line_and_no_file(tmp_path):
    done = run_cli("sheet", "-o", str(tmp_path / "out"), "--detail", "everything")
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1
    assert "--detail" in done.stderr and "answers, key, full" in done.stderr
    assert not (tmp_path / "out").exists()


def _specs() -> str:
    return (
        '[[problems]]\nid = "net"\nkind = "mlp-backprop"\n'
        'weights = [[[0.1, 0.2], [0.3, 0.4], ["1/2", -1]], [1, 2, -1]]\n'
        'activations = ["sigmoid", "identity"]\nx = [[1, 2]]\ny = [[1]]\n'
        '[[problems]]\nid = "sym"\nkind = "mlp-backprop"\nweights = [[0.5, 2]]\n'
        'activations = ["tanh"]\nx = 1\ny = 0\nsymbolic = true\n'
        '[[problems]]\nid = "wide"\nkind = "block-params"\n'
        'blocks = [{ kind = "basic", channels = 64 }, '
        '{ kind = "bottleneck", channels = 256, mid = 64 }]\n'
        '[[problems]]\nid = "conv2d"\nkind = "conv-matrix"\ndims = 2\nin_channels = 1\n'
        "out_channels = 2\nheight = 3\nwidth = 3\nkernel = 2\n"
        '[[problems]]\nid = "sig"\nkind = "activation-loss"\nactivation = "sigmoid"\n'
        'loss = "cross-entropy"\n'
        '[[problems]]\nid = "ln"\nkind = "norm-shapes"\n'
        'cases = [{ norm = "layer", layout = "NCHW" }, { norm = "group", layout = "NHWC" }]\n'
    )


def test_every_answer_of_other_specs_is_boxed_in_part_one(tmp_path):
    spec = tmp_path / "set.toml"
    spec.write_text(_specs(), "utf-8")
    for sol in solve_all(load_problem_set(spec)):
        boxed = {a.name for b in sol.boxes() for a in b.answers}
        names = {a.name for a in sol.answers}
        asked = {n for n in names if _asked(sol.kind, n, names)}
        assert asked <= boxed, sol.problem_id
        titles = {getattr(p, "title", None) for p in sol.parts}
        for box in sol.boxes():  # each box names a part of the appendix that exists
            assert not box.derived_in or box.derived_in in titles, (sol.problem_id, box)
        for box in sol.boxes():  # a box on derived lines: one chain per answer
            if box.derivation is not None:
                chains = sum(not s.continues for s in box.derivation.steps)
                assert chains == len(box.answers), sol.problem_id


@needs_pdf
def test_other_specs_compile_at_every_level_and_part_one_fits_the_page(tmp_path):
    spec = tmp_path / "set.toml"
    spec.write_text(_specs(), "utf-8")
    for detail in ("answers", "key", "full"):
        out = tmp_path / detail
        done = run_cli("sheet", str(spec), "-o", str(out), "--format", "tex,md", "--detail", detail)
        assert done.returncode == 0, done.stderr
        work = tmp_path / f"pdf-{detail}"
        if detail != "answers":  # Part I and the appendix show figures
            shutil.copytree(out / "set-figures", work / "set-figures")
        else:  # the answers table shows none, and none is written
            assert not (out / "set-figures").exists()
            work.mkdir()
        compile_pdf((out / "set.tex").read_text("utf-8"), work)
        log = (work / "sheet.log").read_text("utf-8", errors="replace")
        overfull = [line for line in log.splitlines() if line.startswith("Overfull")]
        assert overfull == [], (detail, overfull)  # the appendix too: reflowed, never shrunk


def test_hw2_keys_are_part_one_of_every_kind():
    sols = solve_all(load_problem_set())
    for sol in sols:
        assert sol.key, sol.problem_id  # each HW2 kind builds its own key
        kinds = {type(p) for p in sol.key}
        assert Boxed in kinds
    q1 = sols[0]
    conclusion = next(b for b in q1.boxes() if b.statement is not None)
    said = conclusion.statement.segments
    words = "".join(s for s in said if isinstance(s, str))
    assert "→ 0" in words and "for all " in words
    assert said[said.index(" for all ") + 1] == sp.Symbol("n", integer=True, positive=True)
    # the limits of θ′ are shown once, above the box (lim as s → ±∞), not again in it
    assert not any(isinstance(s, sp.Basic) and s.has(sp.Limit) for s in said)


def test_an_excerpt_keeps_only_whole_chains():
    import sympy as sp

    from symhw.builder import DerivationBuilder

    b = DerivationBuilder("d")
    x = sp.Symbol("x")
    b.equal((x + 1) ** 2, x**2 + 2 * x + 1, rule="expand")
    b.then(x * (x + 2) + 1, rule="factor")
    b.equal(x - x, 0, rule="cancel")
    d = b.build()
    assert [s.rule for s in excerpt(d, (0, 1)).steps] == ["expand", "factor"]
    assert isinstance(excerpt(d, (2,)), Derivation)
    with pytest.raises(ValueError, match="continues a chain"):
        excerpt(d, (1, 2))


def test_the_committed_reports_carry_the_key():
    tex = (REPO / "reports" / "hw2.tex").read_text("utf-8")
    assert tex.count("\\clearpage") >= 6  # summary | q1 | q2 | q3 | q4 | q5 | appendix
    assert "\\usepackage[hidelinks" in tex and "\\pdfbookmark[1]{q5." in tex


@needs_pdf
def test_the_pdf_has_a_bookmark_per_question_in_each_part(default_sheet):
    """The outline, read from the PDF's (compressed) objects: the summary, then Part I and
    Part II with five questions each."""
    import zlib

    data = (default_sheet / "hw2.pdf").read_bytes()
    objects = b""
    for m in re.finditer(rb"stream\r?\n", data):
        try:
            objects += zlib.decompressobj().decompress(data[m.end() : m.end() + (1 << 22)])
        except zlib.error:
            continue
    entries = re.findall(rb"/Title \d+ 0 R\s*/A \d+ 0 R\s*/Parent", objects)
    parts = re.findall(rb"/First \d+ 0 R\s*/Last \d+ 0 R\s*/Count (-?\d+)", objects)
    assert len(entries) == 1 + 2 * (1 + 5)
    assert sorted(abs(int(c)) for c in parts) == [5, 5, 13]  # Part I, Part II, the root


def _numbers(value, known: dict | None = None) -> list[complex] | None:
    """The numbers a value is made of (matrix entries, tuple items, a shown matrix's exact
    value), or None when an entry has symbols left. ``known``: the values of names a
    derivation defined above (an entry ``s^(2)_1`` is entry 1 of ``s^(2)``, as the
    appendix's intro says)."""
    if hasattr(value, "as_explicit") and not isinstance(value, sp.MatrixSymbol):
        value = value.as_explicit()
    if isinstance(value, tuple | list | sp.MatrixBase | sp.Tuple):
        items = [_numbers(v, known) for v in value]
        return None if None in items else [n for item in items for n in item]
    value = getattr(value, "exact", value)
    if not isinstance(value, sp.Basic):
        return None
    for symbol in value.free_symbols:
        name, _, j = symbol.name.rpartition("_")
        if known and name in known and j.isdigit() and int(j) <= len(known[name]):
            value = value.subs(symbol, known[name][int(j) - 1])
    if value.free_symbols:
        return None
    try:
        return [complex(sp.N(value, 20))]
    except TypeError:
        return None


def _members(part) -> list:
    """Every member of every chain of a derivation, every cell of a table."""
    if isinstance(part, Derivation):
        return [m for s in part.steps for m in s.chain]
    return [c for row in part.rows for c in row]


def _shown(sol, part) -> list[complex]:
    """Every number a part shows, names defined in it or in the parts before resolved."""
    known: dict[str, list[complex]] = {}
    shown: list[complex] = []
    before = sol.parts[: sol.parts.index(part)]
    for m in [m for p in before if isinstance(p, Derivation) for m in _members(p)]:
        label = m.args[0] if isinstance(m, sp.MatrixExpr) and m.args else None
        if isinstance(label, sp.MatrixSymbol) and _numbers(m, known) is not None:
            known[label.name] = _numbers(m, known)
    for m in _members(part):
        entries = m.as_explicit() if isinstance(m, sp.MatrixExpr) else m
        if isinstance(entries, sp.MatrixBase):
            numbers = [n for e in entries for n in (_numbers(e, known) or [])]
        else:
            numbers = _numbers(m, known) or []
        shown += numbers
        label = m.args[0] if isinstance(m, sp.MatrixExpr) and m.args else None
        if isinstance(label, sp.MatrixSymbol) and _numbers(m, known) is not None:
            known[label.name] = _numbers(m, known)
    return shown


def _holds(sol, part, value) -> bool:
    """Whether a part of the appendix shows ``value``: each of its numbers among the
    part's, or (symbolic) a member equal to it."""
    wanted = _numbers(value)
    if wanted is not None:
        shown = _shown(sol, part)
        return all(any(abs(w - s) <= 1e-9 * (1 + abs(w)) for s in shown) for w in wanted)
    value = value.as_explicit() if isinstance(value, sp.MatrixExpr) else value
    members = [m for m in _members(part) if isinstance(m, sp.Basic)]
    inside = [e for m in members for e in sp.preorder_traversal(m)]
    inside = [e.as_explicit() if isinstance(e, sp.MatrixExpr) else e for e in inside]
    if value in inside:  # as written, or inside a member
        return True
    if isinstance(value, sp.MatrixBase) and all(value.row(i) in inside for i in range(value.rows)):
        return True  # row by row
    for m in members:  # or equal to it
        try:
            if sp.simplify(m - value) == 0:
                return True
        except (TypeError, AttributeError, sp.SympifyError, sp.ShapeError, ValueError):
            continue
    return False


def test_every_box_links_to_the_appendix_part_that_shows_its_value():
    """Independent of indices: the part a box links to (by its title, as the renderers
    resolve it) is a derivation or table of the appendix showing the box's value."""
    from symhw.render import derived_in

    missing = set()
    for sol in solve_all(load_problem_set()):
        names = {a.name for a in sol.answers}
        for box in sol.boxes():
            if not box.answers:
                continue
            index = derived_in(sol, box)
            assert index is not None, (sol.problem_id, box.derived_in)
            part = sol.parts[index]
            assert isinstance(part, Derivation | Table), (sol.problem_id, part.title)
            for a in box.answers:
                value = sol.answer(a.name).value if a.name in names else a.value
                if not _holds(sol, part, value):
                    missing.add((sol.problem_id, a.name))
    assert missing == set()


def test_part_one_shows_the_figures_of_q1_and_q2_from_the_appendix_files(default_sheet):
    """θ and θ' in q1, the network in q2, the blocks in q3, the averaged axes in q4, A's
    pattern in q5: the same files the appendix includes."""
    tex = (default_sheet / "hw2.tex").read_text("utf-8")
    md = (default_sheet / "hw2.md").read_text("utf-8")
    key_tex, app_tex = tex.split("Part II\\quad Appendix")
    key_md, app_md = md.split("# Part II")
    for name in ("q1-1", "q2-1", "q3-1", "q4-1", "q5-1"):
        assert f"hw2-figures/{name}.pdf}}" in key_tex and f"hw2-figures/{name}.pdf}}" in app_tex
        assert f"(hw2-figures/{name}.svg)" in key_md and f"(hw2-figures/{name}.svg)" in app_md
        assert (default_sheet / "hw2-figures" / f"{name}.svg").exists()
    q1 = key_tex[key_tex.index("q1.") : key_tex.index("q2.")]
    assert "q1-1.pdf" in q1 and "q1-2.pdf" not in q1  # the growth plot stays in the appendix
    q3 = key_tex[key_tex.index("q3.") : key_tex.index("q4.")]
    assert q3.index("q3-1.pdf") < q3.index("(a) The basic")  # beside the question


def test_boxed_conclusions_are_ragged_right_and_never_hyphenated(default_sheet):
    """q3(c)'s box once broke "Dis-/advantages": the text of every statement box (q1(b),
    q3(c), q5(c)) has no word split across a line."""
    pages = part_one(pdf_pages(default_sheet / "hw2.pdf"))
    boxes = {"q1": "(b)", "q3": "(c)", "q5": "(c)"}  # each box is its page's last part
    for question, start in boxes.items():
        page = next(p for p in pages if re.search(rf"^\s*{question}\. ", p, re.M))
        box = page[page.rindex(start) :]
        assert not re.search(r"[a-z]-\n\s*[a-z]", box), (question, box)
    tex = (default_sheet / "hw2.tex").read_text("utf-8")
    assert tex.count(r"\parbox{0.9\linewidth}{\raggedright\hyphenpenalty=10000") >= 3


#: Where q2's boxes are derived, by reading the sheet as a person would: the forward pass
#: gives x^(3) and e, the backward pass the δ's, the gradients section ∂e/∂W (the review
#: found each link one section early: "The network", "Forward pass", "Backward pass").
Q2_SECTIONS = {
    "x3": "Forward pass",
    "e": "Forward pass",
    "delta3": "Backward pass",
    "delta2": "Backward pass",
    "delta1": "Backward pass",
    "grad_W1": "Gradients",
    "grad_W2": "Gradients",
    "grad_W3": "Gradients",
}


def test_q2_boxes_link_the_section_that_derives_them_and_back_in_the_tex(default_sheet):
    """The anchors of the .tex: each box's \\hyperref goes to the subsection of that title,
    and that subsection's link back goes to a box it derives."""
    key, appendix = (default_sheet / "hw2.tex").read_text("utf-8").split("Part II\\quad Appendix")
    headings = dict(
        re.findall(
            r"\\subsection\*\{\\phantomsection\\label\{(app-q2-part\d+)\}([^\\{}]+?)\\hfill",
            appendix,
        )
    )
    assert {"Forward pass", "Backward pass", "Gradients"} <= set(headings.values())
    for name, title in Q2_SECTIONS.items():
        display = key[key.index(f"\\label{{key-q2-{name}}}") :]
        display = display[: display.index("\\end{align*}")]
        links = re.findall(r"\\hyperref\[(app-q2-[^\]]+)\]", display)  # the box and its tag
        assert links and {headings[t] for t in links} == {title}, name
    for label, title in headings.items():
        line = appendix[appendix.index(f"\\label{{{label}}}") :].split("\n", 1)[0]
        back = re.search(r"\\hyperref\[key-q2-([^\]]+)\]", line)
        if back:
            assert Q2_SECTIONS[back.group(1)] == title, (label, title)


@needs_pdf
def test_q2_links_in_the_pdf_give_the_pages_of_the_right_sections(default_sheet):
    """In the PDF as printed: q2's "derivation, p. N" in Part I, in order, name the pages
    whose heading is the forward pass, the backward pass, the gradients; each of those
    headings' "boxed in Part I, p. M" names a page of q2's Part I."""
    pages = pdf_pages(default_sheet / "hw2.pdf")
    first = next(i for i, p in enumerate(pages) if re.search(r"^\s*q2\. ", p, re.M))
    last = next(i for i, p in enumerate(pages) if re.search(r"^\s*q3\. ", p, re.M))
    q2 = "\n".join(pages[first:last])
    linked = [int(n) for n in re.findall(r"derivation, p\. (\d+)", q2)]
    assert len(linked) == 3
    for page, title in zip(linked, ("Forward pass", "Backward pass", "Gradients"), strict=True):
        heading = re.search(rf"^{title}\s+boxed in Part I, p\. (\d+)$", pages[page - 1], re.M)
        assert heading, (title, page)
        assert first + 1 <= int(heading.group(1)) <= last, (title, heading.group(1))


def test_q2_shows_theta_prime_with_its_values_before_the_deltas_use_them(default_sheet):
    """θ′ in the homework's notation (never tanh′ or identity′), each layer's value shown
    to 4 decimals with its trailing zeros before a δ uses it; e the scalar (x⁽³⁾ − y)².
    The values by hand: θ′ = 1 − tanh² at s⁽¹⁾ = (0.7, 1) and s⁽²⁾ = 0.2 + tanh 0.7 − 3 tanh 1."""
    import math

    tex = (default_sheet / "hw2.tex").read_text("utf-8")
    key = tex.split("Part II\\quad Appendix")[0]
    q2 = key[key.index("\\label{key-q2}") : key.index("\\label{key-q3}")]
    s2 = 0.2 + math.tanh(0.7) - 3 * math.tanh(1)
    lines = q2.splitlines()
    theta1 = next(i for i, t in enumerate(lines) if t.startswith(r"\theta'\left(s^{(1)}\right) &="))
    theta2 = next(i for i, t in enumerate(lines) if t.startswith(r"\theta'\left(s^{(2)}\right) &="))
    assert f"{1 - math.tanh(0.7) ** 2:.4f}" == "0.6347" and "0.6347" in lines[theta1]
    assert f"{1 - math.tanh(1) ** 2:.4f}" == "0.4200" and "0.4200" in lines[theta1]
    assert f"{1 - math.tanh(s2) ** 2:.4f}" in lines[theta2]
    assert "1 - \\left(x^{(1)}_{1}\\right)^{2}" in lines[theta1]  # θ′ = 1 − x², as the seed
    delta2 = next(i for i, t in enumerate(lines) if t.startswith(r"\delta^{(2)} &="))
    assert theta2 < delta2 and theta1 < delta2
    assert r"\theta'\left(s^{(3)}\right) &= 1" in q2  # the identity's
    assert "0.42\\end" not in q2 and "0.42 " not in q2
    for wrong in ("\\tanh'", "identity}", "\\|"):
        assert wrong not in q2, wrong
    assert "e &= \\left(x^{(3)} - y\\right)^{2}" in q2
    app = tex[tex.index("\\label{app-q2}") : tex.index("\\label{app-q3}")]
    assert "\\tanh'" not in app and "identity}'" not in app
