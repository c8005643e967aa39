"""Live preview: serve a brief's HTML and PDFs locally and reload the page on every change.

The HTML of every audience is rebuilt first after a change, and each open page
reloads itself through a server-sent-events stream; the PDFs follow in a
child process, into `out/.preview/`, and the page says when they are ready.
A failed build replaces nothing: the pages show its error lines in an overlay
until the next good build.

The server answers only the names it knows (the index, each audience's HTML and
PDF, the event stream and the live-reload script): no part of a URL ever
becomes a path. A small script tag is added to the HTML as it is served; the
file on disk stays exactly what `build` wrote.
"""

from __future__ import annotations

import html
import json
import os
import queue
import re
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

from briefgen.audience import audiences
from briefgen.errors import BriefError
from briefgen.load import load_config
from briefgen.model import Config, Folders
from briefgen.pipeline import AudienceBuilt, Built, build
from briefgen.plan import output_names
from briefgen.tools.watch import Round

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
EVENTS = "/__briefgen/events"
SCRIPT = "/__briefgen/live.js"
PDF_FOLDER = ".preview"
"""Where, inside the output folder, the preview lays out its PDFs."""
KEEPALIVE_SECONDS = 15.0
LIVE_JS = (Path(__file__).with_name("preview_live.js")).read_text(encoding="utf-8")


@dataclass(frozen=True)
class PdfRound:
    """One background PDF build: how long it took, or the error lines that stopped it."""

    seconds: float
    error_lines: list[str] | None = None


@dataclass(frozen=True)
class Page:
    """One audience's outputs as the preview serves them."""

    audience: str
    html: str
    pdf: str


@dataclass(frozen=True)
class Reply:
    """What the server sends for one request."""

    status: int
    content_type: str = "text/plain; charset=utf-8"
    body: bytes = b""


@dataclass
class Site:
    """What the server may serve: the current pages, their state and the standing error."""

    out_dir: Path
    title: str = ""
    pages: list[Page] = field(default_factory=list)
    generation: int = 0
    """Counts the good builds; a page built before the current one reloads."""
    error_lines: list[str] | None = None
    pdf_state: str = "building"
    """`building`, `ready` or `failed`."""
    pdf_lines: list[str] = field(default_factory=list)

    @property
    def pdf_dir(self) -> Path:
        return self.out_dir / PDF_FOLDER

    def reply(self, raw_path: str) -> Reply:
        """The reply to a GET of `raw_path`: only exact, known names; 404 for anything else."""
        path = urlsplit(raw_path).path
        if path == "/":
            return Reply(HTTPStatus.OK, "text/html; charset=utf-8", self.index().encode())
        if path == SCRIPT:
            return Reply(HTTPStatus.OK, "text/javascript; charset=utf-8", LIVE_JS.encode())
        for page in self.pages:
            if path == "/" + quote(page.html):
                return self._html(page)
            if path == "/" + quote(page.pdf):
                return _file(self.pdf_dir / page.pdf, "application/pdf")
        return Reply(HTTPStatus.NOT_FOUND, body=b"not found\n")

    def _html(self, page: Page) -> Reply:
        try:
            text = (self.out_dir / page.html).read_text(encoding="utf-8")
        except OSError:
            return Reply(HTTPStatus.NOT_FOUND, body=b"not built yet\n")
        served = with_live_reload(text, self.generation, page.pdf)
        return Reply(HTTPStatus.OK, "text/html; charset=utf-8", served.encode("utf-8"))

    def index(self) -> str:
        """The index page: each audience with its HTML page, its PDF and the PDF's state."""
        rows = "\n".join(
            f"<li><strong>{html.escape(page.audience)}</strong>: "
            f'<a href="/{html.escape(quote(page.html))}">{html.escape(page.html)}</a> · '
            f'<a href="/{html.escape(quote(page.pdf))}">{html.escape(page.pdf)}</a> '
            f'<span class="pdf-state">(PDF {self.pdf_state})</span></li>'
            for page in self.pages
        )
        failed = "".join(f"<li>{html.escape(line)}</li>" for line in self.pdf_lines)
        title = html.escape(self.title or "briefgen preview")
        return (
            '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f"<title>{title} · preview</title>"
            f'<script src="{SCRIPT}" defer data-generation="{self.generation}" '
            'data-page="index"></script>'
            "<style>body{font:16px/1.5 system-ui,sans-serif;margin:2rem auto;max-width:48rem}"
            "</style></head>\n"
            f'<body><h1>{title}</h1>\n<ul class="audiences">\n{rows}\n</ul>\n'
            + (f'<ul class="pdf-errors">{failed}</ul>' if failed else "")
            + "</body></html>\n"
        )

    def hello(self, since: str) -> list[bytes]:
        """The events a client that just connected needs: the standing error, or a reload."""
        if self.error_lines is not None:
            return [sse("error", json.dumps({"lines": self.error_lines}))]
        if since != str(self.generation):
            return [sse("reload", json.dumps({"generation": self.generation, "pages": None}))]
        return []


