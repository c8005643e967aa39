"""What the CLI shows a person or a script: progress, timings, JSON documents and help.

With `briefgen.cli`, this is the only module that prints. The CLI wires the
stages; this module turns what they return into text: a live progress display
on stderr (rich), the `--verbose` timings, the `--json` documents, coloured
`error:`/`warning:` prefixes, and the plain metavars of `--help`. Colour is
used only on a terminal and never when NO_COLOR is set to a non-empty value
(https://no-color.org). rich is imported only when a display is drawn, so that
`briefgen --help` stays fast.
"""

from __future__ import annotations

import json
import os
import re
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Any

import typer
from typer.core import TyperArgument, TyperGroup, TyperOption

if TYPE_CHECKING:
    from rich.console import Console
    from rich.live import Live

    from briefgen.errors import Problem
    from briefgen.model import Brief
    from briefgen.pipeline import Built, Checked, Progress

_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
"""What a terminal must not receive raw: control characters (C0 but tab and line feed,
DEL, C1), the Unicode line and paragraph separators, and the bidirectional overrides."""

DELAY = 0.5
"""Seconds a build runs before the progress display appears: a quick build stays silent."""


def terminal_safe(text: str) -> str:
    """`text` with every character a terminal could act on written as a visible escape.

    An ESC becomes the four characters \\x1b and a line separator \\u2028, so text
    from a fact file can neither colour, move nor rewrite what the terminal shows.
    Line feeds and tabs are kept.
    """
    return _UNPRINTABLE.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


# Colour ----------------------------------------------------------------------


def colour_wanted(stream: IO[str]) -> bool:
    """Whether to colour what goes to `stream`: a terminal, and NO_COLOR unset or empty."""
    if os.environ.get("NO_COLOR"):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


_PREFIX_COLOURS = {"error:": "red", "warning:": "yellow", "miss:": "red", "note:": "cyan"}


def styled(message: str, *, err: bool) -> str:
    """`message` with its `error:`/`warning:` prefix coloured when colour is wanted there."""
    stream = sys.stderr if err else sys.stdout
    prefix = message.split(" ", 1)[0]
    colour = _PREFIX_COLOURS.get(prefix)
    if colour is None or not colour_wanted(stream):
        return message
    return typer.style(prefix, fg=colour, bold=True) + message[len(prefix) :]


def echo(message: str, *, err: bool = False) -> None:
    """Print one message made terminal-safe, its prefix coloured where colour is wanted."""
    typer.echo(styled(terminal_safe(message), err=err), err=err)


def print_json(document: object) -> None:
    """Print one JSON document on stdout, terminal-safe.

    Characters a terminal could act on that JSON leaves raw (DEL, C1, the
    bidirectional overrides) are written as \\u escapes: they can only occur
    inside strings, where the escape means the same character.
    """
    text = json.dumps(document, indent=2, ensure_ascii=False)
    typer.echo(_UNPRINTABLE.sub(lambda match: f"\\u{ord(match.group()):04x}", text))


# Progress and timings --------------------------------------------------------

STAGES = ("load", "validate", "select", "render", "lay out", "convert", "guard", "write")
"""The stages of a build in the order `--verbose` lists them."""
PARALLEL = {"lay out"}
"""Stages whose audiences run at once, in child processes."""


@dataclass
class _Row:
    """One audience's line in the progress display."""

    stage: str = "waiting"
    done: bool = False
    pages: int | None = None


_DOING = {
    "load": "loading",
    "validate": "validating",
    "select": "selecting facts",
    "render": "rendering",
    "lay out": "laying out",
    "convert": "writing DOCX/Markdown",
    "guard": "checking",
    "write": "writing",
}
_DONE = {"render": "rendered", "lay out": "laid out", "convert": "converted", "write": "written"}


