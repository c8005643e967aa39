"""Make briefgen's reference.docx: the styles Pandoc gives a DOCX brief.

Pandoc takes paragraph, character and table styles, fonts and the page from the document given
as `--reference-doc`. This script starts from Pandoc's own default reference document, restyles
it to look like the PDF brief (`briefgen/templates/brief.css`: Charis SIL 10 pt body, Noto Sans
headings and labels, the same colours and boxes), adds the custom styles briefgen's DOCX writer
names through Pandoc's `custom-style` attribute, and writes a reproducible zip.

Pandoc finds a custom style by its *name* ("Key Judgment") and writes the style id it finds
("KeyJudgment"), so the names below are the ones the writer uses.

Run by hand after changing a style, then commit the result:

    python scripts/make_reference_docx.py            # writes briefgen/templates/reference.docx
    python scripts/make_reference_docx.py --out x.docx

Running it twice gives the same bytes (given the same Pandoc, see MADE_WITH).
"""

from __future__ import annotations

import argparse
import io
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass, field, replace
from pathlib import Path

# The Pandoc version the shipped file was made with; the test compares bytes only under it.
MADE_WITH = "3.9"

# Every zip entry's Unix mode (rw-r--r--): Python's zipfile writes a mode if not given one.
ENTRY_MODE = 0o644 << 16

DEFAULT_OUT = Path(__file__).resolve().parent.parent / "briefgen" / "templates" / "reference.docx"

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
NAMESPACES = {
    "w": W,
    "r": R,
    "m": "http://schemas.openxmlformats.org/officeDocument/2006/math",
    "o": "urn:schemas-microsoft-com:office:office",
    "v": "urn:schemas-microsoft-com:vml",
    "w10": "urn:schemas-microsoft-com:office:word",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "pic": "http://schemas.openxmlformats.org/drawingml/2006/picture",
    "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
    "": PACKAGE_RELS,
}

SERIF = "Charis SIL"
SANS = "Noto Sans"

INK = "1B1B1B"
ACCENT = "1F3A5F"
MUTED = "5A5A5A"
RULE = "B9B9B9"
MARKING = "8A1C1C"
BOX = "EEF2F6"
DIFFER = "FBF4E4"
DIFFER_BORDER = "C8962D"
DIFFER_LABEL = "7A5A14"
CHANGES_BORDER = "2E7D5B"

# Pandoc's default colours, tied to its theme, and the brief's colour each becomes.
THEME_COLOURS = {"0F4761": ACCENT, "365F91": ACCENT, "4F81BD": ACCENT, "595959": MUTED}

# Page: A4 in twips (1/20 pt); margins in millimetres. Wider side margins than the PDF's 46 mm:
# a Word document is edited, and an editor wants the width.
PAGE_WIDTH, PAGE_HEIGHT = 11906, 16838
MARGINS_MM = {"top": 20, "right": 30, "bottom": 22, "left": 30, "header": 10, "footer": 10}

