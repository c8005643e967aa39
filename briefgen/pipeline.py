"""The stages wired in order.

`check`: load -> validate -> compile the templates. `build`: check -> plan (what
to skip, from the manifest) -> render and guard each audience's HTML (and build
its DOCX/Markdown documents) -> lay out and guard its PDF -> convert and guard
its DOCX and Markdown -> layout warnings and page budgets -> write. The CLI, the
tests and the benchmark call these functions; none of them prints.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from briefgen.audience import Audience, audiences, choose
from briefgen.compile import check_templates
from briefgen.convert import convert, editions
from briefgen.dates import build_date
from briefgen.documents import LaidOut, Task
from briefgen.errors import BriefError, Problem, Where
from briefgen.formats import FORMATS, PANDOC_FORMATS
from briefgen.glyphs import glyph_warnings
from briefgen.layout import lay_out_all
from briefgen.load import load_brief
from briefgen.manifest import (
    MANIFEST,
    Changes,
    OutputRecord,
)
from briefgen.model import Brief
from briefgen.pandoc import pandoc_binary, pandoc_version
from briefgen.pandoc_ast import Node
from briefgen.plan import Job, Plan, format_of, make_plan, manifest_bytes, records
from briefgen.release import Guard
from briefgen.render import (
    Rendered,
    protected_files,
    readable_roots,
    reference_document,
    render_html,
)
from briefgen.select import select
from briefgen.stale import stale_facts
from briefgen.validate import validate
from briefgen.workers import Budget, run_all
from briefgen.write import output_lock, write_outputs


@dataclass(frozen=True)
class Progress:
    """One step of a build, for a progress display: a stage started or finished.

    `stage` is one of load, validate, select, render, lay out, convert, guard,
    write; `audience` names the audience for render, lay out and convert (None for the stages
    that cover the whole brief); `pages` is the PDF's page count once laid out.
    The release guard itself runs inside the render and lay-out children, so its
    time counts there; the `guard` stage is the parent's check of layout
    warnings and page budgets.
    """

    stage: str
    audience: str | None
    finished: bool
    pages: int | None = None


OnProgress = Callable[[Progress], None]
"""What `build` and `check` call with each `Progress` event (the CLI draws them)."""


def _ignore(_: Progress) -> None:
    """The default listener: nobody is watching."""


@contextmanager
def _stage(progress: OnProgress, stage: str, audience: str | None = None) -> Iterator[None]:
    """Report that `stage` started, and that it finished once the block ran without an error."""
    progress(Progress(stage, audience, finished=False))
    yield
    progress(Progress(stage, audience, finished=True))


@dataclass(frozen=True)
class Checked:
    """A loaded brief that passed validation, with its warnings."""

    brief: Brief
    warnings: list[Problem]


@dataclass(frozen=True)
class AudienceBuilt:
    """What one audience's build produced, or that it was skipped as unchanged."""

    name: str
    files: list[str]
    fact_ids: list[str]
    pages: int | None
    skipped: bool = False
    changes: Changes | None = None


@dataclass(frozen=True)
class Built:
    """What a build wrote."""

    brief: Brief
    audiences: list[AudienceBuilt]
    written: list[Path]
    warnings: list[Problem]


def check(
    config_path: Path,
    *,
    max_age: dt.timedelta | None = None,
    strict: bool = False,
    allow_outside: bool = False,
    progress: OnProgress = _ignore,
) -> Checked:
    """Load and validate a brief and compile its templates; raise BriefError on any error.

    With `max_age`, facts not reviewed within that long of the build date are
    warnings. With `strict`, any warning is raised as an error. `progress`
    hears the load and validate stages start and finish.
    """
    with _stage(progress, "load"):
        brief = load_brief(config_path, allow_outside=allow_outside)
    with _stage(progress, "validate"):
        warnings = validate(brief)
        warnings += check_templates(brief)
        warnings += _pandoc_warnings(brief)
        if max_age is not None:
            warnings += stale_facts(brief, today=build_date(), max_age=max_age)
    if strict and warnings:
        raise BriefError(problems=warnings)
    return Checked(brief, warnings)


