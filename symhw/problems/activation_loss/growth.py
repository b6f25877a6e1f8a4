"""The table of ‖∇E_in(t w₀)‖ as t grows, on the data of the finite-difference check."""

from __future__ import annotations

import sympy as sp

from symhw.activations import Activation
from symhw.derivation import Paragraph, Table
from symhw.notation import Grad, Inner, MinOver, Norm
from symhw.problems.activation_loss.gradient import theta_prime_at
from symhw.problems.activation_loss.symbols import E_in, n, t, w, w0, x_n


def growth_table(act: Activation, rows: tuple[tuple[str, ...], ...]) -> Table:
    """``rows`` of t, ‖∇E_in(t w₀)‖ and min_n |t w₀ᵀx_n| (as the numeric check gives them)
    under their headings, with what they show."""
    return Table(
        "Gradient norm along a growing direction",
        (t, Norm(sp.Subs(Grad(E_in, w), w, t * w0)), MinOver(sp.Abs(t * Inner(w0, x_n)), n)),
        rows,
        Paragraph(
            (
                "The data are those of the finite-difference check and ",
                w0,
                " is its random weight vector. Each term of the sum is scaled by ",
                theta_prime_at(act, t * Inner(w0, x_n)),
                ", so as t grows the norm follows the samples whose ",
                sp.Abs(t * Inner(w0, x_n)),
                " is still small (last column), not the typical sample:",
            )
        ),
    )
