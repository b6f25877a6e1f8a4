"""pdflatex, run as a hardened, reproducible and killable child process.

The document is symhw's own output, but it carries text from problem files, so the run is
locked down as a second line of defence behind the escaping in :mod:`symhw.render.latex.text`:
no shell escape, and kpathsea's paranoid file access (``openin_any=p``, ``openout_any=p``:
no absolute paths, no ``..``, no dot files). It runs in a process group of its own, which is
killed when symhw stops (an error, Ctrl-C, SIGTERM, a timeout, or via the guardian of
:mod:`symhw.cleanup` if symhw itself is killed).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
from pathlib import Path

from symhw.cleanup import guarded_group
from symhw.errors import InputError, TexError
from symhw.signals import held

#: Seconds one pdflatex pass may take; a sheet within symhw's limits takes a few.
TIMEOUT = 300
COMMAND = ("pdflatex", "-no-shell-escape", "-interaction=nonstopmode", "-halt-on-error")
#: What pdflatex sees besides the caller's environment: pinned dates and IDs (a
#: reproducible PDF) and kpathsea's paranoid file access.
ENVIRONMENT = {
    "SOURCE_DATE_EPOCH": "0",
    "FORCE_SOURCE_DATE": "1",
    "openin_any": "p",
    "openout_any": "p",
    "shell_escape": "f",
}


def tex_available() -> bool:
    return shutil.which("pdflatex") is not None


def compile_pdf(tex: str, workdir: Path, *, recorder: bool = False) -> Path:
    """Run pdflatex on ``tex`` in ``workdir`` until its cross-references are stable (at
    least twice, at most :data:`PASSES` times); return the PDF.

    Page references ("derivation, p. 12") change the text they stand in, so a page break
    can move after the second pass: pdflatex then says "Rerun", and runs again.
    With ``recorder`` pdflatex also lists every file it read in ``sheet.fls``.
    """
    if not tex_available():
        raise InputError(
            "PDF output needs pdflatex; install TeX (Debian: texlive-latex-base "
            "texlive-latex-recommended lmodern) or leave pdf out of --format",
            field="--format",
        )
    (workdir / "sheet.tex").write_text(tex, encoding="utf-8")
    command = [*COMMAND, *(["-recorder"] if recorder else []), "sheet.tex"]
    log = workdir / "sheet.log"
    for done in range(1, PASSES + 1):
        status, output = _run(command, workdir)
        text = log.read_text(errors="replace") if log.exists() else output
        if status != 0:
            raise TexError("pdflatex failed:\n" + relevant_log_lines(text))
        if done >= 2 and not RERUN.search(text):
            break
    return workdir / "sheet.pdf"


#: The most pdflatex passes a sheet gets (references settle in two or three).
PASSES = 4
#: What pdflatex's log says when a page reference moved since the pass before.
RERUN = re.compile(r"Rerun to get (?:cross-references|outlines) right|Label\(s\) may have changed")


def _run(command: list[str], workdir: Path) -> tuple[int, str]:
    """One pdflatex pass in its own process group, killed with its children on any exit
    other than its own (an exception, Ctrl-C, SIGTERM, the timeout)."""
    proc = None
    with contextlib.ExitStack() as guard:
        try:
            with held():  # started and registered with the guardian before a Ctrl-C lands
                proc = subprocess.Popen(
                    command,
                    cwd=workdir,
                    env={**os.environ, **ENVIRONMENT},
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
                guard.enter_context(guarded_group(proc.pid))
            output, _ = proc.communicate(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            _kill_group(proc)
            raise TexError(f"pdflatex ran for over {TIMEOUT} s and was stopped") from None
        except BaseException:
            if proc is not None:
                _kill_group(proc)
            raise
    return proc.returncode, output.decode(errors="replace")


def _kill_group(proc: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        if hasattr(os, "killpg"):
            os.killpg(proc.pid, signal.SIGKILL)
        else:  # Windows: no process groups to kill
            proc.kill()
    proc.wait()


def relevant_log_lines(log: str, context: int = 3) -> str:
    """The error lines of a TeX log (those starting with '!') and a few lines after each."""
    lines = log.splitlines()
    picked: list[str] = []
    for i, line in enumerate(lines):
        if line.startswith("!"):
            picked.extend(lines[i : i + context + 1])
    return "\n".join(picked or lines[-20:])
