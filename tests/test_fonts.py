"""The bundled fonts: shipped with their licences, served to WeasyPrint only, used for all text.

The slow tests build a fixture brief and read its PDF back: every font in it is
a bundled face, two builds are byte-identical, and body lines hold 65–75 characters.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import statistics
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from briefgen.fonts import FOLDER
from briefgen.glyphs import uncovered
from briefgen.pdf import bundled_font

FIXTURES = Path(__file__).parent / "fixtures"
STYLESHEET = FOLDER.parent / "templates" / "brief.css"
BODY_SIZE = 10.0
"""The analyst brief's body text size in points (brief.css, print)."""
FAMILIES = {"charis-sil": "Charis SIL", "noto-sans": "Noto Sans"}


def font_urls() -> list[str]:
    """Every `briefgen-font:` URL the built-in stylesheet names."""
    return re.findall(r'url\("(briefgen-font:[^"]+)"\)', STYLESHEET.read_text(encoding="utf-8"))


def bundled_postscript_names() -> set[str]:
    return {TTFont(path)["name"].getDebugName(6) for path in FOLDER.glob("*/*.ttf")}


def test_each_family_ships_with_its_licence_and_is_named_in_the_readme():
    readme = (FOLDER / "README.md").read_text(encoding="utf-8")
    for folder, family in FAMILIES.items():
        licence = (FOLDER / folder / "OFL.txt").read_text(encoding="utf-8")
        assert "SIL OPEN FONT LICENSE" in licence.upper() and "Version 1.1" in licence
        for path in (FOLDER / folder).glob("*.ttf"):
            assert TTFont(path)["name"].getDebugName(1) == family
        assert f"`{folder}/`" in readme and family in readme


def test_the_fonts_stay_within_six_megabytes():
    assert sum(path.stat().st_size for path in FOLDER.glob("*/*.ttf")) <= 6_000_000


def test_the_stylesheet_names_every_style_of_both_families_and_each_file_exists():
    urls = font_urls()
    assert len(urls) == 7  # serif: regular, italic, bold, bold italic; sans: all but bold italic
    served = {bundled_font(url) for url in urls}
    assert None not in served
    assert served == set(FOLDER.glob("*/*.ttf"))


@pytest.mark.parametrize(
    "url",
    [
        "briefgen-font:../pdf.py",
        "briefgen-font:../templates/brief.css",
        "briefgen-font:/etc/passwd",
        "briefgen-font:charis-sil/OFL.txt",
        "briefgen-font:charis-sil/Missing.ttf",
        "briefgen-font:%2E%2E/%2E%2E/pyproject.toml",
    ],
)
def test_only_font_files_inside_the_fonts_folder_are_served(url):
    assert bundled_font(url) is None


def test_the_glyph_check_knows_what_the_bundled_faces_draw():
    # U+02EA is in Charis SIL, not in the DejaVu and Liberation fonts of a Debian system.
    assert uncovered("\u02ea") == []
    assert uncovered("\U0001f9ff") == ["\U0001f9ff"]  # NAZAR AMULET: in no font here


# --- PDFs read back -----------------------------------------------------------------------

PROSE = (
    "The delegations met for three days in the old customs house by the harbour, where the "
    "chairs had been set out in a long oval and the windows looked over the water. Each "
    "side read out its position in full before any question was allowed, and the minutes "
    "record that the reading took most of the first morning. The widget quota, which had "
    "been the cause of the dispute, was settled only on the last afternoon, after the "
    "smaller states agreed to count their exports over five years rather than one."
)


def write_prose_topic(root: Path, count: int = 12) -> None:
    """Give a copied fixture a topic of long prose facts: many full lines of body text."""
    lines = ["id: talks", "title: The talks", "order: 2", "facts:"]
    for n in range(1, count + 1):
        lines += [
            f"  - id: talks-{n}",
            f"    text: {PROSE}",
            "    handling: public",
            "    citations:",
            "      - source: smith-2021-gazette",
            f"        locator: para. {n}",
            "        quote: the widget quota was settled on the last afternoon",
        ]
    (root / "facts" / "talks.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def build_pdf(root: Path, out: Path) -> bytes:
    """The fixture's PDF built by the CLI in a process of its own, on a fixed date."""
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000"}
    command = [sys.executable, "-m", "briefgen", "build", "-f", "pdf", "--out", str(out)]
    done = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    (pdf,) = out.glob("*.pdf")
    return pdf.read_bytes()


@pytest.fixture(scope="module")
def prose_brief(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, bytes]:
    root = tmp_path_factory.mktemp("fonts") / "brief"
    shutil.copytree(FIXTURES / "minimal", root)
    write_prose_topic(root)
    return root, build_pdf(root, root / "first")


def pdf_fonts(reader: PdfReader) -> dict[str, bytes]:
    """Each font of a PDF (pages and the forms they draw, such as SVG charts): name to program."""
    found: dict[str, bytes] = {}

    def visit(resources) -> None:
        if resources is None:
            return
        resources = resources.get_object()
        for font in (resources.get("/Font") or {}).values():
            font = font.get_object()
            described = (
                font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            )
            descriptor = described["/FontDescriptor"].get_object()
            program = descriptor.get("/FontFile2") or descriptor.get("/FontFile3")
            found[str(font["/BaseFont"])] = program.get_object().get_data() if program else b""
        for xobject in (resources.get("/XObject") or {}).values():
            visit(xobject.get_object().get("/Resources"))

    for page in reader.pages:
        visit(page.get("/Resources"))
    return found


def body_lines(reader: PdfReader, size: float) -> list[str]:
    """The lines of a PDF set wholly in text of `size` points: body text, not notes or heads."""
    lines: list[str] = []
    for page in reader.pages:
        rows: dict[float, list[tuple[float, str]]] = defaultdict(list)

        def visit(text, cm, tm, font, font_size, rows=rows) -> None:
            if text.strip() and font is not None:
                rows[round(tm[5] * cm[3] + cm[5], 1)].append((font_size * tm[3] * cm[3], text))

        page.extract_text(visitor_text=visit)
        for runs in rows.values():
            if all(abs(run_size - size) < 0.05 for run_size, _ in runs):
                lines.append("".join(text for _, text in runs).strip())
    return lines


@pytest.mark.slow
def test_every_font_in_the_pdf_is_a_bundled_face(prose_brief):
    _, pdf = prose_brief
    fonts = pdf_fonts(PdfReader(io.BytesIO(pdf)))
    families = {re.sub(r"^/([A-Z]{6}\+)?", "", name).split("-")[0] for name in fonts}
    assert families <= {"briefgen"}, sorted(fonts)
    embedded = {TTFont(io.BytesIO(program))["name"].getDebugName(6) for program in fonts.values()}
    assert embedded <= bundled_postscript_names()
    assert {"CharisSIL", "CharisSIL-Italic", "NotoSans-Bold"} <= embedded


@pytest.mark.slow
def test_two_builds_on_the_same_date_give_byte_identical_pdfs(prose_brief):
    root, first = prose_brief
    assert build_pdf(root, root / "second") == first


@pytest.mark.slow
def test_full_body_lines_hold_65_to_75_characters(prose_brief):
    _, pdf = prose_brief
    lengths = sorted(len(line) for line in body_lines(PdfReader(io.BytesIO(pdf)), BODY_SIZE))
    longest = lengths[int(0.95 * len(lengths))]
    full = [length for length in lengths if length >= 0.8 * longest]  # not a paragraph's end
    assert len(full) >= 40
    assert 65 <= statistics.mean(full) <= 75, statistics.mean(full)
