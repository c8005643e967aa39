"""The bundled fonts embedded in a DOCX: obfuscated as Word does, cut to the text, in order."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

from briefgen import docx_fonts
from briefgen.docx import finish_docx
from briefgen.docx_fonts import FACES, obfuscated
from briefgen.fonts import FOLDER
from tests.test_docx_package import DAY, pandoc, parts_of

SHIPPED = Path(docx_fonts.__file__).parent / "templates" / "reference.docx"
GUID = "{00112233-4455-6677-8899-AABBCCDDEEFF}"


def test_obfuscation_xors_the_first_32_bytes_with_the_guid_read_backwards() -> None:
    font = bytes(range(40))
    hidden = obfuscated(font, GUID)
    key = bytes.fromhex("FFEEDDCCBBAA99887766554433221100")  # the GUID's bytes, last first
    assert hidden[:16] == bytes(a ^ b for a, b in zip(font[:16], key, strict=True))
    assert hidden[16:32] == bytes(a ^ b for a, b in zip(font[16:32], key, strict=True))
    assert hidden[32:] == font[32:]
    assert obfuscated(hidden, GUID) == font  # the same XOR undoes it


@pytest.fixture(scope="module")
def raw() -> bytes:
    """What Pandoc writes with briefgen's reference document, which names both families."""
    return pandoc("Hello *world* — ŋ\n\n# Heading\n", "--reference-doc", str(SHIPPED))


@pytest.fixture(scope="module")
def made(raw: bytes) -> bytes:
    return finish_docx(raw, marking="INTERNAL", day=DAY)


def test_each_named_bundled_face_is_embedded_cut_to_the_text(made: bytes) -> None:
    parts = parts_of(made)
    table = parts["word/fontTable.xml"].decode()
    rels = parts["word/_rels/fontTable.xml.rels"].decode()
    embedded = 0
    for family, faces in FACES.items():
        entry = re.search(rf'<w:font w:name="{family}">(.*?)</w:font>', table, re.DOTALL)
        assert entry, family
        for face, file in faces.items():
            found = re.search(rf'<w:embed{face} [^>]*r:id="([^"]+)" w:fontKey="([^"]+)"', entry[1])
            assert found, (family, face)
            target = re.search(rf'Id="{found[1]}" [^>]*Target="([^"]+)"', rels)
            assert target, found[1]
            font = obfuscated(parts["word/" + target[1]], found[2])
            loaded = TTFont(io.BytesIO(font))
            cmap = loaded.getBestCmap()
            assert ord("ŋ") in cmap and ord("A") in cmap  # the text's and ASCII
            assert ord("Ж") not in cmap  # what the document does not use is cut
            assert len(font) < (FOLDER / file).stat().st_size / 4
            embedded += 1
    assert embedded == 7
    types = parts["[Content_Types].xml"].decode()
    assert 'Extension="odttf"' in types and "obfuscatedFont" in types


def test_settings_ask_word_to_keep_them_in_schema_order(made: bytes) -> None:
    settings = parts_of(made)["word/settings.xml"].decode()
    children = re.findall(r"<w:(\w+)\b", settings.split(">", 2)[2])
    at = children.index("embedTrueTypeFonts")
    assert children[at + 1 : at + 3] == ["embedSystemFonts", "saveSubsetFonts"]
    assert set(children[:at]) <= docx_fonts._SETTINGS_BEFORE


def test_the_same_document_embeds_the_same_bytes(raw: bytes, made: bytes) -> None:
    assert finish_docx(raw, marking="INTERNAL", day=DAY) == made


def test_a_document_naming_no_bundled_font_embeds_nothing() -> None:
    made = finish_docx(pandoc("Hello\n"), marking=None, day=DAY)  # Pandoc's own styles
    with zipfile.ZipFile(io.BytesIO(made)) as archive:
        assert not [n for n in archive.namelist() if n.endswith(".odttf")]


def test_a_font_table_without_the_family_gets_its_entry() -> None:
    empty = '<w:fonts xmlns:w="urn:w"/>'
    table = docx_fonts._with_embeds(empty, "Charis SIL", ["<w:embedRegular/>"])
    assert table == (
        '<w:fonts xmlns:w="urn:w"><w:font w:name="Charis SIL"><w:embedRegular/></w:font></w:fonts>'
    )
    again = docx_fonts._with_embeds(table, "Charis SIL", ["<w:embedBold/>"])
    assert again.count("<w:font ") == 1 and "embedRegular" not in again  # replaced, not added
