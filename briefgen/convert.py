"""Convert stage: an audience's DOCX and Markdown editions, written by Pandoc and guarded.

`editions` builds the Pandoc documents from a fresh template view (so note
numbers start at 1, as in the HTML); it runs with the render, in the render
budget's child process. `convert` hands each document to Pandoc under the
layout budget, makes the DOCX final (briefgen's header and footer with the
marking, fixed dates, a reproducible zip) and runs the release guard over every
part a reader or a tool can see, before anything is written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from markupsafe import Markup

from briefgen.audience import Audience
from briefgen.docx import finish_docx
from briefgen.edition import edition
from briefgen.formats import PANDOC_FORMATS
from briefgen.model import Brief
from briefgen.ooxml import docx_media, docx_parts, part_text
from briefgen.pandoc import write
from briefgen.pandoc_ast import Node
from briefgen.release import Guard, resource_text
from briefgen.render import reference_bytes
from briefgen.select import Selection
from briefgen.view import template_view
from briefgen.workers import Budget

if TYPE_CHECKING:
    from briefgen.manifest import Changes


def editions(
    brief: Brief,
    selection: Selection,
    audience: Audience,
    formats: Sequence[str],
    *,
    build_date: dt.date,
    changes: Changes | None = None,
) -> dict[str, Node]:
    """The Pandoc document of each of `formats` that Pandoc writes, from the audience's view."""
    documents = {}
    for fmt in formats:
        if fmt in PANDOC_FORMATS:
            view = template_view(
                brief,
                selection,
                audience,
                build_date=build_date,
                stylesheet=Markup(""),
                changes=changes,
            )
            documents[fmt] = edition(view, "docx" if fmt == "docx" else "md")
    return documents


def convert(
    brief: Brief,
    audience: Audience,
    documents: Mapping[str, Node],
    guard: Guard,
    *,
    build_date: dt.date,
) -> dict[str, bytes]:
    """Each document written by Pandoc, made final and cleared by the release guard, by format."""
    limits = brief.config.limits
    budget = Budget(limits.layout_seconds, limits.layout_memory_mb * 1024 * 1024)
    made = {}
    for fmt, document in documents.items():
        if fmt == "docx":
            reference = reference_bytes(brief, audience)
            raw = write(document, fmt, budget=budget, reference=reference)
            data = finish_docx(raw, marking=audience.marking, day=build_date)
            check_docx(guard, data)
        else:
            data = write(document, fmt, budget=budget)
            guard.check_text([data.decode("utf-8")], "Markdown")
        made[fmt] = data
    return made


def check_docx(guard: Guard, data: bytes) -> None:
    """The release guard over every part of a DOCX: its text, markup, notes and properties,
    and the pictures (an SVG's text, the text chunks a PNG or JPEG may carry)."""
    for name, xml in docx_parts(data):
        guard.check_text([part_text(xml)], f"DOCX {name}")
        guard.check_html(xml, f"DOCX {name}")
    for name, content in docx_media(data):
        text = resource_text(content)
        if text is not None:
            guard.check_html(text, f"DOCX {name}")
        else:
            guard.check_text([content.decode("latin-1")], f"DOCX {name}")
