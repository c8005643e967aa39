"""Reading a Word file (OOXML package) safely, and what a reader sees of it.

A DOCX is a zip of XML parts tied together by relationships. Reference
documents come from the project (hostile input) and Pandoc copies their parts
into its output, so every read here is capped (parts, bytes, names), every XML
part is parsed without document type declarations, and active content (macros,
controls, embedded programs) and links to outside files are refused.
`part_text` gives what a reader sees of a part, for the release guard.
"""

from __future__ import annotations

import io
import posixpath
import re
import xml.etree.ElementTree as ET
import zipfile
from xml.sax.saxutils import quoteattr

from briefgen.errors import BriefError

MAX_PARTS = 1000
"""More parts than this is no document briefgen would make."""
MAX_BYTES = 100 * 1024 * 1024
"""The most all parts together may hold once unpacked (100 MiB)."""
_CHUNK = 1024 * 1024

CONTENT_TYPES = "[Content_Types].xml"
DOCUMENT = "word/document.xml"

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
M = "http://schemas.openxmlformats.org/officeDocument/2006/math"
WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
V = "urn:schemas-microsoft-com:vml"
HYPERLINK = R + "/hyperlink"
TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
"""The declaration Word writes on every part."""

NOT_XML_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
"""Characters XML 1.0 cannot hold (in part names, in a marking)."""


def check_reference(data: bytes, what: str) -> None:
    """Refuse a reference document before Pandoc reads it: `what` names it in the message.

    It must be a DOCX (a zip with the content types, a document and styles) within
    the size limits, with no macros and no links to outside files.
    """
    parts = dict(read_parts(data, what))
    refuse_active_content(parts)
    refuse_outside_links(parts, allowed=frozenset())
    for name, content in parts.items():
        if name.endswith((".xml", ".rels")):
            parse(content, name)  # well-formed, no DOCTYPE
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
        (name, decoded(content, name))
        for name, content in read_parts(data, "the DOCX output")
        if name.endswith((".xml", ".rels"))
    ]


def docx_media(data: bytes) -> list[tuple[str, bytes]]:
    """Every part of a DOCX that is not XML (pictures, mostly) as (name, bytes), in zip order."""
    return [
        (name, content)
        for name, content in read_parts(data, "the DOCX output")
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


def read_parts(data: bytes, what: str) -> list[tuple[str, bytes]]:
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
        or NOT_XML_TEXT.search(name) is not None
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


def refuse_active_content(parts: dict[str, bytes]) -> None:
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


def refuse_outside_links(parts: dict[str, bytes], *, allowed: frozenset[str]) -> None:
    """Refuse relationships to outside files, other than hyperlinks in the `allowed` parts.

    The brief's own links live in the body and the notes; a reference document
    has no reason to link anywhere (a "hyperlink" can name an attached template too).
    """
    for name, content in parts.items():
        if not name.endswith(".rels"):
            continue
        for rel in parse(content, name).iter(f"{{{RELS}}}Relationship"):
            external = rel.get("TargetMode", "").lower() == "external"
            if external and (rel.get("Type") != HYPERLINK or name not in allowed):
                kind = (rel.get("Type") or "unknown").rsplit("/", 1)[-1]
                raise BriefError(
                    f"the reference document links to an outside file ({kind} "
                    f"{rel.get('Target')!r} in {name}): Word would fetch it on opening",
                    hint="use a reference document without it",
                )


def decoded(content: bytes, name: str) -> str:
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


def parse(content: bytes, name: str) -> ET.Element:
    """A part parsed, refusing document type declarations (no entity tricks)."""
    return _parse_text(decoded(content, name), f"the Word file's part {name}")


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


def resolved(source: str, target: str) -> str:
    """The part a relationship target names, from the part that holds the relationship."""
    if target.startswith("/"):
        return posixpath.normpath(target).lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(source), target))


def rels_source(rels_name: str) -> str:
    """The part a .rels part belongs to: word/_rels/document.xml.rels → word/document.xml."""
    folder, base = posixpath.split(rels_name)
    return posixpath.join(posixpath.dirname(folder), base.removesuffix(".rels"))


def rels_name(part: str) -> str:
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


def list_part(root: ET.Element, namespace: str) -> bytes:
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
    return f'{DECLARATION}<{local} xmlns="{namespace}">{items}</{local}>'.encode()
