"""Pandoc as briefgen runs it: the extra's own binary, sandboxed, under a time and memory budget."""

from __future__ import annotations

import http.server
import io
import sys
import threading
import types
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from briefgen import pandoc
from briefgen.errors import BriefError
from briefgen.pandoc_ast import Node, note, para, text
from briefgen.workers import Budget
from tests.test_edition import walk

BUDGET = Budget(60, 1024 * 1024 * 1024)


def document(*blocks: Node) -> Node:
    return {"meta": {}, "blocks": list(blocks)}


def image(url: str) -> Node:
    return {"t": "Image", "c": [["", [], []], text("a picture"), [url, ""]]}


def test_without_the_extra_the_error_names_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pypandoc", None)  # `import pypandoc` fails
    with pytest.raises(BriefError) as caught:
        pandoc.pandoc_binary()
    assert str(caught.value) == (
        "DOCX and Markdown editions need Pandoc "
        "(install the extra: pip install 'briefgen[docx]' (it brings Pandoc))"
    )


def test_a_pandoc_on_path_is_not_used(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Plain pypandoc (no bundled binary) is not enough: a system Pandoc would decide the bytes."""
    fake = types.ModuleType("pypandoc")
    fake.__file__ = str(tmp_path / "pypandoc" / "__init__.py")
    monkeypatch.setitem(sys.modules, "pypandoc", fake)
    with pytest.raises(BriefError, match=r"briefgen\[docx\].*a Pandoc on PATH is not used"):
        pandoc.pandoc_binary()


def test_markdown_has_numbered_notes_and_a_metadata_block() -> None:
    meta = {"title": {"t": "MetaInlines", "c": text("The brief")}}
    body = para([*text("A claim."), note([para(text("The source, para. 2."))])])
    written = pandoc.write({"meta": meta, "blocks": [body]}, "md", budget=BUDGET).decode()
    assert written == "---\ntitle: The brief\n---\n\nA claim.[^1]\n\n[^1]: The source, para. 2.\n"


def test_docx_has_native_footnotes() -> None:
    body = para([*text("A claim."), note([para(text("The source, para. 2."))])])
    written = pandoc.write(document(body), "docx", budget=BUDGET)
    with zipfile.ZipFile(io.BytesIO(written)) as archive:
        notes = archive.read("word/footnotes.xml").decode()
        body_xml = archive.read("word/document.xml").decode()
    assert "The source, para. 2." in notes
    assert "w:footnoteReference" in body_xml


def test_the_sandbox_reads_no_file_it_was_not_given(tmp_path: Path) -> None:
    secret = tmp_path / "secret.png"
    secret.write_bytes(b"\x89PNG not really, but private")
    written = pandoc.write(document(para([image(str(secret))])), "docx", budget=BUDGET)
    with zipfile.ZipFile(io.BytesIO(written)) as archive:
        assert not [name for name in archive.namelist() if name.startswith("word/media/")]
        assert all(b"private" not in archive.read(name) for name in archive.namelist())


@pytest.fixture
def listening() -> Iterator[list[str]]:
    """A local web server that records every request it gets."""
    asked: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            asked.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    asked.append(f"http://127.0.0.1:{server.server_address[1]}")
    yield asked
    server.shutdown()
    server.server_close()


def test_the_sandbox_fetches_nothing(listening: list[str]) -> None:
    url = listening.pop()
    pandoc.write(document(para([image(f"{url}/tracker.png")])), "docx", budget=BUDGET)
    assert listening == []


@pytest.mark.slow
def test_running_out_of_memory_is_a_plain_error() -> None:
    big = document(*[para(text("word " * 50)) for _ in range(20_000)])
    with pytest.raises(BriefError) as caught:
        pandoc.write(big, "docx", budget=Budget(60, 64 * 1024 * 1024))
    assert str(caught.value).startswith(
        "Pandoc needed more than 64 MiB of memory to write the DOCX (raise the limit"
    )
    assert "Heap exhausted" in str(caught.value.__cause__)  # Pandoc's words, for --debug


@pytest.mark.slow
def test_running_out_of_time_is_a_plain_error() -> None:
    big = document(*[para(text("word " * 50)) for _ in range(20_000)])
    expected = r"^Pandoc took longer than 0\.2 seconds to write the DOCX"
    with pytest.raises(BriefError, match=expected):
        pandoc.write(big, "docx", budget=Budget(0.2, 1024 * 1024 * 1024))


def test_a_reference_pandoc_cannot_read_is_refused_in_plain_words() -> None:
    with pytest.raises(BriefError) as caught:
        pandoc.write(document(para(text("x"))), "docx", budget=BUDGET, reference=b"PK\x03\x04")
    assert str(caught.value) == (
        "Pandoc could not write the DOCX with the reference document "
        "(use a reference document saved by Word or LibreOffice as .docx)"
    )


def test_the_version_is_the_bundled_pandocs() -> None:
    major, minor = (int(part) for part in pandoc.pandoc_version().split(".")[:2])
    assert (major, minor) >= pandoc.OLDEST


def read_back(markdown: str) -> list[Node]:
    """What Pandoc's own Markdown reader (as a wiki pipeline would run it) makes of `markdown`."""
    import json
    import subprocess

    done = subprocess.run(
        [str(pandoc.pandoc_binary()), "-f", "markdown-smart", "-t", "json"],
        input=markdown.encode(),
        capture_output=True,
        check=True,
    )
    return json.loads(done.stdout)["blocks"]


@pytest.mark.parametrize(
    "source",
    [
        "`<img src=x onerror=alert(1)>`{=html} after code",
        "a [link](https://example.org){onclick=alert(3)} with attributes",
        "`code`{onmouseover=alert(2)} and `{` alone",
        "[^1] is no note, nor is [x]: a reference, and $x$ is no maths",
        "<!-- not a comment --> and <b>not bold</b> and \\*stars\\*",
        "---\ntitle: not metadata\n---",
    ],
)
def test_fact_text_reads_back_from_the_markdown_as_text(source: str) -> None:
    from briefgen.pandoc_ast import braces_kept, markdown

    blocks = [para(markdown(source))]
    written = pandoc.write({"meta": {}, "blocks": braces_kept(blocks)}, "md", budget=BUDGET)
    again = read_back(written.decode())
    kinds = {node["t"] for node in walk(again)}
    assert not kinds & {"RawInline", "RawBlock", "Note", "Math", "Cite"}, kinds
    attributed = [n for n in walk(again) if n["t"] in {"Code", "Link", "Span"}]
    assert all(n["c"][0] == ["", [], []] for n in attributed), attributed
    assert _plain(again) == _plain(blocks)


def _plain(blocks: list[Node]) -> str:
    words = []
    for node in walk(blocks):
        if node["t"] == "Str":
            words.append(node["c"])
        elif node["t"] == "Code":
            words.append(node["c"][1])
        elif node["t"] in {"Space", "SoftBreak"}:
            words.append(" ")
    return "".join(words)


def test_pandoc_stopped_by_a_signal_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    import subprocess

    def stopped(command: list[str], **_: object) -> subprocess.CompletedProcess[bytes]:
        return subprocess.CompletedProcess(command, -2, b"", b"")

    pandoc.pandoc_version()  # asked of the real binary first (cached)
    monkeypatch.setattr(pandoc.subprocess, "run", stopped)
    with pytest.raises(BriefError) as caught:
        pandoc.write(document(para(text("x"))), "docx", budget=BUDGET)
    assert str(caught.value) == (
        "Pandoc was stopped (signal 2) while writing the DOCX (nothing was written; build again)"
    )
