"""The release guard: prove that nothing withheld from an audience reached its output.

Templates see only what an audience shows (`briefgen.view`), so withheld material
cannot reach them through the data. The guard is the second line of defence,
against text pasted into a template or a stylesheet: it reads everything in the
output a reader or a tool could see (element text, attribute values, comments,
processing instructions, style and script; and from the PDF its laid-out text,
bookmarks and metadata) and fails the build if any withheld material shows:
a withheld fact's anchor, its text or a version's, a quote only it cites, or a
withheld membership row. A statement counts as shown when RUN words of it
appear in a row, or the whole of it when it is shorter, and those words are not
also in what the audience releases. Before comparing, both sides are reduced to
lower-case words: punctuation, markup, entities, accents and invisible
characters (zero-width spaces, soft hyphens, direction marks) are dropped, and
inline elements do not split a word, so neither spacing nor markup hides a leak.
"""

from __future__ import annotations

import base64
import binascii
import re
import unicodedata
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html import unescape
from html.parser import HTMLParser
from urllib.parse import unquote

from briefgen.errors import BriefError, Problem, Where
from briefgen.markup import plain
from briefgen.model import Citation, Config, Member
from briefgen.select import Selection

RUN = 5
"""Words in a row that count as a leak (unless the audience itself releases them)."""
SHORTEST = 3
"""Fewer words than this say too little to recognise anything by (a one-word quote)."""

