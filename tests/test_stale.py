"""Staleness: review dates, `check --max-age` and `--strict`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from typer.testing import CliRunner

from briefgen.cli import app
from briefgen.errors import BriefError
from briefgen.load import load_brief
from briefgen.stale import parse_age, stale_facts
from tests.conftest import edit

TOPIC = Path("facts/treaty.yaml")
TODAY = dt.date(2025, 6, 30)


def review(fact_id: str, date: str) -> None:
    edit(TOPIC, f"  - id: {fact_id}\n", f"  - id: {fact_id}\n    reviewed: {date}\n")


def test_ages_in_days_weeks_and_years():
    assert parse_age("365d") == dt.timedelta(days=365)
    assert parse_age("26w") == dt.timedelta(days=182)
    assert parse_age(" 2y ") == dt.timedelta(days=730)
    with pytest.raises(BriefError, match="'12 months' is not an age"):
        parse_age("12 months")


def test_facts_reviewed_too_long_ago_or_never_are_warned_about(project):
    project()
    review("treaty-signed", "2024-01-15")
    review("treaty-ratified", "2025-06-01")
    review("treaty-membership-count", "2023-03")
    warnings = [
        str(w)
        for w in stale_facts(
            load_brief(Path("briefgen.yaml")), today=TODAY, max_age=dt.timedelta(days=365)
        )
    ]
    assert warnings == [
        "facts/treaty.yaml:29:15: fact 'treaty-membership-count' was last reviewed 852 days ago "
        "(2023-03) (review it against its sources; the limit is 365 days)",
        "facts/treaty.yaml:7:15: fact 'treaty-signed' was last reviewed 532 days ago "
        "(2024-01-15) (review it against its sources; the limit is 365 days)",
        "facts/treaty.yaml:47:5: fact 'treaty-outlook' has no review date "
        "(add 'reviewed: YYYY-MM-DD' once you have checked it against its sources)",
    ]


def test_check_max_age_warns_and_strict_fails(project, monkeypatch):
    project()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1751241600")  # 30 June 2025
    for fact_id in ("treaty-signed", "treaty-ratified", "treaty-membership-count"):
        review(fact_id, "2025-06-01")
    review("treaty-outlook", "2023-01-01")
    runner = CliRunner(env={"COLUMNS": "200"})
    result = runner.invoke(app, ["check", "--max-age", "365d"])
    assert result.exit_code == 0
    assert result.stderr.startswith("warning: facts/treaty.yaml:")
    assert "fact 'treaty-outlook' was last reviewed 911 days ago" in result.stderr
    strict = runner.invoke(app, ["check", "--max-age", "365d", "--strict"])
    assert strict.exit_code == 1
    assert strict.stderr.startswith("error: facts/treaty.yaml:")
    assert runner.invoke(app, ["check", "--max-age", "1000d", "--strict"]).exit_code == 0
    bad = runner.invoke(app, ["check", "--max-age", "soon"])
    assert bad.exit_code == 2 and "'soon' is not an age" in bad.output


def test_strict_turns_other_warnings_into_errors_too(project):
    root = project()
    sources = root / "facts" / "sources.yaml"
    sources.write_text(
        sources.read_text(encoding="utf-8") + "\n- id: unused-2020\n  title: Never Cited\n",
        encoding="utf-8",
    )
    runner = CliRunner(env={"COLUMNS": "200"})
    assert runner.invoke(app, ["check"]).exit_code == 0
    result = runner.invoke(app, ["build", "--strict", "-f", "html"])
    assert result.exit_code == 1
    assert "error: facts/sources.yaml:16:7: source 'unused-2020' is never cited" in result.stderr
    assert not (root / "out").exists()


def test_matrix_lists_every_audience_as_json(project):
    import json

    project("audiences")
    result = CliRunner().invoke(app, ["matrix"])
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {
        "include": [
            {
                "audience": name,
                "html": f"widgets-{name}.html",
                "pdf": f"widgets-{name}.pdf",
                "paths": f"out/widgets-{name}.html\nout/widgets-{name}.pdf\nout/manifest.json",
            }
            for name in ("full", "top", "public", "trade")
        ]
    }


def test_matrix_lists_each_audiences_own_formats(project):
    import json

    root = project("audiences")
    config = root / "briefgen.yaml"
    edit(config, "    title: Trade desk\n", "    title: Trade desk\n    formats: [docx, md]\n")
    result = CliRunner().invoke(app, ["matrix"])
    assert result.exit_code == 0
    trade = json.loads(result.stdout)["include"][-1]
    assert trade == {
        "audience": "trade",
        "docx": "widgets-trade.docx",
        "md": "widgets-trade.md",
        "paths": "out/widgets-trade.docx\nout/widgets-trade.md\nout/manifest.json",
    }
