"""The template view: the one thing a template sees, as plain, read-only data.

Templates are code from many hands, so they get values, never objects: strings,
numbers, dates, tuples and read-only mappings, built from what one audience shows
and nothing else. Withheld facts, their quotes and versions, withheld membership
rows and the sources only they cite do not exist for a template; there are no
paths, no models and no methods to call. Notes are handed out by the functions
`next_note`, `endnotes` and `bibliography`, closures over the audience's own sources.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from briefgen import __version__
from briefgen.audience import Audience
from briefgen.chart import latest_year, membership_timeline
from briefgen.cite import Note, Notebook
from briefgen.dates import When
from briefgen.errors import BriefError
from briefgen.markup import first_sentence, plain
from briefgen.model import (
    CONFIDENCE,
    CREDIBILITY,
    RELIABILITY,
    Brief,
    Citation,
    Config,
    Fact,
    Member,
    Source,
)
from briefgen.select import Section, Selection

if TYPE_CHECKING:
    from briefgen.manifest import Changes

View = Mapping[str, Any]
TOP_LEVEL = (
    "settings",
    "audience",
    "judgments",
    "sections",
    "facts_by_id",
    "chronology",
    "changes",
    "information_as_of",
    "method",
    "stylesheet",
    "build_date",
    "version",
    "next_note",
    "endnotes",
    "bibliography",
)
"""The names a template sees: the brief's settings, the audience, and what it shows."""
PLAIN = (str, int, float, bool, type(None), dt.date, Markup)
"""The leaf types a view may hold (bool is an int; Markup a str)."""


def freeze(value: Any) -> Any:
    """`value` as read-only plain data: mappings become proxies, sequences tuples.

    Anything that is not plain data is refused, so no object with methods can
    slip into a template by mistake.
    """
    if isinstance(value, PLAIN):
        return value
    if isinstance(value, Mapping):
        return MappingProxyType({str(k): freeze(v) for k, v in value.items()})
    if isinstance(value, list | tuple | frozenset | set):
        items = sorted(value) if isinstance(value, frozenset | set) else value
        return tuple(freeze(item) for item in items)
    raise TypeError(f"{type(value).__name__} is not plain data")


def template_view(
    brief: Brief,
    selection: Selection,
    audience: Audience,
    *,
    build_date: dt.date,
    stylesheet: Markup,
    changes: Changes | None = None,
) -> View:
    """Everything one audience's template may use, and nothing more.

    The context also holds the functions `next_note(citations)`,
    `endnotes()` (the notes handed out so far) and `bibliography()`; they know
    only the sources that the audience's own citations name.
    """
    until = _latest_year(selection)
    shown = selection.facts
    cited = {c.source for _, c in _citations(selection)}
    sources = [s for i, s in brief.sources_by_id.items() if i in cited]
    data = {
        "settings": _settings(brief.config),
        "audience": _audience(audience),
        "judgments": [fact_view(fact) for fact in selection.judgments],
        "sections": [_section(section, until) for section in selection.sections],
        "facts_by_id": {fact.id: fact_view(fact) for fact in shown},
        "chronology": [fact_view(fact) for fact in selection.chronology],
        "changes": _changes(changes) if changes is not None else None,
        "information_as_of": date_view(information_as_of(brief.config, sources)),
        "method": _method(brief.config, sources),
        "stylesheet": stylesheet,
        "build_date": build_date,
        "version": __version__,
    }
    notebook = Notebook(
        {i: s for i, s in brief.sources_by_id.items() if i in cited},
        show_quotes=audience.show_quotes,
        show_grades=audience.show_grades,
    )
    functions = note_functions(notebook)
    return MappingProxyType({**freeze(data), **functions})


def note_functions(notebook: Notebook) -> dict[str, Callable[..., Any]]:
    """The three note functions a template calls, over one audience's notebook."""

    def next_note(citations: Sequence[Mapping[str, Any]]) -> View:
        """The next note, citing each of `citations` (citation mappings from the view)."""
        records = []
        for citation in citations:
            if citation["source"] not in notebook.sources:
                raise BriefError(
                    f"a template cites source {citation['source']!r}, "
                    "which this audience does not cite"
                )
            records.append(Citation.model_construct(**dict(citation)))
        return _note(notebook.cite(records))

    def endnotes() -> tuple[View, ...]:
        """Every note handed out so far, in order."""
        return tuple(_note(note) for note in notebook.notes)

    def bibliography() -> tuple[Markup, ...]:
        """One entry per source cited so far, sorted as Chicago sorts them."""
        return tuple(notebook.bibliography())

    return {"next_note": next_note, "endnotes": endnotes, "bibliography": bibliography}


def information_as_of(config: Config, sources: Sequence[Source]) -> When | None:
    """The date of the brief's information: as configured, else the newest source's date."""
    if config.information_as_of is not None:
        return config.information_as_of
    dates = [source.issued for source in sources if source.issued]
    return max(dates, key=When.sort_key) if dates else None


