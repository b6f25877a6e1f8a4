"""Whole residual networks from a small spec: the stem, stages of blocks, and the head."""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from symhw.counts.blocks import Block, block_output, traced_layers
from symhw.counts.layers import (
    BatchNorm,
    Conv,
    Linear,
    NetworkLayer,
    Pool,
    Shape,
    buffer_count,
    mac_count,
    output_shape,
    parameter_count,
)


@dataclass(frozen=True)
class NetworkSpec:
    """A ResNet: block kind, blocks per stage, stage widths and the bottleneck expansion."""

    title: str
    block: str
    depths: tuple[int, ...]
    widths: tuple[int, ...] = (64, 128, 256, 512)
    expansion: int = 1
    stem: int = 64
    in_channels: int = 3
    classes: int = 1000


#: The networks of He et al. (2016) as torchvision builds them (v1.5: stride on the 3×3 conv).
RESNETS = {
    "resnet18": NetworkSpec("ResNet-18", "basic", (2, 2, 2, 2)),
    "resnet34": NetworkSpec("ResNet-34", "basic", (3, 4, 6, 3)),
    "resnet50": NetworkSpec("ResNet-50", "bottleneck", (3, 4, 6, 3), expansion=4),
}


@dataclass(frozen=True)
class Stage:
    """A stage: ``first`` (which may change width and stride) then ``repeats`` copies of
    ``rest``. Its ``label`` (conv2) names its blocks (conv2.1, conv2.2)."""

    label: str
    first: Block
    rest: Block | None
    repeats: int

    @property
    def name(self) -> str:
        """The stage as He et al. (2016) and torchvision name it: conv2_x."""
        return f"{self.label}_x"

    @property
    def blocks(self) -> tuple[Block, ...]:
        return (self.first,) + ((self.rest,) * self.repeats if self.rest else ())


@dataclass(frozen=True)
class Network:
    """A network as data: stem layers, stages of residual blocks, head layers."""

    title: str
    stem: tuple[NetworkLayer, ...]
    stages: tuple[Stage, ...]
    head: tuple[NetworkLayer, ...]


def build_network(spec: NetworkSpec, *, conv_bias: bool = False) -> Network:
    """Expand a spec into layers and blocks (torchvision's convs have no bias).

    >>> net = build_network(RESNETS["resnet18"])
    >>> [st.name for st in net.stages], net.stages[1].first.projection
    (['conv2_x', 'conv3_x', 'conv4_x', 'conv5_x'], True)
    """
    stem = (
        Conv("conv1", spec.in_channels, spec.stem, 7, stride=2, bias=conv_bias),
        BatchNorm("bn1", spec.stem),
        Pool("maxpool", "max", 3, 2, 1),
    )
    stages, c_in = [], spec.stem
    for i, (depth, width) in enumerate(zip(spec.depths, spec.widths, strict=True)):
        label, c_out = f"conv{i + 2}", width * spec.expansion
        mid = width if spec.block == "bottleneck" else None
        stride = 1 if i == 0 else 2
        first = Block(
            spec.block,
            c_in,
            c_out,
            mid,
            stride=stride,
            projection=stride != 1 or c_in != c_out,
            bias=conv_bias,
            batchnorm=True,
            name=f"{label}.1",
        )
        rest = Block(
            spec.block, c_out, c_out, mid, bias=conv_bias, batchnorm=True, name=f"{label}.2"
        )
        stages.append(Stage(label, first, rest if depth > 1 else None, depth - 1))
        c_in = c_out
    head = (Pool("avgpool", "avg"), Linear("fc", c_in, spec.classes))
    return Network(spec.title, stem, tuple(stages), head)


@dataclass(frozen=True)
class Totals:
    """Whole-network counts: learnable parameters, running buffers, MACs, activation elements."""

    parameters: sp.Expr
    buffers: sp.Expr
    macs: sp.Expr
    activations: sp.Expr

    @property
    def flops(self) -> sp.Expr:
        return 2 * self.macs


def layer_totals(traced: list[tuple[NetworkLayer, Shape]]) -> Totals:
    """Sums over layers given with their input shapes.

    >>> layer_totals([(Conv("conv1", 32, 32, 3), Shape(1, 32, 8, 8))]).parameters
    9216
    """
    params = buffers = macs = acts = sp.Integer(0)
    for layer, shape in traced:
        params += _value(parameter_count(layer))
        buffers += _value(buffer_count(layer))
        macs += _value(mac_count(layer, shape))
        acts += output_shape(layer, shape).elements
    return Totals(sp.expand(params), sp.expand(buffers), sp.expand(macs), sp.expand(acts))


def _value(count) -> sp.Expr:
    return sp.Integer(0) if count is None else count.value


def trace_sequence(layers: tuple[NetworkLayer, ...], shape: Shape) -> tuple[list, Shape]:
    """Layers in sequence with their input shapes, and the final output shape.

    >>> trace_sequence((Pool("maxpool", "max", 3, 2, 1),), Shape(1, 64, 112, 112))[1]
    Shape(n=1, c=64, h=56, w=56)
    """
    traced = []
    for layer in layers:
        traced.append((layer, shape))
        shape = output_shape(layer, shape)
    return traced, shape


def trace_network(net: Network, shape: Shape) -> list[tuple[NetworkLayer, Shape]]:
    """Every layer of a network with its input shape, in order.

    >>> len(trace_network(build_network(RESNETS["resnet18"]), Shape(1, 3, 224, 224)))
    43
    """
    traced, shape = trace_sequence(net.stem, shape)
    for stage in net.stages:
        for block in stage.blocks:
            traced += traced_layers(block, shape)
            shape = block_output(block, shape)
    head, _ = trace_sequence(net.head, shape)
    return traced + head


@dataclass(frozen=True)
class Unit:
    """A part of a network counted once and used ``count`` times: the stem, a stage's first
    block, its repeated block, or the head. ``stage`` is the stage's label (or stem, head);
    ``block`` is None for the stem and the head."""

    name: str
    stage: str
    traced: list[tuple[NetworkLayer, Shape]]
    count: int
    output: Shape
    block: Block | None = None


def network_units(spec: NetworkSpec, shape: Shape, conv_bias: bool) -> list[Unit]:
    """The stem, each stage's first block, its repeated block, and the head, with shapes: a
    stage's repeated block is counted once whatever its count, which only multiplies.

    >>> units = network_units(RESNETS["resnet50"], Shape(1, 3, 224, 224), False)
    >>> [(u.name, u.count) for u in units][:3]
    [('stem', 1), ('conv2.1', 1), ('conv2.2', 2)]
    """
    net = build_network(spec, conv_bias=conv_bias)
    traced, shape = trace_sequence(net.stem, shape)
    units = [Unit("stem", "stem", traced, 1, shape)]
    for stage in net.stages:
        for block, count in ((stage.first, 1), (stage.rest, stage.repeats)):
            if block is None:
                continue
            out = block_output(block, shape)
            traced = traced_layers(block, shape)
            units.append(Unit(block.label, stage.label, traced, count, out, block))
            shape = out
    traced, shape = trace_sequence(net.head, shape)
    units.append(Unit("head", "head", traced, 1, shape))
    return units


def network_totals(net: Network, shape: Shape) -> Totals:
    """Totals of a whole network on an input of ``shape``.

    >>> t = network_totals(build_network(RESNETS["resnet18"]), Shape(1, 3, 224, 224))
    >>> t.parameters
    11689512
    """
    return layer_totals(trace_network(net, shape))
