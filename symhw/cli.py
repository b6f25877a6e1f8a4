"""The command line: parse arguments, call the library, map errors to exit statuses.

Exit status 0: done; 2: bad input or usage; 1: internal error; 3: ``symhw check
--fail-on wrong`` found a wrong claim; 130 and 143: stopped by Ctrl-C (SIGINT) or SIGTERM,
after killing workers and pdflatex and removing temporary files.
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

from symhw import signals
from symhw.errors import InputError, SymhwError, Terminated


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="symhw",
        description="Derive, verify and typeset solutions to deep-learning homework.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sheet = sub.add_parser("sheet", help="write the solution sheet of a problem set")
    sheet.add_argument("spec", nargs="?", help="problem-set TOML file (default: built-in HW2)")
    sheet.add_argument("-o", "--output", default="reports", help="output directory")
    sheet.add_argument(
        "--format",
        default=None,
        help="comma-separated formats from tex,pdf,md,json "
        "(default: all, pdf only where pdflatex is installed)",
    )
    sheet.add_argument(
        "--detail",
        default="full",
        help="how much the sheet shows: answers (summary table and boxed answers), key "
        "(Part I: the worked solutions) or full (Part I and the appendix of complete verified "
        "derivations; the default)",
    )
    answers = sub.add_parser("answers", help="print the answers of a problem set")
    answers.add_argument("spec", nargs="?", help="problem-set TOML file (default: built-in HW2)")
    answers.add_argument("--json", action="store_true", help="print a JSON object")
    for command in (sheet, answers):
        _jobs_argument(
            command,
            "worker processes solving problems side by side (default: auto, one per CPU and "
            "problem; 1 solves in this process)",
        )
    _check_parser(sub)
    template = sub.add_parser(
        "template", help="write a claims template of a problem set (for symhw check)"
    )
    template.add_argument("spec", nargs="?", help="problem-set TOML file (default: built-in HW2)")
    template.add_argument(
        "-o", "--output", default=None, help="write it to this file (default: the terminal)"
    )
    sub.add_parser("list", help="list the problem kinds and their parameters")
    _variants_parser(sub)
    _grade_parser(sub)
    return parser


def _grade_parser(sub) -> None:
    """The arguments of ``symhw grade``."""
    grade = sub.add_parser(
        "grade", help="grade a class's submissions, each against its own variant"
    )
    grade.add_argument("manifest", help="the manifest.json symhw variants wrote (or its folder)")
    grade.add_argument(
        "submissions", help="the folder of the students' claims files, each named by id"
    )
    grade.add_argument("-o", "--output", required=True, help="output directory")
    grade.add_argument(
        "--format",
        default=None,
        help="comma-separated formats of the feedback sheets and the class summary, from "
        "tex,pdf,md,json (default: all, pdf only where pdflatex is installed)",
    )
    _jobs_argument(grade)


def _variants_parser(sub) -> None:
    """The arguments of ``symhw variants``."""
    variants = sub.add_parser(
        "variants",
        help="a class set: per variant a question sheet, its answer key and a claims template",
    )
    variants.add_argument("spec", help="problem-set TOML file whose problems say what varies")
    who = variants.add_mutually_exclusive_group(required=True)
    who.add_argument("--count", type=_positive, metavar="N", help="variants 1 to N")
    who.add_argument(
        "--roster", metavar="CSV", help="a variant per student: a CSV file with an id column"
    )
    variants.add_argument(
        "--seed", type=_whole, default=0, help="the class's seed (default 0): a whole number"
    )
    variants.add_argument("-o", "--output", required=True, help="output directory")
    variants.add_argument(
        "--format",
        default=None,
        help="comma-separated formats from tex,pdf,md,json (default: tex and pdf, pdf only "
        "where pdflatex is installed); the question sheet has no json",
    )
    variants.add_argument(
        "--detail", default="key", help="how much each answer key shows (default key)"
    )
    _jobs_argument(variants)


def _positive(value: str) -> int:
    number = _whole(value)
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {value!r}")
    return number


def _whole(value: str) -> int:
    if not value.isascii() or not value.isdigit() or len(value) > 20:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {value!r}")
    return int(value)


def _check_parser(sub) -> None:
    """The arguments of ``symhw check``."""
    check = sub.add_parser("check", help="check answers someone wrote (a claims file)")
    check.add_argument(
        "claims",
        nargs="*",
        help="claims TOML files, each checked on its own (default: the built-in handwritten "
        "HW2); a problem set they share is solved once",
    )
    check.add_argument("--json", action="store_true", help="print the report as JSON")
    check.add_argument(
        "-o",
        "--output",
        default=None,
        help="write the feedback sheet into this directory "
        "(without it: Markdown, or JSON with --json, on the terminal)",
    )
    check.add_argument(
        "--format",
        default=None,
        help="with -o: comma-separated formats from tex,pdf,md,json (default: all, pdf only "
        "where pdflatex is installed)",
    )
    check.add_argument(
        "--fail-on",
        choices=("wrong",),
        default=None,
        help="exit with status 3 when a claim is wrong (for scripts)",
    )


def _jobs_argument(command: argparse.ArgumentParser, help: str = "worker processes") -> None:
    """``-j N``, ``--jobs N``: how many worker processes a command uses (auto by default)."""
    command.add_argument("-j", "--jobs", type=_jobs, default=None, metavar="N", help=help)


def _jobs(value: str) -> int | None:
    """``--jobs``: a positive integer, or ``auto`` (None)."""
    if value == "auto":
        return None
    if not value.isascii() or not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer or auto, got {value!r}")
    return int(value)


def _formats(arg: str | None) -> tuple[str, ...]:
    from symhw.tex import tex_available

    if arg is None:
        return ("tex", "pdf", "md", "json") if tex_available() else ("tex", "md", "json")
    return tuple(f.strip() for f in arg.split(",") if f.strip())


def _run(args: argparse.Namespace, own_process: bool) -> int:
    if args.command == "list":
        from symhw.problems import KINDS

        for kind in KINDS.values():
            print(f"{kind.name}: {kind.summary}")
            for f in dataclasses.fields(kind.params):
                default = "" if f.default is dataclasses.MISSING else f" (default {f.default!r})"
                print(f"    {f.name}: {f.metadata['help']}{default}")
        return 0

    if args.command == "check":
        return _check(args, own_process)
    if args.command == "template":
        return _template(args)
    if args.command == "grade":
        return _grade(args, own_process)
    if args.command in ("sheet", "variants") and own_process:
        from symhw.cleanup import start_guardian

        start_guardian()  # temporary files and pdflatex go, even if symhw is killed; forked
        # before SymPy is imported, it is a small process
    from symhw.pool import default_jobs
    from symhw.spec import load_problem_set

    if own_process:
        _imported()
    if args.command == "variants":
        return _variants(args)
    problem_set = load_problem_set(args.spec)
    jobs = args.jobs or default_jobs(len(problem_set.problems))
    if args.command == "sheet":
        from symhw.sheet import write_sheet

        if args.format is None and "pdf" not in _formats(None):
            print(
                "symhw: pdflatex not found: writing tex, md and json without pdf", file=sys.stderr
            )
        formats = _formats(args.format)
        for path in write_sheet(problem_set, args.output, formats, jobs, args.detail):
            print(path)
        return 0
    from symhw.render.json import dump_answers
    from symhw.sheet import answers_by_problem

    by_problem = answers_by_problem(problem_set, jobs)
    if args.json:
        sys.stdout.write(dump_answers(by_problem))
    else:
        for problem_id, values in by_problem.items():
            for name, value in values.items():
                print(f"{problem_id}.{name} = {value}")
    return 0


def _variants(args: argparse.Namespace) -> int:
    """``symhw variants``: every input checked before anything is written, then each
    variant's folder; a line per variant, and a summary of those that failed (exit 1)."""
    from symhw.classset import class_set, numbered_ids, read_roster, write_class_set
    from symhw.pool import default_jobs
    from symhw.tex import tex_available

    ids = numbered_ids(args.count) if args.roster is None else read_roster(args.roster)
    formats = _formats(args.format or ("tex,pdf" if tex_available() else "tex"))
    cs = class_set(args.spec, args.seed, formats, args.detail, args.output)
    outcomes = write_class_set(cs, ids, args.jobs or default_jobs(len(ids)))
    for outcome in outcomes:
        print(f"{cs.out / outcome.id}: {outcome.status}")
    print(cs.out / "manifest.json")
    failed = [o for o in outcomes if o.status == "failed"]
    for outcome in failed:
        print(f"symhw: variant {outcome.id} failed: {outcome.reason}", file=sys.stderr)
    if failed:
        print(
            f"symhw: {len(failed)} of {len(outcomes)} variants failed "
            f"({', '.join(o.id for o in failed)}); the others are written, and a rerun "
            "redoes only what is missing",
            file=sys.stderr,
        )
    return 1 if failed else 0


