"""Quote verification against an archive of source texts."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from briefgen.cli import app
from briefgen.errors import BriefError
from briefgen.load import load_brief
from briefgen.tools.verify import normalise, paragraph_numbers, verify_quotes
from tests.conftest import FIXTURES, REPO, edit

TOPIC = Path("facts/treaty.yaml")
ARCHIVE = FIXTURES / "archive"
SHARED_SOURCES = REPO.parent / "shared" / "sources"


def misses() -> list[str]:
    return [str(m) for m in verify_quotes(load_brief(Path("briefgen.yaml")), ARCHIVE).misses]


def test_fixture_quotes_are_all_found(project):
    project()
    result = verify_quotes(load_brief(Path("briefgen.yaml")), ARCHIVE)
    assert (result.checked, result.misses) == (6, [])


def test_quotes_match_across_typographic_differences(project):
    project()
    edit(
        TOPIC,
        '"four states put their names to the treaty in Geneva"',
        "'Critics call it a \"paper alliance\" - a treaty without teeth'",
    )
    edit(TOPIC, "        locator: para. 2\n", "        locator: para. 6\n")
    assert misses() == []


def test_a_wrong_word_is_a_miss_with_file_and_line(project):
    project()
    edit(
        TOPIC,
        '"four states put their names to the treaty in Geneva"',
        '"five states put their names to the treaty in Geneva"',
    )
    assert misses() == [
        "facts/treaty.yaml:14:16: fact 'treaty-signed': quote not found in para. 2 "
        "of smith-2021-gazette"
    ]


def test_a_wrong_paragraph_says_where_the_quote_is(project):
    project()
    edit(TOPIC, "        locator: para. 2\n", "        locator: para. 3\n")
    assert misses() == [
        "facts/treaty.yaml:14:16: fact 'treaty-signed': quote not found in para. 3 "
        "of smith-2021-gazette (it is in para. 2)"
    ]


def test_a_paragraph_past_the_end_and_a_missing_copy(project):
    project()
    edit(TOPIC, "        locator: para. 2\n", "        locator: para. 40\n")
    (ARCHIVE_COPY := Path("archive")).mkdir()
    (ARCHIVE_COPY / "smith-2021-gazette.txt").write_bytes(
        (ARCHIVE / "smith-2021-gazette.txt").read_bytes()
    )
    result = verify_quotes(load_brief(Path("briefgen.yaml")), ARCHIVE_COPY)
    reasons = [m.reason for m in result.misses]
    assert reasons[0] == "para. 40 is past the end of smith-2021-gazette (9 paragraphs)"
    assert reasons[1].startswith("no archived copy widget-office-2019-report.txt in archive")


@pytest.mark.parametrize(
    ("locator", "numbers"),
    [("para. 12", [12]), ("paras. 3–5", [3, 4, 5]), ("para 7", [7]), ("p. 4", None)],
)
def test_paragraph_locators(locator, numbers):
    found = paragraph_numbers(locator)
    assert (list(found) if found is not None else None) == numbers


def test_normalise_folds_quotes_dashes_and_spaces():
    assert normalise("“It’s  a\u00a0test” — she said…") == '"It\'s a test" - she said...'


def unrecorded_warning(source_id: str, line: int, archive: Path = ARCHIVE) -> str:
    copy = archive / f"{source_id}.txt"
    return (
        f"warning: facts/sources.yaml:{line}:3: archived copy {copy} of {source_id!r} has no "
        f"recorded sha256 (record it with 'briefgen sources archive {source_id} {copy}')\n"
    )


def test_cli_exits_1_and_reports_each_miss(project):
    project()
    edit(TOPIC, '"its four members"', '"its five members"')
    result = CliRunner().invoke(app, ["verify-quotes", "--archive", str(ARCHIVE)])
    assert result.exit_code == 1
    assert result.stderr == (
        "miss: facts/treaty.yaml:32:16: fact 'treaty-membership-count': quote not found in "
        "para. 4 of smith-2021-gazette\n"
        + unrecorded_warning("smith-2021-gazette", 1)
        + unrecorded_warning("widget-office-2019-report", 11)
    )
    assert result.stdout == f"5 of 6 quotes found in {ARCHIVE}\n"


def test_cli_passes_on_the_fixture(project):
    project()
    result = CliRunner().invoke(app, ["verify-quotes", "--archive", str(ARCHIVE)])
    assert result.exit_code == 0
    assert result.stdout == f"6 of 6 quotes found in {ARCHIVE}\n"


@pytest.mark.skipif(not SHARED_SOURCES.is_dir(), reason="../shared/sources is not beside the repo")
def test_default_fact_base_quotes_are_in_the_shared_archive():
    brief = load_brief(REPO / "briefgen.yaml")
    result = verify_quotes(brief, SHARED_SOURCES)
    assert [str(m) for m in result.misses] == []
    assert result.checked >= len(brief.facts)


def archive_in_project(sha256s: dict[str, str] | None = None) -> Path:
    """Copy the fixture archive to sources/ (the default folder) and record digests given."""
    folder = Path("sources")
    folder.mkdir()
    for copy in ARCHIVE.glob("*.txt"):
        (folder / copy.name).write_bytes(copy.read_bytes())
    for source_id, digest in (sha256s or {}).items():
        edit(
            Path("facts/sources.yaml"),
            f"- id: {source_id}\n",
            f"- id: {source_id}\n  archived:\n    sha256: {digest}\n",
        )
    return folder


def digest_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_configured_archive_is_the_default(project):
    project()
    folder = archive_in_project(
        {
            s: digest_of(ARCHIVE / f"{s}.txt")
            for s in ("smith-2021-gazette", "widget-office-2019-report")
        }
    )
    result = verify_quotes(load_brief(Path("briefgen.yaml")))
    assert (result.checked, result.misses, result.changed, result.unrecorded) == (6, [], [], [])
    assert result.archive == folder
    cli = CliRunner().invoke(app, ["verify-quotes", "--strict"])
    assert (cli.exit_code, cli.stdout, cli.stderr) == (0, "6 of 6 quotes found in sources\n", "")


def test_a_changed_copy_is_an_error_naming_both_digests(project):
    project()
    recorded = digest_of(ARCHIVE / "smith-2021-gazette.txt")
    folder = archive_in_project(
        {
            "smith-2021-gazette": recorded,
            "widget-office-2019-report": digest_of(ARCHIVE / "widget-office-2019-report.txt"),
        }
    )
    with (folder / "smith-2021-gazette.txt").open("a", encoding="utf-8") as copy:
        copy.write("A paragraph added after archiving.\n")
    actual = digest_of(folder / "smith-2021-gazette.txt")
    result = CliRunner().invoke(app, ["verify-quotes"])
    assert result.exit_code == 1
    assert result.stdout == "6 of 6 quotes found in sources\n"
    assert result.stderr == (
        "error: facts/sources.yaml:3:13: archived copy sources/smith-2021-gazette.txt of "
        f"'smith-2021-gazette' has changed: sha256 recorded {recorded[:12]}…, the file has "
        f"{actual[:12]}… (restore the recorded copy; or, if the change is meant, record it with "
        "'briefgen sources archive smith-2021-gazette sources/smith-2021-gazette.txt')\n"
    )


def test_an_unrecorded_copy_warns_and_fails_only_under_strict(project):
    project()
    archive_in_project({"smith-2021-gazette": digest_of(ARCHIVE / "smith-2021-gazette.txt")})
    warned = CliRunner().invoke(app, ["verify-quotes"])
    local = Path("sources")
    assert (warned.exit_code, warned.stderr) == (
        0,
        unrecorded_warning("widget-office-2019-report", 13, local),
    )
    strict = CliRunner().invoke(app, ["verify-quotes", "--strict"])
    assert strict.exit_code == 1
    assert strict.stderr == unrecorded_warning("widget-office-2019-report", 13, local).replace(
        "warning:", "error:"
    )


def test_a_missing_default_archive_says_how_to_set_one(project):
    project()
    result = CliRunner().invoke(app, ["verify-quotes"])
    assert result.exit_code == 1
    assert result.stderr == (
        "error: sources: archive folder 'sources' does not exist (set 'archive:' in the "
        "configuration to the folder holding <source id>.txt files, or archive a source with "
        "'briefgen sources archive ID FILE|URL')\n"
    )


def test_only_regular_copies_are_read(project):
    project()
    folder = Path("sources")
    folder.mkdir()
    (folder / "smith-2021-gazette.txt").mkdir()
    with pytest.raises(BriefError, match="is a folder, not a file"):
        verify_quotes(load_brief(Path("briefgen.yaml")))


@pytest.mark.skipif(not SHARED_SOURCES.is_dir(), reason="../shared/sources is not beside the repo")
def test_the_csto_brief_reads_its_configured_archive_and_every_digest_matches():
    brief = load_brief(REPO / "briefgen.yaml")
    assert brief.folders.archive.resolve() == SHARED_SOURCES.resolve()
    result = verify_quotes(brief)
    assert (result.misses, result.changed, result.unrecorded) == ([], [], [])
    assert result.checked == 243
    assert all(source.archived is not None for source in brief.sources)
    assert all(source.archived.retrieved is None for source in brief.sources if source.archived)
