"""The DOCX and Markdown editions as Pandoc documents (`edition`, `pandoc_ast`), read as data.

These tests need no Pandoc: they check the document itself. The notes must be
the HTML's notes, in the same order with the same first/short forms, whatever
the audience shows.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from markupsafe import Markup

from briefgen.audience import Audience, choose
from briefgen.edition import edition
from briefgen.load import load_brief
from briefgen.markup import plain
from briefgen.model import Brief
from briefgen.pandoc_ast import Node, inlines, markdown
from briefgen.render import render_html
from briefgen.select import select
from briefgen.view import template_view
from tests.conftest import FIXTURES, REPO

DAY = dt.date(2024, 5, 1)


def stringify(nodes: Any) -> str:
    """What a reader reads of Pandoc inlines (notes excluded), as Pandoc's `stringify` does."""
    if isinstance(nodes, list):
        return "".join(stringify(node) for node in nodes)
    if not isinstance(nodes, dict):
        return ""  # a list's number style, an attribute's text: nothing a reader reads
    kind, contents = nodes["t"], nodes.get("c")
    if kind == "Str":
        return str(contents)
    if kind in {"Space", "SoftBreak", "LineBreak"}:
        return " "
    if kind == "Code":
        return str(contents[1])
    if kind == "Quoted":
        return f"“{stringify(contents[1])}”"
    if kind == "Note":
        return ""
    if kind in {"Link", "Span", "Div"}:
        return stringify(contents[1])
    if kind == "Header":
        return stringify(contents[2])
    if kind in {"Para", "Plain"}:
        return stringify(contents)
    return stringify(contents)


def walk(node: Any) -> Iterator[dict[str, Any]]:
    """Every element of a Pandoc document, depth first in document order."""
    if isinstance(node, dict):
        if "t" in node:
            yield node
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from walk(item)


def notes(document: Node) -> list[str]:
    """Each note's text, in document order."""
    found = [node for node in walk(document["blocks"]) if node["t"] == "Note"]
    return [" ".join(stringify(block["c"]) for block in note["c"]).strip() for note in found]


class _Notes(HTMLParser):
    """The notes of a rendered HTML brief: the text of each `<li id="note-N">`, backlink aside."""

    def __init__(self) -> None:
        super().__init__()
        self.notes: list[str] = []
        self.depth = 0
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "li" and (found.get("id") or "").startswith("note-"):
            self.depth = 1
            self.notes.append("")
        elif self.depth:
            self.depth += tag not in {"wbr", "br"}
            if tag == "a" and found.get("class") == "backlink":
                self.skip = 1
            if tag == "q":
                self.notes[-1] += "“"

    def handle_endtag(self, tag: str) -> None:
        if self.depth:
            self.depth -= 1
            if tag == "a":
                self.skip = 0
            if tag == "q":
                self.notes[-1] += "”"

    def handle_data(self, data: str) -> None:
        if self.depth and not self.skip:
            self.notes[-1] += data


def html_notes(html: str) -> list[str]:
    parser = _Notes()
    parser.feed(html)
    return [" ".join(note.split()) for note in parser.notes]


def brief_at(config: Path) -> Brief:
    return load_brief(config)


def document_of(brief: Brief, audience: Audience, target: str = "docx") -> Node:
    view = template_view(
        brief, select(brief, audience), audience, build_date=DAY, stylesheet=Markup("")
    )
    return edition(view, target)  # type: ignore[arg-type]


BRIEFS = [FIXTURES / "audiences" / "briefgen.yaml", REPO / "briefgen.yaml"]


@pytest.mark.parametrize("config", BRIEFS, ids=["fixture", "csto"])
def test_the_notes_are_the_html_notes_in_number_text_and_form(config: Path) -> None:
    brief = brief_at(config)
    for audience in choose(brief.config, everything=True):
        html = render_html(brief, select(brief, audience), audience, build_date=DAY).html
        expected = html_notes(html)
        for target in ("docx", "md"):
            got = [" ".join(note.split()) for note in notes(document_of(brief, audience, target))]
            assert got == expected, (audience.name, target)
        assert expected, audience.name  # every audience of both briefs cites something


def test_markdown_carries_no_styles_or_anchors() -> None:
    brief = brief_at(REPO / "briefgen.yaml")
    audience = choose(brief.config, ["analyst"])[0]
    document = document_of(brief, audience, "md")
    text = json.dumps(document)
    assert "custom-style" not in text
    assert "#fact-" not in text
    assert [n for n in walk(document["blocks"]) if n["t"] == "Header" and n["c"][1][0]] == []
    kinds = {node["t"] for node in walk(document["blocks"])}
    assert {"Header", "Note", "Table", "BlockQuote", "OrderedList"} <= kinds
    assert not kinds & {"Div", "Span"}


