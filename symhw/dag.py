"""Expressions as shared graphs: sizes counted, and values computed, once per distinct node.

SymPy shares equal subexpressions, so an expression built by repeated substitution (a
network's loss through eight layers) is a small graph whose tree is exponentially large.
Walking it as a tree (``subs``, ``evalf``, ``count_ops``, ``has``, and even ``==`` between
two equal expressions built separately) costs the tree; the functions here visit each
object once and tell equal subexpressions by a fingerprint of their structure, so every
count is the same whichever objects SymPy's cache happened to share.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Iterator, Sequence

import sympy as sp

from symhw.memo import forgettable

#: Counts stop growing here: a size beyond it only needs to be known to be too large.
CAP = 10**18


class LazyDerivative(sp.Expr):
    """∂f/∂v as a node built in constant time: ``sympy.Derivative`` collects the free
    symbols of f when it is made, a walk of f's whole tree. A
    :class:`~symhw.program.Program` computes its value by forward-mode differentiation of
    f's graph; ``doit`` asks SymPy for it.

    >>> x = sp.Symbol("x")
    >>> LazyDerivative(x**3, x).doit()
    3*x**2
    """

    is_commutative = True

    def __new__(cls, f: sp.Basic, v: sp.Symbol):
        return sp.Expr.__new__(cls, f, v)

    @property
    def expr(self) -> sp.Basic:
        return self.args[0]

    @property
    def variable_count(self) -> list[tuple[sp.Basic, sp.Integer]]:
        return [(self.args[1], sp.Integer(1))]

    def doit(self, **hints) -> sp.Basic:
        return sp.diff(self.args[0].doit(**hints), self.args[1])


#: Derivatives a :class:`~symhw.program.Program` computes by forward mode.
DERIVATIVES = (sp.Derivative, LazyDerivative)
#: Evaluated whole by SymPy at the point's numbers: they bind variables or pick a branch.
WHOLE = (sp.Piecewise, sp.Sum, sp.Product, sp.Integral, sp.Subs, sp.Limit)


def arguments(node: sp.Basic) -> tuple[sp.Basic, ...]:
    """A node's children as SymPy stores them: the structure whose sizes are counted."""
    return node.args


def inputs(node: sp.Basic) -> tuple[sp.Basic, ...]:
    """What a node's value is computed from (a derivative: its expression, not its variables;
    a piecewise function or a sum: the symbols it depends on)."""
    if isinstance(node, DERIVATIVES):
        return (node.expr,)
    if isinstance(node, WHOLE):
        return tuple(sorted(node.free_symbols, key=str))
    return node.args


def objects(expr: sp.Basic) -> Iterator[sp.Basic]:
    """Every object of ``expr`` once (by identity; equal copies each appear): for questions
    whose answer does not depend on sharing, such as whether some node has a type."""
    seen = {id(expr)}
    stack = [expr]
    while stack:
        node = stack.pop()
        yield node
        for a in node.args:
            if id(a) not in seen:
                seen.add(id(a))
                stack.append(a)


def _fingerprint(node: sp.Basic, kids: Sequence[bytes]) -> bytes:
    """128 bits that tell node's structure apart (equal structures, equal fingerprints): its
    class, then its atom data or its children's fingerprints; a derivative adds what it
    differentiates in, and a piecewise function or a sum (small) is written out whole."""
    h = hashlib.blake2b(digest_size=16)
    h.update(f"{type(node).__module__}.{type(node).__qualname__}:{id(type(node))}".encode())
    for k in kids:
        h.update(k)
    if isinstance(node, WHOLE):
        h.update(sp.srepr(node).encode())
    elif isinstance(node, DERIVATIVES):
        h.update(repr([(v._hashable_content(), c) for v, c in node.variable_count]).encode())
    elif not node.args:
        h.update(repr(node._hashable_content()).encode())
    return h.digest()


