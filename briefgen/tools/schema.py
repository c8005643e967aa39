"""JSON Schema for the files a brief is made of, for editors and other tools.

The schemas come from the same pydantic models the loader validates with, so
an editor that checks a file against them agrees with `briefgen check` on its
shape (cross-file rules, such as unknown sources, remain `check`'s job).
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import TypeAdapter

from briefgen import __version__
from briefgen.model import Config, Source, Topic

DIALECT = "https://json-schema.org/draft/2020-12/schema"
BASE = "https://briefgen.invalid/schema/"

FILES: dict[str, tuple[str, TypeAdapter[Any]]] = {
    "briefgen.schema.json": ("the configuration, briefgen.yaml", TypeAdapter(Config)),
    "sources.schema.json": ("facts/sources.yaml, a list of sources", TypeAdapter(list[Source])),
    "topic.schema.json": ("a topic file in facts/", TypeAdapter(Topic)),
}
"""Schema file name -> (what it describes, the model it is made from)."""


def schemas() -> dict[str, dict[str, Any]]:
    """Every schema, by file name."""
    made = {}
    for name, (what, adapter) in FILES.items():
        schema = adapter.json_schema(by_alias=True, mode="validation")
        made[name] = {
            "$schema": DIALECT,
            "$id": BASE + name,
            "title": f"briefgen {__version__}: {what}",
            **schema,
        }
    return made


def schema_files() -> dict[str, bytes]:
    """The schemas as files ready to write: sorted keys, two-space indents, a final newline."""
    return {
        name: (json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()
        for name, schema in schemas().items()
    }
