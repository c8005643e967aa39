"""An audience's edition as a Pandoc document (its JSON AST), built from the template view.

The DOCX and Markdown editions are not converted from the HTML: they are built
here from the same view the HTML template sees (`briefgen.view`), block by
block in the order of the built-in template (`base.html.j2`), and notes are
taken from the same `next_note`, so their numbers and first/short Chicago forms
are the HTML's and the PDF's. Pandoc then writes the document
(`briefgen.pandoc`). Fact text and notes arrive as the small, safe HTML that
briefgen itself renders (emphasis, code, links, quotations); `inlines` turns it
into Pandoc inlines.

For DOCX the blocks carry Word styles through Pandoc's `custom-style`
attribute (the styles of `reference.docx`) and bookmarks for cross-references;
for Markdown they are plain Pandoc Markdown: boxes become block quotes, and no
attributes clutter the text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from html.parser import HTMLParser
from typing import Any, Literal

from briefgen.markup import inline
from briefgen.render import day, human
from briefgen.view import View

Node = dict[str, Any]
"""One Pandoc AST element: `{"t": type, "c": contents}`."""
Target = Literal["docx", "md"]

_SPACE = re.compile(r"[ \t\n\r\f]+")
"""Spaces that separate words (a no-break space does not)."""
_NO_ATTR: list[Any] = ["", [], []]


# -- Pandoc AST elements -----------------------------------------------------------------


def _node(kind: str, contents: Any = None) -> Node:
    return {"t": kind} if contents is None else {"t": kind, "c": contents}


def text(words: str) -> list[Node]:
    """Plain text as Pandoc inlines: words (`Str`) and the spaces between them."""
    nodes: list[Node] = []
    for index, piece in enumerate(_SPACE.split(words)):
        if index:
            nodes.append(_node("Space"))
        if piece:
            nodes.append(_node("Str", piece))
    return nodes


def _attr(identifier: str = "", style: str | None = None) -> list[Any]:
    return [identifier, [], [["custom-style", style]] if style else []]


def para(inlines: list[Node]) -> Node:
    return _node("Para", inlines)


def heading(level: int, inlines: list[Node], identifier: str = "") -> Node:
    return _node("Header", [level, _attr(identifier), inlines])


def div(blocks: list[Node], identifier: str = "", style: str | None = None) -> Node:
    return _node("Div", [_attr(identifier, style), blocks])


def span(inlines: list[Node], identifier: str = "", style: str | None = None) -> Node:
    return _node("Span", [_attr(identifier, style), inlines])


def strong(inlines: list[Node]) -> Node:
    return _node("Strong", inlines)


def link(inlines: list[Node], url: str) -> Node:
    return _node("Link", [_NO_ATTR, inlines, [url, ""]])


def note(blocks: list[Node]) -> Node:
    return _node("Note", blocks)


def bullets(items: list[list[Node]]) -> Node:
    return _node("BulletList", items)


def numbered(items: list[list[Node]]) -> Node:
    return _node("OrderedList", [[1, _node("Decimal"), _node("Period")], items])


def block_quote(blocks: list[Node]) -> Node:
    return _node("BlockQuote", blocks)


def table(
    caption: list[Node], head: Sequence[tuple[str, float]], rows: list[list[list[Node]]]
) -> Node:
    """A table with a header row of (name, share of the width); each row's first cell heads it."""

    def cell(blocks: list[Node]) -> list[Any]:
        return [_NO_ATTR, _node("AlignDefault"), 1, 1, blocks]

    def row(cells: list[list[Node]]) -> list[Any]:
        return [_NO_ATTR, [cell(blocks) for blocks in cells]]

    columns = [[_node("AlignLeft"), _node("ColWidth", width)] for _, width in head]
    header = [_NO_ATTR, [row([[_node("Plain", text(name))] for name, _ in head])]]
    body = [_NO_ATTR, 1, [], [row(cells) for cells in rows]]
    return _node(
        "Table",
        [
            _NO_ATTR,
            [None, [_node("Plain", caption)] if caption else []],
            columns,
            header,
            [body],
            [_NO_ATTR, []],
        ],
    )


