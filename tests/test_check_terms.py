"""Term-by-term differences between a written sum and the expected one (symhw check, issue
12), on the slips of q5 of the handwritten sheet, found by hand (seed line numbers below):
the written equations are typed here as the sheet writes them, the expected ones from
Y_jt = Σ_i Σ_k w_k^ij x_i,t+k−1 and ∂L/∂x_it = Σ_j Σ_k w_k^ij ∂L/∂Y_j,t−k+1."""

from __future__ import annotations

import sympy as sp

from symhw.checker.terms import Swap, term_diff
from symhw.notation import GradientEntry

L = sp.Symbol("L")


def w(k, ij):
    return sp.Symbol(f"w_{k}^{ij}")


def x(it):
    return sp.Symbol(f"x_{it}")


def g(jt):
    """∂L/∂Y_jt."""
    return GradientEntry(L, sp.Symbol(f"Y_{jt}"))


def swaps(diff):
    return [(s.written, s.expected) for p in diff.pairs for s in p.swaps]


def test_L268_one_wrong_tap():
    """∂L/∂x₁₃ written with w_1^11 ∂L/∂Y₁₂ where w_2^11 ∂L/∂Y₁₂ belongs."""
    written = w(3, 11) * g(11) + w(1, 11) * g(12) + w(3, 12) * g(21) + w(2, 12) * g(22)
    expected = w(3, 11) * g(11) + w(2, 11) * g(12) + w(3, 12) * g(21) + w(2, 12) * g(22)
    diff = term_diff(written, expected)
    assert swaps(diff) == [(w(1, 11), w(2, 11))] and not diff.missing and not diff.extra


def test_L270_a_gradient_entry_with_one_index():
    """∂L/∂x₁₄ = w_3^11 ∂L/∂y_2 + w_3^12 ∂L/∂Y₂₂: ∂L/∂y_2 where ∂L/∂Y₁₂ belongs."""
    y2 = GradientEntry(L, sp.Symbol("y_2"))
    diff = term_diff(w(3, 11) * y2 + w(3, 12) * g(22), w(3, 11) * g(12) + w(3, 12) * g(22))
    assert swaps(diff) == [(y2, g(12))]


def test_L245_three_incomplete_superscripts():
    """Y^1 written with w_k^1 where w_k^11 belongs (k = 1, 2, 3); the rest right."""
    right = sum(w(k, 21) * x(f"2{k}") for k in (1, 2, 3))
    written = sum(sp.Symbol(f"w_{k}^1") * x(f"1{k}") for k in (1, 2, 3)) + right
    expected = sum(w(k, 11) * x(f"1{k}") for k in (1, 2, 3)) + right
    assert sorted(swaps(term_diff(written, expected)), key=str) == [
        (sp.Symbol(f"w_{k}^1"), w(k, 11)) for k in (1, 2, 3)
    ]


def test_L249_every_term_wrong():
    """Y^21 = w_k^21 x_1k + w_k^22 x_1,k+1; Y₂₁ = w_k^12 x_1k + w_k^22 x_2k: the first group's
    superscript swapped (21 for 12), the second group reads input channel 1 for 2."""
    written = sum(w(k, 21) * x(f"1{k}") + w(k, 22) * x(f"1{k + 1}") for k in (1, 2, 3))
    expected = sum(w(k, 12) * x(f"1{k}") + w(k, 22) * x(f"2{k}") for k in (1, 2, 3))
    found = set(swaps(term_diff(written, expected)))
    assert {(w(k, 21), w(k, 12)) for k in (1, 2, 3)} <= found
    assert {(x(f"1{k + 1}"), x(f"2{k}")) for k in (1, 2, 3)} <= found
    assert len(found) == 6


def test_a_sign_and_a_dropped_factor_are_told_apart_from_swaps():
    a, b = sp.symbols("a b")
    diff = term_diff(-a + 2 * b, a + b)
    assert {(p.written, p.factor) for p in diff.pairs} == {(-a, -1), (2 * b, 2)}
    assert all(p.swaps == () for p in diff.pairs)


def test_missing_and_extra_terms():
    a, b, c = sp.symbols("a b c")
    diff = term_diff(a + b * c, a + sp.tanh(b))  # b*c cannot stand for tanh(b)
    assert diff.missing == (sp.tanh(b),) and diff.extra == (b * c,) and not diff.pairs
    assert term_diff(a, a + b).missing == (b,)
    assert term_diff(a + b, b + a).same


def test_a_swap_is_data_for_the_renderers():
    diff = term_diff(w(1, 11), w(2, 11))
    assert diff.pairs[0].swaps == (Swap(w(1, 11), w(2, 11)),)
