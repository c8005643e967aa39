"""Quote verification against an archive of source texts."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from briefgen.cli import app
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


def test_cli_exits_1_and_reports_each_miss(project):
    project()
    edit(TOPIC, '"its four members"', '"its five members"')
    result = CliRunner().invoke(app, ["verify-quotes", "--archive", str(ARCHIVE)])
    assert result.exit_code == 1
    assert result.stderr == (
        "miss: facts/treaty.yaml:32:16: fact 'treaty-membership-count': quote not found in "
        "para. 4 of smith-2021-gazette\n"
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
