"""The feedback sheet's links into the answer key: every place a claim names exists in the
key's own files (its Markdown's anchors, its PDF's named destinations, read with pdfinfo),
and every link of the feedback PDF goes to one of them."""

from __future__ import annotations

import contextlib
import json
import re
import shutil
import subprocess
import zlib
from pathlib import Path

import pytest
import sympy as sp

from conftest import HAS_TEX, REPO, run_cli
from symhw.builder import DerivationBuilder
from symhw.derivation import Answer, Boxed, Derivation, Paragraph, Solution
from symhw.render.places import KeyPlace, key_places

KEY_MD = REPO / "reports" / "hw2.md"
KEY_PDF = REPO / "reports" / "hw2.pdf"
needs_pdfinfo = pytest.mark.skipif(shutil.which("pdfinfo") is None, reason="needs poppler-utils")


def markdown_anchors(path: Path) -> set[str]:
    """The ids of the ``<a id="...">`` anchors of a Markdown file."""
    return set(re.findall(r'<a id="([^"]+)"></a>', path.read_text("utf-8")))


def pdf_destinations(path: Path) -> set[str]:
    """The named destinations of a PDF, as poppler lists them."""
    done = subprocess.run(
        ["pdfinfo", "-dests", str(path)], capture_output=True, text=True, check=True
    )
    return set(re.findall(r'"([^"]+)"\s*$', done.stdout, flags=re.MULTILINE))


@needs_pdfinfo
def test_every_anchor_of_the_key_is_a_named_destination_of_its_pdf():
    """hyperref's ``destlabel``: a place \\label{key-q2-delta1} marks is the PDF's named
    destination key-q2-delta1, so another PDF can link to it (hw2.pdf#key-q2-delta1)."""
    anchors = {a for a in markdown_anchors(KEY_MD) if a.startswith(("key-", "app-"))}
    assert len(anchors) == 57  # 5 questions, 26 boxed names, 5 appendices, 16 parts, 5 lists
    assert {"key-q2", "key-q2-delta1", "app-q2-part1", "app-q5-answers"} <= anchors
    assert anchors <= pdf_destinations(KEY_PDF)


FEEDBACK = REPO / "reports" / "hw2-check"


def _claims() -> list[dict]:
    return json.loads(FEEDBACK.with_suffix(".json").read_text("utf-8"))["claims"]


#: Where the key derives a few claims, read off reports/hw2.md by hand: the box of each
#: answer boxed in Part I, the appendix's forward pass for q2's forward quantities (its
#: lines s^(1) = ... are their derivation; Part I boxes only x^(3) and e), the question
#: for the given weights and for q5's element equations (Part I derives Y_jt in general,
#: the appendix's element equations have no anchor: no box links there).
PLACES = {
    ("q1", "gradient"): "key-q1-gradient",
    ("q2", "delta1"): "key-q2-delta1",
    ("q2", "grad_W2"): "key-q2-grad_W2",
    ("q2", "s1"): "app-q2-part1",
    ("q2", "x2"): "app-q2-part1",
    ("q2", "W1"): "key-q2",
    ("q3", "basic_params_bias"): "key-q3-basic_params_bias",
    ("q4", "conv_var_shape"): "key-q4-conv_var_shape",
    ("q5", "A"): "key-q5-A",
    ("q5", "Y_11"): "key-q5",
    ("q5", None): "key-q5",  # a statement: its question
}


def test_claims_name_the_places_the_key_derives_them_in():
    found = {(c["problem"], c["name"]): c["key"] for c in _claims()}
    for at, anchor in PLACES.items():
        assert found[at]["sheet"] == "hw2"
        assert found[at]["anchor"] == anchor, at


@needs_pdfinfo
def test_every_place_a_claim_names_is_an_anchor_of_the_key_and_a_destination_of_its_pdf():
    places = {c["key"]["anchor"] for c in _claims()}
    assert places <= markdown_anchors(KEY_MD)
    assert places <= pdf_destinations(KEY_PDF)


def test_every_link_of_the_markdown_feedback_lands():
    """Links to the key beside it land on its anchors, links within on the sheet's own."""
    text = FEEDBACK.with_suffix(".md").read_text("utf-8")
    outside = re.findall(r"\]\(hw2\.md#([^)]+)\)", text)
    inside = re.findall(r"\]\(#([^)]+)\)", text)
    assert len(outside) == 69 + 5  # each claim, each question's heading
    assert set(outside) <= markdown_anchors(KEY_MD)
    questions = {f"check-q{i}" for i in range(1, 6)}
    assert set(inside) == questions
    assert questions <= markdown_anchors(FEEDBACK.with_suffix(".md"))


def pdf_links(path: Path) -> list[tuple[str, str]]:
    """The links of a PDF to another file's named destination (GoToR actions), as
    (file, destination), read from its objects (object streams decompressed)."""
    data = path.read_bytes()
    objects = [data]
    for match in re.finditer(rb"stream\r?\n", data):
        end = data.find(b"endstream", match.end())
        with contextlib.suppress(zlib.error):
            objects.append(zlib.decompress(data[match.end() : end]))
    found = []
    for chunk in objects:
        for action in re.findall(rb"<<[^<>]*/S\s*/GoToR[^<>]*>>", chunk):
            file = re.search(rb"/F\s*\(([^)]*)\)", action)
            dest = re.search(rb"/D\s*\(([^)]*)\)", action)
            found.append((file.group(1).decode(), dest.group(1).decode() if dest else ""))
    return found


