"""Zotero as it really exports: item URIs, Better BibTeX keys, every field a note needs.

The two exports under tests/fixtures/csl/ were written for these tests in the
shapes the two exporters write: `zotero-export.json` as Zotero's own "Export
Collection… → CSL JSON" (tabs, item URIs as ids, fields briefgen does not
model), `bbt-export.json` as Better BibTeX's "Better CSL JSON" (citation keys
as ids). The notes and bibliography of the imported records are compared with
Pandoc's citeproc output for the same export (tests/golden/chicago/zotero-*.txt).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from briefgen.cite import bibliography_entry, bibliography_key, end_sentence, full_note
from briefgen.errors import BriefError
from briefgen.load import load_brief
from briefgen.model import Source
from briefgen.tools.csl import import_csl, write_import
from briefgen.tools.readable_ids import key_as_id, readable_id
from briefgen.yamlread import read_yaml
from tests.conftest import FIXTURES, REPO, edit
from tests.test_chicago import GOLDEN, access_date_always, plain
from tests.test_schema import errors as schema_errors

SOURCES = Path("facts/sources.yaml")
ZOTERO = FIXTURES / "csl" / "zotero-export.json"
BBT = FIXTURES / "csl" / "bbt-export.json"
ZOTERO_IDS = [
    "muller-2022-allies",  # Katrin Müller, 2022, "Allies Wait for an Answer from Moscow"
    "gogh-2023-alliance",  # van Gogh: the particle is not part of the id; "The" is skipped
    "okafor-2019-history",  # "A History of Collective Defence": "A" is skipped
    "widget-2021-widgets",  # an organisation as author: its first word
    "member-states",  # no author, no date: the title's first two words
    "muller-2022-allies-b",  # Müller again, 2022, "Allies Meet in Almaty": a suffix
]


@pytest.fixture
def brief(project) -> Path:
    return project("minimal")


def imported(export: Path = ZOTERO) -> dict[str, Source]:
    """Import `export` into the brief, write it, and load the brief's sources back."""
    write_import(import_csl(SOURCES, export), SOURCES)
    return load_brief(Path("briefgen.yaml")).sources_by_id


def test_zotero_item_uris_become_readable_unique_ids(brief):
    report = import_csl(SOURCES, ZOTERO)
    assert report.added == ZOTERO_IDS
    assert (report.unchanged, report.conflicts, report.not_merged) == ([], [], {})


def test_the_zotero_uri_is_remembered_in_the_record(brief):
    sources = imported()
    assert sources["muller-2022-allies"].zotero_uri == (
        "http://zotero.org/users/1234567/items/ABCD2345"
    )
    assert sources["okafor-2019-history"].zotero_uri == (
        "http://zotero.org/groups/998877/items/JKLM2345"
    )
    assert sources["widget-2021-widgets"].zotero_uri == (
        "http://zotero.org/users/local/abcDEF/items/NPQR2345"
    )
    assert str(sources["member-states"].where()) == "facts/sources.yaml:76:3"


def test_every_field_a_chicago_note_needs_is_kept(brief):
    sources = imported()
    news = sources["muller-2022-allies"]
    assert (str(news.issued), str(news.accessed), news.container_title, news.section) == (
        "2022-01-07",
        "2024-03-02",
        "Steppe Herald",
        "World",
    )
    journal = sources["gogh-2023-alliance"]
    assert (journal.volume, journal.issue, journal.page, journal.DOI) == (
        "14",
        "2",
        "101-125",
        "10.1234/jews.2023.0042",
    )
    assert journal.title_short == "The alliance nobody left"
    assert [n.display() for n in journal.author] == ["Anna van Gogh", "Ilya Petrov"]
    book = sources["okafor-2019-history"]
    assert (book.edition, book.publisher, book.publisher_place) == (
        "2",
        "Widget University Press",
        "Oxford",
    )
    assert [n.display() for n in book.translator] == ["Clara Ward"]
    report = sources["widget-2021-widgets"]
    assert (report.genre, report.number) == ("Working paper", "WP-14")
    assert str(report.issued) == "2021-11"
    page = sources["member-states"]
    assert (page.type, page.issued, str(page.accessed)) == ("webpage", None, "2024-05-02")


def test_fields_briefgen_does_not_keep_are_named(brief):
    report = import_csl(SOURCES, ZOTERO)
    assert report.ignored == {
        "muller-2022-allies": ["language", "source"],
        "gogh-2023-alliance": [
            "abstract",
            "ISSN",
            "container-title-short",
            "language",
            "source",
        ],
        "okafor-2019-history": ["event-place", "ISBN", "language", "number-of-pages", "source"],
        "member-states": ["language"],
        "muller-2022-allies-b": ["language"],
    }


def test_imported_records_give_the_notes_citeproc_gives(brief):
    """Notes as Pandoc's citeproc makes them from the same export, but for the access
    dates briefgen prints always (see `access_date_always`)."""
    sources = [imported()[source_id] for source_id in ZOTERO_IDS]
    lines = (GOLDEN / "zotero-full.txt").read_text(encoding="utf-8").splitlines()
    pairs = zip(lines, sources, strict=True)
    expected = [access_date_always(line, source, note=True) for line, source in pairs]
    assert [plain(end_sentence(full_note(source))) for source in sources] == expected


