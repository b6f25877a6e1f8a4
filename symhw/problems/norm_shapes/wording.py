"""What a norm-shapes sheet says of each normalization: what it averages, why, what it keeps."""

from __future__ import annotations

import sympy as sp

#: Why batch norm after a convolution averages over the positions too (the batch-norm paper,
#: Ioffe & Szegedy 2015, §3.2, which the homework's solution cites).
WHY_POSITIONS = (
    " The convolution applies the same filter at every position, so all the activations of a "
    "channel, at every position of every example, are normalized together with one mean and "
    "variance (Ioffe & Szegedy 2015, §3.2)."
)


def after_layer(spatial: int) -> str:
    """The layer whose output the input is, from its number of spatial axes.

    >>> after_layer(0), after_layer(2)
    ('a fully connected layer', 'a 2-D convolution layer')
    """
    return "a fully connected layer" if spatial == 0 else f"a {spatial}-D convolution layer"


def what(norm: str, positions: str) -> tuple:
    """What a normalization averages over, as prose segments with its axes as math (C, N).

    >>> what("batch", "")[-2:]
    (C, '.')
    """
    C, N, G = (sp.Symbol(a) for a in "CNG")
    return {
        "batch": (
            f"Batch norm computes one mean and variance per channel, over the batch{positions}: "
            "it averages over every axis except ",
            C,
            ".",
        ),
        "layer": (
            "Layer norm computes one mean and variance per sample, over all of that sample's "
            "entries: it averages over every axis except ",
            N,
            ".",
        ),
        "instance": (
            "Instance norm computes one mean and variance per sample and channel, over the "
            "positions: it averages over the spatial axes only.",
        ),
        "group": (
            "Group norm splits the ",
            C,
            " channels into ",
            G,
            " groups and computes one mean and variance per sample and group, over the "
            "group's channels and every position.",
        ),
    }[norm]


KEPT = {
    "batch": "PyTorch keeps running_mean and running_var of the squeezed shape (C) for "
    "inference; it normalizes with the biased variance above and updates running_var with the "
    "unbiased one, m/(m - 1) times it.",
    "layer": "The statistics are recomputed for every sample, in training and inference alike; "
    "nothing is kept.",
    "instance": "The statistics are recomputed for every sample; PyTorch keeps running "
    "statistics of shape (C) only with track_running_stats=True.",
    "group": "The statistics are recomputed for every sample; nothing is kept.",
}
