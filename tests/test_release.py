"""The release guard: nothing withheld from an edition may reach its output."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader

from briefgen.errors import BriefError
from briefgen.model import Fact
from briefgen.pipeline import build
from briefgen.release import check_release

SECRET = Fact.model_validate(
    {
        "id": "secret-fact",
        "text": "The ministry *privately* expects QXMARKER7741 to walk out before the review.",
        "handling": "internal",
        "versions": [
            {
                "text": "Another account names a second state that may follow it.",
                "citations": [{"source": "s", "locator": "para. 1", "quote": "q"}],
            }
        ],
    }
)


def leaks(html: str) -> list[str]:
    try:
        check_release(html, [SECRET], audience="public")
    except BriefError as exc:
        return [p.message for p in exc.problems]
    return []


def test_clean_output_passes():
    assert leaks("<p>Four states signed the treaty.</p>") == []


def test_the_whole_text_is_found_across_markup_and_entities():
    html = (
        "<p>The ministry <em>privately</em> expects QXMARKER7741 to walk out before the review.</p>"
    )
    assert leaks(html) == [
        "audience 'public': withheld fact 'secret-fact' (handling internal) appears in the "
        "output: “the ministry privately expects qxmarker7741 to walk out”"
    ]
    assert leaks("<p>expects QXMARKER7741 to walk&#32;out before the&nbsp;review</p>")


def test_eight_words_in_a_row_are_a_leak_seven_are_not():
    assert leaks("<p>Sources: expects QXMARKER7741 to walk out before the review.</p>")
    assert not leaks("<p>Sources: QXMARKER7741 to walk out before the review.</p>")


def test_attribute_values_versions_and_anchors_count():
    assert leaks('<a title="privately expects QXMARKER7741 to walk out before the">x</a>')
    assert leaks("<li>Another account names a second state that may follow it.</li>")
    assert leaks('<a href="#fact-secret-fact">see</a>')


def test_a_template_that_prints_withheld_facts_fails_the_build(project):
    root = project("audiences")
    (root / "templates" / "brief.html.j2").write_text(
        '{% extends "base.html.j2" %}\n'
        "{% block colophon %}{% for f in selection.withheld %}<p>{{ f.text }}</p>"
        "{% endfor %}{% endblock %}\n",
        encoding="utf-8",
    )
    with pytest.raises(BriefError) as caught:
        build(Path("briefgen.yaml"), audiences=["public"])
    messages = [str(p) for p in caught.value.problems]
    assert len(messages) == 2
    assert messages[0].startswith(
        "facts/treaty.yaml:15:5: audience 'public': withheld fact "
        "'treaty-secret' (handling internal) appears in the output"
    )
    assert "'treaty-walkout'" in messages[1]
    assert not (root / "out").exists()


def test_public_pdf_and_html_never_hold_the_internal_marker(project):
    root = project("audiences")
    build(Path("briefgen.yaml"), everything=True)
    out = root / "out"
    public_html = (out / "widgets-public.html").read_text(encoding="utf-8")
    public_pdf = "".join(p.extract_text() for p in PdfReader(out / "widgets-public.pdf").pages)
    full_pdf = "".join(p.extract_text() for p in PdfReader(out / "widgets-full.pdf").pages)
    for text in (public_html, public_pdf):
        assert "QXMARKER7741" not in text and "JUDGEMARKER5520" not in text
        assert "Four states signed the Widget Treaty" in text.replace("\n", " ")
    assert "QXMARKER7741" in full_pdf and "JUDGEMARKER5520" in full_pdf
