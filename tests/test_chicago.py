"""Chicago forms against Pandoc's citeproc: tests/golden/chicago/ is the oracle.

Each record of records.json is rendered by briefgen as a full note, a short
note and a bibliography entry and compared, as plain text, with what Pandoc's
citeproc made of the same record (see tests/golden/chicago/README.md).
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest

from briefgen.cite import (
    bibliography_entry,
    bibliography_key,
    chicago_date,
    end_sentence,
    full_note,
    headline_case,
    short_note,
    short_title,
    typographic,
)
from briefgen.model import Source

GOLDEN = Path(__file__).parent / "golden" / "chicago"
# The locators doc.md cites: first citation, then repeat citation.
LOCATORS = {
    "journal": ("7", "9"),
    "report": ("3", None),
    "book": ("45", "46"),
    "edited": ("12", "13"),
    "translated": ("80", None),
    "edited-report": ("4", "5"),
    "chapter": (None, "14"),
}
# Deliberate: without title-short briefgen shortens to the main title (before the colon)
# less a leading article, as CMOS asks; Pandoc 2.17's citeproc repeats the whole title.
MAIN_TITLE_ONLY = {
    "journal": (
        "The Collective Security Treaty Organization: Russia’s Alliance in Central Asia",
        "Collective Security Treaty Organization",
    ),
    "book": ("Alliances in Eurasia: Security After the Soviet Union", "Alliances in Eurasia"),
    "translated": ("The Alliance That Was Not", "Alliance That Was Not"),
    "chapter": ("The Treaty and Its Critics", "Treaty and Its Critics"),
}


def access_date_always(expected: str, source: Source, *, note: bool) -> str:
    """citeproc's text with the access date briefgen prints even beside a publication date.

    Deliberate: the 17th-edition style drops `accessed` when a source has `issued`
    or a DOI; briefgen prints it always, where the style's "access-dates" variant
    does, just before the URL (see the README, "Differences from citeproc").
    """
    if not source.accessed or not (source.issued or source.DOI):
        return expected
    url = f"https://doi.org/{source.DOI}" if source.DOI else str(source.URL)
    date = chicago_date(source.accessed)
    words = f"accessed {date}, " if note else f"Accessed {date}. "
    return expected.replace(url, words + url, 1)


def _source(record: dict) -> Source:
    fields = dict(record)
    for key in ("issued", "accessed"):
        if key in fields:
            parts = fields[key]["date-parts"][0]
            fields[key] = "-".join([str(parts[0])] + [f"{p:02d}" for p in parts[1:]])
    return Source.model_validate(fields)


SOURCES = {r["id"]: _source(r) for r in json.loads((GOLDEN / "records.json").read_text())}


def _golden(name: str) -> dict[str, str]:
    lines = (GOLDEN / name).read_text(encoding="utf-8").splitlines()
    return dict(line.split("\t", 1) for line in lines)


def plain(markup: str) -> str:
    """Text as a reader sees it: tags gone, entities decoded, no-break spaces as spaces."""
    return html.unescape(re.sub(r"<[^>]+>", "", markup)).replace("\u00a0", " ")


@pytest.mark.parametrize("record_id", sorted(SOURCES))
def test_full_note_matches_citeproc(record_id: str) -> None:
    locator = LOCATORS.get(record_id, (None, None))[0]
    note = end_sentence(full_note(SOURCES[record_id], locator))
    expected = access_date_always(_golden("full.txt")[record_id], SOURCES[record_id], note=True)
    assert plain(note) == expected


@pytest.mark.parametrize("record_id", sorted(SOURCES))
def test_short_note_matches_citeproc(record_id: str) -> None:
    locator = LOCATORS.get(record_id, (None, None))[1]
    expected = _golden("short.txt")[record_id]
    if record_id in MAIN_TITLE_ONLY:
        expected = expected.replace(*MAIN_TITLE_ONLY[record_id])
    assert plain(end_sentence(short_note(SOURCES[record_id], locator))) == expected


def test_bibliography_matches_citeproc_entries_and_order() -> None:
    ordered = sorted(SOURCES.values(), key=bibliography_key)
    lines = (GOLDEN / "bibliography.txt").read_text(encoding="utf-8").splitlines()
    expected = [
        access_date_always(line, s, note=False) for line, s in zip(lines, ordered, strict=True)
    ]
    assert [plain(bibliography_entry(s)) for s in ordered] == expected


def test_italics_as_citeproc_sets_them() -> None:
    """Journal, paper and magazine names and report and book titles italic; a website roman."""
    golden = (GOLDEN / "pandoc.html").read_text(encoding="utf-8")
    italic = set(re.findall(r"<em>([^<]*)</em>", golden))
    mine: set[str] = set()
    for source in SOURCES.values():
        for form in (full_note(source), short_note(source), bibliography_entry(source)):
            mine |= set(re.findall(r"<i>([^<]*)</i>", form))
    assert mine == italic | {"Alliances in Eurasia", "Alliance That Was Not"}  # short forms
    assert "Collective Security Treaty Organization" not in mine


def test_van_gogh_sorts_under_g_and_is_shown_as_citeproc_shows_him() -> None:
    journal = SOURCES["journal"]
    assert bibliography_key(journal)[0] == "gogh"
    assert plain(bibliography_entry(journal)).startswith("Gogh, Anna van, and Ilya Petrov.")
    assert plain(full_note(journal)).startswith("Anna van Gogh and")


def test_short_title_is_the_main_title_never_a_cut_phrase() -> None:
    def title(text: str, **fields: str) -> str:
        return short_title(Source.model_validate({"id": "x", "title": text, **fields}))

    assert title("Alliances in Eurasia: Security after the Soviet Union") == "Alliances in Eurasia"
    assert title("Why It’s Time to Take the Alliance Seriously") == (
        "Why It’s Time to Take the Alliance Seriously"
    )
    assert title("Is the CSTO Dead? Notes from Yerevan") == "Is the CSTO Dead?"
    assert title("The Widget Treaty: Ten Years On") == "Widget Treaty"
    assert title("Long Title: Sub", **{"title-short": "Long"}) == "Long"


def test_headline_case_follows_csl_title_case() -> None:
    assert headline_case("the alliance in central asia: a test of will") == (
        "The Alliance in Central Asia: A Test of Will"
    )
    assert headline_case("what the CSTO is for") == "What the CSTO Is For"
    assert headline_case("a well-known alliance") == "A Well-Known Alliance"


def test_straight_quotes_and_apostrophes_become_typographic() -> None:
    assert typographic("Russia's \"Near Abroad\" and 'Allies'") == (
        "Russia’s “Near Abroad” and ‘Allies’"
    )
    article = Source.model_validate(
        {
            "id": "a",
            "type": "article-magazine",
            "title": "Russia's 'Allies'",
            "container-title": "X",
        }
    )
    assert plain(full_note(article)) == "“Russia’s ‘Allies,’” X"
