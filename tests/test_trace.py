"""Provenance: what rests on a source."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from briefgen.cli import app
from briefgen.load import load_brief
from briefgen.tools.trace import UnknownSource, trace


def test_facts_citing_and_judgments_resting_on_a_source(project):
    project()
    brief = load_brief(Path("briefgen.yaml"))
    result = trace(brief, "widget-office-2019-report")
    assert [f.id for f, _ in result.citing] == ["treaty-ratified", "treaty-membership-count"]
    assert [(j.id, via) for j, via in result.judgments] == [
        ("treaty-outlook", ["treaty-membership-count"])
    ]


def test_judgments_resting_on_judgments_are_followed(project):
    root = project()
    topic = root / "facts" / "treaty.yaml"
    topic.write_text(
        topic.read_text(encoding="utf-8")
        + "  - id: second-order\n    kind: judgment\n    text: Builds on the outlook.\n"
        "    confidence: unlikely\n    basis: [treaty-outlook]\n",
        encoding="utf-8",
    )
    result = trace(load_brief(Path("briefgen.yaml")), "smith-2021-gazette")
    assert [(j.id, via) for j, via in result.judgments] == [
        ("treaty-outlook", ["treaty-signed", "treaty-membership-count"]),
        ("second-order", ["treaty-outlook"]),
    ]


def test_cli_trace_and_unknown_source(project):
    project()
    runner = CliRunner(env={"COLUMNS": "200"})
    result = runner.invoke(app, ["trace", "widget-office-2019-report"])
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "facts citing widget-office-2019-report: 2",
        "  treaty-ratified                    fact     para. 5          facts/treaty.yaml:15:5",
        "  treaty-membership-count            fact     para. 1          facts/treaty.yaml:26:5",
        "judgments resting on them: 1",
        "  treaty-outlook                     via treaty-membership-count",
    ]
    unknown = runner.invoke(app, ["trace", "widget-office"])
    assert unknown.exit_code == 2
    assert "unknown source 'widget-office'; did you mean 'widget-office-2019-report'?" in (
        unknown.stderr
    )


def test_an_unknown_source_is_refused_with_the_closest_id(project):
    project()
    with pytest.raises(UnknownSource) as caught:
        trace(load_brief(Path("briefgen.yaml")), "smith-2021-gazete")
    assert caught.value.close == "smith-2021-gazette"
    assert (
        str(caught.value)
        == "unknown source 'smith-2021-gazete' (did you mean 'smith-2021-gazette'?)"
    )
