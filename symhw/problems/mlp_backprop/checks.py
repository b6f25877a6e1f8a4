"""The numeric cross-checks of a network's gradient: batched NumPy and central differences."""

from __future__ import annotations

import numpy as np

from symhw.derivation import NumericCheck, decade, numeric_check
from symhw.mlp.numeric import batch_gradient
from symhw.numeric import finite_difference_check
from symhw.problems.mlp_backprop.worked import Worked


def numeric_checks(worked: Worked) -> tuple[NumericCheck, ...]:
    """The exact gradient against NumPy: the batched backward pass and central differences."""
    net = worked.net
    X = np.array([[float(v) for v in x] for x, _ in worked.points])
    Y = np.array([[float(v) for v in y] for _, y in worked.points])
    exact = [
        np.array([[float(worked.approx(v)) for v in g.row(i)] for i in range(g.rows)])
        for g in worked.grads
    ]
    run = batch_gradient(net)
    _, batch = run(X, Y)
    err = max(float(np.max(np.abs(a - b))) for a, b in zip(batch, exact, strict=True))
    checks = [
        numeric_check(
            "the exact gradient agrees with the batched NumPy backward pass to within "
            f"{decade(err)}",
            err,
            1e-10 * max(1.0, max(float(np.max(np.abs(g))) for g in exact)),  # float64: relative
        )
    ]
    weights = [np.array(m.tolist(), dtype=float) for m in net.weights]

    def loss(flat: np.ndarray) -> float:
        parts, at = [], 0
        for m in weights:
            parts.append(flat[at : at + m.size].reshape(m.shape))
            at += m.size
        return run(X, Y, parts)[0]

    flat = np.concatenate([m.ravel() for m in weights])
    derived = np.concatenate([g.ravel() for g in exact])
    checks.append(finite_difference_check("it", "the loss", loss, flat, derived, 1e-5))
    return tuple(checks)
