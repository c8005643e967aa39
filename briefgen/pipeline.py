"""The stages wired in order: load -> validate -> select -> cite/render -> release -> write.

The CLI, the tests and the benchmark call these functions; none of them prints.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from briefgen.audience import Edition, choose
from briefgen.errors import BriefError, Problem
from briefgen.load import load_brief
from briefgen.model import Brief
from briefgen.release import check_release
from briefgen.render import render_html, render_pdf
from briefgen.select import select
from briefgen.validate import validate
from briefgen.write import write_outputs

FORMATS = ("html", "pdf")


@dataclass(frozen=True)
class Checked:
    """A loaded brief that passed validation, with its warnings."""

    brief: Brief
    warnings: list[Problem]


@dataclass(frozen=True)
class EditionBuilt:
    """What one edition's build produced."""

    name: str
    files: list[str]
    fact_ids: list[str]
    pages: int | None


@dataclass(frozen=True)
class Built:
    """What a build wrote."""

    brief: Brief
    editions: list[EditionBuilt]
    written: list[Path]
    warnings: list[Problem]


def check(config_path: Path) -> Checked:
    """Load and validate a brief; raise BriefError on any error."""
    brief = load_brief(config_path)
    return Checked(brief, validate(brief))


def build(
    config_path: Path,
    *,
    audiences: Sequence[str] = (),
    everything: bool = False,
    formats: Sequence[str] = FORMATS,
    out_dir: Path | None = None,
) -> Built:
    """Build the chosen editions (by default the default one) into `out_dir`.

    Every edition is rendered and checked before anything is written, so a
    failure in one (a template error, a leak, a page budget) writes nothing.
    """
    unknown = set(formats) - set(FORMATS)
    if unknown:
        raise BriefError(f"unknown format {sorted(unknown)[0]!r}", hint="use html or pdf")
    checked = check(config_path)
    brief = checked.brief
    chosen = choose(brief.config, audiences, everything=everything)
    files: dict[str, bytes] = {}
    built = []
    today = build_date()
    for edition in chosen:
        edition_files = _render_edition(brief, edition, formats, today)
        files.update(edition_files.files)
        built.append(edition_files.summary)
    target = out_dir if out_dir is not None else brief.root / brief.config.output
    written = write_outputs(target, files)
    return Built(brief, built, written, checked.warnings)


@dataclass(frozen=True)
class _EditionFiles:
    files: dict[str, bytes]
    summary: EditionBuilt


def _render_edition(
    brief: Brief, edition: Edition, formats: Sequence[str], today: dt.date
) -> _EditionFiles:
    selection = select(brief, edition)
    rendered = render_html(brief, selection, edition, build_date=today)
    check_release(rendered.html, selection.withheld, audience=edition.name)
    files: dict[str, bytes] = {}
    if "html" in formats:
        files[f"{edition.stem}.html"] = rendered.html.encode("utf-8")
    pages = None
    if "pdf" in formats:
        laid_out = render_pdf(rendered.html, brief, edition)
        pages = laid_out.pages
        _check_budget(edition, pages)
        files[f"{edition.stem}.pdf"] = laid_out.pdf
    summary = EditionBuilt(edition.name, list(files), rendered.fact_ids, pages)
    return _EditionFiles(files, summary)


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
