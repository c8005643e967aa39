"""JSON Schema for the brief's files: it agrees with the loader on the real brief."""

from __future__ import annotations

import json

import jsonschema
import pytest

from briefgen.load import topic_files
from briefgen.tools.schema import schema_files, schemas
from briefgen.yamlread import read_yaml
from tests.conftest import FIXTURES, REPO

SCHEMAS = schemas()


def validator(name: str) -> jsonschema.Draft202012Validator:
    schema = SCHEMAS[name]
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def errors(name: str, data: object) -> list[str]:
    return [error.message for error in validator(name).iter_errors(data)]


@pytest.mark.parametrize("root", [REPO, FIXTURES / "minimal", FIXTURES / "audiences"])
def test_every_file_of_a_valid_brief_passes_its_schema(root):
    assert errors("briefgen.schema.json", read_yaml(root / "briefgen.yaml").data) == []
    assert errors("sources.schema.json", read_yaml(root / "facts" / "sources.yaml").data) == []
    for path in topic_files(root / "facts"):
        assert errors("topic.schema.json", read_yaml(path).data) == [], path.name


def test_the_schema_catches_what_the_loader_catches():
    topic = {"id": "t", "title": "T", "facts": [{"id": "Bad Id", "text": "x", "kind": "rumour"}]}
    found = errors("topic.schema.json", topic)
    assert any("does not match" in e for e in found) and any("'rumour'" in e for e in found)
    assert errors("sources.schema.json", [{"id": "s", "title": "T", "tilte": "x"}]) == [
        "Additional properties are not allowed ('tilte' was unexpected)"
    ]
    assert errors("briefgen.schema.json", {"title": "T", "audiences": {"x": {"page_budget": 0}}})


def test_dates_may_be_text_a_year_or_csl_date_parts():
    for date in ["2022-01-05", "2022-01/2022-03", 2022, {"date-parts": [[2022, 1, 5]]}]:
        assert (
            errors(
                "topic.schema.json",
                {"id": "t", "title": "T", "facts": [{"id": "f", "text": "x", "date": date}]},
            )
            == []
        ), date


def test_schema_files_are_stable_json():
    files = schema_files()
    assert sorted(files) == ["briefgen.schema.json", "sources.schema.json", "topic.schema.json"]
    assert files == schema_files()
    assert json.loads(files["topic.schema.json"])["$schema"].endswith("2020-12/schema")
