"""What a norm-shapes sheet says of each normalization: what it averages, what it keeps."""

WHAT = {
    "batch": "Batch norm computes one mean and variance per channel, over the batch{positions}: "
    "it averages over every axis except C.",
    "layer": "Layer norm computes one mean and variance per sample, over all of that sample's "
    "entries: it averages over every axis except N.",
    "instance": "Instance norm computes one mean and variance per sample and channel, over the "
    "positions: it averages over the spatial axes only.",
    "group": "Group norm splits the C channels into G groups of C/G and computes one mean and "
    "variance per sample and group, over the group's channels and every position.",
}
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