def _method(config: Config, sources: Sequence[Source]) -> dict[str, Any]:
    """What the brief rests on, counted from its sources, and the scales that grade them."""
    kinds = Counter(source.type for source in sources)
    grades: Counter[str] = Counter(s.reliability for s in sources if s.reliability)
    dates = sorted((s.issued for s in sources if s.issued), key=When.sort_key)
    return {
        "sources": len(sources),
        "kinds": _and(
            _counted(n, _KINDS.get(kind, kind.replace("-", " ")))
            for kind, n in sorted(kinds.items(), key=lambda item: (-item[1], item[0]))
        ),
        "earliest": date_view(dates[0]) if dates else None,
        "latest": date_view(dates[-1]) if dates else None,
        "graded": [
            {"grade": grade, "meaning": meaning, "count": grades[grade]}
            for grade, meaning in RELIABILITY.items()
            if grades[grade]
        ],
        "ungraded": sum(1 for source in sources if not source.reliability),
        "reliability_scale": [{"grade": g, "meaning": m} for g, m in RELIABILITY.items()],
        "credibility_scale": [{"grade": g, "meaning": m} for g, m in CREDIBILITY.items()],
        "estimative_scale": list(CONFIDENCE),
        "note": config.method,
    }


_KINDS = {
    "article-magazine": ("magazine article", "magazine articles"),
    "article-newspaper": ("newspaper article", "newspaper articles"),
    "article-journal": ("journal article", "journal articles"),
    "report": ("report", "reports"),
    "webpage": ("web page", "web pages"),
    "post-weblog": ("blog post", "blog posts"),
    "book": ("book", "books"),
    "chapter": ("book chapter", "book chapters"),
    "document": ("document", "documents"),
}
"""How the method note names CSL item types, one and several."""


def _and(items: Iterable[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    listed = list(items)
    return " and ".join(filter(None, [", ".join(listed[:-1]), *listed[-1:]]))


def _counted(count: int, name: str | tuple[str, str]) -> str:
    one, several = name if isinstance(name, tuple) else (name, name + "s")
    return f"{count} {one if count == 1 else several}"


def fact_view(fact: Fact) -> View:
    """A fact or judgment as plain data."""
    return freeze(
        {
            "id": fact.id,
            "text": fact.text,
            "kind": fact.kind,
            "date": date_view(fact.date),
            "tags": list(fact.tags),
            "handling": fact.handling,
            "priority": fact.priority,
            "citations": [_citation(c) for c in fact.citations],
            "versions": [
                {"text": v.text, "citations": [_citation(c) for c in v.citations]}
                for v in fact.versions
            ],
            "confidence": fact.confidence,
            "basis": list(fact.basis),
            "reviewed": date_view(fact.reviewed),
            "headline": fact.headline,
            "label": plain(fact.headline) if fact.headline else first_sentence(plain(fact.text)),
            "dated_in_text": fact.says_its_date(),
        }
    )


def date_view(when: When | None) -> View | None:
    """A date or range: `iso` ('2022-01', '2022-01-05/2022-01-07') and `text` ('January 2022')."""
    if when is None:
        return None
    return freeze(
        {
            "iso": str(when),
            "text": when.human(),
            "start": str(when.start),
            "end": str(when.end) if when.end else None,
            "year": when.start.year,
        }
    )


def _settings(config: Config) -> dict[str, Any]:
    return {
        "title": plain(config.title),  # typographic quotes and apostrophes, as in the text
        "subtitle": plain(config.subtitle) if config.subtitle else None,
        "author": config.author,
        "name": config.name,
        "language": config.language,
        "subject": config.subject,
        "keywords": list(config.keywords),
    }


def _audience(audience: Audience) -> dict[str, Any]:
    fields = dataclasses.asdict(audience)
    fields.pop("origin")
    return fields


def _section(section: Section, until: int) -> dict[str, Any]:
    topic = section.topic
    return {
        "topic": {
            "id": topic.id,
            "title": plain(topic.title),
            "order": topic.order,
            "summary": topic.summary,
        },
        "facts": [fact_view(fact) for fact in section.facts],
        "paragraphs": [[fact_view(fact) for fact in p] for p in section.paragraphs],
        "members": [_member(member) for member in section.members],
        "timeline": _timeline(section.members, until) if section.members else None,
    }


def _timeline(members: Sequence[Member], until: int) -> dict[str, Any]:
    chart = membership_timeline(members, until)
    return {**dataclasses.asdict(chart), "description": chart.description}


def _member(member: Member) -> dict[str, Any]:
    return {
        "state": member.state,
        "periods": [
            {"joined": date_view(p.joined), "left": date_view(p.left)} for p in member.periods
        ],
        "note": member.note,
        "handling": member.handling,
        "citations": [_citation(c) for c in member.citations],
    }


def _citation(citation: Citation) -> dict[str, Any]:
    return {
        "source": citation.source,
        "locator": citation.locator,
        "quote": citation.quote,
        "credibility": citation.credibility,
    }


def _changes(changes: Changes) -> dict[str, Any]:
    return {
        "since": changes.since,
        "any": changes.any,
        "added": [fact_view(fact) for fact in changes.added],
        "changed": [fact_view(fact) for fact in changes.changed],
        "removed": list(changes.removed),
    }


def _note(note: Note) -> View:
    return freeze({"number": note.number, "id": note.id, "ref_id": note.ref_id, "html": note.html})


def _citations(selection: Selection) -> list[tuple[str, Citation]]:
    found = [(fact.id, c) for fact in selection.facts for c in fact.all_citations()]
    found += [
        (member.state, c)
        for section in selection.sections
        for member in section.members
        for c in member.citations
    ]
    return found


def _latest_year(selection: Selection) -> int:
    """The last year the audience's own data reaches: where open-ended timelines stop.

    Only what the audience shows counts, so a withheld fact's date cannot stretch the axis.
    """
    dates = [fact.date for fact in selection.facts]
    dates += [p.left or p.joined for s in selection.sections for m in s.members for p in m.periods]
    return latest_year(dates) or dt.date.today().year