# The order WordprocessingML's schema gives the children of each element this script writes.
# Word refuses a file whose properties are out of order; LibreOffice does not mind.
CHILD_ORDER = {
    "style": [
        "name", "aliases", "basedOn", "next", "link", "autoRedefine", "hidden", "uiPriority",
        "semiHidden", "unhideWhenUsed", "qFormat", "locked", "personal", "personalCompose",
        "personalReply", "rsid", "pPr", "rPr", "tblPr", "trPr", "tcPr", "tblStylePr",
    ],
    "pPr": [
        "pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr",
        "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku",
        "wordWrap", "overflowPunct", "topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi",
        "adjustRightInd", "snapToGrid", "spacing", "ind", "contextualSpacing", "mirrorIndents",
        "suppressOverlap", "jc", "textDirection", "textAlignment", "textboxTightWrap",
        "outlineLvl", "divId", "cnfStyle", "rPr", "sectPr", "pPrChange",
    ],
    "rPr": [
        "rStyle", "rFonts", "b", "bCs", "i", "iCs", "caps", "smallCaps", "strike", "dstrike",
        "outline", "shadow", "emboss", "imprint", "noProof", "snapToGrid", "vanish",
        "webHidden", "color", "spacing", "w", "kern", "position", "sz", "szCs", "highlight",
        "u", "effect", "bdr", "shd", "fitText", "vertAlign", "rtl", "cs", "em", "lang",
        "eastAsianLayout", "specVanish", "oMath",
    ],
    "pBdr": ["top", "left", "bottom", "right", "between", "bar"],
    "tblPr": [
        "tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize",
        "tblStyleColBandSize", "tblW", "jc", "tblCellSpacing", "tblInd", "tblBorders", "shd",
        "tblLayout", "tblCellMar", "tblLook", "tblCaption", "tblDescription",
    ],
    "tblBorders": ["top", "left", "start", "bottom", "right", "end", "insideH", "insideV"],
    "tblStylePr": ["pPr", "rPr", "tblPr", "trPr", "tcPr"],
    "tcPr": [
        "cnfStyle", "tcW", "gridSpan", "hMerge", "vMerge", "tcBorders", "shd", "noWrap",
        "tcMar", "textDirection", "tcFitText", "vAlign", "hideMark",
    ],
    "tcBorders": [
        "top", "left", "start", "bottom", "right", "end", "insideH", "insideV", "tl2br", "tr2bl",
    ],
    "sectPr": [
        "headerReference", "footerReference", "footnotePr", "endnotePr", "type", "pgSz",
        "pgMar", "paperSrc", "pgBorders", "lnNumType", "pgNumType", "cols", "formProt",
        "vAlign", "noEndnote", "titlePg", "textDirection", "bidi", "rtlGutter", "docGrid",
        "printerSettings", "sectPrChange",
    ],
}  # fmt: skip


@dataclass(frozen=True)
class Border:
    """One side of a paragraph's border: width in points, gap to the text in points."""

    color: str
    width: float
    space: int = 4


@dataclass(frozen=True)
class Look:
    """What one style sets; None leaves the property as Pandoc's default (or the base) has it.

    Sizes, spacing and tracking (letter spacing) are in points, indents in twips. Leading is
    the exact distance between lines, in points: Word's "multiple" spacing multiplies the
    font's own line height, which is 1.64 em for Charis SIL, so 1.3 would set 10 pt text 21 pt
    apart. A style that may hold a picture (Pandoc's figures) keeps single, automatic
    spacing instead, as exact spacing would crop the picture.
    """

    font: str | None = None
    size: float | None = None
    bold: bool | None = None
    italic: bool | None = None
    caps: bool = False
    color: str | None = None
    tracking: float | None = None
    superscript: bool = False
    align: str | None = None
    before: float | None = None
    after: float | None = None
    leading: float | None = None
    single_spaced: bool = False
    keep_next: bool = False
    shading: str | None = None
    borders: dict[str, Border] = field(default_factory=dict)
    indent_left: int | None = None
    indent_right: int | None = None
    hanging: int | None = None


@dataclass(frozen=True)
class Style:
    """A style by its name (what Pandoc's `custom-style` names) and its look."""

    name: str
    look: Look
    kind: str = "paragraph"

    @property
    def style_id(self) -> str:
        """Word's id for the style: the name without spaces, as Pandoc makes its own."""
        return self.name.replace(" ", "")


# The key judgments' box: pale blue, a thick accent rule on the left.
KEY_JUDGMENT_BOX = Look(
    shading=BOX, borders={"left": Border(ACCENT, 3, 8)}, indent_left=240, indent_right=120
)
# The "Sources differ" box: pale ochre, an ochre rule on the left.
DIFFER_BOX = Look(
    shading=DIFFER, borders={"left": Border(DIFFER_BORDER, 2.25, 8)}, indent_left=240,
    indent_right=120,
)  # fmt: skip

