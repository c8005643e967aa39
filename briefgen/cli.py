"""The command line: wires the pipeline stages, prints, and chooses exit codes.

Exit codes: 0 ok; 1 the inputs are wrong or the build failed; 2 usage error;
130 interrupted. Only this module and `briefgen.report` (progress, timings,
JSON documents, colour, plain help) print. Heavy modules are imported inside
the commands so that `briefgen --help` stays fast.
"""

from __future__ import annotations

import io
import signal
import sys
import traceback
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from briefgen import __version__
from briefgen.formats import FORMATS
from briefgen.report import PlainHelpGroup, terminal_safe

if TYPE_CHECKING:
    from briefgen.model import Brief
    from briefgen.pipeline import Built
    from briefgen.report import BuildReport

app = typer.Typer(
    name="briefgen",
    help="Build sourced briefing documents (HTML and PDF) from curated fact files.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    cls=PlainHelpGroup,
)

ConfigOption = Annotated[
    Path,
    typer.Option(
        "--config", "-c", metavar="FILE", help="The brief's configuration file.", show_default=True
    ),
]
DEFAULT_CONFIG = Path("briefgen.yaml")
AudienceOption = Annotated[
    list[str] | None,
    typer.Option(
        "--audience",
        "-a",
        metavar="NAME",
        help="Build this audience; repeat for several. [default: the default]",
    ),
]
AllOption = Annotated[bool, typer.Option("--all", help="Build every audience.")]
AllowOutsideOption = Annotated[
    bool,
    typer.Option(
        "--allow-outside",
        help="Let the configuration's facts, templates and output folders lie outside the project.",
    ),
]
OutOption = Annotated[
    Path | None,
    typer.Option(
        "--out", "-o", metavar="DIR", help="Output folder. [default: the configuration's, out/]"
    ),
]


Format = StrEnum("Format", [(name, name) for name in FORMATS])  # type: ignore[misc]


FormatOption = Annotated[
    list[Format] | None,
    typer.Option(
        "--format",
        "-f",
        metavar="FORMAT",
        help="Output format: html, pdf, docx or md; repeat for several. "
        "[default: each audience's formats, html and pdf unless configured]",
    ),
]
ForceOption = Annotated[
    bool, typer.Option("--force", help="Rebuild audiences whose inputs are unchanged.")
]
SinceOption = Annotated[
    Path | None,
    typer.Option(
        "--since",
        metavar="FILE",
        help="Compare with this manifest for 'changes since the previous version'. "
        "[default: out/manifest.json]",
    ),
]
StrictOption = Annotated[bool, typer.Option("--strict", help="Treat warnings as errors.")]
JobsOption = Annotated[
    int | None,
    typer.Option("--jobs", "-j", metavar="N", help="PDFs laid out at once. [default: one per CPU]"),
]
JsonOption = Annotated[
    bool, typer.Option("--json", help="Print one JSON document on stdout, for scripts.")
]
QuietOption = Annotated[
    bool,
    typer.Option("--quiet", "-q", help="Print only warnings and errors: no progress, no 'wrote'."),
]
VerboseOption = Annotated[
    bool, typer.Option("--verbose", "-v", help="Print how long each stage took.")
]


class Listing(StrEnum):
    all = "all"
    topics = "topics"
    facts = "facts"
    sources = "sources"
    audiences = "audiences"


_state = {"debug": False}

_CLICK_ERROR: type[Exception] = next(
    c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException"
)


def _echo(message: str, *, err: bool = False) -> None:
    """Print one message through `terminal_safe`: every line the CLI prints goes here."""
    from briefgen.report import echo

    echo(message, err=err)


def _bad_parameter(message: str, param_hint: str) -> typer.BadParameter:
    """A usage error whose message may quote user text, made safe to print."""
    return typer.BadParameter(terminal_safe(message), param_hint=param_hint)


@contextmanager
def _reported(as_json: bool = False) -> Iterator[None]:
    """Turn a BriefError into one line per problem on stderr and exit code 1.

    With `as_json`, the problems go to stdout as one JSON document instead.
    """
    from briefgen.errors import BriefError

    try:
        yield
    except BriefError as exc:
        if _state["debug"]:
            _echo(traceback.format_exc().rstrip("\n"), err=True)
        if as_json:
            from briefgen.report import error_document, print_json

            print_json(error_document(exc.problems))
            raise typer.Exit(1) from None
        for problem in exc.problems:
            _echo(f"error: {problem}", err=True)
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        _echo("interrupted; previous outputs left as they were", err=True)
        raise typer.Exit(130) from None


