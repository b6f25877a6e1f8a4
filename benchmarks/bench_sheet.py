"""Benchmark: the whole ``symhw sheet`` process against the bare cost of importing SymPy.

    python benchmarks/bench_sheet.py
    python benchmarks/bench_sheet.py --repeat 1 -- problems.toml   # arguments after -- go to symhw

Times, best of ``--repeat`` fresh processes each (wall clock, time.perf_counter):

* ``python -m symhw sheet -o <tmpdir> --format tex,md,json`` (the default problem set), as
  run by default (``--jobs auto``: problems solved side by side, one worker process per
  usable CPU) and with ``--jobs 1`` (all in one process), for comparison, and
* ``python -c "import sympy"``, the floor any SymPy-based command pays.

The commands alternate, so a busy spell on the machine hits both, after one untimed
warm-up run of each. Bytecode caching is switched on (PYTHONDONTWRITEBYTECODE removed) as in
any installed package: SymPy's site-packages already has its .pyc files, and an editable
checkout under that variable would otherwise recompile symhw on every run.

Target: the sheet takes under 3x the SymPy import (``--check`` makes a missed target exit 2).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time

from symhw.pool import can_fork, usable_cpus

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir))
TARGET_RATIO = 3.0


def run_once(command: list[str], env: dict[str, str]) -> float:
    """Wall-clock seconds of one fresh process; exits if the command fails."""
    start = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        print(f"command failed with status {done.returncode}: {' '.join(command)}")
        print(done.stderr[-2000:] or done.stdout[-2000:])
        raise SystemExit(1)
    return elapsed


def best_of_alternating(commands, repeat: int, env: dict[str, str]) -> list[float]:
    """Best wall time of each command factory, running them in turn ``repeat`` times."""
    for make in commands:  # warm-up: file caches and .pyc files
        run_once(make(), env)
    times = [[] for _ in commands]
    for _ in range(repeat):
        for make, seen in zip(commands, times, strict=True):
            seen.append(run_once(make(), env))
    return [min(seen) for seen in times]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="processes per command (best kept)")
    parser.add_argument(
        "--check", action="store_true", help="exit with status 2 if the target is missed"
    )
    parser.add_argument("symhw_args", nargs="*", help="extra arguments for `symhw sheet`")
    args = parser.parse_args(argv)

    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [ROOT, env.get("PYTHONPATH")]))
    with tempfile.TemporaryDirectory(prefix="symhw-bench-") as tmp:
        outputs = iter(range(10**6))

        def sheet(*extra: str):
            def command() -> list[str]:
                out = os.path.join(tmp, f"run{next(outputs)}")  # a fresh directory each run
                tail = ["-o", out, "--format", "tex,md,json"]
                return [sys.executable, "-m", "symhw", "sheet", *args.symhw_args, *extra, *tail]

            return command

        sympy_import, auto, serial = best_of_alternating(
            (lambda: [sys.executable, "-c", "import sympy"], sheet(), sheet("--jobs", "1")),
            args.repeat,
            env,
        )
        first = os.path.join(tmp, "run0")
        written = sorted(os.listdir(first)) if os.path.isdir(first) else ["(none)"]

    ratio = auto / sympy_import
    print(f"best of {args.repeat} fresh processes each (Python {sys.version.split()[0]})")
    workers = usable_cpus() if can_fork() else 1
    print(f"usable CPUs: {usable_cpus()}; --jobs auto uses up to {workers} worker processes")
    rows = (
        ("command", "time (s)", "ratio"),
        ('python -c "import sympy"', f"{sympy_import:.2f}", "1.00x"),
        ("symhw sheet (default, --jobs auto)", f"{auto:.2f}", f"{ratio:.2f}x"),
        (
            "symhw sheet --jobs 1 (solved in one process)",
            f"{serial:.2f}",
            f"{serial / sympy_import:.2f}x",
        ),
    )
    for name, seconds, r in rows:
        print(f"{name:<56} {seconds:>9} {r:>7}")
    print(f"files written: {', '.join(written)}")
    verdict = "met" if ratio <= TARGET_RATIO else "MISSED"
    print(f"sheet / import sympy: {ratio:.2f}x (target < {TARGET_RATIO}x) {verdict}")
    return 2 if args.check and ratio > TARGET_RATIO else 0


if __name__ == "__main__":
    raise SystemExit(main())
