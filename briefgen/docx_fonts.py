"""The bundled fonts embedded in a DOCX, so Word and LibreOffice show it as the PDF looks.

A reader's machine seldom has Charis SIL or Noto Sans, and Word would set the
brief in whatever it has instead. So each bundled face the document's styles
name is embedded, cut down to the characters the document uses plus printable
ASCII (so an editor can still type), with fontTools (which WeasyPrint already
brings). Word stores embedded fonts obfuscated (ECMA-376 Part 1, 17.8.1): the
first 32 bytes XORed with a key taken from a GUID, which is derived here from
the subset's bytes so that a rebuild gives the same file. The SIL Open Font
License lets fonts be embedded in documents.
"""

from __future__ import annotations

import hashlib
import io
import re
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping

from briefgen.fonts import FOLDER
from briefgen.ooxml import CONTENT_TYPES, RELS, TYPES, R, list_part, parse

FONT_TABLE = "word/fontTable.xml"
FONT_TABLE_RELS = "word/_rels/fontTable.xml.rels"
SETTINGS = "word/settings.xml"
FONT_TYPE = R + "/font"
OBFUSCATED = "application/vnd.openxmlformats-officedocument.obfuscatedFont"

FACES: Mapping[str, Mapping[str, str]] = {
    "Charis SIL": {
        "Regular": "charis-sil/CharisSIL-Regular.ttf",
        "Bold": "charis-sil/CharisSIL-Bold.ttf",
        "Italic": "charis-sil/CharisSIL-Italic.ttf",
        "BoldItalic": "charis-sil/CharisSIL-BoldItalic.ttf",
    },
    "Noto Sans": {
        "Regular": "noto-sans/NotoSans-Regular.ttf",
        "Bold": "noto-sans/NotoSans-Bold.ttf",
        "Italic": "noto-sans/NotoSans-Italic.ttf",
    },
}
"""The bundled families by the name styles give them, and each face's file under FOLDER."""
ALWAYS = "".join(chr(code) for code in range(0x20, 0x7F)) + "•–—‘’“”…·§"
"""Characters every subset keeps: printable ASCII and the punctuation an editor reaches for."""
_KEY_POSITIONS = (35, 33, 31, 29, 27, 25, 22, 20, 17, 15, 12, 10, 7, 5, 3, 1)
"""Where each key byte's two hex digits stand in '{XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}'."""
_SETTINGS_BEFORE = frozenset(
    {
        "writeProtection",
        "view",
        "zoom",
        "removePersonalInformation",
        "removeDateAndTime",
        "doNotDisplayPageBoundaries",
        "displayBackgroundShape",
        "printPostScriptOverText",
        "printFractionalCharacterWidth",
        "printFormsData",
    }
)
"""The settings the schema puts before `embedTrueTypeFonts` (Word refuses another order)."""


def embed_fonts(parts: dict[str, bytes], text: str) -> None:
    """Embed, in place, each bundled face the document names, cut to `text`'s characters."""
    named = _named_families(parts)
    if not named or FONT_TABLE not in parts:
        return
    characters = "".join(sorted(set(text) | set(ALWAYS)))
    rels = parse(parts[FONT_TABLE_RELS], FONT_TABLE_RELS) if FONT_TABLE_RELS in parts else None
    relationships: list[tuple[str, str]] = [] if rels is None else _kept(rels)
    table = parts[FONT_TABLE].decode("utf-8")
    for family in named:
        embeds = []
        for face, file in FACES[family].items():
            font = _subset((FOLDER / file).read_bytes(), characters)
            key = str(uuid.uuid5(uuid.NAMESPACE_URL, hashlib.sha256(font).hexdigest())).upper()
            guid = "{" + key + "}"
            name = f"fonts/briefgen-{file.rsplit('/', 1)[1].removesuffix('.ttf').lower()}.odttf"
            parts[f"word/{name}"] = obfuscated(font, guid)
            rel_id = f"rIdBriefgenFont{len(relationships) + 1}"
            relationships.append((rel_id, name))
            embeds.append(
                f'<w:embed{face} xmlns:r="{R}" r:id="{rel_id}" w:fontKey="{guid}" w:subsetted="1"/>'
            )
        table = _with_embeds(table, family, embeds)
    parts[FONT_TABLE] = table.encode("utf-8")
    parts[FONT_TABLE_RELS] = _rels_part(relationships)
    parts[CONTENT_TYPES] = _with_default(parts[CONTENT_TYPES])
    if SETTINGS in parts:
        parts[SETTINGS] = _embedding_settings(parts[SETTINGS].decode("utf-8")).encode("utf-8")