def _version(value: bool) -> None:
    if value:
        _echo(f"briefgen {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    debug: Annotated[
        bool, typer.Option("--debug", help="Show the full traceback of an error.")
    ] = False,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Build sourced briefing documents (HTML and PDF) from curated fact files."""
    _state["debug"] = debug


@app.command()
def build(
    config: ConfigOption = DEFAULT_CONFIG,
    audiences: AudienceOption = None,
    everything: AllOption = False,
    formats: FormatOption = None,
    out: OutOption = None,
    force: ForceOption = False,
    since: SinceOption = None,
    strict: StrictOption = False,
    jobs: JobsOption = None,
    allow_outside: AllowOutsideOption = False,
    quiet: QuietOption = False,
    verbose: VerboseOption = False,
    as_json: JsonOption = False,
) -> None:
    """Validate the facts and build each audience's HTML and PDF."""
    with _reported(as_json):
        from briefgen.audience import UnknownAudience
        from briefgen.pipeline import build as build_brief
        from briefgen.report import BuildReport, build_document, print_json, progress_wanted

        options = _build_options(
            audiences, everything, formats, out, force, since, strict, jobs, allow_outside
        )
        report = BuildReport(show=progress_wanted(quiet=quiet, as_json=as_json))
        try:
            with report.live():
                built = build_brief(config, **options, progress=report.on_progress)
        except UnknownAudience as exc:  # a usage error, exit 2
            raise _bad_parameter(
                f"unknown audience {exc.name!r}; known audiences: {', '.join(exc.known)}",
                param_hint="'--audience'",
            ) from None
        if as_json:
            print_json(build_document(built))
            return
        _warn(built.warnings)
        if not quiet:
            _summarise(built)
        if verbose:
            for line in report.timing_lines():
                _echo(line, err=True)


def _summarise(built: Built) -> None:
    """The files a build wrote, then a line per audience."""
    for path in built.written:
        _echo(f"wrote {_shown(path)}")
    for audience in built.audiences:
        pages = f", {_count(audience.pages, 'page')}" if audience.pages else ""
        facts = f"{_count(len(audience.fact_ids), 'fact')}{pages}"
        if audience.skipped:
            _echo(f"{audience.name}: unchanged, skipped ({facts}; --force rebuilds)")
            continue
        _echo(f"{audience.name}: {facts}")
        if audience.changes is not None:
            c = audience.changes
            removed = len(c.removed)
            _echo(
                f"  since the version of {c.since}: {len(c.added)} added, "
                f"{len(c.changed)} changed, {removed} removed"
            )


@app.command()
def check(
    config: ConfigOption = DEFAULT_CONFIG,
    max_age: Annotated[
        str | None,
        typer.Option(
            "--max-age",
            metavar="AGE",
            help="Warn about facts not reviewed within AGE (365d, 26w, 1y).",
        ),
    ] = None,
    strict: StrictOption = False,
    allow_outside: AllowOutsideOption = False,
    as_json: JsonOption = False,
) -> None:
    """Validate the configuration and fact files without building."""
    with _reported(as_json):
        from briefgen.pipeline import check as check_brief
        from briefgen.report import check_document, print_json
        from briefgen.stale import parse_age

        try:
            age = parse_age(max_age) if max_age is not None else None
        except Exception as exc:
            raise _bad_parameter(str(exc), param_hint="'--max-age'") from None
        checked = check_brief(config, max_age=age, strict=strict, allow_outside=allow_outside)
        if as_json:
            print_json(check_document(checked))
            return
        _warn(checked.warnings)
        brief = checked.brief
        _echo(
            f"ok: {_count(len(brief.topics), 'topic')}, {_count(len(brief.facts), 'fact')}, "
            f"{_count(len(brief.sources), 'source')}"
        )