def _check(args: argparse.Namespace, own_process: bool) -> int:
    """``symhw check``: the verdicts on a claims file, printed, or written as files."""
    from symhw.checker.claims import builtin_claims
    from symhw.checker.reading import read_files

    if args.format is not None and args.output is None:
        raise InputError(
            "says which files -o writes; give -o DIR too (the terminal shows Markdown, or "
            "JSON with --json)",
            field="--format",
        )
    formats = _check_formats(args.format)
    # a class's files are read in workers forked now, while the checker is imported here
    files = read_files(args.claims, meanwhile=_import_checker) or [builtin_claims()]
    from symhw.checker.batch import reports_data

    if own_process:
        _imported()
    reports = reports_data(files)  # the problems judged side by side, each solved once
    if args.output is None:
        from symhw.render.check_markdown import feedback
        from symhw.render.json import dump_answers

        shown = [dump_answers(d) if args.json else feedback(d) for d in reports]
        sys.stdout.write("\n".join(shown))
    else:
        from symhw.feedback import feedback_files
        from symhw.sheet import atomic_write_all, output_directory

        stems = [f"{Path(p).stem}-check" for p in args.claims] or ["hw2-check"]
        if len(set(stems)) != len(stems):
            raise InputError(
                "two claims files have one name: their reports would clash", field="-o"
            )
        out = output_directory(args.output)
        files = feedback_files(reports, [out / s for s in stems], formats)
        out.mkdir(parents=True, exist_ok=True)
        for path in atomic_write_all(files):
            print(path)
    wrong = any(data["counts"]["wrong"] > 0 for data in reports)
    return 3 if args.fail_on == "wrong" and wrong else 0


