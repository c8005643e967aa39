"""Watch mode: rebuild whenever the facts, the configuration or a template changes.

One long-lived process keeps WeasyPrint imported and its fonts configured, and
the manifest makes each round rebuild only the audiences whose inputs changed.
A round that fails is reported and the watch goes on.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from briefgen.errors import BriefError
from briefgen.load import load_config
from briefgen.model import Folders
from briefgen.pipeline import Built, OnProgress, build

WATCHED_SUFFIXES = {".yaml", ".yml", ".j2", ".html", ".jinja", ".css", ".svg", ".png", ".jpg"}


@dataclass(frozen=True)
class Round:
    """One build in watch mode: what it built, or the error that stopped it."""

    seconds: float
    built: Built | None = None
    error: BriefError | None = None


def watched_paths(config_path: Path) -> list[Path]:
    """The configuration file and the fact and template folders of a brief."""
    folders = Folders.of(load_config(config_path), config_path.parent)
    return [config_path, *(f for f in (folders.facts, folders.templates) if f.is_dir())]


def relevant(path: str) -> bool:
    """A change worth a rebuild: a brief file, not an editor's swap or backup file."""
    name = Path(path).name
    return Path(path).suffix in WATCHED_SUFFIXES and not name.startswith((".", "#", "~"))


def watch(
    config_path: Path,
    changes: Iterable[object],
    report: Callable[[Round], None],
    *,
    audiences: Sequence[str] = (),
    everything: bool = False,
    formats: Sequence[str] | None = None,
    out_dir: Path | None = None,
    allow_outside: bool = False,
    force: bool = False,
    since: Path | None = None,
    strict: bool = False,
    jobs: int | None = None,
    progress: OnProgress | None = None,
) -> None:
    """Build once, then once after every batch of `changes`, reporting each round.

    The options are `pipeline.build`'s; with `strict`, a warning fails the round.
    `progress` hears every round's stages, as `build`'s does.
    """
    options = {
        "audiences": audiences,
        "everything": everything,
        "formats": formats,
        "out_dir": out_dir,
        "allow_outside": allow_outside,
        "force": force,
        "since": since,
        "strict": strict,
        "jobs": jobs,
    }
    if progress is not None:
        options["progress"] = progress
    report(_round(config_path, options))
    for _ in changes:
        report(_round(config_path, options))


def _round(config_path: Path, options: dict[str, Any]) -> Round:
    start = time.perf_counter()
    try:
        built = build(config_path, **options)
    except BriefError as exc:
        return Round(time.perf_counter() - start, error=exc)
    return Round(time.perf_counter() - start, built=built)
