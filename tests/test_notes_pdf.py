"""Footnotes read back from the three CSTO PDFs: punctuation, locators, URLs, calls, pages, fonts.

Each test reads the text runs of the built PDFs with their positions, sizes and
fonts (a pypdf visitor), because every defect here shows only once laid out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from pypdf import PdfReader

from briefgen.pipeline import build
from tests.conftest import REPO

NOTE_SIZE = 7.5  # brief.css: .footnote font size, in points
CALL_SIZE = round(NOTE_SIZE * 0.65, 2)  # ::footnote-call is 65% of the note's size
MARKER = re.compile(r"^(\d+)\.$")


@dataclass(frozen=True)
class Run:
    """One piece of text as the PDF draws it."""

    x: float
    y: float
    size: float
    font: str
    text: str

    @property
    def family(self) -> str:
        """'briefgen-serif' from '/ABCDEF+briefgen-serif-Italic'."""
        return re.sub(r"^/?[A-Z]{6}\+|-(Bold|Italic|BoldItalic|Regular)$", "", self.font)


def mult(m: list[float], n: list[float]) -> tuple[float, ...]:
    """The PDF matrix product m × n, each matrix as its six numbers [a b c d e f]."""
    return (
        m[0] * n[0] + m[1] * n[2],
        m[0] * n[1] + m[1] * n[3],
        m[2] * n[0] + m[3] * n[2],
        m[2] * n[1] + m[3] * n[3],
        m[4] * n[0] + m[5] * n[2] + n[4],
        m[4] * n[1] + m[5] * n[3] + n[5],
    )


def runs_of(page) -> list[Run]:
    runs: list[Run] = []

    def visit(text: str, cm: list, tm: list, font: dict | None, size: float) -> None:
        # Text in a form XObject (the SVG chart) reaches the visitor without its placement
        # (an identity matrix, where WeasyPrint's page content is scaled by .75): skip it.
        if text.strip() and list(cm) != [1, 0, 0, 1, 0, 0]:
            a, b, _, _, e, f = mult(tm, cm)  # text space to page space, as drawn
            scale = (a * a + b * b) ** 0.5
            name = str(font.get("/BaseFont", "")) if font else ""
            runs.append(Run(round(e, 1), round(f, 1), round(size * scale, 2), name, text))

    page.extract_text(visitor_text=visit)
    return runs


def note_lines(runs: list[Run]) -> list[list[Run]]:
    """The lines of a page's footnote area, top to bottom, each sorted left to right."""
    markers = [r for r in runs if r.size == NOTE_SIZE and MARKER.match(r.text.strip())]
    if not markers:
        return []
    top = max(m.y for m in markers)
    footer = min(r.y for r in runs)  # the running footer is the lowest line on the page
    area = [r for r in runs if footer < r.y <= top + 0.5]
    by_line: dict[float, list[Run]] = {}
    for run in area:
        by_line.setdefault(run.y, []).append(run)
    return [sorted(by_line[y], key=lambda r: r.x) for y in sorted(by_line, reverse=True)]


def notes_of(reader: PdfReader) -> dict[int, str]:
    """Every footnote's text by its number, joined across lines and pages."""
    notes: dict[int, str] = {}
    current = 0
    for page in reader.pages:
        for line in note_lines(runs_of(page)):
            if (found := MARKER.match(line[0].text.strip())) and int(found[1]) == current + 1:
                current = int(found[1])
                line = line[1:]
            if current:
                text = "".join(r.text for r in line)
                notes[current] = (notes.get(current, "") + " " + text).strip()
    return notes


@pytest.fixture(scope="module")
def editions(tmp_path_factory: pytest.TempPathFactory) -> dict[str, PdfReader]:
    out = tmp_path_factory.mktemp("notes")
    names = ("analyst", "executive", "public")
    build(REPO / "briefgen.yaml", audiences=list(names), out_dir=out)
    return {name: PdfReader(out / f"csto-brief-{name}.pdf") for name in names}


