"""Validate stage: references, duplicates and judgment rules, each with file:line."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefgen.errors import BriefError
from briefgen.pipeline import check
from tests.conftest import edit

TOPIC = Path("facts/treaty.yaml")


def problems() -> list[str]:
    with pytest.raises(BriefError) as caught:
        check(Path("briefgen.yaml"))
    return [str(p) for p in caught.value.problems]


def test_valid_fixture_has_no_warnings(project):
    project()
    assert check(Path("briefgen.yaml")).warnings == []


def test_unknown_source_suggests_the_closest_id(project):
    project()
    edit(
        TOPIC,
        "      - source: smith-2021-gazette\n        locator: para. 2",
        "      - source: smith-2012-gazette\n        locator: para. 2",
    )
    assert problems() == [
        "facts/treaty.yaml:12:17: unknown source 'smith-2012-gazette' "
        "(did you mean 'smith-2021-gazette'?)"
    ]


def test_duplicate_fact_id_names_both_places(project):
    project()
    edit(TOPIC, "  - id: treaty-ratified", "  - id: treaty-signed")
    assert problems() == [
        "facts/treaty.yaml:15:9: duplicate fact id 'treaty-signed' "
        "(first defined at facts/treaty.yaml:6:9)"
    ]


def test_duplicate_fact_id_across_files(project):
    project()
    Path("facts/other.yaml").write_text(
        "id: other\ntitle: Other\nfacts:\n  - id: treaty-signed\n    text: Again.\n"
        "    citations:\n      - {source: smith-2021-gazette, locator: para. 1, quote: x}\n",
        encoding="utf-8",
    )
    assert problems() == [
        "facts/other.yaml:4:9: duplicate fact id 'treaty-signed' "
        "(first defined at facts/treaty.yaml:6:9)"
    ]


def test_duplicate_source_id(project):
    project()
    edit(Path("facts/sources.yaml"), "- id: widget-office-2019-report", "- id: smith-2021-gazette")
    (first, *_) = problems()
    assert first == (
        "facts/sources.yaml:11:7: duplicate source id 'smith-2021-gazette' "
        "(first defined at facts/sources.yaml:1:7)"
    )


def test_judgment_without_confidence(project):
    project()
    edit(TOPIC, "    confidence: likely\n", "")
    assert problems() == [
        "facts/treaty.yaml:44:5: judgment 'treaty-outlook' has no confidence "
        "(add 'confidence:' with a word from the estimative scale)"
    ]


def test_confidence_must_be_a_word_of_the_estimative_scale(project):
    project()
    edit(TOPIC, "confidence: likely", "confidence: probable")
    (message,) = problems()
    assert message.startswith(
        "facts/treaty.yaml:47:17: 'confidence' of fact 4 must be one of 'almost no chance'"
    )
    assert "'roughly even chance'" in message


def test_judgment_without_basis(project):
    project()
    edit(TOPIC, "    basis: [treaty-signed, treaty-membership-count]\n", "")
    assert problems() == [
        "facts/treaty.yaml:44:5: judgment 'treaty-outlook' names no facts it rests on "
        "(add 'basis:' with the ids of its supporting facts)"
    ]


def test_judgment_resting_on_an_unknown_fact(project):
    project()
    edit(
        TOPIC,
        "basis: [treaty-signed, treaty-membership-count]",
        "basis: [treaty-signed, treaty-member-count]",
    )
    assert problems() == [
        "facts/treaty.yaml:48:28: judgment 'treaty-outlook' rests on unknown fact "
        "'treaty-member-count' (did you mean 'treaty-membership-count'?)"
    ]


def test_judgments_resting_on_each_other_in_a_circle(project):
    project()
    text = TOPIC.read_text(encoding="utf-8") + (
        "  - id: treaty-second\n    kind: judgment\n    text: Circular.\n"
        "    confidence: unlikely\n    basis: [treaty-outlook]\n"
    )
    TOPIC.write_text(
        text.replace("basis: [treaty-signed, treaty-membership-count]", "basis: [treaty-second]"),
        encoding="utf-8",
    )
    assert problems() == [
        "facts/treaty.yaml:48:12: judgments rest on each other in a circle: "
        "treaty-outlook -> treaty-second -> treaty-outlook (a judgment must rest on facts)"
    ]


def test_fact_without_citations(project):
    project()
    edit(
        TOPIC,
        """    citations:
      - source: smith-2021-gazette
        locator: para. 2
        quote: "four states put their names to the treaty in Geneva"
""",
        "",
    )
    assert problems() == [
        "facts/treaty.yaml:6:5: fact 'treaty-signed' cites no source "
        "(add 'citations:' with source, locator and quote)"
    ]


def test_topic_with_no_facts(project):
    project()
    Path("facts/empty.yaml").write_text("id: empty\ntitle: Empty\nfacts: []\n", encoding="utf-8")
    assert problems() == [
        "facts/empty.yaml:3:8: topic 'empty' has no facts (add facts under 'facts:' or "
        "remove the file)"
    ]


def test_quote_longer_than_thirty_words(project):
    project()
    long_quote = " ".join(["word"] * 31)
    edit(TOPIC, '"four states put their names to the treaty in Geneva"', f'"{long_quote}"')
    assert problems() == [
        "facts/treaty.yaml:14:16: 'quote' of citation 1 of fact 1: quote has 31 words; "
        "keep it to 30 or fewer"
    ]


def test_unknown_handling_level(project):
    project()
    edit(TOPIC, "    handling: internal\n", "    handling: secret\n")
    assert problems() == [
        "facts/treaty.yaml:18:15: fact 'treaty-ratified': unknown handling level 'secret' "
        "(known levels: public, internal)"
    ]


def test_uncited_source_is_a_warning(project):
    project()
    edit(
        Path("facts/sources.yaml"),
        "  issued: 2019\n",
        "  issued: 2019\n\n- id: unused-source\n  title: Never Cited\n",
    )
    warnings = [str(w) for w in check(Path("briefgen.yaml")).warnings]
    assert warnings == ["facts/sources.yaml:16:7: source 'unused-source' is never cited"]


def test_thousands_of_unknown_references_get_suggestions_only_for_the_first_twenty(project):
    """Each suggestion compares with every known id: unbounded, 25,000 of them took hours."""
    root = project()
    lines = ["id: many", "title: Many", "facts:"]
    lines += [
        f"  - id: known-{n}\n    text: Fact {n}.\n    citations:\n"
        "      - source: smith-2021-gazette\n        locator: para. 1\n        quote: q"
        for n in range(300)
    ]
    lines.append(
        "  - id: the-judgment\n    kind: judgment\n    text: A judgment.\n"
        "    confidence: likely\n    basis:\n" + "\n".join(f"      - knwon-{n}" for n in range(300))
    )
    (root / "facts" / "many.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(BriefError) as caught:
        check(Path("briefgen.yaml"))
    unknown = [p for p in caught.value.problems if "rests on unknown fact" in p.message]
    assert len(unknown) == 300
    assert [p.hint for p in unknown[:2]] == ["did you mean 'known-0'?", "did you mean 'known-1'?"]
    assert sum(p.hint is not None for p in unknown) <= 20
