"""briefgen.report: progress and timings, colour, JSON documents, plain help metavars."""

from __future__ import annotations

import io
import json
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer

from briefgen.errors import Problem, Where
from briefgen.pipeline import Progress
from briefgen.report import (
    BuildReport,
    colour_wanted,
    error_document,
    print_json,
    problem_document,
    progress_wanted,
    stderr_console,
    styled,
)


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def feed(report: BuildReport, clock: FakeClock, *steps: tuple[float, Progress]) -> None:
    for at, event in steps:
        clock.now = at
        report.on_progress(event)


def test_timings_per_stage_and_per_audience_in_stage_order():
    clock = FakeClock()
    report = BuildReport(clock=clock)
    feed(
        report,
        clock,
        (0.0, Progress("load", None, finished=False)),
        (0.25, Progress("load", None, finished=True)),
        (0.25, Progress("render", "public", finished=False)),
        (0.5, Progress("render", "public", finished=True)),
        (0.5, Progress("lay out", "public", finished=False)),
        (3.0, Progress("lay out", "public", finished=True, pages=4)),
        (3.0, Progress("write", None, finished=False)),
        (3.125, Progress("write", None, finished=True)),
    )
    assert report.timing_lines() == [
        "load:                          0.25 s",
        "render public:                 0.25 s",
        "lay out public:                2.50 s",
        "write:                         0.12 s",
    ]


def test_pdfs_laid_out_at_once_are_timed_as_one_span():
    clock = FakeClock()
    report = BuildReport(clock=clock)
    feed(
        report,
        clock,
        (1.0, Progress("lay out", "a", finished=False)),
        (1.0, Progress("lay out", "b", finished=False)),
        (4.0, Progress("lay out", "a", finished=True, pages=2)),
        (4.5, Progress("lay out", "b", finished=True, pages=3)),
    )
    assert report.timing_lines() == ["lay out (2 PDFs at once):      3.50 s"]


def test_a_stage_that_never_finished_has_no_timing():
    clock = FakeClock()
    report = BuildReport(clock=clock)
    feed(report, clock, (0.0, Progress("validate", None, finished=False)))
    assert report.timing_lines() == []


def test_each_audience_row_says_what_it_is_doing():
    report = BuildReport()
    report.on_progress(Progress("render", "public", finished=False))
    assert BuildReport.describe(report.rows["public"]) == "rendering…"
    report.on_progress(Progress("lay out", "public", finished=False))
    assert BuildReport.describe(report.rows["public"]) == "laying out…"
    report.on_progress(Progress("lay out", "public", finished=True, pages=23))
    assert BuildReport.describe(report.rows["public"]) == "laid out, 23 pages"
    report.on_progress(Progress("write", None, finished=False))
    assert BuildReport.describe(report.rows["public"]) == "writing…"
    assert report.stage == "write"
    report.on_progress(Progress("write", None, finished=True))
    assert BuildReport.describe(report.rows["public"]) == "written, 23 pages"
    assert report.stage is None
    report.on_progress(Progress("lay out", "top", finished=True, pages=1))
    assert BuildReport.describe(report.rows["top"]) == "laid out, 1 page"


def test_a_quick_build_draws_nothing(capsys):
    report = BuildReport(show=True, delay=5.0)
    with report.live():
        report.on_progress(Progress("render", "public", finished=False))
    assert report._live is None
    assert capsys.readouterr().err == ""


def test_a_slow_build_draws_after_the_delay_and_clears_it_at_the_end():
    report = BuildReport(show=True, delay=0.05)
    with report.live():
        report.on_progress(Progress("lay out", "public", finished=False))
        deadline = time.monotonic() + 5
        while report._live is None and time.monotonic() < deadline:
            time.sleep(0.01)
        assert report._live is not None
    assert report._live is None


def test_no_display_is_drawn_when_not_asked():
    report = BuildReport(show=False, delay=0.0)
    with report.live():
        time.sleep(0.05)
        assert report._live is None


@pytest.mark.parametrize(
    ("no_color", "tty", "wanted"),
    [(None, True, True), ("1", True, False), ("", True, True), (None, False, False)],
)
def test_colour_only_on_a_terminal_and_never_with_no_color(monkeypatch, no_color, tty, wanted):
    if no_color is None:
        monkeypatch.delenv("NO_COLOR", raising=False)
    else:
        monkeypatch.setenv("NO_COLOR", no_color)
    stream = Terminal() if tty else io.StringIO()
    assert colour_wanted(stream) is wanted


