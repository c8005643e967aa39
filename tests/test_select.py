"""Select stage, and the membership table it feeds."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from briefgen.load import load_brief
from briefgen.render import render_html
from briefgen.select import select

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
    selection = select(load_brief(Path("briefgen.yaml")))
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
    section = select(brief).sections[0]
    assert [m.state for m in section.members] == ["Northland", "Eastmark"]
    html = render_html(brief, select(brief), build_date=dt.date(2024, 1, 1)).html
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