def meta_inlines(inlines: list[Node]) -> Node:
    return _node("MetaInlines", inlines)


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
            self.stack[-1][2].append(_node("LineBreak"))
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
            return [_node(self._WRAPPERS[name], children)]
        if name == "code":
            words = "".join(c.get("c", " ") if c["t"] == "Str" else " " for c in children)
            return [_node("Code", [_NO_ATTR, words])]
        if name == "a" and attrs.get("href"):
            return [link(children, str(attrs["href"]))]
        if name == "q":
            return [_node("Quoted", [_node("DoubleQuote"), children])]
        return children

    def result(self) -> list[Node]:
        while len(self.stack) > 1:
            self.handle_endtag(self.stack[-1][0])
        return _joined(self.stack[0][2])


def _joined(nodes: list[Node]) -> list[Node]:
    """Adjacent words glued back together (`<em>a</em>b` stays two, `a` `b` from two texts one)."""
    joined: list[Node] = []
    for node in nodes:
        if node["t"] == "Str" and joined and joined[-1]["t"] == "Str":
            joined[-1] = _node("Str", joined[-1]["c"] + node["c"])
        elif node["t"] == "Space" and joined and joined[-1]["t"] == "Space":
            continue
        else:
            joined.append(node)
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


# -- the edition -----------------------------------------------------------------------------


