"""The claim parsers' kept LALR tables (symhw/checker/tables.py, symhw/data/claim-parsers.json):
the file is what the grammar and lark make now, and a parser loaded from it reads every text
as lark's own build from the grammar does: the same tree, token by token and position by
position, or the same error at the same place with the same expected tokens.

Oracle: lark's parser built from the grammar in this process, never the kept file's output
copied back."""

from __future__ import annotations

import tomllib
from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lark import Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken

from conftest import REPO
from symhw.checker import tables
from symhw.checker.parse import parser

FILE = REPO / "symhw" / "data" / tables.FILE
CLAIMS = [REPO / "symhw" / "data" / "hw2-handwritten.toml"]
CLAIMS.append(REPO / "tests" / "data" / "hw2-handwritten.draft.toml")


def test_the_kept_tables_are_what_lark_builds_from_the_grammar_now():
    """Regenerate with: python -c "from symhw.checker.tables import main; main()"."""
    assert FILE.read_text("utf-8") == tables.document()


def test_the_kept_tables_are_the_same_whoever_builds_them():
    """The canonical numbering makes two builds (with their own set orders) one text."""
    assert tables.document() == tables.document()


def test_symhw_parses_with_the_kept_tables():
    for latex in (True, False):
        assert tables.load(latex) is not None
        assert parser(latex).parser.parser.parser.parse_table.states == (
            tables.load(latex).parser.parser.parser.parse_table.states
        )


@cache
def _built(latex: bool):
    return tables.build(latex)


def _outcome(latex: bool, text: str, make) -> object:
    """A parse as comparable data: the tree with every token's type, text and place, or
    the error's kind, place and what was expected."""
    try:
        return _shape(make(latex).parse(text))
    except UnexpectedInput as e:
        found = e.token if isinstance(e, UnexpectedToken) else None
        token = (found.type, str(found), found.start_pos) if found is not None else None
        expected = e.allowed if isinstance(e, UnexpectedCharacters) else e.expected
        return type(e).__name__, e.pos_in_stream, token, sorted(expected or ())


def _shape(node) -> object:
    if isinstance(node, Token):
        return node.type, str(node), node.start_pos, node.end_pos
    assert isinstance(node, Tree)
    meta = (node.meta.start_pos, node.meta.end_pos) if not node.meta.empty else None
    return node.data, meta, [_shape(c) for c in node.children]


def _texts() -> list[str]:
    """Every string of the handwritten transcriptions (values, steps, labels, lets)."""
    found: list[str] = []

    def walk(value):
        if isinstance(value, str):
            found.append(value)
        elif isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    for path in CLAIMS:
        walk(tomllib.loads(path.read_text("utf-8")))
    return sorted(set(found))


TEXTS = _texts()


@pytest.mark.parametrize("latex", [True, False])
def test_kept_and_built_parsers_agree_on_every_handwritten_claim(latex):
    assert len(TEXTS) > 100
    for text in TEXTS:
        assert _outcome(latex, text, parser) == _outcome(latex, text, _built), text


@pytest.mark.parametrize("latex", [True, False])
def test_kept_and_built_parsers_agree_on_broken_claims(latex):
    """Each claim cut short and with a stray character: the same errors, same places."""
    for text in TEXTS[::3]:
        for broken in (text[: len(text) // 2], text[:-1], text + ")", "}" + text, text + "^"):
            assert _outcome(latex, broken, parser) == _outcome(latex, broken, _built), broken


_PIECES = st.sampled_from(
    ["x", "w", "_", "^", "{", "}", "(", ")", "[", "]", "1", "2.5", "+", "-", "*", "/", "=",
     ",", ";", "'", " ", "\\tanh", "\\frac", "\\sum", "\\left", "\\right", "\\partial",
     "\\begin{bmatrix}", "\\end{bmatrix}", "\\\\", "&", "\\cdot", "n", "T", "**", "dL/dx_1"]
)  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(st.lists(_PIECES, max_size=14).map("".join), st.booleans())
def test_kept_and_built_parsers_agree_on_random_text(text, latex):
    assert _outcome(latex, text, parser) == _outcome(latex, text, _built)
