"""The verification summary of a solution, as one plain sentence shared by every format."""

from __future__ import annotations

from symhw.derivation import Solution


def verification_summary(sol: Solution) -> str:
    """E.g. "13 of 13 equalities verified (13 symbolically); 1 definition. Gradient agrees..."""
    c = sol.summary()
    total = c["symbolic"] + c["numeric"] + c["unverified"] + c["budget"]
    verified = c["symbolic"] + c["numeric"]
    how = [
        f"{c[k]} {adverb}"
        for k, adverb in (("symbolic", "symbolically"), ("numeric", "numerically"))
        if c[k]
    ]
    text = f"{verified} of {total} equalities verified"
    if how:
        text += f" ({', '.join(how)})"
    if c["unverified"]:
        text += f"; {c['unverified']} NOT verified (marked on the sheet)"
    if c["budget"]:
        text += f"; {c['budget']} not verified (budget: too large to check; marked on the sheet)"
    if c["definition"]:
        text += f"; {c['definition']} definition{'s' if c['definition'] > 1 else ''}"
    sentences = [text + "."]
    sentences += [
        check.description[0].upper() + check.description[1:] + "." for check in sol.numeric_checks
    ]
    return " ".join(sentences)