BODY = Look(font=SERIF, size=10, color=INK)

# Pandoc's own styles, restyled. Names as in Pandoc's default reference document.
PANDOC_STYLES = [
    Style("Normal", Look(leading=13, align="left", after=0)),
    Style("Body Text", Look(before=0, after=7)),
    Style("Compact", Look(leading=11.5, before=1.8, after=1.8)),
    Style("Title", Look(font=SANS, size=19, leading=23, bold=True, color=ACCENT,
                        align="left", before=3, after=4)),
    Style("Subtitle", Look(font=SERIF, size=11, leading=14, bold=False, color=MUTED, after=5)),
    Style("Author", Look(font=SANS, size=8.5, leading=11.5, bold=False, color=MUTED, after=0)),
    Style("Date", Look(font=SANS, size=8.5, leading=11.5, bold=False, color=MUTED, after=8)),
    Style("Abstract", Look(font=SERIF, italic=True, color=MUTED, size=10)),
    Style("heading 1", Look(font=SANS, size=13, leading=16, bold=True, color=ACCENT,
                            before=14, after=5, keep_next=True,
                            borders={"bottom": Border(RULE, 0.75, 2)})),
    Style("heading 2", Look(font=SANS, size=11, leading=14, bold=True, color=ACCENT,
                            before=10, after=4, keep_next=True)),
    Style("heading 3", Look(font=SANS, size=10, leading=13, bold=True, color=ACCENT,
                            before=8, after=3, keep_next=True)),
    *(Style(f"heading {n}", Look(font=SANS, size=10, color=ACCENT, before=6, after=2,
                                 keep_next=True)) for n in range(4, 10)),
    Style("TOC Heading", Look(font=SANS, color=ACCENT)),
    Style("Block Text", Look(size=9.5, leading=12.5, color=INK)),
    Style("Footnote Text", Look(font=SERIF, size=7.5, leading=9, before=0, after=2)),
    Style("Footnote Reference", Look(superscript=True), kind="character"),
    Style("Hyperlink", Look(color=ACCENT), kind="character"),
    Style("Caption", Look(font=SANS, size=8.5, leading=11, italic=False, color=ACCENT,
                          before=4, after=3)),
    Style("Table Caption", Look(bold=True, keep_next=True)),
    Style("Image Caption", Look(color=MUTED, before=2, after=8)),
    Style("Figure", Look(single_spaced=True, before=4, after=2)),
    Style("Captioned Figure", Look(single_spaced=True)),
    Style("Bibliography", Look(indent_left=720, hanging=720, before=0, after=4)),
]  # fmt: skip