def all_lines(reader: PdfReader) -> list[str]:
    return [line.rstrip() for page in reader.pages for line in page.extract_text().splitlines()]


@pytest.mark.slow
def test_no_period_after_a_quote_that_ends_a_sentence(editions):
    for name, reader in editions.items():
        text = "\n".join(all_lines(reader))
        assert not re.findall(r".{30}[.?!][”’]\.", text), name
        assert not re.findall(r".{30}\.[”’];", text), name  # “…Kremlin.”; within a note


@pytest.mark.slow
def test_locator_labels_stay_with_their_numbers(editions):
    for name, reader in editions.items():
        split = [line for line in all_lines(reader) if re.search(r"(\bpara|\bpp?|\(p)\.$", line)]
        assert split == [], name


@pytest.mark.slow
def test_urls_never_break_right_after_the_scheme(editions):
    for name, reader in editions.items():
        broken = [line for line in all_lines(reader) if re.search(r"https?://$", line)]
        assert broken == [], name
        assert any("https://" in line for line in all_lines(reader))


@pytest.mark.slow
def test_a_note_call_never_starts_a_line(editions):
    checked = 0
    for name, reader in editions.items():
        for number, page in enumerate(reader.pages, 1):
            runs = runs_of(page)
            calls = [r for r in runs if r.size == CALL_SIZE and r.text.strip().isdigit()]
            for call in calls:
                # The call is raised: its line's baseline lies a few points below it.
                line = [r for r in runs if r is not call and 0 <= call.y - r.y < 6]
                assert any(r.x < call.x for r in line), f"{name} p. {number}: call {call.text}"
                checked += 1
    assert checked > 100  # every call of both editions was found and looked at


@pytest.mark.slow
def test_notes_hang_their_numbers(editions):
    checked = 0
    for reader in editions.values():
        for page in reader.pages:
            lines = note_lines(runs_of(page))
            marker_x = min((line[0].x for line in lines), default=0.0)
            for line in lines:
                if MARKER.match(line[0].text.strip()):
                    assert line[0].x == pytest.approx(marker_x, abs=2)
                    text_x = line[1].x
                else:
                    assert line[0].x > marker_x + 5, line[0].text
                    assert line[0].x == pytest.approx(text_x, abs=1)
                    checked += 1
    assert checked > 20


@pytest.mark.slow
def test_every_note_is_set_in_one_size_and_family(editions):
    for name, reader in editions.items():
        seen: set[tuple[float, str]] = set()
        for page in reader.pages:
            for line in note_lines(runs_of(page)):
                seen |= {(run.size, run.family) for run in line}
        assert seen == {(NOTE_SIZE, "briefgen-serif")}, name


@pytest.mark.slow
def test_no_citation_is_repeated_within_a_note(editions):
    notes = notes_of(editions["executive"])
    assert len(notes) >= 10 and list(notes) == list(range(1, len(notes) + 1))
    for number, text in notes.items():
        pieces = [piece.strip(" .") for piece in text.split("; ")]
        assert len(pieces) == len(set(pieces)), f"note {number}: {text}"


@pytest.mark.slow
def test_every_note_starts_on_its_calls_page(editions):
    """A note begins on the page of its call, never pages later (WeasyPrint can defer one)."""
    for name, reader in editions.items():
        call_page: dict[int, int] = {}
        note_page: dict[int, int] = {}
        for number, page in enumerate(reader.pages, 1):
            runs = runs_of(page)
            for call in (r for r in runs if r.size == CALL_SIZE and r.text.strip().isdigit()):
                call_page.setdefault(int(call.text.strip()), number)
            for line in note_lines(runs):
                if found := MARKER.match(line[0].text.strip()):
                    note_page.setdefault(int(found[1]), number)
        assert len(call_page) > 10 and set(note_page) == set(call_page), name
        astray = {
            n: (call_page[n], note_page[n]) for n in call_page if note_page[n] != call_page[n]
        }
        assert astray == {}, f"{name}: note number: (call page, note page) {astray}"