@app.command()
def watch(
    config: ConfigOption = DEFAULT_CONFIG,
    audiences: AudienceOption = None,
    everything: AllOption = False,
    formats: FormatOption = None,
    out: OutOption = None,
    force: ForceOption = False,
    since: SinceOption = None,
    strict: StrictOption = False,
    jobs: JobsOption = None,
    allow_outside: AllowOutsideOption = False,
    quiet: QuietOption = False,
    verbose: VerboseOption = False,
) -> None:
    """Rebuild whenever the facts, the configuration or a template changes.

    Takes the options of `build`. Ctrl-C stops it, with exit code 130.
    """
    with _reported():
        from functools import partial

        import watchfiles

        from briefgen.report import BuildReport
        from briefgen.tools.watch import relevant, watch, watched_paths

        options = _build_options(
            audiences, everything, formats, out, force, since, strict, jobs, allow_outside
        )
        paths = watched_paths(config)
        shown = ", ".join(_shown(p) for p in paths)
        _echo(f"watching {shown}; Ctrl-C stops")
        changes = watchfiles.watch(
            *paths, watch_filter=lambda _change, path: relevant(path), raise_interrupt=True
        )
        timings = [BuildReport()]  # this round's stage timings, for --verbose
        try:
            watch(
                config,
                changes,
                partial(_report_round, quiet=quiet, verbose=verbose, timings=timings),
                **options,
                progress=lambda event: timings[0].on_progress(event),
            )
        except KeyboardInterrupt:
            _echo("stopped watching (Ctrl-C); the last good outputs are in place", err=True)
            raise typer.Exit(130) from None


def _build_options(
    audiences: list[str] | None,
    everything: bool,
    formats: list[Format] | None,
    out: Path | None,
    force: bool,
    since: Path | None,
    strict: bool,
    jobs: int | None,
    allow_outside: bool,
) -> dict[str, Any]:
    """`build`'s options, checked, as `pipeline.build` (and `watch`) take them."""
    if audiences and everything:
        raise _bad_parameter("give --audience or --all, not both", param_hint="'--all'")
    if since is not None and not since.exists():
        raise _bad_parameter(f"no manifest at {str(since)!r}", param_hint="'--since'")
    if jobs is not None and jobs < 1:
        raise _bad_parameter(
            f"{jobs} is not a number of processes; give 1 or more", param_hint="'--jobs'"
        )
    return {
        "audiences": audiences or (),
        "everything": everything,
        "formats": [f.value for f in formats] if formats else None,
        "out_dir": out,
        "force": force,
        "since": since,
        "strict": strict,
        "jobs": jobs,
        "allow_outside": allow_outside,
    }


def _report_round(
    round_: object,
    *,
    quiet: bool = False,
    verbose: bool = False,
    timings: list[BuildReport] | None = None,
) -> None:
    """One round of `watch` (or `preview`): errors always; with --quiet nothing more.

    `timings` holds the round's stage timings (for --verbose) and gets a fresh
    report for the next round.
    """
    from briefgen.report import BuildReport
    from briefgen.tools.watch import Round

    assert isinstance(round_, Round)
    report = timings[0] if timings else BuildReport()
    if timings:
        timings[0] = BuildReport()
    if round_.error is not None:
        for problem in round_.error.problems:
            _echo(f"error: {problem}", err=True)
        _echo(f"build failed ({round_.seconds:.1f} s); still watching", err=True)
        return
    assert round_.built is not None
    _warn(round_.built.warnings)
    if not quiet:
        for audience in round_.built.audiences:
            state = "unchanged" if audience.skipped else "rebuilt"
            _echo(f"{audience.name}: {state}")
        _echo(f"done in {round_.seconds:.2f} s; watching")
    if verbose:
        for line in report.timing_lines():
            _echo(line, err=True)


