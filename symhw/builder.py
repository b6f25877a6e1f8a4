"""Build derivations step by step; every step is verified as it is added."""

from __future__ import annotations

from itertools import pairwise
from typing import Any

import sympy as sp

from symhw.derivation import Check, Derivation, Paragraph, Segment, Step
from symhw.lowering import Instance
from symhw.verify import check_equal


class DerivationBuilder:
    """Accumulates verified steps into a :class:`~symhw.derivation.Derivation`.

    >>> import sympy as sp
    >>> s = sp.Symbol("s", real=True)
    >>> b = DerivationBuilder("Derivative of tanh")
    >>> _ = b.equal(sp.Derivative(sp.tanh(s), s), 1 - sp.tanh(s) ** 2, rule="derivative of tanh")
    >>> b.build().steps[0].check.status
    'symbolic'
    """

    def __init__(
        self,
        title: str,
        *,
        instance: Instance | None = None,
        intro: tuple[Segment, ...] | None = None,
    ):
        self.title = title
        self.instance = instance or Instance()
        self.intro = Paragraph(intro) if intro else None
        self._steps: list[Step] = []

    def define(self, name: sp.Basic, value: Any, *, rule: str = "definition", note: str = ""):
        """Introduce ``name := value``; later steps may use ``name`` and are checked with it."""
        self.instance = self.instance.with_definition(name, value)
        step = Step((name, value), rule, Check("definition", "introduces a name"), note)
        self._steps.append(step)
        return step

    def equal(
        self,
        *chain: Any,
        rule: str,
        note: str = "",
        continues: bool = False,
        approximate: tuple[bool, ...] = (),
    ) -> Step:
        """Add ``chain[0] = chain[1] = ...``, verifying each link; raises if one is false.

        ``approximate`` marks the links whose right member is written with rounded numbers
        (shown ``≈``; what is verified is the exact value that member stands for).
        """
        if len(chain) < 2:
            raise ValueError("an equality needs at least two members")
        if approximate and len(approximate) != len(chain) - 1:
            raise ValueError("approximate needs one flag per link of the chain")
        checks = [check_equal(a, b, self.instance) for a, b in pairwise(chain)]
        step = Step(tuple(chain), rule, _weakest(checks), note, continues, tuple(approximate))
        self._steps.append(step)
        return step

    def general(self, *chain: Any, cases: list[tuple[Any, Any]], rule: str, note: str = "") -> Step:
        """Add ``chain[0] = chain[1] = ...`` in free indices, verified case by case: each case
        is (the general side evaluated at some indices, the value it must equal there), and
        the step is as verified as its weakest case."""
        if len(chain) < 2 or not cases:
            raise ValueError("a general equality needs two members and at least one case")
        checks = [check_equal(a, b, self.instance) for a, b in cases]
        step = Step(tuple(chain), rule, _weakest(checks), note)
        self._steps.append(step)
        return step

    def over_budget(self, *chain: Any, rule: str, budget: str, continues: bool = False) -> Step:
        """Add ``chain[0] = chain[1] = ...`` unchecked because checking it would pass a size
        budget; ``budget`` says which. The sheet marks it "not verified (budget)".

        >>> b = DerivationBuilder("Big")
        >>> b.over_budget(1, 1, rule="r", budget="4,096 terms, over 2,048").check.status
        'budget'
        """
        if continues:
            chain = (self._steps[-1].rhs, *chain)
        if len(chain) < 2:
            raise ValueError("an equality needs at least two members")
        step = Step(tuple(chain), rule, Check("budget", budget), continues=continues)
        self._steps.append(step)
        return step

    def then(self, *chain: Any, rule: str, note: str = "") -> Step:
        """Continue from the last member of the previous step: ``= chain[0] = ...``."""
        if not self._steps:
            raise ValueError("nothing to continue from")
        return self.equal(self._steps[-1].rhs, *chain, rule=rule, note=note, continues=True)

    @property
    def last(self) -> Any:
        return self._steps[-1].rhs

    def build(self) -> Derivation:
        return Derivation(self.title, tuple(self._steps), self.intro)


_ORDER = {"budget": 0, "unverified": 0, "numeric": 1, "symbolic": 2, "definition": 3}


def _weakest(checks: list[Check]) -> Check:
    """The least certain of several checks (a chain is as verified as its weakest link)."""
    return min(checks, key=lambda c: _ORDER[c.status])
