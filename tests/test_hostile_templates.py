"""Hostile templates, stylesheets and configurations, through the real CLI in a subprocess.

Each case must stop the build with exit 1 or 2 and one line naming the file, no
traceback, within the time limit and memory cap of `tests.hostile`, leaving the
previous outputs as they were and reading nothing outside the project.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from tests.conftest import FIXTURES
from tests.hostile import assert_refused, run_briefgen

TEMPLATE = "templates/brief.html.j2"

pytestmark = [pytest.mark.usefixtures("idle_server"), pytest.mark.slow]


@pytest.fixture
def brief(tmp_path: Path) -> Path:
    """A copy of the minimal fixture with one good build in out/, and a secret beside it."""
    root = tmp_path / "brief"
    shutil.copytree(FIXTURES / "minimal", root)
    (root / "templates").mkdir()
    (tmp_path / "secret.txt").write_text("OUTSIDE-SECRET-5150\n", encoding="utf-8")
    result = run_briefgen(["build"], root, env=_env(tmp_path))
    assert result.returncode == 0, result.stderr
    return root


def _env(tmp_path: Path) -> dict[str, str]:
    return {"BRIEFGEN_CACHE": str(tmp_path / "cache")}


def _outputs(root: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((root / "out").iterdir()) if p.is_file()}


def _block(body: str) -> str:
    return '{% extends "base.html.j2" %}\n{% block colophon %}\n' + body + "\n{% endblock %}\n"


def _attempt(root: Path, *args: str) -> tuple[str, str]:
    """Run `briefgen build` on the broken project; the error line and all it printed."""
    before = _outputs(root)
    result = run_briefgen(["build", "--force", *args], root, env=_env(root.parent))
    line = assert_refused(result)
    assert _outputs(root) == before  # previous outputs intact
    printed = result.stdout + result.stderr
    assert "OUTSIDE-SECRET-5150" not in printed
    return line, printed


# -- data, not objects ----------------------------------------------------------------------

OBJECT_ATTACKS = [
    "{{ brief.__class__.__mro__ }}",
    "{{ next_note.__globals__ }}",
    "{{ bibliography.__closure__ }}",
    "{{ (sections|first).topic.where() }}",
    "{{ facts_by_id.copy().update(x=1) }}",
    "{{ audience.record }}",
    "{{ cycler.__init__.__globals__ }}",
    "{{ lipsum.__globals__['os'] }}",
    "{{ ''.__class__.__base__.__subclasses__() }}",
    "{{ build_date.__class__ }}",
]


@pytest.mark.parametrize("attack", OBJECT_ATTACKS)
def test_a_template_finds_no_object_to_call(brief, attack):
    (brief / TEMPLATE).write_text(_block(attack), encoding="utf-8")
    line, _ = _attempt(brief)
    assert line.startswith(f"error: {TEMPLATE}:3: template error: "), line


# -- confinement ----------------------------------------------------------------------------


def test_a_template_include_cannot_climb_out_of_the_project(brief):
    (brief / TEMPLATE).write_text(_block('{% include "../../secret.txt" %}'), encoding="utf-8")
    line, _ = _attempt(brief)
    assert "template '../../secret.txt' not found" in line


@pytest.mark.parametrize("name", ["evil.html.j2", "brief.css"])
def test_a_symlinked_template_or_stylesheet_leading_outside_is_refused(brief, name):
    (brief / "templates" / name).symlink_to(brief.parent / "secret.txt")
    if name.endswith(".j2"):
        (brief / TEMPLATE).write_text(_block(f'{{% include "{name}" %}}'), encoding="utf-8")
    line, _ = _attempt(brief)
    assert f"template {name!r} leads outside the template folders" in line, line


def test_a_template_that_is_a_fifo_is_refused_without_waiting(brief):
    os.mkfifo(brief / "templates" / "brief.css")
    line, _ = _attempt(brief)
    assert "templates/brief.css: is not a regular file" in line


@pytest.mark.parametrize(
    ("setting", "value"),
    [("templates", "../elsewhere"), ("facts", "../elsewhere"), ("output", "/tmp")],
)
def test_configured_folders_outside_the_project_are_refused(brief, setting, value):
    (brief.parent / "elsewhere").mkdir()
    config = brief / "briefgen.yaml"
    config.write_text(config.read_text(encoding="utf-8") + f"{setting}: {value}\n")
    line, _ = _attempt(brief)
    assert (
        f"briefgen.yaml:6:{len(setting) + 3}: '{setting}: {value}' leads outside the project"
        in line
    )
    assert "--allow-outside" in line


def test_allow_outside_is_the_explicit_way_out(brief):
    shared = brief.parent / "shared-templates"
    shared.mkdir()
    (shared / "brief.html.j2").write_text(_block("<p>SHARED-TEMPLATE-77</p>"), encoding="utf-8")
    config = brief / "briefgen.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "templates: ../shared-templates\n")
    result = run_briefgen(["build", "--allow-outside"], brief, env=_env(brief.parent))
    assert result.returncode == 0, result.stderr
    assert "SHARED-TEMPLATE-77" in (brief / "out" / "widget-brief.html").read_text()


def test_a_symlinked_template_folder_leading_outside_is_refused(brief):
    shutil.rmtree(brief / "templates")
    (brief.parent / "elsewhere").mkdir()
    (brief / "templates").symlink_to(brief.parent / "elsewhere")
    line, _ = _attempt(brief)
    assert "briefgen.yaml" not in line or "leads outside" in line
    assert "'templates: templates' leads outside the project" in line


def test_a_symlinked_fact_file_leading_outside_is_refused(brief):
    (brief / "facts" / "evil.yaml").symlink_to(brief.parent / "secret.txt")
    line, _ = _attempt(brief)
    assert "facts/evil.yaml: this fact file leads outside the project" in line


# -- resource bombs --------------------------------------------------------------------------

BOMBS = {
    "nested loops": "{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}"
    "{% endfor %}",
    "a folded multiplication": '{{ "x" * 10000000000 }}',
    "a huge power": "{{ 9 ** 999999999 }}",
    "a huge format width": '{{ "%999999999d" % 1 }}',
    "a doubling namespace": "{% set ns = namespace(s='x') %}{% for i in range(64) %}"
    "{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s|length }}",
    "a huge filter": '{{ "x"|center(3000000000) }}',
    "endless output": '{% for a in range(100000) %}{{ "y" * 999999 }}{% endfor %}',
    "a recursive macro": "{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}",
}


@pytest.mark.parametrize("name", sorted(BOMBS))
def test_a_template_bomb_is_stopped_at_its_line(brief, name):
    (brief / TEMPLATE).write_text(_block(BOMBS[name]), encoding="utf-8")
    started = time.monotonic()
    line, _ = _attempt(brief)
    assert line.startswith(f"error: {TEMPLATE}:"), line
    assert time.monotonic() - started < 30


def test_a_template_that_includes_itself_fails_fast(brief):
    (brief / TEMPLATE).write_text(_block('{% include "brief.html.j2" %}'), encoding="utf-8")
    started = time.monotonic()
    line, _ = _attempt(brief)
    assert line.startswith(f"error: {TEMPLATE}:"), line
    assert time.monotonic() - started < 15


# -- leaks -------------------------------------------------------------------------------------


def test_withheld_text_written_into_a_template_stops_the_public_build(tmp_path):
    root = tmp_path / "brief"
    shutil.copytree(FIXTURES / "audiences", root)
    (root / TEMPLATE).write_text(
        _block("<!-- QXMAR&shy;KER7741 the ministry privately expects one signatory -->"),
        encoding="utf-8",
    )
    result = run_briefgen(["build", "--audience", "public"], root, env=_env(tmp_path))
    line = assert_refused(result, "facts/treaty.yaml:15:5", "'treaty-secret'")
    assert "appears in the output" in line
    assert not (root / "out").exists()


def test_a_template_cannot_attach_project_files_to_the_pdf(brief):
    from pypdf import PdfReader

    (brief / TEMPLATE).write_text(
        '{% extends "base.html.j2" %}{% block head_extra %}'
        '<link rel="attachment" href="facts/treaty.yaml">{% endblock %}'
        '{% block colophon %}<a rel="attachment" href="facts/sources.yaml">x</a>{% endblock %}',
        encoding="utf-8",
    )
    result = run_briefgen(["build", "--force"], brief, env=_env(brief.parent))
    assert result.returncode == 0, result.stderr
    reader = PdfReader(brief / "out" / "widget-brief.pdf")
    assert reader.attachments == {}
    assert b"/EmbeddedFile" not in (brief / "out" / "widget-brief.pdf").read_bytes()


def test_a_template_cannot_read_the_fact_files(tmp_path):
    root = tmp_path / "brief"
    shutil.copytree(FIXTURES / "audiences", root)
    (root / "templates" / "notes.txt").symlink_to(Path("..") / "facts" / "treaty.yaml")
    (root / TEMPLATE).write_text(_block('{% include "notes.txt" %}'), encoding="utf-8")
    result = run_briefgen(["build", "-a", "public"], root, env=_env(tmp_path))
    line = assert_refused(result, "templates/notes.txt")
    assert "leads outside the template folders" in line
    assert "QXMARKER7741" not in result.stdout + result.stderr


def test_a_template_folder_holding_the_facts_is_refused(brief):
    config = brief / "briefgen.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "templates: .\n")
    line, _ = _attempt(brief)
    assert "briefgen.yaml:6:12: 'templates: .' overlaps the facts folder" in line


def test_a_stylesheet_cannot_load_the_fact_files_or_other_audiences(tmp_path):
    root = tmp_path / "brief"
    shutil.copytree(FIXTURES / "audiences", root)
    assert run_briefgen(["build", "-a", "full"], root, env=_env(tmp_path)).returncode == 0
    (root / "templates" / "brief.css").write_text(
        '@import url("../facts/treaty.yaml");\n@import url("../out/widgets-full.html");\n'
        'body { background: url("../facts/treaty.yaml"); }\n',
        encoding="utf-8",
    )
    result = run_briefgen(["build", "-a", "public"], root, env=_env(tmp_path))
    assert result.returncode == 0, result.stderr
    assert b"QXMARKER7741" not in (root / "out" / "widgets-public.pdf").read_bytes()


def test_templates_stylesheets_and_facts_reach_no_server(brief, idle_server):
    server = idle_server
    (brief / TEMPLATE).write_text(
        '{% extends "base.html.j2" %}{% block head_extra %}'
        f'<link rel="stylesheet" href="{server}/a.css">'
        f'<style>@import url("{server}/b.css"); body {{ background: url("{server}/c.png") }}'
        f'@font-face {{ font-family: x; src: url("{server}/d.woff") }}</style>'
        "{% endblock %}"
        f'{{% block colophon %}}<img src="{server}/e.png" alt="">'
        f'<svg><image href="{server}/f.png"/></svg>{{% endblock %}}',
        encoding="utf-8",
    )
    facts = brief / "facts" / "treaty.yaml"
    text = facts.read_text(encoding="utf-8")
    facts.write_text(
        text.replace(
            "text: Four states signed the Widget Treaty in Geneva.",
            f"text: 'Four states signed. ![x]({server}/g.png) [link]({server}/h)'",
        ),
        encoding="utf-8",
    )
    result = run_briefgen(["build", "--force"], brief, env=_env(brief.parent))
    assert result.returncode == 0, result.stderr
    assert b"REMOTE-MARKER-8812" not in (brief / "out" / "widget-brief.pdf").read_bytes()


@pytest.mark.parametrize("link", ["real file in templates", "hard link"])
def test_a_fact_file_under_another_name_in_the_template_folder_is_refused(tmp_path, link):
    root = tmp_path / "brief"
    shutil.copytree(FIXTURES / "audiences", root)
    facts = root / "facts" / "treaty.yaml"
    if link == "hard link":
        os.link(facts, root / "templates" / "notes.txt")
    else:  # the fact file lives in templates/, and facts/ links to it
        facts.rename(root / "templates" / "notes.txt")
        facts.symlink_to(Path("..") / "templates" / "notes.txt")
    (root / TEMPLATE).write_text(_block('{% include "notes.txt" %}'), encoding="utf-8")
    (root / "templates" / "brief.css").write_text('@import url("notes.txt");', encoding="utf-8")
    result = run_briefgen(["build", "-a", "public"], root, env=_env(tmp_path))
    line = assert_refused(result, "templates/notes.txt")
    assert "is a fact file or an output under another name" in line
