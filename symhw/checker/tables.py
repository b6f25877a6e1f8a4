"""The claim parsers' LALR tables, built once by lark and kept as data
(``symhw/data/claim-parsers.json``): a process that loads them (0.02 s) saves the
0.12-0.45 s that lark takes to build both parsers from :mod:`symhw.checker.grammar`.

The file is JSON (data, never code: not a pickle, nothing run on loading), written by
:func:`main` (``python -c "from symhw.checker.tables import main; main()"``) and checked
by the tests to be exactly what it would write now, so it cannot go stale. lark numbers
the states of its automaton and the tokens of its table differently from one build to the
next (the order of Python's sets), so the tables are written in a canonical numbering:
tokens by name, states in breadth-first order from the start state, each state's actions
by token name. A file written for another grammar or lark version (its ``fingerprint``
differs) is not used: the parsers are built from the grammar instead, as before.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import lark
from lark import Lark
from lark.grammar import Rule
from lark.lexer import TerminalDef

from symhw.checker.grammar import LATEX, PLAIN

FILE = "claim-parsers.json"
#: lark's options for both parsers (positions kept: errors name where they are).
OPTIONS: dict[str, Any] = {
    "parser": "lalr",
    "lexer": "contextual",
    "propagate_positions": True,
    "cache": False,
}
GRAMMARS = {"latex": LATEX, "plain": PLAIN}


def fingerprint() -> str:
    """What the tables are a function of: the grammars, lark's version and the options."""
    parts = [lark.__version__, json.dumps(OPTIONS, sort_keys=True), LATEX, PLAIN]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def build(latex: bool) -> Lark:
    """The parser of one mode, built by lark from the grammar."""
    return Lark(GRAMMARS["latex" if latex else "plain"], **OPTIONS)


def load(latex: bool) -> Lark | None:
    """The parser of one mode from the kept tables; None where they are missing or were
    written for another grammar or lark version."""
    kept = _kept()
    if kept is None or kept.get("fingerprint") != fingerprint():
        return None
    return Lark.load(_restored(kept["latex" if latex else "plain"]))


@cache
def _kept() -> dict | None:
    try:
        text = resources.files("symhw.data").joinpath(FILE).read_text("utf-8")
    except OSError:
        return None
    return json.loads(text)


def document() -> str:
    """The file's text: both parsers' tables, canonical, with the fingerprint."""
    data = {name: _canonical(build(name == "latex")) for name in GRAMMARS}
    data["fingerprint"] = fingerprint()
    data["lark"] = lark.__version__
    return json.dumps(data, sort_keys=True, separators=(",", ":")) + "\n"


def _canonical(parser: Lark) -> dict:
    """lark's serialised parser (``memo_serialize``, as its standalone generator writes
    it), the parse table renumbered canonically and every int-keyed dict as a list."""
    data, memo = parser.memo_serialize([TerminalDef, Rule])
    table = data["parser"]["parser"]
    names = table["tokens"]  # {number: token name}
    states = table["states"]  # {state: {token number: (action, argument)}}
    starts = table["start_states"]
    order: list[int] = [starts[k] for k in sorted(starts)]
    number = {s: i for i, s in enumerate(order)}
    rows = []
    while len(rows) < len(order):  # breadth first: the order grows as states are reached
        actions = sorted((names[t], a, arg) for t, (a, arg) in states[order[len(rows)]].items())
        for _, action, arg in actions:
            if action == 0 and arg not in number:  # a shift: arg is the next state
                number[arg] = len(order)
                order.append(arg)
        rows.append(
            [[token, action, number[arg] if action == 0 else arg] for token, action, arg in actions]
        )
    if len(order) != len(states):
        raise AssertionError("a state of the table is not reached from a start state")
    data = dict(data)
    data["parser"] = dict(data["parser"])
    data["parser"]["parser"] = {
        "states": rows,
        "start_states": {k: number[v] for k, v in starts.items()},
        "end_states": {k: number[v] for k, v in table["end_states"].items()},
    }
    return {"data": data, "memo": [[k, memo[k]] for k in sorted(memo)]}


def _restored(kept: dict) -> dict:
    """The canonical form back as lark's ``Lark.load`` takes it (int keys, tuples)."""
    table = kept["data"]["parser"]["parser"]
    tokens = sorted({token for row in table["states"] for token, _, _ in row})
    token_number = {t: i for i, t in enumerate(tokens)}
    parse_table = {
        "tokens": dict(enumerate(tokens)),
        "states": {
            s: {token_number[t]: (action, arg) for t, action, arg in row}
            for s, row in enumerate(table["states"])
        },
        "start_states": table["start_states"],
        "end_states": table["end_states"],
    }
    memo = {}
    for k, value in kept["memo"]:
        options = value.get("options")
        if isinstance(options, dict) and isinstance(options.get("empty_indices"), list):
            value = {
                **value,
                "options": {**options, "empty_indices": tuple(options["empty_indices"])},
            }
        memo[k] = value
    data = dict(kept["data"])
    data["parser"] = {**data["parser"], "parser": parse_table}
    return {"data": data, "memo": memo}


def _tuples(value: dict) -> dict:
    """A rule's ``empty_indices`` a tuple again, as lark made it (JSON has only lists)."""
    options = value.get("options")
    if not (isinstance(options, dict) and isinstance(options.get("empty_indices"), list)):
        return value
    return {**value, "options": {**options, "empty_indices": tuple(options["empty_indices"])}}


def main() -> None:
    """Write the file into the package's data directory."""
    path = Path(__file__).resolve().parent.parent / "data" / FILE
    path.write_text(document(), "utf-8")
    print(path)