def test_docx_bookmarks_every_fact_shown_and_styles_the_boxes() -> None:
    brief = brief_at(REPO / "briefgen.yaml")
    audience = choose(brief.config, ["analyst"])[0]
    document = document_of(brief, audience)
    ids = {node["c"][0][0] for node in walk(document["blocks"]) if node["t"] in {"Div", "Span"}}
    shown = {f"fact-{fact.id}" for fact in select(brief, audience).facts}
    assert shown <= ids
    styles = {
        dict(node["c"][0][2]).get("custom-style")
        for node in walk(document["blocks"])
        if node["t"] in {"Div", "Span"}
    }
    assert {"Key Judgment", "Sources Differ", "Sources Differ Label", "Bibliography"} <= styles
    assert {"Confidence", "Legend", "Basis", "Byline", "Changes"} - styles <= {"Changes"}
    # every internal link leads to a bookmark that exists
    targets = {node["c"][2][0][1:] for node in walk(document["blocks"]) if node["t"] == "Link"}
    assert {t for t in targets if t.startswith("fact-")} <= ids


def test_nothing_withheld_reaches_the_document() -> None:
    brief = brief_at(REPO / "briefgen.yaml")
    audience = choose(brief.config, ["public"])[0]
    selection = select(brief, audience)
    assert selection.withheld
    text = json.dumps(document_of(brief, audience))
    for fact in selection.withheld:
        assert f'fact-{fact.id}"' not in text
        assert json.dumps(fact.text)[1:40] not in text


def test_headings_follow_the_built_in_template() -> None:
    brief = brief_at(REPO / "briefgen.yaml")
    audience = choose(brief.config, ["analyst"])[0]
    document = document_of(brief, audience)
    headings = [
        stringify(node["c"][2]) for node in walk(document["blocks"]) if node["t"] == "Header"
    ]
    topics = [plain(section.topic.title) for section in select(brief, audience).sections]
    assert len(topics) > 3
    assert headings == [
        "Key judgments",
        *topics,
        "Chronology",
        "Sources and method",
        "Bibliography",
    ]


def test_metadata_are_the_documents_properties() -> None:
    brief = brief_at(FIXTURES / "audiences" / "briefgen.yaml")
    audience = choose(brief.config, ["full"])[0]
    meta = document_of(brief, audience)["meta"]
    assert stringify(meta["title"]["c"]) == "Widget Treaty Audiences — Full brief"
    assert stringify(meta["author"]["c"][0]["c"]) == "Test Desk"
    assert stringify(meta["date"]["c"]) == "1 May 2024"
    assert meta["lang"]["c"] == "en"


def test_markdown_states_the_marking_at_top_and_bottom() -> None:
    brief = brief_at(FIXTURES / "audiences" / "briefgen.yaml")
    audience = choose(brief.config, ["full"])[0]
    blocks = document_of(brief, audience, "md")["blocks"]
    assert stringify(blocks[0]) == "INTERNAL ONLY"
    assert stringify(blocks[-1]) == "INTERNAL ONLY"
    docx = document_of(brief, audience)["blocks"]
    assert "INTERNAL ONLY" not in stringify(docx)  # the DOCX has it in every header and footer


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("two words", [{"t": "Str", "c": "two"}, {"t": "Space"}, {"t": "Str", "c": "words"}]),
        ("a\u00a0b", [{"t": "Str", "c": "a\u00a0b"}]),
        ("<em>x</em>y", [{"t": "Emph", "c": [{"t": "Str", "c": "x"}]}, {"t": "Str", "c": "y"}]),
        (
            "a &amp; b",
            [
                {"t": "Str", "c": "a"},
                {"t": "Space"},
                {"t": "Str", "c": "&"},
                {"t": "Space"},
                {"t": "Str", "c": "b"},
            ],
        ),
        ("<code>x  y</code>", [{"t": "Code", "c": [["", [], []], "x y"]}]),
        (
            '<q class="quote">it</q>',
            [{"t": "Quoted", "c": [{"t": "DoubleQuote"}, [{"t": "Str", "c": "it"}]]}],
        ),
        (
            '<a class="url" href="https://e.org/a/b"><span class="url-head">https://e.org/</span>'
            "a<wbr>/b</a>",
            [
                {
                    "t": "Link",
                    "c": [
                        ["", [], []],
                        [{"t": "Str", "c": "https://e.org/a/b"}],
                        ["https://e.org/a/b", ""],
                    ],
                }
            ],
        ),
        (
            'x <span class="grade" title="t">[B2]</span>',
            [{"t": "Str", "c": "x"}, {"t": "Space"}, {"t": "Str", "c": "[B2]"}],
        ),
        ("<i>open", [{"t": "Emph", "c": [{"t": "Str", "c": "open"}]}]),
    ],
)
def test_inlines_keep_the_meaning_of_briefgens_html(html: str, expected: list[Node]) -> None:
    assert inlines(html) == expected


def test_fact_markdown_becomes_the_same_inlines_as_its_html() -> None:
    assert markdown("*A* `c` [l](https://e.org)") == [
        {"t": "Emph", "c": [{"t": "Str", "c": "A"}]},
        {"t": "Space"},
        {"t": "Code", "c": [["", [], []], "c"]},
        {"t": "Space"},
        {"t": "Link", "c": [["", [], []], [{"t": "Str", "c": "l"}], ["https://e.org", ""]]},
    ]
    # raw HTML in a fact stays text, as in the HTML edition
    assert stringify(markdown("<b>x</b>")) == "<b>x</b>"
