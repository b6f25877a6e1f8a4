"""Question 3 (block-params): the sheet's answers against torch.nn blocks and published totals.

The seed's numbers were checked by hand: (32·3·3 + 1)·32 = 9248, (128 + 1)·32 = 4128,
(32 + 1)·128 = 4224; every value below is also recomputed from torch.nn modules built here.
"""

from __future__ import annotations

import json
import re
import subprocess

import pytest
import sympy as sp
import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from conftest import HAS_TEX, answers_error, run_cli
from symhw.cli import main
from symhw.counts.blocks import Block
from symhw.counts.width import layer_parameters
from symhw.errors import VerificationError
from symhw.fields import Where
from symhw.params import build_params
from symhw.problems.block_params import SEED_BLOCKS, Params, block_comparison, parse_blocks, solve
from symhw.problems.block_params.block_comparison import compare_blocks
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
    assert r"\left. C_{\mathrm{out}} \left(C_{\mathrm{in}} k^{2} + 1\right) \right|" in tex
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
    assert json_render.answers_json(sol)["params"] == params


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
    # one past each size limit
    ("blocks = [" + ", ".join(['{kind = "basic", channels = 8}'] * 27) + "]", "at most 26"),
    ('blocks = [{kind = "basic", channels = 65537}]', "channels = 65537 is over the limit"),
    (
        'blocks = [{kind = "bottleneck", channels = 65536, mid = 65537}]',
        "mid = 65537 is over the limit; use at most 65536 channels",
    ),
    ('blocks = [{kind = "basic", channels = 8, kernel = 65}]', "odd number from 1 to 63"),
    (
        'blocks = [{kind = "basic", channels = 8, stride = 65, projection = true}]',
        "stride must be from 1 to 64",
    ),
    ("input = [1, 65537, 16]", "use sizes up to 65536"),
    ('network = {block = "basic", depths = [1, 1, 1, 1, 1, 1, 1, 1, 1]}', "at most 8"),
    # the reproducer: 88 stages failed in pdflatex ('Dimension too large', exit 1)
    ('network = {block = "basic", depths = [' + ", ".join(["1"] * 88) + "]}", "at most 8"),
    ('network = {block = "basic", depths = [1025]}', "depths = 1025 is over the limit"),
    ('network = {block = "basic", depths = [1], widths = [65537]}', "widths = 65537 is over"),
    (
        'network = {block = "bottleneck", depths = [1], widths = [16385]}',
        "width × expansion = 16385 × 4, is over 65536 channels",
    ),
    ('network = {block = "basic", depths = [1], stem = 65537}', "stem = 65537 is over"),
    ('network = {block = "basic", depths = [1], in_channels = 65537}', "in_channels = 65537"),
    ('network = {block = "basic", depths = [1], classes = 65537}', "classes = 65537 is over"),
]


@pytest.mark.parametrize("body,message", BAD)
def test_bad_input_exits_2_with_a_clear_message(tmp_path, capsys, body, message):
    err = answers_error(tmp_path, capsys, f'id = "q3"\nkind = "block-params"\n{body}')
    assert message in err and "q3" in err and err.count("\n") == 1


# ---------------------------------------------------------------- at the size limits

M = 1 << 16  # the largest width and input size


def test_a_block_at_every_limit_matches_torch_and_the_output_size_formula():
    """Widths 2^16, a 63×63 kernel and stride 64 on a 2^16-sized input: parameters against
    torch modules on the meta device, MACs against N·H_out·W_out·C_out·C_in·k² with
    H_out = ⌊(H + 2p − k)/s⌋ + 1 (PyTorch's Conv2d documentation)."""
    table = {"kind": "basic", "in_channels": M - 1, "out_channels": M, "kernel": 63}
    blocks = parse_blocks([{**table, "stride": 64, "batchnorm": True}], Where("q", "blocks"))
    sol = solve(Params(blocks=blocks, bias="without", input=(M, M, M)))
    with torch.device("meta"):
        convs = [
            nn.Conv2d(M - 1, M, 63, 64, 31, bias=False),
            nn.Conv2d(M, M, 63, 1, 31, bias=False),
            nn.Conv2d(M - 1, M, 1, 64, bias=False),
        ]
        norms = [nn.BatchNorm2d(M) for _ in convs]
    assert sol.answer("basic_params_no_bias").value == sum(map(numel, convs + norms))
    h1 = (M + 2 * 31 - 63) // 64 + 1  # conv1 and the projection (⌊(M − 1)/64⌋ + 1 = 1024)
    assert h1 == (M - 1) // 64 + 1 == 1024
    macs = M * h1 * h1 * (M * (M - 1) * 63**2 + M * M * 63**2 + M * (M - 1))
    assert sol.answer("basic_macs").value == macs


