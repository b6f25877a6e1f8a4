"""A claims file checked whole: its problem set loaded and solved, each problem's claims
judged in order (:func:`check_file`), and the outcome as plain data (:func:`report_data`:
text, numbers, lists and dicts, in the fixed vocabulary of the verdicts) that the
renderers lay out and JSON holds as it is."""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import sympy as sp

from symhw.checker.claims import Claim, ClaimsFile
from symhw.checker.context import problem_context
from symhw.checker.names import NameTable
from symhw.checker.parse import parse
from symhw.checker.syntax import ClaimSyntaxError
from symhw.checker.values import decimal_at
from symhw.checker.verdict import VERDICTS, Problem, Verdict, check_claims
from symhw.errors import InputError, quote
from symhw.memo import forgettable
from symhw.problems import KINDS
from symhw.problems.mlp_backprop.nodes import Fixed
from symhw.render.decimals import fixed_point
from symhw.render.expr import latex, text
from symhw.render.places import KeyPlace, key_places
from symhw.spec import ProblemSet, load_problem_set


@dataclass(frozen=True)
class KeyProblem:
    """A problem as the answer key shows it: its title, and where the key derives a value
    (by name and label)."""

    title: str
    place: Callable[[str | None, object], KeyPlace]


@dataclass(frozen=True)
class Report:
    """The verdicts on every claim of a file, by problem, in file order."""

    claims: ClaimsFile
    problem_set: ProblemSet
    verdicts: tuple[Verdict, ...]
    #: Per problem id with claims: its title and where the answer key derives each value
    #: (:func:`symhw.render.places.key_places`).
    problems: Mapping[str, KeyProblem] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        """How many claims got each verdict (every verdict listed, 0 where none did)."""
        return _counts(v.verdict for v in self.verdicts)

    def data(self) -> dict[str, Any]:
        """The report as plain data (:func:`report_data`), as JSON holds it."""
        return report_data(self)

    def __repr__(self) -> str:  # not the whole problem set and every verdict
        counts = ", ".join(f"{n} {v}" for v, n in self.counts().items() if n)
        n = len(self.verdicts)
        return f"<Report on {self.problem_set.name}: {n} claim{'' if n == 1 else 's'}, {counts}>"

    def _repr_markdown_(self) -> str:  # Jupyter: the feedback sheet
        from symhw.render.check_markdown import feedback

        return feedback(report_data(self))

    def _repr_latex_(self) -> str:  # Jupyter (MathJax): the feedback sheet, a display a claim
        from symhw.render.check_notebook import feedback

        return feedback(report_data(self))


def _counts(verdicts: Iterable[str]) -> dict[str, int]:
    found = Counter(verdicts)
    return {name: found[name] for name in VERDICTS}


#: The name issue 12 gives the result of ``symhw.check``: the same class.
CheckReport = Report


def check_file(claims: ClaimsFile, solved: dict | None = None) -> Report:
    """Load the problem set a claims file names (or take the one given loaded, from
    Python), solve the problems it has claims on, and judge every claim. A problem id the
    set does not have is bad input (exit 2).
    ``solved`` keeps the problem sets and solved problems between files (a class's 200
    files on one homework solve it once)."""
    if not isinstance(claims, ClaimsFile):
        raise TypeError(
            f"expected a ClaimsFile, got {type(claims).__name__}: read one with "
            "symhw.checker.claims.read_claims(path) or claims_from_text(text)"
        )
    solved = {} if solved is None else solved
    key, problem_set = claims_problem_set(claims, solved)
    verdicts: list[Verdict] = []
    problems: dict[str, KeyProblem] = {}
    for problem_id in claims.problems:
        if (key, problem_id) not in solved:
            solved[key, problem_id] = solve(problem_set, problem_id)
        problem = solved[key, problem_id]
        verdicts += check_claims(claims.of(problem_id), problem)
        if ("key", key, problem_id) not in solved:
            solved["key", key, problem_id] = key_problem(problem)
        problems[problem_id] = solved["key", key, problem_id]
    return Report(claims, problem_set, tuple(verdicts), problems)


