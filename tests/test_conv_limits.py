"""conv-matrix at and past its limits: each limit's largest input is accepted, one more is
refused with one message naming the fields; the layers of issue 9 that hung finish.

Limits are counts (nonzeros, weights, entries, kernel positions, numbers), so the edge of
each is computed here by hand from the layer's shape, not taken from the code.
"""

from __future__ import annotations

import json

import pytest

from conftest import run_cli
from symhw.conv import conv_geometry
from symhw.conv.given import parse_tensor
from symhw.conv.limits import nonzeros
from symhw.errors import InputError
from symhw.fields import Where
from symhw.problems.conv_matrix import Params, backward_formula, layer_geometry, solve, validate
from symhw.problems.conv_matrix.answers import kernels_answer, matrix_answers
from symhw.problems.conv_matrix.layer import ShownLayer
from symhw.render.json import answer_json

#: (fields at the edge, fields one past it, the fields the error names, words it says)
EDGES = [
    (  # nonzeros: 16 x 16 channel pairs x 78,125 positions = 20,000,000 exactly
        dict(in_channels=16, out_channels=16, length=78_125, kernel=1),
        dict(in_channels=16, out_channels=16, length=78_126, kernel=1),
        "in_channels, out_channels, length",
        ["20,000,256 nonzeros", "at most 20,000,000"],
    ),
    (  # weights: 4096 x 4096 x 1 = 2^24; a second tap doubles it
        dict(in_channels=4096, out_channels=4096, length=1, kernel=1),
        dict(in_channels=4096, out_channels=4096, length=2, kernel=2),
        "in_channels, out_channels, kernel",
        ["33,554,432 weights", "at most 16,777,216"],
    ),
    (  # entries of x: one 4096 x 4096 image is 2^24; two are 2^25
        dict(
            dims=2,
            in_channels=1,
            out_channels=1,
            height=4096,
            width=4096,
            kernel=[2, 2],
            dilation=[4095, 4095],
        ),
        dict(
            dims=2,
            in_channels=2,
            out_channels=1,
            height=4096,
            width=4096,
            kernel=[2, 2],
            dilation=[4095, 4095],
        ),
        "in_channels, height, width",
        ["33,554,432 entries", "at most 16,777,216"],
    ),
    (  # entries of Y: 8 channels of 2^20 + 2 x 2^19 = 2^21 outputs is 2^24
        dict(in_channels=1, out_channels=8, length=1 << 20, kernel=1, padding=1 << 19),
        dict(in_channels=1, out_channels=8, length=1 << 20, kernel=1, padding=(1 << 19) + 1),
        "out_channels, padding, stride",
        ["16,777,232 entries", "2,097,154 output positions"],
    ),
    (  # kernel positions: 64 x 64 = 4096; 64 x 65 = 4160
        dict(dims=2, in_channels=1, out_channels=1, height=128, width=128, kernel=[64, 64]),
        dict(dims=2, in_channels=1, out_channels=1, height=128, width=128, kernel=[64, 65]),
        "kernel",
        ["4,160 positions", "at most 4,096"],
    ),
    (  # kernel per axis: 4096
        dict(in_channels=1, out_channels=1, length=4096, kernel=4096),
        dict(in_channels=1, out_channels=1, length=4097, kernel=4097),
        "kernel",
        ["at most 4096"],
    ),
]


def problem_set(fields: dict) -> str:
    def toml(v) -> str:
        return "[" + ", ".join(map(str, v)) + "]" if isinstance(v, list) else str(v)

    body = "".join(f"{k} = {toml(v)}\n" for k, v in fields.items())
    return f'[[problems]]\nid = "c"\nkind = "conv-matrix"\n{body}'


def load(fields: dict):
    from symhw.spec import parse_problem_set

    data = {"problems": [{"id": "c", "kind": "conv-matrix", **fields}]}
    return parse_problem_set(data, "t").problems[0].params


@pytest.mark.parametrize(("edge", "past", "field", "words"), EDGES)
def test_each_limit_takes_its_edge_and_refuses_one_more(edge, past, field, words):
    layer_geometry(load(edge), "c")  # accepted when the file loads
    with pytest.raises(InputError) as err:
        load(past)
    assert err.value.field == field and err.value.problem == "c"
    for word in words:
        assert word in str(err.value)


def test_nonzeros_at_the_edge_are_counted_exactly():
    """Padding reads nothing: kernel 3 with padding 1 over 4 samples has 4 x 3 - 2 taps."""
    assert nonzeros(conv_geometry(2, 3, 4, 3, padding=1)) == 2 * 3 * (4 * 3 - 2)
    g = layer_geometry(load(EDGES[0][0]))
    assert nonzeros(g) == 20_000_000


