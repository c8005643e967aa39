"""Print quality, read back from real PDFs: contents, bookmarks, metadata, charts, tagging."""

from __future__ import annotations

import itertools
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from pypdf import PdfReader

from briefgen.markup import plain
from briefgen.pipeline import build
from tests.conftest import REPO, edit


@pytest.fixture(scope="module")
def analyst(tmp_path_factory: pytest.TempPathFactory) -> tuple[PdfReader, str, list[str]]:
    out = tmp_path_factory.mktemp("analyst")
    built = build(REPO / "briefgen.yaml", audiences=["analyst"], out_dir=out)
    # headings as a reader sees them: typographic apostrophes ("Russia’s")
    sections = [plain(t.title) for t in built.brief.topics if t.id != "key-judgments"]
    html = (out / "csto-brief-analyst.html").read_text(encoding="utf-8")
    return PdfReader(out / "csto-brief-analyst.pdf"), html, sections


def outline(reader: PdfReader) -> list[tuple[int, str, int]]:
    """(depth, title, page number from 1) for every bookmark."""
    found: list[tuple[int, str, int]] = []

    def walk(items: list, depth: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                found.append((depth, item.title, reader.get_destination_page_number(item) + 1))

    walk(reader.outline, 0)
    return found


def contents(reader: PdfReader) -> dict[str, int]:
    """The printed table of contents: entry -> page number."""
    for page in reader.pages:
        text = page.extract_text()
        if text.lstrip().startswith("Contents") or "\nContents\n" in text:
            entries = re.findall(r"^(.+?)\s*\.{3,}\s*(\d+)\s*$", text, flags=re.MULTILINE)
            return {title.strip(): int(number) for title, number in entries}
    raise AssertionError("no contents page")


@pytest.mark.slow
def test_bookmarks_mirror_the_headings(analyst):
    reader, _, sections = analyst
    marks = outline(reader)
    assert marks[0][:2] == (0, "The Collective Security Treaty Organization")
    assert [title for depth, title, _ in marks if depth == 1] == [
        "Key judgments",
        *sections,
        "Chronology",
        "Sources and method",
        "Bibliography",
    ]


@pytest.mark.slow
def test_each_contents_entry_gives_the_page_its_section_starts_on(analyst):
    reader, _, sections = analyst
    toc = contents(reader)
    expected = ["Key judgments", *sections, "Chronology", "Sources and method", "Bibliography"]
    assert list(toc) == expected
    starts = {title: page for depth, title, page in outline(reader) if depth == 1}
    assert toc == starts
    for title, page in toc.items():
        lines = reader.pages[page - 1].extract_text().splitlines()
        # a long heading wraps over two lines of the 70-character measure
        heading_lines = lines + [" ".join(pair) for pair in itertools.pairwise(lines)]
        assert title in heading_lines, f"{title!r} is not a heading on page {page}"


@pytest.mark.slow
def test_metadata_is_set(analyst):
    reader, _, _ = analyst
    meta = reader.metadata
    assert meta.title == "The Collective Security Treaty Organization — Analyst brief"
    assert meta.author == "briefgen CSTO desk"
    assert meta.subject.startswith("The CSTO's membership")
    assert "Kazakhstan" in meta["/Keywords"]
    assert reader.trailer["/Root"]["/Lang"] == "en"


@pytest.mark.slow
def test_the_default_pdf_is_tagged_pdf_ua(analyst):
    reader, _, _ = analyst
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    assert b"pdfuaid" in reader.xmp_metadata.stream.get_data()


@pytest.mark.slow
def test_every_page_carries_the_marking_and_page_x_of_y(analyst):
    reader, _, _ = analyst
    total = len(reader.pages)
    for number, page in enumerate(reader.pages, start=1):
        text = page.extract_text()
        assert f"Page {number} of {total}" in text and text.count("INTERNAL") >= 2


class _Structure(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.headings: list[int] = []
        self.lang: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag == "html":
            self.lang = dict(attrs).get("lang")
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))


@pytest.mark.slow
def test_html_is_semantic_with_headings_in_order(analyst):
    _, html, _ = analyst
    page = _Structure()
    page.feed(html)
    assert page.lang == "en"
    assert {"header", "nav", "main", "section", "aside", "figure", "table", "ol"} <= set(page.tags)
    assert page.headings[0] == 1 and page.headings.count(1) == 1
    assert all(b - a <= 1 for a, b in zip(page.headings, page.headings[1:], strict=False))
    assert '<section class="notes" id="notes"' in html and 'role="doc-backlink"' in html
    assert "@media screen and (max-width: 36rem)" in html  # readable at phone width


@pytest.mark.slow
def test_the_membership_chart_is_inline_svg_drawn_from_the_data(analyst):
    _, html, _ = analyst
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert 'role="img"' in svg and "<title" in svg and "<desc" in svg
    assert "Uzbekistan: member 1994–1999; member 2006–2012" in svg
    assert svg.count("<rect") == 10  # nine states, Uzbekistan twice
    assert "http" not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "")


@pytest.mark.slow
def test_the_chronology_lists_dated_facts_in_order(analyst):
    _, html, _ = analyst
    table = html[
        html.index('<table class="chronology">') : html.index(
            "</table>", html.index('<table class="chronology">')
        )
    ]
    dates = re.findall(r'<td class="date">([^<]+)</td>', table)
    assert dates[0] == "1992" and dates[-1] == "November 2022 – January 2023"
    assert 'href="#fact-kz-putin-colour-revolutions"' in table


@pytest.mark.parametrize(
    ("variant", "tagged", "marker"),
    [("none", False, None), ("pdf/a-3u", False, b"pdfaid"), ("pdf/ua-1", True, b"pdfuaid")],
)
@pytest.mark.slow
def test_pdf_variants_are_a_setting(project, variant, tagged, marker):
    root = project()
    config = root / "briefgen.yaml"
    config.write_text(
        config.read_text(encoding="utf-8") + f"pdf_variant: {variant}\n", encoding="utf-8"
    )
    build(Path("briefgen.yaml"), formats=["pdf"])
    reader = PdfReader(root / "out" / "widget-brief.pdf")
    assert ("/StructTreeRoot" in reader.trailer["/Root"]) is tagged
    if marker:
        assert marker in reader.xmp_metadata.stream.get_data()


def test_an_audience_can_drop_contents_and_chronology(project):
    root = project("audiences")
    edit(
        Path("briefgen.yaml"),
        "    show_quotes: false\n",
        "    show_quotes: false\n    contents: false\n    chronology: false\n",
    )
    build(Path("briefgen.yaml"), audiences=["top", "full"], formats=["html"])
    top = (root / "out" / "widgets-top.html").read_text(encoding="utf-8")
    full = (root / "out" / "widgets-full.html").read_text(encoding="utf-8")
    assert 'class="contents"' not in top and 'class="chronology"' not in top
    assert 'class="contents"' in full and 'class="chronology"' in full
