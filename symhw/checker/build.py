"""From a parse tree to SymPy objects, without ever handing SymPy a piece of text: numbers
through :class:`fractions.Fraction`, symbols through :mod:`symhw.notation` (as
:meth:`Name.symbol`) or the problem's :class:`~symhw.checker.names.Names`, functions from an
allow-list. lark's tokens are ``str``: they are read here, never passed on.

Names stay *pending* (a :class:`Pending`) until their use decides what they are: the
callee of ``g(x)`` is a function if the problem says so (else the group multiplies), a
superscript an index, a power or a transpose (see :meth:`Builder.upper`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal
from fractions import Fraction

import sympy as sp
from lark import Transformer_NonRecursive

from symhw.checker import arith
from symhw.checker.names import CONSTANTS, FUNCTIONS, GREEK, Fn, Name, Names
from symhw.notation import GradientEntry

#: Integers at most this many digits; decimals at most this many significant digits.
MAX_INTEGER_DIGITS = 40
MAX_DECIMAL_DIGITS = 30
#: Scientific notation (plain mode, 1e-5): exponents at most this large.
MAX_E_EXPONENT = 40

_INDEX_TEXT = re.compile(r"[A-Za-z0-9,()+\-']{1,40}")
_WRAPPED = re.compile(r"\\(?:mathrm|text|operatorname)\{([A-Za-z0-9 ,]*)\}")
_PLAIN_NAME = re.compile(r"([A-Za-z]+[0-9]*)((?:[_^](?:\([^()]*\)|[A-Za-z0-9,]+))*)")
_PLAIN_SCRIPT = re.compile(r"([_^])(\([^()]*\)|[A-Za-z0-9,]+)")
_LETTERS_DIGITS = re.compile(r"([A-Za-z])([0-9]+)")


class BuildError(ValueError):
    """A construction the builder refuses; its message is for the user."""


@dataclass(frozen=True)
class Pending:
    """A name whose meaning its use decides; ``plain`` names are plain-mode identifiers
    (several letters must then be a known word: ``xy`` is never split). With ``power``
    its superscript is a power (x^2) unless it names a derivative's variable (∂w^1)."""

    name: Name
    plain: bool = False
    power: bool = False


@dataclass(frozen=True)
class _Transposed:
    """A vector or matrix name with ``^T``, waiting for what it multiplies (w^T x_n)."""

    value: object


@dataclass(frozen=True)
class _Partial:
    """∂v: only meaningful in ``\\frac{\\partial f}{\\partial v}``."""

    of: object


@dataclass(frozen=True)
class _Product:
    """``a (b)`` read as a product: scripts written after it belong to ``(b)``."""

    left: object
    right: object


@dataclass(frozen=True)
class _List:
    """Bracketed entries, ``rows`` as written; ``flat`` for a comma list ([a, b])."""

    rows: tuple[tuple[object, ...], ...]
    flat: bool


@dataclass(frozen=True)
class Chain:
    """``a = b = c``: its members; ``continues`` when the text starts with ``=``."""

    members: tuple[object, ...]
    continues: bool


def number(text: str) -> sp.Rational:
    """A number token as an exact rational, within the digit limits.

    >>> number("0.60"), number("12"), number("1.5e-3"), number(r"18\\,496")
    (3/5, 12, 3/2000, 18496)
    """
    text = text.replace("\\,", "")  # 18\,496: digits grouped by thin spaces
    mantissa, _, exponent = text.lower().partition("e")
    if exponent and abs(int(exponent)) > MAX_E_EXPONENT:
        raise BuildError(f"exponent of {text}: at most {MAX_E_EXPONENT} in size")
    digits = mantissa.replace(".", "").lstrip("0")
    limit = MAX_DECIMAL_DIGITS if "." in mantissa else MAX_INTEGER_DIGITS
    kind = "significant digits" if "." in mantissa else "digits"
    if len(digits) > limit:
        raise BuildError(f"a number of {len(digits)} {kind}: at most {limit}")
    f = Fraction(str(text))
    return sp.Rational(f.numerator, f.denominator)


def decimals(text: str) -> int | None:
    """The decimals a number was written with; None for an exact integer.

    >>> decimals("0.60"), decimals("-1.368"), decimals("12"), decimals("1.5e-3")
    (2, 3, None, 4)
    """
    exponent = Decimal(str(text).replace("\\,", "")).as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else None


