"""What the feedback sheet of ``symhw check`` says about a claim, in words shared by its
LaTeX and Markdown renderers: each renderer passes its own escaping of text and its own
setting of math (short inline, long displayed)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from symhw.render.grade_words import points

#: How each verdict is said at the head of a claim.
VERDICT_WORDS = {
    "correct": "correct",
    "rounding": "rounding (as the hand computation rounds)",
    "carried": "carried (follows from an earlier line of yours)",
    "wrong": "wrong",
    "undecided": "undecided (not verified within the checking budget)",
    "unparsable": "cannot be read",
    "unknown": "unknown name",
}

Text = Callable[[str], str]


def by_problem(data: dict[str, Any]):
    """The report's claims in runs of one problem each, in file order: (problem id, its
    title and anchor in the answer key or None, its claims)."""
    about = {p["id"]: p for p in data["problems"]}
    run: list[dict[str, Any]] = []
    for claim in data["claims"]:
        if run and claim["problem"] != run[0]["problem"]:
            yield run[0]["problem"], about.get(run[0]["problem"]), run
            run = []
        run.append(claim)
    if run:
        yield run[0]["problem"], about.get(run[0]["problem"]), run


def shows_expected(c: dict[str, Any]) -> bool:
    """Whether a claim's exact value is shown beside what was written: where the claim is
    not correct, unless its value is (a wrong label or step: the value says nothing new)."""
    return bool(c["expected"]) and "correct" not in (c["verdict"], c.get("value_verdict"))


def details(c: dict[str, Any], text: Text, math: Text) -> list[str]:
    """The findings on one claim (from the report's plain data), one sentence each:
    ``text`` escapes plain text, ``math`` sets LaTeX math in the format."""
    right = c.get("value_verdict") == "correct" and c["verdict"] != "correct"
    out = ["the value is right"] if right else []
    sources = {s["name"]: s for s in c.get("carried_from", ())}
    out += [_entry(e, text, sources) for e in c.get("entries", ()) if e["verdict"] != "correct"]
    if "terms" in c:
        out += terms(c["terms"], math)
    out += [
        f"entry ({cell['row']}, {cell['column']}): {math(cell['written']['latex'])} where "
        f"{math(cell['expected']['latex'])} belongs"
        for cell in c.get("cells", ())
    ]
    other = c.get("equals")
    if other:  # the right value under another name
        label = other["label"]
        shown = f"{math(label['latex'])} ({text(other['name'])})" if label else text(other["name"])
        out.append(f"this is the value of another answer of the problem: {shown}")
    if "step" in c:
        out.append(_step(c["step"], text, math))
    label = c.get("label")
    if label and not label["ok"]:
        stands = label["stands_for"]
        meaning = "names nothing of the problem"
        if stands:
            meaning = f"stands for {math(stands['latex'])}"
        shown = label["as_written"]
        written = math(shown["latex"]) if shown else text(label["written"])
        out.append(f"the label {written} {meaning}")
    for s in c.get("slips", ()):
        written, expected = (_symbol(s[k], text, math) for k in ("written", "expected"))
        out.append(f"in {_function(s['in'], text, math)}: {written} where {expected} belongs")
    if c["why"] and c["verdict"] in ("unparsable", "unknown", "undecided"):
        out.append(text(c["why"]))
    return out


def _entry(e: dict[str, Any], text: Text, sources: dict[str, dict]) -> str:
    by = f"; explained by {text(e['explained_by'])}" if e["explained_by"] else ""
    if e["carried_from"]:
        by += ", from your " + " and ".join(_source(sources[q], text) for q in e["carried_from"])
    cut = " (digits cut, not rounded)" if e["truncated"] else ""
    return (
        f"{_at(e)}{text(e['written'])} is {text(e['verdict'])}{cut}: exact "
        f"{text(e['exact'])}, {text(e['expected'])} at the digits written{by}"
    )


def _step(step: dict[str, Any], text: Text, math: Text) -> str:
    """The first step that does not follow: its numbers that the step before does not give
    (that step's value, and at the digits written), else why in words."""
    said = f"step {step['member']} does not follow"
    if step.get("text"):  # the line as written, so that the writer finds it
        said = f"step {step['member']} ({text(_shortened(step['text']))}) does not follow"
    entries = step.get("entries") or ()
    if step.get("sides") and step.get("point"):  # a counterexample: where, and the two sides
        at = ", ".join(f"{p['symbol']['latex']} = {p['value']['latex']}" for p in step["point"])
        before, after = (
            f"{s['expr']['latex']}" + (f" = {s['value']['latex']}" if s["value"] else "")
            for s in step["sides"]
        )
        return f"{said}: at {math(at)}, {math(before)} but {math(after)}"
    if not entries:
        return f"{said}: {text(step['why'])}"
    shown = [
        f"{_at(e)}{text(e['written'])} where the step before gives {text(e['exact'])}"
        + (f" ({text(e['expected'])} at the digits written)" if e["decimals"] is not None else "")
        for e in entries[:MAX_SHOWN]
    ]
    more = f"; and {len(entries) - MAX_SHOWN} more" if len(entries) > MAX_SHOWN else ""
    return f"{said}: " + "; ".join(shown) + more


#: A step quoted in a finding is cut to this many characters.
QUOTED = 60


def _shortened(step: str) -> str:
    """A step as written, on one line, cut to :data:`QUOTED` characters."""
    line = " ".join(step.split())
    return line if len(line) <= QUOTED else line[: QUOTED - 1] + "…"


def _at(e: dict[str, Any]) -> str:
    return f"entry {', '.join(map(str, e['index']))}: " if e["index"] else "the value "


#: Numbers of a step that does not follow, shown one by one (the rest counted).
MAX_SHOWN = 4


def _source(s: dict[str, Any], text: Text) -> str:
    """An earlier claim of the writer's: its name and where it stands (``delta1 (L91-95)``)."""
    where = s["source"] or s["field"]
    return f"{text(s['name'])} ({text(where)})"


def terms(t: dict[str, Any], math: Text) -> list[str]:
    """The terms of a written sum that differ from the expected one."""

    def m(e: dict[str, str]) -> str:
        return math(e["latex"])

    whole = t.get("whole")
    if whole is not None:  # one factor on every term: said once
        if whole["text"] == "-1":
            return ["the sign of the whole expression is flipped"]
        return [f"the whole expression is {m(whole)} times the expected one"]

    out = [f"{m(s['written'])} where {m(s['expected'])} belongs" for s in t["swapped"]]
    out += [
        f"{m(f['written'])}: a factor {f['factor']} too many (expected {m(f['expected'])})"
        for f in t["factors"]
    ]
    out += [f"missing term {m(x)}" for x in t["missing"]]
    out += [f"extra term {m(x)}" for x in t["extra"]]
    return out


#: Functions a notation slip may be found in, as LaTeX (others are set upright).
_COMMANDS = frozenset({"Theta", "theta", "sigma", "phi", "psi", "tanh", "sinh", "cosh"})


def _function(name: str, text: Text, math: Text) -> str:
    r"""The function a slip is found in (``Theta'``, ``tanh``, ``Identity``) as math:
    ``\Theta'``, ``\tanh``, ``\mathrm{Identity}``; anything else as text.

    >>> _function("Theta'", str, lambda t: f"${t}$"), _function("Identity", str, str)
    ("$\\Theta'$", '\\mathrm{Identity}')
    """
    found = re.fullmatch(r"([A-Za-z]{1,20})('{0,3})", name)
    if found is None:
        return text(name)
    base, primes = found.groups()
    return math((f"\\{base}" if base in _COMMANDS else f"\\mathrm{{{base}}}") + primes)


def _symbol(name: str, text: Text, math: Text) -> str:
    tex = slip_symbol(name)
    return text(name) if tex is None else math(tex)


def slip_symbol(name: str) -> str | None:
    """A layer symbol of a notation slip (``\\delta^2``, ``s^(3)``) as LaTeX math, or None
    for anything else (a sheet never sets as TeX text it did not make).

    >>> slip_symbol("s^(3)"), slip_symbol("\\\\delta^2"), slip_symbol("\\\\input{x}")
    ('s^{(3)}', '\\\\delta^{2}', None)
    """
    found = re.fullmatch(r"(\\delta|s|x)\^(\(?[0-9]{1,3}\)?)", name)
    return None if found is None else f"{found.group(1)}^{{{found.group(2)}}}"


def key_file(data: dict[str, Any], suffix: str) -> str:
    """The answer key's file a format links to: ``hw2.pdf`` from LaTeX, ``hw2.md`` from
    Markdown (the stem ``symhw sheet`` writes the key under)."""
    return f"{data['answer_key']['sheet']}.{suffix}"


def key_command(key: dict[str, Any]) -> str:
    """The command that writes the answer key of a report's problem set.

    >>> key_command({"builtin": False, "problem_set": "sets/mine.toml"})
    'symhw sheet sets/mine.toml -o DIR'
    """
    return "symhw sheet -o DIR" if key["builtin"] else f"symhw sheet {key['problem_set']} -o DIR"


def grade_note(data: dict[str, Any], text: Text, name: Text) -> tuple[str, str] | None:
    """A graded student's sheet (``symhw grade``): whose it is and their points (to set in
    bold), then the answers they did not give (``name`` sets an id or an answer's name as
    spelled); None for a sheet of ``symhw check``."""
    grade = data.get("grade")
    if grade is None:
        return None
    head = (
        f"{name(grade['student'])}: {text(points(grade['points']))} of "
        f"{text(points(grade['worth']))} points."
    )
    missing = grade["missing"]
    if not missing:
        return head, text("Every answer asked is given.")
    return head, text(f"Not answered ({len(missing)}): ") + ", ".join(map(name, missing)) + "."


def key_note(data: dict[str, Any], file: str, linked: bool, text: Text, code: Text) -> str:
    """What the sheet says about the answer key it links to (``linked``: it is beside the
    sheet, so every claim links to its place there), or, where it is not, how to write it
    there; ``code`` sets a command. A graded student's sheet names their variant's key."""
    if data.get("grade") is not None:
        return text(f"Each claim names its place in the answer key of your variant ({file}).")
    key = data["answer_key"]
    where = "" if key["builtin"] else " (the path as the claims file gives it, from its folder)"
    made = f"{code(key_command(key))}{text(where)}"
    if linked:
        return (
            f"Each claim links to where the answer key, {text(file)} beside this sheet, "
            f"derives it ({made} writes the key)."
        )
    again = code("symhw check CLAIMS -o DIR")
    return (
        f"The answer key {text(file)} is not beside this sheet: {made} writes it, and "
        f"{again} after it writes this sheet beside it, each claim linked to where the key "
        "derives it; here each claim names that place."
    )


def key_place(place: dict[str, Any], text: Text) -> str:
    """A claim's place in the answer key, in words (its question is the heading above it):
    the box of its answer, the appendix part that derives it, or the question."""
    if place["at"] == "boxed":
        return "answer key: boxed answer"
    if place["at"] == "appendix":
        return f"answer key: {text(place['title'])} (appendix)"
    return "answer key: the question"
