"""A source's text from fetched or saved material, one paragraph per line, for the archive.

An HTML page is reduced to its article text by trafilatura (navigation, footers
and comments left out), a PDF gives its text through pypdf, and a text file is
taken as it is. trafilatura and pypdf come with the optional extra
`briefgen[archive]` and are imported only when needed. Fetching a URL is
`briefgen.tools.fetch`'s work.

A page counts as an article only if trafilatura, favouring precision, finds
at least `MIN_ARTICLE_PARAGRAPHS` paragraphs and `MIN_ARTICLE_WORDS` words in
it; a cookie banner or a page of links is refused.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from types import ModuleType
from typing import Any, Literal
from urllib.parse import urlsplit

from briefgen.confine import read_regular
from briefgen.errors import BriefError, Where

Kind = Literal["html", "pdf", "text"]

MAX_INPUT_BYTES = 20 * 1024 * 1024
"""The largest page, PDF or text file read or fetched."""
MIN_ARTICLE_PARAGRAPHS = 2
MIN_ARTICLE_WORDS = 40
"""Less text than this in a page is not an article (a banner, a menu, a footer)."""
EXTRA_HINT = 'install the extra it needs: pip install "briefgen[archive]"'
_SAVE_TEXT_HINT = "save the article's text as a .txt file and archive that file"

_TYPES: dict[str, Kind] = {
    "text/html": "html",
    "application/xhtml+xml": "html",
    "application/pdf": "pdf",
    "text/plain": "text",
    "text/markdown": "text",
}
"""What a server's Content-Type says the bytes are."""
_UNTYPED = {"application/octet-stream", "binary/octet-stream"}
"""Content types that say nothing: the bytes themselves decide."""
_SUFFIXES: dict[str, Kind] = {
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".pdf": "pdf",
    ".txt": "text",
    ".text": "text",
    ".md": "text",
    ".markdown": "text",
}
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_PARAGRAPH_END = re.compile(r"[.!?:;)\]\"'”’»]$")
_LIST_ITEM = re.compile(r"([•◦▪‣⁃●■○□]|[0-9]{1,3}[.)])\s")
"""A line starting with a bullet or an item number starts a paragraph."""


@dataclass(frozen=True)
class Material:
    """A source's bytes as fetched or read, what kind they are, and where they came from."""

    data: bytes
    kind: Kind
    origin: str
    """The URL as given, or the file's name."""
    charset: str | None = None
    path: Path | None = None
    """The file read; None for a URL."""

    def refused(self, what: str, hint: str | None = None, line: int | None = None) -> BriefError:
        """A BriefError saying what is wrong with this material, at the file if it is one."""
        if self.path is not None:
            return BriefError(what, Where(self.path, line), hint)
        return BriefError(f"{shown_url(self.origin)}: {what}", hint=hint)


def read_file(path: Path, *, limit: int = MAX_INPUT_BYTES) -> Material:
    """A local file's bytes; its suffix says what it is, else its first bytes do."""
    if not path.exists() and not path.is_symlink():
        raise BriefError("no such file", Where(path), "pass a saved page, a PDF or a text file")
    data = read_regular(path, limit)
    kind = _SUFFIXES.get(path.suffix.lower()) or _sniff(data)
    return Material(data, kind, path.name, path=path)


def text_of(material: Material) -> str:
    """The material's text, one paragraph per line, ending in a line break."""
    if material.kind == "html":
        lines = _html_paragraphs(material)
    elif material.kind == "pdf":
        lines = _pdf_paragraphs(material)
    else:
        return _plain_text(material)
    return "".join(f"{line}\n" for line in lines)


def check_text(material: Material) -> str:
    """The text of material meant to be UTF-8 text; BriefError for binary or undecodable bytes."""
    if b"\x00" in material.data:
        raise material.refused("is a binary file, not text", "pass a saved page, a PDF or text")
    try:
        return material.data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = material.data[: exc.start].count(b"\n") + 1
        raise material.refused("is not UTF-8 text", "save it as UTF-8", line) from None


