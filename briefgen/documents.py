"""The plain data that crosses into a lay-out worker and back: a task and its PDF.

Kept apart from `layout` (which runs the workers) and `pdf` (which drives
WeasyPrint), so that both can use them without importing each other.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Task:
    """One document to lay out; plain data, so it can go to a worker process."""

    html: str
    base_dir: Path
    allowed: tuple[Path, ...]
    denied: tuple[Path, ...] = ()
    protected: frozenset[tuple[int, int]] = frozenset()
    """(device, inode) of files never served, whatever their name: the fact files, the outputs."""
    variant: str | None = None
    remote: bool = False


@dataclass(frozen=True)
class LaidOut:
    """A rendered PDF, its page count, and every string it shows or carries.

    `text` is all the text laid out on every page, CSS generated content,
    running headers and footnotes included; `bookmarks` every outline label;
    `metadata` the document's title, authors, description, keywords and other
    metadata strings; `text_as_seen` the same text in reading order (by
    position on the page); `resources` the text of every stylesheet and SVG
    image the layout loaded. The release guard scans them for withheld material.
    """

    pdf: bytes
    pages: int
    text: str
    bookmarks: tuple[str, ...]
    metadata: tuple[str, ...]
    text_as_seen: str = ""
    resources: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    """What the layout warned about: CSS it ignored, resources it could not load."""
