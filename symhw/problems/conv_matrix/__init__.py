"""Question 5, generalised (kind ``conv-matrix``): a 1-D or 2-D convolution as Y = A x with
symbolic weights, ∂L/∂x = Aᵀ ∂L/∂Y, and the backward pass as a convolution.

The mathematics (the layer's shape and index rule, the index map behind A, exact products)
lives in :mod:`symhw.conv`; this package builds the sheet from it, one module a piece:
:mod:`.inputs` (parameters and their checks), :mod:`.statement`, :mod:`.forward` (element
equations, Y = A x, A's blocks), :mod:`.backward` (∂L/∂x = Aᵀ ∂L/∂Y),
:mod:`.backward_convolution`, :mod:`.figures`, :mod:`.answers`, :mod:`.given_numbers` and
:mod:`.checks`, on the layer as shown (:mod:`.layer`, :mod:`.corners`) and the definitions
its steps are checked against (:mod:`.general_equation`); :mod:`.quantities` names what else
a person may write down and have checked (``symhw check``).
"""

from __future__ import annotations

from typing import Any

from symhw.derivation import Solution
from symhw.params import check_call
from symhw.problems.conv_matrix.answers import kernels_answer, matrix_answers
from symhw.problems.conv_matrix.backward import backward_pass
from symhw.problems.conv_matrix.backward_convolution import backward_convolution
from symhw.problems.conv_matrix.checks import operator_checks
from symhw.problems.conv_matrix.figures import figures
from symhw.problems.conv_matrix.forward import built, element_equations, matrix_form
from symhw.problems.conv_matrix.given_numbers import given_numbers
from symhw.problems.conv_matrix.inputs import Params, given_tensors, layer_geometry, validate
from symhw.problems.conv_matrix.key import conv_key
from symhw.problems.conv_matrix.layer import ShownLayer
from symhw.problems.conv_matrix.quantities import quantities
from symhw.problems.conv_matrix.statement import statement

KIND = "conv-matrix"
SUMMARY = (
    "a 1-D or 2-D convolution as Y = A x with symbolic weights w_k^{ij}, ∂L/∂x = Aᵀ ∂L/∂Y, "
    "and the backward pass as a convolution of the padded ∂L/∂Y with flipped kernels"
)

__all__ = ["KIND", "SUMMARY", "Params", "layer_geometry", "quantities", "solve", "validate"]


def solve(params: Params, problem_id: str = "q5", title: str | None = None) -> Solution:
    """Derive question 5 for any 1-D or 2-D layer.

    >>> sol = solve(Params())
    >>> sol.answer("A").value[1, :4]
    Matrix([[0, w_1^11, w_2^11, w_3^11]])
    >>> sol.answer("backward_kernel").value[1, :]
    Matrix([[w_3^12, w_2^12, w_1^12]])
    """
    check_call(params, Params, problem_id, title)
    g = layer_geometry(params, problem_id)
    w, x, gy = given_tensors(params, g, problem_id)
    layer = ShownLayer(g)
    elements = element_equations(layer)
    matrix = matrix_form(layer, elements)
    backward = backward_pass(layer, elements)
    parts: list[Any] = [
        elements.build(),
        *matrix,
        *figures(layer),
        built(backward),
        *backward_convolution(layer, backward),
    ]
    answers = [*matrix_answers(layer), kernels_answer(layer)]
    checks = list(operator_checks(layer.index_map))
    if w is not None:
        more_parts, more_answers, more_checks = given_numbers(layer, w, x, gy)
        parts += more_parts
        answers += more_answers
        checks += more_checks
    return Solution(
        problem_id,
        KIND,
        title or f"A {g.dims}-D convolution as a matrix, and its backward pass",
        statement(g),
        tuple(parts),
        tuple(answers),
        tuple(checks),
        conv_key(layer, tuple(parts), answers),
    )