def _file(path: Path, content_type: str) -> Reply:
    try:
        return Reply(HTTPStatus.OK, content_type, path.read_bytes())
    except OSError:
        return Reply(HTTPStatus.NOT_FOUND, body=b"not built yet\n")


def sse(event: str, data: str) -> bytes:
    """One server-sent event: its name and each line of `data` on its own `data:` line."""
    lines = data.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return (f"event: {event}\n" + "".join(f"data: {line}\n" for line in lines) + "\n").encode()


_HEAD_END = re.compile(r"</head\s*>", re.IGNORECASE)
_CSP_META = re.compile(
    r"""<meta\s[^>]*http-equiv\s*=\s*["']?content-security-policy["']?[^>]*>""", re.IGNORECASE
)
_CONTENT = re.compile(r"""(content\s*=\s*)(["'])(.*?)\2""", re.IGNORECASE | re.DOTALL)


def with_live_reload(page: str, generation: int, pdf: str) -> str:
    """`page` with the live-reload script added and any CSP meta opened to it."""
    tag = (
        f'<script src="{SCRIPT}" defer data-generation="{generation}" '
        f'data-pdf="/{html.escape(quote(pdf))}"></script>'
    )
    page = _CSP_META.sub(lambda m: _allow_self(m.group(0)), page)
    found = _HEAD_END.search(page)
    if found is None:
        return tag + page
    return page[: found.start()] + tag + page[found.start() :]


def _allow_self(meta: str) -> str:
    """A CSP meta whose script-src and connect-src also allow this server ('self')."""

    def adjust(match: re.Match[str]) -> str:
        directives = [d.strip() for d in html.unescape(match.group(3)).split(";") if d.strip()]
        named = {d.split()[0].lower(): i for i, d in enumerate(directives)}
        default = directives[named["default-src"]].split()[1:] if "default-src" in named else None
        for name in ("script-src", "connect-src"):
            if name in named:
                directives[named[name]] += " 'self'"
            elif default is not None:
                directives.append(" ".join([name, *default, "'self'"]))
        content = html.escape("; ".join(directives), quote=True)
        return f"{match.group(1)}{match.group(2)}{content}{match.group(2)}"

    return _CONTENT.sub(adjust, meta, count=1)


