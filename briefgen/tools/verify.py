"""Quote verification: every quote must stand, word for word, in its archived source.

The archive is a folder of plain-text copies named `<source id>.txt`. A
paragraph locator ("para. 12", "paras. 12–13") names the Nth non-blank line of
that copy. Whitespace, quotation marks, apostrophes and dashes are normalised
before comparing, since archives and fact files disagree about those.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from briefgen.errors import BriefError, Where
from briefgen.model import Brief, Citation

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
class Verification:
    """The outcome of checking every quote of a brief."""

    checked: int
    misses: list[Miss]


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


def verify_quotes(brief: Brief, archive: Path) -> Verification:
    """Check every citation's quote against `archive/<source>.txt`."""
    if not archive.is_dir():
        raise BriefError(
            f"archive folder {str(archive)!r} does not exist",
            Where(archive),
            "pass the folder holding <source id>.txt files",
        )
    misses = []
    checked = 0
    copies: dict[str, list[str] | None] = {}
    for label, citation in brief.citations():
        checked += 1
        if citation.source not in copies:
            copies[citation.source] = _archived(archive / f"{citation.source}.txt")
        reason = _check(citation, copies[citation.source], archive)
        if reason:
            misses.append(Miss(label, citation, reason))
    return Verification(checked, misses)


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
        return f"{citation.locator} is past the end of {citation.source} ({len(paras)} paragraphs)"
    located = " ".join(paras[n - 1] for n in numbers)
    if quote in located:
        return None
    elsewhere = [str(n) for n, p in enumerate(paras, start=1) if quote in p]
    hint = f" (it is in para. {', '.join(elsewhere)})" if elsewhere else ""
    return f"quote not found in {citation.locator} of {citation.source}{hint}"


def _archived(path: Path) -> list[str] | None:
    """The normalised paragraphs of an archived copy, or None if there is none."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise BriefError(f"cannot read archived copy: {exc}", Where(path)) from exc
    return [normalise(p) for p in paragraphs(text)]