# briefgen's own styles, named through Pandoc's `custom-style` attribute.
CUSTOM_STYLES = [
    Style("Marking", Look(font=SANS, size=10, leading=13, bold=True, color=MARKING,
                          tracking=1, align="center", before=0, after=6)),
    Style("Kicker", Look(font=SANS, size=8, leading=11, caps=True, color=MUTED, tracking=1.1,
                         before=0, after=0)),
    Style("Byline", Look(font=SANS, size=8.5, leading=11.5, color=MUTED, before=0, after=12,
                         borders={"bottom": Border(ACCENT, 1.5, 5)})),
    Style("Key Judgment", replace(KEY_JUDGMENT_BOX, before=0, after=3)),
    Style("Basis", replace(KEY_JUDGMENT_BOX, size=9, leading=12, color=MUTED, before=0,
                           after=6)),
    Style("Legend", Look(font=SANS, size=8, leading=10.5, color=MUTED, before=4, after=10)),
    Style("Summary", Look(italic=True, color=MUTED, keep_next=True, before=0, after=7)),
    Style("Sources Differ", replace(DIFFER_BOX, size=9, leading=11.5, before=0, after=4)),
    Style("Sources Differ Label", replace(DIFFER_BOX, font=SANS, size=8, leading=11,
                                          bold=True, caps=True, color=DIFFER_LABEL,
                                          tracking=0.5, before=0, after=2, keep_next=True)),
    Style("Desk Comment", Look(size=9, leading=11.5, before=4, after=8, indent_left=240,
                               borders={"left": Border(ACCENT, 2.25, 8)})),
    Style("Changes", Look(size=9, leading=11.5, before=0, after=3, indent_left=240,
                          indent_right=120,
                          borders={"top": Border(RULE, 0.75, 4),
                                   "left": Border(CHANGES_BORDER, 3, 8),
                                   "bottom": Border(RULE, 0.75, 4),
                                   "right": Border(RULE, 0.75, 4)})),
    # briefgen's own header and footer (briefgen.docx) use these: the marking, "Page N of M".
    Style("Header", Look(font=SANS, size=8, leading=10, color=MUTED, align="center", before=0,
                         after=0)),
    Style("Footer", Look(font=SANS, size=8, leading=10, color=MUTED, align="center", before=0,
                         after=0)),
    Style("Confidence", Look(font=SANS, size=8.5, bold=True, caps=True, color=ACCENT,
                             tracking=0.35), kind="character"),
    Style("When", Look(font=SANS, size=8.5, bold=True, color=ACCENT), kind="character"),
    Style("Comment Label", Look(font=SANS, size=8, bold=True, caps=True, color=ACCENT,
                                tracking=0.5), kind="character"),
    Style("Member Note", Look(size=8.5, color=MUTED), kind="character"),
]  # fmt: skip


def w(tag: str) -> str:
    """A WordprocessingML tag or attribute name in ElementTree's {namespace} form."""
    return f"{{{W}}}{tag}"


def local(tag: str) -> str:
    """An element's tag without its namespace."""
    return tag.rpartition("}")[2]


def child(parent: ET.Element, tag: str) -> ET.Element:
    """The parent's w:tag child, made and put where the schema wants it if missing."""
    found = parent.find(w(tag))
    if found is not None:
        return found
    made = ET.Element(w(tag))
    order = CHILD_ORDER[local(parent.tag)]
    rank = order.index(tag)
    position = len(parent)
    for index, sibling in enumerate(parent):
        name = local(sibling.tag)
        if name in order and order.index(name) > rank:
            position = index
            break
    parent.insert(position, made)
    return made


def put(parent: ET.Element, tag: str, **attributes: str) -> ET.Element:
    """Set the parent's w:tag child to exactly these w: attributes."""
    element = child(parent, tag)
    element.attrib.clear()
    for name, value in attributes.items():
        element.set(w(name), value)
    return element


def twips(points: float) -> str:
    """Points as twentieths of a point, Word's unit for spacing."""
    return str(round(points * 20))


def half_points(points: float) -> str:
    """Points as half points, Word's unit for font sizes."""
    return str(round(points * 2))


def set_fonts(rpr: ET.Element, family: str) -> None:
    """Name one family for every script, not the theme's fonts."""
    put(rpr, "rFonts", ascii=family, hAnsi=family, cs=family, eastAsia=family)


def set_toggle(rpr: ET.Element, tag: str, on: bool) -> None:
    """Bold or italic on or off, for Latin and complex scripts alike."""
    for name in (tag, tag + "Cs"):
        if on:
            put(rpr, name)
        else:
            put(rpr, name, val="0")


def apply_run_look(rpr: ET.Element, look: Look) -> None:
    """Write a look's font, size, weight, colour and tracking into a w:rPr."""
    if look.font:
        set_fonts(rpr, look.font)
    if look.bold is not None:
        set_toggle(rpr, "b", look.bold)
    if look.italic is not None:
        set_toggle(rpr, "i", look.italic)
    if look.caps:
        put(rpr, "caps")
    if look.color:
        put(rpr, "color", val=look.color)
    if look.tracking is not None:
        put(rpr, "spacing", val=twips(look.tracking))
    if look.size is not None:
        put(rpr, "sz", val=half_points(look.size))
        put(rpr, "szCs", val=half_points(look.size))
    if look.superscript:
        put(rpr, "vertAlign", val="superscript")