class Preview:
    """The preview server and its builds; use as a context manager, then `rebuild` on changes."""

    def __init__(
        self,
        config_path: Path,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        out_dir: Path | None = None,
        allow_outside: bool = False,
        on_pdf: Callable[[PdfRound], None] = lambda _: None,
    ) -> None:
        config = load_config(config_path)
        self.config_path = config_path
        self.allow_outside = allow_outside
        self.on_pdf = on_pdf
        output = out_dir if out_dir is not None else Folders.of(config, config_path.parent).output
        self.site = Site(output, config.title)
        self.site.pages = _pages_of(config)
        self._lock = threading.Lock()
        self._clients: list[queue.Queue[bytes | None]] = []
        self._pdf_wanted = 0
        self._pdf_done = 0
        self._pdf_wake = threading.Condition()
        self._pdf_process: subprocess.Popen[str] | None = None
        self._viewers: Counter[str] = Counter()
        self._stopping = threading.Event()
        try:
            self._server = _Server((host, port), _Handler)
        except (OSError, OverflowError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            raise BriefError(
                f"cannot serve on {host}:{port}: {reason[:1].lower()}{reason[1:]}",
                hint="choose another --port, or leave it out for a free one",
            ) from None
        self._server.preview = self
        self._threads = [
            threading.Thread(target=self._server.serve_forever, name="preview-server", daemon=True),
            threading.Thread(target=self._pdf_loop, name="preview-pdf", daemon=True),
        ]

    @property
    def url(self) -> str:
        address = self._server.server_address
        return f"http://{address[0]!s}:{address[1]}/"

    def __enter__(self) -> Preview:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()

    def stop(self) -> None:
        """Stop serving, end every event stream and the PDF thread."""
        self._stopping.set()
        with self._pdf_wake:
            if self._pdf_process is not None and self._pdf_process.poll() is None:
                self._pdf_process.terminate()
            self._pdf_wake.notify_all()
        with self._lock:
            for client in self._clients:
                client.put(None)
        if self._threads[0].is_alive():
            self._server.shutdown()
        self._server.server_close()
        for thread in self._threads:
            if thread.is_alive():
                thread.join(timeout=2)

    def run(self, changes: Iterable[object], report: Callable[[Round], None]) -> None:
        """Build once, then once after every batch of `changes`, reporting each round."""
        report(self.rebuild())
        for _ in changes:
            report(self.rebuild())

    def rebuild(self) -> Round:
        """Rebuild the HTML, tell the pages, and ask for new PDFs.

        The audiences whose pages are open are built first and their pages told
        at once; the others follow. A failed build replaces nothing and puts
        its error lines over every page.
        """
        start = time.perf_counter()
        first = self._viewed_audiences()
        done: list[AudienceBuilt] = []
        built: Built | None = None
        try:
            everyone = len(first) == len(self.site.pages)
            for wanted in [first, ()] if first and not everyone else [()]:
                built = self._build_html(wanted)
                done = [*done, *(a for a in built.audiences if not a.skipped)]
        except BriefError as exc:
            lines = [str(problem) for problem in exc.problems]
            with self._lock:
                self.site.error_lines = lines
            self._publish(sse("error", json.dumps({"lines": lines})))
            return Round(time.perf_counter() - start, error=exc)
        assert built is not None
        rebuilt = {a.name: a for a in done}
        shown = [rebuilt.get(a.name, a) for a in built.audiences]
        if rebuilt or self._pdf_wanted == 0:  # and once at the start, for out/.preview/
            self._want_pdf()
        return Round(time.perf_counter() - start, built=replace(built, audiences=shown))

    def _build_html(self, audience_names: Sequence[str]) -> Built:
        """Build the HTML of `audience_names` (all when empty), then reload their open pages."""
        built = build(
            self.config_path,
            audiences=audience_names,
            everything=not audience_names,
            formats=["html"],
            out_dir=self.site.out_dir,
            allow_outside=self.allow_outside,
        )
        rebuilt = [a.name for a in built.audiences if not a.skipped]
        with self._lock:
            site = self.site
            site.title = built.brief.config.title
            site.pages = _pages_of(built.brief.config)
            everyone = site.error_lines is not None or site.generation == 0
            site.error_lines = None
            if not (rebuilt or everyone):
                return built
            site.generation += 1
            pages = None if everyone else [p.html for p in site.pages if p.audience in rebuilt]
            event = sse("reload", json.dumps({"generation": site.generation, "pages": pages}))
        self._publish(event)
        return built

    def _viewed_audiences(self) -> list[str]:
        with self._lock:
            return [p.audience for p in self.site.pages if self._viewers[p.html] > 0]

    def subscribe(self, since: str, page: str) -> queue.Queue[bytes | None]:
        """A new client's queue of events, starting with what it must know at once.

        `page` is the HTML file name the client shows: open pages are rebuilt first.
        """
        client: queue.Queue[bytes | None] = queue.Queue()
        with self._lock:
            for event in self.site.hello(since):
                client.put(event)
            self._clients.append(client)
            self._viewers[page] += 1
        return client

    def unsubscribe(self, client: queue.Queue[bytes | None], page: str) -> None:
        with self._lock:
            if client in self._clients:
                self._clients.remove(client)
                self._viewers[page] -= 1

    def reply(self, raw_path: str) -> Reply:
        with self._lock:
            return self.site.reply(raw_path)

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    def _publish(self, event: bytes) -> None:
        with self._lock:
            for client in self._clients:
                client.put(event)

    def _want_pdf(self) -> None:
        """Ask for the PDFs of the latest build, stopping a PDF build that is now out of date."""
        with self._pdf_wake:
            self._pdf_wanted += 1
            if self._pdf_process is not None and self._pdf_process.poll() is None:
                self._pdf_process.terminate()
            with self._lock:
                self.site.pdf_state = "building"
            self._pdf_wake.notify_all()

    def _pdf_loop(self) -> None:
        """Lay out the PDFs of the latest good build, one build at a time.

        Each PDF build is a `briefgen build` in a child process, stopped when a
        newer change comes in, so it neither writes over a newer PDF nor holds
        the processor the next HTML build needs. It uses all CPUs but one.
        """
        while True:
            with self._pdf_wake:
                while self._pdf_wanted == self._pdf_done and not self.stopping:
                    self._pdf_wake.wait()
                if self.stopping:
                    return
                wanted = self._pdf_wanted
                self._pdf_process = subprocess.Popen(
                    self._pdf_command(),
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.PIPE,
                    text=True,
                    encoding="utf-8",
                    errors="replace",
                )
                process = self._pdf_process
            start = time.perf_counter()
            _, errors = process.communicate()
            with self._pdf_wake:
                self._pdf_process = None
                self._pdf_done = wanted
                if wanted != self._pdf_wanted or self.stopping:
                    continue  # overtaken by a newer change: its build comes next
            failed = process.returncode != 0
            lines = [line.removeprefix("error: ") for line in errors.splitlines()]
            lines = [line for line in lines if line] if failed else []
            with self._lock:
                self.site.pdf_state = "failed" if failed else "ready"
                self.site.pdf_lines = lines
            self._publish(sse("pdf", json.dumps({"state": self.site.pdf_state, "lines": lines})))
            self.on_pdf(PdfRound(time.perf_counter() - start, lines if failed else None))

    def _pdf_command(self) -> list[str]:
        jobs = max(1, (os.cpu_count() or 1) - 1)
        command = [sys.executable, "-m", "briefgen", "build", "--all", "--format", "pdf"]
        command += ["--jobs", str(jobs), "--config", str(self.config_path)]
        command += ["--out", str(self.site.pdf_dir)]
        return command + (["--allow-outside"] if self.allow_outside else [])


def _pages_of(config: Config) -> list[Page]:
    """Each audience's HTML and PDF file names."""
    return [
        Page(audience.name, *output_names(audience, ["html", "pdf"]))
        for audience in audiences(config)
    ]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    preview: Preview


class _Handler(BaseHTTPRequestHandler):
    """GET and HEAD only; every other method gets 501 from the base class."""

    server: _Server
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self._answer(with_body=True)

    def do_HEAD(self) -> None:
        self._answer(with_body=False)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the CLI reports builds, not requests."""

    def _answer(self, *, with_body: bool) -> None:
        preview = self.server.preview
        if not self._host_allowed():
            self._send(Reply(HTTPStatus.FORBIDDEN, body=b"wrong host\n"), with_body)
            return
        split = urlsplit(self.path)
        if split.path == EVENTS and with_body:
            query = parse_qs(split.query)
            self._stream(preview, query.get("since", [""])[0], query.get("page", [""])[0])
            return
        self._send(preview.reply(self.path), with_body)

    def _host_allowed(self) -> bool:
        """On a loopback address, only requests for a local host name (against DNS rebinding)."""
        bound = str(self.server.server_address[0])
        if bound not in LOCAL_HOSTS:
            return True
        host = urlsplit("//" + (self.headers.get("Host") or "")).hostname or ""
        return host in LOCAL_HOSTS

    def _send(self, reply: Reply, with_body: bool) -> None:
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if with_body:
            self.wfile.write(reply.body)

    def _stream(self, preview: Preview, since: str, page: str) -> None:
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        client = preview.subscribe(since, page)
        try:
            self.wfile.write(b"retry: 500\n\n")
            while not preview.stopping:
                try:
                    event = client.get(timeout=KEEPALIVE_SECONDS)
                except queue.Empty:
                    event = b": keep-alive\n\n"
                if event is None:
                    return
                self.wfile.write(event)
                self.wfile.flush()
        except OSError:
            return  # the page went away
        finally:
            preview.unsubscribe(client, page)
