"""`briefgen preview`: what the server answers, and the live loop in a real browser.

The fast tests drive the routing (`Site.reply`), the event framing and the
served HTML directly, and a real server with no build behind it. The slow test
runs `briefgen preview` as a subprocess on a copy of the minimal brief and
drives Debian's Chromium through Playwright: edit a fact, break a date, fix it.
"""

from __future__ import annotations

import http.client
import json
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

from briefgen.tools.preview import (
    EVENTS,
    PDF_FOLDER,
    SCRIPT,
    Page,
    Preview,
    Site,
    sse,
    with_live_reload,
)
from tests.conftest import FIXTURES, edit

PAGE = "<!DOCTYPE html><html><head><title>t</title></head><body><p>Four states.</p></body></html>"


@pytest.fixture
def site(tmp_path: Path) -> Site:
    """A site with one audience built: its HTML in out/, its PDF in out/.preview/."""
    out = tmp_path / "out"
    (out / PDF_FOLDER).mkdir(parents=True)
    (out / "brief-public.html").write_text(PAGE, encoding="utf-8")
    (out / PDF_FOLDER / "brief-public.pdf").write_bytes(b"%PDF-1.7 test")
    (out / "manifest.json").write_text("{}", encoding="utf-8")
    (tmp_path / "briefgen.yaml").write_text("title: secret config\n", encoding="utf-8")
    pages = [
        Page("public", "brief-public.html", "brief-public.pdf"),
        Page("analyst", "brief-analyst.html", "brief-analyst.pdf"),
    ]
    return Site(out, "The <Widget> Brief", pages, generation=3)


def test_index_lists_every_audience_with_its_pages(site: Site) -> None:
    reply = site.reply("/")
    body = reply.body.decode()
    assert reply.status == 200
    assert reply.content_type.startswith("text/html")
    assert "<h1>The &lt;Widget&gt; Brief</h1>" in body
    for name in ("brief-public.html", "brief-public.pdf", "brief-analyst.html"):
        assert f'href="/{name}"' in body
    assert body.count("(PDF building)") == 2


def test_html_is_served_with_the_live_script_and_left_alone_on_disk(site: Site) -> None:
    reply = site.reply("/brief-public.html?x=1")
    body = reply.body.decode()
    assert reply.status == 200
    assert f'<script src="{SCRIPT}" defer data-generation="3" data-pdf="/brief-public.pdf">' in body
    assert body.index(SCRIPT) < body.index("</head>")
    assert "<p>Four states.</p>" in body
    assert (site.out_dir / "brief-public.html").read_text(encoding="utf-8") == PAGE


def test_pdf_and_script_are_served(site: Site) -> None:
    pdf = site.reply("/brief-public.pdf")
    assert (pdf.status, pdf.content_type, pdf.body) == (200, "application/pdf", b"%PDF-1.7 test")
    script = site.reply(SCRIPT)
    assert script.content_type.startswith("text/javascript")
    assert b"new EventSource" in script.body


def test_a_page_not_built_yet_is_404(site: Site) -> None:
    assert site.reply("/brief-analyst.html").status == 404
    assert site.reply("/brief-analyst.pdf").status == 404


@pytest.mark.parametrize(
    "path",
    [
        "/manifest.json",
        "/briefgen.yaml",
        "/../briefgen.yaml",
        "/%2e%2e/briefgen.yaml",
        "/..%2fbriefgen.yaml",
        "//etc/passwd",
        "/etc/passwd",
        f"/{PDF_FOLDER}/brief-public.pdf",
        "/out/brief-public.html",
        "/brief-public.html/",
        "/brief%2Dpublic.html",
        "/BRIEF-PUBLIC.HTML",
        "/./brief-public.html",
        "/brief-public.html%00",
        "/__briefgen/",
        "",
    ],
)
def test_only_known_names_are_served(site: Site, path: str) -> None:
    reply = site.reply(path)
    assert reply.status == 404
    assert b"secret" not in reply.body


def test_events_are_framed_one_data_line_per_line() -> None:
    assert sse("reload", '{"generation": 4}') == b'event: reload\ndata: {"generation": 4}\n\n'
    assert sse("error", "a\nb\r\nc\rd") == b"event: error\ndata: a\ndata: b\ndata: c\ndata: d\n\n"


def test_a_client_that_connects_gets_the_standing_error_or_a_reload(site: Site) -> None:
    assert site.hello("3") == []
    assert site.hello("2") == [sse("reload", '{"generation": 3, "pages": null}')]
    site.error_lines = ["facts/treaty.yaml:8:11: '30/02/2022' is not a date"]
    event = site.hello("3")[0].decode()
    assert event.startswith("event: error\ndata: ")
    payload = json.loads(event.split("data: ", 1)[1])
    assert payload == {"lines": ["facts/treaty.yaml:8:11: '30/02/2022' is not a date"]}


