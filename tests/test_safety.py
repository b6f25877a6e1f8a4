"""No text from a problem-set file can be run as code: checked on the library's source."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

LIBRARY = sorted((Path(__file__).resolve().parent.parent / "symhw").rglob("*.py"))
BUILTINS = {"eval", "exec", "compile", "__import__"}  # as bare names (re.compile is fine)


def calls(path: Path):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            f = node.func
            name = f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", None)
            yield name, node


@pytest.mark.parametrize("path", LIBRARY, ids=lambda p: p.name)
def test_no_code_evaluating_calls(path):
    bad = [
        (name, node.lineno)
        for name, node in calls(path)
        if name == "parse_expr" or (isinstance(node.func, ast.Name) and name in BUILTINS)
    ]
    assert bad == []


@pytest.mark.parametrize("path", LIBRARY, ids=lambda p: p.name)
def test_every_sympify_refuses_text(path):
    loose = [
        node.lineno
        for name, node in calls(path)
        if name in ("sympify", "S")
        and not any(
            k.arg == "strict" and isinstance(k.value, ast.Constant) and k.value.value is True
            for k in node.keywords
        )
    ]
    assert loose == [], f"{path.name}: sympify without strict=True at lines {loose}"


def test_the_scan_covers_the_claims_parser():
    """symhw check reads text people wrote: its package is scanned like the rest."""
    assert {"parse.py", "build.py", "rules.py"} <= {p.name for p in LIBRARY if "checker" in p.parts}


def test_strict_sympify_refuses_the_payload():
    import sympy as sp

    with pytest.raises(sp.SympifyError):
        sp.sympify("__import__('os').system('true')", strict=True)
