"""Importing a CSL-JSON export: new records appended, ours kept, every loss reported."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from briefgen.cli import app
from briefgen.errors import BriefError
from briefgen.load import load_brief
from briefgen.tools import csl
from briefgen.tools.csl import Conflict, ImportReport, import_csl, write_import
from tests.conftest import FIXTURES

SOURCES = Path("facts/sources.yaml")
EXPORT = Path("export.json")

# The minimal brief's sources, with comments and a URL the export contradicts.
CURATED = """\
# The widget brief's sources, with CSL-JSON field names.
# An import must leave these lines exactly as they are.

- id: smith-2021-gazette
  type: article-newspaper
  title: The Widget Treaty Turns Ten
  author:
    - family: Smith
      given: Jane
  container-title: Widget Gazette
  issued: 2021-05-04   # day confirmed by the archive
  URL: https://example.org/widget-treaty

- id: widget-office-2019-report
  type: report
  title: Widgets Under Pressure
  issued: 2019
  URL: https://example.org/widgets-2019
"""

LEE = """\
- id: lee-2023-widget-review
  type: article-journal
  title: 'Widgets after the Treaty: A Review'
  title-short: Widgets after the Treaty
  author:
    - family: Lee
      given: Min-ji
    - family: Brandt
      given: Zoë
  container-title: Journal of Widget Studies
  issued: 2023-02-27
  URL: https://example.org/widgets-review
  DOI: 10.1234/widgets.2023.1
  volume: "12"
