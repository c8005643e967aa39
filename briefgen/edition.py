"""An audience's edition as a Pandoc document, built from the template view.

The DOCX and Markdown editions are not converted from the HTML: they are built
here from the same view the HTML template sees (`briefgen.view`), block by
block in the order of the built-in template (`base.html.j2`), and notes are
taken from the same `next_note`, so their numbers and first/short Chicago forms
are the HTML's and the PDF's. Pandoc then writes the document
(`briefgen.pandoc`).

For DOCX the blocks carry Word styles through Pandoc's `custom-style`
attribute (the styles of `reference.docx`) and bookmarks for cross-references;
for Markdown they are plain Pandoc Markdown: boxes become block quotes, and no
attributes clutter the text.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Literal

from briefgen.pandoc_ast import (
    NO_ATTR,
    Node,
    block_quote,
    braces_kept,
    bullets,
    div,
    heading,
    inlines,
    link,
    markdown,
    meta_inlines,
    node,
    note,
    numbered,
    para,
    span,
    strong,
    table,
    text,
)
from briefgen.render import day, human
from briefgen.view import View

Target = Literal["docx", "md"]


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
        lead = [self._char(text(f"{confidence}."), "Confidence"), node("Space")]
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
            words += [node("Space"), *self._xref(facts[basis_id]["label"], basis_id)]
            if index < len(shown) - 1:
                words.append(node("Str", ";"))
        more = len(fact["basis"]) - len(shown)
        if more:
            words += [node("Str", ";"), *text(f" and {more} more in the full brief")]
        words.append(node("Str", "."))
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
                codes.append(node("Code", [NO_ATTR, fact_id]))
                if index < len(removed) - 1:
                    codes += [node("Str", ","), node("Space")]
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
        return [self._char(text(f"{human(fact['date'])}."), "When"), node("Space")]

    def fact(self, fact: View) -> list[Node]:
        body = [*self.when(fact), *markdown(fact["text"]), *self.cite(fact["citations"])]
        blocks = [self._bookmarked(para(body), fact["id"])]
        return blocks + (self.differ(fact) if fact["versions"] else [])

    def differ(self, fact: View, label: bool = False) -> list[Node]:
        own = label and str(fact["label"]).startswith("Sources differ")
        words = [] if own else text("Sources differ")
        if label:
            words += [*([] if own else [node("Str", ":"), node("Space")])]
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
                    words.append(node("Space"))
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
        lead = [self._char(text(f"Desk comment{confidence}:"), "Comment Label"), node("Space")]
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
                apart = [node("LineBreak")] if self.docx else text(" — ")
                status += [*apart, self._note_text(markdown(member["note"]))]
            cells = [
                text(member["state"]),
                text(human(first["joined"])),
                text(human(first["left"]) if first["left"] else "—"),
                text(human(second["joined"]) if second else "—"),
                text(human(second["left"]) if second and second["left"] else "—"),
                status,
            ]
            rows.append([[node("Plain", cell)] for cell in cells])
        return table(caption, head, rows)

    def _note_text(self, words: list[Node]) -> Node:
        return span(words, style="Member Note") if self.docx else node("Emph", words)

    def chronology(self) -> list[Node]:
        facts = self.view["chronology"]
        if not facts:
            return []
        rows = [
            [
                [node("Plain", text(human(f["date"])))],
                [node("Plain", self._xref(f["label"], f["id"]))],
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
        "lang": node("MetaString", settings["language"]),
    }
    if settings["subtitle"]:
        meta["subtitle"] = meta_inlines(text(settings["subtitle"]))
    if settings["author"]:
        meta["author"] = node("MetaList", [meta_inlines(text(settings["author"]))])
    subject = settings["subject"] or settings["subtitle"]
    if subject:
        meta["subject"] = meta_inlines(text(subject))
    if audience["description"]:
        meta["description"] = meta_inlines(text(audience["description"]))
    if settings["keywords"]:
        meta["keywords"] = node("MetaList", [meta_inlines(text(k)) for k in settings["keywords"]])
    return meta


def edition(view: View, target: Target) -> Node:
    """One audience's edition as a Pandoc document (without the API version Pandoc adds)."""
    blocks = _Edition(view, target).blocks()
    return {"meta": metadata(view), "blocks": blocks if target == "docx" else braces_kept(blocks)}
