"""What a reader needs to trust a brief: events in order, the date of the information,
the method and its legends, labels that stand alone, and one confidence word."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from briefgen.audience import choose
from briefgen.dates import When
from briefgen.load import load_brief
from briefgen.pipeline import check
from briefgen.render import render_html
from briefgen.select import select
from tests.conftest import edit

DAY = dt.date(2026, 11, 29)
CONFIG = Path("briefgen.yaml")

# Dates written out of order on purpose: a year, a month, a day and a range that
# all start in January 2022, an undated fact, and a comment on two of them.
EVENTS = """id: events
title: Events
order: 2
facts:
  - id: ev-undated
    text: UNDATED background on the treaty.
    citations: [{source: smith-2021-gazette, locator: para. 1, quote: "the treaty"}]
  - id: ev-left
    text: WITHDRAWN the force left.
    headline: The force left "Northland"
    date: 2022-01-13/2022-01-19
    citations: [{source: smith-2021-gazette, locator: para. 2, quote: "left"}]
  - id: ev-day
    text: On 5 January 2022 DAYFACT Northland asked for help.
    headline: Northland asked for help
    date: 2022-01-05
    citations: [{source: smith-2021-gazette, locator: para. 3, quote: "asked"}]
  - id: ev-month
    text: MONTHFACT protests spread.
    date: 2022-01
    citations: [{source: smith-2021-gazette, locator: para. 4, quote: "spread"}]
  - id: ev-year
    text: YEARFACT was a hard year. It had a second sentence.
    date: 2022
    citations: [{source: widget-office-2019-report, locator: para. 5, quote: "hard"}]
  - id: ev-first-day
    text: FIRSTDAY the year began.
    date: 2022-01-01
    citations: [{source: widget-office-2019-report, locator: para. 6, quote: "began"}]
  - id: ev-range
    text: RANGED it was a member from 2006 until 2012.
    date: 2006/2012
    citations: [{source: smith-2021-gazette, locator: para. 7, quote: "member"}]
  - id: ev-comment
    kind: comment
    text: COMMENTED the two accounts can both be right.
    basis: [ev-month, ev-day]
