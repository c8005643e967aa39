"""The stages wired in order: load -> validate -> select -> cite/render -> release -> write.

The CLI, the tests and the benchmark call these functions; none of them prints.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path

from briefgen.audience import Edition, choose
from briefgen.compile import check_templates
from briefgen.documents import LaidOut, Task
from briefgen.errors import BriefError, Problem, Where
from briefgen.glyphs import glyph_warnings
from briefgen.layout import lay_out_all
from briefgen.load import load_brief
from briefgen.manifest import (
    MANIFEST,
    Changes,
    Manifest,
    OutputRecord,
    changes_since,
    edition_inputs,
    edition_key,
    fact_digests,
    input_digests,
    read_manifest,
    sha256,
)
from briefgen.model import Brief
from briefgen.release import Guard
from briefgen.render import (
    Rendered,
    protected_files,
    readable_roots,
    render_html,
    setting_where,
    template_dirs,
)
from briefgen.select import Selection, select
from briefgen.stale import stale_facts
from briefgen.validate import validate
from briefgen.workers import Budget, run_all
from briefgen.write import output_lock, write_outputs

FORMATS = ("html", "pdf")


@dataclass(frozen=True)
class Checked:
    """A loaded brief that passed validation, with its warnings."""

    brief: Brief
    warnings: list[Problem]


@dataclass(frozen=True)
class EditionBuilt:
    """What one edition's build produced, or that it was skipped as unchanged."""

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
    editions: list[EditionBuilt]
    written: list[Path]
    warnings: list[Problem]


def check(
    config_path: Path,
    *,
    max_age: dt.timedelta | None = None,
    strict: bool = False,
    allow_outside: bool = False,
) -> Checked:
    """Load and validate a brief and compile its templates; raise BriefError on any error.

    With `max_age`, facts not reviewed within that long of the build date are
    warnings. With `strict`, any warning is raised as an error.
    """
    brief = load_brief(config_path, allow_outside=allow_outside)
    warnings = validate(brief)
    check_templates(brief)
    if max_age is not None:
        warnings += stale_facts(brief, today=build_date(), max_age=max_age)
    if strict and warnings:
        raise BriefError(problems=warnings)
    return Checked(brief, warnings)