def _pandoc_warnings(brief: Brief) -> list[Problem]:
    """A warning for each audience built into DOCX or Markdown when Pandoc is not installed."""
    wanting = [a for a in audiences(brief.config) if set(a.formats) & set(PANDOC_FORMATS)]
    if not wanting:
        return []
    try:
        pandoc_binary()
    except BriefError as exc:
        by_setting: dict[Where | None, list[str]] = {}
        for audience in wanting:
            by_setting.setdefault(audience.where("formats"), []).append(repr(audience.name))
        return [
            Problem(
                f"{'audience' if len(names) == 1 else 'audiences'} {', '.join(names)} "
                f"{'is' if len(names) == 1 else 'are'} built into DOCX or Markdown, which "
                "needs Pandoc: building "
                f"{'it' if len(names) == 1 else 'them'} will fail",
                where,
                exc.hint,
            )
            for where, names in by_setting.items()
        ]
    return []


def build(
    config_path: Path,
    *,
    audiences: Sequence[str] = (),
    everything: bool = False,
    formats: Sequence[str] | None = None,
    out_dir: Path | None = None,
    force: bool = False,
    since: Path | None = None,
    strict: bool = False,
    jobs: int | None = None,
    allow_outside: bool = False,
    progress: OnProgress = _ignore,
) -> Built:
    """Build the chosen audiences (by default the default one) into `out_dir`.

    An audience whose inputs and outputs match `out_dir/manifest.json` is
    skipped unless `force`. Each audience is built into `formats`, by default
    the formats its configuration lists. Audiences that show changes compare with the
    manifest at `since` (by default the one in `out_dir`). Every audience is
    rendered and checked before anything is written, so a failure in one (a
    template error, a leak, a page budget) writes nothing. PDFs of several
    audiences are laid out in parallel, in up to `jobs` processes (default: one
    per CPU). One build at a time writes to an output folder. The configured
    folders must lie inside the project unless `allow_outside`. `progress`
    hears each stage (per audience for render and lay out) start and finish.
    """
    unknown = set(formats or ()) - set(FORMATS)
    if unknown:
        raise BriefError(
            f"unknown format {sorted(unknown)[0]!r}", hint=f"use one of {', '.join(FORMATS)}"
        )
    checked = check(config_path, strict=strict, allow_outside=allow_outside, progress=progress)
    brief = checked.brief
    warnings = list(checked.warnings)
    chosen = choose(brief.config, audiences, everything=everything)
    wanted = {fmt for audience in chosen for fmt in (formats or audience.formats)}
    if "pdf" in wanted:
        warnings += glyph_warnings(_texts(brief))
        if strict and warnings:
            raise BriefError(problems=warnings)
    # Asked before anything is rendered, so a missing Pandoc fails the build at once.
    pandoc = pandoc_version() if wanted & set(PANDOC_FORMATS) else None
    target = out_dir if out_dir is not None else brief.folders.output
    with output_lock(target):
        built, written, heard = _build_locked(
            brief,
            chosen,
            formats,
            target,
            force=force,
            since=since,
            jobs=jobs,
            strict=strict,
            pandoc=pandoc,
            progress=progress,
        )
    return Built(brief, built, written, [*warnings, *heard])


@dataclass(frozen=True)
class AudienceSummary:
    """One audience as `briefgen list audiences` shows it."""

    audience: Audience
    facts: int
    """How many facts and judgments it shows."""


def audiences_of(brief: Brief) -> list[AudienceSummary]:
    """Every audience the configuration defines, with what it shows."""
    return [AudienceSummary(e, len(select(brief, e).facts)) for e in audiences(brief.config)]


def _texts(brief: Brief) -> list[tuple[str, str, Where | None]]:
    """Every fact's, topic's and membership row's text, labelled, for the missing-glyph check."""
    items = [(f"topic {t.id!r}", f"{t.title} {t.summary}", t.where()) for t in brief.topics]
    for fact in brief.facts:
        text = " ".join([fact.text, *(version.text for version in fact.versions)])
        items.append((f"fact {fact.id!r}", text, fact.where()))
    for topic in brief.topics:
        for member in topic.membership:
            text = f"{member.state} {member.note or ''}"
            items.append((f"membership row {member.state!r}", text, member.where()))
    return items