def _sheet(tmp_path, body: str) -> subprocess.CompletedProcess:
    spec = tmp_path / "limits.toml"
    spec.write_text(f'[[problems]]\nid = "q3"\nkind = "block-params"\n{body}\n', "utf-8")
    formats = "tex,pdf,json" if HAS_TEX else "tex,json"
    return run_cli(
        "sheet", str(spec), "-o", str(tmp_path), "--format", formats, "--jobs", "1", timeout=120
    )


def test_the_largest_network_gives_a_sheet(tmp_path):
    """8 stages of 1024 blocks, every width 2^16, a 2^16-sized input, PDF included (88
    stages, now refused, made pdflatex fail with 'Dimension too large')."""
    widths = ", ".join(str(M - i % 2) for i in range(8))
    network = (
        f'{{block = "bottleneck", depths = [{", ".join(["1024"] * 8)}], widths = [{widths}], '
        f"expansion = 1, stem = {M}, in_channels = {M}, classes = {M}}}"
    )
    done = _sheet(tmp_path, f'network = {network}\ninput = [{M}, {M}, {M}]\nbias = "with"')
    assert done.returncode == 0, done.stderr
    answers = json.loads((tmp_path / "limits.json").read_text("utf-8"))["problems"][0]["answers"]
    assert answers["params"] == torch_bottleneck_network_params([M - i % 2 for i in range(8)])


def torch_bottleneck_network_params(widths: list[int], depth: int = 1024) -> int:
    """Parameters of torchvision's ResNet layout (stem 7×7/2 conv, stages of bottleneck blocks
    with expansion 1, a projection where the stride or the width changes, a linear head), every conv
    with a bias, stem, input channels and classes 2^16; torch modules on the meta device."""

    def block(c_in: int, width: int, projection: bool) -> list[nn.Module]:
        convs = [nn.Conv2d(c_in, width, 1), nn.Conv2d(width, width, 3), nn.Conv2d(width, width, 1)]
        convs += [nn.Conv2d(c_in, width, 1)] if projection else []
        return convs + [nn.BatchNorm2d(width) for _ in convs]

    with torch.device("meta"):
        total = numel(
            nn.Sequential(nn.Conv2d(M, M, 7), nn.BatchNorm2d(M), nn.Linear(widths[-1], M))
        )
        c_in = M
        for i, width in enumerate(widths):
            projection = i > 0 or c_in != width  # stride 2 after the first stage, or new width
            total += sum(map(numel, block(c_in, width, projection)))
            total += (depth - 1) * sum(map(numel, block(width, width, False)))
            c_in = width
    return total


def test_the_most_and_largest_blocks_give_a_sheet(tmp_path):
    """26 blocks (a to z) of widths 2^16 with 63×63 kernels, batch norm and both bias
    settings, PDF included; the basic blocks (stride 1) have the longest counts of all, FLOPs
    of 29 digits, checked against 2·N·H·W·k²·(C_in·C_out + C_out²) + the 1×1 projection."""
    basic = f'{{kind = "basic", in_channels = {M - 1}, out_channels = {M}, kernel = 63}}'
    bottleneck = (
        f'{{kind = "bottleneck", in_channels = {M}, out_channels = {M - 1}, mid = {M - 1}, '
        "kernel = 63, stride = 64, batchnorm = true}"
    )
    blocks = ", ".join([basic, bottleneck] * 13)
    done = _sheet(tmp_path, f"input = [{M}, {M}, {M}]\nblocks = [{blocks}]")
    assert done.returncode == 0, done.stderr
    answers = json.loads((tmp_path / "limits.json").read_text("utf-8"))["problems"][0]["answers"]
    assert "bottleneck_13_params_bias" in answers
    flops = 2 * M**3 * (63**2 * ((M - 1) * M + M * M) + (M - 1) * M)
    assert answers["basic_13_flops"] == flops and len(str(flops)) == 29


def hw2_solution(problem_id: str):
    spec = next(p for p in load_problem_set().problems if p.id == problem_id)
    return solve(spec.params, spec.id)