@dataclass
class BuildReport:
    """Listens to a build's progress events: times each stage and, when wanted, shows them live.

    Pass `on_progress` to `pipeline.build` inside `with report.live():`. The
    live display (stderr, one line per audience) appears only when `show` is
    true and the build is still running after `delay` seconds, and it is
    cleared when the build ends, leaving the CLI's own summary.
    """

    show: bool = False
    delay: float = DELAY
    clock: Callable[[], float] = time.perf_counter
    spans: dict[tuple[str, str | None], tuple[float, float]] = field(default_factory=dict)
    """When each (stage, audience) started and finished."""
    rows: dict[str, _Row] = field(default_factory=dict)
    stage: str | None = None
    """The stage that covers the whole brief now running (load, validate, ...)."""
    _started: dict[tuple[str, str | None], float] = field(default_factory=dict)
    _live: Live | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _over: bool = False

    def on_progress(self, event: Progress) -> None:
        """Record one event from the pipeline (a stage started or finished)."""
        key = (event.stage, event.audience)
        now = self.clock()
        if not event.finished:
            self._started[key] = now
        elif key in self._started:
            self.spans[key] = (self._started.pop(key), now)
        with self._lock:
            if event.audience is None:
                self.stage = None if event.finished else event.stage
                if event.stage == "write":
                    for row in self.rows.values():
                        row.stage, row.done = "write", event.finished
                return
            row = self.rows.setdefault(event.audience, _Row())
            row.stage, row.done = event.stage, event.finished
            if event.pages is not None:
                row.pages = event.pages

    @contextmanager
    def live(self) -> Iterator[BuildReport]:
        """Show the display while the block runs, once `delay` has passed; then clear it."""
        timer = threading.Timer(self.delay, self._start) if self.show else None
        if timer is not None:
            timer.daemon = True
            timer.start()
        try:
            yield self
        finally:
            if timer is not None:
                timer.cancel()
            with self._lock:
                self._over = True
                if self._live is not None:
                    _DRAWING.clear()
                    self._live.stop()
                    self._live = None

    def _start(self) -> None:
        from rich.live import Live

        with self._lock:
            if self._over:
                return
            self._live = Live(
                get_renderable=self.table,
                console=stderr_console(),
                transient=True,
                refresh_per_second=8,
                redirect_stdout=False,  # the layout children are forked while it draws
                redirect_stderr=False,
            )
            self._live.start()
            _DRAWING[:] = [self._live]

    def table(self) -> Any:
        """The display: what the brief is doing, then one line per audience."""
        from rich.spinner import Spinner
        from rich.table import Table

        grid = Table.grid(padding=(0, 1))
        if self.stage is not None:
            grid.add_row(Spinner("dots"), _DOING.get(self.stage, self.stage) + "…", "")
        for name, row in list(self.rows.items()):
            mark = "✓" if row.done and row.stage == "write" else Spinner("dots")
            grid.add_row(mark, terminal_safe(name), self.describe(row))
        return grid

    @staticmethod
    def describe(row: _Row) -> str:
        """What one audience is doing, in words: 'laying out…', 'laid out, 23 pages'."""
        if not row.done:
            return _DOING.get(row.stage, row.stage) + "…"
        text = _DONE.get(row.stage, row.stage)
        if row.pages is not None:
            text += f", {row.pages} page{'' if row.pages == 1 else 's'}"
        return text

    def timing_lines(self) -> list[str]:
        """The `--verbose` lines: each stage's seconds, per audience where it applies.

        PDFs are laid out in parallel and come back together, so lay out is
        one line: from the first start to the last finish, with how many PDFs.
        """
        lines = []
        for stage in STAGES:
            spans = {who: span for (name, who), span in self.spans.items() if name == stage}
            if stage in PARALLEL and len(spans) > 1:
                start = min(begin for begin, _ in spans.values())
                end = max(finish for _, finish in spans.values())
                spans = {f"({len(spans)} PDFs at once)": (start, end)}
            for who, (begin, finish) in spans.items():
                label = f"{stage} {who}:" if who else f"{stage}:"
                lines.append(f"{label:<28} {finish - begin:6.2f} s")
        return lines


_DRAWING: list[Live] = []
"""The live display being drawn, if any."""
_HELD: list[Live] = []


def _hold_display() -> None:
    """Before a fork: wait until the display's thread is not writing, and keep it so.

    The layout children are forked while the display draws; a child forked in
    the middle of a write would inherit a locked stderr and hang when it
    flushes. rich writes under the display's lock.
    """
    _HELD[:] = list(_DRAWING)
    for live in _HELD:
        live._lock.acquire()


def _release_display() -> None:
    """After a fork, in parent and child: let the display draw again."""
    for live in _HELD:
        live._lock.release()
    _HELD.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(
        before=_hold_display, after_in_parent=_release_display, after_in_child=_release_display
    )


def stderr_console() -> Console:
    """A rich console on stderr that honours NO_COLOR and colours only a terminal."""
    from rich.console import Console

    return Console(stderr=True, no_color=not colour_wanted(sys.stderr), highlight=False)


def progress_wanted(*, quiet: bool, as_json: bool) -> bool:
    """Whether to draw a live display: not quiet, not JSON, and stderr a terminal."""
    isatty = getattr(sys.stderr, "isatty", None)
    return not quiet and not as_json and bool(isatty and isatty())


# JSON documents --------------------------------------------------------------


def problem_document(problem: Problem) -> dict[str, Any]:
    """One error or warning: {"file", "line", "column", "message", "hint"} (nulls when unknown)."""
    from briefgen.errors import display_path

    where = problem.where
    return {
        "file": display_path(where.file) if where else None,
        "line": where.line if where else None,
        "column": where.column if where else None,
        "message": problem.message,
        "hint": problem.hint,
    }


def error_document(problems: Sequence[Problem], warnings: Sequence[Problem] = ()) -> dict[str, Any]:
    """What `--json` prints when a command fails: {"ok": false, "errors": [...], "warnings": []}."""
    return {
        "ok": False,
        "errors": [problem_document(p) for p in problems],
        "warnings": [problem_document(p) for p in warnings],
    }


def counts(brief: Brief) -> dict[str, int]:
    """How many topics, facts (judgments and comments included) and sources a brief holds."""
    return {"topics": len(brief.topics), "facts": len(brief.facts), "sources": len(brief.sources)}