"""


@pytest.fixture
def brief(project) -> Path:
    """The minimal brief with curated sources and the fixture export beside it."""
    root = project("minimal")
    SOURCES.write_text(CURATED, encoding="utf-8")
    shutil.copy(FIXTURES / "csl" / "export.json", EXPORT)
    return root


def export(*items: object) -> Path:
    """Write a CSL-JSON export of `items`, one item per line from line 2."""
    lines = ",\n".join(json.dumps(item, ensure_ascii=False) for item in items)
    EXPORT.write_text(f"[\n{lines}\n]\n", encoding="utf-8")
    return EXPORT


def problems(csl: Path = EXPORT, sources: Path = SOURCES) -> list[str]:
    with pytest.raises(BriefError) as caught:
        import_csl(sources, csl)
    return [str(p) for p in caught.value.problems]


def item(**fields: object) -> dict[str, object]:
    return {"id": "doe-2024-notes", "type": "report", "title": "Widget Notes", **fields}


def test_report_of_the_fixture_export(brief):
    report = import_csl(SOURCES, EXPORT)
    assert report.added == ["lee-2023-widget-review"]
    assert report.unchanged == ["smith-2021-gazette"]
    assert report.conflicts == [
        Conflict(
            "widget-office-2019-report",
            "title",
            "Widgets Under Pressure",
            "Widgets Under Pressure (Revised)",
        ),
        Conflict(
            "widget-office-2019-report",
            "URL",
            "https://example.org/widgets-2019",
            "https://example.org/widgets-2019-revised",
        ),
    ]
    assert report.ignored == {}  # DOI and volume are kept: Chicago notes print them
    assert report.not_merged == {"widget-office-2019-report": ["publisher"]}
    assert report.before == CURATED.encode()
    assert report.after == f"{CURATED}\n{LEE}".encode()


def test_import_writes_nothing_until_asked(brief):
    import_csl(SOURCES, EXPORT)
    assert SOURCES.read_text(encoding="utf-8") == CURATED


def test_written_file_keeps_our_text_and_loads_as_a_brief(brief):
    written = write_import(import_csl(SOURCES, EXPORT), SOURCES)
    assert written == SOURCES
    text = SOURCES.read_text(encoding="utf-8")
    assert text.startswith(CURATED)  # every comment and value of ours, verbatim
    loaded = load_brief(Path("briefgen.yaml"))
    sources = loaded.sources_by_id
    assert list(sources) == [
        "smith-2021-gazette",
        "widget-office-2019-report",
        "lee-2023-widget-review",
    ]
    ours = sources["widget-office-2019-report"]
    assert (ours.title, ours.URL) == ("Widgets Under Pressure", "https://example.org/widgets-2019")
    assert ours.publisher is None
    new = sources["lee-2023-widget-review"]
    assert str(new.issued) == "2023-02-27"
    assert [name.display(inverted=True) for name in new.author] == ["Lee, Min-ji", "Brandt, Zoë"]
    assert str(new.where()) == "facts/sources.yaml:20:3"


def test_importing_twice_adds_nothing_the_second_time(brief):
    write_import(import_csl(SOURCES, EXPORT), SOURCES)
    first = SOURCES.read_bytes()
    again = import_csl(SOURCES, EXPORT)
    assert again.added == []
    assert again.unchanged == ["lee-2023-widget-review", "smith-2021-gazette"]  # export order
    assert [c.field for c in again.conflicts] == ["title", "URL"]
    assert again.ignored == {}
    assert not again.changed
    assert write_import(again, SOURCES) is None
    assert SOURCES.read_bytes() == first


def test_missing_sources_file_is_created(tmp_path):
    sources = tmp_path / "facts" / "sources.yaml"
    report = import_csl(sources, FIXTURES / "csl" / "export.json")
    assert report.added == [
        "lee-2023-widget-review",
        "smith-2021-gazette",
        "widget-office-2019-report",
    ]
    assert (report.unchanged, report.conflicts, report.not_merged) == ([], [], {})
    assert report.ignored == {"smith-2021-gazette": ["language"]}
    assert write_import(report, sources) == sources
    text = sources.read_text(encoding="utf-8")
    assert text.startswith(LEE + "\n- id: smith-2021-gazette\n")
    assert "\n  issued: 2019\n" in text  # date-parts [["2019"]] as the year, unquoted


def test_comment_only_sources_file_takes_records(tmp_path):
    sources = tmp_path / "sources.yaml"
    sources.write_text("# nothing curated yet", encoding="utf-8")
    report = import_csl(sources, FIXTURES / "csl" / "export.json")
    assert len(report.added) == 3
    assert report.after.startswith(b"# nothing curated yet\n\n- id: lee-2023-widget-review\n")


def test_values_are_compared_once_normalised(brief):
    export(
        {
            "id": "smith-2021-gazette",
            "type": "article-newspaper",
            "title": "  The Widget   Treaty Turns Ten ",
            "author": [{"family": "Smith", "given": "Jane"}],
            "issued": {"raw": "2021-05-04"},
        },
        {"id": "widget-office-2019-report", "title": "Widgets Under Pressure", "issued": 2019},
    )
    report = import_csl(SOURCES, EXPORT)
    assert report.unchanged == ["smith-2021-gazette", "widget-office-2019-report"]
    assert report.conflicts == []


def test_authors_and_dates_that_differ_are_conflicts(brief):
    export(
        {
            "id": "smith-2021-gazette",
            "title": "The Widget Treaty Turns Ten",
            "author": [{"family": "Smith", "given": "J."}, {"literal": "Gazette Staff"}],
            "issued": {"date-parts": [[2021, 5]]},
        }
    )
    assert import_csl(SOURCES, EXPORT).conflicts == [
        Conflict("smith-2021-gazette", "author", "Smith, Jane", "Smith, J.; Gazette Staff"),
        Conflict("smith-2021-gazette", "issued", "2021-05-04", "2021-05"),
    ]


def test_date_forms_become_iso_text(brief):
    export(
        item(id="a-range", issued={"date-parts": [[2022, 1, 6], [2022, 1, 19]]}),
        item(id="b-raw", issued={"raw": "2022-03"}, accessed={"literal": "2024-01-05"}),
        item(id="c-season", issued={"date-parts": [[2021]], "season": 2, "circa": True}),
    )
    report = import_csl(SOURCES, EXPORT)
    new = report.after.decode().removeprefix(CURATED)
    assert "  issued: 2022-01-06/2022-01-19\n" in new
    assert "  issued: 2022-03\n  accessed: 2024-01-05\n" in new
    assert "  issued: 2021\n" in new
    assert report.ignored == {"c-season": ["issued.season", "issued.circa"]}


def test_name_particles_join_the_name_and_other_name_fields_are_reported(brief):
    export(
        item(
            author=[
                {"family": "Gogh", "given": "Anna", "non-dropping-particle": "van"},
                {"family": "Beethoven", "given": "Ludwig", "dropping-particle": "van"},
                {"family": "Ng", "given": "Lin", "parse-names": True},
            ],
            editor=[{"family": "Roe", "given": "Ann"}],
        )
    )
    report = import_csl(SOURCES, EXPORT)
    assert report.ignored == {"doe-2024-notes": ["author.parse-names"]}
    assert (
        "  author:\n"
        "    - family: van Gogh\n      given: Anna\n"
        "    - family: Beethoven\n      given: Ludwig van\n"
        "    - family: Ng\n      given: Lin\n"
        "  editor:\n"
        "    - family: Roe\n      given: Ann\n"
    ) in report.after.decode()


def test_zotero_short_title_and_csl_title_short(brief):
    export(
        item(id="same", shortTitle="Notes", **{"title-short": "Notes"}),
        item(id="differ", shortTitle="Notes", **{"title-short": "Widget Notes, short"}),
    )
    report = import_csl(SOURCES, EXPORT)
    assert report.ignored == {"differ": ["shortTitle"]}
    assert "  title-short: Widget Notes, short\n" in report.after.decode()


def test_notes_of_several_lines_are_written_as_literal_blocks(brief):
    export(item(note="Extra: from Zotero\ntex.howpublished: print"))
    report = import_csl(SOURCES, EXPORT)
    assert report.after.decode().endswith(
        "  note: |-\n    Extra: from Zotero\n    tex.howpublished: print\n"
    )
    write_import(report, SOURCES)
    note = load_brief(Path("briefgen.yaml")).sources_by_id["doe-2024-notes"].note
    assert note == "Extra: from Zotero\ntex.howpublished: print"


def test_crlf_file_gets_crlf_records(tmp_path):
    sources = tmp_path / "sources.yaml"
    sources.write_bytes(CURATED.replace("\n", "\r\n").encode())
    report = import_csl(sources, FIXTURES / "csl" / "export.json")
    appended = report.after.removeprefix(sources.read_bytes())
    assert appended.startswith(b"\r\n- id: lee-2023-widget-review\r\n")
    assert b"\n" not in appended.replace(b"\r\n", b"")


def test_empty_export_changes_nothing(brief):
    EXPORT.write_text(" [ ]\n", encoding="utf-8")
    report = import_csl(SOURCES, EXPORT)
    assert (report.added, report.unchanged, report.conflicts) == ([], [], [])
    assert write_import(report, SOURCES) is None
    assert SOURCES.read_text(encoding="utf-8") == CURATED


def test_export_file_not_found(brief):
    assert problems(Path("missing.json")) == [
        "missing.json: no such file (pass the CSL-JSON file your reference manager exported)"
    ]


def test_export_encoding(brief):
    EXPORT.write_bytes(b"\xef\xbb\xbf" + (FIXTURES / "csl" / "export.json").read_bytes())
    assert import_csl(SOURCES, EXPORT).added == ["lee-2023-widget-review"]  # a BOM is fine
    EXPORT.write_bytes(b'[\n  {"id": "a", "title": "Caf\xe9"}\n]\n')  # Latin-1
    assert problems() == ["export.json:2: file is not valid UTF-8 (save it as UTF-8)"]


def test_invalid_json_names_line_and_column(brief):
    EXPORT.write_text('[\n  {"id": "a",\n   "title": "B",}\n]\n', encoding="utf-8")
    assert problems() == [
        "export.json:3:17: invalid JSON: Expecting property name enclosed in double quotes "
        "(export the items again as CSL JSON, a list of items)"
    ]


def test_export_that_is_not_a_list(brief):
    EXPORT.write_text('\n  {"items": []}\n', encoding="utf-8")
    assert problems() == [
        "export.json:2:3: a CSL-JSON export must be a list of items, '[{...}, ...]' "
        "(export the items again as CSL JSON, a list of items)"
    ]


def test_item_that_is_not_an_object(brief):
    export(item(), "doe-2024-notes")
    assert problems() == [
        "export.json:3:1: item 2 is not an object (each item is {...} with an id)"
    ]


def test_item_without_id_or_title(brief):
    export({"title": "No id"}, {"id": "no-title", "type": "report"})
    assert problems() == [
        "export.json:2:1: item 1 has no 'id' (give every item an id)",
        "export.json:3:1: item 2 ('no-title'): missing field 'title'",
    ]


def test_ids_that_are_not_text(brief):
    export(item(id=4.2), item(id="  "), item(id=True), item(id=["a"]))
    hint = "(give the item a text id such as 'smith-2021-gazette')"
    assert problems() == [
        f"export.json:2:1: item 1: id 4.2 is neither text nor a whole number {hint}",
        "export.json:3:1: item 2: id is empty (give every item an id)",
        f"export.json:4:1: item 3: id True is neither text nor a whole number {hint}",
        f"export.json:5:1: item 4: id ['a'] is neither text nor a whole number {hint}",
    ]


def test_duplicate_ids_in_the_export(brief):
    export(item(), item(id="other"), item(title="Widget Notes, again"))
    assert problems() == [
        "export.json:4:1: item 3: duplicate id 'doe-2024-notes' (first given by item 1, line 2)"
    ]


def test_items_that_are_not_valid_sources(brief):
    export(
        item(URL="ftp://example.org/notes"),
        item(id="bad-date", issued={"literal": "Spring or Summer"}),
        item(id="bad-name", author=[{"family": 7}], reliability="Z"),
    )
    assert problems() == [
        "export.json:2:1: item 1 ('doe-2024-notes'): 'URL' must be a web address starting "
        "http:// or https://, not 'ftp://example.org/notes'",
        "export.json:3:1: item 2 ('bad-date'): 'issued': 'Spring or Summer' is not a date "
        "(write YYYY, YYYY-MM or YYYY-MM-DD)",
        "export.json:4:1: item 3 ('bad-name'): 'family' of author 1 must be text, not 7",
        "export.json:4:1: item 3 ('bad-name'): 'reliability' must be one of 'A', 'B', 'C', "
        "'D', 'E' or 'F', not 'Z'",
    ]


def test_a_bad_item_stops_the_whole_import(brief):
    export(item(), item(id="no-title", title=""))
    with pytest.raises(BriefError):
        write_import(import_csl(SOURCES, EXPORT), SOURCES)
    assert SOURCES.read_text(encoding="utf-8") == CURATED


def test_errors_in_our_sources_file_are_reported_the_loaders_way(brief):
    SOURCES.write_text(CURATED.replace("  issued: 2019\n", "  issued: 2019-13\n"), encoding="utf-8")
    assert problems() == [
        "facts/sources.yaml:17:11: 'issued': impossible date '2019-13': there is no month 13"
    ]


def test_sources_file_that_cannot_take_appended_records(brief):
    SOURCES.write_text("[{id: smith-2021-gazette, title: The Widget Treaty}]\n", encoding="utf-8")
    assert problems() == [
        "facts/sources.yaml: cannot append records to sources.yaml: it does not end as a plain "
        "list of records (write sources.yaml as a block list, each record starting '- id:')"
    ]


def test_write_refuses_a_file_changed_since_the_import_read_it(brief):
    report = import_csl(SOURCES, EXPORT)
    SOURCES.write_text(CURATED + "# a late edit\n", encoding="utf-8")
    with pytest.raises(BriefError) as caught:
        write_import(report, SOURCES)
    assert str(caught.value) == (
        "facts/sources.yaml: sources.yaml changed since the import read it (run the import again)"
    )
    assert SOURCES.read_text(encoding="utf-8").endswith("# a late edit\n")


def test_report_is_frozen(brief):
    report = import_csl(SOURCES, EXPORT)
    assert isinstance(report, ImportReport)
    with pytest.raises(AttributeError):
        report.added = []  # type: ignore[misc]


# Values either YAML would read as something else ------------------------------


def test_text_either_yaml_reads_as_a_number_is_written_quoted(brief):
    export(
        item(
            volume="76",
            issue="09",  # YAML 1.1: text; YAML 1.2 (editors): the number 9
            page="08",
            edition="1e3",  # YAML 1.1: text; YAML 1.2: the number 1000
            number="0o17",
            section="yes",
            genre="null",
            note="Extra: 09\n1e3",
        )
    )
    report = import_csl(SOURCES, EXPORT)
    new = report.after.decode().removeprefix(CURATED)
    for line in ('volume: "76"', 'issue: "09"', 'page: "08"', 'number: "0o17"', 'edition: "1e3"'):
        assert f"\n  {line}\n" in new
    assert '\n  section: "yes"\n  note: |-\n    Extra: 09\n    1e3\n' in new
    assert '\n  genre: "null"\n' in new
    write_import(report, SOURCES)
    notes = load_brief(Path("briefgen.yaml")).sources_by_id["doe-2024-notes"]
    assert (notes.volume, notes.issue, notes.page, notes.edition) == ("76", "09", "08", "1e3")
    assert (notes.number, notes.section, notes.genre) == ("0o17", "yes", "null")
    assert notes.note == "Extra: 09\n1e3"


def test_a_magazine_issue_imports_into_a_fresh_brief(tmp_path, monkeypatch):
    """The reviewer's case: `issue: 09` was written bare and refused by briefgen's own check."""
    runner = CliRunner(env={"COLUMNS": "200", "NO_COLOR": "1", "TERM": "dumb"})
    assert runner.invoke(app, ["init", str(tmp_path / "brief")]).exit_code == 0
    monkeypatch.chdir(tmp_path / "brief")
    mag = {
        "id": "http://zotero.org/users/1/items/AAAA1111",
        "type": "article-magazine",
        "title": "Monthly Report",
        "container-title": "Der Spiegel",
        "issue": "09",
        "volume": "76",
        "issued": {"date-parts": [[2022, 2, 26]]},
    }
    Path("mag.json").write_text(json.dumps([mag]), encoding="utf-8")
    result = runner.invoke(app, ["sources", "import", "mag.json"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == (
        "wrote facts/sources.yaml: 1 added, 0 unchanged, 0 with conflicts"
    )
    assert runner.invoke(app, ["check"]).exit_code == 0


def test_records_that_would_not_read_back_say_so(brief, monkeypatch):
    # PyYAML's own writer, as the import used before: it leaves `09` bare.
    monkeypatch.setattr(
        csl, "_dump", lambda record: yaml.safe_dump([record], sort_keys=False, allow_unicode=True)
    )
    export(item(issue="09"))
    assert problems() == [
        "facts/sources.yaml: cannot append records to sources.yaml: the records would not read "
        "back: doe-2024-notes: '09' is ambiguous: older YAML reads it as the text \"09\", "
        "editors as the number 9 (nothing was written; this is a fault of the import, "
        "please report it)"
    ]
    assert SOURCES.read_text(encoding="utf-8") == CURATED


@pytest.mark.parametrize(
    ("changed", "problem"),
    [
        ({"title": "Other Notes"}, "it reads back with other values"),
        ({"title": None}, "'title' must be text"),
    ],
)
def test_records_that_read_back_as_something_else_say_so(brief, monkeypatch, changed, problem):
    def dump(record: dict[str, object]) -> str:
        return yaml.safe_dump([{**record, **changed}], sort_keys=False)

    monkeypatch.setattr(csl, "_dump", dump)
    export(item())
    assert problems() == [
        "facts/sources.yaml: cannot append records to sources.yaml: the records would not read "
        f"back: doe-2024-notes: {problem} (nothing was written; this is a fault of the import, "
        "please report it)"
    ]


# Numbers where CSL-JSON allows them -------------------------------------------


def test_numbers_for_volume_issue_page_edition_and_number_are_taken_as_text(brief):
    export(item(volume=14, issue=2, page=101, edition=3, number=7))
    report = import_csl(SOURCES, EXPORT)
    assert report.added == ["doe-2024-notes"]
    assert report.after.decode().endswith(
        '  volume: "14"\n  issue: "2"\n  page: "101"\n  number: "7"\n  edition: "3"\n'
    )
    write_import(report, SOURCES)
    notes = load_brief(Path("briefgen.yaml")).sources_by_id["doe-2024-notes"]
    assert (notes.volume, notes.issue, notes.page, notes.number, notes.edition) == (
        "14",
        "2",
        "101",
        "7",
        "3",
    )


def test_numbers_in_sources_yaml_are_taken_as_text_too(brief):
    SOURCES.write_text(
        CURATED + "  volume: 14\n  issue: 2\n  page: 45\n  edition: 2\n  number: 7\n",
        encoding="utf-8",
    )
    report = load_brief(Path("briefgen.yaml")).sources_by_id["widget-office-2019-report"]
    assert (report.volume, report.issue, report.page, report.edition, report.number) == (
        "14",
        "2",
        "45",
        "2",
        "7",
    )
    SOURCES.write_text(CURATED + "  volume: true\n", encoding="utf-8")
    with pytest.raises(BriefError) as caught:
        load_brief(Path("briefgen.yaml"))
    assert str(caught.value).startswith("facts/sources.yaml:19:11: 'volume' must be text, not True")


def test_a_numeric_id_becomes_a_readable_id_and_is_recognised_again(brief):
    export(item(id=123, author=[{"family": "Doe", "given": "Jo"}], issued={"raw": "2024"}))
    report = import_csl(SOURCES, EXPORT)
    assert report.added == ["doe-2024-widget"]
    assert report.after.decode().endswith('  citation-key: "123"\n')
    write_import(report, SOURCES)
    again = import_csl(SOURCES, EXPORT)
    assert (again.added, again.unchanged, again.conflicts) == ([], ["doe-2024-widget"], [])


# What the matching takes as equal is no conflict --------------------------------


def test_a_url_with_a_final_slash_and_a_doi_as_a_url_are_no_conflicts(brief):
    SOURCES.write_text(CURATED + "\n" + LEE, encoding="utf-8")
    export(
        {
            "id": "smith-2021-gazette",
            "title": "The Widget Treaty Turns Ten",
            "URL": "https://example.org/widget-treaty/",
        },
        {
            "id": "http://zotero.org/users/1/items/LEE12345",
            "title": "Widgets after the Treaty: A Review",
            "DOI": "https://doi.org/10.1234/WIDGETS.2023.1",
        },
    )
    report = import_csl(SOURCES, EXPORT)
    assert report.unchanged == ["smith-2021-gazette", "lee-2023-widget-review"]
    assert report.conflicts == []


def test_a_citation_key_of_an_item_matched_otherwise_is_reported(brief):
    SOURCES.write_text(CURATED + "\n" + LEE, encoding="utf-8")
    lee = {"title": "Widgets after the Treaty: A Review", "DOI": "10.1234/widgets.2023.1"}
    export({"id": "lee2023", **lee})  # Better BibTeX: the key is the id
    assert import_csl(SOURCES, EXPORT).not_merged == {"lee-2023-widget-review": ["citation-key"]}
    export({"id": "leeWidgets2023", **lee})  # a key that is no id: split, and kept
    assert import_csl(SOURCES, EXPORT).not_merged == {"lee-2023-widget-review": ["citation-key"]}
    SOURCES.write_text(CURATED + "\n" + LEE + "  citation-key: lee-review\n", encoding="utf-8")
    export({"id": "lee2023", **lee})
    assert import_csl(SOURCES, EXPORT).conflicts == [
        Conflict("lee-2023-widget-review", "citation-key", "lee-review", "lee2023")
    ]
    export({"id": "lee-2023-widget-review", **lee})  # our id is the key: nothing to say
    report = import_csl(SOURCES, EXPORT)
    assert (report.unchanged, report.conflicts, report.not_merged) == (
        ["lee-2023-widget-review"],
        [],
        {},
    )


def test_the_court_of_a_legal_case_is_reported_as_ignored(brief):
    export(
        item(
            id="brown-1954",
            type="legal_case",
            title="Brown v. Board of Education",
            authority="U.S. Supreme Court",
            volume=347,
            page=483,
        )
    )
    assert import_csl(SOURCES, EXPORT).ignored == {"brown-1954": ["authority"]}
