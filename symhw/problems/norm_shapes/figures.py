"""The picture of a norm-shapes sheet: each input's axes, the averaged ones highlighted."""

from __future__ import annotations

from symhw.derivation import Figure, Paragraph
from symhw.figures import AveragedAxes, AxesDiagram
from symhw.problems.norm_shapes.axes import Statistics
from symhw.problems.norm_shapes.cases import Case

#: Cases drawn in one figure; more make further figures.
PER_FIGURE = 8


def averaged_axes(letter: str, case: Case, st: Statistics) -> AveragedAxes:
    """One case's axes and which of them its mean and variance average over.

    >>> from symhw.problems.norm_shapes.axes import statistics
    >>> case = Case("conv", "batch", "NHWC")
    >>> averaged_axes("b", case, statistics(case)).averaged
    (True, True, True, False)
    """
    averaged = tuple(i in st.reduced for i in range(len(st.axes)))
    title = f"({letter}) {case.name}: {case.norm} norm"
    return AveragedAxes(title, st.axes, st.shape, averaged, st.keepdims)


def axes_figures(rows: list[AveragedAxes]) -> list[Figure]:
    """The cases, up to :data:`PER_FIGURE` a figure."""
    caption = Paragraph(
        (
            "Each box is an axis of the input with its size; the mean and the variance average "
            "over the filled ones, so their shape (right, keeping the dimensions) has 1 there.",
        )
    )
    return [
        Figure(
            "The averaged axes"
            + (f", part {k // PER_FIGURE + 1}" if len(rows) > PER_FIGURE else ""),
            AxesDiagram(tuple(rows[k : k + PER_FIGURE])),
            caption,
        )
        for k in range(0, len(rows), PER_FIGURE)
    ]
