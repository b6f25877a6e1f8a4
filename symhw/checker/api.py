"""``symhw.check`` and ``symhw.solve``: answers someone wrote, checked from Python (a
notebook, a grading script), as ``symhw check`` does on the command line.

Two forms of :func:`check`: ``check(claims)``, the claims naming their problem set as a
claims file does, and ``check(problem_set, claims)``, the set given first and the claims
per problem (``{"q2": {"delta2": -1.368}}``). Every argument is checked: a wrong kind of
value is a TypeError naming the argument, wrong content an InputError naming the field."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import Any, overload

from symhw.checker.claims import (
    ClaimsFile,
    ProblemSetRef,
    builtin_claims,
    claims_from_data,
    read_claims,
)
from symhw.checker.python_values import from_python
from symhw.checker.report import Report, check_file
from symhw.checker.solved import SolvedProblem
from symhw.errors import InputError, quote
from symhw.problems import KINDS
from symhw.spec import BUILTIN, ProblemSet, load_problem_set

#: A problem set from Python: ``"hw2"`` (built in), a problem-set file's path, or loaded.
ProblemSetArg = str | os.PathLike | ProblemSet
#: Claims from Python: a claims file's path, a ClaimsFile, or its data as a dict.
ClaimsArg = str | os.PathLike | ClaimsFile | dict[str, Any]

_MISSING: Any = object()
_FORMS = "check(claims) or check(problem_set, claims)"


@overload
def check(claims: ClaimsArg | None = None, /) -> Report: ...
@overload
def check(problem_set: ProblemSetArg, claims: ClaimsArg, /) -> Report: ...
def check(*args: Any, problem_set: Any = _MISSING, claims: Any = _MISSING) -> Report:
    """Check claims and return the :class:`~symhw.checker.report.Report` (in a notebook it
    shows itself as the feedback sheet).

    ``check(claims)``: a claims file's path, a :class:`~symhw.checker.claims.ClaimsFile`,
    or the same data as a dict naming its set (``{"problem_set": "hw2", "q3": {...}}``);
    with no argument, the built-in handwritten HW2. ``check(problem_set, claims)``: the
    set (``"hw2"``, a problem-set file's path, or a loaded
    :class:`~symhw.spec.ProblemSet`), then the claims, which need not name it (and if
    they do, it must be the same set). Both arguments may be given by keyword.

    >>> report = check("hw2", {"q3": {"basic_params_bias": 18495}})
    >>> report.counts()["wrong"], report.verdicts[0].expected.value
    (1, 18496)
    """
    given, claims = _arguments(args, problem_set, claims)
    if given is _MISSING:
        return check_file(_claims(claims, None))
    return check_file(_claims(claims, _problem_set(given, "problem_set")))


def solve(problem_set: ProblemSetArg, problem_id: str) -> SolvedProblem:
    """Solve one problem of a set, to show it (in Jupyter, its derivations as math) and to
    check claims on it one at a time (:meth:`~symhw.checker.solved.SolvedProblem.check`).

    >>> q3 = solve("hw2", "q3")
    >>> q3.answer("basic_params_bias").value, q3.check("basic_params_bias", 18495).verdict
    (18496, 'wrong')
    """
    ref = _problem_set(problem_set, "problem_set")
    specs = {p.id: p for p in ref.loaded.problems}
    if not isinstance(problem_id, str):
        raise TypeError(
            f"problem_id: expected a problem id such as {next(iter(specs))!r}, got "
            f"{type(problem_id).__name__}"
        )
    if problem_id not in specs:
        raise InputError(
            f"{quote(problem_id)} is not a problem of {quote(ref.loaded.name)}; its problems "
            f"are {', '.join(specs)}",
            field="problem_id",
        )
    spec = specs[problem_id]
    solution = KINDS[spec.kind].solve(spec.params, spec.id, spec.title)
    return SolvedProblem(ref.loaded, spec, solution)


def _arguments(args: tuple, problem_set: Any, claims: Any) -> tuple[Any, Any]:
    """(problem set or _MISSING, claims or None) from the two forms of :func:`check`."""
    if len(args) > 2:
        raise TypeError(f"{_FORMS}: got {len(args)} arguments")
    if len(args) == 2:
        if problem_set is not _MISSING or claims is not _MISSING:
            raise TypeError(f"{_FORMS}: problem_set or claims given twice")
        return args
    if len(args) == 1:
        if claims is _MISSING:
            claims = args[0]
        elif problem_set is _MISSING:
            problem_set = args[0]
        else:
            raise TypeError(f"{_FORMS}: problem_set and claims given twice")
    return problem_set, None if claims is _MISSING else claims


def _problem_set(value: Any, argument: str) -> ProblemSetRef:
    """The set given from Python, loaded (a wrong file is an InputError naming it)."""
    if isinstance(value, ProblemSet):
        return ProblemSetRef(value.name, None, value)
    if not isinstance(value, str | os.PathLike) or isinstance(value, bytes):
        raise TypeError(
            f"{argument}: expected {BUILTIN!r} (the built-in set), a problem-set file's path "
            f"or a ProblemSet (symhw.load_problem_set(path)), got {type(value).__name__}"
        )
    text = _path_text(value, argument)
    if text == BUILTIN:
        return ProblemSetRef(BUILTIN, None, load_problem_set())
    path = Path(text).absolute()
    return ProblemSetRef(text, path, load_problem_set(path))


def _claims(claims: Any, given: ProblemSetRef | None) -> ClaimsFile:
    """The claims given from Python, as a ClaimsFile checked against ``given`` (the set
    given first, or None when the claims name theirs)."""
    if claims is None:
        if given is not None:
            raise TypeError(
                f"claims: give the claims to check on {quote(given.written)}, e.g. "
                '{"q3": {"basic_params_bias": 18496}}'
            )
        return builtin_claims()
    if isinstance(claims, dict):
        return _claims_data(from_python(claims), given)
    if isinstance(claims, str | os.PathLike) and not isinstance(claims, bytes):
        file = read_claims(_claims_path(claims, given))
    elif isinstance(claims, ClaimsFile):
        file = claims
    else:
        raise TypeError(
            "claims: expected a claims file's path, a ClaimsFile or a dict "
            '({"q3": {"basic_params_bias": 18496}}, naming the problem set as '
            f'"problem_set" or given first: {_FORMS}), got {type(claims).__name__}'
        )
    return file if given is None else _same_set(file, given)


def _claims_data(data: dict, given: ProblemSetRef | None) -> ClaimsFile:
    if "problem_set" in data:
        file = claims_from_data(data, "claims")
        return file if given is None else _same_set(file, given)
    if given is None:
        raise InputError(
            'the claims name no problem set: give it first, symhw.check("hw2", claims), '
            'or add "problem_set": "hw2" (or a problem-set file\'s path) to the dict',
            field="problem_set",
        )
    # Read as a file naming the built-in set would be, then given the set given instead.
    file = claims_from_data({"problem_set": BUILTIN, **data}, "claims")
    return replace(file, problem_set=given)


def _claims_path(claims: str | os.PathLike, given: ProblemSetRef | None) -> Path:
    text = _path_text(claims, "claims")
    if ("\n" in text or "=" in text) and not _exists(text):
        raise TypeError(
            "claims: a string is a claims file's path; for claims as TOML text use "
            "symhw.checker.claims.claims_from_text(text), or give them as a dict"
        )
    if given is None and text == BUILTIN and not _exists(text):
        raise TypeError(
            f"claims: {text!r} names a problem set, not claims: give the claims after it, "
            f'symhw.check({text!r}, {{"q3": {{"basic_params_bias": 18496}}}})'
        )
    return Path(text)


def _same_set(file: ClaimsFile, given: ProblemSetRef) -> ClaimsFile:
    """The claims, checked against the set given, which must be the one they name."""
    named = file.problem_set
    if named.loaded is None:
        named = replace(named, loaded=load_problem_set(None if named.builtin else named.path))
    if named.loaded != given.loaded:
        raise InputError(
            f"the claims name problem set {quote(named.written)}, a different set from the "
            f"one given, {quote(given.written)}: leave out one of them, or give the same",
            field="problem_set",
        )
    return replace(file, problem_set=given)


def _path_text(value: str | os.PathLike, argument: str) -> str:
    text = os.fspath(value)
    if not isinstance(text, str):
        raise TypeError(f"{argument}: give the path as text (str or pathlib.Path), not bytes")
    if "\x00" in text:
        raise InputError(f"{quote(text)} is not a path: it holds a NUL character", field=argument)
    return text


def _exists(text: str) -> bool:
    try:
        return Path(text).exists()
    except (OSError, ValueError):  # a NUL character, a name too long
        return False