@app.command()
def preview(
    config: ConfigOption = DEFAULT_CONFIG,
    out: OutOption = None,
    port: Annotated[
        int,
        typer.Option(
            "--port",
            "-p",
            metavar="N",
            help="Port to serve on. [default: a free one]",
        ),
    ] = 0,
    host: Annotated[
        str,
        typer.Option(
            "--host",
            metavar="ADDRESS",
            help="Address to serve on; any but 127.0.0.1 exposes the brief.",
        ),
    ] = "127.0.0.1",
    open_browser: Annotated[
        bool, typer.Option("--open", help="Open the preview in the web browser.")
    ] = False,
    allow_outside: AllowOutsideOption = False,
) -> None:
    """Serve a live preview of the brief in the browser.

    Every audience's HTML and PDF, on 127.0.0.1 and a free port by default. The
    HTML is rebuilt first and open pages reload themselves; the PDFs follow in
    the background. A build error shows over the page until the next good build.
    """
    with _reported():
        import watchfiles

        if not 0 <= port <= 65535:
            raise _bad_parameter(
                f"{port} is not a port; give 1 to 65535, or 0 for a free one", param_hint="'--port'"
            )
        from briefgen.tools.preview import LOCAL_HOSTS, Preview
        from briefgen.tools.watch import relevant, watched_paths

        if host not in LOCAL_HOSTS:
            _echo(f"warning: serving on {host} lets other machines read the brief", err=True)
        paths = watched_paths(config)
        try:
            server = Preview(
                config,
                host=host,
                port=port,
                out_dir=out,
                allow_outside=allow_outside,
                on_pdf=_report_pdf,
            )
        except OSError as exc:
            _echo(f"error: cannot serve on {host}:{port}: {exc.strerror}", err=True)
            raise typer.Exit(1) from None
        try:
            with server:
                _echo(f"preview at {server.url}")
                _echo(f"watching {', '.join(_shown(p) for p in paths)}; Ctrl-C stops")
                if open_browser:
                    import webbrowser

                    webbrowser.open(server.url)
                changes = watchfiles.watch(*paths, watch_filter=lambda _c, p: relevant(p))
                server.run(changes, _report_round)
        except KeyboardInterrupt:
            _echo("preview stopped", err=True)
            raise typer.Exit(130) from None


def _report_pdf(round_: object) -> None:
    from briefgen.tools.preview import PdfRound

    assert isinstance(round_, PdfRound)
    if round_.error_lines is None:
        _echo(f"PDFs ready ({round_.seconds:.1f} s)")
        return
    for line in round_.error_lines:
        _echo(f"error: {line}", err=True)
    _echo(f"PDF build failed ({round_.seconds:.1f} s); the HTML preview goes on", err=True)


class CiService(StrEnum):
    github = "github"
    gitlab = "gitlab"


@app.command()
def matrix(
    config: ConfigOption = DEFAULT_CONFIG,
    service: Annotated[
        CiService,
        typer.Option(
            "--for",
            metavar="SERVICE",
            help="github: a job matrix as JSON; gitlab: a child pipeline with a job per audience.",
        ),
    ] = CiService.github,
    as_json: Annotated[
        bool,
        typer.Option(
            "--json", help="Accepted for symmetry with the other commands: the output is the same."
        ),
    ] = False,
) -> None:
    """Print the audience builds as a CI matrix or child pipeline.

    `--for github` (the default) prints a GitHub Actions matrix as one line of
    JSON; `--for gitlab` prints a GitLab child pipeline with one job per audience.
    """
    with _reported(as_json):
        from briefgen.audience import audiences
        from briefgen.ci import github_matrix, gitlab_child_pipeline
        from briefgen.load import load_config

        found = audiences(load_config(config))
        _echo(github_matrix(found) if service is CiService.github else gitlab_child_pipeline(found))


@app.command("list")
def list_(
    what: Annotated[
        Listing,
        typer.Argument(
            metavar="WHAT", help="What to list: all, topics, facts, sources or audiences."
        ),
    ] = Listing.all,
    config: ConfigOption = DEFAULT_CONFIG,
    allow_outside: AllowOutsideOption = False,
    as_json: JsonOption = False,
) -> None:
    """List the brief's topics, facts, sources or audiences."""
    with _reported(as_json):
        from briefgen.pipeline import check as check_brief
        from briefgen.report import list_document, print_json

        brief = check_brief(config, allow_outside=allow_outside).brief
        if as_json:
            print_json(list_document(brief, what.value))
            return
        if what in (Listing.all, Listing.topics):
            _heading("topics", what)
            for topic in brief.topics:
                kinds = [fact.kind for fact in topic.facts]
                counts = f"{_count(kinds.count('fact'), 'fact'):>9} "
                counts += f"{_count(kinds.count('judgment'), 'judgment'):>12}"
                if kinds.count("comment"):
                    counts += f" {_count(kinds.count('comment'), 'comment')}"
                _echo(f"{topic.id:<20} {counts}  {topic.title}")
        if what in (Listing.all, Listing.facts):
            _heading("facts", what)
            for topic in brief.topics:
                for fact in topic.facts:
                    _echo(
                        f"{fact.id:<34} {fact.kind:<8} {fact.handling:<9} p{fact.priority}  "
                        f"{topic.id}"
                    )
        if what in (Listing.all, Listing.sources):
            _heading("sources", what)
            uses = brief.citation_counts()
            for source in brief.sources:
                _echo(f"{source.id:<36} {uses.get(source.id, 0):>3} citations  {source.title}")
        if what in (Listing.all, Listing.audiences):
            _heading("audiences", what)
            _list_audiences(brief)


