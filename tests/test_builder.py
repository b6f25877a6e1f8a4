"""Derivations: every step is verified as it is built; a false step never reaches a sheet."""

from __future__ import annotations

import pytest
import sympy as sp

import symhw.verify as verify
from symhw.builder import DerivationBuilder
from symhw.derivation import Paragraph, Solution
from symhw.errors import VerificationError
from symhw.render import latex as latex_render
from symhw.render.summary import verification_summary

s = sp.Symbol("s", real=True)
E = sp.exp


def tanh_derivation() -> DerivationBuilder:
    b = DerivationBuilder("d tanh")
    b.equal(
        sp.Derivative(sp.tanh(s), s),
        sp.Derivative((E(s) - E(-s)) / (E(s) + E(-s)), s),
        rule="definition of tanh",
    )
    b.then(((E(s) + E(-s)) ** 2 - (E(s) - E(-s)) ** 2) / (E(s) + E(-s)) ** 2, rule="quotient rule")
    b.then(1 - sp.tanh(s) ** 2, rule="simplify")
    return b


def test_a_correct_chain_is_verified_symbolically_step_by_step():
    d = tanh_derivation().build()
    assert [st.rule for st in d.steps] == ["definition of tanh", "quotient rule", "simplify"]
    assert all(st.check.status == "symbolic" for st in d.steps)
    assert [st.continues for st in d.steps] == [False, True, True]
    assert d.steps[1].lhs == d.steps[0].rhs  # a continuation starts where the last step ended


@pytest.mark.parametrize(
    "wrong",
    [1 + sp.tanh(s) ** 2, 1 - sp.tanh(s), 2 * (1 - sp.tanh(s) ** 2), sp.sech(s)],
)
def test_a_false_step_raises_and_is_not_added(wrong):
    b = tanh_derivation()
    with pytest.raises(VerificationError, match="is false"):
        b.then(wrong, rule="simplify")
    assert len(b.build().steps) == 3


def test_a_chain_is_as_verified_as_its_weakest_link():
    b = DerivationBuilder("chain")
    step = b.equal(sp.cosh(s) ** 2 - sp.sinh(s) ** 2, 1, sp.Integer(2) / 2, rule="identities")
    assert step.check.status == "symbolic"
    with pytest.raises(VerificationError):
        b.equal(sp.cosh(s) ** 2, 1 + sp.sinh(s) ** 2, 2, rule="identities")


def test_an_undecided_step_is_kept_and_marked_not_verified(monkeypatch):
    monkeypatch.setattr(verify, "_first_zero", lambda d, simplifiers: None)
    monkeypatch.setattr(verify, "_sample_pairs", lambda pairs, rng, points=6: (0.0, True))
    b = DerivationBuilder("undecided")
    step = b.equal(sp.Function("f")(s), sp.Function("g")(s), rule="claimed")
    assert step.check.status == "unverified"
    sol = Solution("q", "k", "t", Paragraph(("x",)), (b.build(),), ())
    assert r"\textbf{not verified}" in latex_render.solution_section(sol)
    assert "0 of 1 equalities verified; 1 NOT verified" in verification_summary(sol)


def test_definitions_are_used_by_later_checks():
    f = sp.Function("f")(s)
    b = DerivationBuilder("with a name")
    b.define(f, s**3)
    assert b.equal(sp.Derivative(f, s), 3 * s**2, rule="power rule").check.verified
    with pytest.raises(VerificationError):
        b.equal(sp.Derivative(f, s), 3 * s, rule="power rule")


def test_matrices_are_compared_entry_by_entry():
    a, b_ = sp.symbols("a b", real=True)
    b = DerivationBuilder("matrices")
    A = sp.Matrix([[a, b_], [0, a]])
    assert b.equal(A.T * sp.Matrix([1, 1]), sp.Matrix([a, a + b_]), rule="product").check.verified
    with pytest.raises(VerificationError):
        b.equal(A * sp.Matrix([1, 1]), sp.Matrix([a, a + b_]), rule="product")


def test_a_general_step_is_verified_at_each_case_and_refused_at_a_false_one():
    """Σ_k a[k] over k = 1..n, checked at n = 2 and n = 3 against sums written by hand."""
    a, k, n = sp.IndexedBase("a"), sp.Symbol("k"), sp.Symbol("n")
    general = sp.Sum(a[k], (k, 1, n))
    b = DerivationBuilder("General")
    for i in (1, 2, 3):
        b.instance = b.instance.with_definition(a[i], sp.Integer(i * i))
    cases = [(general.subs(n, 2), 5), (general.subs(n, 3), 14)]  # 1 + 4, 1 + 4 + 9
    step = b.general(sp.Symbol("S_n"), general, cases=cases, rule="sum of squares")
    assert step.check.status == "symbolic" and step.chain == (sp.Symbol("S_n"), general)
    with pytest.raises(VerificationError):
        b.general(sp.Symbol("S_n"), general, cases=[(general.subs(n, 3), 13)], rule="wrong")
    assert len(b.build().steps) == 1
    with pytest.raises(ValueError):
        b.general(sp.Symbol("S_n"), general, cases=[], rule="no case")
