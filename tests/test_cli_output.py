"""What the CLI prints for people and for scripts: --json, --quiet, --verbose, progress,
completion, and watch's options and Ctrl-C."""

from __future__ import annotations

import json
import os
import pty
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from briefgen.cli import app
from briefgen.pipeline import Progress, build
from tests.conftest import edit

MISTYPED = (
    "      - source: smith-2021-gazette\n        locator: para. 2",
    "      - source: smith-2021-gazete\n        locator: para. 2",
)


def test_check_json_ok(project, run):
    project()
    result = run("check", "--json")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert json.loads(result.stdout) == {
        "ok": True,
        "errors": [],
        "warnings": [],
        "counts": {"topics": 1, "facts": 4, "sources": 2},
    }


def test_check_json_error_is_a_document_on_stdout_and_exit_1(project, run):
    project()
    edit(Path("facts/treaty.yaml"), *MISTYPED)
    result = run("check", "--json")
    assert result.exit_code == 1
    assert result.stderr == ""
    assert json.loads(result.stdout) == {
        "ok": False,
        "errors": [
            {
                "file": "facts/treaty.yaml",
                "line": 12,
                "column": 17,
                "message": "unknown source 'smith-2021-gazete'",
                "hint": "did you mean 'smith-2021-gazette'?",
            }
        ],
        "warnings": [],
    }


def test_build_json_lists_files_and_audiences(project, run):
    project()
    result = run("build", "-f", "html", "--json")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert json.loads(result.stdout) == {
        "ok": True,
        "written": ["out/widget-brief.html", "out/manifest.json"],
        "audiences": [
            {
                "name": "brief",
                "skipped": False,
                "facts": 4,
                "pages": None,
                "files": ["widget-brief.html"],
            }
        ],
        "warnings": [],
    }
    again = json.loads(run("build", "-f", "html", "--json").stdout)
    assert again["written"] == [] and again["audiences"][0]["skipped"] is True


def test_build_json_error(project, run):
    project()
    edit(Path("facts/treaty.yaml"), *MISTYPED)
    result = run("build", "-f", "html", "--json")
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert document["ok"] is False
    assert document["errors"][0]["message"] == "unknown source 'smith-2021-gazete'"
    assert not Path("out").exists()


def test_list_json_one_kind_or_all(project, run):
    project()
    topics = json.loads(run("list", "topics", "--json").stdout)
    assert topics == {
        "topics": [
            {"id": "treaty", "title": "The treaty", "facts": 3, "judgments": 1, "comments": 0}
        ]
    }
    everything = json.loads(run("list", "--json").stdout)
    assert list(everything) == ["topics", "facts", "sources", "audiences"]
    assert everything["facts"][0]["id"] == "treaty-signed"
    assert everything["sources"][0] == {
        "id": "smith-2021-gazette",
        "title": "The Widget Treaty Turns Ten",
        "citations": 4,
    }
    assert everything["audiences"][0]["name"] == "brief"


def test_matrix_json_is_the_same_json(project, run):
    project("audiences")
    plain, as_json = run("matrix"), run("matrix", "--json")
    assert plain.exit_code == as_json.exit_code == 0
    assert as_json.stdout == plain.stdout
    assert json.loads(as_json.stdout)["include"][0]["audience"] == "full"


def test_quiet_prints_nothing_but_keeps_errors(project, run):
    project()
    result = run("build", "-f", "html", "--quiet")
    assert result.exit_code == 0
    assert result.stdout == "" and result.stderr == ""
    assert Path("out/widget-brief.html").is_file()
    edit(Path("facts/treaty.yaml"), *MISTYPED)
    failed = run("build", "-f", "html", "-q")
    assert failed.exit_code == 1
    assert failed.stderr.startswith("error: facts/treaty.yaml:12:17: unknown source")


def test_verbose_prints_each_stage_after_the_build(project, run):
    project()
    result = run("build", "-f", "html", "--verbose")
    assert result.exit_code == 0
    assert result.stdout.startswith("wrote out/widget-brief.html\n")
    stages = [line.split(":")[0] for line in result.stderr.splitlines()]
    assert stages == ["load", "validate", "select", "render brief", "guard", "write"]
    assert all(line.endswith(" s") for line in result.stderr.splitlines())


def test_the_pipeline_reports_each_stage_started_and_finished(project):
    root = project()
    heard: list[Progress] = []
    build(root / "briefgen.yaml", formats=["html"], progress=heard.append)
    assert [(e.stage, e.audience, e.finished) for e in heard] == [
        ("load", None, False),
        ("load", None, True),
        ("validate", None, False),
        ("validate", None, True),
        ("select", None, False),
        ("select", None, True),
        ("render", "brief", False),
        ("render", "brief", True),
        ("guard", None, False),
        ("guard", None, True),
        ("write", None, False),
        ("write", None, True),
    ]


def test_shell_completion_is_offered_and_completes():
    runner = CliRunner()
    script = runner.invoke(app, ["--show-completion", "bash"], prog_name="briefgen")
    assert script.exit_code == 0
    assert "_BRIEFGEN_COMPLETE=complete_bash" in script.stdout
    env = {"_BRIEFGEN_COMPLETE": "complete_bash", "COMP_WORDS": "briefgen build --f"}
    completed = CliRunner(env={**env, "COMP_CWORD": "2"}).invoke(app, [], prog_name="briefgen")
    assert completed.stdout.split() == ["--format", "--force"]


