"""Cite stage: Chicago full and short notes, numbering, bibliography."""

from __future__ import annotations

import pytest

from briefgen.cite import (
    Notebook,
    before_semicolon,
    bibliography_entry,
    full_note,
    nested_quote,
    short_note,
)
from briefgen.model import Citation, Source


def source(**fields) -> Source:
    return Source.model_validate({"id": "s", "title": "A Title", **fields})


ARTICLE = source(
    id="culp-2023",
    type="article-magazine",
    title="Ukraine War Proves Difficult Test for Russia’s CSTO",
    author=[{"family": "Culp", "given": "Wesley"}],
    **{"container-title": "Diplomatic Courier"},
    issued="2023-02-27",
    URL="https://example.org/culp",
)
ANONYMOUS = source(
    id="anon-2022",
    type="article-magazine",
    title="Why It’s Time to Take the Alliance Seriously",
    **{"container-title": "CounterPunch", "title-short": "Time to Take the Alliance"},
    issued="2022-01-31",
)
REPORT = source(id="bulletin-2020", type="report", title="Russia and the CSTO", issued="2020-11-25")


def cite(source_id: str, locator: str = "para. 3", quote: str = "words") -> Citation:
    return Citation(source=source_id, locator=locator, quote=quote)


def test_full_note_has_every_known_field_in_chicago_order():
    assert full_note(ARTICLE, "para. 2") == (
        "Wesley Culp, “Ukraine War Proves Difficult Test for Russia’s CSTO,” "
        "<i>Diplomatic Courier</i>, February 27, 2023, para.\u00a02, "
        '<a class="url" href="https://example.org/culp"><span class="url-head">https://example.org/</span>culp</a>'
    )


def test_missing_fields_are_left_out_cleanly():
    note = full_note(REPORT, "para. 1")
    assert note == "<i>Russia and the CSTO</i> (2020), para.\u00a01"
    assert "None" not in note and ", ," not in note
    assert full_note(source(title="Bare"), None) == "<i>Bare</i>"


def test_short_note_uses_author_and_short_title():
    assert short_note(ARTICLE, "para. 9") == (
        "Culp, “Ukraine War Proves Difficult Test for Russia’s CSTO,” para.\u00a09"
    )
    assert short_note(ANONYMOUS, "para. 4") == "“Time to Take the Alliance,” para.\u00a04"


def test_question_mark_title_takes_no_comma():
    asked = source(title="What Would It Look Like?", **{"container-title": "Scoop"}, type="article")
    assert full_note(asked) == "“What Would It Look Like?” <i>Scoop</i>"


def test_notes_are_numbered_in_order_with_short_form_on_repeat():
    book = Notebook({s.id: s for s in (ARTICLE, ANONYMOUS)}, show_quotes=False)
    first = book.cite([cite("culp-2023", "para. 1")])
    second = book.cite([cite("anon-2022", "para. 2"), cite("culp-2023", "para. 5")])
    third = book.cite([cite("anon-2022", "para. 7")])
    assert [n.number for n in book.notes] == [1, 2, 3]
    assert first.html.startswith("Wesley Culp, “Ukraine War")
    assert second.html == (
        "“Why It’s Time to Take the Alliance Seriously,” <i>CounterPunch</i>, January 31, 2022, "
        "para.\u00a02; Culp, “Ukraine War Proves Difficult Test for Russia’s CSTO,” para.\u00a05."
    )
    assert third.html == "“Time to Take the Alliance,” para.\u00a07."
    assert (third.id, third.ref_id) == ("note-3", "ref-3")


def test_a_citation_repeated_word_for_word_is_cited_once_per_note():
    book = Notebook({"culp-2023": ARTICLE}, show_quotes=True)
    same = cite("culp-2023", "para. 2", "six members")
    note = book.cite([same, cite("culp-2023", "para. 4", "other words"), same])
    assert note.html.count("six members") == 1 and note.html.count("other words") == 1


def test_double_quotes_inside_a_quote_become_single():
    assert nested_quote("an “international regional organization,”") == (
        "an ‘international regional organization,’"
    )
    assert nested_quote('a "color revolution" here') == "a ‘color revolution’ here"


def test_quotes_are_shown_escaped_when_asked():
    book = Notebook({"culp-2023": ARTICLE}, show_quotes=True)
    note = book.cite([cite("culp-2023", quote="<b>bold</b> claim")])
    assert note.html.endswith(' — <q class="quote">&lt;b&gt;bold&lt;/b&gt; claim.</q>')


