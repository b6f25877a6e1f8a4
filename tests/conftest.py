"""Shared fixtures: the built-in sheet generated once per test session by the real CLI."""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import settings

# The same examples on every run: a red CI is then a bug, never the luck of the draw.
settings.register_profile("symhw", derandomize=True, deadline=None, print_blob=True)
settings.load_profile("symhw")

REPO = Path(__file__).resolve().parent.parent


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """``-n auto`` (pyproject.toml): one test process per CPU this process may run on
    (taskset, a container's CPU set), as symhw counts its own workers; pytest-xdist alone
    counts the host's physical cores wherever psutil is installed."""
    from symhw.pool import usable_cpus

    return usable_cpus()


# The figure cache of every run in the suite (this process and the CLI runs it starts,
# which inherit the environment) goes to a directory of its own, never the user's
# ~/.cache; removed at exit.
CACHE_HOME = tempfile.mkdtemp(prefix="symhw-test-cache-")
os.environ["XDG_CACHE_HOME"] = CACHE_HOME
os.environ.pop("SYMHW_CACHE", None)
atexit.register(shutil.rmtree, CACHE_HOME, ignore_errors=True)
HAS_TEX = shutil.which("pdflatex") is not None


def run_cli(
    *args: str, cwd: Path | None = None, hashseed: str = "0", timeout: float = 600
) -> subprocess.CompletedProcess:
    """Run ``python -m symhw`` in a fresh process, as a user would."""
    env = {**os.environ, "PYTHONHASHSEED": hashseed}
    return subprocess.run(
        [sys.executable, "-m", "symhw", *args],
        cwd=cwd or REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def answers_error(tmp_path: Path, capsys, problem: str) -> str:
    """Run `symhw answers` on a one-problem set; assert exit status 2; return stderr."""
    from symhw.cli import main

    spec = tmp_path / "bad.toml"
    spec.write_text(f"[[problems]]\n{problem}\n", "utf-8")
    assert main(["answers", str(spec)]) == 2
    return capsys.readouterr().err


@pytest.fixture(scope="session")
def default_sheet(tmp_path_factory) -> Path:
    """The built-in HW2 sheet in every format (pdf where TeX is installed), solved by two
    worker processes whatever the CPU count, as `symhw sheet` does on a multi-core machine."""
    out = tmp_path_factory.mktemp("sheet")
    formats = "tex,pdf,md,json" if HAS_TEX else "tex,md,json"
    done = run_cli("sheet", "-o", str(out), "--format", formats, "--jobs", "2", hashseed="1")
    assert done.returncode == 0, done.stderr
    return out


def torch_activations() -> dict:
    """θ in torch, straight from each definition: the autograd oracle of the tests."""
    import torch
    import torch.nn.functional as F

    return {
        "tanh": torch.tanh,
        "sigmoid": torch.sigmoid,
        "identity": lambda s: s,
        "relu": torch.relu,
        "softplus": lambda s: F.softplus(s, threshold=1000),  # log(1 + e^s), never linearised
    }