def claims_problem_set(claims: ClaimsFile, loaded: dict) -> tuple[object, ProblemSet]:
    """The key (None: built in; a path; or the identity of a set given loaded, from
    Python) and the problem set a claims file names, loaded once per key into ``loaded``;
    a problem id the set does not have is bad input."""
    ref = claims.problem_set
    key: object = None if ref.builtin else str(ref.path)
    if ref.loaded is not None:  # held by `loaded` from here on, so its id stays its own
        key = ("loaded", id(ref.loaded))
        loaded.setdefault(("set", key), ref.loaded)
    if ("set", key) not in loaded:
        loaded["set", key] = load_problem_set(None if ref.builtin else ref.path)
    problem_set = loaded["set", key]
    specs = [p.id for p in problem_set.problems]
    missing = [p for p in claims.problems if p not in specs]
    if missing:
        raise InputError(
            f"{quote(missing[0])} is not a problem of {quote(problem_set.name)}; "
            f"its problems are {', '.join(specs)}",
            field=missing[0],
        )
    return key, problem_set


def solve(problem_set: ProblemSet, problem_id: str) -> Problem:
    """One problem of a set solved, with everything its claims are checked against."""
    spec = next(p for p in problem_set.problems if p.id == problem_id)
    solution = KINDS[spec.kind].solve(spec.params, spec.id, spec.title)
    return problem_context(spec, solution)


def key_problem(problem: Problem) -> KeyProblem:
    """A solved problem as its answer key shows it (title, where each value is derived)."""
    return KeyProblem(problem.solution.title, key_places(problem.solution))


def report_data(report: Report) -> dict[str, Any]:
    """The report as plain data: the file's title and source, the counts, where the answer
    key is, per problem its title and counts, and per claim its place, what was written,
    the verdict and what it rests on, and where the key derives it."""
    sheet = report.problem_set.name
    claims = [claim_report(v, sheet, report.problems.get(v.claim.problem)) for v in report.verdicts]
    about = {pid: problem_about(p) for pid, p in report.problems.items()}
    return file_data(report.claims, report.problem_set, claims, about)


def file_data(
    claims: ClaimsFile, problem_set: ProblemSet, data: list[dict], about: dict[str, dict]
) -> dict[str, Any]:
    """A file's report data from its claims' (:func:`claim_report`, in file order) and
    its problems' titles and anchors (:func:`problem_about`): the one form of the report,
    whether the file was checked alone or with others (:mod:`symhw.checker.batch`)."""
    ordered = [c for p in claims.problems for c in claims.of(p)]
    return {
        "title": claims.title,
        "source": claims.source,
        "problem_set": problem_set.name,
        "counts": _counts(d["verdict"] for d in data),
        "answer_key": _answer_key(claims, problem_set),
        "problems": [
            {
                "id": pid,
                **info,
                "counts": _counts(d["verdict"] for d in data if d["problem"] == pid),
            }
            for pid, info in about.items()
        ],
        "claims": _with_sources(ordered, data),
    }


def claim_report(v: Verdict, sheet: str, problem: KeyProblem | None) -> dict[str, Any]:
    """One claim's data (:func:`claim_data`) with where the answer key ``sheet`` derives
    it (None where no key is known)."""
    data = claim_data(v.claim, verdict_data(v))
    data["key"] = None if problem is None else place_data(sheet, problem, v)
    return data


def problem_about(problem: KeyProblem) -> dict[str, str]:
    """A problem's title and the anchor of its question in the answer key."""
    return {"title": problem.title, "anchor": problem.place(None, None).anchor}


def _answer_key(claims: ClaimsFile, problem_set: ProblemSet) -> dict[str, Any]:
    """The answer key the claims' places are in: the file stem ``symhw sheet`` writes it
    under (``hw2``: hw2.pdf, hw2.md), and the problem set it is made from, as the claims
    file names it (``builtin``: symhw's own HW2)."""
    ref = claims.problem_set
    builtin = ref.builtin or (ref.path is None and ref.loaded == load_problem_set())
    return {"sheet": problem_set.name, "problem_set": ref.written, "builtin": builtin}