def _grade(args: argparse.Namespace, own_process: bool) -> int:
    """``symhw grade``: every input checked first, then the class graded and its files
    written at once; the files not graded are listed (they are in the summary too)."""
    from symhw.grading.files import write_grades
    from symhw.grading.manifest import read_manifest
    from symhw.grading.run import find_submissions, grade_class

    formats = _check_formats(args.format)
    manifest = read_manifest(args.manifest)
    subs = find_submissions(args.submissions, manifest)
    if own_process:
        _imported()
    data = grade_class(manifest, subs, args.jobs)
    for path in write_grades(data, args.output, formats):
        print(path)
    for f in data["not_graded"]:
        print(f"symhw: not graded: {f['file']}: {f['why']}", file=sys.stderr)
    return 0


def _template(args: argparse.Namespace) -> int:
    """``symhw template``: every answer of a problem set as a line a student fills in; the
    set named as a claims file at the output's place finds it (a path from its folder)."""
    from symhw.checker.template import solved_template, template_data
    from symhw.pool import default_jobs, ordered_map
    from symhw.render.claims_template import claims_template
    from symhw.sheet import atomic_write, problem_cost
    from symhw.spec import BUILTIN, load_problem_set

    problem_set = load_problem_set(args.spec)
    out = None if args.output is None else Path(args.output)
    if out is not None and out.is_dir():
        raise InputError(f"{out} is a folder: give a file's path (claims.toml)", field="-o")
    if out is not None and not out.absolute().parent.is_dir():
        raise InputError(f"{out.parent} does not exist: make it first", field="-o")
    written = BUILTIN
    if args.spec is not None:
        base = Path.cwd() if out is None else out.absolute().parent
        written = Path(os.path.relpath(Path(args.spec).absolute(), base)).as_posix()
    jobs = default_jobs(len(problem_set.problems))
    problems = ordered_map(solved_template, problem_set.problems, jobs, problem_cost)
    text = claims_template(template_data(problem_set, problems, written))
    if out is None:
        sys.stdout.write(text)
    else:
        print(atomic_write(out, text.encode()))
    return 0


