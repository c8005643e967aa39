"""The Word file made final: briefgen's header and footer, fixed dates, a stable zip.

Pandoc writes the DOCX, but it copies parts of the project's reference document
into it, and that document is hostile input. `finish_docx` reads the DOCX with
the caps of `briefgen.ooxml`, refuses macros and outside links, replaces
whatever headers and footers the reference document had with briefgen's own
(the marking and "Page N of M" on every page), drops what the reference must
not pass on (an attached template, protection, note numbering of its own, its
application properties, parts nothing uses), fixes the document's dates to the
build day and writes a zip whose bytes depend only on its contents.
"""

from __future__ import annotations

import datetime
import io
import posixpath
import re
import xml.etree.ElementTree as ET
import zipfile
from xml.sax.saxutils import escape

from briefgen.docx_fonts import embed_fonts
from briefgen.errors import BriefError
from briefgen.ooxml import (
    CONTENT_TYPES,
    DECLARATION,
    DOCUMENT,
    NOT_XML_TEXT,
    RELS,
    TYPES,
    R,
    W,
    decoded,
    list_part,
    parse,
    part_text,
    read_parts,
    refuse_active_content,
    refuse_outside_links,
    rels_name,
    rels_source,
    resolved,
)

_FILE_MODE = 0o644 << 16
"""Every entry's permissions, fixed (zipfile would otherwise pick its own)."""

DOCUMENT_RELS = "word/_rels/document.xml.rels"
CORE = "docProps/core.xml"
SETTINGS = "word/settings.xml"
APP = "docProps/app.xml"
LINKING_PARTS = frozenset({DOCUMENT_RELS, "word/_rels/footnotes.xml.rels"})
"""The parts whose relationships may be hyperlinks out: the brief's text and its notes."""
HEADER = "word/header-briefgen.xml"
FOOTER = "word/footer-briefgen.xml"
MARKING_COLOUR = "8A1C1C"

CP = "http://schemas.openxmlformats.org/package/2006/metadata/core-properties"
DCTERMS = "http://purl.org/dc/terms/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
HEADER_TYPE = R + "/header"
FOOTER_TYPE = R + "/footer"
HEADER_CONTENT = "application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml"
FOOTER_CONTENT = "application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml"

_PREFIXES = {
    "w": W,
    "r": R,
    "cp": CP,
    "dc": "http://purl.org/dc/elements/1.1/",
    "dcterms": DCTERMS,
    "dcmitype": "http://purl.org/dc/dcmitype/",
    "xsi": XSI,
}
for _prefix, _uri in _PREFIXES.items():
    ET.register_namespace(_prefix, _uri)

_SECT_PR = re.compile(r"<w:sectPr\b[^>]*?/>|<w:sectPr\b[^>]*>.*?</w:sectPr>", re.DOTALL)
_SECT_PR_OPEN = re.compile(r"<w:sectPr\b[^>]*?(/?)>")
_OLD_REFERENCES = re.compile(
    r"<w:(headerReference|footerReference|titlePg)\b[^>]*?(?:/>|>.*?</w:\1>)", re.DOTALL
)
_FOOTNOTE_PROPERTIES = re.compile(rb"<w:footnotePr\b[^>]*?(?:/>|>.*?</w:footnotePr>)", re.DOTALL)
"""A section's own note numbering (restart per section or page, start, format): dropped,
so notes run 1, 2, 3 through the document as in the PDF."""
_SETTINGS_DROPPED = re.compile(
    rb"<w:(attachedTemplate|documentProtection|writeProtection|numRestart|numStart|numFmt)"
    rb"\b[^>]*?(?:/>|>.*?</w:\1>)",
    re.DOTALL,
)
"""Settings a reference document must not pass on: an attached template Word would
fetch, protection that makes the edition read-only, note numbering of its own."""
APP_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
    "<Application>briefgen</Application></Properties>"
)
"""The application properties: the reference document's counts and company are not this file's."""
_KINDS = ("default", "even", "first")


