"""The repository itself: the README's two commands, CI, and the default brief."""

from __future__ import annotations

import re
from pathlib import Path

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
    import briefgen.render

    assert (briefgen.render.BUILTIN_TEMPLATES / "base.html.j2").is_file()
    assert (briefgen.render.BUILTIN_TEMPLATES / "brief.css").is_file()
    assert briefgen.render.BUILTIN_TEMPLATES.parent == Path(briefgen.render.__file__).parent


def test_default_brief_checks_clean():
    checked = check(REPO / "briefgen.yaml")
    assert checked.warnings == []
    assert len(checked.brief.facts) >= 10
    assert len(checked.brief.sources) == 5


def test_generated_files_are_ignored():
    ignored = (REPO / ".gitignore").read_text(encoding="utf-8").split()
    assert "/out/" in ignored and ".venv/" in ignored
