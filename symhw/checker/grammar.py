"""The two grammars of a claim (lark, LALR): LaTeX as people write it, and plain math as
symhw's own text printer writes it. Kept here as strings: no data file to lose.

Both give the same rule names to the same constructions (``sum``, ``product``, ``apply``,
``group``, ``tuple``, ``number``, ...) so that one builder reads either tree. Sums and
products are flat (``a + b - c`` is one ``sum`` node): a long sum is built in one step,
never as a deep tree.
"""

from __future__ import annotations

#: LaTeX: a script is one character, a {group} or a command (``w_1^{11}``, ``w^Tx_n`` is
#: w^{T} x_n); a letter is a name; digits may be grouped with thin spaces (18\,496) and
#: ``\tanh{\left(s \right)}`` is a call, as symhw's own LaTeX printer writes them;
#: implicit multiplication only between unsigned factors (``a -b`` is a − b). ``\sum``,
#: ``\lim`` and ``\frac{d}{dx}`` open a product that runs to the next + or −. A factor
#: followed by a parenthesised group is an ``apply``: the builder decides whether it is a
#: call (g(x), \Theta'(s)) or a product (2(x - y)).
_LATEX = r"""
?start: chain
chain: EQ? expr (EQ expr)*

?expr: sum
?sum: product ((PLUS | MINUS) product)*
?product: signed ((TIMES | SLASH) signed)*
?signed: MINUS signed -> neg
    | PLUS signed -> pos
    | juxt
    | big
    | juxt big -> juxt
big: SUM "_" "{" NAME "=" expr "}" "^" SCRIPT product -> sum_op
    | LIM "_" "{" expr TO expr "}" product -> lim_op
    | DERIV product -> deriv_op
?juxt: scripted+
?scripted: primary
    | scripted "_" SCRIPT -> lower
    | scripted "^" SCRIPT -> upper
    | scripted PRIME -> prime
    | scripted paren -> apply
?primary: NUMBER -> number
    | NAME -> name
    | COMMAND -> command
    | TEXT -> word
    | ACCENT "{" NAME "}" -> accent
    | paren
    | "{" expr "}" -> brace
    | "[" expr ("," expr)* "]" -> brackets
    | LEFT "[" expr RIGHT "]" -> group
    | FRAC "{" expr "}" "{" expr "}" -> frac
    | matrix
    | PARTIAL scripted -> partial
    | NABLA scripted -> nabla
    | NABLA "_" SCRIPT scripted -> nabla
    | FUNC paren -> call
    | FUNC "{" paren "}" -> call
    | FUNC "^" SCRIPT paren -> call_pow
    | FUNC "^" SCRIPT "{" paren "}" -> call_pow
    | FUNC bare -> call
?paren: "(" expr ")" -> group
    | "(" expr ("," expr)+ ")" -> tuple
    | LEFT "(" expr RIGHT ")" -> group
    | LEFT "(" expr ("," expr)+ RIGHT ")" -> tuple
?bare: bare_primary
    | bare "_" SCRIPT -> lower
    | bare "^" SCRIPT -> upper
?bare_primary: NAME -> name
    | COMMAND -> command
    | NUMBER -> number
matrix: BEGIN_M row (ROWSEP row)* ROWSEP? END_M
row: expr (("&" | ",") expr)*

EQ: "="
PLUS: "+"
MINUS: "-"
SLASH: "/"
TIMES: "*" | "\\cdot" | "\\times"
NABLA: "\\nabla"
PARTIAL: "\\partial"
SUM: "\\sum"
LIM: "\\lim"
TO: "\\to" | "\\rightarrow"
FRAC: "\\frac" | "\\dfrac"
DERIV.3: /\\d?frac\s*\{\s*(d|\\partial)\s*\}\s*\{\s*(d|\\partial)\s*[A-Za-z]\s*\}/
LEFT: "\\left"
RIGHT: "\\right"
PRIME: "'" | "\\prime"
FUNC.2: /\\(tanh|exp|log|ln|sin|cos)(?![A-Za-z])/
ACCENT.2: /\\(hat|bar|tilde|vec)(?![A-Za-z])/
BEGIN_M: /\\begin\{[bpv]?matrix\}/ | /\\begin\{array\}\{[lcr]{1,4096}\}/
END_M: /\\end\{[bpv]?matrix\}/ | /\\end\{array\}/
ROWSEP: "\\\\"
TEXT.2: /\\(text|mathrm|operatorname)\{[A-Za-z ]{1,30}\}/
COMMAND.-1: /\\[A-Za-z]+/
NUMBER: /\d{1,3}(\\,\d{3})+(\.\d+)?|\d+(\.\d+)?|\.\d+/
NAME: /[A-Za-z]/
SCRIPT: /[A-Za-z0-9]/ | /BRACED_SCRIPT/ | /\\[A-Za-z]+/
%ignore /[ \t\r\n]+/
%ignore /\\[,;:! ]/
"""