def apply_paragraph_look(ppr: ET.Element, look: Look) -> None:
    """Write a look's spacing, alignment, borders, shading and indents into a w:pPr."""
    if look.keep_next:
        put(ppr, "keepNext")
    if look.borders:
        borders = child(ppr, "pBdr")
        for side, border in look.borders.items():
            put(
                borders,
                side,
                val="single",
                sz=str(round(border.width * 8)),
                space=str(border.space),
                color=border.color,
            )
    if look.shading:
        put(ppr, "shd", val="clear", color="auto", fill=look.shading)
    spacing = {}
    if look.before is not None:
        spacing["before"] = twips(look.before)
    if look.after is not None:
        spacing["after"] = twips(look.after)
    if look.leading is not None:
        spacing["line"] = twips(look.leading)
        spacing["lineRule"] = "exact"
    if look.single_spaced:
        spacing["line"] = "240"
        spacing["lineRule"] = "auto"
    if spacing:
        old = ppr.find(w("spacing"))
        kept = {local(k): v for k, v in old.attrib.items()} if old is not None else {}
        put(ppr, "spacing", **(kept | spacing))
    indent = {}
    if look.indent_left is not None:
        indent["left"] = str(look.indent_left)
    if look.indent_right is not None:
        indent["right"] = str(look.indent_right)
    if look.hanging is not None:
        indent["hanging"] = str(look.hanging)
    if indent:
        put(ppr, "ind", **indent)
    if look.align:
        put(ppr, "jc", val=look.align)


def apply_style(element: ET.Element, style: Style) -> None:
    """Restyle one w:style element to the style's look."""
    look = style.look
    if style.kind == "paragraph":
        ppr = child(element, "pPr")
        apply_paragraph_look(ppr, look)
        if len(ppr) == 0:
            element.remove(ppr)
    rpr = child(element, "rPr")
    apply_run_look(rpr, look)
    if len(rpr) == 0:
        element.remove(rpr)


def new_style(style: Style) -> ET.Element:
    """A w:style element for one of briefgen's custom styles, empty of looks."""
    element = ET.Element(
        w("style"), {w("type"): style.kind, w("customStyle"): "1", w("styleId"): style.style_id}
    )
    put(element, "name", val=style.name)
    base = "BodyText" if style.kind == "paragraph" else "DefaultParagraphFont"
    put(element, "basedOn", val=base)
    if style.kind == "paragraph":
        put(element, "next", val="BodyText")
    put(element, "qFormat")
    return element


def drop_theme_references(root: ET.Element) -> None:
    """Name explicit fonts and colours where Pandoc's default points into the theme.

    A theme font or colour would win over the explicit one in Word, and the default theme's
    Aptos and blues are not the brief's.
    """
    for fonts in root.iter(w("rFonts")):
        if not any(local(name).endswith(("Theme", "theme")) for name in fonts.attrib):
            continue
        major = any("major" in v for v in fonts.attrib.values())
        for name in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
            fonts.attrib.pop(w(name), None)
        family = SANS if major else SERIF
        for name in ("ascii", "hAnsi", "eastAsia", "cs"):
            fonts.set(w(name), family)
    for colour in root.iter(w("color")):
        for name in ("themeColor", "themeShade", "themeTint"):
            colour.attrib.pop(w(name), None)
        value = colour.get(w("val"), "")
        colour.set(w("val"), THEME_COLOURS.get(value, value))


