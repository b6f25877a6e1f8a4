"""Benchmark: grading a class, ``symhw grade``, against one ``symhw check`` in the same run.

    python benchmarks/bench_grade.py                  # a class of 30
    python benchmarks/bench_grade.py --count 100

A class set of N variants of examples/hw2-class.toml is written first (``symhw variants``,
LaTeX only, not timed), then each student's submission: the answers of their variant
(its ``variant.json``) at four decimals for q2's forward and backward values, q3's counts,
q4's shape and q1's derivative, as a student fills in the claims template. Then, each a
fresh process, in turn:

* ``symhw check`` of one of those submissions against its variant (the baseline: what a
  student's self-check costs);
* ``symhw grade`` of the class with Markdown feedback (``--format md``), its wall time per
  student as a ratio to the baseline, and its peak memory.

No target is set by the issue; the ratio shows how much a class's problems shared by its
variants save (each distinct problem is solved once). Read the ratios, not the seconds.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_variants import ROOT, SPEC, run


def submission(answers: dict) -> str:
    """A student's claims file with their variant's answers, as they would write them."""

    def number(v: object) -> str:
        return f"{v:.4f}" if isinstance(v, float) else str(v)

    lines = ['problem_set = "problems.toml"', "[q1]"]
    lines.append(f'activation_derivative = "{answers["q1"]["activation_derivative"]}"')
    lines.append("[q2]")
    for name in ("x1", "s1", "s2", "delta1", "delta2", "delta3"):
        value = answers["q2"][name]
        shown = [number(v) for v in (value if isinstance(value, list) else [value])]
        lines.append(f"{name} = [{', '.join(shown)}]" if len(shown) > 1 else f"{name} = {shown[0]}")
    lines.append("[q3]")
    for name in ("basic_params_bias", "bottleneck_params_bias", "basic_params_no_bias"):
        lines.append(f"{name} = {answers['q3'][name]}")
    lines += ["[q4]", 'fc_mean_shape = "1xC"']
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=30, help="students (default 30)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each (default 3)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        made = subprocess.run(
            [sys.executable, "-m", "symhw", "variants", SPEC, "--count", str(args.count),
             "--format", "tex", "-o", str(root / "class")],
            cwd=ROOT, capture_output=True, text=True, check=False,
        )  # fmt: skip
        if made.returncode != 0:
            raise SystemExit(f"symhw variants failed:\n{made.stderr[-2000:]}")
        manifest = json.loads((root / "class" / "manifest.json").read_text("utf-8"))
        (root / "subs").mkdir()
        for vid, record in manifest["variants"].items():
            (root / "subs" / f"{vid}.toml").write_text(submission(record["answers"]), "utf-8")
        one = root / "class" / "1" / "mine.toml"
        one.write_text(submission(manifest["variants"]["1"]["answers"]), "utf-8")
        checks, grades, peaks = [], [], []
        for _ in range(args.repeat):
            checks.append(run(["check", str(one)])[0])
            wall, peak = run(["grade", str(root / "class"), str(root / "subs"),
                              "-o", str(root / "out"), "--format", "md"])  # fmt: skip
            grades.append(wall)
            peaks.append(peak)
    check, grade = statistics.median(checks), statistics.median(grades)
    n = args.count
    print(f"{args.repeat} fresh processes each, in turn (Python {sys.version.split()[0]}, "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the end)")  # fmt: skip
    print(f"symhw check (one submission)       {check:6.2f}s   1.00x")
    print(f"symhw grade ({n} students)         {grade:6.2f}s   {grade / check:5.2f}x")
    print(f"  per student                      {grade / n:6.2f}s   {grade / n / check:5.2f}x")
    print(f"  peak memory                      {max(peaks) / 1024:6.0f} MiB")


if __name__ == "__main__":
    main()