def _build_locked(
    brief: Brief,
    chosen: Sequence[Audience],
    formats: Sequence[str] | None,
    target: Path,
    *,
    force: bool,
    since: Path | None,
    jobs: int | None,
    strict: bool,
    pandoc: str | None,
    progress: OnProgress,
) -> tuple[list[AudienceBuilt], list[Path], list[Problem]]:
    """Plan, render, lay out, convert, guard, write: a build's stages, holding the output folder."""
    with _stage(progress, "select"):
        plan = make_plan(
            brief,
            chosen,
            formats,
            target,
            force=force,
            since=since,
            today=build_date(),
            pandoc=pandoc,
        )
    pages = []
    for job in plan.jobs:
        with _stage(progress, "render", job.audience.name):
            pages.append(_render(brief, job, plan.today))
    pdfs = _lay_out(brief, pages, target, jobs, progress)
    converted: list[dict[str, bytes]] = []
    for page in pages:
        if not page.documents:
            converted.append({})
            continue
        with _stage(progress, "convert", page.job.audience.name):
            converted.append(
                convert(brief, page.job.audience, page.documents, page.guard, build_date=plan.today)
            )
    with _stage(progress, "guard"):
        heard = [
            problem
            for page, pdf in zip(pages, pdfs, strict=True)
            if pdf is not None
            for problem in _layout_warnings(brief, page.job.audience, pdf)
        ]
        if strict and heard:
            raise BriefError(problems=heard)
        for page, pdf in zip(pages, pdfs, strict=True):
            if pdf is not None:
                _check_budget(page.job.audience, pdf.pages)
    files: dict[str, bytes] = {}
    new: dict[str, OutputRecord] = {}
    for page, pdf, editions_ in zip(pages, pdfs, converted, strict=True):
        made = _files(page, pdf, editions_)
        files |= made
        new |= records(plan, brief, page.job, made, pdf.pages if pdf else None, page.templates)
    if files:
        files[MANIFEST] = manifest_bytes(plan, new)  # written last: see write_outputs
    with _stage(progress, "write"):
        written = write_outputs(target, files) if files else []
    return _results(chosen, plan, pages, pdfs), written, heard


@dataclass(frozen=True)
class _Page:
    """An audience rendered to HTML and cleared by the release guard."""

    job: Job
    html: str
    fact_ids: list[str]
    templates: tuple[Path, ...]
    guard: Guard
    documents: dict[str, Node]
    """The Pandoc document of each DOCX or Markdown edition it is built into."""


def _render(brief: Brief, job: Job, today: dt.date) -> _Page:
    """Render one audience's HTML and guard it, in a child process under the render budget.

    Templates are user code, and the guard reads all they wrote: neither may
    hang the build or eat its memory.
    """
    guard = Guard(job.selection, brief.config, audience=job.audience.name)

    def render_and_guard(_: None) -> tuple[Rendered, dict[str, Node]]:
        rendered = render_html(
            brief, job.selection, job.audience, build_date=today, changes=job.changes
        )
        guard.check_html(rendered.html)
        documents = editions(
            brief,
            job.selection,
            job.audience,
            job.formats,
            build_date=today,
            changes=job.changes,
        )
        return rendered, documents

    limits = brief.config.limits
    budget = Budget(limits.render_seconds, limits.render_memory_mb * 1024 * 1024)
    what = "rendering the template"
    rendered, documents = run_all(render_and_guard, [None], jobs=1, budget=budget, what=what)[0]
    templates = rendered.templates
    if "docx" in documents:
        templates += (reference_document(brief, job.audience),)
    return _Page(job, rendered.html, rendered.fact_ids, templates, guard, documents)


def _lay_out(
    brief: Brief,
    pages: Sequence[_Page],
    target: Path,
    jobs: int | None,
    progress: OnProgress = _ignore,
) -> list[LaidOut | None]:
    """The PDF of every page built into one (None for the others), each laid out and
    guarded in a child process under the layout budget.

    The children run in parallel, so `progress` hears every audience start
    before the first child, and finish, with its pages, once all are back.
    """
    printed = [page for page in pages if "pdf" in page.job.formats]
    tasks = [_layout_task(brief, page.html, page.job.audience, target) for page in printed]
    checks = [partial(_check_pdf, page.guard) for page in printed]
    limits = brief.config.limits
    budget = Budget(limits.layout_seconds, limits.layout_memory_mb * 1024 * 1024)
    names = [page.job.audience.name for page in printed]
    for name in names:
        progress(Progress("lay out", name, finished=False))
    laid_out = lay_out_all(tasks, jobs=jobs, budget=budget, checks=checks) if tasks else []
    for name, pdf in zip(names, laid_out, strict=True):
        progress(Progress("lay out", name, finished=True, pages=pdf.pages))
    by_name = dict(zip(names, laid_out, strict=True))
    return [by_name.get(page.job.audience.name) for page in pages]


