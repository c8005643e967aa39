"""A cache of parsed topic files, so that re-checking a large brief costs little.

Parsing YAML is most of the time `briefgen check` takes on a big fact base. A
topic file whose bytes, path and briefgen version are unchanged is loaded from
a pickle of its parsed, validated topic instead. The cache lives in the user's
cache folder, never in the project: a pickle must not come from files that
others can commit. `BRIEFGEN_CACHE=off` turns it off; `BRIEFGEN_CACHE=DIR`
puts it elsewhere.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from briefgen import __version__

T = TypeVar("T")


def cache_dir() -> Path | None:
    """The cache folder, or None when caching is off."""
    setting = os.environ.get("BRIEFGEN_CACHE", "")
    if setting.lower() in {"0", "off", "no", "false"}:
        return None
    if setting:
        return Path(setting)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "briefgen"


def cached(path: Path, raw: bytes, parse: Callable[[], T]) -> T:
    """`parse()`'s result for the file at `path` holding `raw`, from the cache when it can be."""
    folder = cache_dir()
    if folder is None:
        return parse()
    key = hashlib.sha256(
        b"\0".join([__version__.encode(), sys.version.encode(), str(path.resolve()).encode(), raw])
    ).hexdigest()
    entry = folder / key[:2] / f"{key}.pickle"
    try:
        with entry.open("rb") as handle:
            return pickle.load(handle)
    except Exception:  # missing, stale or unreadable: parse afresh
        pass
    result = parse()
    _store(entry, result)
    return result


def _store(entry: Path, value: object) -> None:
    """Write a cache entry atomically; a cache that cannot be written is simply not used."""
    temp: Path | None = None
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        descriptor, name = tempfile.mkstemp(dir=entry.parent, suffix=".tmp")
        temp = Path(name)
        with os.fdopen(descriptor, "wb") as handle:
            pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temp, entry)
    except Exception:
        if temp is not None:
            temp.unlink(missing_ok=True)
