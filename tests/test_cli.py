"""The CLI through Typer's runner: exact messages and exit codes 0, 1 and 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefgen.cli import app, terminal_safe
from tests.conftest import edit
from tests.hostile import run_briefgen

COMMANDS = [
    "build",
    "check",
    "list",
    "trace",
    "verify-quotes",
    "sources",
    "init",
    "schema",
    "matrix",
    "watch",
    "preview",
]


@pytest.mark.slow
def test_build_writes_html_and_pdf(project, run):
    root = project()
    result = run("build")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "wrote out/widget-brief.html",
        "wrote out/widget-brief.pdf",
        "wrote out/manifest.json",
        "brief: 4 facts, 2 pages",
    ]
    assert (root / "out" / "widget-brief.pdf").read_bytes().startswith(b"%PDF-")


def test_build_one_format_into_another_folder(project, run):
    root = project()
    result = run("build", "--format", "html", "--out", "public")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (root / "public").iterdir()) == [
        "manifest.json",
        "widget-brief.html",
    ]
    assert not (root / "out").exists()


def test_build_with_a_configuration_elsewhere(project, run, tmp_path, monkeypatch):
    root = project()
    monkeypatch.chdir(tmp_path)
    result = run("build", "--config", str(root / "briefgen.yaml"), "-f", "html")
    assert result.exit_code == 0, result.output
    assert (root / "out" / "widget-brief.html").is_file()


def test_check_reports_a_mistyped_source_with_file_and_line(project, run):
    project()
    edit(
        Path("facts/treaty.yaml"),
        "      - source: smith-2021-gazette\n        locator: para. 2",
        "      - source: smith-2021-gazete\n        locator: para. 2",
    )
    result = run("check")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        "error: facts/treaty.yaml:12:17: unknown source 'smith-2021-gazete' "
        "(did you mean 'smith-2021-gazette'?)\n"
    )
    assert "Traceback" not in result.output


def test_check_ok(project, run):
    project()
    result = run("check")
    assert result.exit_code == 0
    assert result.stdout == "ok: 1 topic, 4 facts, 2 sources\n"


def test_bad_yaml_exits_1_with_one_line(project, run):
    project()
    Path("facts/treaty.yaml").write_text("id: treaty\ntitle: [unclosed\n", encoding="utf-8")
    result = run("build")
    assert result.exit_code == 1
    assert len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith("error: facts/treaty.yaml:3:1: YAML syntax error")


def test_debug_shows_the_traceback(project, run):
    project()
    Path("facts/treaty.yaml").write_text("id: treaty\ntitle: [unclosed\n", encoding="utf-8")
    result = run("--debug", "check")
    assert result.exit_code == 1
    assert "Traceback (most recent call last)" in result.stderr
    assert "error: facts/treaty.yaml:3:1: YAML syntax error" in result.stderr


def test_missing_configuration_is_exit_1(project, run, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("check")
    assert result.exit_code == 1
    assert result.stderr == (
        "error: briefgen.yaml: no configuration file 'briefgen.yaml' here "
        "(pass --config PATH, or start a brief with 'briefgen init DIR')\n"
    )


@pytest.mark.parametrize(
    "args", [["build", "--format", "odt"], ["list", "everything"], ["frobnicate"], ["build", "-x"]]
)
def test_usage_errors_exit_2(project, run, args):
    project()
    result = run(*args)
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_list_topics_facts_and_sources(project, run):
    project()
    result = run("list", "topics")
    assert result.exit_code == 0
    assert result.stdout == "treaty                 3 facts   1 judgment  The treaty\n"
    facts = run("list", "facts").stdout.splitlines()
    assert facts[1] == "treaty-ratified                    fact     internal  p2  treaty"
    assert len(facts) == 4
    sources = run("list", "sources").stdout.splitlines()
    assert sources == [
        "smith-2021-gazette                     4 citations  The Widget Treaty Turns Ten",
        "widget-office-2019-report              2 citations  Widgets Under Pressure",
    ]
    everything = run("list").stdout
    assert everything.startswith("topics:\n") and "\nfacts:\n" in everything


def test_every_command_has_help_text(run):
    names = []
    for command in app.registered_commands:
        name = command.name or command.callback.__name__
        names.append(name)
        summary = (command.callback.__doc__ or "").strip().splitlines()
        assert summary, f"'{name}' has no help text"
        result = run(name, "--help")
        assert result.exit_code == 0
        assert summary[0] in result.stdout
    groups = [group.name for group in app.registered_groups]
    for group in app.registered_groups:
        for command in group.typer_instance.registered_commands:
            summary = (command.callback.__doc__ or "").strip().splitlines()
            assert summary, f"'{group.name} {command.name}' has no help text"
            result = run(group.name, command.name, "--help")
            assert result.exit_code == 0 and summary[0] in result.stdout
    assert sorted(names + groups) == sorted(COMMANDS)


def test_version(run):
    from briefgen import __version__

    result = run("--version")
    assert result.exit_code == 0
    assert result.stdout == f"briefgen {__version__}\n"


def test_importing_the_cli_does_not_import_weasyprint_or_the_pipeline():
    import subprocess
    import sys

    heavy = ("weasyprint", "pydantic", "briefgen.render")
    code = f"import sys, briefgen.cli; print(sorted(m for m in {heavy!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_pipeline_imports_pandoc_and_font_subsetting_only_for_a_docx():
    import subprocess
    import sys

    heavy = ("pypandoc", "fontTools.subset")
    code = f"import sys, briefgen.pipeline; print(sorted(m for m in {heavy!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_build_one_audience_all_audiences_and_the_default(project, run):
    root = project("audiences")
    result = run("build", "--audience", "public", "-a", "trade", "-f", "html")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "wrote out/widgets-public.html",
        "wrote out/widgets-trade.html",
        "wrote out/manifest.json",
        "public: 5 facts",
        "trade: 1 fact",
    ]
    result = run("build", "-f", "html")
    assert result.stdout.splitlines()[-1] == "full: 7 facts"
    result = run("build", "--all", "-f", "html")
    assert result.exit_code == 0 and len(list((root / "out").iterdir())) == 5


def test_an_unknown_audience_is_a_usage_error_listing_the_known_ones(project, run):
    project("audiences")
    result = run("build", "--audience", "exec")
    assert result.exit_code == 2
    assert "unknown audience 'exec'; known audiences: full, top, public, trade" in result.output
    result = run("build", "--audience", "top", "--all")
    assert result.exit_code == 2 and "give --audience or --all, not both" in result.output


@pytest.mark.slow
def test_a_page_budget_overrun_is_exit_1_with_one_line(project, run):
    root = project("audiences")
    from tests.conftest import add_many_facts

    add_many_facts(root, 40)
    edit(Path("briefgen.yaml"), "    priority: 1\n", "    priority: 3\n")
    result = run("build", "-a", "top")
    assert result.exit_code == 1
    (line,) = result.stderr.splitlines()
    assert line.startswith("error: briefgen.yaml:14:18: audience 'top': the PDF has ")
    assert line.endswith(
        "over its budget of 1 (show fewer facts (priority, topics, tags) or raise page_budget)"
    )


def test_list_audiences(project, run):
    project("audiences")
    result = run("list", "audiences")
    assert result.exit_code == 0
    rows = [line.split() for line in result.stdout.splitlines()]
    assert rows == [
        [
            "full",
            "up",
            "to",
            "internal",
            "priority",
            "1–3",
            "7",
            "facts",
            "no",
            "page",
            "limit",
            "widgets-full.{html,pdf}",
            "all",
            "topics",
        ],
        [
            "top",
            "up",
            "to",
            "internal",
            "priority",
            "1",
            "4",
            "facts",
            "at",
            "most",
            "1",
            "page",
            "widgets-top.{html,pdf}",
            "all",
            "topics",
        ],
        [
            "public",
            "up",
            "to",
            "public",
            "priority",
            "1–3",
            "5",
            "facts",
            "no",
            "page",
            "limit",
            "widgets-public.{html,pdf}",
            "all",
            "topics",
        ],
        [
            "trade",
            "up",
            "to",
            "internal",
            "priority",
            "1–3",
            "1",
            "fact",
            "no",
            "page",
            "limit",
            "widgets-trade.{html,pdf}",
            "trade",
        ],
    ]


def test_sources_import_adds_new_records_and_warns_about_conflicts(project, run):
    root = project()
    export = str(Path(__file__).parent / "fixtures" / "csl" / "export.json")
    before = (root / "facts" / "sources.yaml").read_text(encoding="utf-8")
    result = run("sources", "import", export, "--dry-run")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == (
        "facts/sources.yaml would change: 1 added, 1 unchanged, 1 with conflicts"
    )
    assert (root / "facts" / "sources.yaml").read_text(encoding="utf-8") == before
    result = run("sources", "import", export)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "added lee-2023-widget-review",
        "wrote facts/sources.yaml: 1 added, 1 unchanged, 1 with conflicts",
    ]
    assert "warning: widget-office-2019-report: title differs; kept ours" in result.stderr
    after = (root / "facts" / "sources.yaml").read_text(encoding="utf-8")
    assert after.startswith(before) and "id: lee-2023-widget-review" in after
    assert run("check").exit_code == 0
    again = run("sources", "import", export)
    assert again.stdout.splitlines()[-1].startswith("facts/sources.yaml unchanged: 0 added")


def test_sources_import_of_bad_json_is_exit_1(project, run, tmp_path):
    project()
    bad = tmp_path / "bad.json"
    bad.write_text('[{"id": "x",}]', encoding="utf-8")
    result = run("sources", "import", str(bad))
    assert result.exit_code == 1
    assert result.stderr.startswith("error: ") and ":1:13: invalid JSON" in result.stderr


# Nothing from user text reaches the terminal raw ---------------------------------


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("\x1b[31mRED\x1b[0m", "\\x1b[31mRED\\x1b[0m"),
        ("a\x00b\x07c\x08d\x7f", "a\\x00b\\x07c\\x08d\\x7f"),
        ("over\rwrite", "over\\x0dwrite"),
        ("\x9b2J\x85", "\\x9b2J\\x85"),
        ("line\u2028para\u2029", "line\\u2028para\\u2029"),
        ("\u202edesrever", "\\u202edesrever"),
        ("tab\tand\nnewline stay", "tab\tand\nnewline stay"),
        ("Zürich — 東京 🧿", "Zürich — 東京 🧿"),
    ],
)
def test_terminal_safe_escapes_control_characters(text, shown):
    assert terminal_safe(text) == shown


def test_a_topic_title_with_an_escape_sequence_cannot_be_loaded(project, run):
    project()
    edit(Path("facts/treaty.yaml"), "title: The treaty", 'title: "\\e[31mRED"')
    for command in ("check", "list"):
        result = run(command)
        assert result.exit_code == 1
        assert result.stdout == ""
        assert result.stderr == (
            "error: facts/treaty.yaml:2:8: control character U+001B (ESC) in text "
            "(remove it; only tabs and line breaks are allowed in text)\n"
        )


def test_listed_titles_are_printed_escaped(project, run):
    project()
    edit(Path("facts/treaty.yaml"), "title: The treaty", 'title: "The\\Ltreaty\\u202e"')
    result = run("list", "topics")
    assert result.exit_code == 0, result.output
    assert result.stdout == "treaty                 3 facts   1 judgment  The\\u2028treaty\\u202e\n"


def test_a_file_name_with_an_escape_character_is_printed_escaped(project, run):
    project()
    try:
        Path("facts/bad\x1b[31m.yaml").write_text("id: bad\nid: again\n", encoding="utf-8")
    except OSError:
        pytest.skip("this file system refuses control characters in names")
    result = run("check")
    assert result.exit_code == 1
    assert "\x1b" not in result.output
    assert result.stderr == (
        "error: facts/bad\\x1b[31m.yaml:2:1: duplicate key 'id' (first given on line 1)\n"
    )


def test_usage_errors_quoting_user_values_are_escaped(project, run):
    project()
    result = run("check", "--max-age", "\x1b[2J1y")
    assert result.exit_code == 2
    assert "\x1b" not in result.output
    assert "Invalid value for '--max-age'" in result.stderr
    assert "\\x1b[2J1y" in result.stderr


@pytest.mark.slow
def test_the_entry_point_escapes_what_click_itself_prints(tmp_path):
    result = run_briefgen(["--\x1b[31mbogus"], tmp_path)
    assert result.returncode == 2
    assert "\x1b" not in result.stdout + result.stderr
    assert result.stderr.endswith("Error: No such option: --\\x1b[31mbogus\n")
    assert run_briefgen(["--version"], tmp_path).returncode == 0
    assert run_briefgen(["check"], tmp_path).returncode == 1


@pytest.mark.slow
def test_a_glyph_no_font_has_is_a_warning_and_an_error_under_strict(project, run):
    project()
    edit(
        Path("facts/treaty.yaml"),
        "text: Four states signed the Widget Treaty in Geneva.",
        'text: "Four states signed the Widget Treaty in Geneva \\uE000."',
    )
    result = run("build", "--format", "pdf")
    assert result.exit_code == 0, result.output
    warning = (
        "warning: facts/treaty.yaml:6:5: fact 'treaty-signed': no installed font has a glyph "
        "for U+E000 (private use character)"
    )
    assert warning in result.output
    strict = run("build", "--format", "pdf", "--strict", "--force")
    assert strict.exit_code == 1
    assert warning.replace("warning:", "error:") in strict.output
    html_only = run("build", "--format", "html", "--force")
    assert "no installed font" not in html_only.output  # a browser brings its own fonts


@pytest.mark.slow
def test_what_the_pdf_layout_ignores_is_a_warning_and_an_error_under_strict(project, run):
    root = project()
    (root / "templates").mkdir()
    (root / "templates" / "brief.css").write_text(
        "p { colr: red; }\n.x { background: url(missing.png); }\n", encoding="utf-8"
    )
    (root / "templates" / "brief.html.j2").write_text(
        '{% extends "base.html.j2" %}{% block colophon %}<img src="nowhere.png" alt="">'
        "{% endblock %}",
        encoding="utf-8",
    )
    result = run("build", "--format", "pdf")
    assert result.exit_code == 0, result.output
    reports = [line for line in result.output.splitlines() if "the PDF layout reports" in line]
    assert any("colr" in line for line in reports), result.output
    assert any("nowhere.png" in line for line in reports), result.output
    assert all(line.startswith("warning: ") for line in reports)
    before = (root / "out" / "widget-brief.pdf").read_bytes()
    strict = run("build", "--format", "pdf", "--strict", "--force")
    assert strict.exit_code == 1
    assert any(line.startswith("error: ") and "colr" in line for line in strict.output.splitlines())
    assert (root / "out" / "widget-brief.pdf").read_bytes() == before  # nothing written


def test_list_audiences_names_each_audiences_own_files(project, run):
    import json

    root = project("audiences")
    trade = "    title: Trade desk\n"
    edit(root / "briefgen.yaml", trade, trade + "    formats: [docx, md]\n")
    lines = run("list", "audiences").stdout.splitlines()
    assert "widgets-full.{html,pdf}" in lines[0]
    assert lines[-1].split()[-3:] == ["PDF", "widgets-trade.{docx,md}", "trade"]
    assert "no PDF" in lines[-1]
    document = json.loads(run("list", "audiences", "--json").stdout)["audiences"]
    assert document[-1]["files"] == ["widgets-trade.docx", "widgets-trade.md"]
    assert document[-1]["pdf"] is None and document[0]["pdf"] == "widgets-full.pdf"
