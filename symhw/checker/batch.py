"""Claims files checked together (``symhw check f1.toml ... fN.toml``, or one file), their
problems side by side: :func:`reports_data`.

Each problem of a set is solved once, and all the files' claims on it judged, in one
worker process (forked, as ``symhw sheet`` solves its problems), the costliest problem
first; the workers send back what each verdict says
(:func:`~symhw.checker.report.verdict_data`, one dict per distinct verdict however many files
repeat it), and each file's report data is put together here, in its own order. The data
are those of :func:`~symhw.checker.report.report_data` on each file checked alone.

The files reach the workers by the fork itself (:func:`symhw.pool.shared_map`): sent
through the pool's pipe, 200 files' claims took 0.3 s to pickle and unpickle.
"""

from __future__ import annotations

import functools
from typing import Any

from symhw.checker.claims import ClaimsFile
from symhw.checker.report import (
    claim_data,
    claims_problem_set,
    file_data,
    key_problem,
    place_data,
    problem_about,
    solve,
    verdict_data,
)
from symhw.checker.verdict import check_claims
from symhw.pool import default_jobs, shared_map
from symhw.spec import ProblemSet

#: Judging cost of a problem kind, roughly (solving it and judging HW2's claims on it; CPU
#: seconds x 100): only the order the workers take the problems in depends on it.
KIND_COST = {
    "mlp-backprop": 100,
    "activation-loss": 45,
    "conv-matrix": 30,
    "block-params": 15,
    "norm-shapes": 2,
}


def reports_data(files: list[ClaimsFile], jobs: int | None = None) -> list[dict[str, Any]]:
    """Each file's report data, the problems judged in ``jobs`` processes (default: one
    per CPU and problem; 1 judges here). A problem id a set does not have is bad input,
    found before anything is solved. A problem is solved once for all the files whose
    sets give it the same parameters (a class's variants share most of their problems)."""
    loaded: dict = {}
    keys = [claims_problem_set(claims, loaded)[0] for claims in files]
    sets: dict[str | None, ProblemSet] = {key: loaded["set", key] for key in keys}
    members: dict[tuple, list[tuple[int, str]]] = {}  # unit -> (file index, problem id)
    for i, (k, f) in enumerate(zip(keys, files, strict=True)):
        for p in f.problems:
            members.setdefault(_unit(sets[k], k, p), []).append((i, p))
    units = list(members)
    jobs = jobs if jobs is not None else default_jobs(len(units))
    batch = {"files": files, "keys": keys, "sets": sets, "units": units, "members": members}
    cost = functools.partial(_cost, batch)
    judged = shared_map(_judge, batch, range(len(units)), jobs, cost)  # by the fork
    said = {}  # (file index, problem id) -> (about, [(verdict data, place), ...])
    for unit, (about, out) in zip(units, judged, strict=True):
        for i, p in members[unit]:
            said[i, p] = (about, out[i])
    return [
        _report(f, sets[k], [said[i, p][1] for p in f.problems],
                {p: said[i, p][0] for p in f.problems})
        for i, (k, f) in enumerate(zip(keys, files, strict=True))
    ]  # fmt: skip


def _unit(problem_set: ProblemSet, key: object, problem_id: str) -> tuple:
    """What a problem is judged as: the answer key's name and the problem itself (its id,
    kind, title and parameters), so that the same problem in several sets is solved once;
    else (a problem that cannot be hashed) the set and the id."""
    spec = next(p for p in problem_set.problems if p.id == problem_id)
    try:
        hash(spec)
    except TypeError:
        return ("set", key, problem_id)
    return ("spec", problem_set.name, spec)


def _cost(batch: dict, n: int) -> int:
    i, problem_id = batch["members"][batch["units"][n]][0]
    problems = batch["sets"][batch["keys"][i]].problems
    return KIND_COST.get(next(p.kind for p in problems if p.id == problem_id), 50)


def _judge(batch: dict, n: int) -> tuple[dict[str, str], dict[int, list[tuple]]]:
    """One problem solved and every file's claims on it judged (in a worker): the problem's
    title and anchor in the answer key, and by file index, per claim what its verdict says
    and where the key derives it."""
    members = batch["members"][batch["units"][n]]
    first, problem_id = members[0]
    problem_set = batch["sets"][batch["keys"][first]]
    problem = solve(problem_set, problem_id)
    key_of = key_problem(problem)
    out = {
        i: [
            (verdict_data(v), place_data(problem_set.name, key_of, v))
            for v in check_claims(batch["files"][i].of(p), problem)
        ]
        for i, p in members
    }
    return problem_about(key_of), out


def _report(
    claims: ClaimsFile, problem_set: ProblemSet, said: list[list[tuple]], about: dict
) -> dict:
    """One file's report data (as :func:`~symhw.checker.report.report_data` makes it)."""
    ordered = [c for p in claims.problems for c in claims.of(p)]
    pairs = [pair for per_problem in said for pair in per_problem]
    data = [
        {**claim_data(c, d), "key": place} for c, (d, place) in zip(ordered, pairs, strict=True)
    ]
    return file_data(claims, problem_set, data, about)