def build(
    config_path: Path,
    *,
    audiences: Sequence[str] = (),
    everything: bool = False,
    formats: Sequence[str] = FORMATS,
    out_dir: Path | None = None,
    force: bool = False,
    since: Path | None = None,
    strict: bool = False,
    jobs: int | None = None,
    allow_outside: bool = False,
) -> Built:
    """Build the chosen editions (by default the default one) into `out_dir`.

    An edition whose inputs and outputs match `out_dir/manifest.json` is
    skipped unless `force`. Editions that show changes compare with the
    manifest at `since` (by default the one in `out_dir`). Every edition is
    rendered and checked before anything is written, so a failure in one (a
    template error, a leak, a page budget) writes nothing. PDFs of several
    editions are laid out in parallel, in up to `jobs` processes (default: one
    per CPU). One build at a time writes to an output folder. The configured
    folders must lie inside the project unless `allow_outside`.
    """
    unknown = set(formats) - set(FORMATS)
    if unknown:
        raise BriefError(f"unknown format {sorted(unknown)[0]!r}", hint="use html or pdf")
    checked = check(config_path, strict=strict, allow_outside=allow_outside)
    brief = checked.brief
    warnings = list(checked.warnings)
    if "pdf" in formats:
        warnings += glyph_warnings(_texts(brief))
        if strict and warnings:
            raise BriefError(problems=warnings)
    chosen = choose(brief.config, audiences, everything=everything)
    target = out_dir if out_dir is not None else brief.root / brief.config.output
    with output_lock(target):
        built, written, heard = _build_locked(
            brief, chosen, formats, target, force=force, since=since, jobs=jobs, strict=strict
        )
    return Built(brief, built, written, [*warnings, *heard])


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
    chosen: Sequence[Edition],
    formats: Sequence[str],
    target: Path,
    *,
    force: bool,
    since: Path | None,
    jobs: int | None,
    strict: bool,
) -> tuple[list[EditionBuilt], list[Path], list[Problem]]:
    previous = read_manifest(target / MANIFEST)
    baseline = read_manifest(since) if since is not None else previous
    today = build_date()
    inputs = input_digests(brief, template_dirs(brief), today.isoformat())
    records = {name: r for name, r in previous.outputs.items() if (target / name).is_file()}
    built: list[EditionBuilt] = []
    pending: list[tuple[int, _Prepared]] = []  # (its place in `built`, the edition)
    for edition in chosen:
        selection = select(brief, edition)
        shown = fact_digests(selection.facts)
        key = edition_key(brief, selection, shown, inputs, edition.name)
        names = [f"{edition.stem}.{fmt}" for fmt in FORMATS if fmt in formats]
        if not force and since is None and _unchanged(records, names, key, target):
            record = records[names[0]]
            built.append(EditionBuilt(edition.name, names, list(record.facts), record.pages, True))
        else:
            prepared = _prepare(
                brief, edition, selection, names, shown, key, inputs, baseline, today
            )
            pending.append((len(built), prepared))
            built.append(prepared.summary)
    tasks = [
        _layout_task(brief, prepared.html, prepared.edition, target) for _, prepared in pending
    ]
    limits = brief.config.limits
    budget = Budget(limits.layout_seconds, limits.layout_memory_mb * 1024 * 1024)
    checks = [partial(_check_pdf, prepared.guard) for _, prepared in pending]
    pdfs = (
        lay_out_all(tasks, jobs=jobs, budget=budget, checks=checks)
        if "pdf" in formats
        else [None] * len(pending)
    )
    heard = [
        problem
        for (_, prepared), pdf in zip(pending, pdfs, strict=True)
        if pdf is not None
        for problem in _layout_warnings(brief, prepared.edition, pdf)
    ]
    if strict and heard:
        raise BriefError(problems=heard)
    files: dict[str, bytes] = {}
    for (place, prepared), pdf in zip(pending, pdfs, strict=True):
        made = _finish(prepared, pdf)
        files.update(made)
        records.update(_records(prepared, made, pdf, today))
        built[place] = replace(prepared.summary, pages=pdf.pages if pdf else None)
    if files:
        files[MANIFEST] = Manifest(records).to_bytes()  # written last: see write_outputs
    written = write_outputs(target, files) if files else []
    return built, written, heard


@dataclass(frozen=True)
class _Prepared:
    """An edition selected, rendered to HTML and cleared by the release guard."""

    edition: Edition
    names: list[str]
    html: str
    facts: dict[str, str]
    key: str
    summary: EditionBuilt
    guard: Guard
    inputs: dict[str, str]


def _prepare(
    brief: Brief,
    edition: Edition,
    selection: Selection,
    names: list[str],
    shown: dict[str, str],
    key: str,
    inputs: dict[str, str],
    baseline: Manifest,
    today: dt.date,
) -> _Prepared:
    changes = None
    last = baseline.for_audience(edition.name)
    if edition.changes and last is not None:
        changes = changes_since(last, shown, {fact.id: fact for fact in brief.facts})
        # A fact now withheld from this edition is not its to mention, not even by id.
        hidden = {fact.id for fact in selection.withheld}
        changes = replace(changes, removed=[i for i in changes.removed if i not in hidden])
    guard = Guard(selection, brief.config, audience=edition.name)

    def render_and_guard(_: None) -> Rendered:
        rendered = render_html(brief, selection, edition, build_date=today, changes=changes)
        guard.check_html(rendered.html)
        return rendered

    # Templates are user code, and the guard reads all they wrote: both run in a child
    # process with the render budget, so neither can hang the build or eat its memory.
    limits = brief.config.limits
    budget = Budget(limits.render_seconds, limits.render_memory_mb * 1024 * 1024)
    what = "rendering the template"
    rendered = run_all(render_and_guard, [None], jobs=1, budget=budget, what=what)[0]
    summary = EditionBuilt(edition.name, names, rendered.fact_ids, None, False, changes)
    used = edition_inputs(inputs, brief, selection, rendered.templates)
    return _Prepared(edition, names, rendered.html, shown, key, summary, guard, used)


