"""Render stage: template search path, block overrides, errors with template:line."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from briefgen.audience import default_audience
from briefgen.errors import BriefError
from briefgen.load import load_brief
from briefgen.markup import inline
from briefgen.pipeline import lay_out_one
from briefgen.render import render_html
from briefgen.select import select
from tests.conftest import edit

DAY = dt.date(2024, 5, 1)


def html_of(config: Path = Path("briefgen.yaml")) -> str:
    brief = load_brief(config)
    audience = default_audience(brief.config)
    return render_html(brief, select(brief, audience), audience, build_date=DAY).html


def template_error() -> str:
    with pytest.raises(BriefError) as caught:
        html_of()
    return str(caught.value)


def test_builtin_template_renders_the_brief(project):
    project()
    html = html_of()
    assert '<html lang="en">' in html
    assert "<title>Test Brief on the Widget Treaty</title>" in html
    assert "1 May 2024" in html
    assert 'id="fact-treaty-signed"' in html
    assert "Key judgments" in html and "Likely." in html


def test_project_template_overrides_one_block(project):
    root = project()
    (root / "templates").mkdir()
    (root / "templates" / "brief.html.j2").write_text(
        '{% extends "base.html.j2" %}\n'
        '{% block masthead %}<header class="custom">Custom masthead for {{ settings.title }}'
        "</header>{% endblock %}\n",
        encoding="utf-8",
    )
    html = html_of()
    assert (
        '<header class="custom">Custom masthead for Test Brief on the Widget Treaty</header>'
        in html
    )
    assert 'class="kicker"' not in html  # the built-in masthead is replaced...
    assert 'id="fact-treaty-signed"' in html  # ...and the rest is inherited


def test_project_stylesheet_is_found_first_and_inlined(project):
    root = project()
    (root / "templates").mkdir()
    (root / "templates" / "brief.css").write_text(
        "body { color: rebeccapurple; }</style>", encoding="utf-8"
    )
    html = html_of()
    assert "body { color: rebeccapurple; }<\\/style>" in html
    assert html.count("</style>") == 1


def test_template_syntax_error_names_template_and_line(project):
    root = project()
    (root / "templates").mkdir()
    (root / "templates" / "brief.html.j2").write_text(
        '{% extends "base.html.j2" %}\n{% block masthead %}\n{% if %}\n{% endblock %}\n',
        encoding="utf-8",
    )
    assert template_error() == (
        "templates/brief.html.j2:3: template syntax error: Expected an expression, got 'end of "
        "statement block'"
    )


def test_undefined_variable_names_template_and_line(project):
    root = project()
    (root / "templates").mkdir()
    (root / "templates" / "brief.html.j2").write_text(
        '{% extends "base.html.j2" %}\n{% block masthead %}\n\n'
        "{{ settings.titel }}\n{% endblock %}\n",
        encoding="utf-8",
    )
    assert template_error() == (
        "templates/brief.html.j2:4: template error: no field 'titel' here (did you mean 'title'?)"
    )


@pytest.mark.parametrize(
    ("written", "meant"),
    [("brief.title", "settings"), ("judgements", "judgments"), ("edition.name", "audience")],
)
def test_an_unknown_variable_is_named_with_the_one_meant(project, written, meant):
    root = project()
    (root / "templates").mkdir()
    (root / "templates" / "brief.html.j2").write_text(
        f'{{% extends "base.html.j2" %}}\n'
        f"{{% block masthead %}}{{{{ {written} }}}}{{% endblock %}}\n",
        encoding="utf-8",
    )
    name = written.split(".")[0]
    assert template_error() == (
        f"templates/brief.html.j2:2: template error: no variable {name!r} (did you mean {meant!r}?)"
    )


def test_sandbox_blocks_reaching_for_python_internals(project):
    root = project()
    (root / "templates").mkdir()
    (root / "templates" / "brief.html.j2").write_text(
        '{% extends "base.html.j2" %}\n{% block masthead %}'
        "{{ brief.__class__.__mro__ }}{% endblock %}\n",
        encoding="utf-8",
    )
    message = template_error()
    assert message.startswith("templates/brief.html.j2:2: template error:")
    assert "__class__" in message


def test_unknown_template_is_reported_at_the_configuration(project):
    project()
    edit(Path("briefgen.yaml"), "name: widget-brief\n", "name: widget-brief\ntemplate: nope.j2\n")
    assert template_error().startswith("briefgen.yaml:5:11: template 'nope.j2' not found")


def test_fact_text_is_markdown_without_raw_html(project):
    project()
    edit(
        Path("facts/treaty.yaml"),
        "text: Four states signed the Widget Treaty in Geneva.",
        "text: 'Four *states* <script>alert(1)</script> [signed](javascript:alert(1)) "
        "[the treaty](https://example.org/t).'",
    )
    html = html_of()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert 'href="javascript:' not in html
    assert "Four <em>states</em>" in html
    assert '<a href="https://example.org/t">the treaty</a>' in html


def test_inline_markdown_has_no_paragraph_and_curls_quotes():
    assert inline('He said "no" -- twice.') == "He said “no” – twice."
    assert inline("<b>x</b>") == "&lt;b&gt;x&lt;/b&gt;"


@pytest.mark.slow
def test_pdf_rendering_reads_no_file_outside_the_project(project, tmp_path):
    root = project()
    secret = tmp_path / "secret.css"
    secret.write_text("body { color: red }", encoding="utf-8")
    (root / "templates").mkdir()
    (root / "templates" / "brief.html.j2").write_text(
        '{% extends "base.html.j2" %}{% block head_extra %}'
        f'<link rel="stylesheet" href="{secret.as_uri()}">'
        '<link rel="stylesheet" href="file:///etc/passwd">'
        '<link rel="stylesheet" href="http://127.0.0.1:9/x.css">{% endblock %}',
        encoding="utf-8",
    )
    from briefgen.pdf import ProjectFetcher

    # Layout runs in a child process: the spy writes what was refused to a file.
    log = tmp_path / "refused.txt"
    original = ProjectFetcher.fetch

    def spy(self, url, headers=None):
        try:
            return original(self, url, headers)
        finally:
            log.write_text("\n".join(self.refused), encoding="utf-8")

    ProjectFetcher.fetch = spy
    try:
        brief = load_brief(Path("briefgen.yaml"))
        audience = default_audience(brief.config)
        html = render_html(brief, select(brief, audience), audience, build_date=DAY).html
        pdf = lay_out_one(brief, html, audience).pdf
    finally:
        ProjectFetcher.fetch = original
    assert pdf.startswith(b"%PDF-")
    assert sorted(log.read_text(encoding="utf-8").splitlines()) == sorted(
        [secret.as_uri(), "file:///etc/passwd", "http://127.0.0.1:9/x.css"]
    )


def test_a_missing_stylesheet_names_the_setting(project):
    project("audiences")
    edit(Path("briefgen.yaml"), "[brief.css, tight.css]", "[brief.css, tigth.css]")
    brief = load_brief(Path("briefgen.yaml"))
    from briefgen.audience import choose

    (top,) = choose(brief.config, ["top"])
    with pytest.raises(BriefError) as caught:
        render_html(brief, select(brief, top), top, build_date=DAY)
    assert str(caught.value).startswith(
        "briefgen.yaml:16:17: stylesheet 'tigth.css' not found (searched templates, "
    )


def test_control_characters_a_template_writes_never_reach_the_html(project):
    root = project()
    (root / "templates").mkdir()
    (root / "templates" / "brief.html.j2").write_text(
        '{% extends "base.html.j2" %}{% block kicker %}A\x1b[31mB\x07C\x9bD\tE'
        "F&#27;]0;G&#x1B;[2JH&#7;I&#0127;J&#x9b;K&#x41;&#10;{% endblock %}",
        encoding="utf-8",
    )
    html = html_of()
    assert "A[31mBCDE" not in html and "A[31mBC" + "D\tE" in html
    assert not any(ch in html for ch in "\x1b\x07\x9b")
    assert "F]0;G[2JHIJK&#x41;&#10;" in html  # references to controls gone, others kept