class Graph:
    """The distinct subexpressions of ``exprs``, each once and after its children.

    ``children`` says what a node is made of (:func:`arguments` for sizes, :func:`inputs`
    for evaluation). Objects are walked once each; equal structures are merged by
    fingerprint, never compared with ``==`` (which walks both trees).

    >>> x = sp.Symbol("x")
    >>> g = Graph([sp.tanh(x) + sp.tanh(x) ** 2])
    >>> [str(n) for n in g.nodes]
    ['x', 'tanh(x)', '2', 'tanh(x)**2', 'tanh(x)**2 + tanh(x)']
    """

    def __init__(
        self,
        exprs: Sequence[sp.Basic],
        children: Callable[[sp.Basic], tuple[sp.Basic, ...]] = arguments,
        limit: int = CAP,
    ):
        self.nodes: list[sp.Basic] = []
        self.kids: list[tuple[int, ...]] = []
        self._children = children
        self._prints: list[bytes] = []
        self._by_print: dict[bytes, int] = {}
        self._by_id: dict[int, int] = {}
        self._alive: list[sp.Basic] = []  # keeps every walked object (and so its id) alive
        self.roots = [self.add(e, limit) for e in exprs]

    def add(self, expr: sp.Basic, limit: int = CAP) -> int:
        """The node number of ``expr``, walking what is new of it; stops past ``limit`` nodes
        (then the graph is incomplete, and only its size is of use)."""
        stack: list[tuple[sp.Basic, tuple[sp.Basic, ...] | None]] = [(expr, None)]
        while stack and len(self.nodes) <= limit:
            node, kids = stack.pop()
            if id(node) in self._by_id:
                continue
            if kids is None:
                kids = self._children(node)
                stack.append((node, kids))
                stack.extend((k, None) for k in reversed(kids) if id(k) not in self._by_id)
                continue
            numbers = tuple(self._by_id[id(k)] for k in kids)
            stamp = _fingerprint(node, [self._prints[i] for i in numbers])
            if stamp not in self._by_print:
                self._by_print[stamp] = len(self.nodes)
                self.nodes.append(node)
                self.kids.append(numbers)
                self._prints.append(stamp)
            self._by_id[id(node)] = self._by_print[stamp]
            self._alive.append(node)
        return self._by_id.get(id(expr), -1)

    def number(self, atom: sp.Basic) -> int | None:
        """The node number of an atom equal to ``atom`` (a symbol, say); None if absent."""
        return self._by_print.get(_fingerprint(atom, ()))

    def below(self, top: int) -> list[int]:
        """Node ``top`` and every node it is computed from, in graph order."""
        seen, stack = {top}, [top]
        while stack:
            for k in self.kids[stack.pop()]:
                if k not in seen:
                    seen.add(k)
                    stack.append(k)
        return sorted(seen)

    def fold(self, combine: Callable[[sp.Basic, list], object]) -> list:
        """A quantity computed bottom-up, each node once, from its children's quantities."""
        out: list = []
        for node, kids in zip(self.nodes, self.kids, strict=True):
            out.append(combine(node, [out[k] for k in kids]))
        return out


def dag_size(expr: sp.Basic) -> int:
    """The number of distinct subexpressions.

    >>> x = sp.Symbol("x")
    >>> dag_size(sp.tanh(x) + sp.tanh(x) ** 2)
    5
    """
    return len(Graph([expr]).nodes)


_TREE_SIZES: dict[int, tuple[sp.Basic, int]] = forgettable({})


