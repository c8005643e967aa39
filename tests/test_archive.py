"""`briefgen sources archive`: a source's text into the archive, its sha256 into sources.yaml.

Fixtures are written by each test: a brief of three sources, pages, PDFs and
text files. URLs are served by a local http.server in a thread; nothing here
goes to any other host.
"""

from __future__ import annotations

import hashlib
import re
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from typer.testing import CliRunner

from briefgen.cli import app
from briefgen.dates import When
from briefgen.errors import BriefError
from briefgen.load import load_brief
from briefgen.model import Archived
from briefgen.tools.archive import plan_archive, with_archived, write_archive
from briefgen.tools.extract import EXTRA_HINT, Material, read_file, text_of
from briefgen.tools.fetch import fetch
from briefgen.tools.scaffold import init
from briefgen.tools.verify import verify_quotes
from briefgen.yamlread import decode_yaml
from tests.hostile import run_briefgen

SOURCES = """\
# Sources of the harbour brief.
# Comments here must survive every edit.

- id: harbour-2026-gazette   # the local paper
  type: article-newspaper
  title: The Harbour Reopens
  issued: 2026-03-02
  note: >-
    Printed and online.
  reliability: C

- id: port-2025-report
  type: report
  title: Port Traffic in Winter
  issued: 2025
  archived:
    sha256: cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd
    retrieved: 2025-12-01   # from the port's site
    origin: https://port.example/report.pdf
  reliability: B

# The last one has no comment of its own.
- id: ice-2024-bulletin
  title: Ice Bulletin
"""

TOPIC = """\
id: harbour
title: The harbour
facts:
  - id: reopened
    text: The harbour reopened after four months under ice.
    citations:
      - source: harbour-2026-gazette
        locator: para. 2
        quote: "reopened on Monday after four months under ice"
"""

PARAGRAPHS = [
    "The harbour reopens after the winter",
    "The northern harbour reopened on Monday after four months under ice, "
    "the port authority said in a statement.",
    "Ships queued outside the breakwater from early morning, and the first of them, "
    "a grain carrier, docked shortly after nine.",
]

PAGE = f"""<!doctype html>
<html><head><meta charset="utf-8"><title>Harbour News</title></head><body>
<nav><ul><li><a href="/">Home page</a></li><li><a href="/weather">Weather desk</a></li>
<li><a href="/subscribe">Subscribe to our newsletter</a></li></ul></nav>
<main><article><h1>{PARAGRAPHS[0]}</h1>
<p>{PARAGRAPHS[1]}</p>
<p>{PARAGRAPHS[2]}</p>
</article></main>
<footer><p>Copyright 2026 Harbour News Media. All rights reserved. Cookie settings.</p></footer>
</body></html>
"""

BOILERPLATE = ("Home page", "Weather desk", "Subscribe", "Copyright", "Cookie")


