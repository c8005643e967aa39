"""Validate stage: rules that span records (references, duplicates, judgments).

Shape, types and dates are checked by the models while loading; this stage
checks what only the whole brief can tell. Errors are raised together as one
BriefError; warnings are returned for the caller to show.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from briefgen.errors import BriefError, Problem, Suggester, did_you_mean
from briefgen.model import Brief, Fact, Located, Member, Topic


def validate(brief: Brief) -> list[Problem]:
    """Raise BriefError listing every error in `brief`; return its warnings."""
    hints = Suggester()
    errors = [
        *_check_config(brief, hints),
        *_duplicates("source", brief.sources),
        *_duplicates("topic", brief.topics),
        *_duplicates("fact", brief.facts),
        *_check_topics(brief),
        *_check_citations(brief, hints),
        *_check_kinds(brief),
        *_check_basis(brief, hints),
    ]
    if errors:
        raise BriefError(problems=errors)
    return [*_uncited_sources(brief), *_confidence_in_text(brief), *_prose_warnings(brief)]


def _check_config(brief: Brief, hints: Suggester) -> Iterable[Problem]:
    config = brief.config
    levels = config.handling
    if len(set(levels)) != len(levels):
        yield Problem("handling levels repeat", config.where("handling"))
    if config.default_handling and config.default_handling not in levels:
        yield Problem(
            f"unknown handling level {config.default_handling!r}",
            config.where("default_handling"),
            f"known levels: {', '.join(levels)}",
        )
    labelled: list[tuple[str, Fact | Member]] = [(f"fact {f.id!r}", f) for f in brief.facts]
    labelled += [
        (f"membership of {m.state!r}", m) for topic in brief.topics for m in topic.membership
    ]
    for label, record in labelled:
        if record.handling not in levels:
            yield Problem(
                f"{label}: unknown handling level {record.handling!r}",
                record.where("handling"),
                f"known levels: {', '.join(levels)}",
            )
    yield from _check_audiences(brief, hints)


def _check_audiences(brief: Brief, hints: Suggester) -> Iterable[Problem]:
    config = brief.config
    levels = config.handling
    topics = [topic.id for topic in brief.topics]
    tags = sorted({tag for fact in brief.facts for tag in fact.tags})
    if config.default_audience and config.default_audience not in config.audiences:
        yield Problem(
            f"unknown default audience {config.default_audience!r}",
            config.where("default_audience"),
            f"known audiences: {', '.join(config.audiences) or 'none defined'}",
        )
    for name, audience in config.audiences.items():
        if audience.handling and audience.handling not in levels:
            yield Problem(
                f"audience {name!r}: unknown handling level {audience.handling!r}",
                audience.where("handling"),
                f"known levels: {', '.join(levels)}",
            )
        for index, topic_id in enumerate(audience.topics or []):
            if topic_id not in topics:
                yield Problem(
                    f"audience {name!r}: unknown topic {topic_id!r}",
                    audience.where("topics", index),
                    _suggest(hints, topic_id, topics, "known topics"),
                )
        for index, tag in enumerate(audience.tags or []):
            if tag not in tags:
                yield Problem(
                    f"audience {name!r}: no fact carries the tag {tag!r}",
                    audience.where("tags", index),
                    _suggest(hints, tag, tags, "tags in use"),
                )


def _suggest(hints: Suggester, name: str, known: list[str], what: str) -> str | None:
    return hints.hint(name, known, 0.5, f"{what}: {', '.join(known) or 'none'}")


def _duplicates(what: str, records: Iterable[Located]) -> Iterable[Problem]:
    first: dict[str, Located] = {}
    for record in records:
        record_id = record.id  # type: ignore[attr-defined]
        if record_id in first:
            yield Problem(
                f"duplicate {what} id {record_id!r}",
                record.where("id"),
                f"first defined at {first[record_id].where('id')}",
            )
        else:
            first[record_id] = record


def _check_topics(brief: Brief) -> Iterable[Problem]:
    for topic in brief.topics:
        yield from _check_paragraphs(topic)
        if not topic.facts:
            yield Problem(
                f"topic {topic.id!r} has no facts",
                topic.where("facts"),
                "add facts under 'facts:' or remove the file",
            )


def _check_paragraphs(topic: Topic) -> Iterable[Problem]:
    """Each paragraph names facts of its own topic, each fact once, no key judgment."""
    own = {fact.id: fact for fact in topic.facts}
    placed: set[str] = set()
    for number, paragraph in enumerate(topic.paragraphs):
        for index, fact_id in enumerate(paragraph):
            where = topic.where("paragraphs", number, index)
            if fact_id not in own:
                hint = did_you_mean(fact_id, own, otherwise="a paragraph lists facts of its topic")
                yield Problem(f"paragraph {number + 1} names unknown fact {fact_id!r}", where, hint)
            elif fact_id in placed:
                yield Problem(f"fact {fact_id!r} is in more than one paragraph", where)
            elif own[fact_id].kind == "judgment":
                yield Problem(
                    f"judgment {fact_id!r} is in a paragraph",
                    where,
                    "key judgments are shown in their own box; list facts and comments",
                )
            placed.add(fact_id)


def _check_citations(brief: Brief, hints: Suggester) -> Iterable[Problem]:
    known = brief.sources_by_id
    for _, citation in brief.citations():
        if citation.source not in known:
            hint = hints.hint(citation.source, list(known), 0.5, "add it to sources.yaml")
            yield Problem(f"unknown source {citation.source!r}", citation.where("source"), hint)


def _check_kinds(brief: Brief) -> Iterable[Problem]:
    for fact in brief.facts:
        if fact.kind == "comment":
            if not fact.basis:
                yield Problem(
                    f"comment {fact.id!r} names no facts it comments on",
                    fact.where(),
                    "add 'basis:' with the ids of the facts it comments on",
                )
        elif fact.kind == "judgment":
            if fact.confidence is None:
                yield Problem(
                    f"judgment {fact.id!r} has no confidence",
                    fact.where(),
                    "add 'confidence:' with a word from the estimative scale",
                )
            if not fact.basis:
                yield Problem(
                    f"judgment {fact.id!r} names no facts it rests on",
                    fact.where(),
                    "add 'basis:' with the ids of its supporting facts",
                )
        else:
            if fact.confidence is not None:
                yield Problem(
                    f"fact {fact.id!r} has a confidence but is not a judgment",
                    fact.where("confidence"),
                    "set 'kind: judgment' (or 'kind: comment') or remove it",
                )
            if fact.basis:
                yield Problem(
                    f"fact {fact.id!r} has a basis but is not a judgment",
                    fact.where("basis"),
                    "set 'kind: judgment' (or 'kind: comment') or remove it",
                )
            if not fact.all_citations():
                yield Problem(
                    f"fact {fact.id!r} cites no source",
                    fact.where(),
                    "add 'citations:' with source, locator and quote",
                )


def _check_basis(brief: Brief, hints: Suggester) -> Iterable[Problem]:
    facts = {fact.id: fact for fact in brief.facts}
    ids = list(facts)
    for fact in brief.facts:
        for index, basis_id in enumerate(fact.basis):
            if basis_id not in facts:
                hint = hints.hint(basis_id, ids)
                yield Problem(
                    f"{fact.kind} {fact.id!r} rests on unknown fact {basis_id!r}",
                    fact.where("basis", index),
                    hint,
                )
    cycle = _find_cycle(facts)
    if cycle:
        yield Problem(
            "judgments rest on each other in a circle: " + " -> ".join(cycle),
            facts[cycle[0]].where("basis"),
            "a judgment must rest on facts",
        )


def _find_cycle(facts: dict[str, Fact]) -> list[str] | None:
    """A circle of basis references, as ids from start back to start, if there is one."""
    state: dict[str, str] = {}
    for start in facts:
        if start in state:
            continue
        state[start] = "open"
        trail = [start]
        stack = [iter(facts[start].basis)]
        while stack:
            for child in stack[-1]:
                if child not in facts:
                    continue
                if state.get(child) == "open":
                    return [*trail[trail.index(child) :], child]
                if child not in state:
                    state[child] = "open"
                    trail.append(child)
                    stack.append(iter(facts[child].basis))
                    break
            else:
                state[trail.pop()] = "done"
                stack.pop()
    return None


_ESTIMATIVE = re.compile(
    r"\b(?:almost no chance|(?:very )?(?:un)?likely|roughly even chance|almost certain(?:ly)?)\b",
    re.IGNORECASE,
)


def _confidence_in_text(brief: Brief) -> Iterable[Problem]:
    """Judgments whose text says a confidence word: the brief prints it once, before the text."""
    for fact in brief.facts:
        if fact.kind == "judgment" and (found := _ESTIMATIVE.search(fact.text)):
            yield Problem(
                f"judgment {fact.id!r} says {found.group(0)!r} in its text",
                fact.where("text"),
                f"its confidence ({fact.confidence}) is printed before the text; "
                "leave estimative words out of the text",
            )


def _prose_warnings(brief: Brief) -> Iterable[Problem]:
    """In a prose topic: facts left out of every paragraph, dated facts that do not say when."""
    for topic in brief.topics:
        if not topic.paragraphs:
            continue
        placed = {fact_id for paragraph in topic.paragraphs for fact_id in paragraph}
        for fact in topic.facts:
            if fact.kind != "judgment" and fact.id not in placed:
                yield Problem(
                    f"fact {fact.id!r} is in no paragraph of topic {topic.id!r}",
                    fact.where(),
                    "it is shown after the paragraphs; add its id to a paragraph",
                )
            elif fact.id in placed and fact.date and not fact.says_its_date():
                yield Problem(
                    f"fact {fact.id!r} is in a paragraph but its first sentence does not say "
                    f"when ({fact.date.human()})",
                    fact.where("text"),
                    "prose prints no date lead-in; give the date in the sentence",
                )


def _uncited_sources(brief: Brief) -> Iterable[Problem]:
    cited = {citation.source for _, citation in brief.citations()}
    for source in brief.sources:
        if source.id not in cited:
            yield Problem(f"source {source.id!r} is never cited", source.where("id"))
