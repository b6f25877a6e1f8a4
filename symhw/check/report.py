"""A claims file checked whole: its problem set loaded and solved, each problem's claims
judged in order (:func:`check_file`), and the outcome as plain data (:func:`report_data`:
text, numbers, lists and dicts, in the fixed vocabulary of the verdicts) that the
renderers lay out and JSON holds as it is."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from symhw.check.claims import ClaimsFile
from symhw.check.context import problem_context
from symhw.check.verdict import VERDICTS, Verdict, check_claims
from symhw.errors import InputError, quote
from symhw.problems import KINDS
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


def check_file(claims: ClaimsFile) -> Report:
    """Load the problem set a claims file names, solve the problems it has claims on, and
    judge every claim. A problem id the set does not have is bad input (exit 2)."""
    ref = claims.problem_set
    problem_set = load_problem_set(None if ref.builtin else ref.path)
    specs = {p.id: p for p in problem_set.problems}
    missing = [p for p in claims.problems if p not in specs]
    if missing:
        raise InputError(
            f"{quote(missing[0])} is not a problem of {quote(problem_set.name)}; "
            f"its problems are {', '.join(specs)}",
            field=missing[0],
        )
    verdicts: list[Verdict] = []
    for problem_id in claims.problems:
        spec = specs[problem_id]
        solution = KINDS[spec.kind].solve(spec.params, spec.id, spec.title)
        verdicts += check_claims(claims.of(problem_id), problem_context(spec, solution))
    return Report(claims, problem_set, tuple(verdicts))


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
    claim = v.claim
    out: dict[str, Any] = {
        "problem": claim.problem,
        "field": claim.field,
        "name": claim.name,
        "source": claim.source,
        "verdict": v.verdict,
        "value_verdict": v.value_verdict or None,
        "written": _expr(v.written),
        "expected": _expr(v.expected.value) if v.expected is not None else None,
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
            "stands_for": _expr(v.label.value),
            "ok": v.label.ok,
        }
    if v.slips:
        out["slips"] = [
            {"written": s.written, "expected": s.expected, "in": s.where} for s in v.slips
        ]
    if claim.note:
        out["note"] = claim.note
    return out


def _expr(value: object) -> dict[str, str] | None:
    """A value as text and LaTeX (None when there is none)."""
    if value is None:
        return None
    return {"text": text(value), "latex": latex(value)}


def _entry(e) -> dict[str, Any]:
    return {
        "index": [i + 1 for i in e.index],
        "written": _number(e.written.value, e.written.decimals),
        "decimals": e.written.decimals,
        "verdict": e.verdict,
        "exact": text(e.exact),
        "expected": text(e.expected),
        "explained_by": text(e.explained_by) if e.explained_by is not None else None,
        "truncated": e.truncated,
    }


def _number(value, decimals: int | None) -> str:
    """A written number as it was written: its decimals kept (0.60, not 3/5)."""
    if decimals is None or decimals < 0:
        return text(value)
    return fixed_point(value, decimals)


def _terms(d) -> dict[str, Any]:
    return {
        "swapped": [
            {"written": text(s.written), "expected": text(s.expected)}
            for p in d.pairs
            for s in p.swaps
        ],
        "factors": [
            {"written": text(p.written), "expected": text(p.expected), "factor": text(p.factor)}
            for p in d.pairs
            if p.factor != 1
        ],
        "missing": [text(t) for t in d.missing],
        "extra": [text(t) for t in d.extra],
    }
