"""The default CSTO fact base: complete, sourced, and internally consistent."""

from __future__ import annotations

import collections
from pathlib import Path

import pytest

from briefgen.load import load_brief
from briefgen.model import CONFIDENCE, MAX_QUOTE_WORDS
from briefgen.tools.verify import verify_quotes

REPO = Path(__file__).parent.parent
SHARED_SOURCES = REPO.parent / "shared" / "sources"
TOPICS = {"membership", "kazakhstan-2022", "refused-requests", "leverage", "ukraine-war"}


@pytest.fixture(scope="module")
def brief():
    return load_brief(REPO / "briefgen.yaml")


def test_the_required_topics_are_covered(brief):
    ids = {topic.id for topic in brief.topics}
    assert ids >= TOPICS
    for topic in brief.topics:
        if topic.id in TOPICS:
            assert len([f for f in topic.facts if f.kind == "fact"]) >= 8, topic.id
            assert topic.summary, f"{topic.id} has no summary"


def test_every_fact_cites_a_source_with_a_short_quote(brief):
    for fact in brief.facts:
        if fact.kind == "fact":
            assert fact.all_citations(), fact.id
        for citation in fact.all_citations():
            assert citation.locator.startswith("para"), (fact.id, citation.locator)
            assert 0 < len(citation.quote.split()) <= MAX_QUOTE_WORDS


def test_every_source_is_cited(brief):
    cited = {c.source for fact in brief.facts for c in fact.all_citations()}
    cited |= {c.source for t in brief.topics for m in t.membership for c in m.citations}
    assert cited == set(brief.sources_by_id)


def test_judgments_have_confidence_and_existing_basis(brief):
    ids = {fact.id for fact in brief.facts}
    judgments = [fact for fact in brief.facts if fact.kind == "judgment"]
    assert 4 <= len(judgments) <= 8
    for judgment in judgments:
        assert judgment.confidence in CONFIDENCE
        assert judgment.basis and set(judgment.basis) <= ids, judgment.id
        assert all(next(f for f in brief.facts if f.id == b).kind == "fact" for b in judgment.basis)


def test_disagreements_are_recorded_not_settled(brief):
    contested = [fact for fact in brief.facts if fact.versions]
    assert len(contested) >= 3
    for fact in contested:
        sources = {c.source for v in fact.versions for c in v.citations}
        assert len(fact.versions) >= 2 and len(sources) >= 2, fact.id


def test_some_facts_are_internal_so_audiences_differ(brief):
    handling = collections.Counter(fact.handling for fact in brief.facts)
    assert handling["internal"] >= 5 and handling["public"] >= 20


def test_unconfirmed_bibliographic_fields_are_left_out(brief):
    bulletin = brief.sources_by_id["csto-2020-destabilisation-bulletin"]
    assert (bulletin.author, bulletin.publisher, bulletin.URL) == ([], None, None)
    assert brief.sources_by_id["culp-2022-diplomatic-courier"].URL is None
    assert brief.sources_by_id["globetrotter-2022-counterpunch"].author == []
    ruehl = brief.sources_by_id["ruehl-2022-scoop"]
    assert (str(ruehl.issued), ruehl.issued.start.day) == ("2022-03", None)


def test_membership_table_covers_the_nine_signatories(brief):
    members = {m.state: m for t in brief.topics for m in t.membership}
    assert len(members) == 9
    current = {state for state, m in members.items() if m.periods[-1].left is None}
    assert current == {"Armenia", "Belarus", "Kazakhstan", "Kyrgyzstan", "Russia", "Tajikistan"}
    assert [str(p.joined) for p in members["Uzbekistan"].periods][1:] == ["2006"]


@pytest.mark.skipif(not SHARED_SOURCES.is_dir(), reason="../shared/sources is not beside the repo")
def test_every_quote_is_in_the_archived_source(brief):
    result = verify_quotes(brief, SHARED_SOURCES)
    assert [str(m) for m in result.misses] == []


# Source families, as sources.yaml explains: the two Globetrotter pieces share
# sentences, and the two Culp articles share an author.
FAMILIES = {
    "ruehl-2022-scoop": "globetrotter",
    "globetrotter-2022-counterpunch": "globetrotter",
    "culp-2022-diplomatic-courier": "culp",
    "culp-2023-diplomatic-courier": "culp",
    "csto-2020-destabilisation-bulletin": "bulletin",
}


def test_credibility_follows_the_documented_rule(brief):
    """2 needs a second family supporting the same statement in the same fact; else 3."""
    assert set(FAMILIES) == set(brief.sources_by_id)
    for fact in brief.facts:
        for citation in fact.citations:
            assert citation.credibility in (2, 3), (fact.id, citation.source)
            if citation.credibility == 2:  # corroboration is mutual: another family says 2 too
                others = {
                    FAMILIES[c.source]
                    for c in fact.citations
                    if c.credibility == 2 and FAMILIES[c.source] != FAMILIES[citation.source]
                }
                assert others, (fact.id, citation.source, "graded 2 with no second family")
        for version in fact.versions:
            assert {c.credibility for c in version.citations} == {3}, fact.id