def place_data(sheet: str, problem: KeyProblem, v: Verdict) -> dict[str, Any]:
    """Where the answer key ``sheet`` derives what a claim is about (its name's box, the
    appendix part, or its question): the key's file stem and the anchor there."""
    label = v.expected.label if v.expected is not None else None
    place = problem.place(v.claim.quantity, label)
    return {"sheet": sheet, "anchor": place.anchor, "at": place.at, "title": place.title or None}


def _with_sources(claims: list[Claim], data: list[dict]) -> list[dict[str, Any]]:
    """The claims' data, a carried entry's sources named as the claims of this file they
    are (the last claim on that quantity before it)."""
    before: dict = {}
    for claim, d in zip(claims, data, strict=True):
        sources = dict.fromkeys(q for e in d.get("entries", ()) for q in e["carried_from"])
        if sources:
            d["carried_from"] = [before[claim.problem, q] for q in sources]
        if claim.name is not None and not claim.entry:
            before[claim.problem, claim.quantity] = {
                "name": claim.quantity,
                "field": claim.field,
                "source": claim.source,
            }
    return data


def claim_data(claim: Claim, said: dict[str, Any]) -> dict[str, Any]:
    """One claim's data: where it is, then what its verdict says (:func:`verdict_data`)."""
    place = {
        "problem": claim.problem,
        "field": claim.field,
        "name": claim.name,
        "source": claim.source,
    }
    out = {**place, **said}
    if claim.note:
        out["note"] = claim.note
    return out


def verdict_data(v: Verdict) -> dict[str, Any]:
    """What a verdict says, whatever claim it is on, as data: worked out once for a
    verdict repeated in many files (the same dict each time: do not change it)."""
    try:
        return _verdict_data(v.on(None))
    except TypeError:  # something unhashable: worked out here
        return _verdict_data.__wrapped__(v)


@forgettable
@functools.lru_cache(maxsize=4096)
def _verdict_data(v: Verdict) -> dict[str, Any]:
    out: dict[str, Any] = {
        "verdict": v.verdict,
        "value_verdict": v.value_verdict or None,
        "written": _expr(_as_written(v.written, v.decimals)),
        "expected": _expr(_approximately(v.expected.value)) if v.expected is not None else None,
        "why": v.why or None,
    }
    if v.entries:
        out["entries"] = [_entry(e) for e in v.entries]
    if v.terms is not None and not v.terms.same:
        out["terms"] = _terms(v.terms)
    if v.cells:
        out["cells"] = [
            {"row": c.index[0] + 1, "column": c.index[1] + 1, "written": _expr(c.written),
             "expected": _expr(c.expected), "terms": _terms(c.terms) if c.terms else None}
            for c in v.cells
        ]  # fmt: skip
    if v.step is not None:
        out["step"] = {
            "member": v.step.index + 1,
            "line": None if v.step.line is None else v.step.line + 1,
            "text": v.step.text,
            "why": v.step.why,
            "entries": [_entry(e) for e in v.step.entries],
            "point": [{"symbol": _expr(k), "value": _expr(x)} for k, x in v.step.point],
            "sides": _sides(v.step),
        }
    if v.label is not None:
        out["label"] = {
            "written": v.label.written,
            "as_written": _expr(_label_symbol(v.label.written)),
            "stands_for": _expr(_approximately(v.label.value)),
            "ok": v.label.ok,
        }
    if v.equals is not None:
        out["equals"] = {"name": v.equals.name, "label": _expr(v.equals.label)}
    if v.slips:
        out["slips"] = [
            {"written": s.written, "expected": s.expected, "in": s.where} for s in v.slips
        ]
    return out


def _sides(step) -> list[dict[str, Any]] | None:
    """The two expressions that differ at a step's counterexample point, each with its
    value there (to :data:`SHOWN_DECIMALS` decimals)."""
    if step.sides is None:
        return None
    at = dict(step.point)
    out = []
    for side in step.sides:
        value = side.xreplace(at) if isinstance(side, sp.Basic) else None
        shown = value if isinstance(value, sp.Expr) and value.is_number else None
        out.append({"expr": _expr(side), "value": _expr(_approximately(shown))})
    return out


