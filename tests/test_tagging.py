"""Tagged PDF: every page-bottom footnote is a `Note` with an ID; table headers keep their scope."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader
from weasyprint.pdf import tags

from briefgen.pipeline import build
from briefgen.tagging import tag_footnotes_as_notes
from tests.test_select import MEMBERSHIP


def structure(path: Path) -> list[dict]:
    """Every structure element of a tagged PDF, in document order."""
    found: list[dict] = []

    def walk(node: object) -> None:
        node = node.get_object()  # type: ignore[attr-defined]
        if isinstance(node, dict):
            if "/S" in node:
                found.append(node)
            if "/K" in node:
                walk(node["/K"])
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk(PdfReader(path).trailer["/Root"]["/StructTreeRoot"])
    return found


def test_another_weasyprint_version_keeps_its_own_tagging():
    before = tags._build_box_tree, tags._get_pdf_tag
    assert tag_footnotes_as_notes("71.0") is False
    assert (tags._build_box_tree, tags._get_pdf_tag) == before


@pytest.mark.slow
def test_each_footnote_is_a_note_with_its_own_id(project):
    root = project()
    topic = root / "facts" / "treaty.yaml"
    topic.write_text(topic.read_text(encoding="utf-8") + MEMBERSHIP, encoding="utf-8")
    build(Path("briefgen.yaml"))
    html = (root / "out" / "widget-brief.html").read_text(encoding="utf-8")
    elements = structure(root / "out" / "widget-brief.pdf")
    notes = [e for e in elements if e["/S"] == "/Note"]
    assert len(notes) == html.count('<span class="footnote">') > 0
    assert [str(n["/ID"]) for n in notes] == [f"note-{i}" for i in range(1, len(notes) + 1)]
    headers = [e for e in elements if e["/S"] == "/TH"]
    assert headers and all(e["/A"]["/O"] == "/Table" for e in headers)
    # column headers (chronology, membership) and the membership table's row headers (states)
    scopes = [str(e["/A"]["/Scope"]) for e in headers]
    assert scopes.count("/Row") == 2 and "/Column" in scopes
