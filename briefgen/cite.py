"""Cite stage: Chicago notes-bibliography forms, note numbering and the bibliography.

A `Notebook` hands out notes in the order the template asks for them, so the
numbers follow the document whatever a custom template does: the first
citation of a source gets the full note, later ones the short note. Missing
bibliographic fields are left out; nothing is ever shown as "None".

The forms follow citeproc's rendering of the CSL style "Chicago Manual of Style
17th edition (notes and bibliography)"; tests/golden/chicago/ holds Pandoc's
output for one record of each type, and the README lists what differs on purpose.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from briefgen.dates import MONTHS, PartialDate, When
from briefgen.model import Citation, Name, Source

_CONTAINED_TYPES = re.compile(r"^(article|entry|chapter|post|paper-conference|review|webpage)")
_ITALIC_TITLE_TYPES = ("book", "report", "thesis", "pamphlet", "manuscript")
_SECTIONED_TYPES = ("article-newspaper", "article-magazine")
_LEADING_ARTICLE = re.compile(r"^(a|an|the)\s+", re.IGNORECASE)
_DOUBLE_TO_SINGLE = str.maketrans({"“": "‘", "”": "’"})
# CSL's title-case stop words: lower case inside a title unless first, last or after a colon.
_STOP_WORDS = frozenset(
    {
        *("a", "an", "and", "as", "at", "but", "by", "down", "for", "from", "in", "into", "nor"),
        *("of", "on", "onto", "or", "over", "so", "the", "till", "to", "up", "via", "with", "yet"),
    }
)
# "para. 7", "p. 12", "pp. 3–4", "n. 2": the label and its number never part at a line end.
_LOCATOR_LABEL = re.compile(r"\b(paras?|pp?|nn?|chaps?|secs?|figs?|vols?|no|ll?)\. (?=\w)")
_URL_HEAD = re.compile(r"^(https?://[^/]+/?)(.*)$")
_ORDINALS = {"1": "st", "2": "nd", "3": "rd"}


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

        A citation that would print the same as one before it in the note is
        cited once: word for word (same source, locator and quote) always, and
        same source and locator when quotes are hidden.
        """
        pieces = []
        cited = self._distinct(citations)
        for index, citation in enumerate(cited):
            source = self.sources[citation.source]
            if source.id in self._seen:
                piece = short_note(source, citation.locator)
            else:
                piece = full_note(source, citation.locator)
                self._seen.add(source.id)
            if self._show_grades:
                piece += grade(source, citation)
            if self._show_quotes:
                quote = nested_quote(citation.quote)
                if index < len(cited) - 1:
                    quote = before_semicolon(quote)
                piece += Markup(' — <q class="quote">{}</q>').format(quote)
            pieces.append(piece)
        note = Note(len(self.notes) + 1, end_sentence(Markup("; ").join(pieces)))
        self.notes.append(note)
        return note

    def bibliography(self) -> list[Markup]:
        """One entry per source cited so far, sorted as Chicago sorts them."""
        cited = [self.sources[source_id] for source_id in self._seen]
        return [bibliography_entry(s) for s in sorted(cited, key=bibliography_key)]

    def _distinct(self, citations: Sequence[Citation]) -> list[Citation]:
        """`citations` less those that would print the same as one before them."""
        kept: dict[tuple[object, ...], Citation] = {}
        for citation in citations:
            kept.setdefault(self._printed_as(citation), citation)
        return list(kept.values())

    def _printed_as(self, citation: Citation) -> tuple[object, ...]:
        """What decides how a citation prints in this notebook, for spotting repeats."""
        key: tuple[object, ...] = (citation.source, citation.locator)
        if self._show_quotes:
            key += (citation.quote,)
        if self._show_grades:
            key += (citation.credibility,)
        return key


