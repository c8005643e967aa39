"""Readable ids for imported items: `ruehl-2022-what` from author, year and title.

Zotero's own CSL-JSON export identifies an item by a URI
(`http://zotero.org/users/1234567/items/ABCD2345`), which is no id a person
cites by; Better BibTeX uses citation keys in camel case
(`ruehlWhatWouldPotential2022`), which briefgen's ids (lower case) cannot hold
as they are. This module turns either into a briefgen id, the same one every
time for the same item.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

from briefgen.model import Name, Source

ZOTERO_URI = re.compile(
    r"^https?://zotero\.org/(?:users|groups)/(?:local/)?[^/\s]+/items/[A-Za-z0-9]+$"
)
"""An item URI of Zotero's export: a user's, a group's or a local library's item."""

ARTICLES = frozenset({"a", "an", "the"})
"""Words a title may start with that say nothing of it."""

MAX_PART = 40
"""Longest name or word an id takes, so an id stays short enough to type."""

MAX_KEY = 90
"""Longest citation key kept as an id, leaving room for a '-b' suffix under the id limit."""

_ID = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
# Letters NFKD does not take apart, and Cyrillic in a plain BGN/PCGN-like romanisation.
_LATIN = {"ß": "ss", "æ": "ae", "ø": "o", "œ": "oe", "ł": "l", "đ": "d", "þ": "th", "ı": "i"}
_CYRILLIC = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюяіїєў",
        (
            "a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "y", "k", "l", "m", "n", "o", "p",
            "r", "s", "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e", "yu", "ya",
            "i", "yi", "ye", "u",
        ),
        strict=True,
    )
)  # fmt: skip
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Za-z])(?=[0-9])|(?<=[0-9])(?=[A-Za-z])")


def is_zotero_uri(text: str) -> bool:
    """Whether an export's id is a Zotero item URI rather than a key a person chose."""
    return bool(ZOTERO_URI.match(text.strip()))


def is_valid_id(text: str) -> bool:
    """Whether `text` is a briefgen id as it stands."""
    return len(text) <= 100 and bool(_ID.match(text))


def key_as_id(key: str) -> str | None:
    """A citation key as a briefgen id: kept if valid, else split at its words.

    'ruehl-2022' stays; 'ruehlWhatWouldPotential2022' -> 'ruehl-what-would-potential-2022';
    'Müller:2020' -> 'muller-2020'. None when nothing of the key is left.
    """
    if is_valid_id(key):
        return key
    words = [w for part in _CAMEL.split(key.strip()) for w in ascii_words(part)]
    slug = "-".join(words)[:MAX_KEY].strip("-")
    return slug or None


def readable_id(source: Source) -> str:
    """'ruehl-2022-what': first author's family name, year, first word of the title.

    The first editor stands in for a missing author, then the title's first
    word, which is then followed by its second. Leading articles are skipped;
    parts that are missing are left out.
    """
    title = [w for w in ascii_words(source.title) if w not in ARTICLES]
    creators = source.author or source.editor
    lead = _name_part(creators[0]) if creators else None
    if lead is None:
        lead, title = (title[0], title[1:]) if title else (None, [])
    year = str(source.issued.start.year) if source.issued else None
    parts = [part[:MAX_PART] for part in (lead, year, title[0] if title else None) if part]
    return "-".join(parts).strip("-") or "source"


def unique(base: str, taken: set[str]) -> str:
    """`base`, or the first of `base-b`, `base-c`, ... not in `taken`."""
    return next(candidate for candidate in _candidates(base) if candidate not in taken)


def ascii_words(text: str) -> list[str]:
    """The words of `text` in lower-case ASCII: 'Rühl’s Über-Blick' -> 'ruhls', 'uber', 'blick'."""
    folded = "".join(_LATIN.get(c, _CYRILLIC.get(c, c)) for c in text.lower())
    bare = unicodedata.normalize("NFKD", folded).encode("ascii", "ignore").decode()
    return re.findall(r"[a-z0-9]+", bare.replace("'", ""))


def _name_part(name: Name) -> str | None:
    """The family name without particles ('van Gogh' -> 'gogh'), or an organisation's first word."""
    if name.family:
        words = name.family.split()
        while len(words) > 1 and words[0][:1].islower():
            words.pop(0)
        return "-".join(ascii_words(" ".join(words))) or None
    text = name.literal or name.given or ""
    words = [w for w in ascii_words(text) if w not in ARTICLES]
    return words[0] if words else None


def _candidates(base: str) -> Iterator[str]:
    yield base
    for letter in "bcdefghijklmnopqrstuvwxyz":
        yield f"{base}-{letter}"
    number = 27
    while True:
        yield f"{base}-{number}"
        number += 1
