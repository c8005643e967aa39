"""`briefgen init`: start a brief on any subject, ready to build.

The starting files live in the package (`briefgen/scaffold/`) so that a wheel
install carries them; `@TITLE@` and `@NAME@` are filled in from the folder name.
"""

from __future__ import annotations

import re
from pathlib import Path

from briefgen.errors import BriefError, Where
from briefgen.tools.schema import schema_files
from briefgen.write import write_outputs

SCAFFOLD = Path(__file__).parent / "scaffold"
RENAMED = {"gitignore": ".gitignore"}
"""Scaffold files stored under another name (a package must not ship a live .gitignore)."""


def init(target: Path, *, title: str | None = None) -> list[Path]:
    """Write a new brief into `target` (created if needed) and return the files written."""
    if (target / "briefgen.yaml").exists():
        raise BriefError(
            "a brief already exists here",
            Where(target / "briefgen.yaml"),
            "choose an empty folder, or edit the brief that is there",
        )
    clashes = [path for path in _files(target) if path.exists()]
    if clashes:
        raise BriefError(
            f"{clashes[0].name} already exists", Where(clashes[0]), "choose an empty folder"
        )
    title = title or _title_from(target)
    name = _name_from(target)
    files = {
        str(relative): _fill(
            (SCAFFOLD / stored).read_text(encoding="utf-8"), title=title, name=name
        ).encode()
        for stored, relative in _scaffold()
    }
    files.update({f"schema/{schema}": content for schema, content in schema_files().items()})
    return write_outputs(target, files)


def _scaffold() -> list[tuple[Path, Path]]:
    """(stored path, path in the new brief) for every scaffold file, relative."""
    pairs = []
    for path in sorted(SCAFFOLD.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            stored = path.relative_to(SCAFFOLD)
            pairs.append((stored, stored.with_name(RENAMED.get(stored.name, stored.name))))
    return pairs


def _files(target: Path) -> list[Path]:
    return [target / relative for _, relative in _scaffold()]


def _fill(text: str, *, title: str, name: str) -> str:
    return text.replace("@TITLE@", _yaml_scalar(title)).replace("@NAME@", name)


def _yaml_scalar(text: str) -> str:
    """`text` as a YAML double-quoted string, so any title is safe in the file."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _title_from(target: Path) -> str:
    words = re.split(r"[-_\s]+", target.resolve().name.strip())
    return " ".join(word.capitalize() for word in words if word) or "New Brief"


def _name_from(target: Path) -> str:
    name = re.sub(r"[^a-z0-9._-]+", "-", target.resolve().name.lower()).strip("-._")
    return name or "brief"
