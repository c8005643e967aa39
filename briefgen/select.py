"""Select stage: which facts a brief shows, grouped the way the document reads."""

from __future__ import annotations

from dataclasses import dataclass, field

from briefgen.model import Brief, Fact, Member, Topic


@dataclass(frozen=True)
class Section:
    """A topic and the facts (not judgments) it shows, in the curators' order."""

    topic: Topic
    facts: list[Fact]
    members: list[Member] = field(default_factory=list)


@dataclass(frozen=True)
class Selection:
    """What one output shows: key judgments first, then a section per topic."""

    judgments: list[Fact]
    sections: list[Section]

    @property
    def facts(self) -> list[Fact]:
        """Every fact and judgment shown, in document order."""
        return [*self.judgments, *(fact for s in self.sections for fact in s.facts)]


def select(brief: Brief) -> Selection:
    """Everything in the brief, judgments lifted into the key-judgments block."""
    judgments = [fact for fact in brief.facts if fact.kind == "judgment"]
    sections = []
    for topic in brief.topics:
        facts = [fact for fact in topic.facts if fact.kind == "fact"]
        if facts or topic.membership:
            sections.append(Section(topic, facts, list(topic.membership)))
    return Selection(judgments=judgments, sections=sections)