def finish_docx(raw: bytes, *, marking: str | None, day: datetime.date) -> bytes:
    """The DOCX Pandoc made, made safe and final.

    Refuses a reference document that is too big, links to outside files or
    carries macros; puts briefgen's header and footer (the marking, "Page N of
    M") on every page; dates the document `day`; and packs it so that the same
    input gives the same bytes.
    """
    what = "the Word file Pandoc made with the reference document"
    parts = dict(read_parts(raw, what))
    refuse_active_content(parts)
    refuse_outside_links(parts, allowed=LINKING_PARTS)
    for name in (CONTENT_TYPES, DOCUMENT, DOCUMENT_RELS):
        if name not in parts:
            raise BriefError(
                f"{what} has no {name}",
                hint="use a reference document saved by Word or LibreOffice as .docx",
            )
    _replace_headers_and_footers(parts, marking)
    parts[DOCUMENT] = _FOOTNOTE_PROPERTIES.sub(b"", parts[DOCUMENT])
    if SETTINGS in parts:
        parts[SETTINGS] = _SETTINGS_DROPPED.sub(b"", parts[SETTINGS])
    if CORE in parts:
        parts[CORE] = _dated_core(parts[CORE], day)
    if APP in parts:
        parts[APP] = APP_XML.encode("utf-8")
    embed_fonts(parts, _shown_text(parts))
    _prune(parts)
    return _packed(parts, day)


# Headers and footers


def _replace_headers_and_footers(parts: dict[str, bytes], marking: str | None) -> None:
    """Put briefgen's header and footer on every page, in place of any the document had."""
    rels = parse(parts[DOCUMENT_RELS], DOCUMENT_RELS)
    dropped = _drop_header_and_footer_rels(rels)
    taken = {rel.get("Id") for rel in rels}
    header_id = _free_id("rIdBriefgenHeader", taken)
    footer_id = _free_id("rIdBriefgenFooter", taken)
    for rel_id, rel_type, target in (
        (header_id, HEADER_TYPE, posixpath.basename(HEADER)),
        (footer_id, FOOTER_TYPE, posixpath.basename(FOOTER)),
    ):
        ET.SubElement(rels, f"{{{RELS}}}Relationship", Id=rel_id, Type=rel_type, Target=target)
    parts[DOCUMENT_RELS] = list_part(rels, RELS)
    parts[DOCUMENT] = _with_references(parts[DOCUMENT], header_id, footer_id)
    gone = _unreferenced(parts, dropped)
    for name in gone:
        parts.pop(name, None)
        parts.pop(rels_name(name), None)
    parts[HEADER] = _header_xml(marking).encode("utf-8")
    parts[FOOTER] = _footer_xml(marking).encode("utf-8")
    parts[CONTENT_TYPES] = _with_overrides(parts[CONTENT_TYPES], gone)


def _shown_text(parts: dict[str, bytes]) -> str:
    """Every character the pages show: body, notes, header, footer (page numbers too)."""
    shown = [
        part_text(decoded(parts[name], name))
        for name in (DOCUMENT, "word/footnotes.xml", HEADER, FOOTER)
        if name in parts
    ]
    return "".join(shown) + "0123456789"


def _prune(parts: dict[str, bytes]) -> None:
    """Drop every part no relationship reaches from the package, and its content type.

    Pandoc copies the reference document's media whether used or not, and an
    old header's picture outlives its header: what nothing shows need not be
    shipped, nor guarded.
    """
    reached = {CONTENT_TYPES}
    todo = [""]  # "" is the package itself, whose relationships are _rels/.rels
    while todo:
        source = todo.pop()
        rels = rels_name(source)
        if rels not in parts or rels in reached:
            continue
        reached.add(rels)
        for rel in parse(parts[rels], rels).iter(f"{{{RELS}}}Relationship"):
            if rel.get("TargetMode", "").lower() == "external":
                continue
            target = resolved(source, rel.get("Target", ""))
            if target in parts and target not in reached:
                reached.add(target)
                todo.append(target)
    gone = set(parts) - reached
    for name in gone:
        del parts[name]
    if gone:
        root = parse(parts[CONTENT_TYPES], CONTENT_TYPES)
        for override in root.findall(f"{{{TYPES}}}Override"):
            if (override.get("PartName") or "").lstrip("/") in gone:
                root.remove(override)
        parts[CONTENT_TYPES] = list_part(root, TYPES)


