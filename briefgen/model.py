"""Typed records of a brief: configuration, sources, topics, facts and citations.

The models check shape and types (pydantic); rules that span records, such as
unknown sources or duplicate ids, live in `validate`. Every record remembers
where it was written, so any stage can point a user at file:line.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal, get_args

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    WithJsonSchema,
    field_validator,
)

from briefgen.dates import When
from briefgen.errors import Where, did_you_mean
from briefgen.markup import first_sentence, plain
from briefgen.yamlread import Marks, NodePath

Confidence = Literal[
    "almost no chance",
    "very unlikely",
    "unlikely",
    "roughly even chance",
    "likely",
    "very likely",
    "almost certain",
]
CONFIDENCE: tuple[str, ...] = get_args(Confidence)
"""The estimative scale, lowest to highest."""

RELIABILITY = {
    "A": "completely reliable",
    "B": "usually reliable",
    "C": "fairly reliable",
    "D": "not usually reliable",
    "E": "unreliable",
    "F": "reliability cannot be judged",
}
"""The Admiralty grades of a source's reliability."""

CREDIBILITY = {
    1: "confirmed by other sources",
    2: "probably true",
    3: "possibly true",
    4: "doubtful",
    5: "improbable",
    6: "truth cannot be judged",
}
"""The Admiralty grades of a piece of information's credibility."""

CslType = Literal[
    "article", "article-journal", "article-magazine", "article-newspaper", "bill", "book",
    "broadcast", "chapter", "classic", "collection", "dataset", "document", "entry",
    "entry-dictionary", "entry-encyclopedia", "event", "figure", "graphic", "hearing",
    "interview", "legal_case", "legislation", "manuscript", "map", "motion_picture",
    "musical_score", "pamphlet", "paper-conference", "patent", "performance", "periodical",
    "personal_communication", "post", "post-weblog", "regulation", "report", "review",
    "review-book", "software", "song", "speech", "standard", "thesis", "treaty", "webpage",
]  # fmt: skip
CSL_TYPES: tuple[str, ...] = get_args(CslType)
"""The item types of CSL 1.0.2, the only values a source's `type` may take."""

SOURCES_FILE = "sources.yaml"
"""The file in the fact folder that holds the sources."""
MAX_QUOTE_WORDS = 30

Id = Annotated[
    str,
    Field(
        pattern=r"^[a-z0-9][a-z0-9._-]*$",
        max_length=100,
        description="lower-case letters, digits, '.', '_' and '-'",
    ),
]
Text = Annotated[str, Field(min_length=1, max_length=20_000)]
Marking = Annotated[
    str,
    Field(min_length=1, max_length=60, description="a handling marking, e.g. 'INTERNAL'"),
]
"""A marking is printed in the page margins, where a long one cannot wrap: 60 characters at most."""

Format = Literal["html", "pdf", "docx", "md"]
"""An output format (`briefgen.formats.FORMATS`)."""


def _default_formats() -> list[Format]:
    return ["html", "pdf"]


PdfVariant = Literal[
    "pdf/ua-1",
    "pdf/ua-2",
    "pdf/a-1b",
    "pdf/a-2b",
    "pdf/a-3b",
    "pdf/a-2u",
    "pdf/a-3u",
    "pdf/a-4u",
    "pdf/a-1a",
    "pdf/a-2a",
    "pdf/a-3a",
]
PDF_VARIANTS: tuple[str, ...] = get_args(PdfVariant)
"""The PDF profiles briefgen offers, as WeasyPrint names them (ua: tagged for
accessibility; a: archival; the a-…a levels are tagged too)."""


