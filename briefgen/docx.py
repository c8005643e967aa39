"""The Word file made final: read safely, briefgen's header and footer, fixed dates, stable zip.

Pandoc writes the DOCX, but it copies parts of the project's reference document
into it, and that document is hostile input: it may be a zip bomb, link to an
outside template that Word fetches on opening, or carry macros. `finish_docx`
refuses all of those, replaces whatever headers and footers the reference
document had with briefgen's own (the marking and "Page N of M" on every page),
fixes the document's dates to the build day and writes a zip whose bytes depend
only on its contents. `docx_parts` and `part_text` let the release guard read
what a DOCX shows.
"""

from __future__ import annotations

import datetime
import io
import posixpath
import re
import xml.etree.ElementTree as ET
import zipfile
from xml.sax.saxutils import escape, quoteattr

from briefgen.errors import BriefError

MAX_PARTS = 1000
"""More parts than this is no document briefgen would make."""
MAX_BYTES = 100 * 1024 * 1024
"""The most all parts together may hold once unpacked (100 MiB)."""
_CHUNK = 1024 * 1024
_FILE_MODE = 0o644 << 16
"""Every entry's permissions, fixed (zipfile would otherwise pick its own)."""

CONTENT_TYPES = "[Content_Types].xml"
DOCUMENT = "word/document.xml"
DOCUMENT_RELS = "word/_rels/document.xml.rels"
CORE = "docProps/core.xml"
SETTINGS = "word/settings.xml"
APP = "docProps/app.xml"
LINKING_PARTS = frozenset({DOCUMENT_RELS, "word/_rels/footnotes.xml.rels"})
"""The parts whose relationships may be hyperlinks out: the brief's text and its notes."""
HEADER = "word/header-briefgen.xml"
FOOTER = "word/footer-briefgen.xml"
MARKING_COLOUR = "8A1C1C"

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
CP = "http://schemas.openxmlformats.org/package/2006/metadata/core-properties"
DCTERMS = "http://purl.org/dc/terms/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
M = "http://schemas.openxmlformats.org/officeDocument/2006/math"
WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
V = "urn:schemas-microsoft-com:vml"
HYPERLINK = R + "/hyperlink"
HEADER_TYPE = R + "/header"
FOOTER_TYPE = R + "/footer"
HEADER_CONTENT = "application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml"
FOOTER_CONTENT = "application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml"

_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
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
_NOT_XML_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_KINDS = ("default", "even", "first")


def finish_docx(raw: bytes, *, marking: str | None, day: datetime.date) -> bytes:
    """The DOCX Pandoc made, made safe and final.

    Refuses a reference document that is too big, links to outside files or
    carries macros; puts briefgen's header and footer (the marking, "Page N of
    M") on every page; dates the document `day`; and packs it so that the same
    input gives the same bytes.
    """
    what = "the Word file Pandoc made with the reference document"
    parts = dict(_read_zip(raw, what))
    _refuse_active_content(parts)
    _refuse_outside_links(parts, allowed=LINKING_PARTS)
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
    _prune(parts)
    return _packed(parts, day)


def check_reference(data: bytes, what: str) -> None:
    """Refuse a reference document before Pandoc reads it: `what` names it in the message.

    It must be a DOCX (a zip with the content types, a document and styles) within
    the size limits, with no macros and no links to outside files.
    """
    parts = dict(_read_zip(data, what))
    _refuse_active_content(parts)
    _refuse_outside_links(parts, allowed=frozenset())
    for name, content in parts.items():
        if name.endswith((".xml", ".rels")):
            _parse(content, name)  # well-formed, no DOCTYPE
    for name in (CONTENT_TYPES, DOCUMENT, "word/styles.xml"):
        if name not in parts:
            raise BriefError(
                f"{what} is not a Word document: it has no {name}",
                hint="use a reference document saved by Word or LibreOffice as .docx",
            )


def docx_parts(data: bytes) -> list[tuple[str, str]]:
    """Every XML part of a DOCX (`.xml` and `.rels`) as (name, text), in zip order.

    Media and other binary parts are skipped; the same limits as `finish_docx` apply.
    """
    return [
        (name, _decoded(content, name))
        for name, content in _read_zip(data, "the DOCX output")
        if name.endswith((".xml", ".rels"))
    ]


def docx_media(data: bytes) -> list[tuple[str, bytes]]:
    """Every part of a DOCX that is not XML (pictures, mostly) as (name, bytes), in zip order."""
    return [
        (name, content)
        for name, content in _read_zip(data, "the DOCX output")
        if not name.endswith((".xml", ".rels"))
    ]


