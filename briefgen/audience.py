"""Audiences: the briefs one fact base is built into, each with its own limits and look.

The configuration writes an audience as `AudienceSettings`, leaving out what it
takes from the top level. `resolve` settles every field once, here, into an
`Audience`: the one record the select, render, lay-out and write stages work
from. A configuration without audiences has one audience, named `brief`, whose
files are `<name>.html` and `<name>.pdf` (and `.docx`, `.md` when its formats list them).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from briefgen.errors import BriefError, Where
from briefgen.formats import FORMATS
from briefgen.model import AudienceSettings, Config

IMPLICIT = "brief"
"""The name of the one audience of a configuration that defines none."""

_FROM_TOP = (
    "handling",
    "template",
    "stylesheet",
    "marking",
    "show_quotes",
    "show_grades",
    "pdf_variant",
    "formats",
    "reference_doc",
)
"""Settings an audience that leaves them out takes from the configuration's top level."""


@dataclass(frozen=True)
class Audience:
    """One audience with every setting resolved: what its brief shows and how it looks."""

    name: str
    stem: str
    title: str | None
    description: str | None
    topics: frozenset[str] | None
    tags: frozenset[str] | None
    priority: int
    handling: str
    template: str
    stylesheets: tuple[str, ...]
    page_budget: int | None
    marking: str | None
    show_quotes: bool
    show_grades: bool
    judgments: bool
    tables: bool
    contents: bool
    chronology: bool
    changes: bool
    pdf_variant: str | None
    notes: str
    formats: tuple[str, ...] = ("html", "pdf")
    """The files it is built into, in the order of FORMATS."""
    reference_doc: str = "reference.docx"
    """The DOCX whose styles its DOCX takes, found through the template search path."""
    origin: Mapping[str, Where] = field(default_factory=dict, compare=False, repr=False)
    """Where each setting was made (in the audience, else at the top level), by field name."""

    def where(self, setting: str) -> Where | None:
        """Where `setting` was made, if it was written in a file."""
        return self.origin.get(setting)


def audiences(config: Config) -> list[Audience]:
    """Every audience the configuration defines, in the order it defines them."""
    if not config.audiences:
        return [resolve(config, IMPLICIT, None)]
    return [resolve(config, name, settings) for name, settings in config.audiences.items()]


class UnknownAudience(BriefError):
    """An audience asked for by name that the configuration does not define."""

    def __init__(self, name: str, known: Sequence[str]) -> None:
        self.name = name
        self.known = list(known)
        super().__init__(f"unknown audience {name!r}", hint=f"known audiences: {', '.join(known)}")

    def __reduce__(self) -> tuple[object, ...]:
        return (UnknownAudience, (self.name, self.known))


def default_audience(config: Config) -> Audience:
    """The audience `briefgen build` builds when none is named."""
    return choose(config)[0]


def choose(
    config: Config, wanted: Sequence[str] = (), *, everything: bool = False
) -> list[Audience]:
    """The audiences to build: `wanted` by name, all of them, or the default one."""
    known = {audience.name: audience for audience in audiences(config)}
    if everything:
        return list(known.values())
    if not wanted:
        default = config.default_audience or next(iter(known))
        if default not in known:
            raise BriefError(
                f"unknown default audience {default!r}",
                config.where("default_audience"),
                f"known audiences: {', '.join(known)}",
            )
        return [known[default]]
    unknown = [name for name in wanted if name not in known]
    if unknown:
        raise UnknownAudience(unknown[0], list(known))
    return [known[name] for name in dict.fromkeys(wanted)]


def resolve(config: Config, name: str, settings: AudienceSettings | None) -> Audience:
    """`settings` (None for the implicit audience) with every default settled."""
    own = settings or AudienceSettings()
    stylesheet = own.stylesheet if own.stylesheet is not None else config.stylesheet
    return Audience(
        name=name,
        stem=config.name if settings is None else f"{config.name}-{name}",
        title=own.title,
        description=own.description,
        topics=frozenset(own.topics) if own.topics is not None else None,
        tags=frozenset(own.tags) if own.tags is not None else None,
        priority=own.priority,
        handling=own.handling or config.handling[-1],
        template=own.template or config.template,
        stylesheets=(stylesheet,) if isinstance(stylesheet, str) else tuple(stylesheet),
        page_budget=own.page_budget,
        marking=own.marking if own.marking is not None else config.marking,
        show_quotes=config.show_quotes if own.show_quotes is None else own.show_quotes,
        show_grades=config.show_grades if own.show_grades is None else own.show_grades,
        judgments=own.judgments,
        tables=own.tables,
        contents=own.contents,
        chronology=own.chronology,
        changes=own.changes,
        pdf_variant=None if (v := own.pdf_variant or config.pdf_variant) == "none" else v,
        notes=own.notes,
        formats=_in_order(own.formats if own.formats is not None else config.formats),
        reference_doc=own.reference_doc or config.reference_doc,
        origin=_origin(config, settings),
    )


def _in_order(formats: Sequence[str]) -> tuple[str, ...]:
    """`formats` once each, in the order of FORMATS (the order files are listed in)."""
    return tuple(fmt for fmt in FORMATS if fmt in formats)


def _origin(config: Config, settings: AudienceSettings | None) -> dict[str, Where]:
    found = {}
    for name in AudienceSettings.model_fields:
        from_top = name in _FROM_TOP and (settings is None or getattr(settings, name) is None)
        where = config.where(name) if from_top or settings is None else settings.where(name)
        if where is not None:
            found[name] = where
    return found
