"""Render stage: Jinja2 templates -> one self-contained HTML page -> PDF.

Templates run in Jinja2's sandbox with autoescape and StrictUndefined. The
project's own template folder is searched before the built-in templates, so a
brief overrides one block by extending `base.html.j2`. The stylesheet is found
on the same search path and inlined, so the HTML needs nothing beside it.
WeasyPrint is imported only when a PDF is rendered.
"""

from __future__ import annotations

import datetime as dt
import traceback
from dataclasses import dataclass
from pathlib import Path

import jinja2
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from briefgen import __version__
from briefgen.cite import Notebook
from briefgen.errors import BriefError, Where
from briefgen.markup import inline
from briefgen.model import Brief
from briefgen.select import Selection

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
    return env


def render_html(brief: Brief, selection: Selection, *, build_date: dt.date) -> Rendered:
    """Render the brief's template to a complete HTML document."""
    dirs = template_dirs(brief)
    env = make_environment(dirs)
    config = brief.config
    try:
        template = env.get_template(config.template)
        css = _stylesheet(env, config.stylesheet)
        html = template.render(
            brief=config,
            selection=selection,
            judgments=selection.judgments,
            sections=selection.sections,
            facts_by_id={fact.id: fact for fact in brief.facts},
            notes=Notebook(
                brief.sources_by_id,
                show_quotes=config.show_quotes,
                show_grades=config.show_grades,
            ),
            stylesheet=css,
            build_date=build_date,
            version=__version__,
        )
    except BriefError:
        raise
    except jinja2.TemplateNotFound as exc:
        searched = ", ".join(str(d) for d in dirs)
        raise BriefError(
            f"template {exc.name!r} not found", config.where("template"), f"searched {searched}"
        ) from exc
    except jinja2.TemplateSyntaxError as exc:
        where = Where(Path(exc.filename), exc.lineno) if exc.filename else None
        raise BriefError(f"template syntax error: {exc.message}", where) from exc
    except Exception as exc:  # errors raised while a template runs
        raise BriefError(f"template error: {_describe(exc)}", _template_where(exc, dirs)) from exc
    return Rendered(html=html, fact_ids=[fact.id for fact in selection.facts])


def render_pdf(html: str, brief: Brief) -> bytes:
    """Lay out `html` with WeasyPrint; only files of the project may be read."""
    from briefgen.pdf import html_to_pdf  # WeasyPrint is slow to import

    return html_to_pdf(html, base_dir=brief.root, allowed=[brief.root, *template_dirs(brief)])


def _stylesheet(env: SandboxedEnvironment, name: str) -> Markup:
    assert env.loader is not None
    source, _, _ = env.loader.get_source(env, name)
    # Inlined in <style>: a closing tag inside the CSS must not end the element.
    return Markup(source.replace("</", "<\\/"))


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
