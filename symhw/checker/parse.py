"""Read one claim's text (LaTeX or plain math) into SymPy objects: :func:`parse`.

Safe by construction: the text is checked for size, characters and nesting before lark
reads it (:mod:`symhw.checker.prescan`), lark builds an LALR tree, and
:class:`~symhw.checker.rules.ClaimBuilder` turns the tree into SymPy objects without eval,
sympify or parse_expr and without handing SymPy any text. Every failure is one
:class:`~symhw.checker.syntax.ClaimSyntaxError`.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import sympy as sp
from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken, VisitError

from symhw.checker import arith, tables
from symhw.checker.build import BuildError, Pending, decimals
from symhw.checker.names import Extended, Fn, Name, Names
from symhw.checker.prescan import Prepared, prepare
from symhw.checker.rules import ClaimBuilder
from symhw.checker.syntax import ClaimSyntaxError
from symhw.checker.words import expected_words
from symhw.notation import Shape

#: At most this many nodes in a claim's parse tree (counted before anything is built).
MAX_NODES = 2_000

#: Decimals as written: None (exact), an int, or rows of them for a matrix.
Decimals = int | None | tuple


@dataclass(frozen=True)
class Member:
    """One member of a chain ``a = b = c``: its value and the decimals it was written with
    (None unless it is a number or a matrix of numbers)."""

    value: object
    decimals: Decimals


@dataclass(frozen=True)
class Parsed:
    """A claim read: ``value`` and ``decimals`` of its last member (what it claims),
    every member of a chain (one for a plain value), whether it ``continues`` the step
    before it (text starting with ``=``), and whether it was read as LaTeX."""

    value: object
    decimals: Decimals
    members: tuple[Member, ...]
    continues: bool
    latex: bool


def parse(text: str, names: Names | None = None, *, shape: bool = False) -> Parsed:
    """Read a claim. LaTeX when the text has a backslash or a brace, plain math (symhw's
    own text printer) otherwise; ``names`` says what the problem's names mean (default:
    none known: every name a foreign symbol); ``shape`` reads ``1 \\times C``,
    ``1x1x1xC`` and ``(1, C)`` as the shape (1, C), not a product.

    >>> parse("1 - tanh(s)^2").value
    1 - tanh(s)**2
    >>> parse(r"1-\\tanh^2(s)").value
    1 - tanh(s)**2
    >>> p = parse(r"\\begin{bmatrix} -0.875 \\\\ 1.736 \\end{bmatrix}")
    >>> p.value.T, p.decimals
    (Matrix([[-7/8, 217/125]]), ((3,), (3,)))
    >>> parse("1x1x1xC", shape=True).value
    (1, 1, 1, C)
    >>> [m.value for m in parse(r"= 2(-0.8 - 1)(1) = -3.6").members]
    [-18/5, -18/5]
    """
    names = names if names is not None else Names()
    prepared = prepare(text)
    if shape and not prepared.latex:
        dims = _plain_dims(prepared)
        if dims is not None:
            values = [_expression(prepared, names, start, end) for start, end in dims]
            return _single(Shape(*values), None, prepared)
    tree = _tree(prepared)
    chain = tree if tree.data == "chain" else Tree("chain", [tree])
    trees = [m for m in chain.children if isinstance(m, Tree)]
    members = tuple(_member(m, prepared, names, shape) for m in trees)
    continues = isinstance(chain.children[0], Token)
    last = members[-1]
    return Parsed(last.value, last.decimals, members, continues, prepared.latex)


def define(text: str, names: Names | None = None) -> tuple[Name, Fn]:
    """A writer's own function, ``g(x) = \\tanh(x)`` (a claim's ``let``): its name and the
    function, whose body is read with ``names`` and the parameter; a claim that uses it
    resolves the name to it (:class:`~symhw.checker.names.Extended`), Θ′ included.

    >>> name, theta = define(r"\\Theta(s) = \\tanh(s)")
    >>> name.base, theta.apply(sp.Symbol("u")), theta.prime(1).apply(sp.Symbol("u"))
    ('Theta', tanh(u), 1 - tanh(u)**2)
    """
    names = names if names is not None else Names()
    prepared = prepare(text)
    tree = _tree(prepared)
    trees = [m for m in tree.children if isinstance(m, Tree)]
    lhs = trees[0] if len(trees) == 2 and not isinstance(tree.children[0], Token) else None
    if lhs is None or lhs.data != "apply" or not all(isinstance(c, Tree) for c in lhs.children):
        raise ClaimSyntaxError("a definition is written f(x) = ...", text, 0)
    builder = ClaimBuilder(Names(), functools.partial(_script, names=names, latex=prepared.latex))
    callee, parameter = (_build_raw(builder, t, prepared) for t in lhs.children)
    if not (isinstance(callee, Pending) and isinstance(parameter, Pending)):
        raise ClaimSyntaxError("a definition is written f(x) = ...: names only", text, 0)
    variable = parameter.name.symbol()
    body = _member(trees[1], prepared, Extended(names, {parameter.name: variable}), False).value
    return callee.name, Fn(callee.name.base, lambda a: body.xreplace({variable: a}))


def _build_raw(builder: ClaimBuilder, tree: Tree, prepared: Prepared) -> object:
    """A piece of a definition's left side as parsed (a name stays a name): ``(x)`` is
    read inside its parentheses."""
    inner = [c for c in tree.children if isinstance(c, Tree)] if tree.data == "group" else []
    target = inner[0] if len(inner) == 1 else tree
    try:
        return builder.transform(target)
    except VisitError as error:
        raise _build_error(error.orig_exc, prepared, 0) from None


def _single(value: object, places: Decimals, prepared: Prepared) -> Parsed:
    member = Member(value, places)
    return Parsed(value, places, (member,), False, prepared.latex)


@functools.cache
def parser(latex: bool) -> Lark:
    """The LALR parser of one mode, made once per process: from the tables kept in the
    package (:mod:`symhw.checker.tables`), else built from the grammar (its tables take
    0.1-0.4 s). Never lark's ``cache=True``: it would pickle the tables into the shared
    temporary directory and unpickle whatever it finds there on the next start."""
    return tables.load(latex) or tables.build(latex)


def _tree(prepared: Prepared) -> Tree:
    """lark's tree of the text, within :data:`MAX_NODES`; lark's errors in words."""
    try:
        tree = parser(prepared.latex).parse(prepared.text)
    except UnexpectedInput as error:
        raise _syntax_error(error, prepared) from None
    nodes = 1 + sum(len(t.children) for t in tree.iter_subtrees())
    if nodes > MAX_NODES:
        message = f"{nodes:,} parts: a claim has at most {MAX_NODES:,}"
        raise ClaimSyntaxError(message, prepared.source, 0)
    return tree


def _syntax_error(error: UnexpectedInput, prepared: Prepared) -> ClaimSyntaxError:
    if isinstance(error, UnexpectedCharacters):
        found = repr(prepared.text[error.pos_in_stream : error.pos_in_stream + 1])
        expected, index = error.allowed or (), error.pos_in_stream
    elif isinstance(error, UnexpectedToken) and error.token.type != "$END":
        found, expected = repr(str(error.token)[:20]), error.expected
        index = error.token.start_pos
    else:
        expected, index = getattr(error, "expected", ()), len(prepared.text)
        message = f"it ends too soon; expected {expected_words(expected)}"
        return ClaimSyntaxError(message, prepared.source, prepared.source_index(index))
    message = f"unexpected {found}; expected {expected_words(expected)}"
    return ClaimSyntaxError(message, prepared.source, prepared.source_index(index))


def _member(tree: Tree, prepared: Prepared, names: Names, shape: bool) -> Member:
    builder = ClaimBuilder(names, functools.partial(_script, names=names, latex=prepared.latex))
    if shape:
        dims = _tree_dims(tree)
        values = [_build(builder, d, prepared) for d in dims]
        if len(values) == 1 and isinstance(values[0], sp.Tuple):
            values = list(values[0])
        return Member(Shape(*values), None)
    value = _build(builder, tree, prepared)
    return Member(value, _decimals(tree))


def _build(builder: ClaimBuilder, tree: Tree, prepared: Prepared) -> object:
    """The tree's value; any failure a ClaimSyntaxError at the node that failed."""
    try:
        return builder.value(builder.transform(tree))
    except VisitError as error:
        node = error.obj
        index = getattr(node.meta, "start_pos", 0) if isinstance(node, Tree) else 0
        raise _build_error(error.orig_exc, prepared, index) from None
    except (BuildError, arith.Refused, ClaimSyntaxError) as error:
        raise _build_error(error, prepared, getattr(tree.meta, "start_pos", 0)) from None
    except Exception as error:  # SymPy refusing an operation: one error, never a traceback
        raise _build_error(error, prepared, 0) from None