#: Decimals of an exact value shown beside a claim when it is not a rational number.
SHOWN_DECIMALS = 4


def _as_written(value: object, decimals: object) -> object:
    """Numbers with the digits they were written with (0.60, not 3/5)."""
    if isinstance(value, sp.MatrixBase):
        return sp.ImmutableMatrix(
            value.rows,
            value.cols,
            lambda i, j: _as_written(value[i, j], decimal_at(decimals, i, j)),
        )
    while isinstance(decimals, tuple) and len(decimals) == 1:  # [−1.48]: one number
        decimals = decimals[0]
    if isinstance(decimals, int) and decimals >= 0 and isinstance(value, sp.Rational):
        return Fixed(value, decimals)
    return value


def _approximately(value: object) -> object:
    """An exact number that is not rational (tanh(7/10)) to :data:`SHOWN_DECIMALS`
    decimals, for reading; symbols and rationals as they are."""
    if isinstance(value, sp.MatrixBase):
        return value.applyfunc(_approximately)
    if isinstance(value, sp.Expr) and value.is_number and not value.is_Rational:
        return Fixed(value, SHOWN_DECIMALS)
    return value


def _label_symbol(text_written: str) -> object:
    """A label as the writer's own symbol (read with no names: g^1, δ^2), for display; None
    where it cannot be read that way."""
    base = re.match(r"\\?([A-Za-z]+)", text_written.strip())
    as_index = NameTable({}, frozenset({base.group(1)} if base else ()))  # g^1: g, index 1
    try:
        return parse(text_written, as_index).value
    except ClaimSyntaxError:
        return None


def _expr(value: object) -> dict[str, str] | None:
    """A value as text and LaTeX (None when there is none)."""
    if value is None:
        return None
    return {"text": text(value), "latex": latex(value)}


def _entry(e) -> dict[str, Any]:
    places = e.written.decimals
    return {
        "index": [i + 1 for i in e.index],
        "written": _number(e.written.value, places),
        "decimals": places,
        "verdict": e.verdict,
        "exact": _decimal(e.exact),
        "expected": _number(e.expected, places),
        "explained_by": _decimal(e.explained_by) if e.explained_by is not None else None,
        "truncated": e.truncated,
        "carried_from": list(e.carried_from),
    }


def _decimal(value) -> str:
    """A number as decimals: all of them where it terminates within 12 (−0.87552), else to
    :data:`SHOWN_DECIMALS` more than that would need (−1.3503)."""
    if isinstance(value, sp.Rational) and _terminates(value):
        return fixed_point(value, _places(value))
    return fixed_point(value, SHOWN_DECIMALS)


def _number(value, decimals: int | None) -> str:
    """A written number as it was written: its decimals kept (0.60, not 3/5); one written
    exactly as a decimal where it is one ((1 − 0.9²)(2)(−3.6) = −1.368), else as a
    fraction (17/18), and a value that is not rational to a few decimals (−1.3490)."""
    if decimals is not None and decimals >= 0:
        return fixed_point(value, decimals)
    if isinstance(value, sp.Rational) and not _terminates(value):
        return text(value)
    if decimals is not None or not (isinstance(value, sp.Expr) and value.is_number):
        return text(value)
    return _decimal(value)


def _places(value: sp.Rational) -> int | None:
    """How many decimals a rational number has, where they end within 12 places."""
    return next((k for k in range(13) if (value * 10**k).is_Integer), None)


def _terminates(value: sp.Rational) -> bool:
    return _places(value) is not None


def _terms(d) -> dict[str, Any]:
    return {
        "swapped": [
            {"written": _expr(s.written), "expected": _expr(s.expected)}
            for p in d.pairs
            for s in p.swaps
        ],
        "factors": [
            {"written": _expr(p.written), "expected": _expr(p.expected), "factor": text(p.factor)}
            for p in d.pairs
            if p.factor != 1
        ],
        "missing": [_expr(t) for t in d.missing],
        "extra": [_expr(t) for t in d.extra],
        "whole": None if d.whole is None else {"text": text(d.whole), "latex": latex(d.whole)},
    }
