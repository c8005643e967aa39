"""Quote verification: every quote must stand, word for word, in its archived source.

The archive is a folder of plain-text copies named `<source id>.txt` (the
configuration's `archive:` folder unless another is given). A paragraph locator
("para. 12", "paras. 12–13") names the Nth non-blank line of that copy.
Whitespace, quotation marks, apostrophes and dashes are normalised before
comparing, since archives and fact files disagree about those.

A source's record may hold the SHA-256 of its archived copy (`archived:
sha256:`, written by `briefgen sources archive`): a copy whose bytes no longer
match is reported as changed, so an edited archive never passes silently. Only
the files `<source id>.txt` of cited sources are read, each a regular file of
at most `MAX_COPY_BYTES`.
"""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from briefgen.confine import read_regular
from briefgen.errors import BriefError, Problem, Where, display_path
from briefgen.model import Brief, Citation, Source

_LOCATOR = re.compile(r"^paras?\.?\s*(\d+)(?:\s*[-–—]\s*(\d+))?$", re.IGNORECASE)
_TRANSLATE = str.maketrans(
    {
        **dict.fromkeys("‘’‚‛′`´", "'"),
        **dict.fromkeys("“”„‟″«»", '"'),
        **dict.fromkeys("‐‑‒–—―−", "-"),
        "…": "...",
        "\u00a0": " ",
    }
)
MAX_COPY_BYTES = 10 * 1024 * 1024
"""The largest archived copy read: a long report's text is a few hundred kilobytes."""
SHORT_DIGEST = 12
"""Hex digits of a SHA-256 shown in messages: enough to tell two digests apart."""


@dataclass(frozen=True)
class Miss:
    """A quote that its archived source does not contain where the locator says."""

    label: str
    citation: Citation
    reason: str

    @property
    def where(self) -> Where | None:
        return self.citation.where("quote")

    def __str__(self) -> str:
        return f"{self.where}: {self.label}: {self.reason}"


@dataclass(frozen=True)
class ChangedCopy:
    """An archived copy whose bytes differ from the digest its source's record holds."""

    source: Source
    path: Path
    recorded: str
    actual: str

    @property
    def problem(self) -> Problem:
        return Problem(
            f"archived copy {display_path(self.path)} of {self.source.id!r} has changed: "
            f"sha256 recorded {_short(self.recorded)}, the file has {_short(self.actual)}",
            self.source.where("archived", "sha256"),
            "restore the recorded copy; or, if the change is meant, record it with "
            f"'briefgen sources archive {self.source.id} {display_path(self.path)}'",
        )


@dataclass(frozen=True)
class UnrecordedCopy:
    """An archived copy of a cited source whose record holds no digest to check it by."""

    source: Source
    path: Path

    @property
    def problem(self) -> Problem:
        return Problem(
            f"archived copy {display_path(self.path)} of {self.source.id!r} has no recorded sha256",
            self.source.where(),
            f"record it with 'briefgen sources archive {self.source.id} {display_path(self.path)}'",
        )


@dataclass(frozen=True)
class Verification:
    """The outcome of checking every quote of a brief against the archive `archive`."""

    checked: int
    misses: list[Miss]
    archive: Path = Path()
    changed: list[ChangedCopy] = field(default_factory=list)
    """Copies whose digest differs from the recorded one: errors."""
    unrecorded: list[UnrecordedCopy] = field(default_factory=list)
    """Copies of cited sources with no recorded digest: warnings (errors if strict)."""


def normalise(text: str) -> str:
    """Fold the typographic differences that do not change what a quote says."""
    text = unicodedata.normalize("NFKC", text).translate(_TRANSLATE)
    return " ".join(text.split())


def paragraphs(text: str) -> list[str]:
    """The paragraphs of an archived copy: its non-blank lines, numbered from 1."""
    return [line for line in text.splitlines() if line.strip()]


def paragraph_numbers(locator: str) -> range | None:
    """`para. 12` -> 12..12, `paras. 3-5` -> 3..5; None for other kinds of locator."""
    match = _LOCATOR.match(locator.strip())
    if not match:
        return None
    first = int(match.group(1))
    last = int(match.group(2) or first)
    return range(first, max(first, last) + 1)


