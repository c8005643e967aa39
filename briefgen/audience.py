"""Audiences: the editions one fact base is built into, each with its own limits and look.

An `Audience` in the configuration leaves fields out; an `Edition` is the same
audience with every field settled from the configuration's defaults, which is
what the select, render and write stages work from. A configuration without
audiences has one edition, named after nothing, whose files are `<name>.html`
and `<name>.pdf`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from briefgen.errors import BriefError, Where
from briefgen.model import Audience, Config

IMPLICIT = "brief"
"""The name of the one edition of a configuration that defines no audiences."""


@dataclass(frozen=True)
class Edition:
    """An audience with every setting resolved."""

    name: str
    stem: str
    title: str | None
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
    record: Audience | None = None

    def where(self, *field: str) -> Where | None:
        """Where the audience (or one of its fields) is configured, if it is."""
        return self.record.where(*field) if self.record else None


def editions(config: Config) -> list[Edition]:
    """Every edition the configuration defines, in the order it defines them."""
    if not config.audiences:
        return [_resolve(config, IMPLICIT, Audience(), stem=config.name)]
    return [
        _resolve(config, name, audience, stem=f"{config.name}-{name}")
        for name, audience in config.audiences.items()
    ]


class UnknownAudience(BriefError):
    """An audience asked for by name that the configuration does not define."""

    def __init__(self, name: str, known: Sequence[str]) -> None:
        self.name = name
        self.known = list(known)
        super().__init__(f"unknown audience {name!r}", hint=f"known audiences: {', '.join(known)}")

    def __reduce__(self) -> tuple[object, ...]:
        return (UnknownAudience, (self.name, self.known))


def default_edition(config: Config) -> Edition:
    """The edition `briefgen build` makes when no audience is named."""
    return choose(config)[0]


def choose(
    config: Config, wanted: Sequence[str] = (), *, everything: bool = False
) -> list[Edition]:
    """The editions to build: `wanted` by name, all of them, or the default one."""
    known = {edition.name: edition for edition in editions(config)}
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


def _resolve(config: Config, name: str, audience: Audience, *, stem: str) -> Edition:
    stylesheet = audience.stylesheet if audience.stylesheet is not None else config.stylesheet
    return Edition(
        name=name,
        stem=stem,
        title=audience.title,
        topics=frozenset(audience.topics) if audience.topics is not None else None,
        tags=frozenset(audience.tags) if audience.tags is not None else None,
        priority=audience.priority,
        handling=audience.handling or config.handling[-1],
        template=audience.template or config.template,
        stylesheets=(stylesheet,) if isinstance(stylesheet, str) else tuple(stylesheet),
        page_budget=audience.page_budget,
        marking=audience.marking if audience.marking is not None else config.marking,
        show_quotes=_either(audience.show_quotes, config.show_quotes),
        show_grades=_either(audience.show_grades, config.show_grades),
        judgments=audience.judgments,
        tables=audience.tables,
        contents=audience.contents,
        chronology=audience.chronology,
        changes=audience.changes,
        pdf_variant=_variant(audience.pdf_variant or config.pdf_variant),
        record=audience if config.audiences else None,
    )


def _variant(name: str) -> str | None:
    return None if name == "none" else name


def _either(value: bool | None, default: bool) -> bool:
    return default if value is None else value
