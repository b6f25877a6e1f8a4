"""The command line: parse arguments, call the library, map errors to exit statuses.

Exit status 0: done; 2: bad input or usage; 1: internal error.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from collections.abc import Sequence

from symhw.errors import InputError, SymhwError


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
    answers = sub.add_parser("answers", help="print the answers of a problem set")
    answers.add_argument("spec", nargs="?", help="problem-set TOML file (default: built-in HW2)")
    answers.add_argument("--json", action="store_true", help="print a JSON object")
    sub.add_parser("list", help="list the problem kinds and their parameters")
    return parser


def _formats(arg: str | None) -> tuple[str, ...]:
    from symhw.sheet import tex_available

    if arg is None:
        return ("tex", "pdf", "md", "json") if tex_available() else ("tex", "md", "json")
    return tuple(f.strip() for f in arg.split(",") if f.strip())


def _run(args: argparse.Namespace) -> int:
    if args.command == "list":
        from symhw.problems import KINDS

        for kind in KINDS.values():
            print(f"{kind.name}: {kind.summary}")
            for f in dataclasses.fields(kind.params):
                default = "" if f.default is dataclasses.MISSING else f" (default {f.default!r})"
                print(f"    {f.name}: {f.metadata['help']}{default}")
        return 0

    from symhw.spec import load_problem_set

    problem_set = load_problem_set(args.spec)
    if args.command == "sheet":
        from symhw.sheet import write_sheet

        if args.format is None and "pdf" not in _formats(None):
            print(
                "symhw: pdflatex not found: writing tex, md and json without pdf", file=sys.stderr
            )
        for path in write_sheet(problem_set, args.output, _formats(args.format)):
            print(path)
        return 0
    from symhw.render.json import answers, answers_document
    from symhw.sheet import solve_all

    solutions = solve_all(problem_set)
    if args.json:
        sys.stdout.write(answers_document(solutions))
    else:
        for sol in solutions:
            for name, value in answers(sol).items():
                print(f"{sol.problem_id}.{name} = {value}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``symhw`` command; returns the exit status."""
    args = _parser().parse_args(argv)
    try:
        return _run(args)
    except InputError as e:
        print(f"symhw: error: {e}", file=sys.stderr)
        return 2
    except SymhwError as e:
        print(f"symhw: internal error: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