def check_document(checked: Checked) -> dict[str, Any]:
    """`check --json`: {"ok": true, "errors": [], "warnings": [...], "counts": {...}}."""
    return {
        "ok": True,
        "errors": [],
        "warnings": [problem_document(p) for p in checked.warnings],
        "counts": counts(checked.brief),
    }


def build_document(built: Built) -> dict[str, Any]:
    """`build --json`: {"ok", "written": [paths], "audiences": [...], "warnings": [...]}."""
    from briefgen.errors import display_path

    audiences = []
    for audience in built.audiences:
        entry: dict[str, Any] = {
            "name": audience.name,
            "skipped": audience.skipped,
            "facts": len(audience.fact_ids),
            "pages": audience.pages,
            "files": audience.files,
        }
        if audience.changes is not None:
            c = audience.changes
            entry["changes"] = {
                "since": str(c.since),
                "added": len(c.added),
                "changed": len(c.changed),
                "removed": len(c.removed),
            }
        audiences.append(entry)
    return {
        "ok": True,
        "written": [display_path(path) for path in built.written],
        "audiences": audiences,
        "warnings": [problem_document(p) for p in built.warnings],
    }


def list_document(brief: Brief, what: str) -> dict[str, Any]:
    """`list --json`: {"topics": [...], "facts": [...], "sources": [...], "audiences": [...]},
    only the key asked for unless `what` is "all"."""
    from briefgen.pipeline import audiences_of
    from briefgen.plan import output_names

    document: dict[str, Any] = {}
    if what in ("all", "topics"):
        document["topics"] = [
            {
                "id": topic.id,
                "title": topic.title,
                "facts": sum(fact.kind == "fact" for fact in topic.facts),
                "judgments": sum(fact.kind == "judgment" for fact in topic.facts),
                "comments": sum(fact.kind == "comment" for fact in topic.facts),
            }
            for topic in brief.topics
        ]
    if what in ("all", "facts"):
        document["facts"] = [
            {
                "id": fact.id,
                "kind": fact.kind,
                "handling": fact.handling,
                "priority": fact.priority,
                "topic": topic.id,
            }
            for topic in brief.topics
            for fact in topic.facts
        ]
    if what in ("all", "sources"):
        uses = brief.citation_counts()
        document["sources"] = [
            {"id": source.id, "title": source.title, "citations": uses.get(source.id, 0)}
            for source in brief.sources
        ]
    if what in ("all", "audiences"):
        document["audiences"] = [
            {
                "name": s.audience.name,
                "handling": s.audience.handling,
                "priority": s.audience.priority,
                "facts": s.facts,
                "page_budget": s.audience.page_budget,
                "pdf": f"{s.audience.stem}.pdf" if "pdf" in s.audience.formats else None,
                "files": list(output_names(s.audience)),
                "topics": sorted(s.audience.topics) if s.audience.topics is not None else None,
            }
            for s in audiences_of(brief)
        ]
    return document


# Help with plain metavars ----------------------------------------------------


class PlainHelpGroup(TyperGroup):
    """A command group whose `--help` shows plain metavars (FILE, NAME, N), never Python types.

    Typer writes an option's type as `<path>` or `<list[str]>` and a required
    argument as `{NAME}`. Every command this group hands out (so also one added
    later without metavars) gets click's plain style: an argument is its upper
    case name, an option without a metavar gets one from its type.
    """

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        command = super().get_command(ctx, cmd_name)
        if command is not None:
            for param in command.params:
                plain_metavar(param)
        return command

    def get_params(self, ctx: Any) -> list[Any]:
        params = super().get_params(ctx)
        for param in params:
            plain_metavar(param)
        return params


class _PlainArgument(TyperArgument):
    """An argument shown as its metavar alone: `SOURCE_ID`, `[WHAT]`."""

    def display_type_rich(self, ctx: Any) -> str | None:
        return None

    def _usage_display_name(self) -> str:
        name = self.display_name_raw
        name = name if self.required else f"[{name}]"
        return name + ("..." if self.nargs != 1 else "")


_TYPE_METAVARS = {"path": "PATH", "int": "N", "integer": "N", "float": "NUMBER", "str": "TEXT"}


def plain_metavar(param: Any) -> None:
    """Give `param` a plain metavar in place of the Python type Typer would show."""
    if isinstance(param, TyperArgument):
        if param.metavar is None:
            param.metavar = (param.name or "value").upper()
        param.__class__ = _PlainArgument
    elif isinstance(param, TyperOption) and param.metavar is None and not param.is_flag:
        descriptor = param.type_descriptor
        if descriptor.is_choice and descriptor.choices:
            names = (str(getattr(choice, "value", choice)) for choice in descriptor.choices)
            param.metavar = f"[{'|'.join(names)}]"
            return
        name = getattr(descriptor.annotation, "__name__", "") or ""
        param.metavar = _TYPE_METAVARS.get(name.lower(), "VALUE")
