"""The README's Python example prints what the README says it prints."""

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
