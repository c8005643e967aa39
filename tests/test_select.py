"""Select stage, and the membership table it feeds."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from briefgen.audience import default_audience
from briefgen.load import load_brief
from briefgen.render import render_html
from briefgen.select import select
from tests.conftest import edit

MEMBERSHIP = """membership:
  - state: Northland
    periods:
      - joined: 2011
    citations:
      - {source: smith-2021-gazette, locator: para. 2, quote: "four states put their names"}
  - state: Eastmark
    periods:
      - {joined: 2011, left: 2015}
      - {joined: 2018-06}
    note: Left over a tariff dispute.
    citations:
      - {source: smith-2021-gazette, locator: para. 4, quote: "its four members"}
"""


def test_judgments_are_lifted_out_of_their_sections(project):
    project()
    brief = load_brief(Path("briefgen.yaml"))
    selection = select(brief, default_audience(brief.config))
    assert [j.id for j in selection.judgments] == ["treaty-outlook"]
    assert [[f.id for f in s.facts] for s in selection.sections] == [
        ["treaty-signed", "treaty-ratified", "treaty-membership-count"]
    ]
    assert selection.facts[0].id == "treaty-outlook"


def test_membership_rows_render_as_a_table_with_one_note(project):
    root = project()
    topic = root / "facts" / "treaty.yaml"
    topic.write_text(topic.read_text(encoding="utf-8") + MEMBERSHIP, encoding="utf-8")
    brief = load_brief(Path("briefgen.yaml"))
    audience = default_audience(brief.config)
    section = select(brief, audience).sections[0]
    assert [m.state for m in section.members] == ["Northland", "Eastmark"]
    html = render_html(
        brief, select(brief, audience), audience, build_date=dt.date(2024, 1, 1)
    ).html
    table = html[html.index('<table class="membership">') : html.index("</table>")]
    rows = table.split("<tr>")[2:]
    assert "Northland" in rows[0] and rows[0].count("<td>—</td>") == 3 and "Member</td>" in rows[0]
    cells = [c.split("<")[0] for c in rows[1].split("<td>")[1:]]
    assert cells == ["2011", "2015", "June 2018", "—", "Member"]
    assert "Left over a tariff dispute." in rows[1]
    caption = table[table.index("<caption>") : table.index("</caption>")]
    assert caption.count('role="doc-noteref"') == 1 and 'role="doc-noteref"' not in rows[0]
    note = caption[caption.index('class="footnote"') :]
    assert "four states put their names" in note and "its four members" in note


def _shown(name: str) -> tuple[list[str], list[str], list[str]]:
    from briefgen.audience import choose

    brief = load_brief(Path("briefgen.yaml"))
    (audience,) = choose(brief.config, [name])
    selection = select(brief, audience)
    return (
        [j.id for j in selection.judgments],
        [f.id for s in selection.sections for f in s.facts],
        [f.id for f in selection.withheld],
    )


def test_an_audience_never_takes_a_fact_above_its_handling_level(project):
    project("audiences")
    judgments, facts, withheld = _shown("public")
    assert "treaty-secret" not in facts and "treaty-secret" in withheld
    # a judgment resting on a withheld fact is withheld with it
    assert judgments == ["treaty-outlook"] and "treaty-walkout" in withheld
    assert facts == ["treaty-signed", "treaty-members", "trade-tariffs", "trade-quotas"]


def test_the_full_audience_takes_everything(project):
    project("audiences")
    judgments, facts, withheld = _shown("full")
    assert judgments == ["treaty-outlook", "treaty-walkout"] and withheld == []
    assert len(facts) == 5


def test_priority_topic_and_tag_filters(project):
    project("audiences")
    assert _shown("top")[:2] == (
        ["treaty-outlook", "treaty-walkout"],
        ["treaty-signed", "treaty-secret"],
    )
    # priority and topic filters narrow what is shown but withhold nothing
    assert _shown("top")[2] == []
    assert _shown("trade")[:2] == ([], ["trade-tariffs"])


def test_membership_rows_follow_handling_and_the_tables_switch(project):
    root = project("audiences")
    topic = root / "facts" / "treaty.yaml"
    rows = MEMBERSHIP.replace(
        "    periods:\n      - joined: 2011\n",
        "    periods:\n      - joined: 2011\n    handling: public\n",
    )
    topic.write_text(topic.read_text(encoding="utf-8") + rows, encoding="utf-8")
    brief = load_brief(Path("briefgen.yaml"))
    from briefgen.audience import choose

    public, full = choose(brief.config, ["public", "full"])
    # Eastmark names no handling, so it takes the default: the most restricted level
    assert [m.state for m in select(brief, public).sections[0].members] == ["Northland"]
    assert [m.state for m in select(brief, full).sections[0].members] == ["Northland", "Eastmark"]
    edit(
        Path("briefgen.yaml"),
        "    handling: internal\n    marking: INTERNAL ONLY\n",
        "    handling: internal\n    marking: INTERNAL ONLY\n    tables: false\n",
    )
    brief = load_brief(Path("briefgen.yaml"))
    (full,) = choose(brief.config, ["full"])
    assert select(brief, full).sections[0].members == []