@app.command("verify-quotes")
def verify_quotes(
    archive: Annotated[
        Path | None,
        typer.Option(
            "--archive",
            "-a",
            metavar="DIR",
            help="Folder of archived source texts, one SOURCE_ID.txt per source. "
            "[default: the configuration's archive, sources/]",
        ),
    ] = None,
    config: ConfigOption = DEFAULT_CONFIG,
    strict: Annotated[
        bool, typer.Option("--strict", help="Treat a copy with no recorded sha256 as an error.")
    ] = False,
    allow_outside: AllowOutsideOption = False,
) -> None:
    """Check every quote against the archived text of its source.

    Each archived copy must also still have the sha256 recorded in sources.yaml.
    """
    with _reported():
        from briefgen.pipeline import check as check_brief
        from briefgen.tools.verify import verify_quotes as verify

        result = verify(check_brief(config, allow_outside=allow_outside).brief, archive)
        for miss in result.misses:
            _echo(f"miss: {miss}", err=True)
        for changed in result.changed:
            _echo(f"error: {changed.problem}", err=True)
        for unrecorded in result.unrecorded:
            _echo(f"{'error' if strict else 'warning'}: {unrecorded.problem}", err=True)
        found = result.checked - len(result.misses)
        _echo(f"{found} of {_count(result.checked, 'quote')} found in {result.archive}")
        if result.misses or result.changed or (strict and result.unrecorded):
            raise typer.Exit(1)


@app.command("trace")
def trace_source(
    source_id: Annotated[
        str, typer.Argument(metavar="SOURCE_ID", help="The id of a source in sources.yaml.")
    ],
    config: ConfigOption = DEFAULT_CONFIG,
    allow_outside: AllowOutsideOption = False,
) -> None:
    """List every fact and judgment that rests on a source."""
    with _reported():
        from briefgen.pipeline import check as check_brief
        from briefgen.tools.trace import UnknownSource, trace

        brief = check_brief(config, allow_outside=allow_outside).brief
        try:
            result = trace(brief, source_id)
        except UnknownSource as exc:  # a usage error, exit 2
            hint = f"; {exc.hint}" if exc.hint else ""
            raise _bad_parameter(
                f"{exc.problems[0].message}{hint}", param_hint="'SOURCE_ID'"
            ) from None
        _echo(f"facts citing {source_id}: {len(result.citing)}")
        for fact, citations in result.citing:
            locators = ", ".join(dict.fromkeys(c.locator for c in citations))
            _echo(f"  {fact.id:<34} {fact.kind:<8} {locators:<16} {fact.where()}")
        _echo(f"judgments resting on them: {len(result.judgments)}")
        for fact, via in result.judgments:
            _echo(f"  {fact.id:<34} via {', '.join(via)}")