@pytest.fixture
def brief(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A brief with three sources and one cited quote, worked on from inside its folder."""
    root = tmp_path / "harbour"
    (root / "facts").mkdir(parents=True)
    (root / "briefgen.yaml").write_text("title: Harbour\n", encoding="utf-8")
    (root / "facts" / "sources.yaml").write_text(SOURCES, encoding="utf-8")
    (root / "facts" / "harbour.yaml").write_text(TOPIC, encoding="utf-8")
    monkeypatch.chdir(root)
    monkeypatch.setenv("no_proxy", "*")  # the local server, never a proxy
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    return root


def runner() -> CliRunner:
    return CliRunner(env={"COLUMNS": "200", "NO_COLOR": "1"})


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def tiny_pdf(lines: list[str]) -> bytes:
    """A one-page PDF showing `lines` in Helvetica, one line of text each."""
    shown = " ".join(f"({line}) Tj T*" for line in lines)
    stream = f"BT /F1 11 Tf 14 TL 72 720 Td {shown} ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    pdf = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(pdf))
        pdf += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(pdf)
    pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    pdf += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    pdf += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return pdf


# --- input kinds -------------------------------------------------------------------------


def test_an_html_page_keeps_its_article_and_drops_the_boilerplate():
    text = text_of(Material(PAGE.encode(), "html", "page.html"))
    assert text.splitlines() == PARAGRAPHS
    assert text.endswith("\n")
    assert not any(word in text for word in BOILERPLATE)


def test_a_page_without_article_text_is_refused(tmp_path):
    (tmp_path / "empty.html").write_text("<html><body><div></div></body></html>\n")
    with pytest.raises(BriefError, match="no article text found in the page") as caught:
        text_of(read_file(tmp_path / "empty.html"))
    assert caught.value.where is not None and caught.value.where.file == tmp_path / "empty.html"


def test_a_pdf_gives_one_paragraph_per_line(tmp_path):
    lines = [
        "The northern harbour reopened on Monday after four months under",
        "ice, the port authority said in a statement issued that morning",
        "from its offices.",
        "Ships queued outside the breakwater from early morning, and the",
        "first of them docked shortly after nine.",
    ]
    (tmp_path / "report.pdf").write_bytes(tiny_pdf(lines))
    assert text_of(read_file(tmp_path / "report.pdf")).splitlines() == [
        " ".join(lines[:3]),
        " ".join(lines[3:]),
    ]


def test_a_pdf_without_text_and_a_damaged_pdf_are_refused(tmp_path):
    (tmp_path / "scan.pdf").write_bytes(tiny_pdf([]))
    with pytest.raises(BriefError, match=r"no text found in the PDF \(a scanned PDF has none\)"):
        text_of(read_file(tmp_path / "scan.pdf"))
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.4\nnot really\n")
    with pytest.raises(BriefError, match="cannot be read as a PDF"):
        text_of(read_file(tmp_path / "broken.pdf"))


def test_a_text_file_is_taken_as_it_is(tmp_path):
    data = "First paragraph, with “quotes”.\n\nSecond paragraph.\n".encode()
    (tmp_path / "copy.txt").write_bytes(data)
    assert text_of(read_file(tmp_path / "copy.txt")).encode() == data
    (tmp_path / "unended.md").write_bytes(b"One line")
    assert text_of(read_file(tmp_path / "unended.md")) == "One line\n"


def test_binary_and_undecodable_text_files_are_refused(tmp_path):
    (tmp_path / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(BriefError, match="is a binary file, not text"):
        text_of(read_file(tmp_path / "image.txt"))
    (tmp_path / "latin.txt").write_bytes("line one\ncaf\xe9\n".encode("latin-1"))
    with pytest.raises(BriefError, match="is not UTF-8 text") as caught:
        text_of(read_file(tmp_path / "latin.txt"))
    assert caught.value.where is not None and caught.value.where.line == 2


def test_a_file_of_unknown_suffix_is_sniffed(tmp_path):
    (tmp_path / "download").write_bytes(PAGE.encode())
    assert read_file(tmp_path / "download").kind == "html"
    (tmp_path / "paper").write_bytes(tiny_pdf(["A line."]))
    assert read_file(tmp_path / "paper").kind == "pdf"


def test_an_oversized_file_is_refused(tmp_path):
    (tmp_path / "big.txt").write_bytes(b"x" * 2048)
    with pytest.raises(BriefError, match="larger than"):
        read_file(tmp_path / "big.txt", limit=1024)


def test_a_missing_extra_names_the_install_command(monkeypatch):
    monkeypatch.setitem(sys.modules, "trafilatura", None)  # import fails as if not installed
    with pytest.raises(BriefError, match="needs trafilatura") as caught:
        text_of(Material(PAGE.encode(), "html", "page.html"))
    assert caught.value.hint == EXTRA_HINT
    assert 'pip install "briefgen[archive]"' in EXTRA_HINT


# --- the sources.yaml edit ---------------------------------------------------------------


def edited(record: Archived, index: int, text: str = SOURCES) -> str:
    raw = text.encode()
    return with_archived(raw, decode_yaml(raw, Path("sources.yaml")), index, record).decode()


DIGEST = "ab" * 32


def test_a_new_archived_block_goes_at_the_record_end_and_nothing_else_changes():
    after = edited(Archived(sha256=DIGEST, retrieved=When.parse("2026-11-29")), 0)
    block = f"  archived:\n    sha256: {DIGEST}\n    retrieved: 2026-11-29\n"
    assert after == SOURCES.replace("  reliability: C\n", "  reliability: C\n" + block)


def test_an_existing_archived_block_is_replaced_in_place():
    after = edited(Archived(sha256=DIGEST, origin="report.pdf"), 1)
    old = (
        "  archived:\n"
        "    sha256: cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd\n"
        "    retrieved: 2025-12-01   # from the port's site\n"
        "    origin: https://port.example/report.pdf\n"
    )
    new = f"  archived:\n    sha256: {DIGEST}\n    origin: report.pdf\n"
    assert after == SOURCES.replace(old, new)


def test_the_last_record_gets_its_block_and_a_file_without_final_newline_too():
    after = edited(Archived(sha256=DIGEST), 2, SOURCES.rstrip("\n"))
    assert after == SOURCES + f"  archived:\n    sha256: {DIGEST}\n"


def test_line_endings_and_awkward_values_are_kept_right():
    crlf = SOURCES.replace("\n", "\r\n")
    after = edited(Archived(sha256="1" * 64, origin="notes: 'draft' #2.txt"), 2, crlf)
    assert after.startswith(crlf)
    assert after[len(crlf) :] == (
        f"  archived:\r\n    sha256: \"{'1' * 64}\"\r\n    origin: 'notes: ''draft'' #2.txt'\r\n"
    )


def test_a_record_written_on_one_line_is_refused():
    flow = "- {id: one, title: One}\n"
    with pytest.raises(BriefError, match=r"written as \{\.\.\.\} on one line") as caught:
        edited(Archived(sha256=DIGEST), 0, flow)
    assert DIGEST in str(caught.value.hint)


# --- the command ---------------------------------------------------------------------------


def test_archiving_a_text_file_writes_the_copy_and_the_record(brief, tmp_path):
    data = "\n".join(PARAGRAPHS).encode() + b"\n"
    (tmp_path / "saved.txt").write_bytes(data)
    result = runner().invoke(
        app,
        ["sources", "archive", "harbour-2026-gazette", str(tmp_path / "saved.txt")],
        env={"SOURCE_DATE_EPOCH": "1795953600"},  # 2026-11-29
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "wrote sources/harbour-2026-gazette.txt\n"
        f"recorded sha256 {sha256(data)[:12]}… of harbour-2026-gazette in facts/sources.yaml\n"
    )
    assert (brief / "sources" / "harbour-2026-gazette.txt").read_bytes() == data
    block = (
        f"  archived:\n    sha256: {sha256(data)}\n    retrieved: 2026-11-29\n"
        "    origin: saved.txt\n"
    )
    assert (brief / "facts" / "sources.yaml").read_text() == SOURCES.replace(
        "  reliability: C\n", "  reliability: C\n" + block
    )
    verified = verify_quotes(load_brief(brief / "briefgen.yaml"))
    assert (verified.misses, verified.changed, verified.unrecorded) == ([], [], [])


def test_the_archived_copy_itself_records_only_its_digest(brief):
    copy = brief / "sources" / "ice-2024-bulletin.txt"
    copy.parent.mkdir()
    copy.write_bytes(b"Ice closes the harbour.\n")
    result = runner().invoke(app, ["sources", "archive", "ice-2024-bulletin", str(copy)])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == "sources/ice-2024-bulletin.txt unchanged"
    digest = sha256(copy.read_bytes())
    assert (brief / "facts" / "sources.yaml").read_text() == (
        SOURCES + f"  archived:\n    sha256: {digest}\n"
    )
    again = runner().invoke(
        app, ["sources", "archive", "ice-2024-bulletin", "sources/ice-2024-bulletin.txt"]
    )
    assert again.stdout.splitlines()[-1].startswith("facts/sources.yaml unchanged: sha256 ")
    dated = runner().invoke(
        app, ["sources", "archive", "ice-2024-bulletin", str(copy), "--retrieved", "2024-02-03"]
    )
    assert dated.exit_code == 0, dated.output
    assert (brief / "facts" / "sources.yaml").read_text().endswith("    retrieved: 2024-02-03\n")


def test_a_copy_in_an_archive_outside_the_project_is_recorded_never_written(brief, tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "harbour-2026-gazette.txt").write_text("\n".join(PARAGRAPHS) + "\n")
    (brief / "briefgen.yaml").write_text("title: Harbour\narchive: ../shared\n")
    recorded = runner().invoke(
        app, ["sources", "archive", "harbour-2026-gazette", "../shared/harbour-2026-gazette.txt"]
    )
    assert recorded.exit_code == 0, recorded.output
    assert "retrieved" not in (brief / "facts" / "sources.yaml").read_text().split("- id")[1]
    (tmp_path / "new.txt").write_text("Another text.\n")
    refused = runner().invoke(
        app, ["sources", "archive", "port-2025-report", str(tmp_path / "new.txt")]
    )
    assert refused.exit_code == 1
    assert refused.stderr.startswith(
        "error: briefgen.yaml:2:10: the archive folder '../shared' lies outside the project, "
        "so 'sources archive' will not write port-2025-report.txt there"
    )
    assert not (shared / "port-2025-report.txt").exists()


def test_an_archive_outside_the_project_is_refused_before_any_request(brief, idle_server):
    (brief / "briefgen.yaml").write_text("title: Harbour\narchive: ../elsewhere\n")
    result = runner().invoke(
        app, ["sources", "archive", "port-2025-report", f"{idle_server}/report.txt"]
    )
    assert result.exit_code == 1
    assert "lies outside the project" in result.stderr  # and idle_server saw no request


def test_an_unknown_id_is_a_usage_error_with_a_suggestion(brief, tmp_path):
    (tmp_path / "t.txt").write_text("Text.\n")
    result = runner().invoke(
        app, ["sources", "archive", "harbour-2026-gazete", str(tmp_path / "t.txt")]
    )
    assert result.exit_code == 2
    assert (
        "Invalid value for 'ID': unknown source 'harbour-2026-gazete'; "
        "did you mean 'harbour-2026-gazette'?"
    ) in result.stderr
    assert not (brief / "sources").exists()


def test_replacing_a_different_copy_needs_force(brief, tmp_path):
    copy = brief / "sources" / "port-2025-report.txt"
    copy.parent.mkdir()
    copy.write_text("The old text.\n")
    (tmp_path / "new.txt").write_text("The new text.\n")
    args = ["sources", "archive", "port-2025-report", str(tmp_path / "new.txt")]
    refused = runner().invoke(app, args)
    assert refused.exit_code == 1
    assert refused.stderr == (
        "error: sources/port-2025-report.txt: an archived copy with a different text is already "
        "here (pass --force to replace it; quotes verified against the old text may then miss)\n"
    )
    assert copy.read_text() == "The old text.\n"
    assert (brief / "facts" / "sources.yaml").read_text() == SOURCES
    forced = runner().invoke(app, [*args, "--force"])
    assert forced.exit_code == 0, forced.output
    assert forced.stdout.startswith("replaced sources/port-2025-report.txt\n")
    assert copy.read_text() == "The new text.\n"


def test_only_http_and_https_urls_are_fetched(brief):
    for url in ("ftp://example.org/a.txt", "file:///etc/passwd", "data:text/plain,hello"):
        result = runner().invoke(app, ["sources", "archive", "port-2025-report", url])
        assert result.exit_code == 1
        assert result.stderr == (
            f"error: cannot fetch {url!r}: only http and https URLs are fetched "
            "(download it yourself and pass the file)\n"
        )
    assert not (brief / "sources").exists()


def test_the_sources_file_changed_meanwhile_is_not_overwritten(brief, tmp_path):
    (tmp_path / "t.txt").write_text("Text.\n")
    plan = plan_archive(Path("briefgen.yaml"), "ice-2024-bulletin", str(tmp_path / "t.txt"))
    (brief / "facts" / "sources.yaml").write_text(SOURCES + "# edited meanwhile\n")
    with pytest.raises(BriefError, match="changed since the archive command read it"):
        write_archive(plan)
    assert not (brief / "sources").exists()


# --- URLs, from a local server ---------------------------------------------------------------


@contextmanager
def serving(routes: dict[str, tuple[int, dict[str, str], bytes]]) -> Iterator[str]:
    """A server on 127.0.0.1 answering GET `path` with (status, headers, body) from `routes`."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            status, headers, body = routes.get(self.path, (404, {}, b"not here"))
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            if "Content-Length" not in headers:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    with server_of(Handler) as base:
        yield base


@contextmanager
def server_of(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """`handler` serving on 127.0.0.1 in a thread; yields the base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True  # a handler still trickling to an abandoned fetch is not waited on
    server.block_on_close = False
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


HTML = {"Content-Type": "text/html; charset=utf-8"}


def test_a_url_is_fetched_reduced_to_its_article_and_recorded(brief):
    routes = {"/news/harbour": (200, HTML, PAGE.encode())}
    with serving(routes) as base:
        url = f"{base}/news/harbour"
        result = runner().invoke(
            app,
            ["sources", "archive", "harbour-2026-gazette", url, "--retrieved", "2026-03-02"],
        )
    assert result.exit_code == 0, result.output
    text = (brief / "sources" / "harbour-2026-gazette.txt").read_bytes()
    assert text.decode().splitlines() == PARAGRAPHS
    sources = (brief / "facts" / "sources.yaml").read_text()
    assert (
        f"  archived:\n    sha256: {sha256(text)}\n    retrieved: 2026-03-02\n    origin: {url}\n"
    ) in sources
    assert verify_quotes(load_brief(brief / "briefgen.yaml")).misses == []


def test_a_fetched_text_is_decoded_by_its_charset_and_a_pdf_by_its_type(brief):
    lines = ["A report line that ends here."]
    routes = {
        "/plain": (
            200,
            {"Content-Type": "text/plain; charset=iso-8859-1"},
            "Café.\n".encode("latin-1"),
        ),
        "/paper": (200, {"Content-Type": "application/pdf"}, tiny_pdf(lines)),
    }
    with serving(routes) as base:
        plain = fetch(f"{base}/plain")
        paper = fetch(f"{base}/paper")
    assert (plain.kind, text_of(plain)) == ("text", "Café.\n")
    assert (paper.kind, text_of(paper)) == ("pdf", "A report line that ends here.\n")


def test_the_user_agent_names_briefgen_and_its_version(monkeypatch):
    monkeypatch.setenv("no_proxy", "*")
    agents: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            agents.append(self.headers.get("User-Agent", ""))
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", "3")
            self.end_headers()
            self.wfile.write(b"ok\n")

        def log_message(self, *args: object) -> None:
            pass

    with server_of(Handler) as base:
        fetch(f"{base}/")
    from briefgen import __version__

    assert agents and agents[0].startswith(f"briefgen/{__version__} ")


def test_fetch_refusals(monkeypatch):
    monkeypatch.setenv("no_proxy", "*")
    routes = {
        "/big": (200, {"Content-Type": "text/plain"}, b"x" * 5000),
        "/image": (200, {"Content-Type": "image/png"}, b"\x89PNG"),
        "/to-file": (302, {"Location": "file:///etc/passwd"}, b""),
        "/to-ftp": (302, {"Location": "ftp://127.0.0.1/x.txt"}, b""),
    }
    with serving(routes) as base:
        with pytest.raises(BriefError, match="is larger than 1,000 bytes"):
            fetch(f"{base}/big", limit=1000)
        with pytest.raises(BriefError, match="the server sends 'image/png'"):
            fetch(f"{base}/image")
        with pytest.raises(
            BriefError, match=re.escape("redirects to 'file:///etc/passwd', not an http")
        ):
            fetch(f"{base}/to-file")
        with pytest.raises(
            BriefError, match=re.escape("redirects to 'ftp://127.0.0.1/x.txt', not an http")
        ):
            fetch(f"{base}/to-ftp")
        with pytest.raises(BriefError, match="the server answered 404 Not Found"):
            fetch(f"{base}/nowhere")


def test_a_body_past_the_cap_is_refused_even_without_a_length(monkeypatch):
    monkeypatch.setenv("no_proxy", "*")

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"  # the body ends when the connection closes

        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write(b"y" * 300_000)

        def log_message(self, *args: object) -> None:
            pass

    with server_of(Handler) as base, pytest.raises(BriefError, match="larger than"):
        fetch(f"{base}/", limit=100_000)


def test_a_server_trickling_bytes_is_cut_off_at_the_time_limit(monkeypatch):
    monkeypatch.setenv("no_proxy", "*")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", "1000")
            self.end_headers()
            try:
                for _ in range(1000):
                    self.wfile.write(b"x")
                    self.wfile.flush()
                    time.sleep(0.1)
            except OSError:
                pass  # the client gave up, as it should

        def log_message(self, *args: object) -> None:
            pass

    started = time.monotonic()
    with server_of(Handler) as base:
        with pytest.raises(BriefError, match="no complete answer within 1 s"):
            fetch(f"{base}/", timeout=1)
        assert time.monotonic() - started < 5


# --- the scaffold and the CSTO brief -------------------------------------------------------------


def test_a_new_brief_verifies_its_quotes_out_of_the_box(tmp_path, monkeypatch):
    init(tmp_path / "new", requirement="briefgen==0.1.0")
    monkeypatch.chdir(tmp_path / "new")
    result = runner().invoke(app, ["verify-quotes", "--strict"])
    assert result.exit_code == 0, result.output
    assert result.stdout == "1 of 1 quote found in sources\n"
    assert result.stderr == ""


@pytest.mark.slow
def test_a_changed_archive_fails_verify_quotes_in_the_real_cli(brief):
    copy = brief / "sources" / "harbour-2026-gazette.txt"
    copy.parent.mkdir()
    copy.write_text("\n".join(PARAGRAPHS) + "\n")
    unrecorded = run_briefgen(["verify-quotes"], brief)
    assert (unrecorded.returncode, unrecorded.stderr) == (
        0,
        "warning: facts/sources.yaml:4:3: archived copy sources/harbour-2026-gazette.txt of "
        "'harbour-2026-gazette' has no recorded sha256 (record it with 'briefgen sources "
        "archive harbour-2026-gazette sources/harbour-2026-gazette.txt')\n",
    )
    assert run_briefgen(["verify-quotes", "--strict"], brief).returncode == 1
    recorded = run_briefgen(["sources", "archive", "harbour-2026-gazette", str(copy)], brief)
    assert recorded.returncode == 0, recorded.stderr
    assert run_briefgen(["verify-quotes", "--strict"], brief).returncode == 0
    copy.write_text("\n".join(PARAGRAPHS) + "\nA line added later.\n")
    changed = run_briefgen(["verify-quotes"], brief)
    assert changed.returncode == 1
    assert "Traceback" not in changed.stderr
    digest = sha256(copy.read_bytes())[:12]
    assert (
        "error: facts/sources.yaml:12:13: archived copy sources/harbour-2026-gazette.txt of "
        "'harbour-2026-gazette' has changed: sha256 recorded "
    ) in changed.stderr
    assert f"the file has {digest}…" in changed.stderr
    assert changed.stdout == "1 of 1 quote found in sources\n"


def test_a_misspelt_field_of_the_archived_record_names_the_one_meant(brief: Path) -> None:
    sources = brief / "facts" / "sources.yaml"
    sources.write_text(SOURCES.replace("    sha256: cdcd", "    sha265: cdcd"), encoding="utf-8")
    with pytest.raises(BriefError) as caught:
        load_brief(brief / "briefgen.yaml")
    assert "did you mean 'sha256'?" in str(caught.value)
    assert "sources.yaml:17:5: unknown field 'sha265'" in str(caught.value)


# --- review fixes: YAML quoting, empty pages, time limit, atomicity, messages, dates ----------


@pytest.mark.parametrize("name", ["09", "1e3", "yes", "2026-01-02"])
def test_an_origin_yaml_would_read_as_another_value_is_quoted(brief, tmp_path, name):
    (tmp_path / name).write_text("Text.\n")
    result = runner().invoke(app, ["sources", "archive", "ice-2024-bulletin", str(tmp_path / name)])
    assert result.exit_code == 0, result.output
    assert f'    origin: "{name}"\n' in (brief / "facts" / "sources.yaml").read_text()
    sources = load_brief(brief / "briefgen.yaml").sources
    archived = next(source.archived for source in sources if source.id == "ice-2024-bulletin")
    assert archived is not None and archived.origin == name


COOKIE_PAGE = (
    "<html><body><div id=cookie>We use cookies. Accept all cookies to continue reading this "
    "website today.</div><ul><li><a href=/a>Politics</a></li><li><a href=/b>Sport</a></li>"
    "</ul></body></html>"
)
MENU_PAGE = "<html><body><nav><a href=/>Home</a></nav><footer>Copyright 2026</footer></body></html>"


@pytest.mark.parametrize("page", [COOKIE_PAGE, MENU_PAGE])
def test_a_page_of_banners_and_menus_is_not_an_article(brief, tmp_path, page):
    (tmp_path / "page.html").write_text(page)
    result = runner().invoke(
        app, ["sources", "archive", "ice-2024-bulletin", str(tmp_path / "page.html")]
    )
    assert result.exit_code == 1
    assert result.stderr.endswith(
        "page.html: no article text found in the page (less than 2 paragraphs and 40 words) "
        "(save the article's text as a .txt file and archive that file)\n"
    )
    assert not (brief / "sources").exists()


def trickling(delay: float, count: int) -> type[BaseHTTPRequestHandler]:
    """A handler sending `count` header lines, one every `delay` seconds, then a small text."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            try:
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", "3")
                self.flush_headers()
                for number in range(count):
                    time.sleep(delay)
                    self.wfile.write(f"X-Slow-{number}: yes\r\n".encode())
                    self.wfile.flush()
                self.end_headers()
                self.wfile.write(b"ok\n")
            except OSError:
                pass

        def log_message(self, *args: object) -> None:
            pass

    return Handler


def test_headers_trickled_line_by_line_are_cut_off_at_the_time_limit(monkeypatch):
    monkeypatch.setenv("no_proxy", "*")
    with server_of(trickling(0.2, 30)) as base:
        started = time.monotonic()
        with pytest.raises(BriefError, match="no complete answer within 1 s"):
            fetch(f"{base}/", timeout=1)
        assert time.monotonic() - started < 1.5


def test_slow_redirects_count_against_one_time_limit(monkeypatch):
    monkeypatch.setenv("no_proxy", "*")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            time.sleep(0.4)
            step = int(self.path.strip("/") or 0)
            try:
                self.send_response(302 if step < 4 else 200)
                self.send_header("Location", f"/{step + 1}")
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", "3")
                self.end_headers()
                self.wfile.write(b"ok\n")
            except OSError:
                pass

        def log_message(self, *args: object) -> None:
            pass

    with server_of(Handler) as base:
        started = time.monotonic()
        with pytest.raises(BriefError, match="no complete answer within 1 s"):
            fetch(f"{base}/", timeout=1)  # each answer within 1 s, all five in 2 s
        assert time.monotonic() - started < 1.5


def test_a_second_archive_command_waits_for_no_one_and_writes_nothing(brief, tmp_path):
    from briefgen.tools.archive import archive_lock

    (tmp_path / "t.txt").write_text("Text.\n")
    with archive_lock(Path("briefgen.yaml")):
        result = runner().invoke(
            app, ["sources", "archive", "ice-2024-bulletin", str(tmp_path / "t.txt")]
        )
    assert result.exit_code == 1
    assert result.stderr == (
        "error: facts: another briefgen command is editing this brief's sources "
        "(wait for it to finish, then run this one again)\n"
    )
    assert not (brief / "sources").exists()
    assert (brief / "facts" / "sources.yaml").read_text() == SOURCES
    assert not (brief / "facts" / ".briefgen.lock").exists()


@pytest.mark.parametrize("existing", [None, "The old text.\n"])
def test_a_refused_record_write_puts_the_copy_back(brief, tmp_path, monkeypatch, existing):
    import briefgen.tools.archive as archive

    copy = brief / "sources" / "port-2025-report.txt"
    if existing is not None:
        copy.parent.mkdir()
        copy.write_text(existing)
    (tmp_path / "new.txt").write_text("The new text.\n")
    plan = plan_archive(
        Path("briefgen.yaml"), "port-2025-report", str(tmp_path / "new.txt"), force=True
    )
    real = archive.write_outputs

    def failing(folder: Path, files: dict[str, bytes]) -> list[Path]:
        if "sources.yaml" in files:
            raise BriefError("cannot write output: No space left on device")
        return real(folder, files)

    monkeypatch.setattr(archive, "write_outputs", failing)
    with pytest.raises(BriefError, match="No space left"):
        write_archive(plan)
    assert (copy.read_text() if copy.exists() else None) == existing
    assert (brief / "facts" / "sources.yaml").read_text() == SOURCES


def test_a_one_line_record_is_refused_with_the_full_record_to_add(brief, tmp_path):
    (brief / "facts" / "sources.yaml").write_text("- {id: t, title: x}\n")
    (tmp_path / "saved.txt").write_text("Text.\n")
    result = runner().invoke(
        app,
        ["sources", "archive", "t", str(tmp_path / "saved.txt"), "--retrieved", "2026-01-02"],
    )
    assert result.exit_code == 1
    digest = sha256(b"Text.\n")
    assert result.stderr == (
        "error: facts/sources.yaml: cannot add the archived record to sources.yaml: record 1 is "
        "written as {...} on one line (the archived copy was not written either: write the "
        "record one field a line and run the command again, or add this to the record by "
        f"hand: archived: {{sha256: {digest}, retrieved: 2026-01-02, origin: saved.txt}})\n"
    )
    assert not (brief / "sources").exists()


KEEP = """\
- id: kept
  title: Kept
  note: |+
    line one


- id: other
  title: Other
"""


def test_a_keep_chomped_note_keeps_its_blank_lines():
    after = edited(Archived(sha256=DIGEST), 0, KEEP)
    data = decode_yaml(after.encode(), Path("sources.yaml")).data
    assert data[0]["note"] == "line one\n\n\n"
    assert after == KEEP.replace("- id: other", f"  archived:\n    sha256: {DIGEST}\n- id: other")
    last = edited(Archived(sha256=DIGEST), 0, KEEP.split("- id: other")[0])
    assert decode_yaml(last.encode(), Path("sources.yaml")).data[0]["note"] == "line one\n\n\n"


def test_an_edit_changing_any_other_value_is_refused(monkeypatch):
    import briefgen.tools.archive as archive

    monkeypatch.setattr(archive, "_ends_keep_chomped", lambda *args: False)  # the old placement
    with pytest.raises(BriefError, match="would not read back as it should"):
        edited(Archived(sha256=DIGEST), 0, KEEP)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://[::1", "cannot fetch http://[::1: it is not a valid URL"),
        ("http://x/a b", "cannot fetch http://x/a b: a URL cannot hold spaces or control"),
        ("http://x/\r\nX: y", "cannot fetch http://x/\\x0d\\x0aX: y: a URL cannot hold spaces"),
        (
            "http://user:secret@127.0.0.1:9/x",
            "cannot fetch http://127.0.0.1:9/x: a URL with a user name or password is not fetched",
        ),
    ],
)
def test_bad_urls_are_refused_in_plain_words_before_any_request(brief, url, message):
    result = runner().invoke(app, ["sources", "archive", "port-2025-report", url])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: {message}")
    assert result.stderr.count("\n") == 1
    assert "secret" not in result.stderr


