"""`check` compiles every template the audiences use, and finds misspelt blocks."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from briefgen.errors import BriefError
from briefgen.pipeline import check
from tests.conftest import edit

CONFIG = Path("briefgen.yaml")


def problems() -> list[str]:
    with pytest.raises(BriefError) as caught:
        check(CONFIG)
    return [str(p) for p in caught.value.problems]


def test_the_fixtures_templates_compile(project):
    project("audiences")
    check(CONFIG)


def test_a_syntax_error_is_found_by_check_with_its_line(project):
    root = project()
    (root / "templates").mkdir()
    (root / "templates" / "brief.html.j2").write_text(
        '{% extends "base.html.j2" %}\n{% block masthead %}\n{% if %}\n{% endblock %}\n',
        encoding="utf-8",
    )
    assert problems() == [
        "templates/brief.html.j2:3: template syntax error: Expected an expression, "
        "got 'end of statement block'"
    ]


BASE_BLOCKS = (
    "bibliography, changes, chronology, colophon, contents, endnotes, head_extra, "
    "key_judgments, kicker, masthead, method, sections"
)


def warnings() -> list[str]:
    return [str(p) for p in check(CONFIG).warnings]


def test_a_block_the_base_lacks_is_a_warning_with_a_suggestion(project):
    root = project()
    (root / "templates").mkdir()
    (root / "templates" / "brief.html.j2").write_text(
        '{% extends "base.html.j2" %}\n\n{% block mastead %}x{% endblock %}\n'
        "{% block sidebar %}x{% endblock %}\n",
        encoding="utf-8",
    )
    assert warnings() == [
        "templates/brief.html.j2:3: block 'mastead' is not in base.html.j2, so it does nothing "
        f"(did you mean 'masthead'? the blocks it can fill: {BASE_BLOCKS})",
        "templates/brief.html.j2:4: block 'sidebar' is not in base.html.j2, so it does nothing "
        f"(the blocks it can fill: {BASE_BLOCKS})",
    ]
    with pytest.raises(BriefError) as caught:
        check(CONFIG, strict=True)
    assert len(caught.value.problems) == 2


def test_a_chain_of_two_extends_is_checked_at_each_level(project):
    root = project()
    (root / "templates").mkdir()
    (root / "templates" / "house.html.j2").write_text(
        '{% extends "base.html.j2" %}\n'
        "{% block kicker %}House{% block desk %}{% endblock %}{% endblock %}\n"
        "{% block colophn %}x{% endblock %}\n",
        encoding="utf-8",
    )
    (root / "templates" / "brief.html.j2").write_text(
        '{% extends "house.html.j2" %}\n'
        "{% block desk %}Europe desk{% endblock %}\n"  # new in house.html.j2: fine
        "{% block masthead %}{% block strap %}{% endblock %}{% endblock %}\n"  # nested: new
        "{% block dsk %}x{% endblock %}\n",
        encoding="utf-8",
    )
    assert warnings() == [
        "templates/house.html.j2:3: block 'colophn' is not in base.html.j2, so it does nothing "
        f"(did you mean 'colophon'? the blocks it can fill: {BASE_BLOCKS})",
        "templates/brief.html.j2:4: block 'dsk' is not in house.html.j2 or the templates it "
        "extends, so it does nothing (did you mean 'desk'? the blocks it can fill: "
        "bibliography, changes, chronology, colophon, contents, desk, endnotes, head_extra, "
        "key_judgments, kicker, masthead, method, sections)",
    ]


def test_blocks_of_every_template_up_the_chain_count(project):
    root = project("audiences")
    (root / "templates" / "public.html.j2").write_text(
        '{% extends "brief.html.j2" %}{% block kicker %}Public{% endblock %}', encoding="utf-8"
    )
    (root / "templates" / "brief.html.j2").write_text(
        '{% extends "base.html.j2" %}', encoding="utf-8"
    )
    edit(
        CONFIG,
        "    marking: FOR PUBLIC RELEASE\n",
        "    marking: FOR PUBLIC RELEASE\n    template: public.html.j2\n",
    )
    check(CONFIG)  # 'kicker' is in base.html.j2, two levels up


def test_included_templates_and_stylesheets_are_checked_too(project):
    root = project("audiences")
    (root / "templates" / "brief.html.j2").write_text(
        '{% extends "base.html.j2" %}\n{% block colophon %}\n{% include "missing.html.j2" %}'
        "{% endblock %}\n",
        encoding="utf-8",
    )
    edit(CONFIG, "stylesheet: [brief.css, tight.css]", "stylesheet: [brief.css, tigth.css]")
    found = problems()
    assert found[0].startswith(
        "templates/brief.html.j2:3: template 'missing.html.j2' not found (searched "
    )
    assert found[1].startswith("briefgen.yaml:16:17: stylesheet 'tigth.css' not found")
    assert len(found) == 2


def test_an_audience_built_into_docx_needs_its_reference_document(project):
    root = project("audiences")
    edit(
        root / "briefgen.yaml",
        "    title: Trade desk\n",
        "    title: Trade desk\n    formats: [docx]\n    reference_doc: trade.docx\n",
    )
    found = problems()
    assert len(found) == 1
    assert found[0].startswith("briefgen.yaml:24:20: reference document 'trade.docx' not found")
    # the built-in reference document serves an audience that names none
    edit(root / "briefgen.yaml", "    reference_doc: trade.docx\n", "")
    check(CONFIG)
    # a name that climbs out of the template folders is not found either
    config = root / "briefgen.yaml"
    edit(config, "formats: [docx]\n", "formats: [docx]\n    reference_doc: ../x.docx\n")
    assert problems()[0].startswith(
        "briefgen.yaml:24:20: reference document '../x.docx' not found "
        "(name a file inside the template folders; searched templates, "
    )


def test_check_reads_the_reference_document_as_the_build_would(project):
    root = project("audiences")
    edit(root / "briefgen.yaml", "name: widgets\n", "name: widgets\nformats: [docx]\n")
    (root / "templates" / "reference.docx").write_text("not a zip", encoding="utf-8")
    assert problems() == [
        "templates/reference.docx: reference document 'reference.docx' is not a Word file "
        "(not a zip archive) (use a reference document saved by Word or LibreOffice as .docx)"
    ]


def test_check_warns_when_pandoc_is_missing_for_docx_audiences(project, monkeypatch):
    root = project("audiences")
    edit(root / "briefgen.yaml", "name: widgets\n", "name: widgets\nformats: [html, md]\n")
    monkeypatch.setitem(sys.modules, "pypandoc", None)  # no briefgen[docx]
    warnings = [str(w) for w in check(CONFIG).warnings]
    assert warnings == [
        "briefgen.yaml:4:10: audiences 'full', 'top', 'public', 'trade' are built into DOCX "
        "or Markdown, which needs Pandoc: building them will fail (install the extra: pip "
        "install 'briefgen[docx]' (it brings Pandoc))"
    ]
    with pytest.raises(BriefError):
        check(CONFIG, strict=True)