@app.command()
def init(
    directory: Annotated[Path, typer.Argument(metavar="DIR", help="Folder for the new brief.")],
    title: Annotated[
        str | None, typer.Option("--title", help="The brief's title. [default: from DIR]")
    ] = None,
    requirement: Annotated[
        str | None,
        typer.Option(
            "--requirement",
            help="How the brief's CI installs briefgen, e.g. 'briefgen==0.2.0'. "
            "[default: the briefgen running]",
        ),
    ] = None,
) -> None:
    """Start a new brief in DIR, ready to build and to run in CI.

    Writes the configuration, an example topic and source, a template stub,
    the editor schema, a GitHub workflow, a GitLab file, a pre-commit
    configuration, git's .gitignore and .gitattributes (which keeps the archived
    texts byte for byte) and requirements.txt, which pins the briefgen that CI
    installs.
    """
    with _reported():
        from briefgen.errors import BriefError
        from briefgen.tools.scaffold import check_requirement, installed_requirement
        from briefgen.tools.scaffold import init as scaffold

        if requirement is not None:
            try:
                requirement = check_requirement(requirement)
            except BriefError as exc:
                problem = exc.problems[0]
                raise _bad_parameter(
                    f"{problem.message}; {problem.hint}", param_hint="'--requirement'"
                ) from None
            pin = None
        else:
            pin = installed_requirement()
            requirement = pin.requirement
        for path in scaffold(directory, title=title, requirement=requirement):
            _echo(f"wrote {_shown(path)}")
        if pin is not None and pin.note:
            _echo(f"note: {pin.note}", err=True)
        _echo(f"next: cd {_shown(directory)} && briefgen build --all")


@app.command()
def schema(
    out: Annotated[
        Path, typer.Option("--out", "-o", metavar="DIR", help="Folder for the schema files.")
    ] = Path("schema"),
) -> None:
    """Write JSON Schema for the brief's YAML files, for editors."""
    with _reported():
        from briefgen.tools.schema import schema_files
        from briefgen.write import write_outputs

        for path in write_outputs(out, schema_files()):
            _echo(f"wrote {_shown(path)}")


sources_app = typer.Typer(
    help="Manage the sources file.",
    no_args_is_help=True,
    rich_markup_mode=None,
    cls=PlainHelpGroup,
)
app.add_typer(sources_app, name="sources")


@sources_app.command("import")
def sources_import(
    file: Annotated[
        Path, typer.Argument(metavar="FILE", help="A CSL-JSON export (Zotero, Better BibTeX).")
    ],
    config: ConfigOption = DEFAULT_CONFIG,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Report what would change; write nothing.")
    ] = False,
) -> None:
    """Merge a CSL-JSON export into the sources file, never editing a record."""
    with _reported():
        from briefgen.load import load_config
        from briefgen.model import Folders
        from briefgen.tools.csl import import_csl, write_import

        target = Folders.of(load_config(config), config.parent).sources
        report = import_csl(target, file)
        for source_id in report.added:
            _echo(f"added {source_id}")
            if report.ignored.get(source_id):
                ignored = ", ".join(report.ignored[source_id])
                _echo(f"  ignored fields briefgen does not keep: {ignored}")
        for conflict in report.conflicts:
            _echo(
                f"warning: {conflict.id}: {conflict.field} differs; kept ours {conflict.ours!r}, "
                f"the export has {conflict.theirs!r}",
                err=True,
            )
        for source_id, fields in report.not_merged.items():
            _echo(
                f"note: {source_id}: not merged (existing records are never edited): "
                f"{', '.join(fields)}",
                err=True,
            )
        conflicted = len({conflict.id for conflict in report.conflicts})
        summary = (
            f"{len(report.added)} added, {len(report.unchanged)} unchanged, "
            f"{conflicted} with conflicts"
        )
        if report.changed and not dry_run:
            write_import(report, target)
            _echo(f"wrote {_shown(target)}: {summary}")
        else:
            verb = "would change" if report.changed else "unchanged"
            _echo(f"{_shown(target)} {verb}: {summary}")