def too_large(what: str, limit: int) -> BriefError:
    return BriefError(
        f"cannot archive {what}: it is larger than {size_text(limit)}",
        hint="archive a smaller file, such as the article's text alone",
    )


def size_text(size: int) -> str:
    """'20 MiB', or '1,000 bytes' for less than a MiB."""
    return f"{size // (1024 * 1024)} MiB" if size >= 1024 * 1024 else f"{size:,} bytes"


def kind_of_type(url: str, content_type: str, data: bytes) -> Kind:
    kind = _TYPES.get(content_type)
    if kind is not None:
        return kind
    if content_type in _UNTYPED:
        return _sniff(data)
    raise BriefError(
        f"cannot archive {url}: the server sends {content_type!r}, not a page, a PDF or text",
        hint=_SAVE_TEXT_HINT,
    )


def _sniff(data: bytes) -> Kind:
    """What bytes are when nothing else says: a PDF, an HTML page, or text."""
    head = data[:1024].lstrip().lower()
    if data.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith((b"<!doctype html", b"<html", b"<?xml")) or b"<html" in head:
        return "html"
    return "text"


def _html_paragraphs(material: Material) -> list[str]:
    trafilatura = _optional("trafilatura")
    page: str | bytes = material.data
    if material.charset:
        page = material.data.decode(_codec(material.charset), errors="replace")
    url = material.origin if material.path is None else None
    extracted = trafilatura.extract(
        page,
        url=url,
        output_format="txt",
        include_comments=False,
        with_metadata=False,
        favor_precision=True,
    )
    lines = _cleaned((extracted or "").splitlines())
    words = sum(len(line.split()) for line in lines)
    if len(lines) < MIN_ARTICLE_PARAGRAPHS or words < MIN_ARTICLE_WORDS:
        raise material.refused(
            f"no article text found in the page (less than {MIN_ARTICLE_PARAGRAPHS} "
            f"paragraphs and {MIN_ARTICLE_WORDS} words)",
            _SAVE_TEXT_HINT,
        )
    return lines


