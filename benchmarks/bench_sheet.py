"""Benchmark: the whole ``symhw sheet`` process against the bare cost of importing SymPy.

    python benchmarks/bench_sheet.py
    python benchmarks/bench_sheet.py --repeat 1 -- problems.toml   # arguments after -- go to symhw

Times, best of ``--repeat`` fresh processes each (wall clock, time.perf_counter):

* ``python -m symhw sheet -o <tmpdir> --format tex,md,json`` (the default problem set), and
* ``python -c "import sympy"``, the floor any SymPy-based command pays.

Target: the sheet takes under 3x the SymPy import (``--check`` makes a missed target exit 2).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time

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


def best_of(make_command, repeat: int, env: dict[str, str]) -> float:
    return min(run_once(make_command(), env) for _ in range(repeat))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="processes per command (best kept)")
    parser.add_argument(
        "--check", action="store_true", help="exit with status 2 if the target is missed"
    )
    parser.add_argument("symhw_args", nargs="*", help="extra arguments for `symhw sheet`")
    args = parser.parse_args(argv)

    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [ROOT, env.get("PYTHONPATH")]))
    with tempfile.TemporaryDirectory(prefix="symhw-bench-") as tmp:
        outputs = iter(range(10**6))

        def sheet_command() -> list[str]:
            out = os.path.join(tmp, f"run{next(outputs)}")  # a fresh directory each run
            return [
                sys.executable,
                "-m",
                "symhw",
                "sheet",
                *args.symhw_args,
                "-o",
                out,
                "--format",
                "tex,md,json",
            ]

        sympy_import = best_of(lambda: [sys.executable, "-c", "import sympy"], args.repeat, env)
        sheet = best_of(sheet_command, args.repeat, env)
        first = os.path.join(tmp, "run0")
        written = sorted(os.listdir(first)) if os.path.isdir(first) else ["(none)"]

    ratio = sheet / sympy_import
    print(f"best of {args.repeat} fresh processes each (Python {sys.version.split()[0]})")
    rows = (
        ("command", "time (s)"),
        ('python -c "import sympy"', f"{sympy_import:.2f}"),
        ("python -m symhw sheet --format tex,md,json", f"{sheet:.2f}"),
    )
    for name, seconds in rows:
        print(f"{name:<52} {seconds:>9}")
    print(f"files written: {', '.join(written)}")
    verdict = "met" if ratio <= TARGET_RATIO else "MISSED"
    print(f"sheet / import sympy: {ratio:.2f}x (target < {TARGET_RATIO}x) {verdict}")
    return 2 if args.check and ratio > TARGET_RATIO else 0


if __name__ == "__main__":
    raise SystemExit(main())
