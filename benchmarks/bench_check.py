"""Benchmark: ``symhw check`` on the handwritten HW2 claims, once and for a class of 200
files, against ``symhw answers`` on the same problem set in the same run.

    python benchmarks/bench_check.py              # 200 files, 5 runs of each command
    python benchmarks/bench_check.py --files 20 --repeat 1

Each command runs as a fresh process ``--repeat`` times, the three taking turns after one
untimed warm-up each (so a busy spell on a shared machine hits all of them); printed: the
median and the best wall time, the median CPU time (user and system, the process and the
workers it waited for), each also as a ratio to ``symhw answers``'s in the same run:

* ``python -m symhw answers`` (the problem set solved, its answers printed);
* ``python -m symhw check`` (the 69 claims of the built-in transcription, Markdown printed);
* ``python -m symhw check f1.toml ... fN.toml -o DIR --format json`` on N copies of that
  transcription (a class's files on one homework: the problem set is solved once).

Target (issue 12): the N = 200 files take at most 3x ``symhw answers`` (median wall times).
``--check`` makes a missed target exit 2.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir))
CLAIMS = os.path.join(ROOT, "symhw", "data", "hw2-handwritten.toml")
TARGET_RATIO = 3.0


def run_once(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds of one fresh process and the CPU seconds (user and system) of it and
    the workers it waited for; exits if the command fails."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        print(f"command failed with status {done.returncode}: {' '.join(command[:6])} ...")
        print(done.stderr[-2000:])
        raise SystemExit(1)
    return elapsed, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


def alternating(commands: list[list[str]], env: dict[str, str], repeat: int) -> list[list]:
    """Each command's (wall, CPU) times, the commands run in turn ``repeat`` times after
    one untimed warm-up each."""
    for command in commands:
        run_once(command, env)
    times: list[list] = [[] for _ in commands]
    for _ in range(repeat):
        for command, seen in zip(commands, times, strict=True):
            seen.append(run_once(command, env))
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=200, help="claims files in the class run")
    parser.add_argument("--repeat", type=int, default=5, help="timed processes per command")
    parser.add_argument("--check", action="store_true", help="exit 2 if the target is missed")
    args = parser.parse_args(argv)

    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [ROOT, env.get("PYTHONPATH")]))
    python = [sys.executable, "-m", "symhw"]
    with tempfile.TemporaryDirectory(prefix="symhw-bench-check-") as tmp:
        files = []
        for k in range(args.files):
            path = os.path.join(tmp, f"student{k:03d}.toml")
            shutil.copyfile(CLAIMS, path)
            files.append(path)
        out = os.path.join(tmp, "out")
        commands = [
            [*python, "answers"],
            [*python, "check"],
            [*python, "check", *files, "-o", out, "--format", "json"],
        ]
        times = alternating(commands, env, args.repeat)

    walls = [statistics.median(w for w, _ in seen) for seen in times]
    cpus = [statistics.median(c for _, c in seen) for seen in times]
    bests = [min(w for w, _ in seen) for seen in times]
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"{args.repeat} fresh processes each, in turn (Python {sys.version.split()[0]}, "
        f"{os.cpu_count()} CPUs, load average {load:.1f} at the end)"
    )
    print(f"{'':<40} {'median':>8} {'ratio':>7} {'best':>8} {'ratio':>7} {'CPU':>7} {'ratio':>7}")
    names = ["symhw answers", "symhw check (69 handwritten claims)"]
    names.append(f"symhw check, {args.files} files")
    for name, wall, best, cpu in zip(names, walls, bests, cpus, strict=True):
        print(
            f"{name:<40} {wall:7.2f}s {wall / walls[0]:6.2f}x {best:7.2f}s "
            f"{best / bests[0]:6.2f}x {cpu:6.2f}s {cpu / cpus[0]:6.2f}x"
        )
    ratio = walls[2] / walls[0]
    verdict = "met" if ratio <= TARGET_RATIO else "MISSED"
    target = f"(median; <= {TARGET_RATIO}x) {verdict}"
    print(f"target: {args.files} files / symhw answers = {ratio:.2f}x {target}")
    return 2 if args.check and ratio > TARGET_RATIO else 0


if __name__ == "__main__":
    raise SystemExit(main())