def _pdf_paragraphs(material: Material) -> list[str]:
    pypdf = _optional("pypdf")
    try:
        reader = pypdf.PdfReader(io.BytesIO(material.data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise material.refused("is an encrypted PDF", "save an unprotected copy")
        pages = [_page_lines(page) for page in reader.pages]
    except BriefError:
        raise
    except Exception as exc:  # a damaged or hostile PDF fails inside pypdf in many ways
        raise material.refused(f"cannot be read as a PDF: {exc}", _SAVE_TEXT_HINT) from None
    lines = _joined_paragraphs(pages)
    if not lines:
        raise material.refused(
            "no text found in the PDF (a scanned PDF has none)",
            "run text recognition on it, or " + _SAVE_TEXT_HINT,
        )
    return lines


@dataclass
class _Line:
    """One line of a PDF page: where its baseline is, its font size, and its text."""

    y: float
    size: float
    text: str = ""


def _page_lines(page: Any) -> list[_Line]:
    """The page's lines of text from top to bottom, each put together from left to right.

    pypdf reports each piece of text with its position; pieces on one baseline
    (within a third of the font size) make one line, so a list's bullet,
    written after its item, comes before it again.
    """
    pieces: list[tuple[float, float, float, str]] = []

    def visit(text: str, cm: list[float], tm: list[float], font: Any, size: float) -> None:
        if text.strip():
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            scale = abs(tm[3] * cm[3]) or abs(tm[0] * cm[0]) or 1.0
            pieces.append((y, x, abs(size) * scale, text))

    page.extract_text(visitor_text=visit)
    lines: list[tuple[_Line, list[tuple[float, str]]]] = []
    for y, x, size, text in sorted(pieces, key=lambda piece: (-piece[0], piece[1])):
        if not lines or abs(lines[-1][0].y - y) > size / 3:
            lines.append((_Line(y, size), []))
        lines[-1][1].append((x, text))
    for line, parts in lines:
        line.text = " ".join("".join(text for _, text in sorted(parts)).split())
    return [line for line, _ in lines if line.text]


def _joined_paragraphs(pages: list[list[_Line]]) -> list[str]:
    """A PDF's lines joined into paragraphs, as far as its layout shows where they end.

    A new paragraph starts at a line further below the one before than the
    page's usual line spacing (by more than a third), at a line in another font
    size (a heading), at a line that starts with a list bullet or number, and
    after a line that ends a sentence and falls short of the page's longest
    line. A hyphen at a line's end joins the next line without a space.
    """
    paragraphs: list[str] = []
    current = ""
    for lines in pages:
        spacing = _usual_spacing(lines)
        full = max((len(line.text) for line in lines), default=0)
        previous: _Line | None = None
        for line in lines:
            if previous is not None and _starts_paragraph(previous, line, spacing):
                current = _flush(paragraphs, current)
            joiner = "" if not current or current.endswith("-") else " "
            current += joiner + line.text
            if _PARAGRAPH_END.search(line.text) and len(line.text) < 0.85 * full:
                current = _flush(paragraphs, current)
            previous = line
    _flush(paragraphs, current)
    return _cleaned(paragraphs)


def _usual_spacing(lines: list[_Line]) -> float | None:
    """The distance between baselines within a paragraph: the lower quartile of the gaps."""
    gaps = sorted(
        above.y - below.y
        for above, below in pairwise(lines)
        if above.y > below.y and _same_size(above, below)
    )
    return gaps[len(gaps) // 4] if gaps else None


def _starts_paragraph(previous: _Line, line: _Line, spacing: float | None) -> bool:
    if not _same_size(previous, line) or _LIST_ITEM.match(line.text):
        return True
    gap = previous.y - line.y
    return spacing is not None and gap > spacing * 4 / 3


def _same_size(one: _Line, other: _Line) -> bool:
    return abs(one.size - other.size) <= 0.1 * max(one.size, other.size)


def _flush(paragraphs: list[str], current: str) -> str:
    if current.strip():
        paragraphs.append(current)
    return ""


def _plain_text(material: Material) -> str:
    if material.charset and _codec(material.charset) != "utf-8":
        try:
            text = material.data.decode(_codec(material.charset))
        except UnicodeDecodeError:
            raise material.refused(
                f"is not {material.charset} text, as the server says", _SAVE_TEXT_HINT
            ) from None
    else:
        text = check_text(material)
    if not text.strip():
        raise material.refused("holds no text", "pass the file with the source's text")
    return text if text.endswith("\n") else text + "\n"


def _cleaned(lines: list[str]) -> list[str]:
    """Lines with white space runs made one space, control characters gone, blanks left out."""
    cleaned = (" ".join(_CONTROLS.sub(" ", line).split()) for line in lines)
    return [line for line in cleaned if line]


def _codec(charset: str) -> str:
    """A server's charset as a Python codec name; UTF-8 when Python does not know it."""
    import codecs

    try:
        return codecs.lookup(charset).name
    except LookupError:
        return "utf-8"


def _optional(name: str) -> ModuleType:
    """An optional dependency of the archive command, or a BriefError saying how to install it."""
    import importlib

    try:
        return importlib.import_module(name)
    except ImportError:
        raise BriefError(f"archiving this kind of file needs {name}", hint=EXTRA_HINT) from None


URL_CONTROLS = re.compile(r"[\x00-\x20\x7f-\x9f]")
"""Characters a URL cannot hold as they are: control characters and white space."""


def shown_url(url: str) -> str:
    """`url` fit to quote in a message: no user name or password, control characters escaped."""
    try:
        parts = urlsplit(url)
        if "@" in parts.netloc:
            url = parts._replace(netloc=parts.netloc.rpartition("@")[2]).geturl()
    except ValueError:
        pass
    escaped = URL_CONTROLS.sub(lambda m: m.group() if m.group() == " " else _escape(m), url)
    return escaped if len(escaped) <= 300 else escaped[:300] + "…"


def _escape(match: re.Match[str]) -> str:
    return f"\\x{ord(match.group()):02x}"