def _import_checker() -> None:
    """What checking claims and writing their feedback import (SymPy, lark, the problems,
    the renderers), imported ahead of their first use."""
    import symhw.checker.batch
    import symhw.feedback  # noqa: F401


def _check_formats(arg: str | None) -> tuple[str, ...]:
    """The formats of ``symhw check -o``: as given (each known: the sheet's), else all
    (PDF where pdflatex is)."""
    from symhw.formats import check_formats

    return check_formats(_formats(arg))


def _imported() -> None:
    """The heavy imports are done (:func:`run` switched the cyclic garbage collector off
    for them): everything loaded so far stays for the whole run, so it is moved out of the
    collector's sight (``gc.freeze``; forked workers share it untouched), and collection
    resumes for the solving.

    Imports make almost no cyclic garbage, yet with SymPy loaded each full collection walks
    every object of SymPy's: about 0.04 s of collections while importing, in a run of 1 s.
    """
    gc.freeze()
    gc.enable()


def _stopped(e: KeyboardInterrupt) -> int:
    """Report a stop in one line; its exit status (128 + the signal)."""
    signals.stopped()
    terminated = isinstance(e, Terminated)
    print(f"symhw: {'terminated' if terminated else 'interrupted'}", file=sys.stderr)
    return 128 + (signal.SIGTERM if terminated else signal.SIGINT)


def main(argv: Sequence[str] | None = None, *, own_process: bool = False) -> int:
    """Entry point of the ``symhw`` command; returns the exit status.

    ``own_process``: this process is the command itself, not a caller's (a test, a
    notebook), so it may start a guardian process (see :mod:`symhw.cleanup`).
    """
    try:
        return _run(_parser().parse_args(argv), own_process)
    except InputError as e:
        print(f"symhw: error: {e}", file=sys.stderr)
        return 2
    except SymhwError as e:
        print(f"symhw: internal error: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt as e:  # Ctrl-C, or SIGTERM (Terminated)
        return _stopped(e)
    except BrokenPipeError:  # `symhw answers | head`: the reader has what it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no error at exit
        return 0


def run() -> None:
    """The ``symhw`` command and ``python -m symhw``: :func:`main`, then exit at once.

    By then every file is written and closed and every worker has exited; what is left is
    the interpreter's teardown, which frees SymPy's caches object by object (~0.08 s, a
    tenth of a sheet's run). Output is flushed, then the process ends without it.
    SIGTERM stops a run as Ctrl-C does (from the first line: nothing heavy is imported yet).
    """
    signals.install()  # from here, main catches them
    gc.disable()  # until the imports are done (see _imported)
    try:
        status = main(own_process=True)
        signals.ignore()  # the work is done: a late Ctrl-C changes nothing now
    except KeyboardInterrupt as e:  # one that came as main returned
        signals.ignore()
        status = _stopped(e)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:  # the reader left between main's last write and this flush
        pass
    os._exit(status)


if __name__ == "__main__":
    run()
