"""Pandoc documents (their JSON AST) built in Python, and briefgen's HTML as Pandoc inlines.

The element constructors write the JSON Pandoc reads (`pandoc -f json`, API
1.23). Fact text and notes arrive as the small, safe HTML that briefgen itself
renders (emphasis, code, links, quotations); `inlines` turns it into Pandoc
inlines. `braces_kept` escapes what Pandoc's Markdown writer would leave for
a reader to take as markup. `briefgen.edition` builds an audience's document
from these pieces.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from html.parser import HTMLParser
from typing import Any

from briefgen.markup import inline

Node = dict[str, Any]
"""One Pandoc AST element: `{"t": type, "c": contents}`."""

_SPACE = re.compile(r"[ \t\n\r\f]+")
"""Spaces that separate words (a no-break space does not)."""
NO_ATTR: list[Any] = ["", [], []]


# -- Pandoc AST elements -----------------------------------------------------------------


def node(kind: str, contents: Any = None) -> Node:
    return {"t": kind} if contents is None else {"t": kind, "c": contents}


def text(words: str) -> list[Node]:
    """Plain text as Pandoc inlines: words (`Str`) and the spaces between them."""
    nodes: list[Node] = []
    for index, piece in enumerate(_SPACE.split(words)):
        if index:
            nodes.append(node("Space"))
        if piece:
            nodes.append(node("Str", piece))
    return nodes


def _attr(identifier: str = "", style: str | None = None) -> list[Any]:
    return [identifier, [], [["custom-style", style]] if style else []]


def para(inlines: list[Node]) -> Node:
    return node("Para", inlines)


def heading(level: int, inlines: list[Node], identifier: str = "") -> Node:
    return node("Header", [level, _attr(identifier), inlines])


def div(blocks: list[Node], identifier: str = "", style: str | None = None) -> Node:
    return node("Div", [_attr(identifier, style), blocks])


def span(inlines: list[Node], identifier: str = "", style: str | None = None) -> Node:
    return node("Span", [_attr(identifier, style), inlines])


def strong(inlines: list[Node]) -> Node:
    return node("Strong", inlines)


def link(inlines: list[Node], url: str) -> Node:
    return node("Link", [NO_ATTR, inlines, [url, ""]])


def note(blocks: list[Node]) -> Node:
    return node("Note", blocks)


def bullets(items: list[list[Node]]) -> Node:
    return node("BulletList", items)


def numbered(items: list[list[Node]]) -> Node:
    return node("OrderedList", [[1, node("Decimal"), node("Period")], items])


def block_quote(blocks: list[Node]) -> Node:
    return node("BlockQuote", blocks)


def table(
    caption: list[Node], head: Sequence[tuple[str, float]], rows: list[list[list[Node]]]
) -> Node:
    """A table with a header row of (name, share of the width); each row's first cell heads it."""

    def cell(blocks: list[Node]) -> list[Any]:
        return [NO_ATTR, node("AlignDefault"), 1, 1, blocks]

    def row(cells: list[list[Node]]) -> list[Any]:
        return [NO_ATTR, [cell(blocks) for blocks in cells]]

    columns = [[node("AlignLeft"), node("ColWidth", width)] for _, width in head]
    header = [NO_ATTR, [row([[node("Plain", text(name))] for name, _ in head])]]
    body = [NO_ATTR, 1, [], [row(cells) for cells in rows]]
    return node(
        "Table",
        [
            NO_ATTR,
            [None, [node("Plain", caption)] if caption else []],
            columns,
            header,
            [body],
            [NO_ATTR, []],
        ],
    )


def meta_inlines(inlines: list[Node]) -> Node:
    return node("MetaInlines", inlines)


# -- briefgen's HTML to inlines -------------------------------------------------------------


class _InlineParser(HTMLParser):
    """Turns the inline HTML that briefgen renders (fact text, notes) into Pandoc inlines.

    Emphasis, strong, code, links, quotations and superscripts keep their
    meaning; spans and unknown elements keep their text; `<wbr>` disappears.
    """

    _WRAPPERS: Mapping[str, str] = {
        "em": "Emph",
        "i": "Emph",
        "strong": "Strong",
        "b": "Strong",
        "sup": "Superscript",
        "sub": "Subscript",
    }

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, dict[str, str | None], list[Node]]] = [("", {}, [])]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.stack[-1][2].append(node("LineBreak"))
        elif tag != "wbr":
            self.stack.append((tag, dict(attrs), []))

    def handle_endtag(self, tag: str) -> None:
        if len(self.stack) == 1 or self.stack[-1][0] != tag:
            return  # briefgen writes balanced HTML; a stray end tag is ignored
        name, attrs, children = self.stack.pop()
        self.stack[-1][2].extend(self._wrap(name, attrs, _joined(children)))

    def handle_data(self, data: str) -> None:
        self.stack[-1][2].extend(text(data))

    def _wrap(self, name: str, attrs: Mapping[str, str | None], children: list[Node]) -> list[Node]:
        if name in self._WRAPPERS:
            return [node(self._WRAPPERS[name], children)]
        if name == "code":
            words = "".join(c.get("c", " ") if c["t"] == "Str" else " " for c in children)
            return [node("Code", [NO_ATTR, words])]
        if name == "a" and attrs.get("href"):
            return [link(children, str(attrs["href"]))]
        if name == "q":
            return [node("Quoted", [node("DoubleQuote"), children])]
        return children

    def result(self) -> list[Node]:
        while len(self.stack) > 1:
            self.handle_endtag(self.stack[-1][0])
        return _joined(self.stack[0][2])


def _joined(nodes: list[Node]) -> list[Node]:
    """Adjacent words glued back together (`<em>a</em>b` stays two, `a` `b` from two texts one)."""
    joined: list[Node] = []
    for item in nodes:
        if item["t"] == "Str" and joined and joined[-1]["t"] == "Str":
            joined[-1] = node("Str", joined[-1]["c"] + item["c"])
        elif item["t"] == "Space" and joined and joined[-1]["t"] == "Space":
            continue
        else:
            joined.append(item)
    return joined


def inlines(html: str) -> list[Node]:
    """briefgen's inline HTML (a note, rendered fact text) as Pandoc inlines."""
    parser = _InlineParser()
    parser.feed(str(html))
    parser.close()
    return parser.result()


def markdown(source: str) -> list[Node]:
    """A fact's inline Markdown as Pandoc inlines, rendered as the HTML template renders it."""
    return inlines(inline(source))


_ATTRIBUTED = frozenset({"Code", "Link", "Image", "Span"})
"""Inlines that Pandoc Markdown lets a `{...}` right after them qualify (attributes, raw)."""


def braces_kept(value: Any) -> Any:
    """`value` (a document or part of one) with every `{` that follows code or a link
    written as `\\{`.

    Pandoc's Markdown writer leaves such a brace as it is, and a reader would
    take ``x`{=html}`` as raw HTML and `[a](u){onclick=...}` as attributes: fact
    text must stay text.
    """
    if isinstance(value, list):
        kept: list[Any] = []
        for item in map(braces_kept, value):
            follows = kept and isinstance(kept[-1], dict) and kept[-1].get("t") in _ATTRIBUTED
            braced = isinstance(item, dict) and item.get("t") == "Str" and item["c"][:1] == "{"
            if follows and braced:
                kept.append(node("RawInline", ["markdown", "\\{"]))
                item = node("Str", item["c"][1:])
                if not item["c"]:
                    continue
            kept.append(item)
        return kept
    if isinstance(value, dict):
        return {key: braces_kept(item) for key, item in value.items()}
    return value
