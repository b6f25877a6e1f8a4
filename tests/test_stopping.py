"""A run stopped at any moment (Ctrl-C, SIGTERM, SIGKILL) leaves no process, no temporary
file and no half-written output behind, and says so in one line."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from conftest import HAS_TEX, REPO

pytestmark = pytest.mark.skipif(
    not os.path.isdir("/proc/self") or not hasattr(os, "fork"), reason="needs Linux /proc"
)

SPEC = """title = "Stopping"
[[problems]]
id = "q1"
kind = "activation-loss"
[[problems]]
id = "q4"
kind = "norm-shapes"
"""
FORMATS = "tex,pdf,md" if HAS_TEX else "tex,md"
NAMES = [f"spec.{f}" for f in FORMATS.split(",")]


def _start(tmp: Path, out: Path, session: bool = False) -> tuple[subprocess.Popen, str]:
    """`symhw sheet` with two workers and pdflatex, marked so that every process it starts
    can be found by its environment; temporary files go to ``tmp``, stderr to a file (a
    pipe would wait for every process that holds it, orphans included)."""
    mark = uuid.uuid4().hex
    env = {**os.environ, "TMPDIR": str(tmp), "SYMHW_TEST_RUN": mark, "PYTHONHASHSEED": "0"}
    argv = [sys.executable, "-m", "symhw", "sheet", str(out.parent / "spec.toml"), "-o"]
    proc = subprocess.Popen(
        [*argv, str(out), "--format", FORMATS, "--jobs", "2"],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=(out.parent / "stderr").open("w"),
        start_new_session=session,  # a group of its own, as a terminal's foreground job
    )
    return proc, mark


def _stderr(out: Path) -> str:
    return (out.parent / "stderr").read_text()


def _marked(mark: str) -> list[int]:
    """Live processes whose environment carries ``mark`` (zombies have none)."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/environ", "rb") as f:
                if f"SYMHW_TEST_RUN={mark}".encode() in f.read():
                    found.append(int(pid))
        except OSError:
            continue
    return found


def _settled(check, seconds: float = 10.0) -> bool:
    """``check()`` turns true within ``seconds`` (the guardian cleans up just after)."""
    end = time.monotonic() + seconds
    while not check():
        if time.monotonic() > end:
            return False
        time.sleep(0.05)
    return True


@pytest.fixture(scope="module")
def finished(tmp_path_factory) -> tuple[float, dict[str, bytes]]:
    """A run left alone: how long it takes, and the files it writes."""
    base = tmp_path_factory.mktemp("whole")
    (base / "spec.toml").write_text(SPEC, "utf-8")
    (base / "tmp").mkdir()
    start = time.monotonic()
    proc, _ = _start(base / "tmp", base / "out")
    assert proc.wait(timeout=300) == 0, _stderr(base / "out")
    took = time.monotonic() - start
    return took, {n: (base / "out" / n).read_bytes() for n in NAMES}


# When to send the signal, as a fraction of a whole run: start-up, solving, pdflatex, writing.
MOMENTS = {
    signal.SIGKILL: (0.15, 0.45, 0.7, 0.85, 0.95),
    signal.SIGTERM: (0.1, 0.5, 0.8),
    signal.SIGINT: (0.1, 0.5, 0.8),
}


@pytest.mark.parametrize(
    "sig,moment", [(s, m) for s, moments in MOMENTS.items() for m in moments], ids=str
)
def test_a_stopped_run_leaves_nothing_behind(tmp_path, finished, sig, moment):
    took, new = finished
    tmp, out = _prepared(tmp_path)
    proc, mark = _start(tmp, out)
    time.sleep(took * moment)
    proc.send_signal(sig)
    _stopped_cleanly(proc, mark, tmp, out, new, sig)


@pytest.mark.parametrize("delay", [0.15, 0.25, 0.35, 0.6])
def test_ctrl_c_during_start_up_is_one_line(tmp_path, delay):
    """From 0.15 s on; before that the interpreter itself is starting (site, the editable
    install's finder), and a Ctrl-C there is Python's own affair."""
    (tmp_path / "spec.toml").write_text(SPEC, "utf-8")
    (tmp_path / "tmp").mkdir()
    proc, _ = _start(tmp_path / "tmp", tmp_path / "out")
    time.sleep(delay)
    _past_interpreter_start(proc.pid)
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=60) == 130
    assert _stderr(tmp_path / "out") == "symhw: interrupted\n"