def _drop_header_and_footer_rels(rels: ET.Element) -> set[str]:
    """Remove the document's header and footer relationships; the parts they named."""
    dropped: set[str] = set()
    for rel in list(rels):
        if rel.get("Type") in (HEADER_TYPE, FOOTER_TYPE):
            dropped.add(resolved(DOCUMENT, rel.get("Target", "")))
            rels.remove(rel)
    return dropped


def _free_id(wanted: str, taken: set[str | None]) -> str:
    """`wanted`, or `wanted` with a number, whichever no relationship uses yet."""
    candidate, number = wanted, 1
    while candidate in taken:
        number += 1
        candidate = f"{wanted}{number}"
    return candidate


def _unreferenced(parts: dict[str, bytes], dropped: set[str]) -> set[str]:
    """The dropped header and footer parts that no relationship names any more.

    Only parts that are headers or footers go: a relationship claiming to be a
    header cannot make briefgen delete the document's other parts.
    """
    still: set[str] = set()
    for name, content in parts.items():
        if name.endswith(".rels"):
            source = rels_source(name)
            for rel in parse(content, name).iter(f"{{{RELS}}}Relationship"):
                if rel.get("TargetMode", "").lower() != "external":
                    still.add(resolved(source, rel.get("Target", "")))
    return {
        name
        for name in dropped - still
        if name in parts and parse(parts[name], name).tag in (f"{{{W}}}hdr", f"{{{W}}}ftr")
    }


def _with_references(document: bytes, header_id: str, footer_id: str) -> bytes:
    """document.xml with every section pointing at briefgen's header and footer only.

    Pandoc writes document.xml itself, so its section properties are edited as
    text (keeping every namespace declaration as Pandoc wrote it) and the result
    is checked by parsing it.
    """
    text = decoded(document, DOCUMENT)
    references = "".join(
        f'<w:headerReference xmlns:r="{R}" w:type="{kind}" r:id="{header_id}"/>' for kind in _KINDS
    ) + "".join(
        f'<w:footerReference xmlns:r="{R}" w:type="{kind}" r:id="{footer_id}"/>' for kind in _KINDS
    )

    def rewritten(match: re.Match[str]) -> str:
        section = _OLD_REFERENCES.sub("", match.group(0))
        opening = _SECT_PR_OPEN.match(section)
        assert opening is not None  # _SECT_PR matched the same opening tag
        head = opening.group(0)
        if opening.group(1):  # <w:sectPr .../>
            return head[:-2].rstrip() + ">" + references + "</w:sectPr>"
        return head + references + section[opening.end() :]

    text = _SECT_PR.sub(rewritten, text)
    root = parse(text.encode("utf-8"), DOCUMENT)
    body = root.find(f"{{{W}}}body")
    if body is not None and (len(body) == 0 or body[-1].tag != f"{{{W}}}sectPr"):
        end = text.rfind("</w:body>")
        if end >= 0:
            text = text[:end] + "<w:sectPr>" + references + "</w:sectPr>" + text[end:]
            root = parse(text.encode("utf-8"), DOCUMENT)
    _check_sections(root, header_id, footer_id)
    return _with_declaration(text).encode("utf-8")


def _check_sections(root: ET.Element, header_id: str, footer_id: str) -> None:
    """Fail unless every section of document.xml shows briefgen's header and footer only."""
    body = root.find(f"{{{W}}}body")
    sections = list(root.iter(f"{{{W}}}sectPr"))
    expected = [("headerReference", k, header_id) for k in _KINDS]
    expected += [("footerReference", k, footer_id) for k in _KINDS]
    wrong = body is None or len(body) == 0 or body[-1].tag != f"{{{W}}}sectPr"
    for section in sections:
        found = [
            (el.tag.split("}")[-1], el.get(f"{{{W}}}type"), el.get(f"{{{R}}}id"))
            for el in section
            if el.tag in (f"{{{W}}}headerReference", f"{{{W}}}footerReference")
        ]
        first = [el.tag for el in section[: len(expected)]]
        wrong = wrong or found != expected or section.find(f"{{{W}}}titlePg") is not None
        wrong = wrong or any(not tag.endswith("Reference") for tag in first)
    if wrong:
        raise BriefError(
            "the reference document's page settings could not be given briefgen's "
            "header and footer",
            hint="use a reference document saved by Word or LibreOffice as .docx",
        )