def test_hw2_comparison_states_block_totals_as_checked_equalities():
    """Before: 64 equalities and 31 definitions (P(C) and M(C) were definitions). Now the 6
    P(C) and 2 M(C) totals are equalities checked against the layers' formulas; and 5 more
    for the ratios at the question's widths (channels, P, P̃, M, A) that (c) concludes from."""
    sol = hw2_solution("q3")
    assert sol.summary() == {
        "symbolic": 72 + 5,
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


# --- Part I (the answer key) ---------------------------------------------------------


@pytest.mark.parametrize(
    "name,total,layers,convs,part",
    [
        ("basic_params_bias", 18496, [9248, 9248], basic(32, True), "(a) Basic"),
        ("basic_params_no_bias", 18432, [9216, 9216], basic(32, False), "(a) Basic"),
        ("bottleneck_params_bias", 17600, [4128, 9248, 4224], bottleneck(128, 32, True), "(b)"),
        ("bottleneck_params_no_bias", 17408, [4096, 9216, 4096], bottleneck(128, 32, False), "(b)"),
    ],
)
def test_part_one_boxes_each_total_as_a_sum_over_the_layers(seed, name, total, layers, convs, part):
    """Hand counts (the module docstring) and torch: the box is P = Σ products = Σ counts =
    total, one term per layer, linked to the derivation of its own bias setting."""
    box = next(b for b in seed.boxes() if [a.name for a in b.answers] == [name])
    (step,) = box.derivation.steps  # one chain: no tuple of layers, no second row
    products, counts, boxed = step.chain[1:]
    assert [t.doit() for t in products.args] == layers == [numel(c) for c in convs]
    assert list(counts.args) == layers and boxed == total == sum(layers)
    with_bias = name.endswith("_params_bias")
    assert box.derived_in.startswith(part)
    assert box.derived_in.endswith(" with bias" if with_bias else " without bias")


def test_part_one_boxes_only_the_four_totals_and_the_conclusion(seed):
    boxed = [a.name for b in seed.boxes() for a in b.answers]
    assert sorted(boxed) == sorted(
        f"{b}_params_{v}" for b in ("basic", "bottleneck") for v in ("bias", "no_bias")
    )
    assert [b.question for b in seed.boxes() if not b.answers] == ["(c)"]
    tuples = [p for part in seed.key for p in _members(part) if isinstance(p, sp.Tuple)]
    assert tuples == []


def _members(part) -> list:
    derivation = getattr(part, "derivation", part)
    return [m for s in getattr(derivation, "steps", ()) for m in s.chain]


def test_the_question_asks_what_the_homework_asks(seed):
    """The statement restates the homework: parameters with and without bias, and (c)
    compare; MACs, FLOPs and memory are the appendix's, said there."""
    question = "".join(s for s in seed.statement.segments if isinstance(s, str))
    assert "with and without bias" in question and "(c) Compare" in question
    assert "128×16×16×32" in question and "128×16×16×128" in question  # N×H×W×C per block
    assert not re.search(r"multiply|MAC|FLOP|memory", question)
    beyond = next(p for p in seed.parts if type(p).__name__ == "Paragraph")
    assert "MACs" in beyond.segments[0] and "memory" in beyond.segments[0]


def _text(paragraph) -> str:
    return "".join(s if isinstance(s, str) else latex_render.latex(s) for s in paragraph.segments)


def _box_c(sol):
    (box,) = [b for b in sol.boxes() if b.statement is not None]
    return _text(box.statement), _text(box.brief), box


def test_the_seed_conclusion_states_channels_parameters_and_trade_offs(seed):
    """4× the channels (128/32) for about 5% fewer parameters (1 − 17600/18496 = 4.8%),
    3× the activation memory ((32 + 32 + 128)/(32 + 32) output channels at 16×16), and a
    3×3 against a 5×5 window (1 + 2 + 2 for two 3×3 convs)."""
    text, brief, box = _box_c(seed)
    p = {name: sum(map(numel, convs)) for name, convs in _SEED_CONVS.items()}
    assert round(100 * (1 - p["bottleneck", True] / p["basic", True])) == 5
    assert round(100 * (1 - p["bottleneck", False] / p["basic", False])) == 6
    assert "handles 4× the channels of the basic block (128 vs 32) with about 5% fewer" in text
    assert "(17600 vs 18496 with bias; 17408 vs 18432 without)" in text
    memory = (128 * 16 * 16 * (32 + 32 + 128), 128 * 16 * 16 * (32 + 32))
    assert memory[0] == 3 * memory[1]
    assert (
        "Disadvantages: 3× the activation memory on this input, as the bottleneck block's "
        f"tensors carry 4× the channels ({memory[0]} vs {memory[1]} values stored for the "
        "backward pass: 32 + 32 + 128 vs 32 + 32 channels per position)" in text
    )
    # the 3×3 conv runs at the inner width, after the 1×1 conv: it selects no channels
    assert "its 3×3 conv runs at the inner width 32, after a 1×1 conv reduces 128 " in text
    assert "works on only" not in text
    assert "a 3×3 window of the block's input, against 5×5" in text
    # the summary row: the same numbers, advantages after the parameters, then the rest
    assert brief == (
        "bottleneck: 4× the channels (128 vs 32) with ≈5% fewer parameters (17600 vs 18496); "
        "fewer MACs; 3× the activation memory, 3×3 vs 5×5 receptive field"
    )
    # linked to the verified ratios of the appendix
    (ratios,) = [p for p in seed.parts if getattr(p, "title", "") == box.derived_in]
    # channels, parameters with and without bias, MACs (17/18, as the torch counts above),
    # memory: each ratio of the hand-checked numbers
    expected = [4, sp.Rational(17600, 18496), sp.Rational(17408, 18432), sp.Rational(17, 18), 3]
    assert [s.rhs for s in ratios.steps] == expected
    assert all(s.check.status == "symbolic" for s in ratios.steps)


_SEED_CONVS = {
    ("basic", True): basic(32, True),
    ("basic", False): basic(32, False),
    ("bottleneck", True): bottleneck(128, 32, True),
    ("bottleneck", False): bottleneck(128, 32, False),
}


def test_a_bottleneck_with_more_parameters_says_so_from_its_own_numbers():
    """A basic block on 8 channels against a bottleneck 64→32→32→64: torch counts 1168 and
    13 440 parameters with bias, 11.5×; the words follow the numbers."""
    p_basic = sum(map(numel, basic(8, True)))
    p_bneck = sum(map(numel, bottleneck(64, 32, True)))
    assert (p_basic, p_bneck) == (1168, 13440)
    table = [{"kind": "basic", "channels": 8}, {"kind": "bottleneck", "channels": 64, "mid": 32}]
    text, brief, _ = _box_c(solve(build_params(Params, {"blocks": table}, "q3")))
    assert "8× the channels of the basic block (64 vs 8) with 11.5× the parameters" in text
    assert "(13440 vs 1168 with bias;" in text
    assert "Disadvantages: more parameters" in text and "fewer parameters" not in text
    # MACs per position: 64·32 + 32·32·9 + 32·64 = 13312 against 2·8·8·9 = 1152 (11.56×);
    # outputs per position: 32 + 32 + 64 = 128 against 8 + 8 = 16 (8×)
    assert round(13312 / 1152, 1) == 11.6 and 128 / 16 == 8
    assert brief == (
        "bottleneck: 8× the channels (64 vs 8) with 11.5× the parameters (13440 vs 1168); "
        "11.6× the MACs, 8× the activation memory, 3×3 vs 5×5 receptive field"
    )


def test_the_blocks_are_drawn_beside_the_question_with_a_caption_from_their_data(seed):
    figure = seed.key[0]
    assert type(figure).__name__ == "Figure" and figure in seed.parts  # the appendix's file
    words = "".join(s for s in figure.caption.segments if isinstance(s, str))
    assert "3×3: 1, 1×1: 0" in words  # (k − 1)/2 zeros: 1 for k = 3, none for k = 1
    assert "//" not in words and "projection" not in words  # both shortcuts are identities
    table = [
        {"kind": "basic", "in_channels": 32, "out_channels": 64, "stride": 2, "projection": True},
        {"kind": "bottleneck", "channels": 128, "mid": 32, "kernel": 5},
    ]
    other = solve(build_params(Params, {"blocks": table}, "q3")).key[0]
    words = "".join(s for s in other.caption.segments if isinstance(s, str))
    assert "5×5: 2, 3×3: 1, 1×1: 0" in words
    assert "through a 1×1 projection in (a)" in words and "stride" in words