def index_text(script: str) -> str:
    """A script's text as an index: braces, spaces and \\mathrm{} removed.

    >>> index_text("{11}"), index_text(r"{\\mathrm{in}}"), index_text("{(2)}")
    ('11', 'in', '(2)')
    """
    text = script[1:-1] if script.startswith("{") else script
    text = _WRAPPED.sub(lambda m: m.group(1), text).replace(" ", "")
    if text.startswith("\\") and text[1:] in GREEK:
        text = text[1:]
    if not _INDEX_TEXT.fullmatch(text):
        raise BuildError(f"{script} cannot be an index (letters, digits, commas)")
    return text


def plain_name(text: str) -> Name:
    """A plain identifier's name: base, then at most one sub- and one superscript.

    >>> plain_name("w_1^11"), plain_name("delta^(1)_2").sup_first
    (Name(base='w', sub='1', sup='11', primes=0, sup_first=False), True)
    """
    match = _PLAIN_NAME.fullmatch(text)
    if match is None:
        raise BuildError(f"{text} is not a name")
    scripts = _PLAIN_SCRIPT.findall(match.group(2))
    marks = [mark for mark, _ in scripts]
    if len(set(marks)) != len(marks):
        raise BuildError(f"{text}: one subscript and one superscript at most")
    parts = dict(scripts)
    return Name(match.group(1), parts.get("_"), parts.get("^"), 0, marks[:1] == ["^"])