def part_text(xml: str) -> str:
    """What a reader sees of one DOCX part.

    Word parts give their run text as laid out: runs joined with nothing between
    them, a newline after each paragraph and line break, a space for a tab; field
    instructions are not text, deleted text is. Pictures' alternative text and
    WordArt strings count too. Other parts (document properties) give the text of
    every element, one to a line.
    """
    root = _parse_text(xml, "a part of the DOCX output")
    if root.tag.startswith("{" + W + "}"):
        pieces: list[str] = []
        _word_text(root, None, pieces)
        return "".join(pieces)
    return "\n".join(el.text for el in root.iter() if el.text and el.text.strip())


# Reading a zip safely


def _read_zip(data: bytes, what: str) -> list[tuple[str, bytes]]:
    """The parts of a zip, refused when it is not one, too big or names odd paths."""
    hint = "use a reference document saved by Word or LibreOffice as .docx"
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError) as err:
        raise BriefError(f"{what} is not a Word file (not a zip archive)", hint=hint) from err
    with archive:
        infos = [info for info in archive.infolist() if not info.is_dir()]
        if len(infos) > MAX_PARTS:
            raise BriefError(
                f"{what} has {len(infos):,} parts, more than the {MAX_PARTS:,} allowed",
                hint="use a smaller reference document",
            )
        if sum(info.file_size for info in infos) > MAX_BYTES:
            raise BriefError(
                f"{what} would unpack to more than {MAX_BYTES // 1024 // 1024} MiB",
                hint="use a smaller reference document",
            )
        seen: set[str] = set()
        parts: list[tuple[str, bytes]] = []
        left = MAX_BYTES
        for info in infos:
            _check_name(info.filename, seen, what, hint)
            content = _read_capped(archive, info, left, what, hint)
            left -= len(content)
            parts.append((info.filename, content))
        return parts


def _check_name(name: str, seen: set[str], what: str, hint: str) -> None:
    """Refuse part names that climb out, start at the root, use backslashes or repeat."""
    odd = (
        "\\" in name
        or name.startswith("/")
        or re.match(r"[A-Za-z]:", name) is not None
        or ".." in name.split("/")
        or _NOT_XML_TEXT.search(name) is not None
    )
    if odd:
        raise BriefError(f"{what} has a part with an unsafe name: {name!r}", hint=hint)
    if name in seen:
        raise BriefError(f"{what} has two parts named {name!r}", hint=hint)
    seen.add(name)


def _read_capped(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, left: int, what: str, hint: str
) -> bytes:
    """One part's bytes, read a chunk at a time and never more than `left` in all.

    The sizes in a zip's directory are the zip's own claim; this cap holds
    whatever the compressed data really unpacks to.
    """
    chunks: list[bytes] = []
    got = 0
    try:
        with archive.open(info) as stream:
            while chunk := stream.read(min(_CHUNK, left - got + 1)):
                got += len(chunk)
                if got > left:
                    raise BriefError(
                        f"{what} would unpack to more than {MAX_BYTES // 1024 // 1024} MiB",
                        hint="use a smaller reference document",
                    )
                chunks.append(chunk)
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError) as err:
        raise BriefError(
            f"{what} is damaged: part {info.filename!r} cannot be read", hint=hint
        ) from err
    return b"".join(chunks)


# What the reference document must not bring


def _refuse_active_content(parts: dict[str, bytes]) -> None:
    """Refuse macros, ActiveX controls and embedded OLE objects."""
    types = parts.get(CONTENT_TYPES, b"").decode("utf-8", "replace").lower()
    for name in parts:
        lower = name.lower()
        base = posixpath.basename(lower)
        active = (
            base == "vbaproject.bin"
            or base.startswith("vbadata")
            or (lower.startswith("word/") and base.endswith(".bin"))
            or lower.startswith(("word/activex/", "word/embeddings/"))
        )
        if active:
            _refuse_macros(f"it carries {name!r}")
    if "macroenabled" in types or "vnd.ms-office.vbaproject" in types:
        _refuse_macros("its content types declare macros")


def _refuse_macros(why: str) -> None:
    raise BriefError(
        f"the reference document holds macros, controls or embedded programs ({why}): "
        "Word could run them on opening",
        hint="use a reference document saved as .docx without macros or embedded objects",
    )


def _refuse_outside_links(parts: dict[str, bytes], *, allowed: frozenset[str]) -> None:
    """Refuse relationships to outside files, other than hyperlinks in the `allowed` parts.

    The brief's own links live in the body and the notes; a reference document
    has no reason to link anywhere (a "hyperlink" can name an attached template too).
    """
    for name, content in parts.items():
        if not name.endswith(".rels"):
            continue
        for rel in _parse(content, name).iter(f"{{{RELS}}}Relationship"):
            external = rel.get("TargetMode", "").lower() == "external"
            if external and (rel.get("Type") != HYPERLINK or name not in allowed):
                kind = (rel.get("Type") or "unknown").rsplit("/", 1)[-1]
                raise BriefError(
                    f"the reference document links to an outside file ({kind} "
                    f"{rel.get('Target')!r} in {name}): Word would fetch it on opening",
                    hint="use a reference document without it",
                )