def restyle_defaults(root: ET.Element) -> None:
    """The document defaults: the brief's body text, whatever style a paragraph has."""
    defaults = root.find(f"{w('docDefaults')}/{w('rPrDefault')}/{w('rPr')}")
    if defaults is None:
        raise SystemExit("Pandoc's reference.docx has no run defaults in word/styles.xml")
    language = defaults.find(w("lang"))
    defaults.clear()
    apply_run_look(defaults, BODY)
    if language is not None:
        defaults.append(language)
    paragraph = root.find(f"{w('docDefaults')}/{w('pPrDefault')}/{w('pPr')}")
    if paragraph is not None:
        paragraph.clear()
        apply_paragraph_look(paragraph, Look(after=0))


def restyle_table(root: ET.Element) -> None:
    """Pandoc's "Table" style: a sans header over an accent rule, thin rules between rows."""
    table = find_style(root, "Table")
    rpr = child(table, "rPr")
    apply_run_look(rpr, Look(size=9))
    tblpr = child(table, "tblPr")
    rule = {"val": "single", "sz": "6", "space": "0", "color": RULE}
    borders = child(tblpr, "tblBorders")
    put(borders, "bottom", **rule)
    put(borders, "insideH", **rule)
    margins = tblpr.find(w("tblCellMar"))
    if margins is not None:
        put(margins, "top", w="40", type="dxa")
        put(margins, "bottom", w="40", type="dxa")
    header = table.find(w("tblStylePr"))
    if header is None or header.get(w("type")) != "firstRow":
        raise SystemExit("Pandoc's reference.docx has no header row in its Table style")
    apply_run_look(child(header, "rPr"), Look(font=SANS, size=8.5, bold=True, color=INK))
    cell = child(header, "tcPr")
    put(child(cell, "tcBorders"), "bottom", val="single", sz="12", space="0", color=ACCENT)


def find_style(root: ET.Element, name: str) -> ET.Element:
    """The w:style with this name (Pandoc's default has each name once)."""
    for element in root.iter(w("style")):
        found = element.find(w("name"))
        if found is not None and found.get(w("val")) == name:
            return element
    raise SystemExit(f"Pandoc's reference.docx has no style named {name!r}")


def sync_linked_character_style(root: ET.Element, paragraph: ET.Element) -> None:
    """Give a paragraph style's linked "… Char" style the same run look, as Word does."""
    link = paragraph.find(w("link"))
    rpr = paragraph.find(w("rPr"))
    if link is None or rpr is None:
        return
    for element in root.iter(w("style")):
        back = element.find(w("link"))
        if (
            element.get(w("styleId")) == link.get(w("val"))
            and back is not None
            and back.get(w("val")) == paragraph.get(w("styleId"))
        ):
            old = element.find(w("rPr"))
            if old is not None:
                element.remove(old)
            element.append(ET.fromstring(ET.tostring(rpr)))


def restyle(styles_xml: bytes) -> bytes:
    """Pandoc's word/styles.xml, made to look like the PDF brief, with briefgen's styles."""
    root = ET.fromstring(styles_xml)
    drop_theme_references(root)
    restyle_defaults(root)
    for style in PANDOC_STYLES:
        element = find_style(root, style.name)
        apply_style(element, style)
        sync_linked_character_style(root, element)
    restyle_table(root)
    for style in CUSTOM_STYLES:
        if any(s.get(w("styleId")) == style.style_id for s in root.iter(w("style"))):
            raise SystemExit(f"Pandoc's reference.docx already has a style {style.style_id!r}")
        element = new_style(style)
        apply_style(element, style)
        root.append(element)
    return serialise(root)


def set_page(document_xml: bytes) -> bytes:
    """The page: A4 with the brief's margins, and no header or footer of the reference's own."""
    root = ET.fromstring(document_xml)
    body = root.find(w("body"))
    section = body.find(w("sectPr")) if body is not None else None
    if section is None:
        raise SystemExit("Pandoc's reference.docx has no section properties in document.xml")
    # No header or footer (briefgen writes its own) and no note numbering of its own: a
    # restart per section would make LibreOffice number notes afresh under each heading.
    for tag in ("headerReference", "footerReference", "footnotePr"):
        for reference in section.findall(w(tag)):
            section.remove(reference)
    put(section, "pgSz", w=str(PAGE_WIDTH), h=str(PAGE_HEIGHT))
    margins = {side: str(round(mm * 1440 / 25.4)) for side, mm in MARGINS_MM.items()}
    put(section, "pgMar", **margins, gutter="0")
    unlink_external_hyperlinks(root)
    return serialise(root)