def verify_quotes(brief: Brief, archive: Path | None = None) -> Verification:
    """Check every citation's quote against `archive/<source>.txt`, and each copy's digest.

    `archive` defaults to the configuration's archive folder.
    """
    archive = _archive_folder(brief, archive)
    misses = []
    checked = 0
    copies: dict[str, list[str] | None] = {}
    changed: list[ChangedCopy] = []
    unrecorded: list[UnrecordedCopy] = []
    for label, citation in brief.citations():
        checked += 1
        if citation.source not in copies:
            path = archive / f"{citation.source}.txt"
            raw = _read_copy(path)
            copies[citation.source] = None if raw is None else _paragraphs_of(raw, path)
            source = brief.sources_by_id.get(citation.source)
            if raw is not None and source is not None:
                changed += _changed(source, path, raw)
                unrecorded += _unrecorded(source, path)
        reason = _check(citation, copies[citation.source], archive)
        if reason:
            misses.append(Miss(label, citation, reason))
    return Verification(checked, misses, archive, changed, unrecorded)


def _archive_folder(brief: Brief, given: Path | None) -> Path:
    """The archive folder to read: the one given, else the configuration's; it must exist."""
    if given is not None:
        if not given.is_dir():
            raise BriefError(
                f"archive folder {str(given)!r} does not exist",
                Where(given),
                "pass the folder holding <source id>.txt files",
            )
        return given
    folder = brief.folders.archive
    if not folder.is_dir():
        raise BriefError(
            f"archive folder {brief.config.archive!r} does not exist",
            _setting_or(brief, folder),
            "set 'archive:' in the configuration to the folder holding <source id>.txt files, "
            "or archive a source with 'briefgen sources archive ID FILE|URL'",
        )
    return folder


def _setting_or(brief: Brief, folder: Path) -> Where:
    """Where `archive:` is set in the configuration; the folder itself when it is not set."""
    where = brief.config.where("archive") if "archive" in brief.config.model_fields_set else None
    return where or Where(folder)


def sha256_of(data: bytes) -> str:
    """The SHA-256 of `data`, as 64 lower-case hex digits."""
    return hashlib.sha256(data).hexdigest()


def _changed(source: Source, path: Path, raw: bytes) -> list[ChangedCopy]:
    if source.archived is None:
        return []
    actual = sha256_of(raw)
    if actual == source.archived.sha256:
        return []
    return [ChangedCopy(source, path, source.archived.sha256, actual)]


def _unrecorded(source: Source, path: Path) -> list[UnrecordedCopy]:
    return [UnrecordedCopy(source, path)] if source.archived is None else []


def _short(digest: str) -> str:
    return f"{digest[:SHORT_DIGEST]}…"


def _check(citation: Citation, paras: list[str] | None, archive: Path) -> str | None:
    if paras is None:
        return f"no archived copy {citation.source}.txt in {archive}"
    quote = normalise(citation.quote)
    numbers = paragraph_numbers(citation.locator)
    if numbers is None:
        if any(quote in p for p in paras):
            return None
        return f"quote not found anywhere in {citation.source}"
    if numbers.stop - 1 > len(paras):
        count = f"{len(paras)} paragraph{'' if len(paras) == 1 else 's'}"
        return f"{citation.locator} is past the end of {citation.source} ({count})"
    located = " ".join(paras[n - 1] for n in numbers)
    if quote in located:
        return None
    elsewhere = [str(n) for n, p in enumerate(paras, start=1) if quote in p]
    hint = f" (it is in para. {', '.join(elsewhere)})" if elsewhere else ""
    return f"quote not found in {citation.locator} of {citation.source}{hint}"


def _read_copy(path: Path) -> bytes | None:
    """The bytes of an archived copy, or None if there is none; only a regular file is read."""
    if not os.path.lexists(path):
        return None
    return read_regular(path, MAX_COPY_BYTES)


def _paragraphs_of(raw: bytes, path: Path) -> list[str]:
    """The normalised paragraphs of an archived copy's bytes."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise BriefError(
            "archived copy is not valid UTF-8", Where(path, line), "save it as UTF-8"
        ) from exc
    return [normalise(p) for p in paragraphs(text)]
