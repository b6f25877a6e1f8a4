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
    if len(title) > TITLE:  # on two lines, a long name cut: the boxes start after TITLE
        name = case.name if len(case.name) <= TITLE - 4 else case.name[: TITLE - 5] + "…"
        title = f"({letter}) {name}\n{case.norm} norm"
    return AveragedAxes(title, st.axes, st.shape, averaged, st.keepdims)


#: The longest title on one line left of the boxes (characters).
TITLE = 20


def axes_figures(rows: list[AveragedAxes]) -> list[Figure]:
    """The cases, up to :data:`PER_FIGURE` a figure."""
    caption = Paragraph((_caption(rows),))
    return [
        Figure(
            "The averaged axes"
            + (f", part {k // PER_FIGURE + 1}" if len(rows) > PER_FIGURE else ""),
            AxesDiagram(tuple(rows[k : k + PER_FIGURE])),
            caption,
        )
        for k in range(0, len(rows), PER_FIGURE)
    ]


#: What each axis letter of a layout stands for.
MEANING = {
    "N": "batch",
    "C": "channels",
    "L": "length",
    "H": "height",
    "W": "width",
    "G": "groups",
    "c": "channels of a group",
}


def _caption(rows: list[AveragedAxes]) -> str:
    """What the boxes show, as the drawing shows it: an axis named by its size letter, and
    its size under the name where the two differ (group norm's C/G).

    >>> from symhw.problems.norm_shapes.axes import statistics
    >>> case = Case("bn", "batch", "NC")
    >>> _caption([averaged_axes("a", case, statistics(case))])[:61]
    'Each box is an axis of the input, named by its size (N batch,'
    """
    letters = dict.fromkeys(a for r in rows for a in r.axes)
    sized = any(str(n) != a for r in rows for a, n in zip(r.axes, r.sizes, strict=True))
    return (
        "Each box is an axis of the input, named by its size ("
        + ", ".join(f"{a} {MEANING[a]}" for a in letters)
        + ")"
        + ("; where the size is not the letter, it is written under it" if sized else "")
        + ". The mean and the variance average over the filled axes and keep the others, "
        "so their shape (right) has 1 at each filled axis."
    )