def _build_error(error: BaseException, prepared: Prepared, index: int) -> ClaimSyntaxError:
    if isinstance(error, ClaimSyntaxError):
        message = f"in a script: {error.text_message}"
    elif isinstance(error, BuildError | arith.Refused):
        message = str(error)
    elif isinstance(error, RecursionError):
        message = "too deeply nested to build"
    else:
        message = f"cannot be built ({type(error).__name__})"
    return ClaimSyntaxError(message, prepared.source, prepared.source_index(index))


def _script(text: str, *, names: Names, latex: bool) -> object:
    """A superscript's text read as an expression in the claim's mode (``e^{-x}``)."""
    prepared = prepare(text, latex)
    tree = _tree(prepared)
    members = [c for c in tree.children if isinstance(c, Tree)]
    if len(members) != 1 or isinstance(tree.children[0], Token):
        raise ClaimSyntaxError("'=' cannot be part of a script", text, 0)
    builder = ClaimBuilder(names, functools.partial(_script, names=names, latex=latex))
    return _build(builder, members[0], prepared)


def _expression(prepared: Prepared, names: Names, start: int, end: int) -> object:
    """The value of a piece of a plain shape (1x1x1xC), errors at the piece's position."""
    piece = prepared.text[start:end]
    try:
        return _script(piece, names=names, latex=False)
    except ClaimSyntaxError as error:
        index = prepared.source_index(start + error.index)
        raise ClaimSyntaxError(error.text_message, prepared.source, index) from None


