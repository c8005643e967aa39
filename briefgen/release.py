"""The release guard: prove that nothing withheld from an edition reached its output.

Templates see only what an edition shows (`briefgen.view`), so withheld material
cannot reach them through the data. The guard is the second line of defence,
against text pasted into a template or a stylesheet: it reads everything in the
output a reader or a tool could see (element text, attribute values, comments,
processing instructions, style and script; and from the PDF its laid-out text,
bookmarks and metadata) and fails the build if any withheld material shows:
a withheld fact's anchor, its text or a version's, a quote only it cites, or a
withheld membership row. A statement counts as shown when RUN words of it
appear in a row, or the whole of it when it is shorter, and those words are not
also in what the edition releases. Before comparing, both sides are reduced to
lower-case words: punctuation, markup, entities, accents and invisible
characters (zero-width spaces, soft hyphens, direction marks) are dropped, and
inline elements do not split a word, so neither spacing nor markup hides a leak.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html.parser import HTMLParser

from briefgen.errors import BriefError, Problem, Where
from briefgen.markup import plain
from briefgen.model import Citation, Config, Member
from briefgen.select import Selection

RUN = 5
"""Words in a row that count as a leak (unless the edition itself releases them)."""
SHORTEST = 3
"""Fewer words than this say too little to recognise anything by (a one-word quote)."""

_WORD = re.compile(r"\w+")
_DROPPED = {"Cf", "Mn", "Me", "Cc"}
"""Unicode categories removed before comparing: format (invisible), combining marks, controls."""
_INLINE = frozenset(
    [
        "a",
        "abbr",
        "b",
        "bdi",
        "bdo",
        "cite",
        "code",
        "data",
        "del",
        "dfn",
        "em",
        "i",
        "ins",
        "kbd",
        "mark",
        "q",
        "s",
        "samp",
        "small",
        "span",
        "strong",
        "sub",
        "sup",
        "time",
        "u",
        "var",
        "wbr",
    ]
)
"""Elements that do not break a word: `<b>Ru</b>ssia` reads as one word."""
_HINT = (
    "a template or stylesheet shows material this edition withholds; "
    "render only what the edition view holds"
)


@dataclass(frozen=True)
class Withheld:
    """One withheld record and the statements by which it could be recognised."""

    label: str
    where: Where | None
    statements: tuple[str, ...]
    anchor: str | None = None


class Guard:
    """The withheld material of one edition, checked against what that edition writes."""

    def __init__(self, selection: Selection, config: Config, *, audience: str) -> None:
        self.audience = audience
        self.withheld = withheld_material(selection)
        released = _Words(released_texts(selection, config))
        self._patterns = [
            (item, [p for p in _patterns(item.statements) if not released.has(p)])
            for item in self.withheld
        ]

    def check_html(self, html: str) -> None:
        """Raise BriefError naming each withheld record that appears in `html`."""
        parser = _TextParser()
        parser.feed(html)
        parser.close()
        self._check(parser.texts(), parser.anchors, "")

    def check_text(self, texts: Sequence[str], what: str) -> None:
        """The same for plain text (a PDF's laid-out text, bookmarks, metadata), named `what`."""
        self._check([" ".join(texts), "".join(texts)], set(), f" ({what})")

    def _check(self, texts: list[str], anchors: set[str], what: str) -> None:
        page = _Words(texts)
        problems = []
        for item, patterns in self._patterns:
            found = None
            if item.anchor and item.anchor in anchors:
                found = f"its anchor {item.anchor!r}"
            else:
                found = next((f"“{p}”" for p in patterns if page.has(p)), None)
            if found:
                problems.append(
                    Problem(
                        f"audience {self.audience!r}: {item.label} appears in the output{what}: "
                        f"{found}",
                        item.where,
                        _HINT,
                    )
                )
        if problems:
            raise BriefError(problems=problems)


def check_release(html: str, selection: Selection, config: Config, *, audience: str) -> None:
    """Raise BriefError naming each withheld record of `selection` that appears in `html`."""
    Guard(selection, config, audience=audience).check_html(html)


def withheld_material(selection: Selection) -> list[Withheld]:
    """Every record the edition withholds for handling, with the statements that give it away."""
    items = [
        Withheld(
            f"withheld fact {fact.id!r} (handling {fact.handling})",
            fact.where(),
            (
                plain(fact.text),
                *(plain(v.text) for v in fact.versions),
                *(c.quote for c in fact.all_citations()),
            ),
            anchor=f"fact-{fact.id}",
        )
        for fact in selection.withheld
    ]
    items += [
        Withheld(
            f"withheld membership row {member.state!r} (handling {member.handling})",
            member.where(),
            (
                _row(member),
                *([plain(member.note)] if member.note else []),
                *(c.quote for c in member.citations),
            ),
        )
        for member in selection.withheld_members
    ]
    return items


def released_texts(selection: Selection, config: Config) -> list[str]:
    """Everything the edition itself shows: words found here are never a leak."""
    texts = [config.title, config.subtitle or "", config.author or "", config.subject or ""]
    texts += config.keywords
    for fact in selection.facts:
        texts += [plain(fact.text), *(plain(v.text) for v in fact.versions)]
        texts += _quotes(fact.all_citations())
    for section in selection.sections:
        texts += [section.topic.title, plain(section.topic.summary)]
        for member in section.members:
            texts += [_row(member), plain(member.note or ""), *_quotes(member.citations)]
    return texts


def comparable(text: str) -> str:
    """Lower-case words only, with accents and invisible characters gone."""
    decomposed = unicodedata.normalize("NFKD", text)
    kept = "".join(ch for ch in decomposed if unicodedata.category(ch) not in _DROPPED)
    return " ".join(_WORD.findall(kept.casefold()))


class _Words:
    """Texts as words, with every run of RUN words in a set for constant-time lookups."""

    def __init__(self, texts: Iterable[str]) -> None:
        self.runs: set[str] = set()
        self.text = ""
        padded = []
        for text in texts:
            words = comparable(text).split()
            self.runs.update(" ".join(words[i : i + RUN]) for i in range(len(words) - RUN + 1))
            padded.append(" ".join(words))
        self.text = f" {' | '.join(padded)} "

    def has(self, pattern: str) -> bool:
        if pattern.count(" ") + 1 >= RUN:
            return pattern in self.runs
        return f" {pattern} " in self.text  # a statement shorter than a run must appear whole


def _patterns(statements: Iterable[str]) -> list[str]:
    """Each statement's runs of RUN words, or the statement whole when it is shorter."""
    found: dict[str, None] = {}
    for statement in statements:
        words = comparable(statement).split()
        if len(words) < SHORTEST:
            continue
        if len(words) <= RUN:
            found[" ".join(words)] = None
            continue
        for start in range(len(words) - RUN + 1):
            found[" ".join(words[start : start + RUN])] = None
    return list(found)


def _row(member: Member) -> str:
    """A membership row as the table reads it: the state and its dates."""
    dates = [d.human() for period in member.periods for d in (period.joined, period.left) if d]
    return " ".join([member.state, *dates])


def _quotes(citations: Iterable[Citation]) -> list[str]:
    return [citation.quote for citation in citations]


class _TextParser(HTMLParser):
    """Collects what a reader or a tool could see: text, attributes, comments, anchors.

    `spaced` keeps every piece apart; `joined` runs text across inline elements,
    so that splitting a word with tags does not hide it.
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.spaced: list[str] = []
        self.joined: list[str] = []
        self.anchors: set[str] = set()

    def texts(self) -> list[str]:
        return [" ".join(self.spaced), "".join(self.joined)]

    def _apart(self, text: str) -> None:
        self.spaced.append(text)
        self.joined.append(f" {text} ")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _INLINE:
            self.joined.append(" ")
        for name, value in attrs:
            if not value:
                continue
            self._apart(value)
            if name == "id":
                self.anchors.add(value)
            elif name == "href" and value.startswith("#"):
                self.anchors.add(value[1:])

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag not in _INLINE:
            self.joined.append(" ")

    def handle_data(self, data: str) -> None:
        self.spaced.append(data)
        self.joined.append(data)

    def handle_comment(self, data: str) -> None:
        self._apart(data)

    def handle_pi(self, data: str) -> None:
        self._apart(data)

    def handle_decl(self, decl: str) -> None:
        self._apart(decl)

    def unknown_decl(self, data: str) -> None:
        self._apart(data)