class _Edition:
    """Builds one audience's blocks from its view, in the built-in template's order."""

    def __init__(self, view: View, target: Target) -> None:
        self.view = view
        self.docx = target == "docx"
        self.audience: View = view["audience"]
        self.next_note: Callable[[Sequence[View]], View] = view["next_note"]

    # styles and anchors exist only in DOCX; Markdown stays plain
    def _style(self, blocks: list[Node], style: str) -> list[Node]:
        if self.docx:
            return [div(blocks, style=style)]
        return [block_quote(blocks)] if style in _BOXES else blocks

    def _char(self, inlines_: list[Node], style: str) -> Node:
        return span(inlines_, style=style) if self.docx else strong(inlines_)

    def _anchor(self, identifier: str) -> str:
        return identifier if self.docx else ""

    def _xref(self, label: str, fact_id: str) -> list[Node]:
        words = text(label)
        return [link(words, f"#fact-{fact_id}")] if self.docx else words

    def cite(self, citations: Sequence[View]) -> list[Node]:
        """The note citing `citations`, as the template's `cite` macro makes it; none if none."""
        if not citations:
            return []
        made = self.next_note(citations)
        return [note([para(inlines(made["html"]))])]

    def blocks(self) -> list[Node]:
        view = self.view
        return [
            *self.masthead(),
            *self.key_judgments(),
            *self.changes(),
            *(block for section in view["sections"] for block in self.section(section)),
            *self.chronology(),
            *self.method(),
            *self.bibliography(),
            *self.colophon(),
            *self.marking(),
        ]

    def masthead(self) -> list[Node]:
        view, audience = self.view, self.audience
        blocks = self.marking()
        byline = [f"Briefing{' · ' + audience['title'] if audience['title'] else ''}"]
        if view["information_as_of"]:
            byline.append(f"Information as of {human(view['information_as_of'])}")
        blocks += self._style([para(text(" · ".join(byline)))], "Byline")
        if audience["show_grades"] and view["method"]["sources"]:
            pointer = (
                "Notes grade each source's reliability (A–F) and each statement's "
                "credibility (1–6): see Sources and method."
            )
            blocks += self._style([para(text(pointer))], "Legend")
        return blocks

    def marking(self) -> list[Node]:
        """The marking as a paragraph of the text: Markdown's only place for it.

        A DOCX carries it in every page's header and footer instead (`briefgen.docx`).
        """
        marking = self.audience["marking"]
        return [para([strong(text(marking))])] if marking and not self.docx else []

    def key_judgments(self) -> list[Node]:
        judgments = self.view["judgments"]
        if not judgments:
            return []
        items = [self.judgment(judgment) for judgment in judgments]
        scale = ", ".join(self.view["method"]["estimative_scale"])
        legend = para(text(f"Confidence, lowest to highest: {scale}."))
        return [
            heading(1, text("Key judgments"), self._anchor("key-judgments")),
            *self._style([numbered(items)], "Key Judgment"),
            *self._style([legend], "Legend"),
        ]

    def judgment(self, fact: View) -> list[Node]:
        confidence = str(fact["confidence"] or "").capitalize()
        lead = [self._char(text(f"{confidence}."), "Confidence"), _node("Space")]
        body = [*lead, *markdown(fact["text"]), *self.cite(fact["citations"])]
        blocks = [self._bookmarked(para(body), fact["id"])]
        return blocks + self.basis(fact, "Rests on:")

    def basis(self, fact: View, lead: str) -> list[Node]:
        facts = self.view["facts_by_id"]
        shown = [basis_id for basis_id in fact["basis"] if basis_id in facts]
        if not shown:
            return []
        words = text(lead)
        for index, basis_id in enumerate(shown):
            words += [_node("Space"), *self._xref(facts[basis_id]["label"], basis_id)]
            if index < len(shown) - 1:
                words.append(_node("Str", ";"))
        more = len(fact["basis"]) - len(shown)
        if more:
            words += [_node("Str", ";"), *text(f" and {more} more in the full brief")]
        words.append(_node("Str", "."))
        return self._style([para(words)], "Basis")

    def _bookmarked(self, block: Node, fact_id: str) -> Node:
        return div([block], f"fact-{fact_id}") if self.docx else block

    def changes(self) -> list[Node]:
        changes = self.view["changes"]
        if not changes:
            return []
        since = f"Compared with the version of {day(changes['since'])}."
        if not changes["any"]:
            since += " No fact was added, changed or removed."
        blocks = [para(text(since))]
        for kind in ("added", "changed"):
            facts = changes[kind]
            if facts:
                blocks.append(para([strong(text(f"{kind.capitalize()} ({len(facts)})"))]))
                items = [[para(self._xref(f["label"], f["id"]))] for f in facts]
                blocks.append(bullets(items))
        if changes["removed"]:
            removed = changes["removed"]
            blocks.append(para([strong(text(f"Removed ({len(removed)})"))]))
            codes: list[Node] = []
            for index, fact_id in enumerate(removed):
                codes.append(_node("Code", [_NO_ATTR, fact_id]))
                if index < len(removed) - 1:
                    codes += [_node("Str", ","), _node("Space")]
            blocks.append(para(codes))
        title = text("Changes since the previous version")
        return [heading(1, title, self._anchor("changes")), *self._style(blocks, "Changes")]

    def section(self, section: View) -> list[Node]:
        topic = section["topic"]
        blocks = [heading(1, text(topic["title"]), self._anchor(f"h-{topic['id']}"))]
        if topic["summary"]:
            blocks += self._style([para(markdown(topic["summary"]))], "Summary")
        if section["members"]:
            blocks.append(self.membership(section["members"]))
        if section["paragraphs"]:
            for paragraph in section["paragraphs"]:
                blocks += self.prose(paragraph)
        else:
            for fact in section["facts"]:
                blocks += self.comment(fact) if fact["kind"] == "comment" else self.fact(fact)
        return blocks

    def when(self, fact: View) -> list[Node]:
        if not fact["date"] or fact["dated_in_text"]:
            return []
        return [self._char(text(f"{human(fact['date'])}."), "When"), _node("Space")]

    def fact(self, fact: View) -> list[Node]:
        body = [*self.when(fact), *markdown(fact["text"]), *self.cite(fact["citations"])]
        blocks = [self._bookmarked(para(body), fact["id"])]
        return blocks + (self.differ(fact) if fact["versions"] else [])

    def differ(self, fact: View, label: bool = False) -> list[Node]:
        own = label and str(fact["label"]).startswith("Sources differ")
        words = [] if own else text("Sources differ")
        if label:
            words += [*([] if own else [_node("Str", ":"), _node("Space")])]
            words += self._xref(fact["label"], fact["id"])
        items = [
            [para([*markdown(version["text"]), *self.cite(version["citations"])])]
            for version in fact["versions"]
        ]
        title = [para(words)] if self.docx else [para([strong(words)])]
        if self.docx:
            return [
                div(title, style="Sources Differ Label"),
                div([bullets(items)], style="Sources Differ"),
            ]
        return [block_quote([*title, bullets(items)])]

    def prose(self, paragraph: Sequence[View]) -> list[Node]:
        sentences = [fact for fact in paragraph if fact["kind"] != "comment"]
        blocks: list[Node] = []
        if sentences:
            words: list[Node] = []
            for index, fact in enumerate(sentences):
                sentence = markdown(fact["text"])
                if self.audience["notes"] == "fact":
                    sentence += self.cite(fact["citations"])
                if self.docx:
                    words.append(span(sentence, f"fact-{fact['id']}"))
                else:
                    words.extend(sentence)
                if index < len(sentences) - 1:
                    words.append(_node("Space"))
            if self.audience["notes"] == "paragraph":
                words += self.cite([c for fact in sentences for c in fact["citations"]])
            blocks.append(para(words))
        for fact in sentences:
            if fact["versions"]:
                blocks += self.differ(fact, label=True)
        for fact in paragraph:
            if fact["kind"] == "comment":
                blocks += self.comment(fact)
        return blocks

    def comment(self, fact: View) -> list[Node]:
        confidence = f" ({fact['confidence']})" if fact["confidence"] else ""
        lead = [self._char(text(f"Desk comment{confidence}:"), "Comment Label"), _node("Space")]
        body = [*lead, *markdown(fact["text"]), *self.cite(fact["citations"])]
        blocks = [para(body), *self.basis(fact, "On:")]
        if self.docx:
            return [div([div(blocks, style="Desk Comment")], f"fact-{fact['id']}")]
        return [block_quote(blocks)]

    def membership(self, members: Sequence[View]) -> Node:
        citations = [c for member in members for c in member["citations"]]
        caption = [*text("Membership by state"), *self.cite(citations)]
        head = [
            ("State", 0.16),
            ("Joined", 0.10),
            ("Left", 0.10),
            ("Rejoined", 0.13),
            ("Left again", 0.12),
            ("Status", 0.39),
        ]
        rows = []
        for member in members:
            periods = member["periods"]
            first, last = periods[0], periods[-1]
            second = periods[1] if len(periods) > 1 else None
            status = text(f"Left {human(last['left'])}" if last["left"] else "Member")
            if member["note"]:
                # Markdown's pipe tables hold one line a cell: the note follows a dash there.
                apart = [_node("LineBreak")] if self.docx else text(" — ")
                status += [*apart, self._note_text(markdown(member["note"]))]
            cells = [
                text(member["state"]),
                text(human(first["joined"])),
                text(human(first["left"]) if first["left"] else "—"),
                text(human(second["joined"]) if second else "—"),
                text(human(second["left"]) if second and second["left"] else "—"),
                status,
            ]
            rows.append([[_node("Plain", cell)] for cell in cells])
        return table(caption, head, rows)

    def _note_text(self, words: list[Node]) -> Node:
        return span(words, style="Member Note") if self.docx else _node("Emph", words)

    def chronology(self) -> list[Node]:
        facts = self.view["chronology"]
        if not facts:
            return []
        rows = [
            [
                [_node("Plain", text(human(f["date"])))],
                [_node("Plain", self._xref(f["label"], f["id"]))],
            ]
            for f in facts
        ]
        return [
            heading(1, text("Chronology"), self._anchor("h-chronology")),
            table([], [("Date", 0.24), ("Event", 0.76)], rows),
        ]

    def method(self) -> list[Node]:
        view, audience = self.view, self.audience
        method = view["method"]
        if not method["sources"]:
            return []
        blocks = [para(text(method_summary(view)))]
        if method["note"]:
            blocks.append(para(markdown(method["note"])))
        if audience["show_grades"]:
            reliability = "; ".join(
                f"{g['grade']} {g['meaning']}" for g in method["reliability_scale"]
            )
            credibility = "; ".join(
                f"{g['grade']} {g['meaning']}" for g in method["credibility_scale"]
            )
            legend = (
                "Notes give each source's reliability and each citation's credibility in "
                f"brackets, e.g. [C2]. Reliability: {reliability}. Credibility: {credibility}."
            )
            blocks += self._style([para(text(legend))], "Legend")
        comments = any(
            fact["kind"] == "comment" for section in view["sections"] for fact in section["facts"]
        )
        if view["judgments"] or comments:
            scale = ", ".join(method["estimative_scale"])
            legend = (
                "Judgments and desk comments are the desk's own assessments, not the sources'. "
                f"Confidence words, lowest to highest: {scale}."
            )
            blocks += self._style([para(text(legend))], "Legend")
        return [heading(1, text("Sources and method"), self._anchor("h-method")), *blocks]

    def bibliography(self) -> list[Node]:
        entries = self.view["bibliography"]()
        if not entries:
            return []
        blocks = [para(inlines(entry)) for entry in entries]
        title = heading(1, text("Bibliography"), self._anchor("h-bibliography"))
        return [title, *(self._style(blocks, "Bibliography") if self.docx else blocks)]

    def colophon(self) -> list[Node]:
        words = (
            f"Built with briefgen {self.view['version']}. Every statement is tied to a source; "
            "notes give the source, the paragraph and the supporting words."
        )
        return self._style([para(text(words))], "Legend")