#: How deeply braces may nest in one script, its own included (e^{e^{\tanh{\left(s
#: \right)}}}: 3); a regular expression counts only so far, and functions nest at most
#: 6 deep anyway (symhw.checker.arith.MAX_CALL_DEPTH).
SCRIPT_BRACES = 8


def _braced(depth: int) -> str:
    """A regular expression for a {group} with braces nested at most ``depth`` deep.

    >>> import re
    >>> bool(re.fullmatch(_braced(2), "{a{b}}")), bool(re.fullmatch(_braced(2), "{a{b{c}}}"))
    (True, False)
    """
    group = r"\{[^{}]*\}"
    for _ in range(depth - 1):
        group = rf"\{{(?:[^{{}}]|{group})*\}}"
    return group


LATEX = _LATEX.replace("BRACED_SCRIPT", _braced(SCRIPT_BRACES))

#: Plain math, a superset of symhw's text printer (``render.expr.text``): an identifier
#: carries its scripts in one token (``w_1^11``, ``x_n``, ``delta^(1)_2``, ``x_i,m,n``;
#: ``w^Tx_n`` is w^T x_n, a script never starts with T and a letter),
#: ``dL/dx_13`` is one gradient name, ``**`` or ``^`` a power, ``f(args)`` a call (or a
#: product: the builder decides), ``y[n]`` an index, ``[a, b; c, d]`` and ``[[a, b], [c,
#: d]]`` matrices, ``(1, C)`` and ``(C,)`` tuples.
PLAIN = r"""
?start: chain
chain: EQ? expr (EQ expr)*

?expr: sum
?sum: product ((PLUS | MINUS) product)*
?product: signed ((TIMES | SLASH)? power)*
?signed: MINUS signed -> neg
    | PLUS signed -> pos
    | power
?power: postfix
    | postfix POW signed -> power
?postfix: atom
    | postfix "(" expr ")" -> apply
    | postfix "(" expr ("," expr)+ ")" -> apply_many
    | postfix "[" expr ("," expr)* "]" -> index
    | postfix PRIME -> prime
?atom: NUMBER -> number
    | IDENT -> ident
    | GRADIENT -> gradient
    | "(" expr ")" -> group
    | "(" expr ("," expr)+ ")" -> tuple
    | "(" expr "," ")" -> tuple
    | "[" row (";" row)* "]" -> brackets
row: expr ("," expr)*

EQ: "="
PLUS: "+"
MINUS: "-"
SLASH: "/"
TIMES: "*"
POW: "**" | "^"
PRIME: "'"
NUMBER: /(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?/
GRADIENT.2: _D_OF "/" _D_WRT
_D_OF: /d[A-Za-z][A-Za-z0-9]*(_[A-Za-z0-9]+(,[A-Za-z0-9]+)*)?/
_D_WRT: /d[A-Za-z]+([_^](\([^()]{1,20}\)|[A-Za-z0-9]+(,[A-Za-z0-9]+)*)){0,2}(?![A-Za-z0-9])/
IDENT: /[A-Za-z]+[0-9]*/ (/[_^]/ _SCRIPT)~0..2
_SCRIPT: /(?:\([^()]{1,20}\)|T(?![0-9,])|(?!T[A-Za-z])[A-Za-z0-9]+(?:,[A-Za-z0-9]+)*)/
%ignore /[ \t\r\n]+/
"""