def test_https_to_a_plain_port_redirect_loops_and_odd_schemes_read_plainly(brief):
    routes = {
        "/loop": (302, {"Location": "/loop"}, b""),
        "/to-data": (302, {"Location": "data:text/plain,hi"}, b""),
    }
    with serving(routes) as base:
        secure = base.replace("http://", "https://")
        cases = {
            f"{secure}/": f"cannot fetch {secure}/: no secure (https) connection could be made",
            f"{base}/loop": f"cannot fetch {base}/loop: it redirects more than 5 times",
            f"{base}/to-data": f"cannot fetch {base}/to-data: it redirects to 'data:text/plain,hi'",
        }
        for url, message in cases.items():
            result = runner().invoke(app, ["sources", "archive", "port-2025-report", url])
            assert result.exit_code == 1
            assert result.stderr.startswith(f"error: {message}")
            assert result.stderr.count("\n") == 1


def test_an_empty_file_argument_is_a_usage_error(brief):
    result = runner().invoke(app, ["sources", "archive", "port-2025-report", ""])
    assert result.exit_code == 2
    assert "Invalid value for 'FILE|URL': give a file or an http(s) URL" in result.stderr


def test_a_copy_linking_outside_and_an_archive_that_is_a_file_are_named(brief, tmp_path):
    (tmp_path / "outside.txt").write_text("Old.\n")
    (tmp_path / "new.txt").write_text("New.\n")
    (brief / "sources").mkdir()
    (brief / "sources" / "port-2025-report.txt").symlink_to(tmp_path / "outside.txt")
    args = ["sources", "archive", "port-2025-report", str(tmp_path / "new.txt"), "--force"]
    linked = runner().invoke(app, args)
    assert linked.exit_code == 1
    assert linked.stderr.startswith(
        "error: sources/port-2025-report.txt: the archived copy sources/port-2025-report.txt is "
        "a link to a file outside the project, so 'sources archive' will not write through it"
    )
    assert (tmp_path / "outside.txt").read_text() == "Old.\n"
    (brief / "requirements.txt").write_text("briefgen\n")
    (brief / "briefgen.yaml").write_text("title: Harbour\narchive: requirements.txt\n")
    filed = runner().invoke(app, args)
    assert filed.exit_code == 1
    assert filed.stderr.startswith(
        "error: briefgen.yaml:2:10: the archive folder 'requirements.txt' is a file, not a folder"
    )


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("2026", "'2026' is not a full date: write YYYY-MM-DD"),
        ("2099-01-01", "'2099-01-01' is after today"),
        ("2026-02-30", "impossible date '2026-02-30'"),
    ],
)
def test_retrieved_must_be_a_full_date_not_in_the_future(brief, tmp_path, given, message):
    (tmp_path / "t.txt").write_text("Text.\n")
    result = runner().invoke(
        app,
        ["sources", "archive", "ice-2024-bulletin", str(tmp_path / "t.txt"), "--retrieved", given],
    )
    assert result.exit_code == 2
    assert message in result.stderr
    assert not (brief / "sources").exists()


