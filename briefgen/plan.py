"""Plan stage: which audiences to build and which to skip, from the manifest in the output folder.

An audience is skipped when its files exist, match their manifest records and
were made from the same inputs (its key). Each audience that is built gets a
`Job`: what it shows, the digests that will go into its manifest records, and
the changes since its last audience. After the build, `records` turns a job's
files into manifest records and `manifest_bytes` writes the new manifest.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from briefgen.audience import Audience
from briefgen.formats import FORMATS, PANDOC_FORMATS
from briefgen.manifest import (
    MANIFEST,
    Changes,
    Manifest,
    OutputRecord,
    audience_inputs,
    audience_key,
    changes_since,
    fact_digests,
    input_digests,
    read_manifest,
    sha256,
)
from briefgen.model import Brief
from briefgen.render import template_dirs
from briefgen.select import Selection, select


def output_names(audience: Audience, formats: Sequence[str] | None = None) -> tuple[str, ...]:
    """The file names of an audience's outputs in `formats` (default: its own), FORMATS order."""
    wanted = audience.formats if formats is None else formats
    return tuple(f"{audience.stem}.{fmt}" for fmt in FORMATS if fmt in wanted)


def format_of(name: str) -> str:
    """The format of an output file, from its name ('brief.docx' -> 'docx')."""
    return name.rsplit(".", 1)[1]


def file_key(key: str, name: str, pandoc: str | None) -> str:
    """The key an output file is recorded with: the audience's, and Pandoc's version for its files.

    A DOCX or Markdown file depends on the Pandoc that wrote it too, so a new
    Pandoc rebuilds them, while the HTML and PDF keep the audience's key.
    """
    if format_of(name) in PANDOC_FORMATS and pandoc is not None:
        return sha256(f"{key}\npandoc {pandoc}".encode())
    return key


@dataclass(frozen=True)
class Job:
    """One audience to build."""

    audience: Audience
    selection: Selection
    names: tuple[str, ...]
    """Its output files, e.g. `brief-public.html`, `brief-public.pdf`."""
    facts: dict[str, str]
    """The digest of each fact it shows."""
    key: str
    """One digest of everything its output depends on."""
    changes: Changes | None
    pandoc: str | None = None
    """The version of the Pandoc that writes its DOCX and Markdown, if it has any."""

    @property
    def formats(self) -> tuple[str, ...]:
        """The formats it is built into."""
        return tuple(format_of(name) for name in self.names)


@dataclass(frozen=True)
class Skipped:
    """An audience left as it is: its files and the manifest record of the first."""

    audience: Audience
    names: tuple[str, ...]
    record: OutputRecord


@dataclass(frozen=True)
class Plan:
    """The audiences to build, those skipped as unchanged, and the manifest records kept."""

    jobs: list[Job]
    skipped: list[Skipped]
    kept: dict[str, OutputRecord]
    """Every record of the old manifest whose file still exists."""
    inputs: dict[str, str]
    today: dt.date


def make_plan(
    brief: Brief,
    chosen: Sequence[Audience],
    formats: Sequence[str] | None,
    target: Path,
    *,
    force: bool,
    since: Path | None,
    today: dt.date,
    pandoc: str | None = None,
) -> Plan:
    """Decide, audience by audience, what to build into `target` and what to skip.

    `formats` are the files to build for every audience; None builds each
    audience's own. `pandoc` is the version of the Pandoc that writes DOCX and
    Markdown (part of those files' keys). Nothing is skipped with `force`, or
    with `since` (a comparison with an older audience wants a fresh changes box).
    """
    previous = read_manifest(target / MANIFEST)
    baseline = read_manifest(since) if since is not None else previous
    inputs = input_digests(brief, template_dirs(brief), today.isoformat())
    kept = {name: r for name, r in previous.outputs.items() if (target / name).is_file()}
    jobs: list[Job] = []
    skipped: list[Skipped] = []
    for audience in chosen:
        selection = select(brief, audience)
        shown = fact_digests(selection.facts)
        key = audience_key(brief, selection, shown, inputs, audience.name)
        names = output_names(audience, formats)
        if not force and since is None and _unchanged(kept, names, key, target, pandoc):
            skipped.append(Skipped(audience, names, kept[names[0]]))
            continue
        changes = _changes(brief, audience, selection, shown, baseline)
        jobs.append(Job(audience, selection, names, shown, key, changes, pandoc))
    return Plan(jobs, skipped, kept, inputs, today)


def records(
    plan: Plan,
    brief: Brief,
    job: Job,
    files: Mapping[str, bytes],
    pages: int | None,
    templates: Iterable[Path],
) -> dict[str, OutputRecord]:
    """The manifest records of a job's files; `templates` are the template files it used."""
    inputs = audience_inputs(plan.inputs, brief, job.selection, templates)
    return {
        name: OutputRecord(
            audience=job.audience.name,
            format=format_of(name),
            sha256=sha256(content),
            built=plan.today.isoformat(),
            inputs=inputs,
            facts=job.facts,
            pages=pages,
            key=file_key(job.key, name, job.pandoc),
        )
        for name, content in files.items()
    }


def manifest_bytes(plan: Plan, new: Mapping[str, OutputRecord]) -> bytes:
    """The new manifest: the old records whose files remain, updated with the new ones."""
    return Manifest({**plan.kept, **new}).to_bytes()


def _changes(
    brief: Brief,
    audience: Audience,
    selection: Selection,
    shown: dict[str, str],
    baseline: Manifest,
) -> Changes | None:
    last = baseline.for_audience(audience.name)
    if not audience.changes or last is None:
        return None
    changes = changes_since(last, shown, {fact.id: fact for fact in brief.facts})
    # A fact now withheld from this audience is not its to mention, not even by id.
    hidden = {fact.id for fact in selection.withheld}
    return replace(changes, removed=[i for i in changes.removed if i not in hidden])


def _unchanged(
    records: Mapping[str, OutputRecord],
    names: Sequence[str],
    key: str,
    target: Path,
    pandoc: str | None,
) -> bool:
    """True if every output exists, matches its manifest record, and had the same inputs."""
    for name in names:
        record = records.get(name)
        if record is None or record.key != file_key(key, name, pandoc):
            return False
        if sha256((target / name).read_bytes()) != record.sha256:
            return False
    return True
