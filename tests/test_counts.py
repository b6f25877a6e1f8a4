"""symhw.counts: layer, block and ResNet counts against torch.nn modules and published totals.

Oracles: ``sum(p.numel() for p in module.parameters())`` and batch-norm buffers of the same
layers built with torch.nn; ``torch.utils.flop_counter.FlopCounterMode`` (FLOPs = 2·MACs);
forward hooks for activation sizes; torchvision's published ResNet totals.
"""

from __future__ import annotations

import pytest
import sympy as sp
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from symhw.counts.blocks import Block, block_output, check_block, receptive_field, traced_layers
from symhw.counts.layers import (
    BatchNorm,
    Conv,
    Linear,
    Shape,
    buffer_count,
    mac_count,
    output_shape,
    parameter_count,
)
from symhw.counts.resnets import (
    RESNETS,
    build_network,
    layer_totals,
    network_totals,
    network_units,
    trace_network,
)
from symhw.errors import InputError

#: torchvision's published figures: parameters, and "GFLOPS" (which are GMACs) at 224×224.
PUBLISHED = {
    "resnet18": (11_689_512, 1.81),
    "resnet34": (21_797_672, 3.66),
    "resnet50": (25_557_032, 4.09),
}


def numel(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def running_stats(module: nn.Module) -> int:
    return sum(b.numel() for name, b in module.named_buffers() if "running" in name)


def torch_macs(module: nn.Module, shape: tuple[int, ...]) -> int:
    """MACs of a forward pass on the meta device: FlopCounterMode's FLOPs / 2."""
    counter = FlopCounterMode(display=False)
    with counter:
        module.to("meta")(torch.empty(shape, device="meta"))
    flops = counter.get_total_flops()
    assert flops % 2 == 0
    return flops // 2


class TorchBlock(nn.Module):
    """A residual block written with torch.nn (torchvision's layout: stride on the k×k conv)."""

    def __init__(
        self, kind, c_in, c_out, mid=None, k=3, stride=1, bias=False, bn=False, proj=False
    ):
        super().__init__()
        if kind == "basic":
            convs = [
                nn.Conv2d(c_in, c_out, k, stride, k // 2, bias=bias),
                nn.Conv2d(c_out, c_out, k, 1, k // 2, bias=bias),
            ]
        else:
            convs = [
                nn.Conv2d(c_in, mid, 1, bias=bias),
                nn.Conv2d(mid, mid, k, stride, k // 2, bias=bias),
                nn.Conv2d(mid, c_out, 1, bias=bias),
            ]
        layers = []
        for conv in convs:
            layers += [conv, nn.BatchNorm2d(conv.out_channels)] if bn else [conv]
            layers.append(nn.ReLU())
        self.main = nn.Sequential(*layers[:-1])
        self.shortcut = nn.Identity()
        if proj:
            shortcut = [nn.Conv2d(c_in, c_out, 1, stride, bias=bias)]
            self.shortcut = nn.Sequential(*shortcut, *([nn.BatchNorm2d(c_out)] if bn else []))

    def forward(self, x):
        return torch.relu(self.main(x) + self.shortcut(x))

    def convs(self) -> list[nn.Conv2d]:
        return [m for m in self.modules() if isinstance(m, nn.Conv2d | nn.BatchNorm2d)]


def torch_resnet(kind: str, depths, expansion: int) -> nn.Module:
    """ResNet-18/34/50 written out with torch.nn, as torchvision builds them."""
    layers = [nn.Conv2d(3, 64, 7, 2, 3, bias=False), nn.BatchNorm2d(64), nn.ReLU()]
    layers.append(nn.MaxPool2d(3, 2, 1))
    c_in = 64
    for i, (depth, width) in enumerate(zip(depths, (64, 128, 256, 512), strict=True)):
        c_out = width * expansion
        for j in range(depth):
            stride = 2 if i > 0 and j == 0 else 1
            proj = stride != 1 or c_in != c_out
            mid = width if kind == "bottleneck" else None
            layers.append(TorchBlock(kind, c_in, c_out, mid, 3, stride, False, True, proj))
            c_in = c_out
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(c_in, 1000)]
    return nn.Sequential(*layers)


# --- single layers ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "c_in,c_out,k,bias",
    [
        (32, 32, 3, True),
        (32, 32, 3, False),
        (128, 32, 1, True),
        (32, 128, 1, True),
        (3, 64, 7, False),
    ],
)
def test_conv_parameters_match_torch(c_in, c_out, k, bias):
    count = parameter_count(Conv("conv", c_in, c_out, k, bias=bias))
    assert count.value == numel(nn.Conv2d(c_in, c_out, k, bias=bias))
    assert count.at.doit() == count.value == count.substituted.doit()


@pytest.mark.parametrize("channels", [1, 32, 512])
def test_batch_norm_parameters_and_buffers_are_counted_apart(channels):
    bn = nn.BatchNorm2d(channels)
    assert parameter_count(BatchNorm("bn", channels)).value == numel(bn)
    assert buffer_count(BatchNorm("bn", channels)).value == running_stats(bn)


@pytest.mark.parametrize("bias", [True, False])
def test_linear_parameters_match_torch(bias):
    assert parameter_count(Linear("fc", 512, 1000, bias)).value == numel(nn.Linear(512, 1000, bias))


@pytest.mark.parametrize(
    "size,k,stride,pad",
    [(224, 7, 2, 3), (112, 3, 2, 1), (16, 3, 1, 1), (15, 3, 2, 1), (7, 1, 2, 0)],
)
def test_output_size_and_macs_match_torch(size, k, stride, pad):
    conv = Conv("conv", 4, 6, k, stride, pad)
    shape = Shape(2, 4, size, size)
    out = nn.Conv2d(4, 6, k, stride, pad)(torch.zeros(2, 4, size, size)).shape
    assert output_shape(conv, shape) == tuple(out)
    assert mac_count(conv, shape).value == torch_macs(nn.Conv2d(4, 6, k, stride, pad), shape)


def test_symbolic_counts_are_polynomials_in_the_width():
    c = sp.Symbol("C", positive=True, integer=True)
    assert parameter_count(Conv("conv", c, c, 3, bias=True)).value == 9 * c**2 + c


# --- blocks ----------------------------------------------------------------------------------

BLOCKS = [
    # kind, c_in, c_out, mid, k, stride, bias, bn, projection
    ("basic", 32, 32, None, 3, 1, True, False, False),
    ("basic", 32, 32, None, 3, 1, False, False, False),
    ("bottleneck", 128, 128, 32, 3, 1, True, False, False),
    ("bottleneck", 128, 128, 32, 3, 1, False, False, False),
    ("basic", 64, 128, None, 3, 2, False, True, True),
    ("bottleneck", 256, 512, 128, 3, 2, False, True, True),
    ("bottleneck", 64, 256, 64, 5, 1, True, True, True),
]


@pytest.mark.parametrize("kind,c_in,c_out,mid,k,stride,bias,bn,proj", BLOCKS)
def test_block_counts_match_torch(kind, c_in, c_out, mid, k, stride, bias, bn, proj):
    block = Block(kind, c_in, c_out, mid, k, stride, proj, bias, bn)
    module = TorchBlock(kind, c_in, c_out, mid, k, stride, bias, bn, proj)
    counts = [parameter_count(layer) for layer in block.layers()]
    assert [c.value for c in counts if c is not None] == [numel(m) for m in module.convs()]
    buffers = sum(c.value for c in map(buffer_count, block.layers()) if c is not None)
    assert buffers == running_stats(module)
    shape = Shape(2, c_in, 16, 16)
    macs = [mac_count(layer, s) for layer, s in traced_layers(block, shape)]
    assert sum(m.value for m in macs if m is not None) == torch_macs(module, tuple(shape))


@settings(max_examples=20, deadline=None)
@given(
    kind=st.sampled_from(["basic", "bottleneck"]),
    c=st.integers(1, 24),
    factor=st.integers(1, 4),
    stride=st.integers(1, 2),
    bias=st.booleans(),
    bn=st.booleans(),
)
def test_random_blocks_match_torch(kind, c, factor, stride, bias, bn):
    c_out = c * factor
    mid = c if kind == "bottleneck" else None
    proj = stride != 1 or factor != 1
    block = Block(kind, c_out if kind == "bottleneck" else c, c_out, mid, 3, stride, proj, bias, bn)
    module = TorchBlock(kind, block.c_in, c_out, mid, 3, stride, bias, bn, proj)
    assert sum(c.value for c in map(parameter_count, block.layers()) if c) == numel(module)
    shape = Shape(1, block.c_in, 9, 9)
    out = module(torch.zeros(tuple(shape))).shape
    assert block_output(block, shape) == tuple(out)


def test_activation_elements_match_forward_hooks():
    block = Block("bottleneck", 64, 256, 64, stride=2, projection=True, batchnorm=True)
    module = TorchBlock("bottleneck", 64, 256, 64, 3, 2, False, True, True)
    seen = []
    for m in module.modules():
        if isinstance(m, nn.Conv2d | nn.BatchNorm2d):
            m.register_forward_hook(lambda _m, _i, out: seen.append(out.numel()))
    module(torch.zeros(2, 64, 8, 8))
    shape = Shape(2, 64, 8, 8)
    ours = sorted(int(output_shape(layer, s).elements) for layer, s in traced_layers(block, shape))
    assert ours == sorted(seen)


@pytest.mark.parametrize(
    "block,message",
    [
        (Block("basic", 0, 0), "positive whole number"),
        (Block("basic", -3, -3), "positive whole number"),
        (Block("bottleneck", 64, 64, 128), "wider than the block"),
        (Block("bottleneck", 64, 64), "needs `mid`"),
        (Block("basic", 64, 64, 16), "no `mid`"),
        (Block("basic", 64, 128), "set projection = true"),
        (Block("basic", 64, 64, stride=2), "set projection = true"),
        (Block("basic", 64, 64, kernel=4), "odd"),
        (Block("wide", 64, 64), "unknown kind"),
    ],
)
def test_bad_blocks_are_rejected_with_the_fix(block, message):
    with pytest.raises(InputError, match=message):
        check_block(block, "q3", "blocks")


@pytest.mark.parametrize(
    "kind,c_in,c_out,mid,k,stride",
    [
        ("basic", 4, 4, None, 3, 1),  # 5: two 3×3 convs
        ("bottleneck", 8, 8, 2, 3, 1),  # 3: one 3×3 between 1×1s
        ("basic", 4, 6, None, 3, 2),  # 7: the second conv's taps are 2 input rows apart
        ("bottleneck", 8, 8, 2, 5, 2),  # 5
        ("basic", 2, 2, None, 1, 1),  # 1
    ],
)
def test_receptive_field_is_the_window_an_output_depends_on(kind, c_in, c_out, mid, k, stride):
    """Oracle: the rows of the input where ∂(one output)/∂x is nonzero, through the main
    path written with torch.nn (random weights: no gradient entry cancels)."""
    torch.manual_seed(0)
    main = TorchBlock(kind, c_in, c_out, mid, k, stride).main
    main = nn.Sequential(*(m for m in main if isinstance(m, nn.Conv2d))).double()
    x = torch.randn(1, c_in, 41, 41, dtype=torch.float64, requires_grad=True)
    out = main(x)
    centre = out.shape[-1] // 2
    out[0, 0, centre, centre].backward()
    rows = torch.nonzero(x.grad.abs().sum(dim=(0, 1, 3))).flatten()
    assert receptive_field(Block(kind, c_in, c_out, mid, k, stride)) == len(rows)
    assert int(rows.max() - rows.min()) + 1 == len(rows)  # one window, no holes


# --- whole networks --------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["resnet18", "resnet34", "resnet50"])
def test_resnet_totals_match_published_numbers(name):
    totals = network_totals(build_network(RESNETS[name]), Shape(1, 3, 224, 224))
    params, gmacs = PUBLISHED[name]
    assert totals.parameters == params
    assert abs(float(totals.macs) / 1e9 - gmacs) < 0.005


@pytest.mark.parametrize("name", ["resnet18", "resnet34", "resnet50"])
def test_units_counted_once_add_up_to_the_whole_network(name):
    """A stage's repeated block counted once, times its count, gives what tracing every
    layer of the network gives."""
    spec, shape = RESNETS[name], Shape(1, 3, 224, 224)
    units = network_units(spec, shape, conv_bias=False)
    whole = network_totals(build_network(spec), shape)
    for count in ("parameters", "buffers", "macs", "activations"):
        by_unit = sum(u.count * getattr(layer_totals(u.traced), count) for u in units)
        assert by_unit == getattr(whole, count)
    assert sum(u.count for u in units if u.block) == sum(spec.depths)
    assert [u.stage for u in units if u.name.endswith(".1")] == ["conv2", "conv3", "conv4", "conv5"]


@pytest.mark.parametrize(
    "name,kind,depths,expansion",
    [("resnet18", "basic", (2, 2, 2, 2), 1), ("resnet50", "bottleneck", (3, 4, 6, 3), 4)],
)
def test_resnets_match_torch_modules(name, kind, depths, expansion):
    with torch.device("meta"):
        model = torch_resnet(kind, depths, expansion)
    net = build_network(RESNETS[name])
    shape = Shape(1, 3, 224, 224)
    totals = network_totals(net, shape)
    assert totals.parameters == numel(model)
    assert totals.buffers == running_stats(model)
    seen = []
    kinds = nn.Conv2d | nn.BatchNorm2d | nn.MaxPool2d | nn.AdaptiveAvgPool2d | nn.Linear
    for m in model.modules():
        if isinstance(m, kinds):
            m.register_forward_hook(lambda _m, _i, out: seen.append(out.numel()))
    assert totals.macs == torch_macs(model, tuple(shape))
    assert totals.activations == sum(seen)
    assert len(trace_network(net, shape)) == len(seen)
