"""The repository itself: the README's two commands, CI, and the default brief."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from briefgen.pipeline import check

REPO = Path(__file__).parent.parent


def readme_commands() -> list[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```sh\n(.+?)\n```", text)[:2]


def test_readme_opens_with_two_commands_that_ci_runs():
    build, test = readme_commands()
    assert build.endswith("briefgen build")
    assert "pytest" in test
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert build in ci and test in ci


def test_builtin_templates_live_inside_the_package():
    import briefgen.confine

    assert (briefgen.confine.BUILTIN_TEMPLATES / "base.html.j2").is_file()
    assert (briefgen.confine.BUILTIN_TEMPLATES / "brief.css").is_file()
    assert briefgen.confine.BUILTIN_TEMPLATES.parent == Path(briefgen.confine.__file__).parent


def test_default_brief_checks_clean():
    checked = check(REPO / "briefgen.yaml")
    assert checked.warnings == []
    assert len(checked.brief.facts) >= 10
    assert len(checked.brief.sources) == 5


def test_generated_files_are_ignored():
    ignored = (REPO / ".gitignore").read_text(encoding="utf-8").split()
    assert "/out/" in ignored and ".venv/" in ignored


@pytest.mark.slow
def test_the_three_csto_audiences_build_within_their_limits(tmp_path):
    from pypdf import PdfReader

    from briefgen.pipeline import build

    built = build(REPO / "briefgen.yaml", everything=True, out_dir=tmp_path)
    pages = {audience.name: audience.pages for audience in built.audiences}
    assert set(pages) == {"analyst", "executive", "public"}
    assert pages["executive"] <= 2 < pages["public"] <= pages["analyst"]
    internal = [f for f in built.brief.facts if f.handling == "internal"]
    assert len(internal) >= 5
    public = " ".join(
        page.extract_text() for page in PdfReader(tmp_path / "csto-brief-public.pdf").pages
    )
    analyst = " ".join(
        page.extract_text() for page in PdfReader(tmp_path / "csto-brief-analyst.pdf").pages
    )
    assert "PUBLIC" in public and "INTERNAL" not in public
    # an internal fact's words: in the analyst brief, never in the public one
    phrase = "Russian minority"
    assert phrase in analyst.replace("\n", " ") and phrase not in public.replace("\n", " ")


def test_the_readme_shows_the_real_top_level_help():
    from typer.testing import CliRunner

    from briefgen.cli import app

    result = CliRunner(env={"COLUMNS": "80", "NO_COLOR": "1", "TERM": "dumb"}).invoke(
        app, ["--help"]
    )
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert result.exit_code == 0
    assert f"$ briefgen --help\n{result.stdout}```" in readme