@pytest.mark.slow
def test_a_weasyprint_pdf_gives_its_heading_paragraphs_and_list_items_apart():
    import weasyprint

    paragraphs = [
        "The northern harbour reopened on Monday after four months under ice, the port "
        "authority said in a statement issued that morning from its offices by the water",
        "Ships queued outside the breakwater from early morning, and the first of them, a "
        "grain carrier from the south, docked shortly after nine o'clock.",
        "Pilots said the channel was clear but warned of <b>drifting floes</b> in the outer "
        "approaches for another week at least.",
    ]
    page = (
        '<body style="font: 11pt sans-serif"><h1>The harbour reopens</h1>'
        + "".join(f"<p>{paragraph}</p>" for paragraph in paragraphs)
        + "<ul><li>Grain carriers first</li><li>Ferries from Tuesday</li></ul>"
        + "<ol><li>Pilots on board</li></ol></body>"
    )
    pdf = weasyprint.HTML(string=page).write_pdf()
    assert text_of(Material(pdf, "pdf", "harbour.pdf")).splitlines() == [
        "The harbour reopens",
        *(paragraph.replace("<b>", "").replace("</b>", "") for paragraph in paragraphs),
        "• Grain carriers first",
        "• Ferries from Tuesday",
        "1. Pilots on board",
    ]


def test_a_one_paragraph_copy_is_counted_in_the_singular(brief):
    (brief / "sources").mkdir()
    (brief / "sources" / "harbour-2026-gazette.txt").write_text("Only one paragraph.\n")
    misses = verify_quotes(load_brief(brief / "briefgen.yaml")).misses
    assert [miss.reason for miss in misses] == [
        "para. 2 is past the end of harbour-2026-gazette (1 paragraph)"
    ]
