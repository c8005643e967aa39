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
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import platformdirs

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
    # The platform's own place: ~/.cache (or $XDG_CACHE_HOME) on Linux,
    # ~/Library/Caches on macOS, %LOCALAPPDATA% on Windows.
    return platformdirs.user_cache_path("briefgen", appauthor=False)


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
        # Positions are needed only to report a problem: kept as encoded text, they
        # cost one string scan to read, and are decoded on the first look-up.
        "values": _encoded(document.marks.values),
        "keys": _encoded(document.marks.keys),
    }
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


def _encoded(table: Mapping[NodePath, tuple[int, int]]) -> str:
    rows = [[list(node), *mark] for node, mark in table.items()]
    return json.dumps(rows, ensure_ascii=False, separators=(",", ":"))


def _from_json(entry: Any, path: Path) -> Document:
    if entry["format"] != FORMAT or not isinstance(entry["values"] + entry["keys"], str):
        raise ValueError("another layout")
    marks = Marks(path, _Positions(entry["values"]), _Positions(entry["keys"]))
    return Document(entry["data"], marks)


class _Positions(Mapping[NodePath, tuple[int, int]]):
    """Node positions decoded from a cache entry when first looked up.

    An entry that does not decode (not one briefgen wrote) gives no positions:
    problems are then reported with the file but without a line.
    """

    def __init__(self, encoded: str) -> None:
        self._encoded: str | None = encoded
        self._table: dict[NodePath, tuple[int, int]] = {}

    def _decoded(self) -> dict[NodePath, tuple[int, int]]:
        if self._encoded is not None:
            encoded, self._encoded = self._encoded, None
            try:
                rows = json.loads(encoded)
                self._table = {tuple(n): (int(line), int(col)) for n, line, col in rows}
            except (ValueError, TypeError):
                self._table = {}
        return self._table

    def __getitem__(self, node: NodePath) -> tuple[int, int]:
        return self._decoded()[node]

    def __iter__(self) -> Iterator[NodePath]:
        return iter(self._decoded())

    def __len__(self) -> int:
        return len(self._decoded())


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
