"""Question 3 (block-params): the sheet's answers against torch.nn blocks and published totals.

The seed's numbers were checked by hand: (32·3·3 + 1)·32 = 9248, (128 + 1)·32 = 4128,
(32 + 1)·128 = 4224; every value below is also recomputed from torch.nn modules built here.
"""

from __future__ import annotations

import json
import re

import pytest
import sympy as sp
import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from conftest import answers_error
from symhw.cli import main
from symhw.counts.blocks import Block
from symhw.errors import VerificationError
from symhw.params import Where, build_params
from symhw.problems import block_comparison
from symhw.problems.block_comparison import compare_blocks, layer_parameters
from symhw.problems.block_params import SEED_BLOCKS, Params, parse_blocks, solve
from symhw.render import json as json_render
from symhw.render import latex as latex_render
from symhw.spec import load_problem_set

C = sp.Symbol("C", integer=True, positive=True)


def numel(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def basic(c: int, bias: bool) -> list[nn.Conv2d]:
    return [nn.Conv2d(c, c, 3, padding=1, bias=bias) for _ in range(2)]


def bottleneck(outer: int, mid: int, bias: bool) -> list[nn.Conv2d]:
    return [
        nn.Conv2d(outer, mid, 1, bias=bias),
        nn.Conv2d(mid, mid, 3, padding=1, bias=bias),
        nn.Conv2d(mid, outer, 1, bias=bias),
    ]


def torch_macs(convs: list[nn.Conv2d], shape) -> int:
    counter = FlopCounterMode(display=False)
    with counter, torch.device("meta"):
        x = torch.empty(shape)
        for conv in convs:
            x = conv.to("meta")(x)
    return counter.get_total_flops() // 2


@pytest.fixture(scope="module")
def seed():
    return solve(Params())


@pytest.mark.parametrize(
    "name,expected,convs",
    [
        ("basic_params_bias", 18496, basic(32, True)),
        ("basic_params_no_bias", 18432, basic(32, False)),
        ("bottleneck_params_bias", 17600, bottleneck(128, 32, True)),
        ("bottleneck_params_no_bias", 17408, bottleneck(128, 32, False)),
    ],
)
def test_seed_totals_match_torch_and_hand_counts(seed, name, expected, convs):
    assert seed.answer(name).value == expected == sum(map(numel, convs))


@pytest.mark.parametrize(
    "name,expected,convs",
    [
        ("basic_layers_bias", [9248, 9248], basic(32, True)),
        ("bottleneck_layers_bias", [4128, 9248, 4224], bottleneck(128, 32, True)),
        ("bottleneck_layers_no_bias", [4096, 9216, 4096], bottleneck(128, 32, False)),
    ],
)
def test_seed_per_layer_counts(seed, name, expected, convs):
    assert list(seed.answer(name).value) == expected == [numel(c) for c in convs]


@pytest.mark.parametrize(
    "label,convs,channels",
    [("basic", basic(32, False), 32), ("bottleneck", bottleneck(128, 32, False), 128)],
)
def test_seed_macs_and_flops_match_flop_counter(seed, label, convs, channels):
    macs = torch_macs(convs, (128, channels, 16, 16))
    assert seed.answer(f"{label}_macs").value == macs
    assert seed.answer(f"{label}_flops").value == 2 * macs


def test_seed_activation_memory_is_every_conv_output(seed):
    assert seed.answer("basic_activation_elements").value == 2 * 128 * 16 * 16 * 32
    assert seed.answer("bottleneck_activation_elements").value == 128 * 16 * 16 * (32 + 32 + 128)


@pytest.mark.parametrize("c", [1, 2, 3, 4, 5, 8, 32])
def test_symbolic_ratio_and_crossover_agree_with_torch_counts(seed, c):
    """P_bottleneck(C)/P_basic(C) evaluated at C equals the ratio of torch counts at width C."""
    p_basic = sum(map(numel, basic(c, True)))
    p_bneck = sum(map(numel, bottleneck(4 * c, c, True)))
    ratio = seed.answer("params_ratio_bias").value
    assert ratio.subs(C, c) == sp.Rational(p_bneck, p_basic)
    crossover = seed.answer("params_crossover_bias").value
    assert (p_bneck < p_basic) == (c > crossover)
    assert (p_bneck == p_basic) == (c == crossover)


def test_ratios_without_bias_and_of_macs(seed):
    p_basic = sum(map(numel, basic(8, False)))
    p_bneck = sum(map(numel, bottleneck(32, 8, False)))
    assert seed.answer("params_ratio_no_bias").value == sp.Rational(p_bneck, p_basic)
    m_basic = torch_macs(basic(8, False), (2, 8, 6, 10))
    m_bneck = torch_macs(bottleneck(32, 8, False), (2, 32, 6, 10))
    assert seed.answer("macs_ratio").value == sp.Rational(m_bneck, m_basic) == sp.Rational(17, 18)


def test_every_step_is_verified(seed):
    counts = seed.summary()
    assert counts["unverified"] == 0 and counts["numeric"] == 0 and counts["symbolic"] > 40


def test_seed_sheet_renders():
    tex = latex_render.document("t", [solve(Params())])
    assert r"\left. C_{out} \left(C_{in} k^{2} + 1\right) \right|" in tex
    assert "32 \\left(32 \\cdot 3 \\cdot 3 + 1\\right)" in tex


def test_builtin_sheet_answers_have_the_issue_names(capsys):
    assert main(["answers", "--json"]) == 0
    q3 = json.loads(capsys.readouterr().out)["q3"]
    assert q3["basic_params_bias"] == 18496 and q3["bottleneck_params_no_bias"] == 17408
    assert q3["basic_layers_bias"] == [9248, 9248]
    assert q3["bottleneck_layers_bias"] == [4128, 9248, 4224]
    names = [f"{b}_params_{v}" for b in ("basic", "bottleneck") for v in ("bias", "no_bias")]
    assert all(type(q3[name]) is int for name in names)
    spec = next(p for p in load_problem_set().problems if p.id == "q3")
    assert spec.kind == "block-params" and spec.params.input == (128, 16, 16)


def test_custom_blocks_with_batch_norm_and_projection():
    table = [
        {
            "kind": "bottleneck",
            "in_channels": 64,
            "out_channels": 256,
            "mid": 64,
            "batchnorm": True,
            "stride": 2,
        }
    ]
    blocks = parse_blocks(table, Where("q", "blocks"))
    assert blocks[0].projection  # needed: the widths and the stride change
    sol = solve(Params(blocks=blocks, bias="without", input=(2, 32, 32)))
    torch_block = nn.Sequential(
        nn.Conv2d(64, 64, 1, bias=False), nn.BatchNorm2d(64),
        nn.Conv2d(64, 64, 3, 2, 1, bias=False), nn.BatchNorm2d(64),
        nn.Conv2d(64, 256, 1, bias=False), nn.BatchNorm2d(256),
        nn.Conv2d(64, 256, 1, 2, bias=False), nn.BatchNorm2d(256),
    )  # fmt: skip
    assert sol.answer("bottleneck_params_no_bias").value == numel(torch_block)
    buffers = sum(b.numel() for n, b in torch_block.named_buffers() if "running" in n)
    assert sol.answer("bottleneck_buffers").value == buffers
    main_path = [m for m in torch_block if isinstance(m, nn.Conv2d)][:3]
    macs = torch_macs(main_path, (2, 64, 32, 32)) + torch_macs([torch_block[6]], (2, 64, 32, 32))
    assert sol.answer("bottleneck_macs").value == macs


@pytest.mark.parametrize(
    "network,params,gmacs",
    [("resnet18", 11_689_512, 1.81), ("resnet50", 25_557_032, 4.09)],
)
def test_network_problem_matches_published_totals(network, params, gmacs):
    sol = solve(build_params(Params, {"network": network}, "net"))
    assert sol.answer("params").value == params
    assert abs(float(sol.answer("macs").value) / 1e9 - gmacs) < 0.005
    assert sol.answer("flops").value == 2 * sol.answer("macs").value
    assert sol.summary()["unverified"] == 0
    assert json_render.answers(sol)["params"] == params


def test_network_from_a_table_is_counted_like_the_builtin():
    table = {"block": "basic", "depths": [3, 4, 6, 3], "title": "My ResNet"}
    sol = solve(build_params(Params, {"network": table}, "net"))
    assert sol.answer("params").value == 21_797_672  # torchvision's ResNet-34
    assert not sol.numeric_checks  # not the built-in spec: no published figures to compare


BAD = [
    ('blocks = [{kind = "basic", channels = 0}]', "positive whole number"),
    ('blocks = [{kind = "basic", channels = -32}]', "positive whole number"),
    ('blocks = [{kind = "bottleneck", channels = 64, mid = 128}]', "wider than the block"),
    (
        'blocks = [{kind = "basic", in_channels = 32, out_channels = 64, projection = false}]',
        "projection = true",
    ),
    ('blocks = [{kind = "dense", channels = 32}]', "unknown kind 'dense'"),
    ("blocks = [{channels = 32}]", "missing kind; add kind = basic or bottleneck"),
    ("network = {depths = [2, 2]}", "missing block; add block = basic or bottleneck"),
    ('blocks = [{kind = "basic", channels = 32, colour = "red"}]', "unknown key 'colour'"),
    ('layout = "NWHC"', "choose one of NHWC, NCHW"),
    ('network = "resnet101"', "choose one of"),
    ('network = "resnet18"\nbias = "both"', "one bias setting"),
    ('network = {block = "basic", depths = [2, 2], widths = [64]}', "widths has 1"),
    ('network = {block = "basic", depths = [0]}', "positive whole numbers"),
    ('network = "resnet18"\nblocks = [{kind = "basic", channels = 32}]', "not both"),
    ("input = [128, 0, 16]", "three positive whole numbers"),
]


@pytest.mark.parametrize("body,message", BAD)
def test_bad_input_exits_2_with_a_clear_message(tmp_path, capsys, body, message):
    err = answers_error(tmp_path, capsys, f'id = "q3"\nkind = "block-params"\n{body}')
    assert message in err and "q3" in err


def hw2_solution(problem_id: str):
    spec = next(p for p in load_problem_set().problems if p.id == problem_id)
    return solve(spec.params, spec.id)


def test_hw2_comparison_states_block_totals_as_checked_equalities():
    """Before: 64 equalities and 31 definitions (P(C) and M(C) were definitions). Now the 6
    P(C) and 2 M(C) totals are equalities checked against the layers' formulas."""
    sol = hw2_solution("q3")
    assert sol.summary() == {
        "symbolic": 72,
        "numeric": 0,
        "unverified": 0,
        "budget": 0,
        "definition": 23,
    }
    comparison = [p for p in sol.parts if getattr(p, "title", "").startswith("(c)")]
    steps = [s for p in comparison for s in getattr(p, "steps", ())]
    assert steps and all(s.check.status == "symbolic" for s in steps)


@pytest.mark.parametrize("bias", [True, False])
def test_width_c_terms_are_the_torch_layer_counts_in_layer_order(bias):
    terms = layer_parameters(Block("bottleneck", 4 * C, 4 * C, C, bias=bias))
    assert [t.subs(C, 8) for t in terms] == [numel(c) for c in bottleneck(32, 8, bias)]


@pytest.mark.parametrize(
    "target,count", [("layer_parameters", "P_bottleneck(C)"), ("layer_macs", "M_bottleneck(C)")]
)
def test_a_wrong_width_c_term_is_refused(monkeypatch, target, count):
    """One term off by one C: the total no longer matches the layers' formulas."""
    right = getattr(block_comparison, target)

    def off_by_c(block):
        terms = right(block)
        return [*terms[:-1], terms[-1] + C] if block.kind == "bottleneck" else terms

    monkeypatch.setattr(block_comparison, target, off_by_c)
    with pytest.raises(VerificationError, match=re.escape(count.split("(")[0])):
        compare_blocks("c", *SEED_BLOCKS, (True,))
