"""HTML -> PDF with WeasyPrint, reading nothing but the project's own files.

Imported only when a PDF is rendered: WeasyPrint takes most of a second to import.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import weasyprint
from weasyprint.formatting_structure import boxes
from weasyprint.layout.absolute import AbsolutePlaceholder
from weasyprint.text.fonts import FontConfiguration

from briefgen import fonts, footnotes
from briefgen.documents import LaidOut, Task
from briefgen.errors import BriefError
from briefgen.release import resource_text
from briefgen.tagging import tag_footnotes_as_notes
from briefgen.workers import OverBudget

FONT_SCHEME = "briefgen-font"
"""A stylesheet names a bundled font as `url(briefgen-font:charis-sil/CharisSIL-Regular.ttf)`.

A scheme of its own rather than a file URL: the stylesheet then reads the same
on every machine, and a browser, which cannot load it, falls back to the next
source or family.
"""
_FONT_FILES = frozenset({".ttf", ".otf", ".woff", ".woff2"})


def bundled_font(url: str) -> Path | None:
    """The font file in briefgen's fonts folder that a `briefgen-font:` URL names, or None.

    Only font files inside the folder are served: a path climbing out of it
    (`..`, an absolute path, a symbolic link leading elsewhere) names nothing.
    """
    folder = fonts.FOLDER.resolve()
    path = (folder / unquote(urlsplit(url).path)).resolve()
    if path.is_relative_to(folder) and path.suffix.lower() in _FONT_FILES and path.is_file():
        return path
    return None


class ProjectFetcher(weasyprint.URLFetcher):
    """A URL fetcher that serves `data:` URLs and files inside the allowed folders only.

    It also serves briefgen's bundled fonts, read-only, through `briefgen-font:` URLs.

    Everything else (other files, files in a denied folder such as the facts,
    http, https, ftp) is refused without a request; WeasyPrint then leaves the
    resource out, as it does for a broken link. The text of every resource it
    serves (a stylesheet, an SVG image) is kept in `texts`, for the release guard.
    """

    def __init__(
        self,
        allowed: list[Path],
        *,
        denied: list[Path] | None = None,
        protected: frozenset[tuple[int, int]] = frozenset(),
        remote: bool = False,
    ) -> None:
        protocols = ("file", "data", "http", "https") if remote else ("file", "data")
        super().__init__(allowed_protocols=protocols, allow_redirects=False)
        self.allowed = [folder.resolve() for folder in allowed]
        self.denied = [folder.resolve() for folder in denied or []]
        self.protected = protected
        self.remote = remote
        self.refused: list[str] = []
        self.texts: list[str] = []

    def fetch(
        self, url: str, headers: dict[str, str] | None = None
    ) -> weasyprint.urls.URLFetcherResponse:
        scheme = urlsplit(url).scheme.lower()
        if scheme == "data" or (self.remote and scheme in {"http", "https"}):
            response = super().fetch(url, headers)
            return self._served(url, response.read(), response.headers)
        if scheme == "file":
            path = Path(unquote(urlsplit(url).path)).resolve()
            if self._readable(path):
                return self._served(url, path.read_bytes())
        if scheme == FONT_SCHEME and (font := bundled_font(url)) is not None:
            return self._served(url, font.read_bytes())
        self.refused.append(url)
        raise ValueError(f"briefgen does not fetch {url!r} (outside the project)")

    def _readable(self, path: Path) -> bool:
        inside = any(path.is_relative_to(folder) for folder in self.allowed)
        barred = any(path.is_relative_to(folder) for folder in self.denied)
        if not inside or barred or not path.is_file():
            return False
        info = path.stat()
        return (info.st_dev, info.st_ino) not in self.protected

    def _served(
        self, url: str, body: bytes, headers: Any = None
    ) -> weasyprint.urls.URLFetcherResponse:
        text = resource_text(body)  # None for a raster image or a font
        if text is not None:
            self.texts.append(text)
        return weasyprint.urls.URLFetcherResponse(url, body=body, headers=headers)


_fonts: FontConfiguration | None = None


def warm() -> None:
    """Configure fonts now, so that worker processes forked later inherit the set-up."""
    global _fonts
    if _fonts is None:
        _fonts = FontConfiguration()


def lay_out(task: Task) -> LaidOut:
    """Render a task's HTML to PDF bytes; relative URLs resolve against its `base_dir`.

    `variant` is a WeasyPrint PDF profile such as "pdf/ua-1" (tagged) or
    "pdf/a-3u" (archival); None writes a plain, untagged PDF. The font
    configuration is made once per process and reused by every later document.
    Besides the PDF, the result holds every string the PDF shows or carries
    (page text, bookmark labels, metadata), for the release guard.
    """
    warm()
    footnotes.apply()  # footnote layout made linear on tested WeasyPrint versions
    tag_footnotes_as_notes()  # tagged PDFs: footnotes as Note, header cells with their scope
    options = {"pdf_variant": task.variant} if task.variant else {}
    fetcher = ProjectFetcher(
        list(task.allowed), denied=list(task.denied), protected=task.protected, remote=task.remote
    )
    heard = _Heard()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(heard)
    logger.setLevel(logging.WARNING)
    logger.propagate = False
    try:
        document = weasyprint.HTML(
            string=task.html, base_url=task.base_dir.resolve().as_uri() + "/", url_fetcher=fetcher
        ).render(font_config=_fonts, **options)
        _drop_attachments(document)
        pdf = document.write_pdf(**options)
    except OverBudget:
        raise  # out of time: briefgen.workers says so
    except Exception as exc:
        raise BriefError(f"PDF rendering failed: {type(exc).__name__}: {exc}") from exc
    finally:
        logger.removeHandler(heard)
    assert pdf is not None
    return LaidOut(
        pdf,
        len(document.pages),
        text=page_text(document),
        text_as_seen=text_as_seen(document),
        resources=tuple(fetcher.texts),
        bookmarks=tuple(_labels(document.make_bookmark_tree())),
        metadata=metadata_strings(document.metadata),
        warnings=tuple(dict.fromkeys(heard.messages)),
    )


class _Heard(logging.Handler):
    """Collects what WeasyPrint warns about (invalid CSS, a resource it could not load)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = " ".join(record.getMessage().split())
        if not _SCREEN_ONLY.search(message):
            self.messages.append(message)