# Headers and footers


def _replace_headers_and_footers(parts: dict[str, bytes], marking: str | None) -> None:
    """Put briefgen's header and footer on every page, in place of any the document had."""
    rels = _parse(parts[DOCUMENT_RELS], DOCUMENT_RELS)
    dropped = _drop_header_and_footer_rels(rels)
    taken = {rel.get("Id") for rel in rels}
    header_id = _free_id("rIdBriefgenHeader", taken)
    footer_id = _free_id("rIdBriefgenFooter", taken)
    for rel_id, rel_type, target in (
        (header_id, HEADER_TYPE, posixpath.basename(HEADER)),
        (footer_id, FOOTER_TYPE, posixpath.basename(FOOTER)),
    ):
        ET.SubElement(rels, f"{{{RELS}}}Relationship", Id=rel_id, Type=rel_type, Target=target)
    parts[DOCUMENT_RELS] = _flat_serialized(rels, RELS)
    parts[DOCUMENT] = _with_references(parts[DOCUMENT], header_id, footer_id)
    gone = _unreferenced(parts, dropped)
    for name in gone:
        parts.pop(name, None)
        parts.pop(_rels_name(name), None)
    parts[HEADER] = _header_xml(marking).encode("utf-8")
    parts[FOOTER] = _footer_xml(marking).encode("utf-8")
    parts[CONTENT_TYPES] = _with_overrides(parts[CONTENT_TYPES], gone)


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
        rels = _rels_name(source)
        if rels not in parts or rels in reached:
            continue
        reached.add(rels)
        for rel in _parse(parts[rels], rels).iter(f"{{{RELS}}}Relationship"):
            if rel.get("TargetMode", "").lower() == "external":
                continue
            target = _resolved(source, rel.get("Target", ""))
            if target in parts and target not in reached:
                reached.add(target)
                todo.append(target)
    gone = set(parts) - reached
    for name in gone:
        del parts[name]
    if gone:
        root = _parse(parts[CONTENT_TYPES], CONTENT_TYPES)
        for override in root.findall(f"{{{TYPES}}}Override"):
            if (override.get("PartName") or "").lstrip("/") in gone:
                root.remove(override)
        parts[CONTENT_TYPES] = _flat_serialized(root, TYPES)


def _drop_header_and_footer_rels(rels: ET.Element) -> set[str]:
    """Remove the document's header and footer relationships; the parts they named."""
    dropped: set[str] = set()
    for rel in list(rels):
        if rel.get("Type") in (HEADER_TYPE, FOOTER_TYPE):
            dropped.add(_resolved(DOCUMENT, rel.get("Target", "")))
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
            source = _rels_source(name)
            for rel in _parse(content, name).iter(f"{{{RELS}}}Relationship"):
                if rel.get("TargetMode", "").lower() != "external":
                    still.add(_resolved(source, rel.get("Target", "")))
    return {
        name
        for name in dropped - still
        if name in parts and _parse(parts[name], name).tag in (f"{{{W}}}hdr", f"{{{W}}}ftr")
    }


def _with_references(document: bytes, header_id: str, footer_id: str) -> bytes:
    """document.xml with every section pointing at briefgen's header and footer only.

    Pandoc writes document.xml itself, so its section properties are edited as
    text (keeping every namespace declaration as Pandoc wrote it) and the result
    is checked by parsing it.
    """
    text = _decoded(document, DOCUMENT)
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
    root = _parse(text.encode("utf-8"), DOCUMENT)
    body = root.find(f"{{{W}}}body")
    if body is not None and (len(body) == 0 or body[-1].tag != f"{{{W}}}sectPr"):
        end = text.rfind("</w:body>")
        if end >= 0:
            text = text[:end] + "<w:sectPr>" + references + "</w:sectPr>" + text[end:]
            root = _parse(text.encode("utf-8"), DOCUMENT)
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
    return f'{_DECLARATION}<w:hdr xmlns:w="{W}" xmlns:r="{R}">{body}</w:hdr>'


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
    return f'{_DECLARATION}<w:ftr xmlns:w="{W}" xmlns:r="{R}">{body}</w:ftr>'


def _paragraph(style: str, runs: str) -> str:
    return f'<w:p><w:pPr><w:pStyle w:val="{style}"/><w:jc w:val="center"/></w:pPr>{runs}</w:p>'