def test_a_content_security_policy_is_opened_to_the_live_script_only_when_served() -> None:
    page = (
        '<html><head><meta http-equiv="Content-Security-Policy" '
        "content=\"default-src 'none'; style-src 'self'; script-src 'none'\">"
        "</head><body></body></html>"
    )
    served = with_live_reload(page, 1, "b.pdf")
    policy = re.search(r'content="([^"]*)"', served)
    assert policy is not None
    directives = [d.strip() for d in policy.group(1).replace("&#x27;", "'").split(";")]
    assert "script-src 'none' 'self'" in directives
    assert "connect-src 'none' 'self'" in directives
    assert "style-src 'self'" in directives


def test_a_page_without_a_head_still_gets_the_script() -> None:
    assert with_live_reload("<p>x</p>", 2, "b.pdf").startswith(f'<script src="{SCRIPT}"')


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Preview]:
    """A real preview server on a free port, with nothing built (no build, no PDF thread work)."""
    shutil.copytree(FIXTURES / "minimal", tmp_path / "brief")
    with Preview(tmp_path / "brief" / "briefgen.yaml") as preview:
        yield preview


def _connect(preview: Preview) -> http.client.HTTPConnection:
    return http.client.HTTPConnection(preview.url.removeprefix("http://").rstrip("/"), timeout=5)


