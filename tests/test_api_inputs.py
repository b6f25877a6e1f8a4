"""The Python API is an input surface too: every field of every kind's ``Params`` is parsed
when the parameters are made, by the parsers problem files go through, so hostile values
are refused with an InputError naming the field and nothing is ever run."""

from __future__ import annotations

import dataclasses
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp

from symhw.counts.blocks import Block
from symhw.counts.resnets import RESNETS
from symhw.errors import InputError
from symhw.params import build_params
from symhw.problems import KINDS
from symhw.problems.norm_shapes import Case

#: Valid values for the fields a kind requires (the rest have defaults).
REQUIRED = {"mlp-backprop": {"weights": [[[0], [2]]], "x": 3, "y": 1, "activations": ["identity"]}}


def payloads(marker) -> list[object]:
    code = f"__import__('os').system('touch {marker}')"
    return [
        code,
        f"exec(\"open('{marker}', 'w')\")",
        "lambda: 0",
        "x" * 1_000_000,
        [code],
        [[code]],
        [[[code]]],
        (code,),
        ((code,),),
        {"kind": code},
        [{"kind": code}],
        [{"norm": "batch", "layout": code}],
        {"block": "basic", "depths": [code]},
        sp.Symbol("x"),
        sp.Matrix([[sp.Symbol("x")]]),
        object(),
        float("nan"),
        -1,
        10**400,
    ]


FIELDS = [(kind, f.name) for kind in KINDS.values() for f in dataclasses.fields(kind.params)]


@pytest.mark.parametrize(("kind", "field"), FIELDS, ids=lambda v: getattr(v, "name", v))
def test_hostile_values_in_any_field_are_refused_and_never_run(kind, field, tmp_path):
    marker = tmp_path / "PWNED"
    for value in payloads(marker):
        values = {**REQUIRED.get(kind.name, {}), field: value}
        try:
            params = kind.params(**values)
        except InputError as e:
            assert e.field == field and len(str(e)) < 600, str(e)[:300]
        else:  # free text (a network's title) may be text: it is shown, never run
            kind.solve(params)
        assert not marker.exists(), (field, value)


def test_the_reported_payload_no_longer_reaches_sympy(tmp_path):
    """Issue 9: raw x used to reach sp.ImmutableMatrix, which sympifies (evaluates) text."""
    marker = tmp_path / "PWNED"
    mlp = KINDS["mlp-backprop"].params
    with pytest.raises(InputError) as err:
        mlp(
            weights=(sp.ImmutableMatrix([[0], [2]]),),
            x=((f"__import__('os').system('touch {marker}')",),),
            y=((1,),),
            activations=("identity",),
        )
    assert err.value.field == "x"
    assert not marker.exists()


@pytest.mark.parametrize(
    ("kind", "values", "field"),
    [
        ("conv-matrix", {"dims": 3}, "dims"),
        ("block-params", {"input": (0, -1, 2)}, "input"),
        ("mlp-backprop", {**REQUIRED["mlp-backprop"], "decimals": -3}, "decimals"),
        ("mlp-backprop", {**REQUIRED["mlp-backprop"], "activations": [1]}, "activations"),
        ("mlp-backprop", {**REQUIRED["mlp-backprop"], "weights": {"a": 1}}, "weights"),
        ("activation-loss", {"activation": "tanh", "loss": "cross-entropy"}, "loss"),
        ("norm-shapes", {"cases": [Case("c", "instance", "NC")]}, "cases"),
        ("block-params", {"blocks": [Block("triangle", 8, 8)]}, "blocks"),
    ],
)
def test_values_once_accepted_silently_are_refused(kind, values, field):
    with pytest.raises(InputError) as err:
        KINDS[kind].params(**values)
    assert err.value.field == field


def test_messages_say_what_was_wrong_not_something_else():
    mlp = KINDS["mlp-backprop"].params
    with pytest.raises(InputError, match="expected a list of weight matrices"):
        mlp(**{**REQUIRED["mlp-backprop"], "weights": {"a": 1}})
    with pytest.raises(InputError, match="layer 1: unknown activation 1; choose one of tanh"):
        mlp(**{**REQUIRED["mlp-backprop"], "activations": [1]})