_BOXES = frozenset({"Key Judgment", "Changes"})
"""Styled boxes that Markdown shows as block quotes (the rest are plain paragraphs there)."""


def method_summary(view: View) -> str:
    """The method's first paragraph, word for word as the built-in template writes it."""
    method, audience = view["method"], view["audience"]
    what = "brief" if not audience["title"] else str(audience["title"]).lower()
    count = method["sources"]
    words = f"This {what} rests on {count} source{'s' if count != 1 else ''}: {method['kinds']}"
    earliest, latest = method["earliest"], method["latest"]
    if earliest and latest and earliest["iso"] != latest["iso"]:
        words += f", published between {human(earliest)} and {human(latest)}"
    elif latest:
        words += f", published {human(latest)}"
    words += "."
    if method["graded"] and audience["show_grades"]:
        graded = ", ".join(
            f"{g['count']} source{'s' if g['count'] != 1 else ''} "
            f"graded {g['grade']} ({g['meaning']})"
            for g in method["graded"]
        )
        ungraded = f"; {method['ungraded']} not graded" if method["ungraded"] else ""
        words += f" Reliability grades: {graded}{ungraded}."
    if view["information_as_of"]:
        words += (
            f" The information is as of {human(view['information_as_of'])}; "
            "nothing later is reflected."
        )
    return words