def tree_size(expr: sp.Basic, limit: int | None = None) -> int:
    """The number of nodes of ``expr`` written out as a tree (a shared subexpression counts
    at each of its uses): the cost of SymPy's tree walks. Capped at :data:`CAP`.

    With ``limit``, the tree is walked only until it has more than ``limit`` nodes, and
    ``limit + 1`` then stands for "larger": at most ``limit`` steps, whatever the graph.

    >>> x = sp.Symbol("x")
    >>> tree_size(sp.tanh(x) + sp.tanh(x) ** 2), tree_size(sp.tanh(x) + sp.tanh(x) ** 2, 3)
    (7, 4)
    """
    if limit is not None:
        count, stack = 0, [expr]
        while stack and count <= limit:
            count += 1
            stack.extend(stack.pop().args)
        return count
    known = _TREE_SIZES.get(id(expr))
    if known is not None and known[0] is expr:
        return known[1]
    graph = Graph([expr])
    size = graph.fold(lambda node, sizes: min(CAP, 1 + sum(sizes)))[graph.roots[0]]
    if len(_TREE_SIZES) >= 1024:
        _TREE_SIZES.pop(next(iter(_TREE_SIZES)))
    _TREE_SIZES[id(expr)] = (expr, size)
    return size


def _expanded(node: sp.Basic, kids: list[tuple[int, int]]) -> tuple[int, int]:
    """(terms, tree size) of ``node`` expanded, from its children's (terms, size)."""
    if isinstance(node, sp.Add):
        out = sum(t for t, _ in kids), 1 + sum(z for _, z in kids)
    elif isinstance(node, sp.Mul):  # every choice of one term per factor, as a product
        product = math.prod(t for t, _ in kids)
        out = product, product + sum(product // t * z for t, z in kids)
    elif isinstance(node, sp.Pow) and node.exp.is_Integer and 1 < node.exp < 100:
        (k, z), n = kids[0], int(node.exp)
        terms = math.comb(n + k - 1, n)  # monomials of degree n in k terms
        out = terms, terms + terms * n * z // k
    elif isinstance(node, sp.exp):  # e^(a + b) = e^a e^b: one factor per term
        out = 1, 1 + kids[0][0] + kids[0][1]
    else:
        out = 1, 1 + sum(z for _, z in kids)  # a function: its arguments expanded inside
    return min(CAP, out[0]), min(CAP, out[1])


def expanded_size(expr: sp.Basic) -> int:
    """An estimate of the tree size of ``sympy.expand(expr)``: products of sums multiplied
    out, integer powers of sums by the multinomial count, and every argument of a function
    or power expanded in place (so an expansion repeated in many terms counts each time).
    It is within a factor of about 3 of the true size on networks' derivatives (both ways:
    SymPy also merges equal terms). Capped at :data:`CAP`.

    >>> a, b, c = sp.symbols("a b c")
    >>> expanded_size((a + b) * (a + c)), tree_size(sp.expand((a + b) * (a + c)))
    (16, 13)
    """
    graph = Graph([expr])
    return graph.fold(_expanded)[graph.roots[0]][1]


def contains(expr: sp.Basic, types: type | tuple[type, ...]) -> bool:
    """Whether some subexpression of ``expr`` is one of ``types`` (``Basic.has`` walks the tree).

    >>> x = sp.Symbol("x")
    >>> contains(sp.tanh(x) + 1, sp.tanh), contains(x + 1, sp.Sum)
    (True, False)
    """
    return any(isinstance(n, types) for n in objects(expr))


def evaluation_cost(exprs: Sequence[sp.Basic], limit: int = CAP) -> int:
    """Node evaluations a :class:`~symhw.program.Program` of ``exprs`` makes at one point:
    each distinct subexpression once, and a derivative's expression once more for its
    slopes. Counting stops past ``limit`` (the graph need not be walked to the end).

    >>> x = sp.Symbol("x")
    >>> evaluation_cost([sp.tanh(x), sp.Derivative(sp.tanh(x), x)])
    5
    """
    graph = Graph(exprs, inputs, limit)
    cost = len(graph.nodes)
    reach: dict[int, int] = {}  # nodes below each differentiated expression, counted once
    for i, node in enumerate(graph.nodes):
        if isinstance(node, DERIVATIVES) and cost <= limit:
            top = graph.kids[i][0]
            if top not in reach:
                reach[top] = len(graph.below(top))
            cost += reach[top]
    return cost