class Builder(Transformer_NonRecursive):
    """Values and leaves of a claim's tree (the structural rules are
    :class:`symhw.checker.rules.ClaimBuilder`). ``script`` reads a superscript's text as an
    expression (``e^{-x}``) with the same names and limits."""

    def __init__(self, names: Names, script: Callable[[str], object]):
        super().__init__()
        self.names = names
        self.script = script

    def __default__(self, data, children, meta):
        raise BuildError(f"cannot read {data}")

    # -- values -----------------------------------------------------------------------

    def value(self, x: object) -> object:
        """What a parsed piece stands for, once nothing else can change it."""
        if isinstance(x, Pending):
            return self.resolve(x)
        if isinstance(x, _List):
            return self.list_value(x)
        if isinstance(x, _Product):
            return arith.mul(self.value(x.left), self.value(x.right))
        if isinstance(x, _Transposed):
            return arith.transpose(x.value)
        if isinstance(x, Fn):
            raise BuildError(f"{x.name} needs an argument in parentheses")
        if isinstance(x, _Partial):
            raise BuildError(r"∂ is read only as \frac{\partial f}{\partial v}")
        if isinstance(x, Chain):
            raise BuildError("'=' only between the members of a chain, a = b = c")
        return x

    def resolve(self, pending: Pending) -> object:
        """A name in value position: the problem's meaning, a constant, a foreign symbol."""
        name = pending.name
        if pending.power:
            base = self.resolve(Pending(replace(name, sup=None), pending.plain))
            return arith.power(base, self.script(name.sup))
        meaning = self.names.resolve(name)
        if isinstance(meaning, Fn):
            raise BuildError(f"{name.base} is a function: it needs an argument")
        if meaning is not None:
            return meaning
        family = self._family_entry(pending)
        if family is not None:
            return family
        bare = name.sub is None and name.sup is None and not name.primes
        if bare and name.base in CONSTANTS and (pending.plain or name.base != "E"):
            return CONSTANTS[name.base]  # E is Euler's number as SymPy prints it, not LaTeX's E
        if pending.plain and len(name.base) > 1 and name.base not in GREEK:
            return self._plain_word(pending)
        return name.symbol()

    def _family_entry(self, pending: Pending) -> object | None:
        """y_n, y_{11} as entries of the problem's indexed family y (y[n]), when the
        problem has no name of its own for them."""
        name = pending.name
        if name.sub is None or name.sup is not None or name.primes:
            return None
        family = self.names.resolve(Name(name.base))
        if not isinstance(family, sp.IndexedBase):
            return None
        index = Pending(Name(name.sub), pending.plain)
        digits = name.sub.isdigit()
        return family[sp.Integer(int(name.sub)) if digits else self.resolve(index)]

    def _plain_word(self, pending: Pending) -> object:
        """A plain identifier of several letters: x12 is x_12 (SymPy's own reading);
        anything else must be known, never split (xy is not x·y)."""
        name = pending.name
        split = _LETTERS_DIGITS.fullmatch(name.base)
        if split and name.sub is None:
            letter, digits = split.groups()
            return self.resolve(Pending(replace(name, base=letter, sub=digits)))
        if name.base in FUNCTIONS:
            raise BuildError(f"{name.base} needs an argument in parentheses")
        spaced = "*".join(name.base)
        raise BuildError(f"unknown name {name.base!r} (for a product write {spaced})")

    def function(self, x: object) -> Fn | None:
        """The function a callee names, or None when it is not a function."""
        if isinstance(x, Fn):
            return x
        if not isinstance(x, Pending):
            return None
        name = x.name
        meaning = self.names.resolve(name)
        if meaning is not None:
            return meaning if isinstance(meaning, Fn) else None
        plain = replace(name, primes=0)
        base = self.names.resolve(plain)
        if base is None and name.sub is None and name.sup is None:
            base = FUNCTIONS.get(name.base)
        if isinstance(base, Fn):
            return base.prime(name.primes) if name.primes else base
        if name.primes:
            raise BuildError(f"{name.base}{chr(39) * name.primes} is not a known function")
        return None

    def list_value(self, x: _List) -> object:
        rows = x.rows
        if len(rows) == 1 and all(isinstance(e, _List) and e.flat for e in rows[0]):
            rows = tuple(tuple(e for row in inner.rows for e in row) for inner in rows[0])
        elif x.flat and len(rows) == 1:
            if len(rows[0]) == 1:  # [x]: brackets around one value
                return self.value(rows[0][0])
            rows = tuple((e,) for e in rows[0])
        return self.explicit_matrix(rows)

    def explicit_matrix(self, rows: tuple[tuple[object, ...], ...]) -> object:
        values = [[self.value(e) for e in row] for row in rows]
        if any(arith.is_matrix(v) for row in values for v in row):
            blocks = [[arith.explicit(v) if arith.is_matrix(v) else v for v in r] for r in values]
            stacked = [sp.Matrix.hstack(*[_block(v) for v in row]) for row in blocks]
            return sp.ImmutableMatrix(sp.Matrix.vstack(*stacked))
        if len({len(row) for row in values}) != 1:
            raise BuildError("the rows of a matrix have different lengths")
        return sp.ImmutableMatrix(values)

    # -- leaves -----------------------------------------------------------------------

    def number(self, children):
        return number(str(children[0]))

    def name(self, children):
        return Pending(Name(str(children[0])))

    def ident(self, children):
        name = plain_name(str(children[0]))
        if name.sup is None:
            return Pending(name, plain=True)
        bare = Pending(replace(name, sup=None), plain=True)
        return self.superscript(bare, name.sup, sup_first=name.sup_first)

    def command(self, children):
        word = str(children[0])[1:]
        if word in GREEK or word in ("infty", "ell"):
            return Pending(Name(word))
        if word in FUNCTIONS:
            raise BuildError(f"\\{word} here needs its argument in parentheses")
        raise BuildError(f"unknown command \\{word}")

    def word(self, children):
        text = str(children[0])
        word = text[text.index("{") + 1 : -1].strip()
        if not word.isalpha():
            raise BuildError(f"{text}: one word")
        return Pending(Name(word))

    def accent(self, children):
        accent, letter = (str(c) for c in children)
        return Pending(Name(letter + accent[1:]))

    def gradient(self, children):
        of_text, wrt_text = str(children[0]).split("/")
        of, wrt = plain_name(of_text[1:]), plain_name(wrt_text[1:])
        return GradientEntry(self.symbolic(of), self.symbolic(wrt))

    def symbolic(self, name: Name) -> sp.Symbol | sp.MatrixSymbol:
        """A name as the symbol of a derivative ∂f/∂v: the problem's, else foreign."""
        meaning = self.names.resolve(name)
        if isinstance(meaning, sp.Symbol | sp.MatrixSymbol):
            return meaning
        return name.symbol()


def _block(v: object) -> sp.Matrix:
    return sp.Matrix(v) if isinstance(v, sp.MatrixBase) else sp.Matrix([[v]])
