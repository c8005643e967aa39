"""HTML -> PDF with WeasyPrint, reading nothing but the project's own files.

Imported only when a PDF is rendered: WeasyPrint takes most of a second to import.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

import weasyprint

from briefgen.errors import BriefError


class ProjectFetcher(weasyprint.URLFetcher):
    """A URL fetcher that serves `data:` URLs and files inside the allowed folders only.

    Everything else (other files, http, https, ftp) is refused without a request;
    WeasyPrint then leaves the resource out, as it does for a broken link.
    """

    def __init__(self, allowed: list[Path]) -> None:
        super().__init__(allowed_protocols=("file", "data"), allow_redirects=False)
        self.allowed = [folder.resolve() for folder in allowed]
        self.refused: list[str] = []

    def fetch(
        self, url: str, headers: dict[str, str] | None = None
    ) -> weasyprint.urls.URLFetcherResponse:
        scheme = urlsplit(url).scheme.lower()
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme == "file":
            path = Path(unquote(urlsplit(url).path)).resolve()
            if any(path.is_relative_to(folder) for folder in self.allowed) and path.is_file():
                return weasyprint.urls.URLFetcherResponse(url, body=path.read_bytes())
        self.refused.append(url)
        raise ValueError(f"briefgen does not fetch {url!r} (outside the project)")


@dataclass(frozen=True)
class LaidOut:
    """A rendered PDF and its page count."""

    pdf: bytes
    pages: int


def html_to_pdf(
    html: str, *, base_dir: Path, allowed: list[Path], variant: str | None = None
) -> LaidOut:
    """Render `html` to PDF bytes; relative URLs resolve against `base_dir`.

    `variant` is a WeasyPrint PDF profile such as "pdf/ua-1" (tagged) or
    "pdf/a-3u" (archival); None writes a plain, untagged PDF.
    """
    options = {"pdf_variant": variant} if variant else {}
    fetcher = ProjectFetcher(allowed)
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    try:
        document = weasyprint.HTML(
            string=html, base_url=base_dir.resolve().as_uri() + "/", url_fetcher=fetcher
        ).render(**options)
        pdf = document.write_pdf(**options)
    except Exception as exc:
        raise BriefError(f"PDF rendering failed: {type(exc).__name__}: {exc}") from exc
    assert pdf is not None
    return LaidOut(pdf, len(document.pages))