def _marking_run(marking: str) -> str:
    if _NOT_XML_TEXT.search(marking):
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
    root = _parse(types, CONTENT_TYPES)
    stale = {"/" + name for name in gone} | {"/" + HEADER, "/" + FOOTER}
    for override in root.findall(f"{{{TYPES}}}Override"):
        if override.get("PartName") in stale:
            root.remove(override)
    for name, content_type in ((HEADER, HEADER_CONTENT), (FOOTER, FOOTER_CONTENT)):
        ET.SubElement(root, f"{{{TYPES}}}Override", PartName="/" + name, ContentType=content_type)
    return _flat_serialized(root, TYPES)


# Document properties


def _dated_core(core: bytes, day: datetime.date) -> bytes:
    """core.xml created and modified on `day` at midnight UTC, without the template's history."""
    root = _parse(core, CORE)
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


def _decoded(content: bytes, name: str) -> str:
    """A part's text: UTF-8, or UTF-16 when it starts with a byte-order mark."""
    try:
        if content.startswith((b"\xff\xfe", b"\xfe\xff")):
            return content.decode("utf-16")
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise BriefError(
            f"the Word file's part {name} is not readable text",
            hint="use a reference document saved by Word or LibreOffice as .docx",
        ) from err


def _parse(content: bytes, name: str) -> ET.Element:
    """A part parsed, refusing document type declarations (no entity tricks)."""
    return _parse_text(_decoded(content, name), f"the Word file's part {name}")


def _parse_text(text: str, what: str) -> ET.Element:
    hint = "use a reference document saved by Word or LibreOffice as .docx"
    if "<!DOCTYPE" in text.upper():
        raise BriefError(f"{what} declares a document type, which Word files never do", hint=hint)
    try:
        return ET.fromstring(text)
    except ET.ParseError as err:
        line, column = err.position  # expat counts columns from 0
        raise BriefError(
            f"{what} is not well-formed XML (line {line}, column {column + 1})", hint=hint
        ) from err


def _serialized(root: ET.Element) -> bytes:
    """An element tree as a part, with the declaration Word expects."""
    return (_DECLARATION + ET.tostring(root, encoding="unicode")).encode("utf-8")


def _flat_serialized(root: ET.Element, namespace: str) -> bytes:
    """A list part ([Content_Types].xml, a .rels) written in its namespace, unprefixed.

    ElementTree cannot write a default namespace with plain attributes, and
    these parts are a flat list of empty elements, so they are written out here.
    """
    local = root.tag.split("}")[-1]
    items = "".join(
        "<{}{} />".format(
            child.tag.split("}")[-1],
            "".join(f" {key}={quoteattr(value)}" for key, value in child.attrib.items()),
        )
        for child in root
        if child.tag.startswith("{" + namespace + "}")
    )
    return f'{_DECLARATION}<{local} xmlns="{namespace}">{items}</{local}>'.encode()


def _with_declaration(text: str) -> str:
    """`text` starting with the standalone XML declaration instead of any it had."""
    return _DECLARATION + re.sub(r"^\s*<\?xml[^>]*\?>\s*", "", text)


def _resolved(source: str, target: str) -> str:
    """The part a relationship target names, from the part that holds the relationship."""
    if target.startswith("/"):
        return posixpath.normpath(target).lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(source), target))


def _rels_source(rels_name: str) -> str:
    """The part a .rels part belongs to: word/_rels/document.xml.rels → word/document.xml."""
    folder, base = posixpath.split(rels_name)
    return posixpath.join(posixpath.dirname(folder), base.removesuffix(".rels"))


def _rels_name(part: str) -> str:
    """The .rels part of a part: word/header1.xml → word/_rels/header1.xml.rels."""
    folder, base = posixpath.split(part)
    return posixpath.join(folder, "_rels", base + ".rels")


def _word_text(el: ET.Element, parent: ET.Element | None, out: list[str]) -> None:
    """Append what a reader sees of `el` and its children to `out`."""
    tag = el.tag
    if tag in (f"{{{W}}}t", f"{{{W}}}delText", f"{{{M}}}t"):
        out.append(el.text or "")
    elif tag == f"{{{W}}}tab" and parent is not None and parent.tag == f"{{{W}}}r":
        out.append(" ")
    elif tag in (f"{{{W}}}br", f"{{{W}}}cr"):
        out.append("\n")
    elif tag == f"{{{W}}}noBreakHyphen":
        out.append("-")
    elif tag == f"{{{W}}}softHyphen":
        out.append("\u00ad")
    elif tag == f"{{{WP}}}docPr":
        out.extend(f"{el.get(key)}\n" for key in ("title", "descr") if el.get(key))
    elif tag == f"{{{V}}}textpath" and el.get("string"):
        out.append(f"{el.get('string')}\n")
    if tag != f"{{{W}}}instrText":
        for child in el:
            _word_text(child, el, out)
    if tag == f"{{{W}}}p":
        out.append("\n")
