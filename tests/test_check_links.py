"""The feedback sheet's links into the answer key: every place a claim names exists in the
key's own files (its Markdown's anchors, its PDF's named destinations, read with pdfinfo),
and every link of the feedback PDF goes to one of them."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import REPO

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
