"""The NumPy cross-check: mean and var over the derived axes have the derived shape."""

from __future__ import annotations

import numpy as np

from symhw.counts.layers import dim
from symhw.problems.norm_shapes.axes import Statistics
from symhw.problems.norm_shapes.cases import Case

#: Sizes of the NumPy cross-check (G divides C).
CHECK_SIZES = {"N": 2, "C": 6, "H": 3, "W": 4, "L": 5, "G": 3}


def numpy_shape_check(case: Case, st: Statistics) -> tuple[bool, str]:
    """Whether NumPy's ``mean(axis=reduced, keepdims=True)`` has the derived keepdims shape.

    >>> from symhw.problems.norm_shapes.axes import statistics
    >>> case = Case("in", "instance", "NHWC")
    >>> numpy_shape_check(case, statistics(case))
    (True, '(2, 3, 4, 6) → (2, 1, 1, 6)')
    """
    sizes = {dim(k): v for k, v in CHECK_SIZES.items()}
    if case.groups is not None:  # C/G must be whole
        sizes[dim("C")] = 2 * case.groups
    shape = tuple(int(d.subs(sizes)) for d in st.shape)
    x = np.zeros(shape)  # only the shapes of the statistics are compared, not their values
    got = x.mean(axis=st.reduced, keepdims=True).shape
    expected = tuple(int(d.subs(sizes)) for d in st.keepdims)
    var = x.var(axis=st.reduced, keepdims=True).shape
    return got == expected == var, f"{shape} → {expected}"