@pytest.mark.parametrize("count", [1 << 16, (1 << 16) + 1])
def test_given_tensors_hold_at_most_65536_numbers(count):
    value = [[1] * 256] * (count // 256) + ([[1] * (count % 256)] if count % 256 else [])
    where = Where("c", "x")
    if count <= 1 << 16:
        assert len(parse_tensor(value, where)) == count // 256
        return
    with pytest.raises(InputError, match="more than 65,536 numbers"):
        parse_tensor(value, where)


def test_a_numeric_result_past_65536_entries_is_refused_naming_the_input():
    """Y = 1 channel x 2^17 positions from a 2-sample x padded by 2^16: too many to compute."""
    fields = dict(in_channels=1, out_channels=1, length=2, kernel=1, padding=1 << 16)
    with pytest.raises(InputError, match="Y would have 131,074 entries") as err:
        validate(Params(**fields, weights=[[[1]]], x=[[1, 2]]), "c")
    assert err.value.field == "x"
    validate(Params(**{**fields, "padding": (1 << 15) - 1}, weights=[[[1]]], x=[[1, 2]]), "c")


@pytest.mark.parametrize(
    ("fields", "status", "words"),
    [
        # 12,288 nonzeros; its element equations have 12,288 terms: checks past the budget
        (dict(in_channels=4096, out_channels=1, length=3, kernel=3), 0, []),
        # 16.7 million weight symbols (3.0 GB after 60 s before)
        (dict(in_channels=4096, out_channels=4096, length=1, kernel=1), 0, []),
        (dict(in_channels=4096, out_channels=4096, groups=4096, length=1626, kernel=3), 0, []),
        # 4 nonzeros, a 8191 x 8191 Z before (6.0 GB)
        (
            dict(dims=2, in_channels=1, out_channels=1, height=4096, width=4096,
                 kernel=[2, 2], dilation=[4095, 4095]),
            0,
            [],
        ),
        (  # with 16 input channels x has 2^28 entries: refused, not 7.1 GB and a MemoryError
            dict(dims=2, in_channels=16, out_channels=1, height=4096, width=4096,
                 kernel=[2, 2], dilation=[4095, 4095]),
            2,
            ["field 'in_channels, height, width'", "268,435,456 entries"],
        ),
    ],
)  # fmt: skip
def test_issue_9_layers_finish_or_are_refused(tmp_path, fields, status, words):
    spec = tmp_path / "c.toml"
    spec.write_text(problem_set(fields), "utf-8")
    done = run_cli("sheet", str(spec), "-o", str(tmp_path / "out"), "--format", "json",
                   "--jobs", "1", timeout=120)  # fmt: skip
    assert done.returncode == status, done.stderr
    for word in words:
        assert word in done.stderr
    if status:
        assert done.stderr.count("\n") == 1
        return
    data = json.loads((tmp_path / "out" / "c.json").read_text())["problems"][0]
    assert all(c["confirmed"] for c in data["verification"]["numeric_checks"])


@pytest.mark.parametrize("number", ["{}", '"{}/7"'])
def test_issue_9_numeric_layer_is_refused_at_once(tmp_path, number):
    """64 -> 64 channels of length 1627 with numbers (70 s, and over 120 s with fractions)."""

    def rows(n: int, m: int) -> str:
        row = lambda i: ", ".join(number.format(1 + (i + j) % 9) for j in range(m))  # noqa: E731
        return "[" + ", ".join(f"[{row(i)}]" for i in range(n)) + "]"

    weights = "[" + ", ".join([rows(64, 3)] * 64) + "]"
    body = (
        "in_channels = 64\nout_channels = 64\nlength = 1627\n"
        f"weights = {weights}\nx = {rows(64, 1627)}\ngrad_y = {rows(64, 1625)}\n"
    )
    spec = tmp_path / "c.toml"
    spec.write_text(f'[[problems]]\nid = "c"\nkind = "conv-matrix"\n{body}', "utf-8")
    done = run_cli("answers", str(spec), timeout=120)
    assert done.returncode == 2, done.stderr
    assert "field 'x'" in done.stderr and "more than 65,536 numbers" in done.stderr


def test_checks_past_the_term_budget_are_marked_not_verified(tmp_path):
    """4096 inputs x 3 taps: each output's general equation has 12,288 terms (budget 1024)."""
    sol = solve(Params(in_channels=4096, out_channels=1, length=3, kernel=3))
    counts = sol.summary()
    assert counts["budget"] > 0 and counts["numeric"] == 0
    # only the backward formula's checks are cheap (3 terms an input, 1 for the sum over the
    # outputs): they are made
    cheap = {backward_formula.RULE, backward_formula.PLACEMENT, backward_formula.SUBSTITUTE}
    assert {s.rule for s in sol.steps if s.check.status == "symbolic"} <= cheap
    budget = [s for s in sol.steps if s.check.status == "budget"]
    assert all("12,288 terms, over the budget of 1,024" in s.check.method for s in budget)
    from symhw.render.latex import solution_section
    from symhw.render.summary import verification_summary

    assert solution_section(sol).count("not verified (budget)") == len(budget)
    assert f"{len(budget)} not verified (budget" in verification_summary(sol)


def test_checks_within_the_term_budget_are_verified():
    """341 x 3 = 1023 terms per output, within the budget: every step is checked."""
    sol = solve(Params(in_channels=341, out_channels=1, length=3, kernel=3))
    counts = sol.summary()
    assert counts["budget"] == counts["unverified"] == 0 and counts["symbolic"] > 0


@pytest.mark.parametrize(("channels", "written"), [(256, True), (257, False)])
def test_a_and_the_kernels_are_written_to_json_up_to_65536_entries(channels, written):
    """256 x 256 channels of length 1, kernel 1: A, Aᵀ and the kernel table have 65,536."""
    layer = ShownLayer(conv_geometry(channels, channels, 1, 1))
    a, a_t = matrix_answers(layer)
    kernels = answer_json(kernels_answer(layer))
    if written:
        assert len(answer_json(a)) == len(answer_json(a_t)) == len(kernels) == channels
        assert answer_json(a)[255][0] == "w_1^1,256" and kernels[0][255] == ["w_1^1,256"]
        return
    size = {"rows": 257, "columns": 257, "nonzeros": 257 * 257, "entries": "omitted"}
    assert answer_json(a) == size
    assert kernels == {"shape": [257, 257, 1], "entries": "omitted"}
