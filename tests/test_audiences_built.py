"""End to end: one fact base built into several audiences, read back from the PDFs."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader

from briefgen.errors import BriefError
from briefgen.pipeline import build
from tests.conftest import add_many_facts, edit


def pages_text(path: Path) -> list[str]:
    return [page.extract_text() for page in PdfReader(path).pages]


@pytest.mark.slow
def test_all_audiences_are_written_with_their_names_and_markings(project):
    root = project("audiences")
    built = build(Path("briefgen.yaml"), everything=True)
    assert [(e.name, len(e.fact_ids), e.pages) for e in built.audiences] == [
        ("full", 7, 2),
        ("top", 4, 1),
        ("public", 5, 2),
        ("trade", 1, 1),
    ]
    assert sorted(p.name for p in (root / "out").iterdir()) == sorted(
        ["manifest.json"]
        + [
            f"widgets-{name}.{ext}"
            for name in ("full", "top", "public", "trade")
            for ext in ("html", "pdf")
        ]
    )
    for name in ("full", "top", "public", "trade"):  # the currency line, on page 1 of each
        first = " ".join(pages_text(root / "out" / f"widgets-{name}.pdf")[0].split())
        assert "Information as of 4 May 2021" in first, name
    public = (root / "out" / "widgets-public.html").read_text(encoding="utf-8")
    assert "<title>Widget Treaty Audiences — Public audience</title>" in public
    assert '<p class="marking">FOR PUBLIC RELEASE</p>' in public


@pytest.mark.slow
def test_the_marking_is_on_every_page(project):
    root = project("audiences")
    add_many_facts(root, 40)
    build(Path("briefgen.yaml"), audiences=["public"])
    texts = pages_text(root / "out" / "widgets-public.pdf")
    assert len(texts) >= 3
    assert all(text.count("FOR PUBLIC RELEASE") >= 2 for text in texts)


@pytest.mark.slow
def test_an_audience_over_its_page_budget_fails_and_writes_nothing(project):
    root = project("audiences")
    add_many_facts(root, 40)
    edit(Path("briefgen.yaml"), "    priority: 1\n", "    priority: 3\n")
    with pytest.raises(BriefError) as caught:
        build(Path("briefgen.yaml"), everything=True)
    (problem,) = caught.value.problems
    assert str(problem.where) == "briefgen.yaml:14:18"
    assert problem.message.startswith("audience 'top': the PDF has ")
    pages = int(problem.message.split("has ")[1].split(" ")[0])
    over = pages - 1
    assert problem.message.endswith(f"{over} pages over its budget of 1")
    assert not (root / "out").exists()


def test_an_audience_stylesheet_is_applied_after_the_default(project):
    root = project("audiences")
    build(Path("briefgen.yaml"), audiences=["top", "full"], formats=["html"])
    top = (root / "out" / "widgets-top.html").read_text(encoding="utf-8")
    full = (root / "out" / "widgets-full.html").read_text(encoding="utf-8")
    assert top.index("briefgen's built-in stylesheet") < top.index("tight.css: applied after")
    assert "tight.css" not in full
    # 'top' hides quotes in its notes; 'full' shows them
    assert '<q class="quote">' not in top and '<q class="quote">' in full


def test_a_judgment_links_only_to_facts_the_audience_shows(project):
    root = project("audiences")
    build(Path("briefgen.yaml"), audiences=["top"], formats=["html"])
    html = (root / "out" / "widgets-top.html").read_text(encoding="utf-8")
    assert 'href="#fact-treaty-signed"' in html
    assert 'href="#fact-treaty-members"' not in html
    assert "and 1 more in the full brief" in html


def test_one_audience_overrides_one_block_of_the_masthead(project):
    root = project("audiences")
    (root / "templates" / "public.html.j2").write_text(
        '{% extends "base.html.j2" %}\n'
        '{% block masthead %}{{ super() }}<p class="release">Cleared for release.</p>'
        "{% endblock %}\n",
        encoding="utf-8",
    )
    edit(
        Path("briefgen.yaml"),
        "    marking: FOR PUBLIC RELEASE\n",
        "    marking: FOR PUBLIC RELEASE\n    template: public.html.j2\n",
    )
    build(Path("briefgen.yaml"), audiences=["public", "full"], formats=["html"])
    public = (root / "out" / "widgets-public.html").read_text(encoding="utf-8")
    full = (root / "out" / "widgets-full.html").read_text(encoding="utf-8")
    # the block is extended, not replaced: the standard masthead is still there
    assert public.index('<h1 class="title">') < public.index("Cleared for release.")
    assert "Cleared for release." not in full
    assert 'class="key-judgments"' in public and 'id="bibliography"' in public