_WORD = re.compile(r"[^\W_]+")
"""A word: letters and digits. An underscore joins nothing (`the_ministry` is two words)."""
_DROPPED = {"Cf", "Mn", "Me", "Cc"}
"""Unicode categories removed before comparing: format (invisible), combining marks, controls."""
_BLOCKS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "body",
        "br",
        "caption",
        "col",
        "colgroup",
        "dd",
        "details",
        "dialog",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "head",
        "header",
        "hr",
        "html",
        "img",
        "input",
        "legend",
        "li",
        "main",
        "nav",
        "ol",
        "option",
        "p",
        "pre",
        "section",
        "select",
        "style",
        "summary",
        "svg",
        "table",
        "tbody",
        "td",
        "textarea",
        "tfoot",
        "th",
        "thead",
        "title",
        "tr",
        "ul",
    ]
)
"""Elements that end a word. Any other element (`<b>`, `<span>`, `<font>`) does not:
`<b>Ru</b>ssia` reads as one word, so it is compared as one."""
_FORBIDDEN = frozenset(
    ["script", "iframe", "frame", "frameset", "object", "embed", "applet", "base", "portal"]
)
"""Elements a brief never needs and a guard cannot read through (code, other documents)."""
_DATA_URL = re.compile(r"data:[^,\s\"')]*,[^\s\"')]*", re.IGNORECASE)
MAX_RESOURCE = 20 * 1024 * 1024
"""Most bytes of a compressed image unpacked for reading."""
_BOMS = (
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
_XML_ENCODING = re.compile(rb"""encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_CSS_ESCAPE = re.compile(r"\\([0-9a-fA-F]{1,6})\s?|\\(.)", re.DOTALL)
_CSS_JOIN = re.compile(r"[\"']\s*[\"']")
_HINT = (
    "a template or stylesheet shows material this audience withholds; "
    "render only what the template view holds"
)


@dataclass(frozen=True)
class Withheld:
    """One withheld record and the statements by which it could be recognised."""

    label: str
    where: Where | None
    statements: tuple[str, ...]
    anchor: str | None = None
    ident: str | None = None


class Guard:
    """The withheld material of one audience, checked against what that audience writes."""

    def __init__(self, selection: Selection, config: Config, *, audience: str) -> None:
        self.audience = audience
        self.withheld = withheld_material(selection)
        released = _Words(released_texts(selection, config))
        self._patterns = [
            (item, [p for p in _patterns(item.statements) if not released.has(p)])
            for item in self.withheld
        ]

    def check_html(self, html: str, what: str = "") -> None:
        """Raise BriefError naming each withheld record that appears in `html`.

        Markup that runs code or pulls in another document (`<script>`,
        `<iframe>`, `<object>`, event handlers, `javascript:` links) is refused
        first: what it would show cannot be read from the page.
        """
        parser = _TextParser()
        parser.feed(html)
        parser.close()
        label = f" ({what})" if what else ""
        if parser.forbidden:
            raise BriefError(
                f"audience {self.audience!r}: the output{label} holds {parser.forbidden[0]}, "
                "which a brief may not carry",
                hint="briefgen writes no scripts, frames, embedded objects or event handlers; "
                "remove it from the template",
            )
        self._check(parser.texts(), parser.anchors, label)

    def check_text(self, texts: Sequence[str], what: str) -> None:
        """The same for plain text (a PDF's laid-out text, bookmarks, metadata), named `what`."""
        self._check([" ".join(texts), "".join(texts)], set(), f" ({what})")

    def _check(self, texts: list[str], anchors: set[str], what: str) -> None:
        # Read backwards too: a direction override (U+202E, <bdo dir=rtl>, CSS
        # `unicode-bidi`) shows letters written in reverse the right way round,
        # and a reversed row shows words written in reverse order in order.
        backwards = [text[::-1] for text in texts]
        reordered = [" ".join(reversed(text.split())) for text in texts]
        page = _Words([*texts, *backwards, *reordered])
        raw = " ".join(texts)
        problems = []
        for item, patterns in self._patterns:
            found = None
            if item.anchor and item.anchor in anchors:
                found = f"its anchor {item.anchor!r}"
            elif item.ident and _has_id(raw, item.ident):
                found = f"its id {item.ident!r}"
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


def withheld_material(selection: Selection) -> list[Withheld]:
    """Every record the audience withholds for handling, with the statements that give it away."""
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
            ident=fact.id if _ID_PARTS.search(fact.id) else None,
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
    """Everything the audience itself shows: words found here are never a leak."""
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


_ID_PARTS = re.compile(r"[-_.]")
"""An id with parts (`kz-start`) is distinctive enough to look for; one word (`treaty`) is not."""


def _has_id(text: str, ident: str) -> bool:
    return re.search(rf"(?<![\w.-]){re.escape(ident)}(?![\w-]|\.\w)", text) is not None


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

    `spaced` keeps every piece apart; `joined` runs text across elements that
    do not end a word, so that splitting a word with tags does not hide it.
    Style text and attribute values are also read decoded (CSS escapes and
    adjacent CSS strings joined; percent-encoding; entities inside values).
    Markup a brief may not carry is listed in `forbidden`.
    """

    def __init__(self, depth: int = 0) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = depth
        self.spaced: list[str] = []
        self.joined: list[str] = []
        self.anchors: set[str] = set()
        self.forbidden: list[str] = []
        self._in_style = False

    def texts(self) -> list[str]:
        return [" ".join(self.spaced), "".join(self.joined)]

    def _apart(self, text: str) -> None:
        self.spaced.append(text)
        self.joined.append(f" {text} ")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _FORBIDDEN:
            self.forbidden.append(f"a <{tag}> element")
        if tag in _BLOCKS:
            self.joined.append(" ")
        self._in_style = tag == "style"
        for name, value in attrs:
            self._attribute(tag, name, value or "")

    def _attribute(self, tag: str, name: str, value: str) -> None:
        lowered = value.strip().lower()
        if name.startswith("on") or name == "srcdoc":
            self.forbidden.append(f"a {name!r} attribute on <{tag}>")
        elif lowered.startswith(("javascript:", "vbscript:")):
            self.forbidden.append(f"a script link in {name!r} on <{tag}>")
        elif tag == "meta" and name == "http-equiv" and lowered == "refresh":
            self.forbidden.append("a <meta http-equiv=refresh>")
        if not value:
            return
        for variant in dict.fromkeys([value, unquote(value), unescape(value), _css(value)]):
            self._apart(variant)
        for url in _DATA_URL.findall(value):
            self._embedded(url)
        if name == "id":
            self.anchors.add(value)
        elif name == "href" and value.startswith("#"):
            self.anchors.add(value[1:])

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        self._in_style = False

    def handle_endtag(self, tag: str) -> None:
        if tag in _BLOCKS:
            self.joined.append(" ")
        self._in_style = False

    def handle_data(self, data: str) -> None:
        self.spaced.append(data)
        self.joined.append(data)
        if self._in_style:
            self._apart(_css(data))
            for url in _DATA_URL.findall(data):
                self._embedded(url)

    def _embedded(self, url: str) -> None:
        """Read what a `data:` URL holds (an SVG image, a stylesheet) as part of the page."""
        text = data_url_text(url)
        if text is None or self.depth >= 3:
            return
        inner = _TextParser(self.depth + 1)
        inner.feed(text)
        inner.close()
        self.forbidden += inner.forbidden
        for piece in inner.texts():
            self._apart(piece)

    def handle_comment(self, data: str) -> None:
        self._apart(data)

    def handle_pi(self, data: str) -> None:
        self._apart(data)

    def handle_decl(self, decl: str) -> None:
        self._apart(decl)

    def unknown_decl(self, data: str) -> None:
        self._apart(data)


def data_url_text(url: str) -> str | None:
    """The text a `data:` URL holds, if it holds text (SVG, CSS, HTML); None for an image."""
    header, _, payload = url.partition(",")
    try:
        if header.lower().endswith(";base64"):
            body = base64.b64decode(unquote(payload), validate=False)
        else:
            body = unquote(payload).encode("utf-8", "surrogateescape")
    except (ValueError, binascii.Error):
        return None
    return resource_text(body)


def resource_text(body: bytes) -> str | None:
    """The text of a resource a page loads (an SVG image, a stylesheet), None for binary data.

    Compressed SVG (svgz) is unpacked, up to a limit; the encoding comes from a
    byte-order mark or an XML declaration, else UTF-8, else Latin-1 for a
    document that looks like markup: an image cannot hide its text by its encoding.
    """
    if body[:2] == b"\x1f\x8b":
        unpacker = zlib.decompressobj(wbits=47)
        try:
            body = unpacker.decompress(body, MAX_RESOURCE)
        except zlib.error:
            return None
    for mark, encoding in _BOMS:
        if body.startswith(mark):
            return body.decode(encoding, "replace")
    declared = _XML_ENCODING.search(body[:200])
    if declared:
        try:
            return body.decode(declared.group(1).decode("ascii"), "replace")
        except LookupError:
            pass
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    head = body[:4096].lower()
    if b"<\x00" in head or b"\x00<" in head:
        return body.decode("utf-16-le" if head.startswith(b"<") else "utf-16-be", "replace")
    if b"<svg" in head or b"<?xml" in head or b"<html" in head:
        return body.decode("latin-1")
    return None


def _css(text: str) -> str:
    """CSS text with escapes decoded and adjacent strings joined (`"Q" "X"` reads `QX`)."""
    if "\\" not in text and '"' not in text and "'" not in text:
        return text
    decoded = _CSS_ESCAPE.sub(_css_character, text)
    return _CSS_JOIN.sub("", decoded)


def _css_character(match: re.Match[str]) -> str:
    if match.group(1) is None:
        return match.group(2)
    code = int(match.group(1), 16)
    return chr(code) if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else " "
