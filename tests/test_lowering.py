"""Vector notation lowered to scalars: sums written out at their sizes, vectors by component,
each checked against the same expression written out by hand or by SymPy's own ``subs``."""

from __future__ import annotations

import pytest
import sympy as sp

from symhw.errors import VerificationError
from symhw.lowering import Instance, _terms, component, lower, scalar_pairs, uses_instance
from symhw.notation import Grad, Inner, Vec

n, N, s = sp.symbols("n N s")
y = sp.IndexedBase("y")
w, x_n = Vec(sp.Symbol("w")), Vec(sp.Symbol("x"), n)


def _real(name: str) -> sp.Symbol:
    return sp.Symbol(name, real=True)


def test_a_sum_is_written_out_at_its_size_and_an_indexed_term_becomes_a_symbol():
    lowered = lower(sp.Sum(y[n] ** 2, (n, 1, N)), Instance({N: 3}))
    assert lowered == _real("y[1]") ** 2 + _real("y[2]") ** 2 + _real("y[3]") ** 2


def test_an_inner_product_and_a_gradient_by_component():
    inst = Instance(dim=2)
    w0, w1 = component(w, 0), component(w, 1)
    assert (w0.name, w1.name) == ("w[0]", "w[1]")
    assert lower(Inner(w, w), inst) == w0**2 + w1**2
    assert lower(Grad(Inner(w, w), w), inst, k=1) == 2 * w1  # d/dw1 (w0² + w1²)


def test_the_gradient_of_a_sum_over_data_points_by_hand():
    """∇_w Σ_n tanh(wᵀx_n) at N = 2, component 0: Σ_n (1 - tanh²(wᵀx_n)) x_n[0]."""
    inst = Instance({N: 2}, dim=2)
    lowered = lower(Grad(sp.Sum(sp.tanh(Inner(w, x_n)), (n, 1, N)), w), inst, k=0)
    w0, w1 = component(w, 0), component(w, 1)
    by_hand = sum(
        (1 - sp.tanh(w0 * _real(f"x[{i}][0]") + w1 * _real(f"x[{i}][1]")) ** 2)
        * _real(f"x[{i}][0]")
        for i in (1, 2)
    )
    assert sp.expand(lowered - by_hand) == 0


@pytest.mark.parametrize(
    "term",
    [
        y[n] * n**2 + sp.tanh(n * s),
        sp.Subs(sp.Derivative(sp.tanh(s), s), s, n * s),  # s is bound, n is not
        sp.Derivative(n**2 * s, n) + n,  # n is bound in the derivative: subs's way
        sp.Derivative(sp.exp(n * s), (s, n)),  # n as a derivative's order: free
        sp.Derivative(sp.exp(2 * s), (s, N)) * n,  # a symbolic order elsewhere in the term
        sp.Sum(n * s, (n, 1, 3)) + n,  # a sum over n inside a term in n
        sp.Limit(1 / (n * s), n, sp.oo) + n,
    ],
    ids=[
        "free",
        "subs-in-s",
        "derivative-in-n",
        "order-n",
        "order-N",
        "inner-sum-over-n",
        "limit",
    ],
)
def test_a_term_at_n_equals_sympys_substitution(term):
    """xreplace where n is free throughout, subs where n is also bound: SymPy's subs is the
    oracle (it leaves bound variables alone)."""
    assert _terms(term, n, range(1, 4)) == [term.subs(n, i) for i in (1, 2, 3)]


def test_the_pairs_of_matrices_are_their_entries_and_shapes_must_agree():
    a = sp.ImmutableMatrix([[1, s], [s**2, 2]])
    b = sp.Matrix([[1, s], [s * s, 2]])
    assert list(scalar_pairs(a, b, Instance())) == list(zip(a, b, strict=True))
    with pytest.raises(VerificationError, match="shapes differ"):
        list(scalar_pairs(a, sp.ImmutableMatrix([1, 2]), Instance()))
    with pytest.raises(VerificationError, match="a matrix and a scalar"):
        list(scalar_pairs(a, s, Instance()))


def test_an_equality_uses_the_instance_where_a_side_has_vector_notation_or_a_sum():
    assert uses_instance(Inner(w, x_n), 1) and uses_instance(s, sp.Sum(y[n], (n, 1, N)))
    assert not uses_instance(s**2, sp.ImmutableMatrix([1, 2]), (1, 2))
