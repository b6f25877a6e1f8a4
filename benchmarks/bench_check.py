"""Benchmark: ``symhw check`` on the handwritten HW2 claims, once and for a class of 200
files, against ``symhw answers`` on the same problem set in the same run.

    python benchmarks/bench_check.py              # 200 files, best of 3
    python benchmarks/bench_check.py --files 20 --repeat 1

Times, best of ``--repeat`` fresh processes each (wall clock):

* ``python -m symhw answers`` (the problem set solved, its answers printed);
* ``python -m symhw check`` (the 69 claims of the built-in transcription, Markdown printed);
* ``python -m symhw check f1.toml ... fN.toml -o DIR --format json`` on N copies of that
  transcription (a class's files on one homework: the problem set is solved once).

Target (issue 12): the N = 200 files take at most 3x ``symhw answers``. ``--check`` makes a
missed target exit 2.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir))
CLAIMS = os.path.join(ROOT, "symhw", "data", "hw2-handwritten.toml")
TARGET_RATIO = 3.0


def best(command: list[str], env: dict[str, str], repeat: int) -> float:
    """The best wall time of ``repeat`` fresh processes; exits if the command fails."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
        times.append(time.perf_counter() - start)
        if done.returncode != 0:
            print(f"command failed with status {done.returncode}: {' '.join(command[:6])} ...")
            print(done.stderr[-2000:])
            raise SystemExit(1)
    return min(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=200, help="claims files in the class run")
    parser.add_argument("--repeat", type=int, default=3, help="processes per command (best kept)")
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
        answers = best([*python, "answers"], env, args.repeat)
        one = best([*python, "check"], env, args.repeat)
        many = best([*python, "check", *files, "-o", out, "--format", "json"], env, args.repeat)

    ratio = many / answers
    print(f"best of {args.repeat} fresh processes each (Python {sys.version.split()[0]})")
    for name, seconds in (
        ("symhw answers", answers),
        ("symhw check (the 69 handwritten claims)", one),
        (f"symhw check, {args.files} files of them", many),
    ):
        print(f"{name:<44} {seconds:8.2f} s {seconds / answers:7.2f}x")
    verdict = "met" if ratio <= TARGET_RATIO else "MISSED"
    target = f"(< {TARGET_RATIO}x) {verdict}"
    print(f"target: {args.files} files / symhw answers = {ratio:.2f}x {target}")
    return 2 if args.check and ratio > TARGET_RATIO else 0


if __name__ == "__main__":
    raise SystemExit(main())
