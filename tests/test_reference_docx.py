"""The shipped reference.docx: the styles, fonts and page Pandoc gives a DOCX brief.

The file is made by `scripts/make_reference_docx.py` (run by hand, output committed); these
tests read the shipped file, and the slow ones remake it and run Pandoc with it.
"""

from __future__ import annotations

import functools
import importlib.util
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).parent.parent
SHIPPED = REPO / "briefgen" / "templates" / "reference.docx"
SCRIPT = REPO / "scripts" / "make_reference_docx.py"

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
SERIF = "Charis SIL"
SANS = "Noto Sans"

# (style id, name, type, font or None when the style inherits the body's serif)
CUSTOM_STYLES = [
    ("Marking", "Marking", "paragraph", SANS),
    ("Kicker", "Kicker", "paragraph", SANS),
    ("Byline", "Byline", "paragraph", SANS),
    ("KeyJudgment", "Key Judgment", "paragraph", None),
    ("Basis", "Basis", "paragraph", None),
    ("Legend", "Legend", "paragraph", SANS),
    ("Summary", "Summary", "paragraph", None),
    ("SourcesDiffer", "Sources Differ", "paragraph", None),
    ("SourcesDifferLabel", "Sources Differ Label", "paragraph", SANS),
    ("DeskComment", "Desk Comment", "paragraph", None),
    ("Changes", "Changes", "paragraph", None),
    ("Bibliography", "Bibliography", "paragraph", None),
    ("Header", "Header", "paragraph", SANS),
    ("Footer", "Footer", "paragraph", SANS),
    ("Confidence", "Confidence", "character", SANS),
    ("When", "When", "character", SANS),
    ("CommentLabel", "Comment Label", "character", SANS),
    ("MemberNote", "Member Note", "character", None),
]


def w(tag: str) -> str:
    """A WordprocessingML name in ElementTree's {namespace} form."""
    return f"{{{W}}}{tag}"


def part(name: str) -> ET.Element:
    """One XML part of the shipped file, parsed."""
    with zipfile.ZipFile(SHIPPED) as docx:
        return ET.fromstring(docx.read(name))


def styles_by_id() -> dict[str, ET.Element]:
    """The shipped styles, by style id."""
    return {s.get(w("styleId"), ""): s for s in part("word/styles.xml").iter(w("style"))}


def value(element: ET.Element | None, path: str, attribute: str = "val") -> str | None:
    """A w: attribute of the element at `path` (w: prefixes added), or None."""
    if element is None:
        return None
    found = element.find("/".join(w(step) for step in path.split("/")))
    return None if found is None else found.get(w(attribute))


