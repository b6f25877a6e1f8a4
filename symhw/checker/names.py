"""What the names in a claim mean: a parsed :class:`Name`, the :class:`Names` of a problem
that resolve it, the functions every claim may call, and the foreign symbol an unknown name
becomes."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import sympy as sp
from sympy.printing.conventions import split_super_sub

from symhw.activations import relu, sigmoid, softplus
from symhw.notation import Vec, indexed_symbol, layer_symbol


@dataclass(frozen=True)
class Name:
    """A name as written: its base (a letter or a word: ``w``, ``delta``, ``E``), its
    sub- and superscript as text (``1``, ``11``, ``(2)``, ``in``, ``ij``; None when not
    written), its primes, and whether the superscript was written first (δ^(1)_2).

    >>> Name("w", "1", "11").symbol(), Name("delta", "2", "(1)", sup_first=True).symbol()
    (w_1^11, delta^(1)_2)
    """

    base: str
    sub: str | None = None
    sup: str | None = None
    primes: int = 0
    sup_first: bool = field(default=False, compare=False)  # how it is written, not who

    def symbol(self) -> sp.Symbol:
        """The *foreign* symbol of a name no problem knows, named in SymPy's grammar by
        :mod:`symhw.notation` so that a diagnosis can name it (w_5^22, y_2, g)."""
        base = self.base + "'" * self.primes
        layer = self.sup is not None and self.sup.startswith("(") and self.sup.endswith(")")
        if layer and (self.sup_first or self.sub is None):
            return layer_symbol(base, self.sup[1:-1], self.sub)
        return indexed_symbol(base, self.sub, self.sup)

    @staticmethod
    def of(symbol_name: str) -> Name:
        """The name a symbol of symhw's goes by (its name in SymPy's grammar, as
        :mod:`symhw.notation` makes it): ``w_1^11`` → w, 1, 11.

        >>> Name.of("w_1^11") == Name("w", "1", "11"), Name.of("x^(1)").sup
        (True, '(1)')
        """
        base, sups, subs = split_super_sub(symbol_name)
        return Name(base, subs[0] if subs else None, sups[0] if sups else None)


@dataclass(frozen=True)
class Fn:
    """A function a claim may call: ``apply`` builds its value on one argument;
    ``derivative`` (optional) the value of its n-th derivative, else SymPy differentiates
    ``apply``."""

    name: str
    apply: Callable[[sp.Basic], sp.Basic]
    derivative: Callable[[sp.Basic, int], sp.Basic] | None = None

    def prime(self, primes: int) -> Fn:
        """This function differentiated ``primes`` times (Θ′ from Θ)."""
        if self.derivative is not None:
            derivative = self.derivative
            return Fn(self.name + "'" * primes, lambda a: derivative(a, primes))
        t = sp.Dummy("t")
        body = sp.diff(self.apply(t), t, primes)
        return Fn(self.name + "'" * primes, lambda a: body.xreplace({t: a}))


#: A name's meaning: a SymPy value (a scalar, a Vec, a matrix), an indexed family
#: (``sp.IndexedBase``: y[n]) or a function.
Meaning = sp.Basic | sp.MatrixBase | Fn


class Names:
    """What the names of one problem mean. This base class knows none: every name is
    foreign, a superscript on a name with a subscript an index (w_1^11), on a bare name
    a power (x^2, e^{-x}), in parentheses a layer (δ^(2))."""

    #: The variable ∇ differentiates by when written without a subscript.
    gradient_variable: sp.Basic | None = None

    def resolve(self, name: Name) -> Meaning | None:
        """The problem's object of this name, or None."""
        return None

    def indexed(self, base: str) -> bool:
        """Whether a superscript on this base is an index of the problem's (w^22, x^2 as
        x^(2)), never a power."""
        return False


@dataclass(frozen=True)
class NameTable(Names):
    """Names from a table: ``{Name: meaning}``, the bases whose superscripts are indices,
    and the variable of ∇.

    >>> from symhw.notation import Vec
    >>> names = NameTable({Name("w"): Vec(sp.Symbol("w"))}, families=frozenset({"W"}))
    >>> names.resolve(Name("w")), names.resolve(Name("x")), names.indexed("W")
    (Vec(w), None, True)
    """

    entries: Mapping[Name, Meaning] = field(default_factory=dict)
    families: frozenset[str] = frozenset()
    gradient_variable: sp.Basic | None = None

    def resolve(self, name: Name) -> Meaning | None:
        return self.entries.get(name)

    def indexed(self, base: str) -> bool:
        return base in self.families


@dataclass(frozen=True)
class Extended(Names):
    """Names with a few more: ``entries`` first (a definition's parameter, a claim's own
    function), then everything ``base`` knows."""

    base: Names
    entries: Mapping[Name, Meaning]

    @property
    def gradient_variable(self) -> sp.Basic | None:
        return self.base.gradient_variable

    def resolve(self, name: Name) -> Meaning | None:
        return self.entries[name] if name in self.entries else self.base.resolve(name)

    def indexed(self, base: str) -> bool:
        return self.base.indexed(base)


def _identity(s: sp.Basic) -> sp.Basic:
    return s


#: The functions any claim may call, by the names people write (allow-list: nothing else
#: is ever called).
FUNCTIONS: dict[str, Fn] = {
    "tanh": Fn("tanh", sp.tanh),
    "exp": Fn("exp", sp.exp),
    "log": Fn("log", sp.log),
    "ln": Fn("log", sp.log),
    "sin": Fn("sin", sp.sin),
    "cos": Fn("cos", sp.cos),
    "sqrt": Fn("sqrt", sp.sqrt),
    "sigma": Fn("sigmoid", sigmoid),
    "sigmoid": Fn("sigmoid", sigmoid),
    "softplus": Fn("softplus", softplus),
    "relu": Fn("relu", relu),
    "ReLU": Fn("relu", relu),
    "Identity": Fn("identity", _identity, lambda a, n: sp.Integer(1 if n == 1 else 0)),
    "identity": Fn("identity", _identity, lambda a, n: sp.Integer(1 if n == 1 else 0)),
}

#: Constants by name, when the problem gives the name no meaning of its own.
CONSTANTS: dict[str, sp.Basic] = {"e": sp.E, "E": sp.E, "pi": sp.pi, "oo": sp.oo, "infty": sp.oo}

#: Greek letters, by the names SymPy and LaTeX give them (plain ``delta``, ``\delta``).
GREEK = frozenset(
    [
        "alpha",
        "beta",
        "gamma",
        "delta",
        "epsilon",
        "varepsilon",
        "zeta",
        "eta",
        "theta",
        "vartheta",
        "iota",
        "kappa",
        "lambda",
        "mu",
        "nu",
        "xi",
        "pi",
        "rho",
        "sigma",
        "tau",
        "upsilon",
        "phi",
        "varphi",
        "chi",
        "psi",
        "omega",
        "Gamma",
        "Delta",
        "Theta",
        "Lambda",
        "Xi",
        "Pi",
        "Sigma",
        "Upsilon",
        "Phi",
        "Psi",
        "Omega",
    ]
)


def is_vector_like(value: object) -> bool:
    """A matrix or vector value (explicit, a matrix expression, or a :class:`Vec`)."""
    return isinstance(value, sp.MatrixBase | sp.MatrixExpr | Vec)