def test_imported_records_give_the_bibliography_citeproc_gives(brief):
    """Entries and their order as citeproc's; briefgen repeats an author's name for
    each entry where citeproc writes a 3-em dash, and prints access dates always."""
    sources = imported()
    ordered = sorted((sources[source_id] for source_id in ZOTERO_IDS), key=bibliography_key)
    lines = (GOLDEN / "zotero-bibliography.txt").read_text(encoding="utf-8").splitlines()
    lines = [line.replace("———.", "Müller, Katrin.") for line in lines]
    pairs = zip(lines, ordered, strict=True)
    expected = [access_date_always(line, source, note=False) for line, source in pairs]
    assert [plain(bibliography_entry(source)) for source in ordered] == expected


def test_importing_the_same_export_twice_adds_nothing(brief):
    write_import(import_csl(SOURCES, ZOTERO), SOURCES)
    first = SOURCES.read_bytes()
    again = import_csl(SOURCES, ZOTERO)
    assert again.added == []
    assert again.unchanged == ZOTERO_IDS
    assert (again.conflicts, again.not_merged) == ([], {})
    assert write_import(again, SOURCES) is None
    assert SOURCES.read_bytes() == first


def test_ids_are_the_same_on_every_fresh_import(tmp_path):
    one = import_csl(tmp_path / "one.yaml", ZOTERO)
    two = import_csl(tmp_path / "two.yaml", ZOTERO)
    assert one.added == two.added == ZOTERO_IDS
    assert one.after == two.after


def test_made_ids_steer_clear_of_ids_already_in_the_file(brief):
    SOURCES.write_text(
        SOURCES.read_text(encoding="utf-8")
        + "\n- id: muller-2022-allies\n  type: report\n  title: Another Müller's Work\n",
        encoding="utf-8",
    )
    report = import_csl(SOURCES, ZOTERO)
    assert report.added[0] == "muller-2022-allies-b"
    assert report.added[-1] == "muller-2022-allies-c"
    assert report.unchanged == []


def test_an_item_already_curated_by_hand_is_recognised(brief):
    """No Zotero URI in the record: its DOI, URL, or title, year and author tell."""
    SOURCES.write_text(
        SOURCES.read_text(encoding="utf-8")
        + "\n- id: vangogh-exit\n  type: article-journal\n  title: The Alliance Nobody Left\n"
        "  DOI: https://doi.org/10.1234/JEWS.2023.0042\n"
        "\n- id: cwo-members\n  type: webpage\n  title: Member States\n"
        "  URL: https://example.org/cwo/members\n"
        "\n- id: okafor-history\n  type: book\n  title: A history of collective  defence\n"
        "  author:\n    - family: Okafor\n      given: N.\n  issued: 2019\n",
        encoding="utf-8",
    )
    report = import_csl(SOURCES, ZOTERO)
    assert report.added == ["muller-2022-allies", "widget-2021-widgets", "muller-2022-allies-b"]
    assert report.unchanged == []
    # Our DOI written as a URL, and the export's URL with a final '/', are the
    # same DOI and URL to the matching: so they are no conflicts either.
    assert [(c.id, c.field) for c in report.conflicts] == [
        ("vangogh-exit", "title"),
        ("okafor-history", "title"),
        ("okafor-history", "author"),
        ("cwo-members", "title"),
    ]
    assert report.not_merged["cwo-members"][-1] == "zotero-uri"


def test_better_bibtex_keys_are_kept_or_split_into_ids(brief):
    report = import_csl(SOURCES, BBT)
    assert report.added == [
        "okafor-history-collective-defence-2019",  # camel case split at its words
        "vangogh2023",  # a valid id as it is
        "roe-2020-widget",  # an id without a citation-key field: kept
        "roe-2020-widget-b",  # 'Roe2020Widget' split, and the kept key above was first
    ]
    assert report.ignored == {
        "okafor-history-collective-defence-2019": ["ISBN"],
        "roe-2020-widget": ["citation-label"],
    }
    text = report.after.decode()
    assert "\n  citation-key: okaforHistoryCollectiveDefence2019\n" in text
    assert "\n  citation-key: Roe2020Widget\n" in text
    assert "citation-key: vangogh2023" not in text  # the id says it already
    sources = imported(BBT)
    assert sources["roe-2020-widget-b"].citation_key == "Roe2020Widget"
    assert plain(full_note(sources["roe-2020-widget"], "4")) == (
        "Ann Roe, ed., Widget Outlook, working paper 7 (Widget Office, 2020), 4"
    )


def test_better_bibtex_reimport_adds_nothing(brief):
    write_import(import_csl(SOURCES, BBT), SOURCES)
    again = import_csl(SOURCES, BBT)
    assert again.added == []
    assert again.unchanged == [
        "okafor-history-collective-defence-2019",
        "vangogh2023",
        "roe-2020-widget",
        "roe-2020-widget-b",
    ]
    assert not again.changed


