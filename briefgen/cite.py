"""Cite stage: Chicago notes-bibliography forms, note numbering and the bibliography.

A `Notebook` hands out notes in the order the template asks for them, so the
numbers follow the document whatever a custom template does: the first
citation of a source gets the full note, later ones the short note. Missing
bibliographic fields are left out; nothing is ever shown as "None".
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from briefgen.dates import MONTHS, PartialDate, When
from briefgen.model import Citation, Name, Source

_CONTAINED_TYPES = re.compile(r"^(article|entry|chapter|post|paper-conference|review)")
_LEADING_ARTICLE = re.compile(r"^(a|an|the)\s+", re.IGNORECASE)
_DOUBLE_TO_SINGLE = str.maketrans({"“": "‘", "”": "’"})


@dataclass(frozen=True)
class Note:
    """One footnote: its number through the document and its text as safe HTML."""

    number: int
    html: Markup

    @property
    def id(self) -> str:
        return f"note-{self.number}"

    @property
    def ref_id(self) -> str:
        return f"ref-{self.number}"


class Notebook:
    """Numbers notes and remembers which sources have had their full note."""

    def __init__(
        self,
        sources: Mapping[str, Source],
        *,
        show_quotes: bool = True,
        show_grades: bool = False,
    ) -> None:
        self.sources = sources
        self._show_quotes = show_quotes
        self._show_grades = show_grades
        self._seen: set[str] = set()
        self.notes: list[Note] = []

    def cite(self, citations: Sequence[Citation]) -> Note:
        """The next note, citing each of `citations` in its first or short form.

        A citation repeated word for word (same source, locator and quote) is
        cited once.
        """
        pieces = []
        done: set[tuple[str, str, str]] = set()
        for citation in citations:
            if (key := (citation.source, citation.locator, citation.quote)) in done:
                continue
            done.add(key)
            source = self.sources[citation.source]
            if source.id in self._seen:
                piece = short_note(source, citation.locator)
            else:
                piece = full_note(source, citation.locator)
                self._seen.add(source.id)
            if self._show_grades:
                piece += grade(source, citation)
            if self._show_quotes:
                piece += Markup(' — <q class="quote">{}</q>').format(nested_quote(citation.quote))
            pieces.append(piece)
        note = Note(len(self.notes) + 1, Markup("; ").join(pieces) + ".")
        self.notes.append(note)
        return note

    def bibliography(self) -> list[Markup]:
        """One entry per source cited so far, sorted as Chicago sorts them."""
        cited = [self.sources[source_id] for source_id in self._seen]
        return [bibliography_entry(s) for s in sorted(cited, key=bibliography_key)]


def nested_quote(quote: str) -> str:
    """A quote made ready to sit inside quotation marks: its own double quotes become single."""
    quote = quote.translate(_DOUBLE_TO_SINGLE)
    pieces = quote.split('"')
    return "".join(
        piece + ("" if i == len(pieces) - 1 else "‘’"[i % 2]) for i, piece in enumerate(pieces)
    )


def grade(source: Source, citation: Citation) -> Markup:
    """The Admiralty grade of a citation, e.g. ' [B2]': source reliability, then credibility."""
    if not source.reliability and citation.credibility is None:
        return Markup("")
    code = f"{source.reliability or ''}{citation.credibility or ''}"
    words = []
    if source.reliability:
        words.append(f"source reliability {source.reliability}")
    if citation.credibility is not None:
        words.append(f"information credibility {citation.credibility}")
    title = "Admiralty grade: " + ", ".join(words)
    return Markup(' <span class="grade" title="{}">[{}]</span>').format(title, code)


def full_note(source: Source, locator: str | None = None) -> Markup:
    """The first-citation note: Author, “Title,” Container, Date, locator, URL."""
    parts: list[Markup] = []
    if source.author:
        parts.append(escape(_names(source.author)))
    parts.append(_title(source, note=True))
    if source.genre and not source.container_title:
        parts.append(escape(source.genre.lower()))
    if source.container_title:
        parts.append(Markup("<i>{}</i>").format(source.container_title))
    if source.publisher and source.publisher != source.container_title:
        parts.append(escape(source.publisher))
    if source.issued:
        parts.append(escape(chicago_date(source.issued)))
    if locator:
        parts.append(escape(locator))
    if source.URL:
        parts.append(_link(source.URL))
    return _join_note(parts)


def short_note(source: Source, locator: str | None = None) -> Markup:
    """The repeat-citation note: Author, “Short Title,” locator."""
    parts: list[Markup] = []
    if source.author:
        parts.append(escape(_short_names(source.author)))
    parts.append(_title(source, note=True, short=True))
    if locator:
        parts.append(escape(locator))
    return _join_note(parts)


def bibliography_entry(source: Source) -> Markup:
    """Author. “Title.” Container, Date. URL. Note."""
    sentences: list[Markup] = []
    if source.author:
        sentences.append(escape(_names(source.author, invert_first=True)))
    sentences.append(_title(source, note=False))
    publication = [
        escape(source.genre) if source.genre and not source.container_title else None,
        Markup("<i>{}</i>").format(source.container_title) if source.container_title else None,
        escape(source.publisher)
        if source.publisher and source.publisher != source.container_title
        else None,
        escape(chicago_date(source.issued)) if source.issued else None,
    ]
    publication_text = Markup(", ").join(p for p in publication if p)
    if publication_text:
        sentences.append(publication_text)
    if source.URL:
        sentences.append(_link(source.URL))
    if source.note:  # who produced it, what is unconfirmed: the reader needs it to weigh it
        sentences.append(escape(source.note.rstrip(".")))
    text = Markup("")
    for sentence in sentences:
        if text:
            text += Markup(" ") if text.endswith(("”", ".")) else Markup(". ")
        text += sentence
    return text if text.endswith((".", "”")) else text + "."


def bibliography_key(source: Source) -> tuple[str, str]:
    """Sort by first author's family name, else by title without a leading article."""
    lead = source.author[0].short() if source.author else _LEADING_ARTICLE.sub("", source.title)
    return (lead.casefold(), str(source.issued or ""))