@needs_pdfinfo
def test_every_link_of_the_feedback_pdf_goes_to_a_destination_of_the_key():
    """The committed feedback PDF (beside reports/hw2.pdf, so linked): each claim and each
    question heading links to hw2.pdf at a named destination its PDF has."""
    links = pdf_links(FEEDBACK.with_suffix(".pdf"))
    assert len(links) == 69 + 5
    assert {file for file, _ in links} == {"hw2.pdf"}
    assert {dest for _, dest in links} <= pdf_destinations(KEY_PDF)
    assert ("hw2.pdf", "key-q2-delta1") in links and ("hw2.pdf", "app-q2-part1") in links


_SET = """title = "Norms"
[[problems]]
id = "bn"
kind = "norm-shapes"
title = "Batch-norm shapes"
cases = [{ name = "fc", norm = "batch", layout = "NC" }]
"""


def test_a_problem_set_of_ones_own_links_once_its_key_is_written_beside(tmp_path):
    """A claims file naming a problem set by path: before the key is written into the
    output folder the feedback names the places and the command that writes it; after,
    its links land on the key's anchors (and, with TeX, on its PDF's destinations)."""
    (tmp_path / "sets").mkdir()
    (tmp_path / "sets" / "norms.toml").write_text(_SET, "utf-8")
    claims = tmp_path / "mine.toml"
    claims.write_text('problem_set = "sets/norms.toml"\n[bn]\nfc_mean_shape = "1 x C"\n')
    out = tmp_path / "out"
    formats = "tex,pdf,md,json" if HAS_TEX else "tex,md,json"
    done = run_cli("check", str(claims), "-o", str(out), "--format", formats)
    assert done.returncode == 0, done.stderr
    md = (out / "mine-check.md").read_text("utf-8")
    assert "norms.md#" not in md and "`symhw sheet sets/norms.toml -o DIR`" in md
    assert "answer key: boxed answer" in md  # the place, named
    assert "\\href" not in (out / "mine-check.tex").read_text("utf-8")
    data = json.loads((out / "mine-check.json").read_text("utf-8"))
    assert data["claims"][0]["key"]["anchor"] == "key-bn-fc_mean_shape"
    key = {"sheet": "norms", "problem_set": "sets/norms.toml", "builtin": False}
    assert data["answer_key"] == key

    key_formats = "md,pdf" if HAS_TEX else "md"
    problem_set = str(tmp_path / "sets" / "norms.toml")
    done = run_cli("sheet", problem_set, "-o", str(out), "--format", key_formats)
    assert done.returncode == 0, done.stderr
    done = run_cli("check", str(claims), "-o", str(out), "--format", formats)
    assert done.returncode == 0, done.stderr
    md = (out / "mine-check.md").read_text("utf-8")
    links = re.findall(r"\]\(norms\.md#([^)]+)\)", md)
    assert links == ["key-bn", "key-bn-fc_mean_shape"]
    assert set(links) <= markdown_anchors(out / "norms.md")
    if HAS_TEX and shutil.which("pdfinfo"):
        pdf = pdf_links(out / "mine-check.pdf")
        assert sorted(pdf) == [("norms.pdf", "key-bn"), ("norms.pdf", "key-bn-fc_mean_shape")]
        assert {d for _, d in pdf} <= pdf_destinations(out / "norms.pdf")


def _part(title: str, *steps) -> Derivation:
    b = DerivationBuilder(title)
    for kind, lhs, rhs in steps:
        b.define(lhs, rhs) if kind == "define" else b.equal(lhs, rhs, rule="r")
    return b.build()


def test_a_value_links_to_its_box_else_the_one_appendix_part_deriving_it_else_its_question():
    """Parts 0 and 1 are linked from boxes; part 2 is not (it has no anchor in the key).
    The labels are sums left unevaluated (a step is verified as it is built)."""
    a, b, c, d, e = (sp.Add(1, k, evaluate=False) for k in (3, 2, 1, 4, 6))
    parts = (
        _part("First", ("equal", a, sp.Integer(4)), ("equal", c, sp.Integer(2))),
        _part("Second", ("equal", c, sp.Integer(2)), ("define", d, sp.Integer(5))),
        _part("Third", ("equal", e, sp.Integer(7))),
    )
    answers = (Answer("a", a, 4), Answer("b", b, 3))
    key = (Boxed((answers[0],), derived_in="First"), Boxed((answers[1],), derived_in="Second"))
    sol = Solution("p", "k", "t", Paragraph(()), parts, answers, key=key)
    place = key_places(sol)
    assert place("a", a) == KeyPlace("key-p-a", "boxed")  # boxed, though part 0 derives it
    assert place("x", a) == KeyPlace("app-p-part0", "appendix", "First")  # a's label, not boxed
    assert place("c", c).anchor == "key-p"  # derived in two parts: no one place
    assert place("d", d).anchor == "key-p"  # defined, not derived
    assert place("e", e).anchor == "key-p"  # its part has no anchor
    assert place(None, None) == KeyPlace("key-p", "question")
    assert place("m", sp.Matrix([a])).anchor == "key-p"  # unhashable label