class Located(BaseModel):
    """A record that knows the file and node path it was loaded from."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, str_strip_whitespace=True)

    _marks: Marks | None = PrivateAttr(default=None)
    _path: NodePath = PrivateAttr(default=())

    def bind(self, marks: Marks, path: NodePath) -> None:
        self._marks = marks
        self._path = path

    def where(self, *sub: str | int, key: bool = False) -> Where | None:
        """Where this record (or one of its fields) was written, if it came from a file."""
        if self._marks is None:
            return None
        return self._marks.where((*self._path, *sub), key=key)


class Name(BaseModel):
    """A CSL name: a person (family, given) or an organisation (literal)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, str_strip_whitespace=True)

    family: str | None = None
    given: str | None = None
    literal: str | None = None
    suffix: str | None = None

    def display(self, inverted: bool = False) -> str:
        if self.literal:
            return self.literal
        parts = [self.given, self.family] if not inverted else [self.family, self.given]
        text = ", ".join(p for p in parts if p) if inverted else " ".join(p for p in parts if p)
        return f"{text}, {self.suffix}" if self.suffix else text

    def short(self) -> str:
        return self.literal or self.family or self.given or ""


class Archived(Located):
    """A source's archived text: the digest of `<archive>/<id>.txt`, and where it came from."""

    sha256: str = Field(
        pattern=r"^[0-9a-f]{64}$", description="SHA-256 of the archived file's bytes, 64 hex digits"
    )
    retrieved: When | None = Field(
        default=None, description="when the text was fetched or copied; omitted when unknown"
    )
    origin: str | None = Field(
        default=None, min_length=1, max_length=2000, description="the URL or file it came from"
    )


def _number_as_text(value: object) -> object:
    """A number as the text it is written as (`volume: 14` -> '14'); anything else as it is.

    CSL-JSON allows a number or text for a volume, issue, page, edition or
    number, and people and editors write `volume: 14`; briefgen keeps text.
    """
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and math.isfinite(value):
        return str(value)
    return value


Numbering = Annotated[
    str,
    BeforeValidator(_number_as_text),
    WithJsonSchema({"type": ["string", "number"]}),
]
"""A CSL number variable: text, or a number taken as its text."""


class Source(Located):
    """One bibliographic record, with CSL-JSON field names where they exist."""

    id: Id
    type: CslType = Field(
        default="document", description="CSL 1.0.2 item type, e.g. article-newspaper, report"
    )
    title: Text
    title_short: str | None = Field(default=None, alias="title-short")
    author: list[Name] = Field(default_factory=list)
    editor: list[Name] = Field(default_factory=list)
    translator: list[Name] = Field(default_factory=list)
    container_title: str | None = Field(default=None, alias="container-title")
    publisher: str | None = None
    publisher_place: str | None = Field(default=None, alias="publisher-place")
    genre: str | None = None
    issued: When | None = None
    accessed: When | None = None
    URL: str | None = Field(default=None, pattern=r"^https?://\S+$")
    DOI: str | None = Field(
        default=None, description="e.g. 10.1000/xyz123, without https://doi.org/"
    )
    volume: Numbering | None = None
    issue: Numbering | None = None
    page: Numbering | None = Field(default=None, description="page range of an article, e.g. 45-67")
    number: Numbering | None = Field(default=None, description="report or document number")
    edition: Numbering | None = None
    collection_title: str | None = Field(default=None, alias="collection-title")
    section: str | None = Field(
        default=None, description="the section of a newspaper or magazine, e.g. Business"
    )
    note: str | None = None
    citation_key: str | None = Field(
        default=None,
        alias="citation-key",
        description="the key a reference manager cites the item by (Better BibTeX); not printed",
    )
    zotero_uri: str | None = Field(
        default=None,
        alias="zotero-uri",
        description="the Zotero item URI an import took the record from; not printed",
    )
    reliability: Literal["A", "B", "C", "D", "E", "F"] | None = Field(
        default=None, description="Admiralty source reliability: A reliable ... F cannot be judged"
    )
    archived: Archived | None = Field(
        default=None, description="the archived copy's digest (`briefgen sources archive`)"
    )

    @field_validator("type", mode="before")
    @classmethod
    def _csl_type(cls, value: object) -> object:
        """A CSL item type, or a plain refusal that names the closest one."""
        if isinstance(value, str) and value.strip() in CSL_TYPES:
            return value.strip()
        if not isinstance(value, str):
            raise ValueError(f"must be a CSL item type such as 'report', not {value!r}")
        hint = did_you_mean(value.strip(), CSL_TYPES, otherwise="see CSL 1.0.2's item types")
        raise ValueError(f"is {value!r}, not a CSL item type ({hint})")