@functools.cache
def load_script() -> ModuleType:
    """The generator script as a module (scripts/ is not a package), loaded once."""
    spec = importlib.util.spec_from_file_location("make_reference_docx", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    # Its dataclasses look their module up while being made.
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def pandoc() -> tuple[str, str]:
    """The bundled Pandoc's path and version."""
    import pypandoc

    return pypandoc.get_pandoc_path(), pypandoc.get_pandoc_version()


def test_body_text_is_charis_sil_10pt_in_ink() -> None:
    defaults = part("word/styles.xml").find(f"{w('docDefaults')}/{w('rPrDefault')}/{w('rPr')}")
    assert defaults is not None
    fonts = defaults.find(w("rFonts"))
    assert fonts is not None
    assert {fonts.get(w(a)) for a in ("ascii", "hAnsi", "cs", "eastAsia")} == {SERIF}
    assert not any(name.endswith(("Theme", "theme")) for name in fonts.attrib)
    assert value(defaults, "sz") == "20"
    assert value(defaults, "color") == "1B1B1B"
    normal = styles_by_id()["Normal"]
    assert value(normal, "pPr/jc") == "left"
    assert value(normal, "pPr/spacing", "line") == "260"


def test_no_style_names_a_theme_font() -> None:
    for fonts in part("word/styles.xml").iter(w("rFonts")):
        assert not any(name.endswith(("Theme", "theme")) for name in fonts.attrib), fonts.attrib


@pytest.mark.parametrize(("style_id", "name", "kind", "font"), CUSTOM_STYLES)
def test_custom_style_exists_with_its_name_and_font(
    style_id: str, name: str, kind: str, font: str | None
) -> None:
    style = styles_by_id()[style_id]
    assert value(style, "name") == name
    assert style.get(w("type")) == kind
    if font is not None:
        fonts = style.find(f"{w('rPr')}/{w('rFonts')}")
        assert fonts is not None
        assert {fonts.get(w(a)) for a in ("ascii", "hAnsi", "cs", "eastAsia")} == {font}


@pytest.mark.parametrize(("level", "size"), [(1, "26"), (2, "22"), (3, "20")])
def test_headings_are_bold_sans_in_accent(level: int, size: str) -> None:
    heading = styles_by_id()[f"Heading{level}"]
    assert value(heading, "rPr/rFonts", "ascii") == SANS
    assert value(heading, "rPr/sz") == size
    assert value(heading, "rPr/color") == "1F3A5F"
    assert heading.find(f"{w('rPr')}/{w('b')}") is not None


def test_heading_1_has_a_rule_below_and_keeps_with_next() -> None:
    heading = styles_by_id()["Heading1"]
    assert value(heading, "pPr/pBdr/bottom", "color") == "B9B9B9"
    assert heading.find(f"{w('pPr')}/{w('keepNext')}") is not None
    assert value(heading, "pPr/spacing", "before") == "280"
    assert value(heading, "pPr/spacing", "after") == "100"


@pytest.mark.parametrize("level", range(1, 10))
def test_headings_keep_pandocs_ids_names_and_outline_levels(level: int) -> None:
    heading = styles_by_id()[f"Heading{level}"]
    assert value(heading, "name") == f"heading {level}"
    assert value(heading, "pPr/outlineLvl") == str(level - 1)


@pytest.mark.parametrize(
    ("style_id", "fill", "border"),
    [
        ("KeyJudgment", "EEF2F6", "1F3A5F"),
        ("Basis", "EEF2F6", "1F3A5F"),
        ("SourcesDiffer", "FBF4E4", "C8962D"),
        ("SourcesDifferLabel", "FBF4E4", "C8962D"),
    ],
)
def test_boxes_are_shaded_with_a_rule_on_the_left(style_id: str, fill: str, border: str) -> None:
    style = styles_by_id()[style_id]
    assert value(style, "pPr/shd", "fill") == fill
    assert value(style, "pPr/pBdr/left", "color") == border


def test_labels_and_notes_look_like_the_pdf() -> None:
    styles = styles_by_id()
    assert value(styles["Marking"], "rPr/color") == "8A1C1C"
    assert value(styles["Marking"], "pPr/jc") == "center"
    assert value(styles["SourcesDifferLabel"], "rPr/color") == "7A5A14"
    assert styles["SourcesDifferLabel"].find(f"{w('pPr')}/{w('keepNext')}") is not None
    assert value(styles["Bibliography"], "pPr/ind", "hanging") == "720"
    assert value(styles["FootnoteText"], "rPr/sz") == "15"
    assert value(styles["FootnoteReference"], "rPr/vertAlign") == "superscript"
    assert value(styles["Hyperlink"], "rPr/color") == "1F3A5F"
    assert value(styles["Caption"], "rPr/rFonts", "ascii") == SANS


def test_table_style_has_a_sans_header_over_an_accent_rule() -> None:
    table = styles_by_id()["Table"]
    assert value(table, "name") == "Table"
    header = table.find(w("tblStylePr"))
    assert header is not None and header.get(w("type")) == "firstRow"
    assert value(header, "rPr/rFonts", "ascii") == SANS
    assert value(header, "rPr/sz") == "17"
    assert value(header, "tcPr/tcBorders/bottom", "color") == "1F3A5F"
    assert value(header, "tcPr/tcBorders/bottom", "sz") == "12"
    assert value(table, "tblPr/tblBorders/insideH", "color") == "B9B9B9"
    assert value(table, "rPr/sz") == "18"


def test_page_is_a4_with_the_briefs_margins_and_no_header_or_footer() -> None:
    section = part("word/document.xml").find(f"{w('body')}/{w('sectPr')}")
    assert value(section, "pgSz", "w") == "11906"
    assert value(section, "pgSz", "h") == "16838"
    margins = {side: value(section, "pgMar", side) for side in ("top", "left", "right", "bottom")}
    assert margins == {"top": "1134", "left": "1701", "right": "1701", "bottom": "1247"}
    assert value(section, "pgMar", "header") == "567"
    assert section is not None
    assert section.find(w("headerReference")) is None
    assert section.find(w("footerReference")) is None


def test_no_headers_footers_or_external_links() -> None:
    with zipfile.ZipFile(SHIPPED) as docx:
        names = docx.namelist()
        rels = [docx.read(name) for name in names if name.endswith(".rels")]
    assert not [n for n in names if "header" in n or "footer" in n]
    assert rels
    for data in rels:
        for relationship in ET.fromstring(data):
            assert relationship.get("TargetMode") != "External", relationship.attrib


def test_zip_entries_carry_nothing_that_changes_between_runs() -> None:
    with zipfile.ZipFile(SHIPPED) as docx:
        entries = docx.infolist()
    assert entries
    for entry in entries:
        assert entry.date_time == (1980, 1, 1, 0, 0, 0), entry.filename
        assert entry.compress_type == zipfile.ZIP_DEFLATED, entry.filename
        assert entry.create_system == 0, entry.filename
        assert entry.external_attr == 0o644 << 16, entry.filename
        assert entry.extra == b"", entry.filename


def test_every_xml_part_parses_and_keeps_its_declaration() -> None:
    with zipfile.ZipFile(SHIPPED) as docx:
        parts = {n: docx.read(n) for n in docx.namelist() if n.endswith((".xml", ".rels"))}
    assert "word/styles.xml" in parts
    for name, data in parts.items():
        assert data.startswith(b"<?xml "), name
        ET.fromstring(data)


def test_properties_are_in_the_order_words_schema_wants() -> None:
    order = load_script().CHILD_ORDER
    root = part("word/styles.xml")
    checked = 0
    for parent in root.iter():
        tag = parent.tag.rpartition("}")[2]
        if tag not in ("pPr", "rPr", "style", "pBdr", "tblPr", "tcPr", "tcBorders"):
            continue
        ranks = [order[tag].index(c.tag.rpartition("}")[2]) for c in parent]
        assert ranks == sorted(ranks), (tag, [c.tag for c in parent])
        checked += 1
    assert checked > 100


@pytest.mark.slow
def test_script_remakes_the_shipped_file_byte_for_byte(tmp_path: Path) -> None:
    made_with = load_script().MADE_WITH
    _, version = pandoc()
    if version != made_with:
        pytest.skip(f"the shipped file was made with Pandoc {made_with}, this is {version}")
    out = tmp_path / "reference.docx"
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--out", str(out)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.startswith(f"wrote {out} ")
    assert out.read_bytes() == SHIPPED.read_bytes()


@pytest.mark.slow
def test_pandoc_finds_every_custom_style_by_its_name(tmp_path: Path) -> None:
    blocks = []
    for style_id, name, kind, _ in CUSTOM_STYLES:
        if kind == "paragraph":
            blocks.append(f'::: {{custom-style="{name}"}}\nPARA-{style_id}\n:::\n')
        else:
            blocks.append(f'Text with [SPAN-{style_id}]{{custom-style="{name}"}} in it.\n')
    source = tmp_path / "styles.md"
    source.write_text("\n".join(blocks), encoding="utf-8")
    out = tmp_path / "styles.docx"
    path, _ = pandoc()
    subprocess.run(
        [path, str(source), "--reference-doc", str(SHIPPED), "-o", str(out)],
        check=True,
        capture_output=True,
    )
    with zipfile.ZipFile(out) as docx:
        body = ET.fromstring(docx.read("word/document.xml"))
        styles = ET.fromstring(docx.read("word/styles.xml"))
    found: dict[str, str | None] = {}
    for paragraph in body.iter(w("p")):
        for run in paragraph.iter(w("r")):
            text = "".join(t.text or "" for t in run.iter(w("t")))
            if text.startswith("PARA-"):
                found[text] = value(paragraph, "pPr/pStyle")
            elif text.startswith("SPAN-"):
                found[text] = value(run, "rPr/rStyle")
    expected = {
        f"{'PARA' if kind == 'paragraph' else 'SPAN'}-{style_id}": style_id
        for style_id, _, kind, _ in CUSTOM_STYLES
    }
    assert found == expected
    # Pandoc makes a bare style (no looks) for a name the reference lacks, under the same id:
    # each style the output uses must be the reference's, with its looks.
    used = {s.get(w("styleId")): s for s in styles.iter(w("style"))}
    for style_id, name, _, _ in CUSTOM_STYLES:
        assert value(used[style_id], "name") == name
        assert (
            used[style_id].find(w("rPr")) is not None or used[style_id].find(w("pPr")) is not None
        )
