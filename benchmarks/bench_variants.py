"""Benchmark: a class set, ``symhw variants``, against one ``symhw sheet`` in the same run.

    python benchmarks/bench_variants.py                      # 30 variants, then 300
    python benchmarks/bench_variants.py --counts 10 --pdf    # quick, with the PDFs too

For each class size N (``--counts``), ``symhw variants examples/hw2-class.toml --count N``
runs as a fresh process twice, with ``-j 1`` and with ``-j 2`` (question sheets, answer keys
at ``--detail key``, claims templates; tex, md and json: PDF compilation is excluded from the
per-variant cost, as the issue asks, and timed apart with ``--pdf``). Printed, each against
one standalone ``symhw sheet examples/hw2-class.toml --detail key`` of the same formats
measured in the same run (its variant 0, the file as written). Every timed run starts with
an empty figure cache of its own, so each draws its figures (a class set's first run does):
with a shared cache, whichever ran second found the figures drawn.

* the wall time of the class, and per variant (wall / N) as a ratio to the one sheet;
* the parallel efficiency on 2 workers, T(-j 1) / (2 T(-j 2));
* the peak memory (maximum resident set) of the largest process, for each N and both
  -j 1 (everything in one process) and -j 2 (two workers): memory that does not grow
  with N shows the variants are streamed to disk, not held, and that a worker's caches
  do not fill up variant after variant (symhw/memo.py).

Targets (issue 13): per variant (2 workers) <= 0.5x one sheet; parallel efficiency
>= 85 %; peak memory independent of N. ``--check`` makes a missed target exit 2.
Machines are noisy: run it on a quiet one, and read the ratios, not the seconds.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir))
SPEC = os.path.join(ROOT, "examples", "hw2-class.toml")
PER_VARIANT_TARGET = 0.5
EFFICIENCY_TARGET = 0.85
FORMATS = "tex,md,json"


#: Runs a command and prints the peak resident memory (KiB) of its largest process, its
#: workers included (they are waited for, so RUSAGE_CHILDREN holds them): per run, not the
#: running maximum over the whole benchmark.
_PEAK = (
    "import resource, subprocess, sys; "
    "done = subprocess.run(sys.argv[1:], capture_output=True, text=True); "
    "sys.stderr.write(done.stderr); "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); "
    "sys.exit(done.returncode)"
)


def run(args: list[str], cache: str | None = None) -> tuple[float, int]:
    """Wall seconds of ``python -m symhw ARGS`` in a fresh process, and the peak resident
    memory (KiB) of its largest process; exits if it fails. ``cache``: the figure cache's
    folder (``XDG_CACHE_HOME``), else the user's."""
    command = [sys.executable, "-c", _PEAK, sys.executable, "-m", "symhw", *args]
    env = os.environ if cache is None else {**os.environ, "XDG_CACHE_HOME": cache}
    start = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env=env)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        print(f"failed ({done.returncode}): symhw {' '.join(args)}\n{done.stderr[-2000:]}")
        raise SystemExit(1)
    return elapsed, int(done.stdout.split()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--counts", type=int, nargs="+", default=[30, 300])
    parser.add_argument("--pdf", action="store_true", help="also time a class with PDFs")
    parser.add_argument("--check", action="store_true", help="exit 2 on a missed target")
    args = parser.parse_args()
    missed = False
    with tempfile.TemporaryDirectory() as tmp:
        run(["sheet", SPEC, "-o", os.path.join(tmp, "warm"), "--format", FORMATS])  # warm-up
        sheet, _ = run(
            ["sheet", SPEC, "-o", os.path.join(tmp, "one"), "--format", FORMATS,
             "--detail", "key"],
            os.path.join(tmp, "cache-sheet"),  # drawing its figures, as each variant does
        )  # fmt: skip
        print(f"one symhw sheet --detail key ({FORMATS}): {sheet:.2f} s")
        print(f"{'N':>5} {'-j 1 (s)':>9} {'-j 2 (s)':>9} {'per variant':>12} {'ratio':>6} "
              f"{'efficiency':>10} {'peak MiB -j 1, -j 2':>20}")  # fmt: skip
        for n in args.counts:
            times, peak = {}, {}
            for jobs in (1, 2):
                out = os.path.join(tmp, f"class-{n}-j{jobs}")
                base = ["variants", SPEC, "--count", str(n), "-o", out, "--format", FORMATS]
                # each run with an empty figure cache of its own: both draw every figure,
                # as a first class set does (a cache warmed by -j 1 made -j 2 look >100 %)
                cache = os.path.join(tmp, f"cache-{n}-j{jobs}")
                times[jobs], peak[jobs] = run([*base, "-j", str(jobs)], cache)
            per = times[2] / n
            efficiency = times[1] / (2 * times[2])
            mib = f"{peak[1] / 1024:.0f}, {peak[2] / 1024:.0f}"
            print(f"{n:>5} {times[1]:>9.2f} {times[2]:>9.2f} {per:>11.3f}s {per / sheet:>5.2f}x "
                  f"{efficiency:>9.0%} {mib:>20}")  # fmt: skip
            missed |= per / sheet > PER_VARIANT_TARGET or efficiency < EFFICIENCY_TARGET
        if args.pdf:
            n = min(args.counts)
            out = os.path.join(tmp, "class-pdf")
            with_pdf, _ = run(["variants", SPEC, "--count", str(n), "-o", out, "-j", "2"])
            print(f"{n} variants with PDFs (tex,pdf), -j 2: {with_pdf:.2f} s, "
                  f"{with_pdf / n:.2f} s a variant")  # fmt: skip
    print(
        f"targets: per variant <= {PER_VARIANT_TARGET}x one sheet, parallel efficiency >= "
        f"{EFFICIENCY_TARGET:.0%}, peak memory the same for every N: "
        f"{'MISSED' if missed else 'met'} (memory: compare the column)"
    )
    return 2 if missed and args.check else 0


if __name__ == "__main__":
    raise SystemExit(main())