def _past_interpreter_start(pid: int, cpu: float = 0.1) -> None:
    """Wait until ``pid`` has used ``cpu`` seconds of CPU: on a busy machine wall time says
    little of how far a process has got, and the interpreter's own start takes less."""
    tick = os.sysconf("SC_CLK_TCK")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        if (int(fields[11]) + int(fields[12])) / tick >= cpu:  # utime, stime
            return
        time.sleep(0.005)


def test_a_run_whose_guardian_was_killed_still_writes_its_files(tmp_path):
    """The guardian is a helper, not a condition: without it the run ends as usual."""
    from symhw import cleanup
    from symhw.sheet import write_sheet
    from symhw.spec import load_problem_set

    (tmp_path / "spec.toml").write_text(SPEC, "utf-8")
    cleanup.start_guardian()
    try:
        os.kill(_guardian_pid(), signal.SIGKILL)
        time.sleep(0.2)
        paths = write_sheet(load_problem_set(tmp_path / "spec.toml"), tmp_path / "out", ["md"])
    finally:
        cleanup._write_end = None
    assert [p.name for p in paths][:1] == ["spec.md"] and paths[0].stat().st_size > 0
    assert {p.parent.name for p in paths[1:]} == {"spec-figures"}


def _guardian_pid(wait: float = 10.0) -> int:
    """The child of this process that is a new session's leader: the guardian (waited for:
    a just-forked guardian may not have called setsid yet on a busy machine)."""
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(stat[1]) == os.getpid() and int(stat[3]) == int(pid):  # ppid, session id
                return int(pid)
        time.sleep(0.01)
    raise AssertionError("no guardian found")


def _stopped_cleanly(proc, mark, tmp: Path, out: Path, new: dict[str, bytes], sig) -> None:
    """Nothing left running or in TMPDIR, each output whole (old or new), and a stop said
    in one line (unless the run finished before the signal came)."""
    status = proc.wait(timeout=60)
    assert _settled(lambda: not _marked(mark)), f"left running: {_marked(mark)}"
    assert _settled(lambda: not any(tmp.iterdir())), f"left in TMPDIR: {list(tmp.iterdir())}"
    assert sorted(p.name for p in out.iterdir() if p.name != "spec-figures") == sorted(NAMES)
    figures = out / "spec-figures"  # no temporary file among the figures either
    assert not figures.exists() or not [p for p in figures.iterdir() if p.name[0] == "."]
    for name in NAMES:
        assert (out / name).read_bytes() in (b"old", new[name]), name
    if status == 0:
        return
    if sig == signal.SIGKILL:
        assert status == -signal.SIGKILL
    else:
        word = "interrupted" if sig == signal.SIGINT else "terminated"
        assert (status, _stderr(out)) == (128 + sig, f"symhw: {word}\n")


def _prepared(tmp_path: Path) -> tuple[Path, Path]:
    (tmp_path / "spec.toml").write_text(SPEC, "utf-8")
    tmp, out = tmp_path / "tmp", tmp_path / "out"
    tmp.mkdir()
    out.mkdir()
    for name in NAMES:
        (out / name).write_bytes(b"old")
    return tmp, out


@pytest.mark.parametrize("moment", [0.12, 0.2, 0.3, 0.45, 0.6, 0.75, 0.9])
def test_ctrl_c_at_the_terminal_reaches_the_whole_group(tmp_path, finished, moment):
    """A terminal sends Ctrl-C to every process of the job, workers being forked included."""
    took, new = finished
    tmp, out = _prepared(tmp_path)
    proc, mark = _start(tmp, out, session=True)
    time.sleep(took * moment)
    os.killpg(proc.pid, signal.SIGINT)
    _stopped_cleanly(proc, mark, tmp, out, new, signal.SIGINT)


@pytest.mark.parametrize("moment", [0.2, 0.5, 0.8])
def test_signals_in_a_burst_stop_the_run_once(tmp_path, finished, moment):
    """Ctrl-C, SIGTERM and Ctrl-C 5 ms apart: the first one's cleanup runs to its end."""
    took, new = finished
    tmp, out = _prepared(tmp_path)
    proc, mark = _start(tmp, out, session=True)
    time.sleep(took * moment)
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        time.sleep(0.005)
    _stopped_cleanly(proc, mark, tmp, out, new, signal.SIGINT)