# Python values and the file values they mean: both paths give the same parameters.
SAME = [
    (
        "mlp-backprop",
        {
            "weights": (sp.ImmutableMatrix([[Fraction(1, 10)], [sp.Rational(1, 5)]]),),
            "x": (np.int64(2),),
            "y": 1,
            "activations": ("tanh",),
            "decimals": np.int32(3),
        },
        {"weights": [[[0.1], ["1/5"]]], "x": [2], "y": 1, "activations": ["tanh"], "decimals": 3},
    ),
    (
        "conv-matrix",
        {"kernel": (3,), "weights": np.full((2, 2, 3), 0.5), "x": np.arange(8).reshape(2, 4)},
        {"kernel": [3], "weights": [[[0.5] * 3] * 2] * 2, "x": [[0, 1, 2, 3], [4, 5, 6, 7]]},
    ),
    (
        "block-params",
        {"blocks": (Block("basic", 8, 16, stride=2, projection=True),)},
        {"blocks": [{"kind": "basic", "in_channels": 8, "out_channels": 16, "stride": 2}]},
    ),
    ("block-params", {"network": RESNETS["resnet18"]}, {"network": "resnet18"}),
    (
        "norm-shapes",
        {"cases": (Case("g", "group", "NCHW", 4),)},
        {"cases": [{"name": "g", "norm": "group", "layout": "NCHW", "groups": 4}]},
    ),
]


@pytest.mark.parametrize(("kind", "python", "toml"), SAME, ids=[s[0] for s in SAME])
def test_python_values_mean_what_the_file_values_mean(kind, python, toml):
    cls = KINDS[kind].params
    assert cls(**python) == build_params(cls, toml, "p")


@pytest.mark.parametrize("kind", KINDS.values(), ids=lambda k: k.name)
def test_parsing_twice_changes_nothing(kind):
    params = kind.params(**REQUIRED.get(kind.name, {}))
    assert dataclasses.replace(params) == params


@pytest.mark.parametrize("kind", KINDS.values(), ids=lambda k: k.name)
def test_solve_checks_its_other_arguments_too(kind):
    params = kind.params(**REQUIRED.get(kind.name, {}))
    with pytest.raises(TypeError, match=r"expected symhw\.problems"):
        kind.solve(dataclasses.asdict(params))
    with pytest.raises(InputError, match="field 'problem_id'"):
        kind.solve(params, "../../etc/passwd")
    with pytest.raises(InputError, match="field 'title'"):
        kind.solve(params, "q", "日本")


def _self_holding() -> list:
    a: list = []
    a.append(a)
    return a


def _shared(levels: int) -> list:
    e: list = []
    for _ in range(levels):
        e = [e, e]  # 2**levels lists, built from one
    return e


@pytest.mark.parametrize(
    ("kind", "values", "field"),
    [
        ("conv-matrix", {"x": _self_holding()}, "x"),
        ("conv-matrix", {"weights": _shared(40)}, "weights"),
        (
            "mlp-backprop",
            {**REQUIRED["mlp-backprop"], "weights": ([[0] * 10**4] * 10**4,)},
            "weights",
        ),
        ("mlp-backprop", {**REQUIRED["mlp-backprop"], "x": [[1]] * 10**6}, "x"),
        ("block-params", {"blocks": [{1: 2, "kind": "basic"}]}, "blocks"),
        ("norm-shapes", {"cases": [{("a",): 1}]}, "cases"),
        ("block-params", {"network": {"block": "basic", 3: 1}}, "network"),
    ],
    ids=[
        "self-holding",
        "shared-lists",
        "huge-matrix",
        "million-points",
        "int-key",
        "tuple-key",
        "network-key",
    ],
)
def test_python_structures_are_refused_by_their_size_before_any_number_is_read(kind, values, field):
    with pytest.raises(InputError) as err:
        KINDS[kind].params(**values)
    assert err.value.field == field


def test_numpy_and_sympy_integers_are_whole_numbers_everywhere():
    block = KINDS["block-params"].params
    a = block(
        blocks=[{"kind": "basic", "channels": np.int64(8), "kernel": sp.Integer(3)}],
        input=(sp.Integer(1), np.int32(16), 16),
    )
    b = block(blocks=[{"kind": "basic", "channels": 8, "kernel": 3}], input=(1, 16, 16))
    assert a == b
    net = block(network={"block": "basic", "depths": np.array([1, 1]), "widths": [np.int16(8)] * 2})
    assert net.network.depths == (1, 1) and net.network.widths == (8, 8)
    norm = KINDS["norm-shapes"].params
    assert (
        norm(cases=[{"norm": "group", "layout": "NCHW", "groups": np.int8(4)}]).cases[0].groups == 4
    )