def _layout_warnings(brief: Brief, edition: Edition, laid_out: LaidOut) -> list[Problem]:
    """What the layout warned about, as warnings naming the edition's stylesheet.

    CSS positions in the messages count lines of the stylesheets as inlined
    into the page; with one stylesheet, the warning names its file.
    """
    found = [
        folder / name
        for name in edition.stylesheets
        for folder in template_dirs(brief)[:1]
        if (folder / name).is_file()
    ]
    only = len(edition.stylesheets) == 1 and found
    where = Where(found[0]) if only else setting_where(brief, edition, "stylesheet")
    return [
        Problem(f"audience {edition.name!r}: the PDF layout reports: {message}", where)
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


def _layout_task(brief: Brief, html: str, edition: Edition, target: Path | None = None) -> Task:
    """What the lay-out stage needs for an edition's PDF: its HTML and the folders it may read.

    Resources never come from the fact folder or an output folder (other
    editions), nor from a fact file or an output under another name.
    """
    outputs = [brief.root / brief.config.output, *([target] if target else [])]
    return Task(
        html=html,
        base_dir=brief.root,
        allowed=readable_roots(brief),
        denied=(brief.root / brief.config.facts, *outputs),
        protected=protected_files(brief, *outputs),
        variant=edition.pdf_variant,
        remote=brief.config.allow_remote,
    )


def lay_out_one(brief: Brief, html: str, edition: Edition) -> LaidOut:
    """One edition's PDF, laid out in this process."""
    return lay_out_all([_layout_task(brief, html, edition)], jobs=1)[0]


def _finish(prepared: _Prepared, laid_out: LaidOut | None) -> dict[str, bytes]:
    files = {}
    for name in prepared.names:
        if name.endswith(".html"):
            files[name] = prepared.html.encode("utf-8")
        elif laid_out is not None:
            _check_budget(prepared.edition, laid_out.pages)
            files[name] = laid_out.pdf
    return files


def _records(
    prepared: _Prepared,
    files: dict[str, bytes],
    laid_out: LaidOut | None,
    today: dt.date,
) -> dict[str, OutputRecord]:
    return {
        name: OutputRecord(
            audience=prepared.edition.name,
            format=name.rsplit(".", 1)[1],
            sha256=sha256(content),
            built=today.isoformat(),
            inputs=prepared.inputs,
            facts=prepared.facts,
            pages=laid_out.pages if laid_out else None,
            key=prepared.key,
        )
        for name, content in files.items()
    }


def _unchanged(records: dict[str, OutputRecord], names: list[str], key: str, target: Path) -> bool:
    """True if every output exists, matches its manifest record, and had the same inputs."""
    for name in names:
        record = records.get(name)
        if record is None or record.key != key:
            return False
        if sha256((target / name).read_bytes()) != record.sha256:
            return False
    return True


def _check_budget(edition: Edition, pages: int) -> None:
    budget = edition.page_budget
    if budget is not None and pages > budget:
        over = pages - budget
        raise BriefError(
            f"audience {edition.name!r}: the PDF has {pages} pages, "
            f"{over} {'page' if over == 1 else 'pages'} over its budget of {budget}",
            edition.where("page_budget"),
            "show fewer facts (priority, topics, tags) or raise page_budget",
        )


def build_date() -> dt.date:
    """Today, or the date of SOURCE_DATE_EPOCH when it is set (reproducible builds)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).date()
        except (ValueError, OverflowError, OSError) as exc:
            raise BriefError(
                f"SOURCE_DATE_EPOCH={epoch!r} is not a Unix time",
                hint="set it to whole seconds since 1970",
            ) from exc
    return dt.date.today()
