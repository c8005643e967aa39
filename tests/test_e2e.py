"""End to end: build real briefs, then read the PDF and HTML back."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from pypdf import PdfReader

from briefgen.errors import BriefError
from briefgen.pipeline import build
from tests.conftest import add_many_facts

pytestmark = pytest.mark.slow


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.hrefs: list[str] = []
        self.styles = 0
        self.external: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(values["id"])
        href = values.get("href")
        if href and href.startswith("#"):
            self.hrefs.append(href[1:])
        if tag == "style":
            self.styles += 1
        if tag in {"link", "script", "img"}:
            self.external.append(tag)


@pytest.fixture(scope="module")
def long_brief(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, PdfReader, str]:
    import shutil

    root = tmp_path_factory.mktemp("long") / "brief"
    shutil.copytree(Path(__file__).parent / "fixtures" / "minimal", root)
    add_many_facts(root, 60)
    built = build(root / "briefgen.yaml")
    pdf = root / "out" / "widget-brief.pdf"
    html = (root / "out" / "widget-brief.html").read_text(encoding="utf-8")
    assert sorted(p.name for p in built.written) == [
        "manifest.json",
        "widget-brief.html",
        "widget-brief.pdf",
    ]
    return root, PdfReader(pdf), html


def page_texts(reader: PdfReader) -> list[str]:
    return [page.extract_text() for page in reader.pages]


def test_pdf_has_several_pages_with_running_header_and_page_x_of_y(long_brief):
    _, reader, _ = long_brief
    pages = page_texts(reader)
    total = len(pages)
    assert total >= 4
    for number, text in enumerate(pages, start=1):
        assert f"Page {number} of {total}" in text
        assert "TEST MARKING" in text
    assert all("Test Brief on the Widget Treaty" in text for text in pages[1:])


def test_every_footnote_sits_on_the_page_of_its_call(long_brief):
    _, reader, _ = long_brief
    pages = page_texts(reader)
    for n in range(1, 61):
        fact_pages = [i for i, text in enumerate(pages) if re.search(rf"FACTx{n}\b", text)]
        note_pages = [i for i, text in enumerate(pages) if re.search(rf"NOTEx{n}\b", text)]
        assert len(fact_pages) == 1, f"FACTx{n} on pages {fact_pages}"
        assert note_pages == fact_pages, f"note of fact {n} on {note_pages}, call on {fact_pages}"


def test_first_citation_is_full_and_repeats_are_short(long_brief):
    _, reader, _ = long_brief
    text = " ".join(" ".join(page_texts(reader)).split())
    # The minimal fixture cites the Gazette first in full, then in short form.
    assert (
        "Jane Smith, “The Widget Treaty Turns Ten,” Widget Gazette, May 4, 2021, para. 2," in text
    )
    assert "Smith, “Widget Treaty Turns Ten,” para. 3" in text
    assert text.count("Widget Gazette, May 4, 2021, para.") == 1


def test_bibliography_lists_each_source_once(long_brief):
    _, reader, _ = long_brief
    last = " ".join(reader.pages[-1].extract_text().split())
    assert "Bibliography" in last
    assert "Smith, Jane. “The Widget Treaty Turns Ten.” Widget Gazette, May 4, 2021." in last
    assert "Widgets Under Pressure. 2019." in last
    assert last.index("Smith, Jane.") < last.index("Widgets Under Pressure.")


def test_pdf_outline_and_metadata(long_brief):
    _, reader, _ = long_brief
    titles = [item.title for item in reader.outline if not isinstance(item, list)]
    nested = [i.title for item in reader.outline if isinstance(item, list) for i in item]
    assert "Test Brief on the Widget Treaty" in titles
    assert {"Key judgments", "The treaty", "A long topic", "Bibliography"} <= set(nested)
    assert reader.metadata.title == "Test Brief on the Widget Treaty"
    assert reader.metadata.author == "Test Desk"


def test_html_is_self_contained_and_every_note_link_resolves(long_brief):
    _, _, html = long_brief
    links = _Links()
    links.feed(html)
    assert links.styles == 1 and links.external == []
    assert links.hrefs, "no internal links"
    missing = [href for href in links.hrefs if href not in links.ids]
    assert missing == []
    note_ids = sorted(int(i[5:]) for i in links.ids if i.startswith("note-"))
    assert note_ids == list(range(1, len(note_ids) + 1))
    assert len(note_ids) == 60 + 5  # the long topic's notes plus the minimal fixture's
    for n in note_ids:
        assert f"ref-{n}" in links.ids and f"note-{n}" in links.hrefs and f"ref-{n}" in links.hrefs


def test_sources_differ_block_shows_each_version_with_its_note(long_brief):
    _, reader, html = long_brief
    assert "Sources differ" in html
    first_page = " ".join(reader.pages[0].extract_text().split())
    assert "Smith counts a fifth state as an associate." in first_page
    assert "The report lists four members and no associate." in first_page
    assert "a fifth state joined as an associate" in first_page  # its note, on the same page


def test_a_failed_build_leaves_the_previous_outputs_untouched(project):
    root = project()
    build(Path("briefgen.yaml"))
    before = {p.name: p.read_bytes() for p in (root / "out").iterdir()}
    (root / "facts" / "treaty.yaml").write_text("id: [broken\n", encoding="utf-8")
    with pytest.raises(BriefError):
        build(Path("briefgen.yaml"))
    after = {p.name: p.read_bytes() for p in (root / "out").iterdir()}
    assert after == before
