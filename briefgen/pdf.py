"""HTML -> PDF with WeasyPrint, reading nothing but the project's own files.

Imported only when a PDF is rendered: WeasyPrint takes most of a second to import.
"""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import unquote, urlsplit

import weasyprint
from weasyprint.text.fonts import FontConfiguration

from briefgen.errors import BriefError
from briefgen.layout import LaidOut, Task


class ProjectFetcher(weasyprint.URLFetcher):
    """A URL fetcher that serves `data:` URLs and files inside the allowed folders only.

    Everything else (other files, http, https, ftp) is refused without a request;
    WeasyPrint then leaves the resource out, as it does for a broken link.
    """

    def __init__(self, allowed: list[Path], *, remote: bool = False) -> None:
        protocols = ("file", "data", "http", "https") if remote else ("file", "data")
        super().__init__(allowed_protocols=protocols, allow_redirects=False)
        self.allowed = [folder.resolve() for folder in allowed]
        self.remote = remote
        self.refused: list[str] = []

    def fetch(
        self, url: str, headers: dict[str, str] | None = None
    ) -> weasyprint.urls.URLFetcherResponse:
        scheme = urlsplit(url).scheme.lower()
        if scheme == "data" or (self.remote and scheme in {"http", "https"}):
            return super().fetch(url, headers)
        if scheme == "file":
            path = Path(unquote(urlsplit(url).path)).resolve()
            if any(path.is_relative_to(folder) for folder in self.allowed) and path.is_file():
                return weasyprint.urls.URLFetcherResponse(url, body=path.read_bytes())
        self.refused.append(url)
        raise ValueError(f"briefgen does not fetch {url!r} (outside the project)")


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
    """
    warm()
    options = {"pdf_variant": task.variant} if task.variant else {}
    fetcher = ProjectFetcher(list(task.allowed), remote=task.remote)
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    try:
        document = weasyprint.HTML(
            string=task.html, base_url=task.base_dir.resolve().as_uri() + "/", url_fetcher=fetcher
        ).render(font_config=_fonts, **options)
        pdf = document.write_pdf(**options)
    except Exception as exc:
        raise BriefError(f"PDF rendering failed: {type(exc).__name__}: {exc}") from exc
    assert pdf is not None
    return LaidOut(pdf, len(document.pages))