def unlink_external_hyperlinks(root: ET.Element) -> None:
    """Point the sample's web link at a heading instead, so the file links nowhere outside."""
    for link in root.iter(w("hyperlink")):
        if link.attrib.pop(f"{{{R}}}id", None) is not None:
            link.set(w("anchor"), "heading-1")


def drop_external_relationships(rels_xml: bytes) -> bytes:
    """A relationships part without its links to the web (Pandoc's sample links one)."""
    root = ET.fromstring(rels_xml)
    for relationship in list(root):
        if relationship.get("TargetMode") == "External":
            root.remove(relationship)
    return serialise(root)


def add_fonts(font_table_xml: bytes) -> bytes:
    """Tell Word the brief's families and their kinds, for a machine that lacks them."""
    root = ET.fromstring(font_table_xml)
    for name, family in ((SERIF, "roman"), (SANS, "swiss")):
        font = ET.SubElement(root, w("font"), {w("name"): name})
        ET.SubElement(font, w("charset"), {w("val"): "00"})
        ET.SubElement(font, w("family"), {w("val"): family})
        ET.SubElement(font, w("pitch"), {w("val"): "variable"})
    return serialise(root)


def serialise(root: ET.Element) -> bytes:
    """An XML part with the declaration Word writes."""
    declaration = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    return (declaration + ET.tostring(root, encoding="unicode")).encode("utf-8")


EDITS = {
    "word/styles.xml": restyle,
    "word/document.xml": set_page,
    "word/fontTable.xml": add_fonts,
    "word/_rels/document.xml.rels": drop_external_relationships,
    "word/_rels/footnotes.xml.rels": drop_external_relationships,
}


def pandoc_default_reference() -> tuple[bytes, str]:
    """Pandoc's own reference.docx and Pandoc's version."""
    import pypandoc

    pandoc = pypandoc.get_pandoc_path()
    data = subprocess.run(
        [pandoc, "--print-default-data-file", "reference.docx"], check=True, capture_output=True
    ).stdout
    return data, pypandoc.get_pandoc_version()


def build(default_docx: bytes) -> bytes:
    """briefgen's reference.docx from Pandoc's default, as reproducible zip bytes."""
    source = zipfile.ZipFile(io.BytesIO(default_docx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for entry in source.infolist():
            data = source.read(entry)
            edit = EDITS.get(entry.filename)
            if edit:
                data = edit(data)
            target.writestr(fixed_entry(entry.filename), data)
    return out.getvalue()


def fixed_entry(name: str) -> zipfile.ZipInfo:
    """A zip entry with nothing that changes between runs: no date, no owner, no extras."""
    entry = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    entry.compress_type = zipfile.ZIP_DEFLATED
    entry.create_system = 0
    entry.external_attr = ENTRY_MODE
    return entry


def main(argv: list[str] | None = None) -> int:
    """Write the reference document and say where, with the Pandoc it came from."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where to write the .docx")
    args = parser.parse_args(argv)
    for prefix, uri in NAMESPACES.items():
        ET.register_namespace(prefix, uri)
    default, version = pandoc_default_reference()
    data = build(default)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(data)
    print(f"wrote {args.out} ({len(data):,} bytes) from Pandoc {version}'s reference.docx")
    if version != MADE_WITH:
        print(
            f"note: MADE_WITH in {Path(__file__).name} says {MADE_WITH}; update it if you "
            "ship this file",
            file=sys.stderr,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