def end_sentence(text: Markup) -> Markup:
    """`text` closed with a period, placed as American usage places it.

    A period goes inside a closing quotation mark; nothing is added after a
    sentence that already ends in . ? or !, inside a quotation mark or not.
    """
    if re.search(r"[.?!][”’]*(</q>)?$", text):
        return text
    closing = re.search(r"[”’]*(</q>)?$", text)
    at = closing.start() if closing else len(text)
    return Markup(text[:at] + "." + text[at:])


_END_BEFORE_SEMICOLON = re.compile(r"([^.])[.,;:]([’']*)$")


def before_semicolon(quote: str) -> str:
    """A quote's own final stop, comma or colon dropped where a semicolon follows it.

    “…the Kremlin”; not “…the Kremlin.”;, and “…an ‘organization’”; not
    “…an ‘organization,’”;. An ellipsis, a question or an exclamation stays.
    """
    return _END_BEFORE_SEMICOLON.sub(r"\1\2", quote)


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
    """The first-citation note: Author, “Title,” <i>Journal</i> 14, no. 2 (June 2023): 7, DOI."""
    parts: list[Markup] = []
    creators, role = _creators(source)
    if creators:
        parts.append(escape(_names(creators, role=role)))
    parts.append(_title(source, note=True))
    if source.type == "article-journal":
        parts.append(_journal_issue(source, locator or source.page))
        locator = None
    elif _is_chapter(source):
        parts.extend(_chapter_facts(source, locator or source.page, note=True))
        locator = None
    elif _is_book_like(source):
        parts.extend(_book_facts(source, note=True))
    else:
        parts.extend(_periodical_facts(source, note=True))
    if locator:
        parts.append(format_locator(locator))
    parts.extend(_access(source, note=True))
    return _capitalise_first(_join_note(parts))


def short_note(source: Source, locator: str | None = None) -> Markup:
    """The repeat-citation note: Author, “Short Title,” locator."""
    parts: list[Markup] = []
    creators, _ = _creators(source)
    if creators:
        parts.append(escape(_short_names(creators)))
    elif source.type == "webpage" and source.container_title:
        parts.append(escape(source.container_title))
    parts.append(_title(source, note=True, short=True))
    if locator:
        parts.append(format_locator(locator))
    return _capitalise_first(_join_note(parts))


def bibliography_entry(source: Source) -> Markup:
    """Author. “Title.” Container, Date. URL. Note."""
    sentences: list[Markup] = []
    creators, role = _creators(source)
    if creators:
        sentences.append(escape(_names(creators, invert_first=True, role=role)))
    elif source.type == "webpage" and source.container_title:
        sentences.append(escape(source.container_title))
    sentences.append(_title(source, note=False))
    if source.type == "article-journal":
        sentences.append(_journal_issue(source, source.page))
    elif _is_chapter(source):
        sentences.extend(_chapter_facts(source, source.page, note=False))
    elif _is_book_like(source):
        sentences.extend(_book_facts(source, note=False))
    else:
        if _section(source):
            sentences.append(escape(_section(source)))
        publication = Markup(", ").join(_periodical_facts(source, note=False))
        if publication:
            sentences.append(publication)
    sentences.extend(_access(source, note=False))
    if source.note:  # who produced it, what is unconfirmed: the reader needs it to weigh it
        sentences.append(escape(source.note.rstrip(".")))
    text = Markup("")
    for sentence in sentences:
        if text:
            text += Markup(" ") if text.endswith(("”", ".")) else Markup(". ")
        text += sentence
    return end_sentence(text)


def bibliography_key(source: Source) -> tuple[str, str, str, str]:
    """Sort by first author's (or editor's) family name without particles, else by title.

    One author's works go by title, as CMOS 14.68 and citeproc sort them; a
    leading article never counts.
    """
    creators, _ = _creators(source)
    title = _LEADING_ARTICLE.sub("", source.title)
    if creators:
        first = creators[0]
        lead = first.literal or _split_particle(first.family or "")[1] or first.given or ""
        given = first.given or ""
    elif source.type == "webpage" and source.container_title:
        lead, given = source.container_title, ""
    else:
        lead, given = title, ""
    return (lead.casefold(), given.casefold(), title.casefold(), str(source.issued or ""))


