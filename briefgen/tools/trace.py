"""Provenance: everything in a brief that rests on one source.

For when a source is corrected or retracted: the facts that cite it, and the
judgments that rest on those facts, directly or through other judgments.
"""

from __future__ import annotations

from dataclasses import dataclass

from briefgen.errors import BriefError, closest, meant
from briefgen.model import Brief, Citation, Fact


@dataclass(frozen=True)
class Trace:
    """The facts citing a source and the judgments resting on them."""

    source_id: str
    citing: list[tuple[Fact, list[Citation]]]
    judgments: list[tuple[Fact, list[str]]]

    @property
    def fact_ids(self) -> list[str]:
        return [fact.id for fact, _ in self.citing] + [fact.id for fact, _ in self.judgments]


class UnknownSource(BriefError):
    """A source asked for by id that the sources file does not hold."""

    def __init__(self, source_id: str, close: str | None) -> None:
        self.source_id = source_id
        self.close = close
        super().__init__(f"unknown source {source_id!r}", hint=meant(close))


def trace(brief: Brief, source_id: str) -> Trace:
    """Every fact citing `source_id` and every judgment that rests on one of them."""
    if source_id not in brief.sources_by_id:
        raise UnknownSource(source_id, closest(source_id, brief.sources_by_id))
    citing = []
    for fact in brief.facts:
        citations = [c for c in fact.all_citations() if c.source == source_id]
        if citations:
            citing.append((fact, citations))
    tainted = {fact.id for fact, _ in citing}
    judgments: list[tuple[Fact, list[str]]] = []
    changed = True
    while changed:  # a judgment may rest on a judgment: follow until nothing new
        changed = False
        for fact in brief.facts:
            if fact.id in tainted or not fact.rests_on_facts:
                continue
            via = [basis for basis in fact.basis if basis in tainted]
            if via:
                judgments.append((fact, via))
                tainted.add(fact.id)
                changed = True
    return Trace(source_id, citing, judgments)
