"""Prose topics: facts grouped into paragraphs, one note per fact or one per paragraph."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from briefgen.audience import choose
from briefgen.errors import BriefError
from briefgen.load import load_brief
from briefgen.pipeline import build, check
from briefgen.render import render_html
from briefgen.select import select
from tests.conftest import edit

CONFIG = Path("briefgen.yaml")
TREATY = Path("facts/treaty.yaml")
DAY = dt.date(2026, 11, 29)

# The audiences fixture's treaty topic as prose: the signing (dated, and saying
# so), the internal QXMARKER fact and the membership count in one paragraph.
PROSE = (
    "summary: How the Widget Treaty came about.\n"
    "paragraphs:\n  - [treaty-signed, treaty-secret, treaty-members]\n"
)
SIGNED = "    text: Four states signed the Widget Treaty in Geneva."
SIGNED_DATED = "    text: On 14 March 2011 four states signed the Widget Treaty in Geneva."


def prose_fixture(project) -> Path:
    root = project("audiences")
    edit(TREATY, "summary: How the Widget Treaty came about.\n", PROSE)
    edit(TREATY, SIGNED, SIGNED_DATED)
    return root


def html_for(name: str) -> str:
    brief = load_brief(CONFIG)
    audience = choose(brief.config, [name])[0]
    return render_html(brief, select(brief, audience), audience, build_date=DAY).html


def paragraph_of(html: str) -> str:
    start = html.index('<p class="prose">')
    return html[start : html.index("</p>", start)]


def test_a_paragraph_reads_as_flowing_prose_with_a_note_per_fact(project):
    prose_fixture(project)
    paragraph = paragraph_of(html_for("full"))
    sentences = re.findall(r'<span class="sentence" id="fact-([a-z-]+)">', paragraph)
    assert sentences == ["treaty-signed", "treaty-secret", "treaty-members"]
    assert paragraph.count('class="note-call"') == 3
    assert "<time" not in paragraph  # prose prints no date lead-in: the sentence says when


def test_an_audience_can_take_one_combined_note_per_paragraph(project):
    prose_fixture(project)
    edit(
        CONFIG, "    marking: INTERNAL ONLY\n", "    marking: INTERNAL ONLY\n    notes: paragraph\n"
    )
    paragraph = paragraph_of(html_for("full"))
    assert paragraph.count('class="note-call"') == 1
    note = re.search(r'<span class="footnote">(.*)</span>', paragraph).group(1)
    note = note.replace("\xa0", " ")  # locators keep their number on their line
    # the combined note cites every fact's sources, in the order of the sentences
    assert note.index("para. 2") < note.index("para. 5") < note.index("para. 4")


def test_a_withheld_fact_leaves_its_paragraph_and_the_guard_still_holds(project):
    prose_fixture(project)
    paragraph = paragraph_of(html_for("public"))
    assert re.findall(r'id="fact-([a-z-]+)"', paragraph) == ["treaty-signed", "treaty-members"]
    built = build(CONFIG, audiences=["public"], formats=["html"])
    assert built.audiences[0].name == "public"
    assert "QXMARKER7741" not in (Path("out") / "widgets-public.html").read_text(encoding="utf-8")


def test_a_contested_fact_keeps_its_sentence_and_shows_its_box_after_the_paragraph(project):
    root = project("minimal")
    edit(
        Path("facts/treaty.yaml"),
        "summary: How the *Widget Treaty* came about.\n",
        "summary: How the *Widget Treaty* came about.\nparagraphs:\n"
        "  - [treaty-membership-count, treaty-signed]\n",
    )
    edit(
        Path("facts/treaty.yaml"),
        "    text: Four states signed",
        "    text: On 14 March 2011 four states signed",
    )
    assert root.exists()
    brief = load_brief(CONFIG)
    audience = choose(brief.config)[0]
    html = render_html(brief, select(brief, audience), audience, build_date=DAY).html
    after = html[html.index('<p class="prose">') :]
    assert after.index('id="fact-treaty-signed"') < after.index('<div class="differ"')
    assert 'Sources differ: <a class="differ-on" href="#fact-treaty-membership-count">' in after
    # the fact left out of every paragraph is shown after them, as a paragraph of its own
    assert after.index("</p>") < after.index('id="fact-treaty-ratified"')


@pytest.mark.parametrize(
    ("paragraphs", "expected"),
    [
        ("[[treaty-signed, treaty-sined]]", "paragraph 1 names unknown fact 'treaty-sined'"),
        (
            "[[treaty-signed], [treaty-signed]]",
            "fact 'treaty-signed' is in more than one paragraph",
        ),
        ("[[treaty-signed, treaty-outlook]]", "judgment 'treaty-outlook' is in a paragraph"),
    ],
)
def test_paragraphs_must_name_each_fact_of_the_topic_once(project, paragraphs, expected):
    project("minimal")
    edit(
        Path("facts/treaty.yaml"),
        "summary: How the *Widget Treaty* came about.\n",
        f"summary: How the *Widget Treaty* came about.\nparagraphs: {paragraphs}\n",
    )
    with pytest.raises(BriefError) as caught:
        check(CONFIG)
    (problem,) = [str(p) for p in caught.value.problems]
    assert expected in problem and problem.startswith("facts/treaty.yaml:")


def test_prose_warns_about_a_fact_in_no_paragraph_and_a_date_the_sentence_does_not_say(project):
    project("minimal")
    edit(
        Path("facts/treaty.yaml"),
        "summary: How the *Widget Treaty* came about.\n",
        "summary: How the *Widget Treaty* came about.\nparagraphs:\n"
        "  - [treaty-signed, treaty-membership-count]\n",
    )
    warnings = [str(w) for w in check(CONFIG).warnings]
    assert any("fact 'treaty-ratified' is in no paragraph of topic 'treaty'" in w for w in warnings)
    assert any(
        "fact 'treaty-signed' is in a paragraph but its first sentence does not say when "
        "(14 March 2011)" in w
        for w in warnings
    )


@pytest.mark.slow
def test_the_pdf_reads_the_paragraph_in_one_run_with_its_notes(project):
    root = prose_fixture(project)
    build(CONFIG, audiences=["full"])
    text = " ".join(
        page.extract_text() for page in PdfReader(root / "out" / "widgets-full.pdf").pages
    )
    text = " ".join(text.split())
    assert re.search(
        r"four states signed the Widget Treaty in Geneva\.\s?\d+ QXMARKER7741 the ministry", text
    )