_DIM = re.compile(r"\s*([0-9]+|[A-Za-wyzA-Z][A-Za-wyzA-Z0-9_]*)\s*")


def _plain_dims(prepared: Prepared) -> list[tuple[int, int]] | None:
    """The pieces of a plain shape written with x or * (1x1x1xC, N * C), else None."""
    text, pieces, start = prepared.text, [], 0
    for match in re.finditer(r"[x*]", text):
        pieces.append((start, match.start()))
        start = match.end()
    pieces.append((start, len(text)))
    if len(pieces) < 2 or not all(_DIM.fullmatch(text[a:b]) for a, b in pieces):
        return None
    return pieces


def _tree_dims(tree: Tree) -> list[Tree]:
    """The factors of ``a \\times b \\times c`` (or a * b * c), else the tree itself."""
    if tree.data == "product":
        ops = [c for c in tree.children if isinstance(c, Token)]
        factors = [c for c in tree.children if not isinstance(c, Token)]
        if len(ops) == len(factors) - 1 and all(op.type == "TIMES" for op in ops):
            return factors
    return [tree]


def _decimals(tree: Tree) -> Decimals:
    """The decimals of a number as written (``-1.368``: 3), of each entry of a matrix or
    list of numbers (rows, as the matrix); None for anything else."""
    if tree.data == "number":
        return decimals(str(tree.children[0]))
    if tree.data in ("neg", "pos", "group", "brace"):  # -1.368, (0.5), \left(0.5\right)
        inner = [c for c in tree.children if isinstance(c, Tree)]
        return _decimals(inner[0]) if len(inner) == 1 else None
    if tree.data == "matrix":
        rows = [c for c in tree.children if isinstance(c, Tree) and c.data == "row"]
        return tuple(tuple(_decimals(e) for e in r.children if isinstance(e, Tree)) for r in rows)
    if tree.data == "brackets":
        return _bracket_decimals(tree)
    return None


def _bracket_decimals(tree: Tree) -> Decimals:
    entries = [c for c in tree.children if isinstance(c, Tree)]
    rows = [e for e in entries if e.data == "row"]
    if rows and len(rows) > 1:  # [a, b; c, d]
        return tuple(tuple(_decimals(e) for e in r.children if isinstance(e, Tree)) for r in rows)
    items = rows[0].children if rows else entries
    items = [e for e in items if isinstance(e, Tree)]
    if len(items) == 1:
        return _decimals(items[0])
    if all(e.data == "brackets" for e in items):  # [[a, b], [c, d]]
        return tuple(_flat(_decimals(e)) for e in items)
    return tuple((_decimals(e),) for e in items)


def _flat(d: Decimals) -> tuple:
    """A column's decimals ((a,), (b,)) as one row (a, b)."""
    return tuple(x[0] if isinstance(x, tuple) else x for x in d) if isinstance(d, tuple) else (d,)
