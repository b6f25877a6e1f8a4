"""The README: its Python example prints what it says, its layout names every module."""

from __future__ import annotations

import contextlib
import io
import re

from conftest import REPO


def test_python_api_example_prints_what_the_readme_shows():
    readme = (REPO / "README.md").read_text("utf-8")
    section = readme[readme.index("## Python API") :]
    code, shown = re.findall(r"```(?:python)?\n(.*?)```", section, flags=re.S)[:2]
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "README.md", "exec"), {})  # the README's own example, not user input
    assert out.getvalue() == shown


def test_layout_names_every_module_package_and_problem_kind():
    readme = (REPO / "README.md").read_text("utf-8")
    layout = readme[readme.index("## Layout") : readme.index("## Why these libraries")]
    package = REPO / "symhw"
    names = {p.name for p in package.glob("*.py")} | {
        f"{p.name}/" for p in package.iterdir() if (p / "__init__.py").exists()
    }
    names |= {f"{p.name}/" for p in (package / "problems").iterdir() if p.is_dir()}
    names -= {"__init__.py", "__pycache__/"}
    missing = sorted(n for n in names if not re.search(rf"(?<![\w/]){re.escape(n)}", layout))
    assert missing == []