"""


def brief_with_events():
    (Path("facts") / "events.yaml").write_text(EVENTS, encoding="utf-8")
    return load_brief(CONFIG)


def html_of(brief, name=None) -> str:
    audience = choose(brief.config, [name] if name else [])[0]
    return render_html(brief, select(brief, audience), audience, build_date=DAY).html


def markers(text: str) -> list[str]:
    found = re.findall(
        r"UNDATED|WITHDRAWN|DAYFACT|MONTHFACT|YEARFACT|FIRSTDAY|RANGED|COMMENTED", text
    )
    return list(dict.fromkeys(found))


def test_partial_dates_sort_by_their_start_the_less_precise_first():
    dates = ["2022-01-05", "2022-01", "2022", "2022-01-01", "2021-12/2022-02", "2022-01/2022-03"]
    ordered = sorted((When.parse(d) for d in dates), key=When.sort_key)
    assert [str(w) for w in ordered] == [
        "2021-12/2022-02",
        "2022",
        "2022-01",
        "2022-01/2022-03",
        "2022-01-01",
        "2022-01-05",
    ]


def test_a_section_reads_in_date_order_undated_last_and_a_comment_after_its_facts(project):
    project()
    brief = brief_with_events()
    audience = choose(brief.config)[0]
    section = next(s for s in select(brief, audience).sections if s.topic.id == "events")
    assert [f.id for f in section.facts] == [
        "ev-range",
        "ev-year",
        "ev-month",
        "ev-first-day",
        "ev-day",
        "ev-comment",
        "ev-left",
        "ev-undated",
    ]


def test_a_topic_can_keep_its_written_order(project):
    project()
    (Path("facts") / "events.yaml").write_text(
        EVENTS.replace("order: 2\n", "order: 2\nfact_order: written\n"), encoding="utf-8"
    )
    brief = load_brief(CONFIG)
    html = html_of(brief)
    section = html[
        html.index('id="topic-events"') : html.index("</section>", html.index('id="topic-events"'))
    ]
    assert markers(section) == [
        "UNDATED",
        "WITHDRAWN",
        "DAYFACT",
        "MONTHFACT",
        "YEARFACT",
        "FIRSTDAY",
        "RANGED",
        "COMMENTED",
    ]


def test_the_chronology_is_strictly_chronological_and_uses_headlines(project):
    project()
    html = html_of(brief_with_events())
    chronology = html[html.index('<table class="chronology">') :]
    chronology = chronology[: chronology.index("</table>")]
    rows = re.findall(
        r'<td class="date">([^<]+)</td><td><a href="#fact-([a-z-]+)">([^<]+)</a>', chronology
    )
    ids = [row[1] for row in rows]
    assert ids.index("ev-year") < ids.index("ev-month") < ids.index("ev-first-day")
    assert ids.index("ev-first-day") < ids.index("ev-day") < ids.index("ev-left")
    labels = {row[1]: row[2] for row in rows}
    assert labels["ev-day"] == "Northland asked for help"  # the headline stands alone
    assert labels["ev-left"] == "The force left “Northland”"  # typographic quotes, as in the text
    assert labels["ev-year"] == "YEARFACT was a hard year."  # no headline: the whole first sentence
    assert "ev-comment" not in ids  # a comment is the desk's word, not an event


def test_the_date_lead_in_is_left_out_when_the_text_opens_with_it(project):
    project()
    html = html_of(brief_with_events())
    day = html[html.index('id="fact-ev-day"') :]
    day = day[: day.index("</div>")]
    assert "<time" not in day and "On 5 January 2022 DAYFACT" in day
    month = html[html.index('id="fact-ev-month"') :]
    assert month[: month.index("</div>")].count("January 2022") == 1  # printed once, as the lead-in
    ranged = html[html.index('id="fact-ev-range"') :]
    assert "<time" not in ranged[: ranged.index("</div>")]  # both ends of the range are in the text


def test_a_comment_is_marked_as_the_desks_and_names_what_it_is_on(project):
    project()
    html = html_of(brief_with_events())
    comment = html[html.index('id="fact-ev-comment"') :]
    comment = comment[: comment.index("</div>")]
    assert "Desk comment:" in comment
    assert '<a class="xref" href="#fact-ev-month">MONTHFACT protests spread.</a>' in comment
    assert '<a class="xref" href="#fact-ev-day">Northland asked for help</a>' in comment


def test_a_comment_needs_the_facts_it_comments_on(project):
    project()
    (Path("facts") / "events.yaml").write_text(
        EVENTS.replace("    basis: [ev-month, ev-day]\n", ""), encoding="utf-8"
    )
    with pytest.raises(Exception, match="comment 'ev-comment' names no facts it comments on"):
        check(CONFIG)


def test_judgment_basis_is_whole_labels_never_text_cut_mid_phrase(project):
    project()
    edit(
        Path("facts/treaty.yaml"),
        "    basis: [treaty-signed, treaty-membership-count]",
        "    basis: [treaty-signed, ev-year]",
    )
    html = html_of(brief_with_events())
    basis = html[html.index('<p class="basis">Rests on:') :]
    basis = basis[: basis.index("</p>")]
    assert '<a class="xref" href="#fact-ev-year">YEARFACT was a hard year.</a>' in basis
    assert "…" not in basis


def test_the_confidence_word_is_printed_once_and_a_repeat_in_the_text_is_a_warning(project):
    project()
    html = html_of(load_brief(CONFIG))
    judgment = html[html.index('id="fact-treaty-outlook"') :]
    judgment = judgment[: judgment.index("</li>")]
    assert judgment.lower().count("likely") == 1
    edit(Path("facts/treaty.yaml"), "The treaty will keep", "The treaty will very likely keep")
    warnings = [str(w) for w in check(CONFIG).warnings]
    assert warnings == [
        "facts/treaty.yaml:46:11: judgment 'treaty-outlook' says 'very likely' in its text "
        "(its confidence (likely) is printed before the text; "
        "leave estimative words out of the text)"
    ]


def test_the_information_date_is_the_newest_cited_source_or_the_configured_one(project):
    project()
    html = html_of(load_brief(CONFIG))
    byline = html[html.index('<p class="byline">') :]
    byline = byline[: byline.index("</p>")]
    assert "29 November 2026" in byline
    assert 'Information as of <time datetime="2021-05-04">4 May 2021</time>' in byline
    edit(CONFIG, "marking: TEST MARKING", "marking: TEST MARKING\ninformation_as_of: 2021-06")
    assert 'Information as of <time datetime="2021-06">June 2021</time>' in html_of(
        load_brief(CONFIG)
    )


def test_the_method_note_counts_the_sources_and_explains_the_grades(project):
    project()
    edit(
        Path("facts/sources.yaml"),
        "  issued: 2019\n",
        "  issued: 2019\n  reliability: F\n  note: Author unconfirmed.\n",
    )
    edit(
        CONFIG,
        "marking: TEST MARKING",
        "marking: TEST MARKING\nshow_grades: true\nmethod: All sources are *commentary*.",
    )
    html = html_of(load_brief(CONFIG))
    method = html[html.index('<section class="method"') :]
    method = method[: method.index("</section>")]
    text = " ".join(re.sub(r"<[^>]+>", "", method).split())
    assert (
        "rests on 2 sources: 1 newspaper article and 1 report, "
        "published between 2019 and 4 May 2021." in text
    )
    assert "1 source graded F (reliability cannot be judged); 1 not graded." in text
    assert "All sources are commentary." in text
    assert "Reliability: A completely reliable;" in text and "6 truth cannot be judged." in text
    assert "lowest to highest: almost no chance, very unlikely," in text
    bibliography = html[html.index('<section class="bibliography"') :]
    assert "<i>Widgets Under Pressure</i>. 2019. Author unconfirmed." in bibliography


def test_grade_legends_only_where_grades_are_shown(project):
    project()
    edit(Path("facts/sources.yaml"), "  issued: 2019\n", "  issued: 2019\n  reliability: F\n")
    html = html_of(load_brief(CONFIG))
    for graded in ("Reliability: A completely reliable", "graded F", "Notes grade each source"):
        assert graded not in html  # show_grades is off: the reader sees no grade to explain
    assert "lowest to highest" in html  # the fixture shows a judgment
    edit(CONFIG, "marking: TEST MARKING", "marking: TEST MARKING\nshow_grades: true")
    html = html_of(load_brief(CONFIG))
    byline = html[html.index('<header class="masthead">') : html.index("</header>")]
    assert "Notes grade each source's reliability (A–F)" in byline
    assert '<a href="#h-method">Sources and method</a>' in byline