def chicago_date(when: When) -> str:
    """'February 27, 2023', 'March 2022', '2010'; ranges as 'start–end'."""
    start = _chicago_partial(when.start)
    return f"{start}–{_chicago_partial(when.end)}" if when.end else start


def short_title(source: Source) -> str:
    """`title-short` when given, else the main title less a leading article.

    The main title is the part before a colon or question mark. A title is never
    cut inside a phrase: without a subtitle the whole title is the short one.
    """
    if source.title_short:
        return source.title_short
    main = re.split(r"(?<=\?)\s|:\s", source.title, maxsplit=1)[0]
    return _LEADING_ARTICLE.sub("", main).rstrip(",;.")


def headline_case(title: str) -> str:
    """A title in headline style as CSL's title case makes it.

    Words written in lower case get a capital unless they are stop words inside
    the title; words with a capital already (CSTO, iPhone) are kept as written.
    The first word, the last word and the word after a colon are always capitalised.
    """
    words = re.split(r"(\s+)", title)
    last = max((i for i, w in enumerate(words) if w.strip()), default=0)
    after_colon = True
    for index, word in enumerate(words):
        if not word.strip():
            continue
        bare = word.strip("“‘\"'(")
        force = after_colon or index == last
        lookup = bare.rstrip(',.;:?!”’")')
        if bare and bare == bare.lower() and (force or lookup not in _STOP_WORDS):
            at = word.index(bare[0])
            words[index] = word[:at] + _capitalise_parts(word[at:])
        after_colon = word.endswith((":", "?", "!", "—"))
    return "".join(words)


def typographic(text: str) -> str:
    """Straight quotes and apostrophes made curly: ' → ’ or ‘, " → “ or ”."""
    text = re.sub(r'(^|[\s(\[—–])"', r"\1“", text).replace('"', "”")
    return re.sub(r"(^|[\s(\[—–])'", r"\1‘", text).replace("'", "’")


def format_locator(locator: str) -> Markup:
    """A locator with a no-break space between its label and number ('para.\u00a07')."""
    return escape(_LOCATOR_LABEL.sub(lambda m: m.group(1) + ".\u00a0", locator))


def _capitalise_parts(word: str) -> str:
    """'russia's' → 'Russia's'; 'well-known' → 'Well-Known' (each hyphenated part)."""
    return "-".join(part[:1].upper() + part[1:] for part in word.split("-"))


def _chicago_partial(date: PartialDate) -> str:
    if date.month is None:
        return str(date.year)
    month = MONTHS[date.month - 1]
    return f"{month} {date.day}, {date.year}" if date.day else f"{month} {date.year}"


def _month_year(when: When) -> str:
    start = when.start
    return f"{MONTHS[start.month - 1]} {start.year}" if start.month else str(start.year)


def _section(source: Source) -> str | None:
    """A newspaper's or magazine's section ('Business'), printed before the periodical's name."""
    return source.section if source.type in _SECTIONED_TYPES else None


def _is_chapter(source: Source) -> bool:
    return source.type == "chapter" and bool(source.container_title)


def _is_book_like(source: Source) -> bool:
    return source.type in _ITALIC_TITLE_TYPES and not source.container_title


def _journal_issue(source: Source, pages: str | None) -> Markup:
    """'<i>Journal</i> 14, no. 2 (June 2023): 101–125' for a journal article."""
    text = Markup("<i>{}</i>").format(source.container_title) if source.container_title else ""
    if source.volume:
        text += Markup(" {}").format(source.volume)
    if source.issue:
        text += Markup(", no.\u00a0{}").format(source.issue)
    if source.issued:
        text += Markup(" ({})").format(_month_year(source.issued))
    if pages:
        text += Markup(": ") + format_locator(pages.replace("-", "–"))
    return Markup(text).lstrip()


