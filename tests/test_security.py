"""Hostile templates and facts: no file outside the project, no network, nothing unescaped."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader

from briefgen.errors import BriefError
from briefgen.pipeline import build
from tests.conftest import edit
from tests.hostile import local_server

CONFIG = Path("briefgen.yaml")


@pytest.fixture
def server() -> Iterator[tuple[str, list[str]]]:
    """A local HTTP server that serves a marker stylesheet and counts every request."""
    with local_server() as (base, requests):
        yield base, requests


def hostile_template(root: Path, base: str, outside: Path) -> None:
    (root / "templates").mkdir(exist_ok=True)
    (root / "templates" / "brief.html.j2").write_text(
        '{% extends "base.html.j2" %}{% block head_extra %}'
        f'<link rel="stylesheet" href="{base}/style.css">'
        f'<style>@import url("{base}/imported.css");</style>'
        f'<link rel="stylesheet" href="{outside.as_uri()}">'
        '<link rel="stylesheet" href="file:///etc/passwd">'
        '<link rel="stylesheet" href="../outside.css">'
        "{% endblock %}"
        f'{{% block colophon %}}<img src="{base}/pixel.png" alt="">'
        f'<img src="{outside.as_uri()}" alt="">{{% endblock %}}',
        encoding="utf-8",
    )


def pdf_text(path: Path) -> str:
    return " ".join(page.extract_text() for page in PdfReader(path).pages)


@pytest.mark.slow
def test_templates_and_facts_reach_no_network_and_no_outside_file(project, server, tmp_path):
    base, requests = server
    root = project()
    outside = tmp_path / "outside.css"
    outside.write_text('body::before { content: "OUTSIDE-MARKER-3301"; }', encoding="utf-8")
    hostile_template(root, base, outside)
    edit(
        Path("facts/treaty.yaml"),
        "text: Four states signed the Widget Treaty in Geneva.",
        f"text: 'Four states signed. ![pixel]({base}/fact.png) ![x](file:///etc/passwd) "
        f"[a link]({base}/linked)'",
    )
    build(CONFIG)
    text = pdf_text(root / "out" / "widget-brief.pdf")
    assert requests == []
    assert "REMOTE-MARKER-8812" not in text and "OUTSIDE-MARKER-3301" not in text
    assert "root:x:0" not in text
    # the fact's image syntax stays text; its link stays a plain link, never fetched
    html = (root / "out" / "widget-brief.html").read_text(encoding="utf-8")
    start = html.index('id="fact-treaty-signed"')
    fact = html[start : html.index("</div>", start)]
    assert "<img" not in fact
    assert f'<a href="{base}/fact.png">pixel</a>' in fact  # a link to click, not a fetch
    assert f'<a href="{base}/linked">a link</a>' in html


@pytest.mark.slow
def test_remote_resources_are_an_explicit_opt_in(project, server, tmp_path):
    base, requests = server
    root = project()
    hostile_template(root, base, tmp_path / "missing.css")
    config = root / "briefgen.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "allow_remote: true\n", encoding="utf-8")
    build(CONFIG, formats=["pdf"])
    assert "/style.css" in requests  # the server is real and reachable when allowed
    assert "REMOTE-MARKER-8812" in pdf_text(root / "out" / "widget-brief.pdf")


@pytest.mark.slow
def test_hostile_text_is_escaped_in_html_and_pdf(project):
    root = project()
    edit(
        Path("facts/treaty.yaml"),
        "text: Four states signed the Widget Treaty in Geneva.",
        "text: 'Signed <script>alert(1)</script> [click](javascript:alert(2)) <b>bold</b>.'",
    )
    edit(
        Path("facts/treaty.yaml"),
        "title: The treaty",
        "title: 'The <i>treaty</i> & <script>x</script>'",
    )
    build(CONFIG)
    html = (root / "out" / "widget-brief.html").read_text(encoding="utf-8")
    assert "<script>" not in html and 'href="javascript:' not in html and "<b>bold" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "The &lt;i&gt;treaty&lt;/i&gt; &amp; &lt;script&gt;x&lt;/script&gt;" in html
    text = pdf_text(root / "out" / "widget-brief.pdf")
    assert "<script>alert(1)</script>" in text  # shown as text, not run
    assert "The <i>treaty</i> & <script>x</script>" in text


def test_a_template_reaching_for_python_internals_is_stopped_with_its_line(project):
    root = project()
    (root / "templates").mkdir()
    (root / "templates" / "brief.html.j2").write_text(
        '{% extends "base.html.j2" %}\n\n{% block masthead %}'
        "{{ notes.cite.__globals__['os'].system('id') }}{% endblock %}\n",
        encoding="utf-8",
    )
    with pytest.raises(BriefError) as caught:
        build(CONFIG)
    assert str(caught.value).startswith("templates/brief.html.j2:3: template error:")
    assert not (root / "out").exists()