def obfuscated(font: bytes, guid: str) -> bytes:
    """`font` as Word embeds it: its first 32 bytes XORed with the key `guid` gives."""
    key = bytes(int(guid[i : i + 2], 16) for i in _KEY_POSITIONS)
    head = bytes(byte ^ key[index % 16] for index, byte in enumerate(font[:32]))
    return head + font[32:]


def _named_families(parts: Mapping[str, bytes]) -> list[str]:
    """The bundled families the document's styles or text name."""
    named = b"".join(parts.get(name, b"") for name in ("word/styles.xml", "word/document.xml"))
    return [family for family in FACES if f'"{family}"'.encode() in named]


def _subset(font: bytes, characters: str) -> bytes:
    """`font` cut down to `characters`, with its names and common layout features kept."""
    # Imported here: fontTools takes a tenth of a second to import, and only a DOCX needs it.
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.name_IDs = ["*"]  # the names and the licence text travel with the font
    options.name_languages = ["*"]
    options.notdef_outline = True  # fontTools' default OpenType features are kept
    # Charis SIL's Graphite tables: no subsetter for them, and Word and LibreOffice shape
    # text with OpenType's, which are kept.
    options.drop_tables += ["Silf", "Silt", "Sill", "Glat", "Gloc", "Feat"]
    loaded = TTFont(io.BytesIO(font), recalcTimestamp=False)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=characters)
    subsetter.subset(loaded)
    out = io.BytesIO()
    loaded.save(out)
    return out.getvalue()


def _kept(rels: ET.Element) -> list[tuple[str, str]]:
    """The relationships a font table already has (from the reference document), as (id, target)."""
    return [
        (str(rel.get("Id")), str(rel.get("Target")))
        for rel in rels.iter(f"{{{RELS}}}Relationship")
        if rel.get("TargetMode", "").lower() != "external"
    ]


def _with_embeds(table: str, family: str, embeds: Iterable[str]) -> str:
    """fontTable.xml with `family`'s entry embedding the faces (an entry is added if missing)."""
    entry = re.compile(rf'<w:font w:name="{re.escape(family)}"\s*>(.*?)</w:font>', re.DOTALL)
    found = entry.search(table)
    body = re.sub(r"<w:embed\w+\b[^>]*/>", "", found.group(1)) if found else ""
    replacement = f'<w:font w:name="{family}">{body}{"".join(embeds)}</w:font>'
    if found:
        return table[: found.start()] + replacement + table[found.end() :]
    table = re.sub(r"<w:fonts\b([^>]*?)\s*/>", r"<w:fonts\1></w:fonts>", table, count=1)
    return table.replace("</w:fonts>", replacement + "</w:fonts>")


def _rels_part(relationships: Iterable[tuple[str, str]]) -> bytes:
    """The font table's relationships: one per embedded face (and any it had)."""
    root = ET.Element(f"{{{RELS}}}Relationships")
    for rel_id, target in relationships:
        ET.SubElement(root, f"{{{RELS}}}Relationship", Id=rel_id, Type=FONT_TYPE, Target=target)
    return list_part(root, RELS)


def _with_default(types: bytes) -> bytes:
    """[Content_Types].xml that knows the .odttf extension."""
    root = parse(types, CONTENT_TYPES)
    if not any(d.get("Extension") == "odttf" for d in root.iter(f"{{{TYPES}}}Default")):
        ET.SubElement(root, f"{{{TYPES}}}Default", Extension="odttf", ContentType=OBFUSCATED)
    return list_part(root, TYPES)


def _embedding_settings(settings: str) -> str:
    """settings.xml asking Word to keep the fonts embedded, as subsets, in schema order."""
    settings = re.sub(r"<w:(embedTrueTypeFonts|saveSubsetFonts)\b[^>]*/>", "", settings)
    settings = _insert(settings, "<w:embedTrueTypeFonts/>", _SETTINGS_BEFORE)
    after = _SETTINGS_BEFORE | {"embedTrueTypeFonts", "embedSystemFonts"}
    return _insert(settings, "<w:saveSubsetFonts/>", after)


def _insert(settings: str, element: str, before: frozenset[str]) -> str:
    """`element` put before the first child of w:settings that the schema places after it."""
    opening = re.search(r"<w:settings\b[^>]*>", settings)
    if opening is None:
        return settings
    for child in re.finditer(r"<w:(\w+)\b", settings[opening.end() :]):
        if child.group(1) not in before:
            at = opening.end() + child.start()
            return settings[:at] + element + settings[at:]
    closing = settings.rindex("</w:settings>")
    return settings[:closing] + element + settings[closing:]
