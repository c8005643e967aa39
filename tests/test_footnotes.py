"""The footnote accelerator: applied only where tested; the same pages as WeasyPrint's own."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import weasyprint
from weasyprint.layout import LayoutContext

from briefgen import footnotes
from briefgen.audience import choose
from briefgen.pipeline import build, lay_out_one
from tests.conftest import FIXTURES, REPO, add_many_facts


@pytest.fixture(autouse=True)
def _restore(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Leave WeasyPrint as the next test expects it: accelerated, switch unset."""
    monkeypatch.delenv(footnotes.SWITCH, raising=False)
    yield
    monkeypatch.delenv(footnotes.SWITCH, raising=False)
    footnotes.apply()


def installed() -> Callable[..., Any]:
    return LayoutContext._update_footnote_area  # type: ignore[no-any-return]


def test_applied_on_the_tested_version() -> None:
    assert footnotes.apply("70.0") is True
    assert installed() is footnotes._update_footnote_area


@pytest.mark.parametrize("version", ["69.0", "70.1", "71.0", "80.0"])
def test_not_applied_on_another_version(version: str) -> None:
    footnotes.apply("70.0")
    assert footnotes.apply(version) is False
    assert installed() is footnotes._ORIGINAL


def test_switched_off_by_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(footnotes.SWITCH, "weasyprint")
    assert footnotes.apply("70.0") is False
    assert installed() is footnotes._ORIGINAL


# Footnote areas and notes with every kind of box edge the accelerator models:
# margins that collapse with the area's or each other's, negative margins,
# padding and borders on either, footnote policies, empty notes.
AREAS = [
    "border-top: .5pt solid; padding-top: 1.5mm; margin-top: 3mm",
    "margin-top: 5mm",
    "padding: 1mm; border: 2px solid; margin-bottom: 2mm",
    "",
]
NOTES = [
    "margin: 2pt 0 3pt",
    "margin: -1pt 0 4pt",
    "padding: 1pt; border-bottom: 1px solid",
    "footnote-policy: line",
    "footnote-policy: block; margin-top: 6pt",
]


def stress_html(area: str, note: str) -> str:
    """A small-page document whose notes fill, overflow and are moved to the next page."""
    paragraphs = []
    for n in range(40):
        words = "word " * (3 + (n * 7) % 37)
        text = "text " * (2 + (n * 11) % 50)
        empty = '<span class="fn"></span>' if n % 9 == 0 else ""
        inner = '<b style="display: block; margin: 3pt 0">inner</b>' if n % 7 == 3 else ""
        paragraphs.append(
            f'<p>Paragraph {n} {text}<span class="fn">Note {n} {words}{inner}</span>{empty}</p>'
        )
    style = (
        f"@page {{ size: A6; margin: 10mm; @footnote {{ {area} }} }}"
        f".fn {{ float: footnote; {note} }} p {{ margin: 0 0 4pt; }}"
    )
    return f"<style>{style}</style>{''.join(paragraphs)}"


