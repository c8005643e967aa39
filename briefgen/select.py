"""Select stage: which facts one audience shows, grouped the way the document reads.

A fact reaches an audience only if its handling level is at or below the
audience's; a judgment or comment also needs every fact it rests on to be releasable, so
nothing withheld can be inferred from it. Topic, tag and priority filters then
narrow what is shown. What was withheld for handling is kept, so the release
guard can prove none of it reached the output.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from briefgen.audience import Audience
from briefgen.model import Brief, Fact, Member, Topic


@dataclass(frozen=True)
class Section:
    """A topic and the facts (not judgments) it shows, in the curators' order."""

    topic: Topic
    facts: list[Fact]
    members: list[Member] = field(default_factory=list)
    paragraphs: list[list[Fact]] = field(default_factory=list)
    """A prose topic's paragraphs, with only the facts shown; none for a topic of facts."""


@dataclass(frozen=True)
class Selection:
    """What one audience shows: key judgments first, then a section per topic."""

    judgments: list[Fact]
    sections: list[Section]
    withheld: list[Fact] = field(default_factory=list)
    chronology: list[Fact] = field(default_factory=list)
    withheld_members: list[Member] = field(default_factory=list)

    @property
    def facts(self) -> list[Fact]:
        """Every fact and judgment shown, in document order."""
        return [*self.judgments, *(fact for s in self.sections for fact in s.facts)]


def select(brief: Brief, audience: Audience) -> Selection:
    """The facts `audience` shows, grouped the way its brief reads."""
    levels = brief.config.handling
    ceiling = levels.index(audience.handling) if audience.handling in levels else -1

    def releasable(handling: str | None) -> bool:
        return handling in levels and levels.index(handling) <= ceiling

    cleared = {fact.id for fact in brief.facts if releasable(fact.handling)}
    released = {
        fact.id
        for fact in brief.facts
        if fact.id in cleared and (not fact.rests_on_facts or set(fact.basis) <= cleared)
    }
    withheld = [fact for fact in brief.facts if fact.id not in released]

    def wanted(fact: Fact) -> bool:
        return (
            fact.id in released
            and fact.priority <= audience.priority
            and (audience.tags is None or not audience.tags.isdisjoint(fact.tags))
        )

    judgments: list[Fact] = []
    sections = []
    for topic in brief.topics:
        if audience.topics is not None and topic.id not in audience.topics:
            continue
        shown = [fact for fact in topic.facts if wanted(fact)]
        if audience.judgments:
            judgments += [fact for fact in shown if fact.kind == "judgment"]
        facts = in_order(topic, [fact for fact in shown if fact.kind != "judgment"])
        members = [m for m in topic.membership if audience.tables and releasable(m.handling)]
        if facts or members:
            sections.append(Section(topic, facts, members, paragraphs_of(topic, facts)))
    shown_facts = [fact for section in sections for fact in section.facts]
    dated = [fact for fact in shown_facts if fact.date and fact.kind == "fact"]
    chronology = sorted(dated, key=_when) if audience.chronology else []
    withheld_members = [
        m for topic in brief.topics for m in topic.membership if not releasable(m.handling)
    ]
    return Selection(judgments, sections, withheld, chronology, withheld_members)


def paragraphs_of(topic: Topic, shown: Sequence[Fact]) -> list[list[Fact]]:
    """The topic's paragraphs holding what is shown; a fact in none gets one of its own, last."""
    if not topic.paragraphs:
        return []
    by_id = {fact.id: fact for fact in shown}
    paragraphs = [[by_id[i] for i in ids if i in by_id] for ids in topic.paragraphs]
    placed = {fact_id for ids in topic.paragraphs for fact_id in ids}
    paragraphs += [[fact] for fact in shown if fact.id not in placed]
    return [paragraph for paragraph in paragraphs if paragraph]


def in_order(topic: Topic, facts: Sequence[Fact]) -> list[Fact]:
    """A section's facts as the reader meets them.

    With the topic's `fact_order: date` (the default): dated facts by when they
    start (the less precise first on a tie), then undated ones as written, and
    each comment right after the last fact it comments on. With
    `fact_order: written`: as written in the file.
    """
    if topic.fact_order == "written":
        return list(facts)
    comments = [fact for fact in facts if fact.kind == "comment"]
    plain = [fact for fact in facts if fact.kind != "comment"]
    ordered = sorted((f for f in plain if f.date), key=_when)
    ordered += [fact for fact in plain if not fact.date]
    for comment in comments:
        places = [i for i, fact in enumerate(ordered) if fact.id in comment.basis]
        ordered.insert(max(places) + 1 if places else len(ordered), comment)
    return ordered


def _when(fact: Fact) -> tuple[dt.date, int, dt.date]:
    assert fact.date is not None
    return fact.date.sort_key()