class Citation(Located):
    """A source, a place in it, and a short verbatim quote that supports the statement."""

    source: Id
    locator: str = Field(min_length=1, max_length=100, description="e.g. 'para. 12'")
    quote: Text
    credibility: int | None = Field(
        default=None, ge=1, le=6, description="Admiralty information credibility: 1 confirmed ... 6"
    )

    @field_validator("quote")
    @classmethod
    def _short_quote(cls, quote: str) -> str:
        words = len(quote.split())
        if words > MAX_QUOTE_WORDS:
            raise ValueError(f"quote has {words} words; keep it to {MAX_QUOTE_WORDS} or fewer")
        return quote


class Version(Located):
    """One source's account where the sources disagree."""

    text: Text
    citations: list[Citation] = Field(min_length=1)


class Fact(Located):
    """A sourced statement, or the desk's own word on statements, with its support.

    kind 'fact': a statement the citations support. kind 'judgment': a key
    judgment, with a confidence word and the facts it rests on (`basis`).
    kind 'comment': the desk's comment on facts of its section (a disagreement,
    say), shown there and marked as the desk's, resting on `basis`.
    """

    id: Id
    text: Text
    kind: Literal["fact", "judgment", "comment"] = "fact"
    date: When | None = None
    tags: list[Id] = Field(default_factory=list)
    handling: Id | None = Field(
        default=None, description="handling level; omitted means the configuration's default"
    )
    priority: int = Field(default=2, ge=1, le=3, description="1 top, 2 normal, 3 background")
    citations: list[Citation] = Field(default_factory=list)
    versions: list[Version] = Field(
        default_factory=list, description="each source's account where the sources disagree"
    )
    confidence: Confidence | None = None
    basis: list[Id] = Field(
        default_factory=list, description="ids of the facts a judgment rests on"
    )
    reviewed: When | None = Field(
        default=None, description="when a curator last checked the fact against its sources"
    )
    headline: str | None = Field(
        default=None,
        min_length=1,
        max_length=120,
        description="a short line that stands alone: the chronology's entry, and the label "
        "when a judgment rests on this fact",
    )

    def says_its_date(self) -> bool:
        """Whether the first sentence gives the fact's date, so no date lead-in is needed.

        'On 5 January 2022 …' for 2022-01-05; 'from 2006 until 2012' for 2006/2012:
        the date, or both ends of a range, in the sentence a reader meets first.
        """
        if self.date is None:
            return False
        sentence = first_sentence(plain(self.text))
        ends = [self.date.start.human(), *([self.date.end.human()] if self.date.end else [])]
        return self.date.human() in sentence or all(end in sentence for end in ends)

    @property
    def rests_on_facts(self) -> bool:
        """A judgment or comment: the desk's own word, resting on other facts."""
        return self.kind != "fact"

    def all_citations(self) -> list[Citation]:
        return [*self.citations, *(c for v in self.versions for c in v.citations)]


class Period(Located):
    """One stretch of membership: joined, and left unless still a member."""

    joined: When
    left: When | None = None


class Member(Located):
    """A state's membership history, for the membership table and timeline."""

    state: Text
    periods: list[Period] = Field(min_length=1)
    note: str | None = Field(default=None, description="e.g. 'signed 1992; in force 1994'")
    handling: Id | None = None
    citations: list[Citation] = Field(min_length=1)