def test_error_prefix_coloured_on_a_terminal_plain_with_no_color(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setattr("sys.stderr", Terminal())
    assert styled("error: x", err=True) == typer.style("error:", fg="red", bold=True) + " x"
    assert styled("wrote out/a.html", err=True) == "wrote out/a.html"
    monkeypatch.setenv("NO_COLOR", "1")
    assert styled("error: x", err=True) == "error: x"


def test_the_progress_console_honours_no_color(monkeypatch):
    monkeypatch.setattr("sys.stderr", Terminal())
    monkeypatch.setenv("NO_COLOR", "1")
    assert stderr_console().no_color
    monkeypatch.delenv("NO_COLOR")
    assert not stderr_console().no_color


def test_progress_only_on_a_terminal_not_quiet_not_json(monkeypatch):
    monkeypatch.setattr("sys.stderr", Terminal())
    assert progress_wanted(quiet=False, as_json=False)
    assert not progress_wanted(quiet=True, as_json=False)
    assert not progress_wanted(quiet=False, as_json=True)
    monkeypatch.setattr("sys.stderr", io.StringIO())
    assert not progress_wanted(quiet=False, as_json=False)


def test_a_problem_as_json(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    problem = Problem("unknown source 'x'", Where(Path("facts/a.yaml"), 3, 9), "did you mean 'y'?")
    assert problem_document(problem) == {
        "file": "facts/a.yaml",
        "line": 3,
        "column": 9,
        "message": "unknown source 'x'",
        "hint": "did you mean 'y'?",
    }
    assert error_document([Problem("no place")]) == {
        "ok": False,
        "errors": [
            {"file": None, "line": None, "column": None, "message": "no place", "hint": None}
        ],
        "warnings": [],
    }


# --help with plain metavars ---------------------------------------------------

_PYTHON_TYPES = re.compile(r"\b(str|int|float|bool|NoneType|list\[|dict\[|path)\b")


def help_texts(command: Any, ctx: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[str, str]]:
    """Every command's --help under a click group, by its command path."""
    yield " ".join(path) or "briefgen", command.get_help(ctx)
    for name in getattr(command, "list_commands", lambda _: [])(ctx):
        sub = command.get_command(ctx, name)
        sub_ctx = type(ctx)(sub, info_name=name, parent=ctx, terminal_width=200)
        yield from help_texts(sub, sub_ctx, (*path, name))


def test_no_help_shows_a_python_type_or_typer_brackets():
    from briefgen.cli import app

    group = typer.main.get_command(app)
    ctx = type(typer.Context(group))(group, info_name="briefgen", terminal_width=200)
    texts = dict(help_texts(group, ctx))
    assert {"briefgen", "build", "check", "watch", "sources import", "sources archive"} <= set(
        texts
    )
    for name, text in texts.items():
        assert "<" not in text and "{" not in text, f"'{name} --help':\n{text}"
        assert not _PYTHON_TYPES.search(text), f"'{name} --help':\n{text}"
    assert "--format FORMAT" in texts["build"]
    assert "--audience NAME" in texts["build"]
    assert "--jobs N" in texts["build"]
    assert "--config FILE" in texts["check"]
    assert "--out DIR" in texts["build"]
    assert "Usage: briefgen trace [OPTIONS] SOURCE_ID" in texts["trace"]
    assert "--retrieved DATE" in texts["sources archive"]
    assert "Usage: briefgen list [OPTIONS] [WHAT]" in texts["list"]


def test_an_option_without_a_metavar_gets_a_plain_one():
    from briefgen.report import PlainHelpGroup

    demo = typer.Typer(cls=PlainHelpGroup, add_completion=False, rich_markup_mode=None)

    @demo.command()
    def first(count: int = 1, where: Path = Path("."), name: str = "x") -> None:
        """First."""

    @demo.command()
    def second(item: str) -> None:
        """Second."""

    group = typer.main.get_command(demo)
    ctx = type(typer.Context(group))(group, info_name="demo", terminal_width=200)
    text = group.get_command(ctx, "first").get_help(ctx)
    assert "--count N" in text and "--where PATH" in text and "--name TEXT" in text
    usage = group.get_command(ctx, "second").get_help(ctx)
    assert "[OPTIONS] ITEM" in usage and "<" not in usage and "{" not in usage


def test_json_output_escapes_what_a_terminal_could_act_on(capsys):
    print_json({"title": "a\x1b[31mred\u202e\x9b é"})
    out = capsys.readouterr().out
    assert out == '{\n  "title": "a\\u001b[31mred\\u202e\\u009b é"\n}\n'
    assert json.loads(out) == {"title": "a\x1b[31mred\u202e\x9b é"}