def metadata(view: View) -> dict[str, Node]:
    """The document's properties: title, subtitle, author, date, subject, keywords, language."""
    settings, audience = view["settings"], view["audience"]
    title = str(settings["title"])
    if audience["title"]:
        title += f" — {audience['title']}"
    meta: dict[str, Node] = {
        "title": meta_inlines(text(title)),
        "date": meta_inlines(text(day(view["build_date"]))),
        "lang": _node("MetaString", settings["language"]),
    }
    if settings["subtitle"]:
        meta["subtitle"] = meta_inlines(text(settings["subtitle"]))
    if settings["author"]:
        meta["author"] = _node("MetaList", [meta_inlines(text(settings["author"]))])
    subject = settings["subject"] or settings["subtitle"]
    if subject:
        meta["subject"] = meta_inlines(text(subject))
    if audience["description"]:
        meta["description"] = meta_inlines(text(audience["description"]))
    if settings["keywords"]:
        meta["keywords"] = _node("MetaList", [meta_inlines(text(k)) for k in settings["keywords"]])
    return meta


def edition(view: View, target: Target) -> Node:
    """One audience's edition as a Pandoc document (without the API version Pandoc adds)."""
    blocks = _Edition(view, target).blocks()
    return {"meta": metadata(view), "blocks": blocks if target == "docx" else _braces_kept(blocks)}


_ATTRIBUTED = frozenset({"Code", "Link", "Image", "Span"})
"""Inlines that Pandoc Markdown lets a `{...}` right after them qualify (attributes, raw)."""


def _braces_kept(node: Any) -> Any:
    """`node` with every `{` that follows code or a link written as `\\{`.

    Pandoc's Markdown writer leaves such a brace as it is, and a reader would
    take ``x`{=html}`` as raw HTML and `[a](u){onclick=...}` as attributes: fact
    text must stay text.
    """
    if isinstance(node, list):
        kept: list[Any] = []
        for item in map(_braces_kept, node):
            follows = kept and isinstance(kept[-1], dict) and kept[-1].get("t") in _ATTRIBUTED
            braced = isinstance(item, dict) and item.get("t") == "Str" and item["c"][:1] == "{"
            if follows and braced:
                kept.append(_node("RawInline", ["markdown", "\\{"]))
                item = _node("Str", item["c"][1:])
                if not item["c"]:
                    continue
            kept.append(item)
        return kept
    if isinstance(node, dict):
        return {key: _braces_kept(value) for key, value in node.items()}
    return node