class Topic(Located):
    """A section of the brief: a title, a summary in the curators' words, and its facts."""

    id: Id
    title: Text
    order: int = 100
    summary: str = ""
    fact_order: Literal["date", "written"] = Field(
        default="date",
        description="facts in date order (undated ones last), or in the order written",
    )
    paragraphs: list[list[Id]] = Field(
        default_factory=list,
        description="the topic as prose: each paragraph an ordered list of fact ids",
    )
    facts: list[Fact] = Field(default_factory=list)
    membership: list[Member] = Field(
        default_factory=list, description="structured membership history shown as a table"
    )


class AudienceSettings(Located):
    """One audience of the brief: what it takes, how far its handling goes, how it looks.

    Fields left out take the configuration's value (template, stylesheet,
    marking, show_quotes, show_grades) or take everything (topics, tags,
    priority, handling).
    """

    title: str | None = Field(default=None, description="audience label, e.g. 'Executive summary'")
    description: str | None = None
    topics: list[Id] | None = Field(default=None, description="topic ids it takes; omitted: all")
    tags: list[Id] | None = Field(
        default=None, description="it takes facts carrying any of these tags; omitted: all"
    )
    priority: int = Field(default=3, ge=1, le=3, description="lowest priority it takes: 1 top only")
    handling: Id | None = Field(
        default=None, description="highest handling level it may show; omitted: the highest"
    )
    template: str | None = None
    stylesheet: str | list[str] | None = Field(
        default=None, description="one stylesheet, or several applied in order"
    )
    formats: list[Format] | None = Field(
        default=None,
        min_length=1,
        description="the files it is built into; omitted: the configuration's",
    )
    reference_doc: str | None = Field(
        default=None,
        min_length=1,
        description="the DOCX whose styles its DOCX takes; omitted: the configuration's",
    )
    page_budget: int | None = Field(
        default=None, ge=1, description="most PDF pages allowed; a longer PDF fails the build"
    )
    marking: Marking | None = Field(default=None, description="printed on every page")
    show_quotes: bool | None = None
    show_grades: bool | None = None
    judgments: bool = Field(default=True, description="show the key judgments")
    tables: bool = Field(default=True, description="show structured tables and charts (membership)")
    contents: bool = Field(default=True, description="show a table of contents")
    chronology: bool = Field(default=True, description="show a chronology of the dated facts")
    changes: bool = Field(
        default=False,
        description="show the facts added, changed and removed since the previous version",
    )
    pdf_variant: PdfVariant | Literal["none"] | None = Field(
        default=None, description="PDF profile; omitted: the configuration's"
    )
    notes: Literal["fact", "paragraph"] = Field(
        default="fact",
        description="in prose topics, one note per fact or one combined note per paragraph",
    )


class Limits(Located):
    """Budgets that stop a runaway template or layout; each has a ceiling no setting passes."""

    render_seconds: float = Field(
        default=10, gt=0, le=300, description="time to render one audience's HTML"
    )
    render_memory_mb: int = Field(
        default=1024, ge=64, le=8192, description="memory a render may use"
    )
    output_mb: int = Field(
        default=50, ge=1, le=500, description="largest HTML a template may write"
    )
    layout_seconds: float = Field(
        default=120,
        gt=0,
        le=3600,
        description="time to lay out one PDF, or for Pandoc to write one DOCX or Markdown file",
    )
    layout_memory_mb: int = Field(
        default=2048,
        ge=256,
        le=16384,
        description="memory one PDF layout, or one Pandoc run, may use",
    )