def test_bibliography_lists_each_cited_source_once_sorted():
    book = Notebook({s.id: s for s in (ARTICLE, ANONYMOUS, REPORT)}, show_quotes=False)
    book.cite([cite("culp-2023")])
    book.cite([cite("bulletin-2020"), cite("culp-2023")])
    book.cite([cite("culp-2023")])
    entries = book.bibliography()
    assert entries == [
        "Culp, Wesley. “Ukraine War Proves Difficult Test for Russia’s CSTO.” "
        "<i>Diplomatic Courier</i>, February 27, 2023. "
        '<a class="url" href="https://example.org/culp"><span class="url-head">https://example.org/</span>culp</a>.',
        "<i>Russia and the CSTO</i>. 2020.",
    ]


def test_bibliography_entry_without_author_sorts_by_title():
    assert bibliography_entry(ANONYMOUS) == (
        "“Why It’s Time to Take the Alliance Seriously.” <i>CounterPunch</i>, January 31, 2022."
    )


def test_two_authors_and_a_partial_date():
    pair = source(
        title="Joint Work",
        author=[{"family": "Doe", "given": "Jane"}, {"family": "Roe", "given": "Rick"}],
        issued="2022-03",
    )
    assert full_note(pair) == "Jane Doe and Rick Roe, <i>Joint Work</i>, March 2022"
    assert bibliography_entry(pair) == "Doe, Jane, and Rick Roe. <i>Joint Work</i>. March 2022."
    assert short_note(pair, "p. 4") == "Doe and Roe, <i>Joint Work</i>, p.\u00a04"


def test_grades_are_shown_only_when_asked_and_only_what_is_known():
    graded = source(id="g", title="Graded", reliability="C")
    book = Notebook({"g": graded}, show_quotes=False, show_grades=True)
    both = book.cite([Citation(source="g", locator="para. 1", quote="q", credibility=3)])
    only_source = book.cite([Citation(source="g", locator="para. 2", quote="q")])
    assert both.html == (
        '<i>Graded</i>, para.\u00a01 <span class="grade" title="Admiralty grade: source '
        'reliability C, information credibility 3">[C3]</span>.'
    )
    assert only_source.html.endswith(">[C]</span>.")
    plain = Notebook({"g": graded}, show_quotes=False)
    assert "grade" not in plain.cite([Citation(source="g", locator="p. 1", quote="q")]).html


def test_with_quotes_hidden_a_source_and_locator_is_cited_once_per_note():
    book = Notebook({"culp-2023": ARTICLE}, show_quotes=False)
    same_place = [cite("culp-2023", "para. 9", "one"), cite("culp-2023", "para. 9", "two")]
    note = book.cite([*same_place, cite("culp-2023", "para. 4", "three")])
    assert note.html.count("para.\u00a09") == 1 and note.html.count("para.\u00a04") == 1


def test_a_note_ends_with_one_period_placed_inside_the_quotation_marks():
    book = Notebook({"culp-2023": ARTICLE}, show_quotes=True)
    ends = book.cite([cite("culp-2023", quote="it ended in 1994.")])
    assert ends.html.endswith("in 1994.</q>")
    bare = book.cite([cite("culp-2023", quote="no stop")])
    assert bare.html.endswith("no stop.</q>")
    asked = book.cite([cite("culp-2023", quote="why?")])
    assert asked.html.endswith("why?</q>")
    two = book.cite([cite("culp-2023", "para. 1", "first."), cite("culp-2023", "para. 2", "b.")])
    assert "first</q>; Culp" in two.html and two.html.endswith("b.</q>")


def test_locators_keep_their_label_and_number_together():
    assert full_note(REPORT, "p. 7").endswith("p.\u00a07")
    assert short_note(ARTICLE, "paras. 3–4").endswith("paras.\u00a03–4")


def test_urls_break_only_past_the_host():
    note = full_note(source(URL="https://example.org/a/b.html"))
    assert '<span class="url-head">https://example.org/</span>a/<wbr>b<wbr>.html' in note


def test_a_quote_followed_by_a_semicolon_drops_its_own_final_stop_or_comma():
    book = Notebook({"culp-2023": ARTICLE}, show_quotes=True)
    nested = cite("culp-2023", "para. 1", "status of an 'international organization,'")
    note = book.cite([nested, cite("culp-2023", "para. 2", "b")])
    assert "organization&#39;</q>; Culp" in note.html
    kept = book.cite([cite("culp-2023", "para. 3", "and so..."), cite("culp-2023", "para. 4", "b")])
    assert "and so...</q>; Culp" in kept.html
    owned = book.cite(
        [cite("culp-2023", "para. 5", "the members'"), cite("culp-2023", "para. 6", "c")]
    )
    assert "the members&#39;</q>; Culp" in owned.html


@pytest.mark.parametrize(
    ("quote", "shown"),
    [
        ("the Kremlin.", "the Kremlin"),
        ("an ‘organization,’", "an ‘organization’"),
        ("its members.’", "its members’"),
        ("why?", "why?"),
        ("and so...", "and so..."),
        ("the members’", "the members’"),
    ],
)
def test_before_semicolon(quote, shown):
    assert before_semicolon(quote) == shown
