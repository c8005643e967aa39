"""Load stage: every error a user can make in a file names the file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefgen.errors import BriefError
from briefgen.load import load_brief, load_config
from briefgen.pipeline import check
from tests.conftest import edit

TOPIC = Path("facts/treaty.yaml")


def problems(config: Path = Path("briefgen.yaml")) -> list[str]:
    with pytest.raises(BriefError) as caught:
        check(config)
    return [str(p) for p in caught.value.problems]


def test_minimal_fixture_loads_with_locations(project):
    project()
    brief = load_brief(Path("briefgen.yaml"))
    assert [t.id for t in brief.topics] == ["treaty"]
    fact = brief.facts[1]
    assert fact.id == "treaty-ratified"
    assert str(fact.where()) == "facts/treaty.yaml:15:5"
    assert str(fact.citations[1].where("source")) == "facts/treaty.yaml:23:17"
    assert brief.sources_by_id["smith-2021-gazette"].container_title == "Widget Gazette"


def test_yaml_syntax_error(project):
    project()
    edit(TOPIC, "    date: 2012\n", "    date: [2012\n")
    (problem,) = problems()
    # libyaml and PyYAML's own parser word it differently; briefgen uses libyaml when present
    assert problem in {
        "facts/treaty.yaml:18:13: YAML syntax error: did not find expected ',' or ']'",
        "facts/treaty.yaml:18:13: YAML syntax error: expected ',' or ']', but got ':'",
    }


def test_tab_indentation_hint(project):
    project()
    edit(TOPIC, "    date: 2012\n", "\tdate: 2012\n")
    (message,) = problems()
    assert message.startswith("facts/treaty.yaml:17:1: YAML syntax error")
    assert message.endswith("(indent with spaces, not tabs)")


def test_unknown_field_suggests_the_closest(project):
    project()
    edit(TOPIC, "    priority: 1\n    citations:", "    priorty: 1\n    citations:")
    assert problems() == [
        "facts/treaty.yaml:10:5: unknown field 'priorty' (did you mean 'priority'?)"
    ]


def test_missing_field(project):
    project()
    edit(TOPIC, '        quote: "four states put their names to the treaty in Geneva"\n', "")
    assert problems() == ["facts/treaty.yaml:12:9: missing field 'quote'"]


def test_wrong_type(project):
    project()
    edit(TOPIC, "    priority: 1\n    citations:", "    priority: high\n    citations:")
    assert problems() == [
        "facts/treaty.yaml:10:15: 'priority' of fact 1 must be a whole number, not 'high'"
    ]


def test_impossible_date(project):
    project()
    edit(TOPIC, "date: 2011-03-14", "date: 2011-02-30")
    assert problems() == [
        "facts/treaty.yaml:8:11: 'date' of fact 1: impossible date '2011-02-30': "
        "February 2011 has no day 30"
    ]


def test_problems_in_several_files_are_all_reported(project):
    project()
    edit(TOPIC, "date: 2011-03-14", "date: 2011-13-01")
    edit(Path("facts/sources.yaml"), "  issued: 2019\n", "  issued: 2019\n  editon: second\n")
    assert problems() == [
        "facts/sources.yaml:15:3: unknown field 'editon' (did you mean 'edition'?)",
        "facts/treaty.yaml:8:11: 'date' of fact 1: impossible date '2011-13-01': "
        "there is no month 13",
    ]


def test_wrong_top_level_type(project):
    project()
    TOPIC.write_text("- just\n- a list\n", encoding="utf-8")
    assert problems() == ["facts/treaty.yaml:1:1: the file must be a mapping of fields"]


def test_empty_topic_file(project):
    project()
    TOPIC.write_text("# nothing yet\n", encoding="utf-8")
    assert problems() == ["facts/treaty.yaml: file is empty (expected a topic mapping)"]


def test_sources_must_be_a_list(project):
    project()
    Path("facts/sources.yaml").write_text("id: x\ntitle: y\n", encoding="utf-8")
    assert problems() == [
        "facts/sources.yaml:1:1: sources.yaml must be a list of source records "
        "(start each record with '- id: ...')"
    ]


def test_missing_configuration_file(project):
    project()
    with pytest.raises(BriefError) as caught:
        load_config(Path("nowhere.yaml"))
    assert str(caught.value) == (
        "nowhere.yaml: no configuration file 'nowhere.yaml' here "
        "(pass --config PATH, or start a brief with 'briefgen init DIR')"
    )


def test_configuration_errors_name_the_line(project):
    project()
    edit(Path("briefgen.yaml"), "author: Test Desk\n", "author: Test Desk\nshow_qoutes: false\n")
    assert problems() == [
        "briefgen.yaml:4:1: unknown field 'show_qoutes' (did you mean 'show_quotes'?)"
    ]


def test_omitted_handling_takes_the_most_restricted_level(project):
    project()
    edit(
        TOPIC,
        "    handling: public\n    priority: 1\n    citations:",
        "    priority: 1\n    citations:",
    )
    brief = load_brief(Path("briefgen.yaml"))
    assert brief.facts[0].handling == "internal"


def test_a_marking_too_long_for_the_page_margin_is_refused(project):
    project()
    edit(Path("briefgen.yaml"), "marking: TEST MARKING", "marking: INTERNAL-" + "X" * 60)
    with pytest.raises(BriefError) as caught:
        load_brief(Path("briefgen.yaml"))
    assert str(caught.value) == "briefgen.yaml:5:10: 'marking' is longer than 60 characters"


@pytest.mark.parametrize(
    ("file", "old", "new", "message"),
    [
        (  # a citation's field among the fact's keys
            TOPIC,
            "    date: 2011-03-14\n",
            "    date: 2011-03-14\n    locator: para. 3\n",
            "facts/treaty.yaml:9:5: 'locator' is a field of a citation, not of a fact: "
            "is this indented correctly?",
        ),
        (  # a fact's field among a citation's keys
            TOPIC,
            "        locator: para. 2\n",
            "        locator: para. 2\n        priority: 1\n",
            "facts/treaty.yaml:14:9: 'priority' is a field of a fact, not of a citation: "
            "is this indented correctly?",
        ),
        (  # an archived record's field at the level of the source
            Path("facts/sources.yaml"),
            "  issued: 2019\n",
            "  issued: 2019\n  sha256: " + "ab" * 32 + "\n",
            "facts/sources.yaml:15:3: 'sha256' is a field of a source's 'archived' record, "
            "not of a source: is this indented correctly?",
        ),
        (  # a real typo keeps its suggestion, drawn from the fields of this record
            TOPIC,
            "        locator: para. 2\n",
            "        locator: para. 2\n        qoute: the words\n",
            "facts/treaty.yaml:14:9: unknown field 'qoute' (did you mean 'quote'?)",
        ),
        (  # a field of no record here gets no far-fetched suggestion
            TOPIC,
            "    date: 2011-03-14\n",
            "    date: 2011-03-14\n    locatr: para. 3\n",
            "facts/treaty.yaml:9:5: unknown field 'locatr'",
        ),
    ],
)
def test_a_key_at_the_wrong_level_asks_about_indentation(project, file, old, new, message):
    project()
    edit(file, old, new)
    assert problems() == [message]