@pytest.mark.slow
@pytest.mark.parametrize("area", AREAS)
def test_same_area_as_weasyprint_at_every_call(area: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """At each call the accelerated method leaves the page exactly as WeasyPrint's own would."""
    calls = {"fast": 0, "differ": 0}
    original = footnotes._ORIGINAL

    def both(context: Any) -> bool:
        before = (context.page_bottom, context.current_footnote_area.height)
        fast = footnotes._update_footnote_area(context)
        after_fast = (context.page_bottom, context.current_footnote_area.height, fast)
        context.page_bottom, context.current_footnote_area.height = before
        slow = original(context)
        after_slow = (context.page_bottom, context.current_footnote_area.height, slow)
        calls["fast"] += 1
        calls["differ"] += after_fast != after_slow
        return bool(slow)

    monkeypatch.setattr(LayoutContext, "_update_footnote_area", both)
    for note in NOTES:
        weasyprint.HTML(string=stress_html(area, note)).render()
    assert calls["fast"] > 200
    assert calls["differ"] == 0


@pytest.mark.slow
def test_csto_analyst_takes_the_fast_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The CSTO analyst brief's notes take the fast path (today every update does).

    Floats on a page would hand that page's updates back to WeasyPrint, so only
    a small share of hand-backs is tolerated; none happen at present.
    """
    out = tmp_path / "out"
    build(REPO / "briefgen.yaml", audiences=["analyst"], formats=["html"], out_dir=out)
    counts = {"notes": 0, "handed back": 0}
    lay_out_note, original = footnotes._lay_out_note, footnotes._ORIGINAL

    def counted_note(*args: Any) -> Any:
        counts["notes"] += 1
        return lay_out_note(*args)

    def counted_original(context: Any) -> Any:
        if context.current_page_footnotes:
            counts["handed back"] += 1
        return original(context)

    monkeypatch.setattr(footnotes, "_lay_out_note", counted_note)
    monkeypatch.setattr(footnotes, "_ORIGINAL", counted_original)
    footnotes.apply()
    html = (out / "csto-brief-analyst.html").read_text(encoding="utf-8")
    document = weasyprint.HTML(string=html, base_url=REPO.as_uri() + "/").render()
    assert len(document.pages) > 10
    assert counts["notes"] >= 90
    assert counts["handed back"] <= counts["notes"] // 10


def pages_as_images(pdf: Path, folder: Path) -> list[bytes]:
    """Every page of `pdf` rasterised by poppler at 60 dpi, as PPM bytes."""
    folder.mkdir()
    subprocess.run(["pdftoppm", "-r", "60", str(pdf), str(folder / "page")], check=True)
    return [page.read_bytes() for page in sorted(folder.glob("page-*.ppm"))]


def laid_out_both_ways(
    config: Path, out: Path, monkeypatch: pytest.MonkeyPatch
) -> dict[str, tuple[Path, Path]]:
    """Every audience's HTML of `config`, laid out by briefgen's PDF stage both ways.

    The HTML is built once and both PDFs are made from the same string, so the
    footnote layout is the only difference between them.
    """
    built = build(config, everything=True, formats=["html"], out_dir=out, force=True)
    audiences = {
        audience.name: audience for audience in choose(built.brief.config, everything=True)
    }
    pdfs = {}
    for made in built.audiences:
        name = next(file for file in made.files if file.endswith(".html"))
        html = (out / name).read_text(encoding="utf-8")
        paths = out / f"{made.name}-fast.pdf", out / f"{made.name}-own.pdf"
        for path, switch in zip(paths, ["", "weasyprint"], strict=True):
            monkeypatch.setenv(footnotes.SWITCH, switch)
            path.write_bytes(lay_out_one(built.brief, html, audiences[made.name]).pdf)
        pdfs[made.name] = paths
    return pdfs


def brief(name: str, tmp_path: Path) -> Path:
    """The config of a fact base: the CSTO brief, or a copy of a fixture (`many` = 150 facts)."""
    if name == "csto":
        return REPO / "briefgen.yaml"
    root = tmp_path / "brief"
    shutil.copytree(FIXTURES / "minimal", root)
    if name == "many":
        add_many_facts(root, 150)
    return root / "briefgen.yaml"


@pytest.mark.slow
@pytest.mark.parametrize("name", ["minimal", "many", "csto"])
def test_every_page_identical_both_ways(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The accelerator changes no pixel of any page: fixture briefs and the three CSTO editions."""
    pdfs = laid_out_both_ways(brief(name, tmp_path), tmp_path / "out", monkeypatch)
    assert pdfs, "no PDF was built"
    for pdf_name, (fast, own) in pdfs.items():
        stem = pdf_name
        fast_pages = pages_as_images(fast, tmp_path / f"{stem}-fast")
        own_pages = pages_as_images(own, tmp_path / f"{stem}-own")
        assert len(fast_pages) == len(own_pages) > 0, pdf_name
        for number, (one, other) in enumerate(zip(fast_pages, own_pages, strict=True), 1):
            assert one == other, f"{pdf_name}: page {number} differs"
