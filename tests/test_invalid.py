"""Validation errors in plain words: field places counted from 1, no library wording."""

from __future__ import annotations

import copy
import itertools
import re
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from briefgen.errors import BriefError
from briefgen.invalid import SINGULAR, field_name, merged, sentence
from briefgen.load import fields_of, record_at
from briefgen.model import Config, Source, Topic
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


# The audit: every field of every record, given values of every wrong kind.
def _two(record: dict[str, Any]) -> list[dict[str, Any]]:
    """Two separate copies of a record, so that a test can spoil the second alone."""
    return [copy.deepcopy(record), copy.deepcopy(record)]


_CITATIONS = _two({"source": "s", "locator": "p. 1", "quote": "q"})
VALID: dict[type[BaseModel], dict[str, Any]] = {
    Topic: {
        "id": "t",
        "title": "T",
        "facts": _two(
            {
                "id": "f",
                "text": "x",
                "citations": _CITATIONS,
                "versions": _two({"text": "y", "citations": _CITATIONS}),
            }
        ),
        "membership": _two(
            {"state": "A", "periods": _two({"joined": "2020"}), "citations": _CITATIONS}
        ),
    },
    Source: {
        "id": "s",
        "type": "report",
        "title": "T",
        "author": [{"family": "F"}, {"family": "G", "given": "H"}],
        "archived": {"sha256": "ab" * 32, "retrieved": "2022"},
    },
    Config: {
        "title": "T",
        "handling": ["public", "internal"],
        "audiences": {"a": {"title": "A"}, "b": {"title": "B"}},
        "limits": {"render_seconds": 5},
    },
}
WRONG: list[Any] = [
    None, "", " ", "x" * 300, "Bad Id!", "zz", "1" * 50, "ftp://x", "2022-13", "30/02/2022",
    "05/01/2022", "2022-01/2022-13", -1, 0, 7, 10**9, 2.5, float("nan"), True, [], [1],
    ["x", {}], [None], [[1]], {}, {"a": 1}, {"date-parts": [[2022, 13]]}, {"date-parts": "x"},
]  # fmt: skip
LIBRARY = (
    "Input should", "Field required", "Value error", "validation error", "type=",
    "Extra inputs", "Input ", "String should", "List should", "pydantic", "Assertion",
    "Dictionary", "dictionary", "Object", "union", "constrained", "literal[", "function-",
    "list[", "str]", "errors.pydantic.dev",
)  # fmt: skip


ZERO = re.compile(r"\b(item|" + "|".join(SINGULAR.values()) + r") 0\b")
"""A list item counted from 0: 'fact 0', 'item 0 of ...'."""


def _records(data: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """The paths of every mapping in `data`: the records and the configuration's tables."""
    if isinstance(data, dict):
        return [path] + [p for key, value in data.items() for p in _records(value, (*path, key))]
    if isinstance(data, list):
        return [p for index, value in enumerate(data) for p in _records(value, (*path, index))]
    return []


def _at(data: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        data = data[part]
    return data


def _counted_from_one(path: tuple[Any, ...]) -> list[str]:
    """How the sentence must name the list items on `path`: ('facts', 1) -> 'fact 2'."""
    words = []
    for key, index in itertools.pairwise(path):
        if isinstance(key, str) and isinstance(index, int):
            one = SINGULAR.get(key)
            words.append(f"{one} {index + 1}" if one else f"item {index + 1} of {key!r}")
    return words


def _cases() -> list[tuple[type[BaseModel], tuple[Any, ...], str]]:
    cases = []
    for model, valid in VALID.items():
        model.model_validate(valid)
        for path in _records(valid):
            record = record_at(model, path)
            if record is not None:
                cases += [(model, path, name) for name in fields_of(record)]
    return cases


@pytest.mark.parametrize(
    ("model", "path", "name"),
    _cases(),
    ids=lambda v: (
        v.__name__ if isinstance(v, type) else "-".join(map(str, v)) if isinstance(v, tuple) else v
    ),
)
def test_no_wrong_value_of_any_field_gets_library_words_or_counts_from_zero(model, path, name):
    heard = 0
    for wrong in WRONG:
        data = copy.deepcopy(VALID[model])
        _at(data, path)[name] = wrong
        try:
            model.model_validate(data)
        except ValidationError as exc:
            errors = merged(exc.errors())
            assert len(errors) <= len(exc.errors())
            for error in errors:
                text = sentence(error)
                heard += 1
                assert not any(words in text for words in LIBRARY), (wrong, text)
                assert not ZERO.search(text), (wrong, text)
                if error["type"] not in {"missing", "extra_forbidden"}:
                    for words in _counted_from_one(path):
                        assert words in text, (wrong, text)
    assert heard, f"no wrong value was refused for {name!r}"


def test_a_value_no_branch_of_a_union_takes_is_one_plain_error():
    with pytest.raises(ValidationError) as caught:
        Config.model_validate({"title": "T", "stylesheet": 7, "pdf_variant": "pdf/x"})
    assert [sentence(error) for error in merged(caught.value.errors())] == [
        "'stylesheet' must be text or a list, not 7",
        "'pdf_variant' must be one of 'pdf/ua-1', 'pdf/ua-2', 'pdf/a-1b', 'pdf/a-2b', "
        "'pdf/a-3b', 'pdf/a-2u', 'pdf/a-3u', 'pdf/a-4u', 'pdf/a-1a', 'pdf/a-2a', 'pdf/a-3a' "
        "or 'none', not 'pdf/x'",
    ]
    with pytest.raises(ValidationError) as caught:
        Config.model_validate({"title": "T", "stylesheet": ["a.css", 7]})
    assert [sentence(e) for e in merged(caught.value.errors())] == [
        "stylesheet 2 must be text, not 7"
    ]
