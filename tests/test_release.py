"""The release guard: nothing withheld from an audience may reach its output."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader

from briefgen.errors import BriefError
from briefgen.model import Config, Fact, Member
from briefgen.pipeline import build
from briefgen.release import Guard
from briefgen.select import Selection

SECRET = Fact.model_validate(
    {
        "id": "secret-fact",
        "text": "The ministry *privately* expects QXMARKER7741 to walk out before the review.",
        "handling": "internal",
        "citations": [
            {"source": "s", "locator": "para. 2", "quote": "talks collapsed behind closed doors"}
        ],
        "versions": [
            {
                "text": "Another account names a second state that may follow it.",
                "citations": [{"source": "s", "locator": "para. 1", "quote": "q"}],
            }
        ],
    }
)
SHOWN = Fact.model_validate(
    {
        "id": "shown-fact",
        "text": "Four states signed the treaty; the ministry privately expects a quiet year.",
        "handling": "public",
        "citations": [{"source": "s", "locator": "para. 3", "quote": "q"}],
    }
)
HIDDEN_ROW = Member.model_validate(
    {
        "state": "Ruritania",
        "periods": [{"joined": "1994", "left": "1999"}],
        "note": "left after the secret protocol came to light",
        "handling": "internal",
        "citations": [{"source": "s", "locator": "para. 9", "quote": "Ruritania quietly withdrew"}],
    }
)


def leaks(html: str) -> list[str]:
    guard = Guard(_selection(), Config(title="A brief"), audience="public")
    try:
        guard.check_html(html)
    except BriefError as exc:
        return [p.message for p in exc.problems]
    return []


def _selection() -> Selection:
    from briefgen.model import Topic
    from briefgen.select import Section

    topic = Topic(id="t", title="The treaty", facts=[SHOWN])
    return Selection(
        judgments=[],
        sections=[Section(topic, [SHOWN])],
        withheld=[SECRET],
        withheld_members=[HIDDEN_ROW],
    )


def test_clean_output_passes():
    assert leaks("<p>Four states signed the treaty.</p>") == []


def test_the_whole_text_is_found_across_markup_and_entities():
    html = (
        "<p>The ministry <em>privately</em> expects QXMARKER7741 to walk out before the review.</p>"
    )
    assert leaks(html) == [
        "audience 'public': withheld fact 'secret-fact' (handling internal) appears in the "
        "output: “the ministry privately expects qxmarker7741”"
    ]
    assert leaks("<p>expects QXMARKER7741 to walk&#32;out before the&nbsp;review</p>")


def test_five_words_in_a_row_are_a_leak_four_are_not():
    assert leaks("<p>Sources: expects QXMARKER7741 to walk out.</p>")
    assert not leaks("<p>Sources: QXMARKER7741 to walk out.</p>")


def test_words_the_audience_itself_releases_are_no_leak():
    # "the ministry privately expects" is in the shown fact too: five of its words are not a leak
    assert not leaks(
        "<p>Four states signed the treaty; the ministry privately expects a quiet year."
    )


def test_attribute_values_versions_and_anchors_count():
    assert leaks('<a title="privately expects QXMARKER7741 to walk out before the">x</a>')
    assert leaks("<li>Another account names a second state that may follow it.</li>")
    assert leaks('<a href="#fact-secret-fact">see</a>')


def test_comments_processing_instructions_and_style_count():
    assert leaks("<!-- expects QXMARKER7741 to walk out -->")
    assert leaks("<?note expects QXMARKER7741 to walk out?>")
    assert leaks('<style>p::after { content: "expects QXMARKER7741 to walk out" }</style>')


def test_invisible_characters_and_tags_inside_words_do_not_hide_a_leak():
    zero_width = "\u200b".join("expects QXMARKER7741 to walk out")
    assert leaks(f"<p>{zero_width}</p>")
    assert leaks("<p>exp&shy;ects QXMARK&#x200D;ER7741 to wa\u2060lk out</p>")
    assert leaks("<p><b>exp</b>ects <span>QXMAR</span>KER7741 to <i>w</i>alk out</p>")


def test_a_withheld_facts_quote_is_a_leak_but_a_one_word_quote_says_nothing():
    assert leaks("<q>talks collapsed behind closed doors</q>")
    assert not leaks("<q>q</q>")


def test_a_withheld_membership_row_is_a_leak():
    found = leaks("<tr><th>Ruritania</th><td>1994</td><td>1999</td></tr>")
    assert found == [
        "audience 'public': withheld membership row 'Ruritania' (handling internal) appears "
        "in the output: “ruritania 1994 1999”"
    ]
    assert leaks("<p>It left after the secret protocol came to light.</p>")
    assert not leaks("<p>Ruritania is a state.</p>")


def test_pdf_text_bookmarks_and_metadata_are_checked():
    guard = Guard(_selection(), Config(title="A brief"), audience="public")
    guard.check_text(["Four states signed."], "PDF text")
    with pytest.raises(BriefError) as caught:
        guard.check_text(["Contents", "privately expects QXMARKER7741 to walk"], "PDF bookmarks")
    assert "appears in the output (PDF bookmarks)" in str(caught.value)


def test_a_template_cannot_reach_withheld_facts(project):
    root = project("audiences")
    (root / "templates" / "brief.html.j2").write_text(
        '{% extends "base.html.j2" %}\n'
        "{% block colophon %}\n{{ facts_by_id['treaty-secret'].text }}{% endblock %}\n",
        encoding="utf-8",
    )
    build(Path("briefgen.yaml"), audiences=["full"], formats=["html"])  # the full brief shows it
    with pytest.raises(BriefError) as caught:
        build(Path("briefgen.yaml"), audiences=["public"], formats=["html"])
    assert str(caught.value) == (
        "templates/brief.html.j2:3: template error: no field 'treaty-secret' here "
        "(did you mean 'treaty-signed'?)"
    )


def test_withheld_text_pasted_into_a_template_fails_the_build(project):
    root = project("audiences")
    (root / "templates" / "brief.html.j2").write_text(
        '{% extends "base.html.j2" %}\n'
        "{% block colophon %}<!-- the ministry privately expects one signatory -->"
        "<p>A member walks out before the review.</p>{% endblock %}\n",
        encoding="utf-8",
    )
    with pytest.raises(BriefError) as caught:
        build(Path("briefgen.yaml"), audiences=["public"])
    messages = [str(p) for p in caught.value.problems]
    assert len(messages) == 2
    assert messages[0].startswith(
        "facts/treaty.yaml:15:5: audience 'public': withheld fact "
        "'treaty-secret' (handling internal) appears in the output: “"
    )
    assert "'treaty-walkout'" in messages[1]
    assert not (root / "out").exists()


@pytest.mark.slow
def test_withheld_text_made_by_a_stylesheet_is_caught_in_the_pdf(project):
    root = project("audiences")
    # Split by attr() calls, the words never stand in a row in the HTML; the PDF joins them.
    (root / "templates" / "brief.css").write_text(
        '.colophon::after { content: "the minis" attr(data-a) "try privately exp" attr(data-a) '
        '"ects one signat" attr(data-a) "ory to walk out"; }\n',
        encoding="utf-8",
    )
    edit_config = root / "briefgen.yaml"
    edit_config.write_text(
        edit_config.read_text(encoding="utf-8").replace(
            "  public:\n", "  public:\n    stylesheet: [brief.css]\n"
        ),
        encoding="utf-8",
    )
    with pytest.raises(BriefError) as caught:
        build(Path("briefgen.yaml"), audiences=["public"])
    assert "appears in the output (PDF text)" in str(caught.value)
    assert not (root / "out").exists()


@pytest.mark.slow
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


def _public_with(root: Path, block: str) -> BriefError:
    (root / "templates" / "brief.html.j2").write_text(
        '{% extends "base.html.j2" %}{% block colophon %}' + block + "{% endblock %}",
        encoding="utf-8",
    )
    with pytest.raises(BriefError) as caught:
        build(Path("briefgen.yaml"), audiences=["public"])
    assert not (root / "out").exists()
    return caught.value


@pytest.mark.slow
def test_words_shown_in_another_order_than_written_are_read_as_seen(project):
    root = project("audiences")
    words = ["the", "ministry", "privately", "expects", "one", "signatory", "to", "walk", "out"]
    shuffled = [*range(1, len(words), 2), *range(0, len(words), 2)]  # odd places, then even
    spans = "".join(
        f'<span style="position:absolute;top:0;left:{70 * i}px">{words[i]}</span>' for i in shuffled
    )
    error = _public_with(root, f'<div style="position:relative;height:2em">{spans}</div>')
    assert "appears in the output (PDF text, in reading order)" in str(error)


SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="400" height="20"><text y="15">'
    "the ministry privately expects one signatory</text></svg>"
)


@pytest.mark.parametrize("kind", ["utf-8", "latin-1", "utf-16", "svgz"])
@pytest.mark.slow
def test_text_inside_an_svg_image_file_is_read_whatever_its_encoding(project, kind):
    import gzip

    root = project("audiences")
    body = {
        "utf-8": SVG.encode(),
        "latin-1": ('<?xml version="1.0" encoding="ISO-8859-1"?><!-- caf\xe9 -->' + SVG).encode(
            "latin-1"
        ),
        "utf-16": SVG.encode("utf-16"),
        "svgz": gzip.compress(SVG.encode()),
    }[kind]
    (root / "images").mkdir()
    (root / "images" / "pic.svg").write_bytes(body)
    error = _public_with(root, '<img src="images/pic.svg" alt="">')
    assert "appears in the output (a stylesheet or image the PDF loads)" in str(error)


def test_text_inside_a_data_url_is_read_in_the_html():
    import base64

    url = (
        "data:image/svg+xml;base64,"
        + base64.b64encode(
            SVG.replace(
                "the ministry privately expects one", "expects QXMARKER7741 to walk out"
            ).encode()
        ).decode()
    )
    assert leaks(f'<img src="{url}" alt="">')
    assert leaks(f"<style>p {{ background: url({url}) }}</style>")
    assert leaks(
        '<img src="data:image/svg+xml,%3Csvg%3E%3Ctext%3Eexpects QXMARKER7741 to walk '
        'out%3C/text%3E%3C/svg%3E">'
    )


def test_letters_or_words_written_backwards_for_a_direction_override_are_read():
    backwards = "expects QXMARKER7741 to walk out"[::-1]
    assert leaks(f"<p>\u202e{backwards}\u202c</p>")
    assert leaks(f'<bdo dir="rtl">{backwards}</bdo>')
    assert leaks("<p>out walk to QXMARKER7741 expects</p>")


@pytest.mark.parametrize(
    "markup",
    [
        "<script>document.write(atob('UVhNQVJLRVI3NzQx'))</script>",
        '<iframe srcdoc="QXMARKER7741"></iframe>',
        '<object data="x.svg" type="image/svg+xml"></object>',
        "<embed src=x.svg>",
        '<p onmouseover="alert(1)">x</p>',
        '<base href="https://example.org/">',
        '<meta http-equiv="refresh" content="0;url=https://example.org/">',
    ],
)
def test_markup_that_runs_code_or_pulls_in_documents_is_refused(project, markup):
    root = project("audiences")
    error = _public_with(root, markup)
    assert "which a brief may not carry" in str(error)


def test_underscores_css_escapes_percent_encoding_and_unknown_tags_hide_nothing():
    assert leaks("<p>expects_QXMARKER7741_to_walk_out</p>")
    assert leaks(
        '<style>@media screen { p::before { content: "\\65 xpects QXMARKER7741 '
        'to walk out" } }</style>'
    )
    assert leaks('<style>p::before { content: "expects QXMAR" "KER7741 to walk out" }</style>')
    assert leaks('<a href="https://e.org/?q=expects%20QXMARKER7741%20to%20walk%20out">x</a>')
    assert leaks("<p>exp<font>ects</font> QXMARKER7741 to walk out</p>")


def test_a_withheld_facts_id_is_a_leak():
    assert leaks("<p>Removed: <code>secret-fact</code></p>") == [
        "audience 'public': withheld fact 'secret-fact' (handling internal) appears in the "
        "output: its id 'secret-fact'"
    ]
    assert not leaks("<p>a secret fact</p>")
