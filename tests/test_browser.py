"""The HTML copy in a real browser: Debian's headless Chromium, driven by subprocess.

Printing from the browser must give numbered endnotes and the handling marking on every page;
at a phone's width (390 px) nothing may widen the page and the chart's labels stay readable;
the executive HTML must show what its PDF shows. Layout is measured by a small script
appended to a copy of the page, loaded in a 390 px iframe (headless Chromium will not make
its own window narrower than 500 px) and reported to the host page, whose DOM Chromium dumps.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from briefgen.pipeline import build
from tests.conftest import REPO

pytestmark = pytest.mark.slow

PHONE = 390
DESKTOP = 1280

MEASURE = """
<script>
window.addEventListener("load", () => {
  const width = document.documentElement.clientWidth;
  const overflowing = [...document.querySelectorAll("body *")]
    .filter((el) => !el.closest("figure.chart, table.membership"))
    .filter((el) => el.getBoundingClientRect().right > width + 0.5)
    .map((el) => el.tagName + "." + (el.getAttribute("class") || ""));
  const svg = document.querySelector("figure.chart svg");
  const date = document.querySelector("table.chronology td.date");
  const shown = (el) => el.getClientRects().length > 0;
  const paragraphs = [...document.querySelectorAll("main p, main li")]
    .filter((el) => shown(el) && !el.closest(".notes") && !el.querySelector("p, li"))
    .map((el) => el.innerText);
  parent.postMessage(JSON.stringify({
    clientWidth: width,
    scrollWidth: document.documentElement.scrollWidth,
    overflowing: overflowing.slice(0, 10),
    boxesWiderThanTheirScroller: [...document.querySelectorAll("figure.chart, table.membership")]
      .filter((el) => el.getBoundingClientRect().right > width + 0.5).length,
    chartLabelPx: svg ? svg.getScreenCTM().a * parseFloat(svg.getAttribute("font-size")) : null,
    dateColumnShare: date
      ? date.getBoundingClientRect().width / date.closest("table").getBoundingClientRect().width
      : null,
    datesOverlapping: [...document.querySelectorAll("table.chronology td.date")]
      .filter((td) => td.scrollWidth > td.clientWidth + 0.5).length,
    shownBasis: [...document.querySelectorAll(".basis, .summary")].filter(shown).length,
    paragraphs: paragraphs,
  }), "*");
});
</script>
"""

HOST = """<!DOCTYPE html><html lang="en"><head><title>host</title></head><body style="margin:0">
<iframe src="{page}" width="{width}" height="2000" style="border:0"></iframe>
<script>
window.addEventListener("message", (e) => {{
  const pre = document.createElement("pre"); pre.id = "measured"; pre.textContent = e.data;
  document.body.append(pre);
}});
</script></body></html>
"""


def chromium() -> str:
    """The system Chromium; CI (.ci/run) installs Debian's `chromium` where it is missing."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    assert found, "these tests need Debian's chromium on PATH (apt-get install chromium)"
    return found


def run_chromium(*args: str) -> str:
    """Run headless Chromium once and return what it writes to stdout."""
    command = [chromium(), "--headless", "--no-sandbox", "--disable-gpu", *args]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=True)
    return done.stdout


def print_to_pdf(page: Path, pdf: Path) -> PdfReader:
    """Print `page` as a browser user would (no browser headers/footers) and read it back."""
    run_chromium("--no-pdf-header-footer", f"--print-to-pdf={pdf}", page.as_uri())
    return PdfReader(pdf)


def measure(page: Path, width: int) -> dict[str, Any]:
    """Lay `page` out `width` px wide in Chromium and return what MEASURE reports."""
    probe = page.with_name(f"probe-{width}-{page.name}")
    probe.write_text(page.read_text(encoding="utf-8") + MEASURE, encoding="utf-8")
    host = page.with_name(f"host-{width}-{page.name}")
    host.write_text(HOST.format(page=probe.name, width=width), encoding="utf-8")
    dom = run_chromium(
        f"--window-size={width + 100},2200",
        "--virtual-time-budget=10000",
        "--dump-dom",
        host.as_uri(),
    )
    found = re.search(r'<pre id="measured">(.*?)</pre>', dom, re.S)
    assert found, f"the measuring script reported nothing for {page.name} at {width} px"
    return json.loads(html.unescape(found.group(1)))


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The CSTO analyst and executive editions, HTML and PDF, in a temporary folder."""
    out = tmp_path_factory.mktemp("browser")
    build(REPO / "briefgen.yaml", audiences=["analyst", "executive"], out_dir=out)
    return out


def squeeze(text: str) -> str:
    """Text without whitespace or word joiners, so that line breaks in a PDF do not matter."""
    return re.sub(r"[\s\u2060]+", "", text)


@pytest.mark.parametrize("audience", ["analyst", "executive"])
def test_a_browser_prints_numbered_endnotes_and_the_marking_on_every_page(built, audience):
    page = built / f"csto-brief-{audience}.html"
    notes = len(re.findall(r'<li id="note-\d+"', page.read_text(encoding="utf-8")))
    reader = print_to_pdf(page, built / f"{audience}-printed.pdf")
    pages = [p.extract_text() for p in reader.pages]
    assert len(pages) > 1
    assert all("INTERNAL" in text for text in pages), [
        n for n, text in enumerate(pages, 1) if "INTERNAL" not in text
    ]
    first_notes_page = next(n for n, text in enumerate(pages) if re.search(r"^Notes$", text, re.M))
    body, endnotes = "\n".join(pages[:first_notes_page]), "\n".join(pages[first_notes_page:])
    # The notes' own words are not run into the text (every note gives a locator "para. N")...
    assert "para." not in body
    # ...but listed, numbered 1..N in order, after the text.
    numbers = [int(n) for n in re.findall(r"^(\d+)\. ", endnotes, re.M)]
    assert notes > 10
    assert [n for n in numbers if n <= notes] == list(range(1, notes + 1))
    # The calls in the text are those numbers (note 1 is the membership table's, analyst only).
    if audience == "analyst":
        assert re.search(r"Membership by state\s*1\s", body)


def test_at_phone_width_nothing_overflows_and_chart_labels_are_readable(built):
    seen = measure(built / "csto-brief-analyst.html", PHONE)
    assert seen["scrollWidth"] <= seen["clientWidth"], seen["overflowing"]
    assert seen["overflowing"] == []
    assert seen["boxesWiderThanTheirScroller"] == 0
    assert seen["chartLabelPx"] >= 9.5
    assert seen["dateColumnShare"] <= 0.35
    assert seen["datesOverlapping"] == 0


@pytest.mark.parametrize("audience", ["analyst", "executive"])
def test_on_a_desktop_nothing_overflows(built, audience):
    seen = measure(built / f"csto-brief-{audience}.html", DESKTOP)
    assert seen["scrollWidth"] <= seen["clientWidth"], seen["overflowing"]
    assert seen["datesOverlapping"] == 0


def test_the_executive_html_shows_what_its_pdf_shows(built):
    seen = measure(built / "csto-brief-executive.html", PHONE)
    assert seen["shownBasis"] == 0
    pdf = squeeze(
        "".join(p.extract_text() for p in PdfReader(built / "csto-brief-executive.pdf").pages)
    )
    missing = [text for text in seen["paragraphs"] if squeeze(text) not in pdf]
    assert len(seen["paragraphs"]) > 10
    assert missing == []