def _header_xml(marking: str | None) -> str:
    """The header part: the marking, centred, or an empty paragraph."""
    body = _paragraph("Header", _marking_run(marking) if marking else "")
    return f'{DECLARATION}<w:hdr xmlns:w="{W}" xmlns:r="{R}">{body}</w:hdr>'


def _footer_xml(marking: str | None) -> str:
    """The footer part: the marking, then "Page N of M" from Word's own fields."""
    page = (
        '<w:r><w:t xml:space="preserve">Page </w:t></w:r>'
        + _field("PAGE")
        + '<w:r><w:t xml:space="preserve"> of </w:t></w:r>'
        + _field("NUMPAGES")
    )
    body = _paragraph("Footer", _marking_run(marking)) if marking else ""
    body += _paragraph("Footer", page)
    return f'{DECLARATION}<w:ftr xmlns:w="{W}" xmlns:r="{R}">{body}</w:ftr>'


def _paragraph(style: str, runs: str) -> str:
    return f'<w:p><w:pPr><w:pStyle w:val="{style}"/><w:jc w:val="center"/></w:pPr>{runs}</w:p>'


def _marking_run(marking: str) -> str:
    if NOT_XML_TEXT.search(marking):
        raise BriefError(
            f"the marking {marking!r} holds a control character a Word file cannot hold",
            hint="remove it from the marking",
        )
    text = escape(marking, {'"': "&quot;", "'": "&apos;"})
    return (
        f'<w:r><w:rPr><w:b/><w:color w:val="{MARKING_COLOUR}"/></w:rPr>'
        f'<w:t xml:space="preserve">{text}</w:t></w:r>'
    )


def _field(name: str) -> str:
    """A field Word fills in when it lays out the page; "1" until then."""
    return f'<w:fldSimple w:instr=" {name} "><w:r><w:t>1</w:t></w:r></w:fldSimple>'


def _with_overrides(types: bytes, gone: set[str]) -> bytes:
    """[Content_Types].xml naming briefgen's header and footer, and not the removed parts."""
    root = parse(types, CONTENT_TYPES)
    stale = {"/" + name for name in gone} | {"/" + HEADER, "/" + FOOTER}
    for override in root.findall(f"{{{TYPES}}}Override"):
        if override.get("PartName") in stale:
            root.remove(override)
    for name, content_type in ((HEADER, HEADER_CONTENT), (FOOTER, FOOTER_CONTENT)):
        ET.SubElement(root, f"{{{TYPES}}}Override", PartName="/" + name, ContentType=content_type)
    return list_part(root, TYPES)


# Document properties


def _dated_core(core: bytes, day: datetime.date) -> bytes:
    """core.xml created and modified on `day` at midnight UTC, without the template's history."""
    root = parse(core, CORE)
    for tag in ("lastModifiedBy", "lastPrinted", "revision"):
        for el in root.findall(f"{{{CP}}}{tag}"):
            root.remove(el)
    stamp = f"{day.isoformat()}T00:00:00Z"
    for tag in ("created", "modified"):
        found = root.find(f"{{{DCTERMS}}}{tag}")
        el = ET.SubElement(root, f"{{{DCTERMS}}}{tag}") if found is None else found
        el.set(f"{{{XSI}}}type", "dcterms:W3CDTF")
        el.text = stamp
    return _serialized(root)


# The zip


def _packed(parts: dict[str, bytes], day: datetime.date) -> bytes:
    """The parts as a zip whose bytes depend only on the parts and `day`."""
    stamp = (min(max(day.year, 1980), 2107), day.month, day.day, 0, 0, 0)
    order = [CONTENT_TYPES, *sorted(name for name in parts if name != CONTENT_TYPES)]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in order:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = _FILE_MODE
            archive.writestr(info, parts[name], compresslevel=6)
    return buffer.getvalue()


# XML helpers


def _serialized(root: ET.Element) -> bytes:
    """An element tree as a part, with the declaration Word expects."""
    return (DECLARATION + ET.tostring(root, encoding="unicode")).encode("utf-8")


def _with_declaration(text: str) -> str:
    """`text` starting with the standalone XML declaration instead of any it had."""
    return DECLARATION + re.sub(r"^\s*<\?xml[^>]*\?>\s*", "", text)