def chicago_date(when: When) -> str:
    """'February 27, 2023', 'March 2022', '2010'; ranges as 'start–end'."""
    start = _chicago_partial(when.start)
    return f"{start}–{_chicago_partial(when.end)}" if when.end else start


def short_title(source: Source) -> str:
    """`title-short` when given, else the first four words without a leading article."""
    if source.title_short:
        return source.title_short
    words = _LEADING_ARTICLE.sub("", source.title).split()
    short = " ".join(words[:4])
    return short.rstrip(",:;.?!")


def _chicago_partial(date: PartialDate) -> str:
    if date.month is None:
        return str(date.year)
    month = MONTHS[date.month - 1]
    return f"{month} {date.day}, {date.year}" if date.day else f"{month} {date.year}"


def _title(source: Source, *, note: bool, short: bool = False) -> Markup:
    title = short_title(source) if short else source.title
    if not _CONTAINED_TYPES.match(source.type) and not source.container_title:
        return Markup("<i>{}</i>").format(title)
    # In notes the comma goes inside the closing quotation mark; _join_note moves it.
    if note or title.endswith(("?", "!")):
        return Markup("“{}”").format(title)
    return Markup("“{}.”").format(title)


def _join_note(parts: list[Markup]) -> Markup:
    text = Markup("")
    for index, part in enumerate(parts):
        if index:
            if text.endswith(("?”", "!”")):
                text += Markup(" ")
            elif text.endswith("”"):
                text = text[:-1] + Markup(",” ")
            else:
                text += Markup(", ")
        text += part
    return Markup(text)


def _link(url: str) -> Markup:
    return Markup('<a class="url" href="{0}">{0}</a>').format(url)


def _names(names: Sequence[Name], invert_first: bool = False) -> str:
    shown = [n.display(inverted=invert_first and i == 0) for i, n in enumerate(names)]
    if len(shown) == 1:
        return shown[0]
    if len(shown) == 2:
        return f"{shown[0]}{',' if invert_first else ''} and {shown[1]}"
    return ", ".join(shown[:-1]) + f", and {shown[-1]}"


def _short_names(names: Sequence[Name]) -> str:
    family = [n.short() for n in names]
    if len(family) == 1:
        return family[0]
    if len(family) == 2:
        return f"{family[0]} and {family[1]}"
    return f"{family[0]} et al."
