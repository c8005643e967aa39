"""Fetching a source's page, PDF or text from the URL a user gave, for the archive.

`fetch` is the one place briefgen itself goes to the network: only for an
http or https URL a user gave (never one holding a user name or password),
with a size cap, redirects only to http or https, and one time limit for the
whole fetch: connecting, headers, redirects and body. The request runs in a
daemon thread that is abandoned when the time is up, so no server can hold the
command longer by trickling headers or answering redirects slowly.
"""

from __future__ import annotations

import http.client
import re
import socket
import ssl
import threading
import time
import urllib.error
import urllib.request
from http.client import HTTPMessage
from typing import IO
from urllib.parse import SplitResult, urljoin, urlsplit

from briefgen import __version__
from briefgen.errors import BriefError
from briefgen.tools.extract import (
    MAX_INPUT_BYTES,
    URL_CONTROLS,
    Material,
    kind_of_type,
    shown_url,
    too_large,
)

TIMEOUT_SECONDS = 30.0
"""How long a fetch may take in all, and how long the server may stay silent."""
MAX_REDIRECTS = 5
USER_AGENT = f"briefgen/{__version__} (source archiving; one request per command)"
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def is_url(given: str) -> bool:
    """True for anything with a scheme (`https:`, `ftp:`, `file:`); a path has none."""
    return bool(_SCHEME.match(given)) and not re.match(r"^[A-Za-z]:[\\/]", given)


def fetch(url: str, *, timeout: float = TIMEOUT_SECONDS, limit: int = MAX_INPUT_BYTES) -> Material:
    """GET an http or https URL: at most `limit` bytes, within `timeout` seconds in all.

    The URL is checked before any request. The fetch runs in a daemon thread,
    waited for at most `timeout` seconds and then abandoned.
    """
    _check_url(url)
    outcome: list[Material | BaseException] = []

    def run() -> None:
        try:
            outcome.append(_fetch(url, timeout, limit))
        except BaseException as exc:  # handed to the waiting thread, raised there
            outcome.append(exc)

    worker = threading.Thread(target=run, name="briefgen-fetch", daemon=True)
    worker.start()
    worker.join(timeout)
    if not outcome:
        raise _too_slow(url, timeout)
    result = outcome[0]
    if isinstance(result, BaseException):
        raise result
    return result


def _check_url(url: str) -> SplitResult:
    """The URL's parts if it is one briefgen fetches; else a BriefError in plain words."""
    if URL_CONTROLS.search(url):
        raise BriefError(
            f"cannot fetch {shown_url(url)}: a URL cannot hold spaces or control characters",
            hint="write a space as %20, or download the page yourself and pass the file",
        )
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - reading it checks the port
    except ValueError:
        raise BriefError(
            f"cannot fetch {shown_url(url)}: it is not a valid URL",
            hint="check the URL: http://host/path or https://host/path",
        ) from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise BriefError(
            f"cannot fetch {shown_url(url)!r}: only http and https URLs are fetched",
            hint="download it yourself and pass the file",
        )
    if parts.username is not None or parts.password is not None:
        raise BriefError(
            f"cannot fetch {shown_url(url)}: a URL with a user name or password is not fetched",
            hint="download the page yourself and pass the file",
        )
    return parts


def _fetch(url: str, timeout: float, limit: int) -> Material:
    """The GET itself, with each socket operation limited to `timeout` seconds."""
    request = urllib.request.Request(
        url,
        headers={
            "User-Agent": USER_AGENT,
            "Accept": "text/html, application/xhtml+xml, application/pdf, text/plain;q=0.9",
        },
    )
    deadline = time.monotonic() + timeout
    shown = shown_url(url)
    try:
        with _opener().open(request, timeout=timeout) as response:
            _refuse_announced_size(shown, response.headers.get("Content-Length"), limit)
            data = _read_capped(response, shown, limit, deadline, timeout)
            content_type = response.headers.get_content_type()
            charset = response.headers.get_content_charset()
    except urllib.error.HTTPError as exc:
        exc.close()
        if 300 <= exc.code < 400:
            raise BriefError(
                f"cannot fetch {shown}: it redirects more than {MAX_REDIRECTS} times, or in a loop",
                hint="open it in a browser, save the page and pass the file",
            ) from None
        raise BriefError(
            f"cannot fetch {shown}: the server answered {exc.code} {_one_line(str(exc.reason))}",
            hint="check the URL, or download the page yourself and pass the file",
        ) from None
    except urllib.error.URLError as exc:
        raise BriefError(f"cannot fetch {shown}: {_reason(exc.reason)}") from None
    except TimeoutError:
        raise _too_slow(url, timeout) from None
    except (OSError, http.client.HTTPException) as exc:
        raise BriefError(f"cannot fetch {shown}: {_reason(exc)}") from None
    return Material(data, kind_of_type(shown, content_type, data), url, charset)


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

    def http_error_302(
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: HTTPMessage,
    ) -> IO[bytes] | None:
        """Refuse a redirect to another scheme in briefgen's words, before urllib's own check."""
        location = headers.get("location") or headers.get("uri")
        if location is not None:
            try:
                _check_redirect(req.full_url, urljoin(req.full_url, location))
            except BriefError:
                fp.close()
                raise
        return super().http_error_302(req, fp, code, msg, headers)

    http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302


def _check_redirect(url: str, newurl: str) -> None:
    try:
        scheme = urlsplit(newurl).scheme.lower()
    except ValueError:
        scheme = ""
    if scheme not in ("http", "https"):
        raise BriefError(
            f"cannot fetch {shown_url(url)}: it redirects to {shown_url(newurl)!r}, "
            "not an http(s) URL",
            hint="download it yourself and pass the file",
        )


def _refuse_announced_size(url: str, length: str | None, limit: int) -> None:
    if length is not None and length.strip().isdigit() and int(length) > limit:
        raise too_large(url, limit)


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
            raise too_large(url, limit)
        if time.monotonic() > deadline:
            raise _too_slow(url, timeout)
        chunks.append(chunk)
    return b"".join(chunks)


def _too_slow(url: str, timeout: float) -> BriefError:
    return BriefError(
        f"cannot fetch {shown_url(url)}: no complete answer within {timeout:g} s",
        hint="try again later, or download the page yourself and pass the file",
    )


def _reason(reason: object) -> str:
    """Why a fetch failed, in plain words, one line."""
    if isinstance(reason, TimeoutError):
        return "the server did not answer in time"
    if isinstance(reason, ssl.SSLCertVerificationError):
        return "the server's certificate could not be verified"
    if isinstance(reason, ssl.SSLError):
        return "no secure (https) connection could be made: is it a plain http server?"
    if isinstance(reason, socket.gaierror):
        return "no such host"
    if isinstance(reason, http.client.RemoteDisconnected):
        return "the server closed the connection without an answer"
    if isinstance(reason, http.client.HTTPException):
        return "the server's answer is not valid HTTP"
    text = getattr(reason, "strerror", None) or type(reason).__name__
    return _one_line(text[:1].lower() + text[1:])


def _one_line(text: str) -> str:
    return " ".join(URL_CONTROLS.sub(" ", text).split())