@sources_app.command("archive")
def sources_archive(
    source_id: Annotated[
        str, typer.Argument(metavar="ID", help="The id of a source in sources.yaml.")
    ],
    given: Annotated[
        str,
        typer.Argument(
            metavar="FILE|URL",
            help="An http(s) URL, a saved HTML page, a PDF or a text file; or the archived copy "
            "itself, to record its sha256.",
        ),
    ],
    retrieved: Annotated[
        str | None,
        typer.Option(
            "--retrieved",
            metavar="DATE",
            help="When the text was retrieved, YYYY-MM-DD. [default: today for a URL or a "
            "copied file; none for the archived copy itself]",
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace an archived copy that holds another text.")
    ] = False,
    config: ConfigOption = DEFAULT_CONFIG,
) -> None:
    """Archive a source's text and record its sha256 in sources.yaml.

    A URL (http or https) is fetched; an HTML page is reduced to its article text,
    a PDF gives its text, a text file is kept as is. The copy goes to the
    configured archive folder as ID.txt; passing that copy itself records its
    sha256 only.
    """
    with _reported():
        from briefgen.tools.archive import (
            archive_lock,
            plan_archive,
            retrieval_date,
            write_archive,
        )
        from briefgen.tools.trace import UnknownSource

        try:
            when = retrieval_date(retrieved) if retrieved is not None else None
        except ValueError as exc:
            raise _bad_parameter(str(exc), param_hint="'--retrieved'") from None
        if not given.strip():
            raise _bad_parameter("give a file or an http(s) URL", param_hint="'FILE|URL'")
        with archive_lock(config):
            try:
                plan = plan_archive(config, source_id, given, retrieved=when, force=force)
            except UnknownSource as exc:  # a usage error, exit 2
                hint = f"; {exc.hint}" if exc.hint else ""
                message = f"{exc.problems[0].message}{hint}"
                raise _bad_parameter(message, param_hint="'ID'") from None
            written = write_archive(plan)
        if plan.text is None:
            _echo(f"{_shown(plan.copy)} unchanged")
        else:
            _echo(f"{'replaced' if plan.replaces else 'wrote'} {_shown(plan.copy)}")
        short = plan.sha256[:12]
        if plan.sources_path in written:
            _echo(f"recorded sha256 {short}… of {source_id} in {_shown(plan.sources_path)}")
        else:
            _echo(f"{_shown(plan.sources_path)} unchanged: sha256 {short}… already recorded")


def _list_audiences(brief: Brief) -> None:
    from briefgen.pipeline import audiences_of

    for summary in audiences_of(brief):
        audience, shown = summary.audience, summary.facts
        budget = (
            "no PDF"
            if "pdf" not in audience.formats
            else f"at most {_count(audience.page_budget, 'page')}"
            if audience.page_budget
            else "no page limit"
        )
        formats = audience.formats
        files = f"{audience.stem}." + (
            formats[0] if len(formats) == 1 else "{" + ",".join(formats) + "}"
        )
        priority = "1" if audience.priority == 1 else f"1–{audience.priority}"
        topics = ", ".join(sorted(audience.topics)) if audience.topics is not None else "all topics"
        _echo(
            f"{audience.name:<12} up to {audience.handling:<9} priority {priority:<4} "
            f"{_count(shown, 'fact'):>9}  {budget:<16} {files}  {topics}"
        )


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _heading(name: str, what: Listing) -> None:
    if what is Listing.all:
        _echo(f"{name}:")


def _warn(warnings: Sequence[object]) -> None:
    for warning in warnings:
        _echo(f"warning: {warning}", err=True)


def _shown(path: Path) -> str:
    from briefgen.errors import display_path

    return display_path(path)


def exit_on_sigterm() -> None:
    """Make SIGTERM raise SystemExit(143) in this process, so that `finally` blocks run.

    A CI cancel then unwinds like Ctrl-C: child processes are killed and
    temporary files removed. Call it from the main thread (Python delivers
    signals there only). It lives here, not in `workers`, because choosing an
    exit code is the CLI's, and `briefgen --help` should not import multiprocessing.
    """
    signal.signal(signal.SIGTERM, _exit_by_signal)


def _exit_by_signal(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def main() -> None:
    """Console-script entry point."""
    exit_on_sigterm()
    try:
        code = app(standalone_mode=False)
    except _CLICK_ERROR as exc:  # a usage error: Click's message, made safe to print
        _show_usage_error(exc)
        sys.exit(getattr(exc, "exit_code", 2))
    except typer.Abort:
        _echo("Aborted!", err=True)
        sys.exit(1)
    except Exception as exc:  # an internal error: say so briefly unless --debug
        if _state["debug"]:
            _echo(traceback.format_exc().rstrip("\n"), err=True)
        else:
            _echo(f"internal error: {type(exc).__name__}: {exc} (run with --debug)", err=True)
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)


def _show_usage_error(exc: Exception) -> None:
    buffer = io.StringIO()
    exc.show(file=buffer)  # type: ignore[attr-defined]
    _echo(buffer.getvalue().rstrip("\n"), err=True)
