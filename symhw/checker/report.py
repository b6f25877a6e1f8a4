"""A claims file checked whole: its problem set loaded and solved, each problem's claims
judged in order (:func:`check_file`), and the outcome as plain data (:func:`report_data`:
text, numbers, lists and dicts, in the fixed vocabulary of the verdicts) that the
renderers lay out and JSON holds as it is."""

from __future__ import annotations

import functools
import re
from collections import Counter
from dataclasses import dataclass
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
from symhw.problems import KINDS
from symhw.problems.mlp_backprop.nodes import Fixed
from symhw.render.decimals import fixed_point
from symhw.render.expr import latex, text
from symhw.spec import ProblemSet, load_problem_set


@dataclass(frozen=True)
class Report:
    """The verdicts on every claim of a file, by problem, in file order."""

    claims: ClaimsFile
    problem_set: ProblemSet
    verdicts: tuple[Verdict, ...]

    def counts(self) -> dict[str, int]:
        """How many claims got each verdict (every verdict listed, 0 where none did)."""
        found = Counter(v.verdict for v in self.verdicts)
        return {name: found[name] for name in VERDICTS}

    def data(self) -> dict[str, Any]:
        """The report as plain data (:func:`report_data`), as JSON holds it."""
        return report_data(self)

    def _repr_markdown_(self) -> str:  # Jupyter: the feedback sheet
        from symhw.render.check_markdown import feedback

        return feedback(report_data(self))


def check_file(claims: ClaimsFile, solved: dict | None = None) -> Report:
    """Load the problem set a claims file names, solve the problems it has claims on, and
    judge every claim. A problem id the set does not have is bad input (exit 2).
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
    for problem_id in claims.problems:
        if (key, problem_id) not in solved:
            solved[key, problem_id] = solve(problem_set, problem_id)
        verdicts += check_claims(claims.of(problem_id), solved[key, problem_id])
    return Report(claims, problem_set, tuple(verdicts))


def claims_problem_set(claims: ClaimsFile, loaded: dict) -> tuple[str | None, ProblemSet]:
    """The key (None: built in; else its path) and the problem set a claims file names,
    loaded once per key into ``loaded``; a problem id the set does not have is bad input."""
    ref = claims.problem_set
    key = None if ref.builtin else str(ref.path)
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


def report_data(report: Report) -> dict[str, Any]:
    """The report as plain data: the file's title and source, the counts, and per claim
    its place, what was written, the verdict and what it rests on."""
    return {
        "title": report.claims.title,
        "source": report.claims.source,
        "problem_set": report.problem_set.name,
        "counts": report.counts(),
        "claims": [_claim_data(v) for v in report.verdicts],
    }


def _claim_data(v: Verdict) -> dict[str, Any]:
    return claim_data(v.claim, verdict_data(v))


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
        out["step"] = {"member": v.step.index + 1, "why": v.step.why}
    if v.label is not None:
        out["label"] = {
            "written": v.label.written,
            "as_written": _expr(_label_symbol(v.label.written)),
            "stands_for": _expr(_approximately(v.label.value)),
            "ok": v.label.ok,
        }
    if v.slips:
        out["slips"] = [
            {"written": s.written, "expected": s.expected, "in": s.where} for s in v.slips
        ]
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
    }


def _decimal(value) -> str:
    """A number as decimals: all of them where it terminates within 12 (−0.87552), else to
    :data:`SHOWN_DECIMALS` more than that would need (−1.3503)."""
    if isinstance(value, sp.Rational):
        for places in range(13):
            if (value * 10**places).is_Integer:
                return fixed_point(value, places)
    return fixed_point(value, SHOWN_DECIMALS)


def _number(value, decimals: int | None) -> str:
    """A written number as it was written: its decimals kept (0.60, not 3/5)."""
    if decimals is None or decimals < 0:
        return text(value)
    return fixed_point(value, decimals)


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
    }