def _book_facts(source: Source, *, note: bool) -> list[Markup]:
    """Genre and number, edition, editors, translators, series, then '(Place: Publisher, Year)'."""
    facts: list[Markup] = []
    series = " ".join(filter(None, [source.genre, source.number]))
    if series:
        facts.append(escape(series if note else headline_case(series)))
    if source.edition:
        facts.append(escape(_edition(source.edition)))
    facts += _helpers(source, note=note, capital=True)
    if source.collection_title:  # the series, in roman
        facts.append(escape(source.collection_title))
    imprint = _imprint(source)
    if not note:
        return facts + ([escape(imprint)] if imprint else [])
    if imprint and facts:
        facts[-1] += Markup(" ({})").format(imprint)
    elif imprint:
        facts.append(Markup("({})").format(imprint))
    return facts


def _helpers(source: Source, *, note: bool, capital: bool) -> list[Markup]:
    """'ed. Ann Roe', 'trans. Bo Li' in a note; 'Edited by …' or 'edited by …' in a bibliography.

    Without an author the editors stand first, as the author, so they are not repeated here.
    """
    roles = [("ed. ", "edited by ", source.editor if source.author else [])]
    roles.append(("trans. ", "translated by ", source.translator))
    phrases = []
    for short, long, names in roles:
        if names:
            lead = short if note else (long.capitalize() if capital else long)
            phrases.append(escape(lead + _names(names)))
    return phrases


def _chapter_facts(source: Source, pages: str | None, *, note: bool) -> list[Markup]:
    """The book a chapter is in, its editors and imprint, and the pages.

    Note: 'in <i>Book</i>, ed. Ann Roe (London: Routledge, 2019), 12'.
    Bibliography: 'In <i>Book</i>, edited by Ann Roe, 10–30' and 'London: Routledge, 2019'.
    """
    book = [Markup("{} <i>{}</i>").format("in" if note else "In", source.container_title)]
    if source.edition:
        book.append(escape(_edition(source.edition)))
    book += _helpers(source, note=note, capital=False)
    imprint = _imprint(source)
    if note and imprint:
        book[-1] += Markup(" ({})").format(imprint)
    if pages:
        book.append(format_locator(pages.replace("-", "–")))
    if note:
        return book
    return [Markup(", ").join(book)] + ([escape(imprint)] if imprint else [])


def _imprint(source: Source) -> str:
    """'London: Routledge, 2019': place, publisher and year, as far as they are known."""
    publisher = ": ".join(filter(None, [source.publisher_place, source.publisher]))
    year = str(source.issued.start.year) if source.issued else ""
    return ", ".join(filter(None, [publisher, year]))


def _periodical_facts(source: Source, *, note: bool) -> list[Markup]:
    """Section (in a note), container (italic, or roman for a website), publisher and date."""
    facts: list[Markup] = []
    if note and _section(source):
        facts.append(escape(_section(source)))
    if source.genre and not source.container_title:
        facts.append(escape(source.genre))
    if source.container_title:
        website = source.type == "webpage"
        if not (website and not source.author and not note):  # it stands as the author there
            style = "{}" if website else "<i>{}</i>"
            facts.append(Markup(style).format(source.container_title))
    if source.publisher and source.publisher != source.container_title:
        facts.append(escape(source.publisher))
    if source.issued:
        facts.append(escape(chicago_date(source.issued)))
    return facts


def _access(source: Source, *, note: bool) -> list[Markup]:
    """Access date, then the DOI as a URL (or else the URL)."""
    facts: list[Markup] = []
    if source.accessed:
        facts.append(escape(("accessed " if note else "Accessed ") + chicago_date(source.accessed)))
    url = f"https://doi.org/{source.DOI}" if source.DOI else source.URL
    if url:
        facts.append(_link(url))
    return facts


def _edition(edition: str) -> str:
    if edition.isdigit():
        tens = edition[-2:-1] == "1"
        return f"{edition}{'th' if tens else _ORDINALS.get(edition[-1], 'th')} ed."
    return edition if edition.endswith(".") else f"{edition} ed."


