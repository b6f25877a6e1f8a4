"""``symhw.check``: answers someone wrote, checked from Python (a notebook, a grading
script), as ``symhw check`` does on the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from symhw.checker.claims import ClaimsFile, builtin_claims, claims_from_data, read_claims
from symhw.checker.report import Report, check_file


def check(claims: ClaimsFile | str | Path | dict[str, Any] | None = None) -> Report:
    """Check claims and return the :class:`~symhw.checker.report.Report` (in a notebook it
    shows itself as the feedback sheet).

    ``claims``: a claims file's path, a :class:`~symhw.checker.claims.ClaimsFile`, or the
    same data as a dict (``{"problem_set": "hw2", "q3": {"basic_params_bias": 18496}}``);
    default: the built-in handwritten HW2.

    >>> report = check({"problem_set": "hw2", "q3": {"basic_params_bias": 18495}})
    >>> report.counts()["wrong"], report.verdicts[0].expected.value
    (1, 18496)
    """
    if claims is None:
        claims = builtin_claims()
    elif isinstance(claims, str | Path):
        claims = read_claims(claims)
    elif isinstance(claims, dict):
        claims = claims_from_data(claims, "claims")
    elif not isinstance(claims, ClaimsFile):
        raise TypeError(
            f"expected a claims file's path, a ClaimsFile or a dict, got {type(claims).__name__}"
        )
    return check_file(claims)