_SCREEN_ONLY = re.compile(r"media type,? '? ?screen\b|media type ' ?screen\b|got 'screen")
"""WeasyPrint does not read media features: a rule for screens only is rightly skipped in print."""


def _drop_attachments(document: weasyprint.Document) -> None:
    """Embed no file in the PDF, whatever the template asks.

    `<link rel=attachment>` and `<a rel=attachment>` would carry whole project
    files (a fact file with internal material) inside the PDF, past the guard.
    """
    document.metadata.attachments = []
    for page in document.pages:
        page.links = [link for link in page.links if link[0] != "attachment"]


def page_text(document: weasyprint.Document) -> str:
    """All the text laid out on every page of `document`, in page order.

    It includes CSS generated content (`::before`, `content: attr(...)`,
    counters), running elements and strings in the page margins, and
    footnotes. The text of one line is joined as it reads; lines and pages are
    separated by newlines.
    """
    parts: list[str] = []
    for page in document.pages:
        _collect_text(page._page_box, parts)
        parts.append("\n")
    return "".join(parts)


def text_as_seen(document: weasyprint.Document) -> str:
    """The page text in the order a reader sees it: by line position, then left to right.

    A layout that shows words in another order than the source (a reversed
    flex row, absolute positions) cannot hide them from the guard this way.
    """
    lines: list[str] = []
    for page in document.pages:
        pieces: list[tuple[float, float, str]] = []
        _positioned(page._page_box, pieces)
        pieces.sort(key=lambda piece: (round(piece[0]), piece[1]))
        lines += [text for _, _, text in pieces]
        lines.append("\n")
    return " ".join(lines)


def _positioned(box: Any, pieces: list[tuple[float, float, str]]) -> None:
    if isinstance(box, AbsolutePlaceholder):
        box = box._box
    if isinstance(box, boxes.TextBox):
        pieces.append((box.position_y, box.position_x, box.text))
        return
    for child in getattr(box, "children", ()):
        _positioned(child, pieces)


def _collect_text(box: Any, parts: list[str]) -> None:
    if isinstance(box, AbsolutePlaceholder):
        box = box._box
    if isinstance(box, boxes.TextBox):
        parts.append(box.text)
        return
    is_line = isinstance(box, boxes.LineBox)
    if is_line:
        parts.append("\n")
    for child in getattr(box, "children", ()):
        _collect_text(child, parts)
    if is_line:
        parts.append("\n")


def _labels(tree: list[Any]) -> Iterator[str]:
    """Every label of a WeasyPrint bookmark tree (label, target, children, state), flattened."""
    for label, _target, children, _state in tree:
        yield label
        yield from _labels(children)


def metadata_strings(metadata: Any) -> tuple[str, ...]:
    """Every string of a document's metadata that goes into the PDF: title, authors, and the rest.

    Custom `<meta>` names and their values, and the names and descriptions of
    attachments, are included (not the attached files' content).
    """
    strings: list[Any] = [
        metadata.title,
        *metadata.authors,
        metadata.description,
        *metadata.keywords,
        metadata.generator,
        metadata.created,
        metadata.modified,
        metadata.lang,
    ]
    for name, value in (metadata.custom or {}).items():
        strings += [name, value]
    for attachment in metadata.attachments or ():
        strings += [getattr(attachment, key, None) for key in ("name", "description")]
    return tuple(str(value) for value in strings if value)