def _title(source: Source, *, note: bool, short: bool = False) -> Markup:
    title = short_title(source) if short else source.title
    title = typographic(headline_case(title))
    if not _CONTAINED_TYPES.match(source.type) and not source.container_title:
        return Markup("<i>{}</i>").format(title)
    title = title.translate(_DOUBLE_TO_SINGLE)
    # In notes the comma goes inside the closing quotation mark; _join_note moves it.
    if note or title.endswith(("?", "!")):
        return Markup("“{}”").format(title)
    return Markup("“{}.”").format(title)


def _join_note(parts: list[Markup]) -> Markup:
    text = Markup("")
    for index, part in enumerate(parts):
        if index:
            closing = len(text) - len(text.rstrip("”’"))
            if closing and text[: len(text) - closing].endswith(("?", "!")):
                text += Markup(" ")
            elif closing:
                at = len(text) - closing
                text = Markup(text[:at] + "," + text[at:] + " ")
            elif part.startswith("("):
                text += Markup(" ")
            else:
                text += Markup(", ")
        text += part
    return Markup(text)


def _link(url: str) -> Markup:
    """A URL that breaks only after a slash or before a dot past the host, never after https://."""
    match = _URL_HEAD.match(url)
    head, path = (match.group(1), match.group(2)) if match else (url, "")
    pieces = re.split(r"(?<=/)|(?=[.?#&=])", path)
    shown = Markup('<span class="url-head">{}</span>').format(head)
    shown += Markup("<wbr>").join(escape(piece) for piece in pieces if piece)
    return Markup('<a class="url" href="{}">{}</a>').format(url, shown)


def _split_particle(family: str) -> tuple[str, str]:
    """'van Gogh' → ('van', 'Gogh'): lower-case words before the family name proper."""
    words = family.split()
    lead = 0
    while lead < len(words) - 1 and words[lead][:1].islower():
        lead += 1
    return " ".join(words[:lead]), " ".join(words[lead:])


def _inverted(name: Name) -> str:
    """'Gogh, Anna van' as citeproc demotes a particle; literal names as written."""
    if name.literal or not name.family:
        return name.display(inverted=True)
    particle, family = _split_particle(name.family)
    given = " ".join(filter(None, [name.given, particle]))
    text = ", ".join(filter(None, [family, given]))
    return f"{text}, {name.suffix}" if name.suffix else text


def _capitalise_first(text: Markup) -> Markup:
    """A note starts with a capital, as 'Van Gogh' does at the head of a short note."""
    if text[:1].islower():
        return Markup(text[:1].upper() + text[1:])
    return text


def _creators(source: Source) -> tuple[Sequence[Name], str]:
    """Who stands first in a note or entry: the authors, else the editors, with 'ed.' or 'eds.'."""
    if source.author:
        return source.author, ""
    if source.editor:
        return source.editor, "ed." if len(source.editor) == 1 else "eds."
    return [], ""


def _names(names: Sequence[Name], invert_first: bool = False, role: str = "") -> str:
    """'Ann Roe and Jun Kim', 'Roe, Ann, and Jun Kim'; a role follows: 'Roe, Ann, ed.'."""
    shown = [_inverted(n) if invert_first and i == 0 else n.display() for i, n in enumerate(names)]
    if len(shown) == 1:
        text = shown[0]
    elif len(shown) == 2:
        text = f"{shown[0]}{',' if invert_first else ''} and {shown[1]}"
    else:
        text = ", ".join(shown[:-1]) + f", and {shown[-1]}"
    return f"{text}, {role}" if role else text


def _short_names(names: Sequence[Name]) -> str:
    family = [n.short() for n in names]
    if len(family) == 1:
        return family[0]
    if len(family) == 2:
        return f"{family[0]} and {family[1]}"
    return f"{family[0]} et al."