def test_watch_takes_the_options_of_build(run):
    result = run("watch", "--help")
    options = ("--strict", "--force", "--since", "--jobs", "--format", "--audience", "--all")
    for option in (*options, "--quiet", "--verbose"):
        assert option in result.stdout
    assert "--out DIR" in result.stdout


def test_watch_passes_the_build_options_to_every_round(project, monkeypatch):
    from briefgen.tools import watch as watching

    root = project()
    calls: list[dict[str, object]] = []

    def fake_build(config: Path, **options: object) -> None:
        calls.append(options)

    monkeypatch.setattr(watching, "build", fake_build)
    rounds: list[watching.Round] = []
    watching.watch(
        root / "briefgen.yaml", [1], rounds.append, strict=True, force=True, jobs=2, since=None
    )
    assert len(calls) == 2 and len(rounds) == 2
    assert calls[0]["strict"] is True and calls[0]["force"] is True and calls[0]["jobs"] == 2


# Real processes: a terminal, and Ctrl-C --------------------------------------


def _in_a_terminal(args: list[str], cwd: Path) -> tuple[int, str]:
    """Run briefgen with stdout and stderr on a pseudo-terminal; its exit code and output."""
    main, child = pty.openpty()
    env = {**os.environ, "COLUMNS": "100", "TERM": "xterm"}
    env.pop("NO_COLOR", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "briefgen", *args],
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=child,
        stderr=child,
        env=env,
    )
    os.close(child)
    chunks = []
    while True:
        ready, _, _ = select.select([main], [], [], 120)
        if not ready:
            process.kill()
            break
        try:
            data = os.read(main, 4096)
        except OSError:  # the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(main)
    return process.wait(timeout=60), b"".join(chunks).decode("utf-8", "replace")


@pytest.mark.slow
def test_a_pdf_build_in_a_terminal_shows_progress_then_the_summary(project):
    root = project("audiences")
    code, output = _in_a_terminal(["build", "--all", "-f", "pdf"], root)
    assert code == 0, output
    assert "laying out…" in output
    summary = output[output.rindex("laying out…") :]
    assert "full: 7 facts, 2 pages" in summary


@pytest.mark.slow
def test_no_progress_when_piped_or_quiet(project):
    root = project("audiences")
    piped = subprocess.run(
        [sys.executable, "-m", "briefgen", "build", "--all", "-f", "pdf"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert piped.returncode == 0 and piped.stderr == ""
    code, output = _in_a_terminal(["build", "--all", "-f", "pdf", "--force", "-q"], root)
    assert code == 0 and output == ""


@pytest.mark.slow
def test_watch_exits_130_on_ctrl_c_with_one_line(project):
    root = project()
    process = subprocess.Popen(
        [sys.executable, "-m", "briefgen", "watch", "-f", "html"],
        cwd=root,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "NO_COLOR": "1"},
    )
    assert process.stdout is not None
    deadline = time.monotonic() + 60
    lines = []
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        lines.append(line)
        if line.startswith("done in"):
            break
    assert lines[-1].startswith("done in"), lines
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 130
    assert stderr == "stopped watching (Ctrl-C); the last good outputs are in place\n"


def test_watch_quiet_and_verbose_mean_what_they_mean_for_build(project, monkeypatch, capsys):
    """A round under --quiet prints nothing but problems; --verbose adds its stage timings."""
    from briefgen import cli
    from briefgen.pipeline import Progress
    from briefgen.report import BuildReport
    from briefgen.tools.watch import Round

    root = project()
    built = build(root / "briefgen.yaml", formats=["html"])
    timings = [BuildReport()]
    for stage in ("load", "validate"):
        timings[0].on_progress(Progress(stage, None, finished=False))
        timings[0].on_progress(Progress(stage, None, finished=True))
    cli._report_round(Round(0.5, built=built), quiet=True, verbose=True, timings=timings)
    out, err = capsys.readouterr()
    assert out == ""
    assert err.splitlines()[0].startswith("load:") and "validate:" in err
    assert timings[0].spans == {}  # a fresh report for the next round
    cli._report_round(Round(0.5, built=built), timings=timings)
    out, err = capsys.readouterr()
    assert out.endswith("done in 0.50 s; watching\n") and err == ""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["build", "--jobs", "0"], "0 is not a number of processes; give 1 or more"),
        (["watch", "--jobs", "-1"], "-1 is not a number of processes; give 1 or more"),
        (
            ["preview", "--port", "99999"],
            "99999 is not a port; give 1 to 65535, or 0 for a free one",
        ),
    ],
)
def test_numbers_out_of_range_are_usage_errors_in_plain_words(project, run, args, message):
    project()
    result = run(*args)
    assert result.exit_code == 2
    assert message in result.output and "Input should" not in result.output


def test_a_port_in_use_is_one_plain_error(project, run):
    import socket

    project()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run("preview", "--port", str(port))
    assert result.exit_code == 1
    assert result.stderr.startswith(
        f"error: cannot serve on 127.0.0.1:{port}: address already in use"
    )
    assert "Traceback" not in result.output
