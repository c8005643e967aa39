"""A source's text from a URL or a file, one paragraph per line, for the archive.

An HTML page is reduced to its article text by trafilatura (navigation, footers
and comments left out), a PDF gives its text through pypdf, and a text file is
taken as it is. trafilatura and pypdf come with the optional extra
`briefgen[archive]` and are imported only when needed.

`fetch` is the one place briefgen itself goes to the network: only for an
http or https URL a user gave, with a time limit, a size cap and redirects
only to http or https.
"""

from __future__ import annotations

import http.client
import io
import re
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from http.client import HTTPMessage
from pathlib import Path
from types import ModuleType
from typing import IO, Literal
from urllib.parse import urlsplit

from briefgen import __version__
from briefgen.confine import read_regular
from briefgen.errors import BriefError, Where

Kind = Literal["html", "pdf", "text"]

MAX_INPUT_BYTES = 20 * 1024 * 1024
"""The largest page, PDF or text file read or fetched."""
TIMEOUT_SECONDS = 30.0
"""How long a fetch may take in all, and how long the server may stay silent."""
MAX_REDIRECTS = 5
USER_AGENT = f"briefgen/{__version__} (source archiving; one request per command)"
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
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_PARAGRAPH_END = re.compile(r"[.!?:;)\]\"'”’»]$")


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
        return BriefError(f"{self.origin}: {what}", hint=hint)


def is_url(given: str) -> bool:
    """True for anything with a scheme (`https:`, `ftp:`, `file:`); a path has none."""
    return bool(_SCHEME.match(given)) and not re.match(r"^[A-Za-z]:[\\/]", given)


def fetch(url: str, *, timeout: float = TIMEOUT_SECONDS, limit: int = MAX_INPUT_BYTES) -> Material:
    """GET an http or https URL: at most `limit` bytes, within `timeout` seconds in all."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise BriefError(
            f"cannot fetch {url!r}: only http and https URLs are fetched",
            hint="download it yourself and pass the file",
        )
    request = urllib.request.Request(
        url,
        headers={
            "User-Agent": USER_AGENT,
            "Accept": "text/html, application/xhtml+xml, application/pdf, text/plain;q=0.9",
        },
    )
    deadline = time.monotonic() + timeout
    try:
        with _opener().open(request, timeout=timeout) as response:
            _refuse_announced_size(url, response.headers.get("Content-Length"), limit)
            data = _read_capped(response, url, limit, deadline, timeout)
            content_type = response.headers.get_content_type()
            charset = response.headers.get_content_charset()
    except urllib.error.HTTPError as exc:
        exc.close()
        raise BriefError(
            f"cannot fetch {url}: the server answered {exc.code} {exc.reason}",
            hint="check the URL, or download the page yourself and pass the file",
        ) from None
    except urllib.error.URLError as exc:
        raise BriefError(f"cannot fetch {url}: {_reason(exc.reason)}") from None
    except TimeoutError:
        raise _too_slow(url, timeout) from None
    except (OSError, http.client.HTTPException) as exc:
        raise BriefError(f"cannot fetch {url}: {_reason(exc)}") from None
    return Material(data, _kind_of_type(url, content_type, data), url, charset)


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


def _opener() -> urllib.request.OpenerDirector:
    """An opener for http and https only: no file:, ftp: or data: URLs, not even by redirect."""
    opener = urllib.request.OpenerDirector()
    handlers: list[urllib.request.BaseHandler] = [
        urllib.request.ProxyHandler(),
        urllib.request.HTTPHandler(),
        urllib.request.HTTPSHandler(),
        _Redirects(),
        urllib.request.HTTPDefaultErrorHandler(),
        urllib.request.HTTPErrorProcessor(),
    ]
    for handler in handlers:
        opener.add_handler(handler)
    return opener


class _Redirects(urllib.request.HTTPRedirectHandler):
    """Follows a few redirects, and only to http or https."""

    max_redirections = MAX_REDIRECTS

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: HTTPMessage,
        newurl: str,
    ) -> urllib.request.Request | None:
        if urlsplit(newurl).scheme.lower() not in ("http", "https"):
            raise BriefError(
                f"cannot fetch {req.full_url}: it redirects to {newurl!r}, not an http(s) URL"
            )
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _refuse_announced_size(url: str, length: str | None, limit: int) -> None:
    if length is not None and length.strip().isdigit() and int(length) > limit:
        raise _too_large(url, limit)


def _read_capped(
    response: http.client.HTTPResponse, url: str, limit: int, deadline: float, timeout: float
) -> bytes:
    """The body, read in pieces: refused past `limit` bytes or past the deadline.

    `read1` returns what has arrived, so a server that trickles bytes slowly
    is caught at the deadline rather than waited on.
    """
    chunks: list[bytes] = []
    size = 0
    while chunk := response.read1(64 * 1024):
        size += len(chunk)
        if size > limit:
            raise _too_large(url, limit)
        if time.monotonic() > deadline:
            raise _too_slow(url, timeout)
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large(what: str, limit: int) -> BriefError:
    return BriefError(
        f"cannot archive {what}: it is larger than {size_text(limit)}",
        hint="archive a smaller file, such as the article's text alone",
    )


def size_text(size: int) -> str:
    """'20 MiB', or '1,000 bytes' for less than a MiB."""
    return f"{size // (1024 * 1024)} MiB" if size >= 1024 * 1024 else f"{size:,} bytes"


def _too_slow(url: str, timeout: float) -> BriefError:
    return BriefError(
        f"cannot fetch {url}: no complete answer within {timeout:g} s",
        hint="try again later, or download the page yourself and pass the file",
    )


def _reason(reason: object) -> str:
    if isinstance(reason, TimeoutError):
        return "the server did not answer in time"
    text = getattr(reason, "strerror", None) or str(reason) or type(reason).__name__
    return text[:1].lower() + text[1:]


def _kind_of_type(url: str, content_type: str, data: bytes) -> Kind:
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
    url = material.origin if is_url(material.origin) else None
    extracted = trafilatura.extract(
        page, url=url, output_format="txt", include_comments=False, with_metadata=False
    )
    lines = _cleaned((extracted or "").splitlines())
    if not lines:
        raise material.refused("no article text found in the page", _SAVE_TEXT_HINT)
    return lines


def _pdf_paragraphs(material: Material) -> list[str]:
    pypdf = _optional("pypdf")
    try:
        reader = pypdf.PdfReader(io.BytesIO(material.data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise material.refused("is an encrypted PDF", "save an unprotected copy")
        pages = [page.extract_text() or "" for page in reader.pages]
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


def _joined_paragraphs(pages: list[str]) -> list[str]:
    """A PDF's lines joined into paragraphs, as far as its layout shows where they end.

    A blank line ends a paragraph; so does a line that ends a sentence and falls
    short of the page's full line length. A hyphen at a line's end joins the
    next line without a space.
    """
    paragraphs: list[str] = []
    current = ""
    for page in pages:
        lines = [" ".join(line.split()) for line in page.splitlines()]
        full = max((len(line) for line in lines), default=0)
        for line in lines:
            if not line:
                current = _flush(paragraphs, current)
                continue
            joiner = "" if not current or current.endswith("-") else " "
            current += joiner + line
            if _PARAGRAPH_END.search(line) and len(line) < 0.85 * full:
                current = _flush(paragraphs, current)
    _flush(paragraphs, current)
    return _cleaned(paragraphs)


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
