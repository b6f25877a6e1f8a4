"""The shape of the code: layers that import only downwards, printing only in render/,
symbol names in SymPy's grammar, short functions."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import sympy as sp

from conftest import REPO
from symhw.derivation import Derivation, Paragraph, Table
from symhw.sheet import solve_all
from symhw.spec import load_problem_set

LIBRARY = sorted((REPO / "symhw").rglob("*.py"))
#: The longest function allowed (lines from def to its last line).
MAX_FUNCTION_LINES = 60


def test_every_module_imports_only_from_the_layers_below_it():
    """The contract in pyproject.toml, checked by import-linter (a test dependency)."""
    lint = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert lint, "lint-imports is missing: pip install -e '.[test]'"
    done = subprocess.run([lint], cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-3000:]


def test_printing_methods_live_only_in_the_renderers():
    found = [
        f"{path.relative_to(REPO)}:{node.lineno} {node.name}"
        for path in LIBRARY
        if "render" not in path.parts
        for node in ast.walk(ast.parse(path.read_text("utf-8")))
        if isinstance(node, ast.FunctionDef) and node.name in ("_latex", "_sympystr", "_pretty")
    ]
    assert found == []


def test_functions_are_short():
    long = [
        f"{path.relative_to(REPO)}:{node.lineno} {node.name} ({node.end_lineno - node.lineno + 1})"
        for path in LIBRARY
        for node in ast.walk(ast.parse(path.read_text("utf-8")))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES
    ]
    assert long == []


def _expressions(sol):
    """Every SymPy object a solution shows: statement, steps, tables, prose and answers."""
    yield sol.statement.segments
    for part in sol.parts:
        if isinstance(part, Derivation):
            yield from (s.chain for s in part.steps)
            yield part.intro.segments if part.intro else ()
        elif isinstance(part, Table):
            yield part.header
            yield part.rows
        elif isinstance(part, Paragraph):
            yield part.segments
    for answer in sol.answers:
        yield answer.label
        yield answer.value


def _symbol_names(obj, names: set[str]) -> set[str]:
    if isinstance(obj, sp.MatrixBase):
        for entry in obj:
            _symbol_names(entry, names)
    elif isinstance(obj, sp.Basic):
        names.update(s.name for s in obj.atoms(sp.Symbol))
        for arg in obj.args:
            _symbol_names(arg, names)
    elif isinstance(obj, tuple | list):
        for item in obj:
            _symbol_names(item, names)
    return names


def test_symbol_names_are_in_sympys_grammar_never_latex():
    names: set[str] = set()
    for sol in solve_all(load_problem_set()):
        for obj in _expressions(sol):
            _symbol_names(obj, names)
    assert len(names) > 100
    assert sorted(n for n in names if "{" in n or "}" in n) == []
