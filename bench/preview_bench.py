"""Time `briefgen preview` from saving a fact file to the new text in the open page.

Used by bench.py (`--only preview`). A `briefgen preview` process serves a copy
of the CSTO brief; each edit rewrites one sentence of facts/leverage.yaml with
a new marker and the clock stops when the analyst page shows it: in Chromium
through Playwright when both are here, otherwise at the server's `reload`
event followed by a fetch of the page that contains the marker.
"""

from __future__ import annotations

import http.client
import queue
import re
import shutil
import signal
import subprocess
import threading
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

FACT_FILE = Path("facts") / "leverage.yaml"
SENTENCE = "more than 26% of"
PAGE = "csto-brief-analyst.html"


def edit_to_visible(
    briefgen: Path, project: Path, edits: int
) -> tuple[str, list[float], list[float]]:
    """How the page was watched, and the seconds from each save to the new text shown.

    The first times are for edits made once the PDFs of the one before are
    ready; the second, for edits made 2 s after the one before, while its
    PDFs are being laid out (the preview stops that PDF build).
    """
    lines: queue.Queue[str] = queue.Queue()
    process = subprocess.Popen(
        [str(briefgen), "preview"],
        cwd=project,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    threading.Thread(target=_read_lines, args=(process, lines), daemon=True).start()
    try:
        url = _wait_for(lines, r"^preview at (\S+)").group(1)
        _wait_for(lines, r"^PDFs ready")  # the first HTML and PDF builds are done
        fact = project / FACT_FILE
        original = fact.read_text(encoding="utf-8")

        def save(n: int) -> str:
            marker = f"more than 26% (edit {n}) of"
            fact.write_text(original.replace(SENTENCE, marker), encoding="utf-8")
            return f"(edit {n})"

        def settle(busy: bool) -> None:
            if busy:
                time.sleep(2)
            else:
                _wait_for(lines, r"^PDFs ready")

        try:
            return _with_browser(url, save, settle, edits)
        except ImportError:
            return _with_events(url, save, settle, edits)
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)


def _with_browser(
    url: str, save: Callable[[int], str], settle: Callable[[bool], None], edits: int
) -> tuple[str, list[float], list[float]]:
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise ImportError("no chromium")
    times: dict[bool, list[float]] = {False: [], True: []}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        page = browser.new_page()
        page.goto(url + PAGE)
        shows = "marker => document.body.innerText.includes(marker)"
        for n, busy in enumerate([False] * edits + [True] * edits):
            start = time.perf_counter()
            marker = save(n)
            page.wait_for_function(shows, arg=marker, timeout=60_000)
            times[busy].append(time.perf_counter() - start)
            settle(busy)
        browser.close()
    return "Chromium through Playwright, text in the reloaded page", times[False], times[True]


def _with_events(
    url: str, save: Callable[[int], str], settle: Callable[[bool], None], edits: int
) -> tuple[str, list[float], list[float]]:
    address = url.removeprefix("http://").rstrip("/")
    times: dict[bool, list[float]] = {False: [], True: []}
    for n, busy in enumerate([False] * edits + [True] * edits):
        connection = http.client.HTTPConnection(address, timeout=60)
        connection.request("GET", f"/__briefgen/events?since=-1&page={PAGE}")
        stream = connection.getresponse()
        _next_event(stream)  # a client that is behind is told to reload at once
        start = time.perf_counter()
        marker = save(n)
        while _next_event(stream) != "reload":
            pass
        with urllib.request.urlopen(url + PAGE, timeout=60) as response:
            assert marker in response.read().decode("utf-8")
        times[busy].append(time.perf_counter() - start)
        connection.close()
        settle(busy)
    return "no browser here: `reload` event, then a fetch of the page", times[False], times[True]


def _next_event(stream: http.client.HTTPResponse) -> str:
    """The name of the next event on a server-sent-events stream."""
    name = ""
    while True:
        line = stream.readline().decode("utf-8")
        if not line:
            raise RuntimeError("the event stream ended")
        if line.startswith("event: "):
            name = line.removeprefix("event: ").strip()
        elif line == "\n" and name:
            return name


def _read_lines(process: subprocess.Popen[str], lines: queue.Queue[str]) -> None:
    assert process.stdout is not None
    for line in process.stdout:
        lines.put(line)


def _wait_for(lines: queue.Queue[str], pattern: str, seconds: float = 120) -> re.Match[str]:
    deadline = time.monotonic() + seconds
    seen = []
    while (left := deadline - time.monotonic()) > 0:
        try:
            line = lines.get(timeout=left)
        except queue.Empty:
            break
        seen.append(line)
        if found := re.search(pattern, line):
            return found
    raise RuntimeError(f"`briefgen preview` never printed {pattern!r}: {''.join(seen)!r}")
