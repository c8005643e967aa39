"""Render stage: Jinja2 templates -> one self-contained HTML page.

Templates run in Jinja2's sandbox with autoescape and StrictUndefined. The
project's own template folder is searched before the built-in templates, so a
brief overrides one block by extending `base.html.j2`. The stylesheet is found
on the same search path and inlined, so the HTML needs nothing beside it.
"""

from __future__ import annotations

import datetime as dt
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import jinja2
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from briefgen import __version__
from briefgen.audience import Edition, default_edition
from briefgen.chart import latest_year, membership_timeline
from briefgen.cite import Notebook
from briefgen.dates import MONTHS
from briefgen.errors import BriefError, Where
from briefgen.markup import first_sentence, inline
from briefgen.model import Brief
from briefgen.select import Selection

if TYPE_CHECKING:
    from briefgen.manifest import Changes

BUILTIN_TEMPLATES = Path(__file__).parent / "templates"


@dataclass(frozen=True)
class Rendered:
    """An HTML document and the facts it shows."""

    html: str
    fact_ids: list[str]


def template_dirs(brief: Brief) -> list[Path]:
    """The template search path: the project's folder first, then the built-in one."""
    own = brief.root / brief.config.templates
    return [own, BUILTIN_TEMPLATES] if own.is_dir() else [BUILTIN_TEMPLATES]


def make_environment(dirs: list[Path]) -> SandboxedEnvironment:
    """A sandboxed, autoescaping, strict Jinja2 environment over `dirs`."""
    env = SandboxedEnvironment(
        loader=jinja2.FileSystemLoader([str(d) for d in dirs]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["markdown"] = inline
    env.filters["human"] = lambda when: when.human() if when else ""
    env.filters["first_sentence"] = first_sentence
    env.filters["day"] = day
    return env


def render_html(
    brief: Brief,
    selection: Selection,
    edition: Edition | None = None,
    *,
    build_date: dt.date,
    changes: Changes | None = None,
) -> Rendered:
    """Render an edition's template to a complete HTML document."""
    edition = edition or default_edition(brief.config)
    dirs = template_dirs(brief)
    env = make_environment(dirs)
    config = brief.config
    until = _latest_year(selection)
    try:
        template = env.get_template(edition.template)
        css_where = _setting_where(brief, edition, "stylesheet")
        css = Markup("\n").join(
            _stylesheet(env, name, css_where, dirs) for name in edition.stylesheets
        )
        html = template.render(
            brief=config,
            audience=edition,
            selection=selection,
            judgments=selection.judgments,
            sections=selection.sections,
            facts_by_id={fact.id: fact for fact in selection.facts},
            chronology=selection.chronology,
            changes=changes,
            timeline=lambda members: membership_timeline(members, until),
            notes=Notebook(
                brief.sources_by_id,
                show_quotes=edition.show_quotes,
                show_grades=edition.show_grades,
            ),
            stylesheet=css,
            build_date=build_date,
            version=__version__,
        )
    except BriefError:
        raise
    except jinja2.TemplateNotFound as exc:
        searched = ", ".join(str(d) for d in dirs)
        where = _setting_where(brief, edition, "template")
        raise BriefError(f"template {exc.name!r} not found", where, f"searched {searched}") from exc
    except jinja2.TemplateSyntaxError as exc:
        where = Where(Path(exc.filename), exc.lineno) if exc.filename else None
        raise BriefError(f"template syntax error: {exc.message}", where) from exc
    except Exception as exc:  # errors raised while a template runs
        raise BriefError(f"template error: {_describe(exc)}", _template_where(exc, dirs)) from exc
    return Rendered(html=html, fact_ids=[fact.id for fact in selection.facts])


def day(date: dt.date | str) -> str:
    """'28 November 2026' from a date or an ISO date, the same in every locale."""
    if isinstance(date, str):
        date = dt.date.fromisoformat(date)
    return f"{date.day} {MONTHS[date.month - 1]} {date.year}"


def _stylesheet(
    env: SandboxedEnvironment, name: str, where: Where | None, dirs: list[Path]
) -> Markup:
    assert env.loader is not None
    try:
        source, _, _ = env.loader.get_source(env, name)
    except jinja2.TemplateNotFound as exc:
        raise BriefError(
            f"stylesheet {name!r} not found",
            where,
            f"searched {', '.join(str(d) for d in dirs)}",
        ) from exc
    # Inlined in <style>: a closing tag inside the CSS must not end the element.
    return Markup(source.replace("</", "<\\/"))


def _latest_year(selection: Selection) -> int:
    """The last year the edition's own data reaches: where open-ended timelines stop.

    Only what the edition shows counts, so a withheld fact's date cannot stretch the axis.
    """
    dates = [fact.date for fact in selection.facts]
    dates += [p.left or p.joined for s in selection.sections for m in s.members for p in m.periods]
    return latest_year(dates) or dt.date.today().year


def _setting_where(brief: Brief, edition: Edition, field: str) -> Where | None:
    """Where a setting of `edition` was made: in its audience, else at the top level."""
    record = edition.record
    if record is not None and getattr(record, field) is not None:
        return record.where(field)
    return brief.config.where(field)


def _describe(exc: Exception) -> str:
    if isinstance(exc, jinja2.UndefinedError):
        return exc.message or "undefined value"
    if isinstance(exc, jinja2.exceptions.SecurityError):
        return f"unsafe operation blocked by the sandbox: {exc}"
    return f"{type(exc).__name__}: {exc}"


def _template_where(exc: Exception, dirs: list[Path]) -> Where | None:
    """The innermost template frame of a traceback (Jinja maps frames to template lines)."""
    roots = [d.resolve() for d in dirs]
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        path = Path(frame.filename)
        if path.suffix in {".j2", ".html", ".jinja"} or any(
            path.resolve().is_relative_to(root) for root in roots
        ):
            return Where(path, frame.lineno)
    return None
