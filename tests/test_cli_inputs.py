"""Arbitrary problem files against the command line's contract: every file either gives the
answers (exit 0) or one line naming the problem, the field and the fix (exit 2); never a
traceback or an internal error. Values are drawn per field near the edges of what it takes
(zero, negative, empty, mis-shaped, wrong type, unknown name), plus junk of any TOML type.
"""

from __future__ import annotations

import json
import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from symhw.cli import main

small = st.one_of(st.integers(-1, 6), st.sampled_from([64, 4096, 2**20, 2**63 - 1]))
#: Everyday numbers, and the edges of what parse_number takes (1e-15..1e15) and beyond.
EXTREME = ["1e15", "-1e15", "1e-15", 1e15, "1e16", 1e-16, "1e100000", "1/0", "nan", 2**62]
num = st.one_of(
    st.integers(-3, 3),
    st.floats(-2, 2, width=32),
    st.sampled_from(["1/3", "0.5", "-2"]),
    st.sampled_from(EXTREME),
)


def nested(depth, leaf=num, max_size=3):
    s = leaf
    for _ in range(depth):
        s = st.lists(s, min_size=0, max_size=max_size)
    return s


#: Widths and input sizes of block-params, and norm groups, at and just past their limit.
WIDTH_EDGES = st.sampled_from([65536, 65537])
ACT = st.sampled_from(["tanh", "sigmoid", "identity", "softplus", "relu"])
FIELDS = {
    "activation-loss": {
        "activation": ACT,
        "loss": st.sampled_from(["squared", "cross-entropy"]),
        "check_samples": st.integers(0, 5),
        "check_dim": st.integers(0, 4),
        "seed": st.integers(-1, 3),
    },
    "conv-matrix": {
        "dims": st.integers(0, 3),
        "in_channels": small,
        "out_channels": small,
        "length": st.integers(-1, 9),
        "height": small,
        "width": small,
        "kernel": st.one_of(small, st.lists(small, min_size=1, max_size=3)),
        "stride": st.one_of(small, st.lists(small, min_size=1, max_size=3)),
        "padding": st.one_of(small, st.lists(small, min_size=1, max_size=3)),
        "dilation": st.one_of(small, st.lists(small, min_size=1, max_size=3)),
        "groups": small,
        "weights": st.one_of(nested(3), nested(4)),
        "x": st.one_of(nested(2, max_size=6), nested(3)),
        "grad_y": st.one_of(nested(2, max_size=6), nested(3)),
    },
    "mlp-backprop": {
        "weights": st.one_of(nested(3), nested(2)),
        "x": st.one_of(num, nested(1), nested(2)),
        "y": st.one_of(num, nested(1), nested(2)),
        "activations": st.lists(ACT, max_size=4),
        "decimals": st.integers(-1, 8),
        "rounding": st.integers(-1, 4),
        "symbolic": st.booleans(),
    },
    "block-params": {
        "blocks": st.lists(
            st.fixed_dictionaries(
                {"kind": st.sampled_from(["basic", "bottleneck"])},
                optional={
                    "channels": st.one_of(st.integers(-1, 64), WIDTH_EDGES),
                    "in_channels": st.one_of(st.integers(0, 64), WIDTH_EDGES),
                    "out_channels": st.one_of(st.integers(0, 64), WIDTH_EDGES),
                    "mid": st.one_of(st.integers(0, 32), WIDTH_EDGES),
                    "kernel": st.one_of(st.integers(0, 5), st.sampled_from([63, 64, 65])),
                    "stride": st.one_of(st.integers(0, 3), st.sampled_from([64, 65])),
                    "projection": st.booleans(),
                    "batchnorm": st.booleans(),
                    "name": st.sampled_from(["a", "b", ""]),
                },
            ),
            max_size=3,
        ),
        "network": st.one_of(
            st.sampled_from(["resnet18", "resnet34", "resnet50", "vgg"]),
            st.fixed_dictionaries(
                {},
                optional={
                    "block": st.sampled_from(["basic", "bottleneck", "x"]),
                    "depths": st.lists(
                        st.one_of(st.integers(0, 3), st.sampled_from([1024, 1025])), max_size=4
                    ),
                    "widths": st.lists(st.one_of(st.integers(0, 64), WIDTH_EDGES), max_size=4),
                    "expansion": st.one_of(st.integers(0, 4), WIDTH_EDGES),
                    "stem": st.one_of(st.integers(0, 64), WIDTH_EDGES),
                    "in_channels": st.one_of(st.integers(0, 4), WIDTH_EDGES),
                    "classes": st.one_of(st.integers(0, 10), WIDTH_EDGES),
                    "title": st.just("t"),
                },
            ),
        ),
        "bias": st.sampled_from(["auto", "with", "without", "both", "x"]),
        "input": st.lists(st.one_of(st.integers(0, 64), WIDTH_EDGES), max_size=4),
        "layout": st.sampled_from(["NHWC", "NCHW", "NC", "x"]),
        "compare": st.booleans(),
    },
    "norm-shapes": {
        "cases": st.lists(
            st.fixed_dictionaries(
                {},
                optional={
                    "norm": st.sampled_from(["batch", "layer", "instance", "group", "x"]),
                    "layout": st.sampled_from(["NC", "NCL", "NLC", "NCHW", "NHWC", "x"]),
                    "groups": st.one_of(st.integers(-1, 8), WIDTH_EDGES),
                    "name": st.just("n"),
                },
            ),
            max_size=3,
        )
    },
}


def toml(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, list):
        return "[" + ", ".join(toml(x) for x in v) + "]"
    return "{" + ", ".join(f"{k} = {toml(x)}" for k, x in v.items()) + "}"


JUNK = st.recursive(
    st.one_of(
        st.integers(-3, 7),
        st.sampled_from([10**9, -(2**63)]),
        st.floats(allow_nan=True, allow_infinity=True, width=32),
        st.sampled_from(["", "tanh", "1/3", "basic", "NC", "__import__('os')"]),
        st.booleans(),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.sampled_from(["kind", "norm", "x"]), inner)
    ),
    max_leaves=8,
)


@st.composite
def problem_files(draw) -> str:
    kind = draw(st.sampled_from(sorted(FIELDS)))
    names = draw(st.lists(st.sampled_from(sorted(FIELDS[kind])), unique=True, max_size=5))
    fields = {
        n: draw(st.one_of(FIELDS[kind][n], JUNK) if draw(st.booleans()) else FIELDS[kind][n])
        for n in names
    }
    body = "".join(f"{k} = {toml(v)}\n" for k, v in fields.items())
    return f'[[problems]]\nid = "p"\nkind = "{kind}"\n{body}'


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(problem_files())
def test_any_problem_file_gives_answers_or_one_clear_error(tmp_path_factory, capsys, text):
    spec = tmp_path_factory.mktemp("fuzz") / "spec.toml"
    spec.write_text(text, "utf-8")
    status = main(["answers", str(spec)])
    err = capsys.readouterr().err
    assert status in (0, 2), text + err
    if status == 2:
        assert err.startswith("symhw: error: problem 'p', field '"), text + err
        assert err.count("\n") == 1, text + err
