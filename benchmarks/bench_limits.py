"""Every problem kind at its documented limits: wall time and peak memory of a whole run.

Each file in ``benchmarks/limits/`` is a one-problem set at (or just inside) a limit the
README documents. This script runs ``python -m symhw sheet FILE -o <tmpdir> --jobs 1`` on
each, in a fresh process as a user would, and prints the wall time and the peak resident
memory of the largest process of the run (symhw or pdflatex) against the targets:

    every case at its limits in at most 20 s and 1 GB on a 2-CPU machine.

Baseline: ``python -c "import sympy"`` in the same run, so that a slow machine shows as a
slow baseline rather than as a missed target only.

    python benchmarks/bench_limits.py                   # every case, tex,md,json
    python benchmarks/bench_limits.py --pdf             # with the PDF compiled
    python benchmarks/bench_limits.py mlp --check       # cases whose name contains "mlp"
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CASES = Path(__file__).resolve().parent / "limits"
REPO = CASES.parent.parent
TIME_TARGET = 20.0  # seconds
MEMORY_TARGET = 1 << 30  # bytes


def run(argv: list[str], timeout: float) -> tuple[float, int, str]:
    """(wall seconds, exit status, stderr tail) of one command; killed after ``timeout``."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    start = time.perf_counter()
    proc = subprocess.Popen(
        argv, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        _, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        _, err = proc.communicate()
    wall = time.perf_counter() - start
    return wall, proc.returncode, err.decode(errors="replace").strip()[-300:]


def measured(argv: list[str], timeout: float) -> tuple[float, int, int, str]:
    """:func:`run` in a fork of its own, whose RUSAGE_CHILDREN then holds this run alone:
    (wall seconds, peak RSS in bytes of the run's largest process, exit status, stderr)."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the measuring child: its children are exactly this run's processes
        os.close(read)
        import resource

        wall, status, err = run(argv, timeout)
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
        os.write(write, f"{wall}\n{peak}\n{status}\n{err}".encode())
        os._exit(0)
    os.close(write)
    chunks = []
    while chunk := os.read(read, 65536):
        chunks.append(chunk)
    os.close(read)
    os.waitpid(pid, 0)
    wall, peak, status, err = b"".join(chunks).decode().split("\n", 3)
    return float(wall), int(peak), int(status), err


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("only", nargs="*", help="run the cases whose file name contains one")
    parser.add_argument("--pdf", action="store_true", help="compile the PDF too")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per case")
    parser.add_argument("--check", action="store_true", help="exit 2 if a target is missed")
    args = parser.parse_args()
    cases = sorted(
        p for p in CASES.glob("*.toml") if not args.only or any(o in p.name for o in args.only)
    )
    base, base_peak, _, _ = measured([sys.executable, "-c", "import sympy"], 60)
    print(f"baseline `import sympy`: {base:.2f} s, {base_peak / 2**20:.0f} MiB")
    print(f"{'case':40} {'time':>8} {'x base':>7} {'peak MiB':>9}  status")
    formats = "tex,pdf,md,json" if args.pdf else "tex,md,json"
    missed = 0
    for case in cases:
        with tempfile.TemporaryDirectory(prefix="bench-limits-") as out:
            argv = [sys.executable, "-m", "symhw", "sheet", str(case), "-o", out]
            wall, peak, status, err = measured(
                [*argv, "--format", formats, "--jobs", "1"], args.timeout
            )
        ok = status == 0 and wall <= TIME_TARGET and peak <= MEMORY_TARGET
        missed += not ok
        verdict = "ok" if ok else f"MISSED (exit {status}) {err.splitlines()[-1] if err else ''}"
        print(f"{case.stem:40} {wall:7.2f}s {wall / base:6.1f}x {peak / 2**20:9.0f}  {verdict}")
    print(
        f"targets: at most {TIME_TARGET:.0f} s and {MEMORY_TARGET >> 20} MiB per case; "
        f"{len(cases) - missed} of {len(cases)} met"
    )
    return 2 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