def test_a_better_bibtex_export_after_a_plain_one_recognises_the_same_works(brief):
    write_import(import_csl(SOURCES, ZOTERO), SOURCES)
    report = import_csl(SOURCES, BBT)
    assert report.added == ["roe-2020-widget", "roe-2020-widget-b"]
    assert report.unchanged == ["okafor-2019-history", "gogh-2023-alliance"]
    assert report.not_merged == {  # 'vangogh2023', a key kept as the id, is a key too
        "okafor-2019-history": ["citation-key"],
        "gogh-2023-alliance": ["citation-key"],
    }


def test_readable_id_parts():
    def made(**fields: object) -> str:
        return readable_id(Source.model_validate({"id": "x", "title": "Untitled", **fields}))

    assert made(title="What Would Defeat Mean?", author=[{"family": "Ruehl"}], issued=2022) == (
        "ruehl-2022-what"
    )
    assert made(title="An Atlas", editor=[{"family": "García Márquez"}], issued=1990) == (
        "garcia-marquez-1990-atlas"
    )
    assert made(title="Обзор событий", author=[{"family": "Соколов"}], issued=2021) == (
        "sokolov-2021-obzor"
    )
    assert made(title="The Widget Report", issued=2020) == "widget-2020-report"
    assert made(title="「同盟」") == "source"
    assert key_as_id("ruehlWhatWouldPotential2022") == "ruehl-what-would-potential-2022"
    assert key_as_id("Müller:2020") == "muller-2020"
    assert key_as_id("smith-2021.a") == "smith-2021.a"
    assert key_as_id("???") is None


def test_dates_zotero_cannot_parse_keep_their_year(brief, tmp_path):
    export = tmp_path / "export.json"
    export.write_text(
        '[{"id": "http://zotero.org/users/1/items/AAAA1111", "type": "report",'
        ' "title": "Seasonal Widgets", "issued": {"literal": "Spring 2023"},'
        ' "accessed": {"date-parts": [[2024, 22]]}}]',
        encoding="utf-8",
    )
    report = import_csl(SOURCES, export)
    assert report.added == ["seasonal-2023-widgets"]
    assert report.ignored == {"seasonal-2023-widgets": ["issued.literal", "accessed.season"]}
    assert "\n  issued: 2023\n  accessed: 2024\n" in report.after.decode()


def test_a_type_that_is_not_csl_is_refused_in_an_import(brief, tmp_path):
    export = tmp_path / "export.json"
    export.write_text(
        ZOTERO.read_text(encoding="utf-8").replace(
            '"type": "article-newspaper"', '"type": "article-newpaper"', 1
        ),
        encoding="utf-8",
    )
    with pytest.raises(BriefError) as caught:
        import_csl(SOURCES, export)
    assert str(caught.value).endswith(
        "export.json:2:2: item 1 ('http://zotero.org/users/1234567/items/ABCD2345'): "
        "'type' is 'article-newpaper', not a CSL item type (did you mean 'article-newspaper'?)"
    )


def test_a_type_that_is_not_csl_is_refused_in_sources_yaml(brief):
    edit(SOURCES, "type: report", "type: reprot")
    with pytest.raises(BriefError) as caught:
        load_brief(Path("briefgen.yaml"))
    assert str(caught.value) == (
        "facts/sources.yaml:12:9: 'type' is 'reprot', not a CSL item type (did you mean 'report'?)"
    )


@pytest.mark.slow
def test_type_typos_through_the_real_cli(brief, tmp_path):
    """`briefgen check` and `briefgen sources import` in a subprocess: exit 1, file:line."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "COLUMNS": "200", "NO_COLOR": "1"}

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "briefgen", *args]
        return subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)

    export = tmp_path / "export.json"
    shutil.copy(ZOTERO, export)
    edit(export, '"type": "webpage"', '"type": "web-page"')
    result = cli("sources", "import", str(export))
    assert result.returncode == 1, result.stderr
    assert result.stderr == (
        f"error: {export}:136:2: item 5 ('http://zotero.org/users/1234567/items/STUV6789'): "
        "'type' is 'web-page', not a CSL item type (did you mean 'webpage'?)\n"
    )
    assert "Traceback" not in result.stderr

    edit(SOURCES, "type: article-newspaper", "type: article-newpaper")
    result = cli("check")
    assert result.returncode == 1
    assert result.stderr == (
        "error: facts/sources.yaml:2:9: 'type' is 'article-newpaper', not a CSL item type "
        "(did you mean 'article-newspaper'?)\n"
    )


def test_the_editor_schema_lists_the_csl_types_so_editors_flag_a_typo_too(brief):
    assert (
        schema_errors("sources.schema.json", [{"id": "s", "title": "T", "type": "webpage"}]) == []
    )
    found = schema_errors("sources.schema.json", [{"id": "s", "title": "T", "type": "web-page"}])
    assert len(found) == 1 and found[0].startswith("'web-page' is not one of ['article', ")
    write_import(import_csl(SOURCES, ZOTERO), SOURCES)
    assert schema_errors("sources.schema.json", read_yaml(SOURCES).data) == []
