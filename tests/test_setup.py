"""A fresh machine has what a sheet needs: every file pdflatex reads for the committed sheet
comes from a Debian package that .ci/setup installs, or from one they depend on.

Recommended packages do not count: .ci/setup installs with --no-install-recommends, and a
recommendation (lmodern, of TeX) once went missing exactly so, while CI stayed green on a
machine that happened to have it.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import REPO
from symhw.tex import compile_pdf

#: Written by the TeX packages' own install scripts (texmf.cnf, font maps, formats): no
#: package owns them, but they exist because the packages are installed.
GENERATED = ("/var/lib/texmf/", "/etc/texmf/")

needs_debian = pytest.mark.skipif(
    not all(shutil.which(t) for t in ("dpkg", "apt-cache", "pdflatex")),
    reason="needs a Debian-like system with dpkg, apt-cache and pdflatex",
)


def setup_packages() -> list[str]:
    """The packages in .ci/apt-packages, read as .ci/setup reads them."""
    lines = (REPO / ".ci" / "apt-packages").read_text("utf-8").splitlines()
    return [w for line in lines for w in line.split("#")[0].split()]


def dependency_closure(packages: list[str]) -> set[str]:
    """``packages`` and everything they depend on, recommendations and suggestions not."""
    skip = ("recommends", "suggests", "conflicts", "breaks", "replaces", "enhances")
    out = subprocess.run(
        ["apt-cache", "depends", "--recurse", *(f"--no-{s}" for s in skip), *packages],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return {line.strip() for line in out.splitlines() if line and not line[0].isspace()}


def owners(paths: list[str]) -> dict[str, set[str]]:
    """The Debian packages that own each path (none for a file no package installed)."""
    done = subprocess.run(["dpkg", "-S", *paths], capture_output=True, text=True, check=False)
    found: dict[str, set[str]] = {p: set() for p in paths}
    for line in done.stdout.splitlines():
        packages, _, path = line.partition(": ")
        if path in found:
            found[path] = {p.strip().split(":")[0] for p in packages.split(",")}
    return found


def files_read(tex: str, workdir: Path) -> list[str]:
    """Every file outside ``workdir`` that pdflatex reads for ``tex``, fonts included."""
    compile_pdf(tex, workdir, recorder=True)
    lines = (workdir / "sheet.fls").read_text("utf-8").splitlines()
    read = {line.removeprefix("INPUT ") for line in lines if line.startswith("INPUT /")}
    return sorted({str(Path(p).resolve()) for p in read})


@needs_debian
def test_every_file_the_sheet_reads_comes_from_the_packages_setup_installs(tmp_path):
    closure = dependency_closure(setup_packages())
    assert "lmodern" in closure  # the closure is real: setup names it, recommends do not count
    tex = (REPO / "reports" / "hw2.tex").read_text("utf-8")
    shutil.copytree(REPO / "reports" / "hw2-figures", tmp_path / "hw2-figures")
    read = files_read(tex, tmp_path)
    assert any(p.endswith("/lmodern.sty") for p in read)
    assert any(p.endswith(".pfb") for p in read)  # fonts are among the files checked
    missing = {
        path: sorted(packages)
        for path, packages in owners(read).items()
        if not (packages & closure if packages else path.startswith(GENERATED))
    }
    assert not missing, (
        "files the sheet reads that a fresh machine would lack (owner packages not in "
        f".ci/apt-packages nor their dependencies): {missing}"
    )


@needs_debian
def test_a_package_left_out_of_the_list_is_noticed(tmp_path):
    """The check above can fail: without lmodern in the list, its files are reported."""
    closure = dependency_closure([p for p in setup_packages() if p != "lmodern"])
    tex = (REPO / "reports" / "hw2.tex").read_text("utf-8")
    shutil.copytree(REPO / "reports" / "hw2-figures", tmp_path / "hw2-figures")
    found = owners(files_read(tex, tmp_path))
    assert any(pk == {"lmodern"} and not pk & closure for pk in found.values())