class Config(Located):
    """A brief's configuration (`briefgen.yaml`)."""

    title: Text
    subtitle: str | None = None
    author: str | None = None
    name: Id = Field(default="brief", description="base name of the output files")
    language: str = "en"
    subject: str | None = None
    keywords: list[str] = Field(default_factory=list)
    facts: str = "facts"
    templates: str = "templates"
    output: str = "out"
    archive: str = Field(
        default="sources",
        description="folder of archived source texts, <source id>.txt; it may lie outside "
        "the project, as it is only read (verify-quotes)",
    )
    template: str = "brief.html.j2"
    stylesheet: str | list[str] = Field(
        default="brief.css", description="one stylesheet, or several applied in order"
    )
    formats: list[Format] = Field(
        default_factory=_default_formats,
        min_length=1,
        description="the files each audience is built into: html, pdf, docx, md",
    )
    reference_doc: str = Field(
        default="reference.docx",
        min_length=1,
        description="the DOCX whose styles a DOCX edition takes, found like a template",
    )
    handling: list[Id] = Field(
        default_factory=lambda: ["public", "internal"],
        min_length=1,
        description="handling levels, least restricted first",
    )
    default_handling: Id | None = Field(
        default=None, description="level of facts that name none; the most restricted if omitted"
    )
    marking: Marking | None = Field(default=None, description="marking printed on every page")
    show_quotes: bool = True
    show_grades: bool = Field(default=False, description="notes show Admiralty grades, e.g. [B2]")
    method: str | None = Field(
        default=None,
        description="a paragraph on method (Markdown), after the account generated from the data",
    )
    information_as_of: When | None = Field(
        default=None,
        description="the date of the brief's information; omitted: the newest source it cites",
    )
    allow_remote: bool = Field(
        default=False,
        description="let templates load http(s) resources while rendering; off: no network",
    )
    pdf_variant: PdfVariant | Literal["none"] = Field(
        default="pdf/ua-1",
        description="PDF profile: pdf/ua-1 (tagged, the default), a PDF/A level, or none",
    )
    limits: Limits = Field(default_factory=Limits, description="time and memory budgets")
    audiences: dict[Id, AudienceSettings] = Field(
        default_factory=dict, description="audiences of the brief, by name"
    )
    default_audience: Id | None = Field(
        default=None, description="the audience 'briefgen build' makes; omitted: the first"
    )


@dataclass(frozen=True)
class Folders:
    """A project's folders, each set in the configuration relative to its own folder."""

    root: Path
    facts: Path
    templates: Path
    output: Path
    archive: Path

    @property
    def sources(self) -> Path:
        """The sources file, in the fact folder."""
        return self.facts / SOURCES_FILE

    @classmethod
    def of(cls, config: Config, root: Path) -> Folders:
        """The folders `config` names, for a configuration in the folder `root`."""
        return cls(
            root,
            root / config.facts,
            root / config.templates,
            root / config.output,
            root / config.archive,
        )


@dataclass
class Brief:
    """Everything loaded for one brief: its configuration, sources and topics."""

    root: Path
    config: Config
    sources: list[Source]
    topics: list[Topic]
    outside: tuple[Path, ...] = ()
    """Folders outside the project the user allowed the build to read (--allow-outside)."""

    @cached_property
    def sources_by_id(self) -> dict[str, Source]:
        """Sources by id; of duplicate ids (an error `validate` reports) the first wins."""
        index: dict[str, Source] = {}
        for source in self.sources:
            index.setdefault(source.id, source)
        return index

    @property
    def facts(self) -> list[Fact]:
        return [fact for topic in self.topics for fact in topic.facts]

    def citations(self) -> list[tuple[str, Citation]]:
        """Every citation in the brief, labelled with what it supports."""
        found = [
            (f"fact {fact.id!r}", citation)
            for fact in self.facts
            for citation in fact.all_citations()
        ]
        found += [
            (f"membership of {member.state!r}", citation)
            for topic in self.topics
            for member in topic.membership
            for citation in member.citations
        ]
        return found

    @cached_property
    def folders(self) -> Folders:
        """The fact, template and output folders of this brief."""
        return Folders.of(self.config, self.root)

    def citation_counts(self) -> dict[str, int]:
        """How many citations name each source, by source id."""
        return dict(Counter(citation.source for _, citation in self.citations()))