def _files(page: _Page, pdf: LaidOut | None, editions_: Mapping[str, bytes]) -> dict[str, bytes]:
    """The bytes of an audience's output files, by name."""
    contents = {"html": page.html.encode("utf-8"), "pdf": pdf.pdf if pdf else None, **editions_}
    return {
        name: content
        for name in page.job.names
        if (content := contents.get(format_of(name))) is not None
    }


def _results(
    chosen: Sequence[Audience],
    plan: Plan,
    pages: Sequence[_Page],
    pdfs: Sequence[LaidOut | None],
) -> list[AudienceBuilt]:
    """What happened to each chosen audience, in the order they were asked for."""
    results: dict[str, AudienceBuilt] = {}
    for left in plan.skipped:
        record = left.record
        results[left.audience.name] = AudienceBuilt(
            left.audience.name, list(left.names), list(record.facts), record.pages, True
        )
    for page, pdf in zip(pages, pdfs, strict=True):
        job = page.job
        made = pdf.pages if pdf else None
        results[job.audience.name] = AudienceBuilt(
            job.audience.name, list(job.names), page.fact_ids, made, False, job.changes
        )
    return [results[audience.name] for audience in chosen]


def _layout_warnings(brief: Brief, audience: Audience, laid_out: LaidOut) -> list[Problem]:
    """What the layout warned about, as warnings naming the audience's stylesheet.

    CSS positions in the messages count lines of the stylesheets as inlined
    into the page; with one stylesheet, the warning names its file.
    """
    own = brief.folders.templates / audience.stylesheets[0]
    only = len(audience.stylesheets) == 1 and own.is_file()
    where = Where(own) if only else audience.where("stylesheet")
    return [
        Problem(f"audience {audience.name!r}: the PDF layout reports: {message}", where)
        for message in laid_out.warnings
    ]


def _check_pdf(guard: Guard, laid_out: LaidOut) -> None:
    """The release guard over what the PDF shows and carries beyond the HTML's text."""
    guard.check_text([laid_out.text], "PDF text")
    guard.check_text([laid_out.text_as_seen], "PDF text, in reading order")
    for resource in dict.fromkeys(laid_out.resources):
        guard.check_html(resource, "a stylesheet or image the PDF loads")
    guard.check_text(list(laid_out.bookmarks), "PDF bookmarks")
    guard.check_text(list(laid_out.metadata), "PDF metadata")


def _layout_task(brief: Brief, html: str, audience: Audience, target: Path | None = None) -> Task:
    """What the lay-out stage needs for an audience's PDF: its HTML and the folders it may read.

    Resources never come from the fact folder or an output folder (other
    audiences), nor from a fact file or an output under another name.
    """
    outputs = [brief.folders.output, *([target] if target else [])]
    return Task(
        html=html,
        base_dir=brief.root,
        allowed=readable_roots(brief),
        denied=(brief.folders.facts, *outputs),
        protected=protected_files(brief, *outputs),
        variant=audience.pdf_variant,
        remote=brief.config.allow_remote,
    )


def lay_out_one(brief: Brief, html: str, audience: Audience) -> LaidOut:
    """One audience's PDF, laid out in this process."""
    return lay_out_all([_layout_task(brief, html, audience)], jobs=1)[0]


def _check_budget(audience: Audience, pages: int) -> None:
    budget = audience.page_budget
    if budget is not None and pages > budget:
        over = pages - budget
        raise BriefError(
            f"audience {audience.name!r}: the PDF has {pages} pages, "
            f"{over} {'page' if over == 1 else 'pages'} over its budget of {budget}",
            audience.where("page_budget"),
            "show fewer facts (priority, topics, tags) or raise page_budget",
        )
