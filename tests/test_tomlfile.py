"""TOML input files (symhw/tomlfile.py): the parser's documents, decimals as written, and
its failures as one InputError naming the file. (Hostile files of every kind: test_spec.)

Oracle: what the TOML 1.0 and 1.1 specifications say these documents hold (a multi-line
inline table is 1.1's), written out by hand, and Python's Decimal."""

from __future__ import annotations

from decimal import Decimal

import pytest

from symhw.errors import InputError
from symhw.tomlfile import MAX_NESTING, parse_toml, read_toml


def test_decimals_are_kept_as_written_not_as_binary_floats():
    assert parse_toml("x = 0.60\ny = 1e-400", "f.toml", "claims") == {
        "x": Decimal("0.60"),
        "y": Decimal("1e-400"),
    }


def test_an_inline_table_may_span_lines_as_toml_1_1_allows(tmp_path):
    path = tmp_path / "claims.toml"
    path.write_text('problem_set = "hw2"\n[q2]\ndelta1 = {\n  value = "1",\n}\n', "utf-8")
    assert read_toml(path, "claims")["q2"] == {"delta1": {"value": "1"}}


def test_the_error_names_the_file_line_and_column():
    with pytest.raises(InputError, match=r"'f\.toml' is not valid TOML: .*line 2, column 5"):
        parse_toml("a = 1\nb = \n", "f.toml", "claims")


@pytest.mark.parametrize("depth", [MAX_NESTING, MAX_NESTING + 1, 1000, 100_000])
def test_nesting_is_refused_past_its_limit_and_read_at_it(depth):
    text = "x = " + "[" * depth + "]" * depth
    if depth <= MAX_NESTING:
        assert "x" in parse_toml(text, "f.toml", "claims")
    else:
        with pytest.raises(InputError, match="nests arrays or tables too deeply"):
            parse_toml(text, "f.toml", "claims")


@pytest.mark.parametrize("escape", [r"\e", r"\x00", r"\x85", r"\u001b"])
def test_a_control_character_an_escape_writes_is_refused_in_text(escape):
    """TOML 1.1's \\e and \\x escapes write characters no sheet can show, as 1.0's \\u
    could: refused where the text is read, naming the field."""
    from symhw.checker.claims import claims_from_text

    text = f'problem_set = "hw2"\ntitle = "a{escape}b"\n[q2]\ndelta2 = 1\n'
    with pytest.raises(InputError, match="title"):
        claims_from_text(text, "c.toml")