def _request(
    preview: Preview, method: str, path: str, host: str | None = None
) -> tuple[int, dict[str, str], bytes]:
    """Status, headers and body of one request, on a connection closed after it."""
    connection = _connect(preview)
    try:
        connection.request(method, path, headers={"Host": host} if host else {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def test_server_answers_get_and_head_and_refuses_other_methods(server: Preview) -> None:
    assert server.url.startswith("http://127.0.0.1:")
    status, headers, body = _request(server, "GET", "/")
    assert status == 200 and b"widget-brief.html" in body
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert _request(server, "HEAD", "/")[::2] == (200, b"")
    assert _request(server, "POST", "/")[0] == 501
    assert _request(server, "GET", "/../briefgen.yaml")[0] == 404


def test_server_refuses_a_foreign_host_name(server: Preview) -> None:
    """A page on another site that resolves its name to 127.0.0.1 cannot read the brief."""
    assert _request(server, "GET", "/", host="evil.example:80")[0] == 403
    assert _request(server, "GET", "/", host="localhost")[0] == 200


def test_event_stream_sends_the_standing_error_at_once_and_ends_on_stop(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / "minimal", tmp_path / "brief")
    preview = Preview(tmp_path / "brief" / "briefgen.yaml")
    preview.site.error_lines = ["facts/treaty.yaml:8:11: bad date"]
    with preview, closing(_connect(preview)) as connection:
        connection.request("GET", EVENTS + "?since=0")
        response = connection.getresponse()
        assert response.getheader("Content-Type") == "text/event-stream"
        assert response.readline() == b"retry: 500\n"
        assert response.readline() == b"\n"
        assert response.readline() == b"event: error\n"
        line = response.readline()
        assert json.loads(line.removeprefix(b"data: ")) == {
            "lines": ["facts/treaty.yaml:8:11: bad date"]
        }
        stopper = threading.Timer(0.2, preview.stop)
        stopper.start()
        start = time.perf_counter()
        rest = response.read()
        stopper.join()
    assert rest == b"\n"
    assert time.perf_counter() - start < 5


# --- the real thing: `briefgen preview` in a subprocess, Chromium through Playwright ---


def _wait_for_line(process: subprocess.Popen[str], pattern: str, seen: list[str]) -> str:
    assert process.stdout is not None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        seen.append(line)
        if re.search(pattern, line):
            return line
    raise AssertionError(f"no line matching {pattern!r} in {''.join(seen)!r}")


@pytest.mark.slow
def test_preview_in_chromium(tmp_path: Path) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    assert chromium, "this test needs Debian's chromium on PATH (apt-get install chromium)"
    brief = tmp_path / "brief"
    shutil.copytree(FIXTURES / "minimal", brief)
    facts = brief / "facts" / "treaty.yaml"
    command = [sys.executable, "-m", "briefgen", "preview"]
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "NO_COLOR": "1"}
    process = subprocess.Popen(
        command, cwd=brief, env=env, text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    seen: list[str] = []
    try:
        url = _wait_for_line(process, r"^preview at http://127\.0\.0\.1:\d+/$", seen).split()[-1]
        _wait_for_line(process, r"^done in ", seen)
        with sync_api.sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
            page = browser.new_page()
            page.goto(url)
            assert page.title() == "Test Brief on the Widget Treaty · preview"
            assert page.locator("ul.audiences li").all_inner_texts()[0].startswith("brief:")
            page.click("text=widget-brief.html")
            page.wait_for_url(url + "widget-brief.html")
            page.wait_for_selector("text=Four states signed the Widget Treaty in Geneva.")

            edit(facts, "Four states signed", "Five states signed")
            page.wait_for_selector("text=Five states signed the Widget Treaty", timeout=15_000)

            edit(facts, "date: 2011-03-14", "date: 30/02/2022")
            overlay = page.wait_for_selector("#briefgen-errors", timeout=15_000)
            assert overlay is not None
            assert "facts/treaty.yaml:8:11: " in overlay.inner_text()
            assert "30/02/2022" in overlay.inner_text()
            assert page.locator("text=Five states signed").count() > 0  # the last good build

            edit(facts, "date: 30/02/2022", "date: 2011-03-14")
            edit(facts, "Five states signed", "Six states signed")
            page.wait_for_selector("#briefgen-errors", state="detached", timeout=15_000)
            page.wait_for_selector("text=Six states signed the Widget Treaty", timeout=15_000)

            notice = page.wait_for_selector("#briefgen-pdf >> text=PDF ready", timeout=60_000)
            assert notice is not None
            browser.close()
        with urllib.request.urlopen(url + "widget-brief.pdf", timeout=10) as response:
            assert response.read(5) == b"%PDF-"
        assert (brief / "out" / "widget-brief.html").read_text(encoding="utf-8").count(
            "__briefgen"
        ) == 0
    finally:
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=30)
        seen.append(output)
    log = "".join(seen)
    assert process.returncode == 130, log
    assert "Traceback" not in log
    assert "preview stopped" in log
    assert sorted(p.name for p in brief.iterdir()) == ["briefgen.yaml", "facts", "out"]


def _events(client: queue.Queue[bytes | None]) -> list[tuple[str, dict[str, object]]]:
    """Every event waiting in a client's queue, as (name, data)."""
    found = []
    while not client.empty():
        event = client.get_nowait()
        assert event is not None
        name, data = event.decode().removesuffix("\n\n").split("\n")
        found.append((name.removeprefix("event: "), json.loads(data.removeprefix("data: "))))
    return found


def test_open_pages_are_rebuilt_and_reloaded_first_and_errors_replace_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In one process, without the server's threads: the HTML rounds and what the pages hear."""
    brief = tmp_path / "brief"
    shutil.copytree(FIXTURES / "audiences", brief)
    monkeypatch.chdir(brief)
    preview = Preview(brief / "briefgen.yaml")
    try:
        assert preview.rebuild().error is None
        client = preview.subscribe("1", "widgets-public.html")
        edit(brief / "facts" / "treaty.yaml", "Four states signed", "Five states signed")
        round_ = preview.rebuild()
        assert round_.built is not None
        rebuilt = {a.name for a in round_.built.audiences if not a.skipped}
        assert {"public", "full", "top"} <= rebuilt
        events = _events(client)
        assert events[0] == ("reload", {"generation": 2, "pages": ["widgets-public.html"]})
        assert events[1][0] == "reload"
        later = events[1][1]["pages"]
        assert isinstance(later, list)
        assert "widgets-full.html" in later and "widgets-public.html" not in later
        out = brief / "out" / "widgets-public.html"
        good = out.read_bytes()
        assert b"Five states signed" in good

        edit(brief / "facts" / "treaty.yaml", "Five states signed", "Six states signed")
        edit(brief / "facts" / "treaty.yaml", "date: 2011-03-14", "date: 30/02/2022")
        round_ = preview.rebuild()
        assert round_.error is not None
        [(name, data)] = _events(client)
        assert name == "error"
        assert isinstance(data["lines"], list)
        assert data["lines"][0].startswith("facts/treaty.yaml:8:11: ")
        assert "30/02/2022" in data["lines"][0]
        assert out.read_bytes() == good
        late = preview.subscribe("3", "widgets-full.html")
        assert _events(late)[0][0] == "error"

        edit(brief / "facts" / "treaty.yaml", "date: 30/02/2022", "date: 2011-03-14")
        assert preview.rebuild().error is None
        # the standing error is cleared on every page: all of them reload
        assert _events(client)[0] == ("reload", {"generation": 4, "pages": None})
        assert preview.site.error_lines is None
        assert b"Six states signed" in out.read_bytes()
    finally:
        preview.stop()
