"""The stages wired in order: load -> validate -> select -> cite/render -> write.

The CLI, the tests and the benchmark call these functions; none of them prints.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from briefgen.errors import BriefError, Problem
from briefgen.load import load_brief
from briefgen.model import Brief
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
class Built:
    """What a build wrote."""

    brief: Brief
    written: list[Path]
    fact_ids: list[str]
    warnings: list[Problem]


def check(config_path: Path) -> Checked:
    """Load and validate a brief; raise BriefError on any error."""
    brief = load_brief(config_path)
    return Checked(brief, validate(brief))


def build(
    config_path: Path,
    *,
    formats: Sequence[str] = FORMATS,
    out_dir: Path | None = None,
) -> Built:
    """Build the brief into `out_dir` (default: the configuration's output folder)."""
    unknown = set(formats) - set(FORMATS)
    if unknown:
        raise BriefError(f"unknown format {sorted(unknown)[0]!r}", hint="use html or pdf")
    checked = check(config_path)
    brief = checked.brief
    rendered = render_html(brief, select(brief), build_date=build_date())
    name = brief.config.name
    files: dict[str, bytes] = {}
    if "html" in formats:
        files[f"{name}.html"] = rendered.html.encode("utf-8")
    if "pdf" in formats:
        files[f"{name}.pdf"] = render_pdf(rendered.html, brief)
    target = out_dir if out_dir is not None else brief.root / brief.config.output
    written = write_outputs(target, files)
    return Built(brief, written, rendered.fact_ids, checked.warnings)


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
