"""θ'(s) derived from θ's definition: the quotient rule where θ is a fraction."""

from __future__ import annotations

import sympy as sp

from symhw.activations import Activation
from symhw.builder import DerivationBuilder
from symhw.derivation import Derivation
from symhw.problems.activation_loss.symbols import s


def derivative_derivation(act: Activation) -> Derivation:
    """θ'(s) from θ's definition: quotient rule where θ is a fraction, chain rule otherwise."""
    b = DerivationBuilder(f"Derivative of the activation {act.name}")
    theta = act(s)
    definition = act.definition(s)
    dtheta = sp.Derivative(theta, s)
    if definition != theta:
        b.equal(dtheta, sp.Derivative(definition, s), rule=f"definition of {act.name}")
    else:
        b.equal(dtheta, sp.Derivative(definition, s), rule="definition")
    num, den = sp.fraction(definition, exact=True)
    if den != 1 and definition.is_Mul | definition.is_Pow:
        dn, dd = sp.diff(num, s), sp.diff(den, s)
        # (f'g - f g') / g², every product written out as the rule states it
        numerator = sp.Add(
            sp.Mul(dn, den, evaluate=False), sp.Mul(-1, num, dd, evaluate=False), evaluate=False
        )
        quotient = numerator / den**2
        b.then(quotient, rule="quotient rule")
    elif isinstance(definition, sp.Max):
        b.then(sp.Piecewise((0, s < 0), (1, s > 0)), rule="derivative of each piece (s ≠ 0)")
    else:
        b.then(sp.diff(definition, s), rule="chain rule")
    closed = act.derivative(s)
    in_definition = (
        closed.replace(act.function, lambda u: sp.UnevaluatedExpr(act.definition(u)))
        if definition != theta
        else closed
    )
    if in_definition not in (closed, b.last):
        b.then(in_definition, rule="simplify")
    if closed != b.last:
        b.then(closed, rule=f"definition of {act.name}" if definition != theta else "simplify")
    return b.build()
