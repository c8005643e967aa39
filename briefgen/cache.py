"""A cache of parsed topic files, so that re-checking a large brief costs little.

Parsing YAML is most of the time `briefgen check` takes on a big fact base. A
topic file whose bytes, path and briefgen version are unchanged is read from a
JSON copy of its parsed document (plain data and the line and column of every
node) instead; the models are then built and checked from it as from a fresh
parse. JSON holds only data, so an entry, whoever wrote it, cannot run code when
it is read; one that is not what briefgen writes is ignored. The cache lives in
the user's cache folder, never in the project. `BRIEFGEN_CACHE=off` turns it
off; `BRIEFGEN_CACHE=DIR` puts it elsewhere.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from briefgen import __version__
from briefgen.yamlread import Document, Marks, NodePath

FORMAT = 1
"""Version of an entry's layout."""


def cache_dir() -> Path | None:
    """The cache folder, or None when caching is off."""
    setting = os.environ.get("BRIEFGEN_CACHE", "")
    if setting.lower() in {"0", "off", "no", "false"}:
        return None
    if setting:
        return Path(setting)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "briefgen"


def cached(path: Path, raw: bytes, parse: Callable[[], Document]) -> Document:
    """`parse()`'s document for the file at `path` holding `raw`, from the cache when it can be."""
    folder = cache_dir()
    if folder is None:
        return parse()
    key = hashlib.sha256(
        b"\0".join([__version__.encode(), sys.version.encode(), str(path.resolve()).encode(), raw])
    ).hexdigest()
    entry = folder / key[:2] / f"{key}.json"
    try:
        return _from_json(json.loads(entry.read_bytes()), path)
    except Exception:  # missing, stale, unreadable or not ours: parse afresh
        pass
    document = parse()
    _store(entry, _to_json(document))
    return document


def _to_json(document: Document) -> bytes:
    data = {
        "format": FORMAT,
        "data": document.data,
        "values": [[list(p), *mark] for p, mark in document.marks.values.items()],
        "keys": [[list(p), *mark] for p, mark in document.marks.keys.items()],
    }
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


def _from_json(entry: Any, path: Path) -> Document:
    if entry["format"] != FORMAT:
        raise ValueError("another layout")
    return Document(entry["data"], Marks(path, _marks(entry["values"]), _marks(entry["keys"])))


def _marks(rows: list[list[Any]]) -> dict[NodePath, tuple[int, int]]:
    marks: dict[NodePath, tuple[int, int]] = {}
    for node, line, column in rows:
        if not all(isinstance(part, str | int) for part in node):
            raise ValueError("not a node path")
        marks[tuple(node)] = (int(line), int(column))
    return marks


def _store(entry: Path, content: bytes) -> None:
    """Write a cache entry atomically; a cache that cannot be written is simply not used."""
    temp: Path | None = None
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        descriptor, name = tempfile.mkstemp(dir=entry.parent, suffix=".tmp")
        temp = Path(name)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(content)
        os.replace(temp, entry)
    except Exception:
        if temp is not None:
            temp.unlink(missing_ok=True)
