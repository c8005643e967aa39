"""Validation errors in plain words: field places counted from 1, no library wording."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefgen.errors import BriefError
from briefgen.invalid import field_name
from briefgen.pipeline import check
from tests.conftest import edit

TOPIC = Path("facts/treaty.yaml")
FIRST = "    date: 2011-03-14\n    handling: public\n    priority: 1\n"
CONFIG = Path("briefgen.yaml")


@pytest.mark.parametrize(
    ("loc", "words"),
    [
        (("priority",), "'priority'"),
        (("facts", 0, "citations", 1, "quote"), "'quote' of citation 2 of fact 1"),
        (("facts", 2, "tags", 0), "tag 1 of fact 3"),
        (("audiences", "public", "page_budget"), "'page_budget' of audience 'public'"),
        (("author", 0, "family"), "'family' of author 1"),
        (("oddities", 4), "item 5 of 'oddities'"),
        ((), ""),
    ],
)
def test_a_field_is_named_in_words_counting_from_one(loc, words):
    assert field_name(loc) == words


# (file, text replaced, replacement, the message expected)
BAD = [
    (
        TOPIC,
        FIRST,
        FIRST.replace("priority: 1", "priority: high"),
        "'priority' of fact 1 must be a whole number, not 'high'",
    ),
    (
        TOPIC,
        FIRST,
        FIRST.replace("priority: 1", "priority: 9"),
        "'priority' of fact 1 must be at most 3, not 9",
    ),
    (
        TOPIC,
        "  - id: treaty-signed",
        "  - id: Treaty Signed",
        "'id' of fact 1 may hold only lower-case letters",
    ),
    (
        TOPIC,
        FIRST,
        FIRST.replace("handling: public", "handling: [public]"),
        "'handling' of fact 1 must be text",
    ),
    (TOPIC, "order: 1\n", "order: first\n", "'order' must be a whole number, not 'first'"),
    (
        TOPIC,
        "        locator: para. 2\n",
        '        locator: ""\n',
        "'locator' of citation 1 of fact 1 is empty",
    ),
    (
        CONFIG,
        "marking: TEST MARKING",
        "marking: TEST MARKING\nshow_quotes: perhaps",
        "'show_quotes' must be true or false, not 'perhaps'",
    ),
    (
        CONFIG,
        "marking: TEST MARKING",
        "marking: TEST MARKING\npdf_variant: pdf/x",
        "'pdf_variant' must be one of 'pdf/ua-1'",
    ),
]


@pytest.mark.parametrize(("path", "old", "new", "expected"), BAD, ids=[b[3][:30] for b in BAD])
def test_each_kind_of_bad_value_gets_a_plain_sentence(project, path, old, new, expected):
    project()
    edit(path, old, new)
    with pytest.raises(BriefError) as caught:
        check(CONFIG)
    problems = [str(p) for p in caught.value.problems]
    assert any(expected in problem for problem in problems), problems
    for library in ("Input should", "String should", "[0]", "valid integer", "type="):
        assert not any(library in problem for problem in problems), problems
