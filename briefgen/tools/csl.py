"""Import sources from a CSL-JSON export (Zotero, Better BibTeX) into `sources.yaml`.

`import_csl` reads the export and the brief's sources file and merges them
without touching disk: new items become records appended to the file's text,
so its comments and layout stay as they were; items the file already holds
are compared field by field, and where they differ our value is kept and the
difference reported. `write_import` then writes the result atomically. CSL
fields briefgen does not model are reported, never dropped silently.

Ids: a Zotero item URI becomes a readable id (`ruehl-2022-what`, see
`readable_ids`) and is remembered in the record as `zotero-uri` (a numeric id,
such as 123, too, remembered as `citation-key`); a citation
key (Better BibTeX's id, or an item's `citation-key`) is kept as the id when it
is a valid one, else split into one (`ruehl-what-would-potential-2022`) and
remembered as `citation-key`. New ids are made unique against the file and the
export, in export order. An item is the same as a record of the file when it
has the record's `zotero-uri` or `citation-key`, its kept id, DOI or URL, or
its title, year and first author: so importing an export twice adds nothing
the second time.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from briefgen.confine import read_regular
from briefgen.dates import When
from briefgen.errors import BriefError, Problem, Where
from briefgen.invalid import sentence
from briefgen.load import sources_in
from briefgen.model import SOURCES_FILE, Name, Source
from briefgen.tools.readable_ids import is_zotero_uri, key_as_id, readable_id, unique
from briefgen.write import write_outputs
from briefgen.yamlread import SafeDumper, decode_utf8, decode_yaml, parse_yaml, reads_as_text

MODELLED = tuple(f.alias or name for name, f in Source.model_fields.items())
"""The CSL fields a source record holds, in the order records are written."""

ALIASES = {"shortTitle": "title-short"}
"""Zotero spellings of CSL fields."""

NAME_FIELDS = ("author", "editor", "translator")
DATE_FIELDS = ("issued", "accessed")
DATE_FORMS = ("date-parts", "raw", "literal")
"""The ways CSL writes one date, in the order they are preferred."""

_JSON_SPACE = " \t\n\r"
_NO_WRAP = 1 << 30
_EXPORT_HINT = "export the items again as CSL JSON, a list of items"


@dataclass(frozen=True)
class Conflict:
    """A field an existing record and the export both give, with different values."""

    id: str
    field: str
    ours: str
    theirs: str


@dataclass(frozen=True)
class ImportReport:
    """What merging an export into a sources file would do; `after` is the new file."""

    added: list[str]
    unchanged: list[str]
    conflicts: list[Conflict]
    ignored: dict[str, list[str]]
    """Id of each added record -> the export's fields briefgen does not model."""
    not_merged: dict[str, list[str]]
    """Id of each existing record -> fields only the export gives; left out, as
    existing records are never edited."""
    before: bytes = field(repr=False)
    after: bytes = field(repr=False)

    @property
    def changed(self) -> bool:
        return self.after != self.before


@dataclass(frozen=True)
class _Item:
    """One item of the export: its 1-based number, where it starts, and its value."""

    number: int
    where: Where
    value: Any


@dataclass(frozen=True)
class _Imported:
    """An export item as a checked source, with the fields left out of it.

    `own_id` says the id is the export's own (a valid citation key), so a
    record with that id is this item; otherwise the id was made here and is
    only a wish until `_with_unique_ids` makes sure no record has it.
    """

    source: Source
    ignored: list[str]
    own_id: bool


def import_csl(sources_path: Path, csl_path: Path) -> ImportReport:
    """Merge the CSL-JSON export at `csl_path` into the sources file; write nothing.

    Raise BriefError, naming the file, line and item, if either file cannot be
    read or any item is not a valid source.
    """
    before, existing = _read_sources(sources_path)
    imported = _check_items(_read_csl(csl_path))
    known = _Known(existing)
    fresh: list[_Imported] = []
    unchanged: list[str] = []
    conflicts: list[Conflict] = []
    not_merged: dict[str, list[str]] = {}
    for item in imported:
        mine = known.record_of(item)
        if mine is None:
            fresh.append(item)
            continue
        differences, only_theirs = _compare(mine, item)
        conflicts += differences
        if not differences:
            unchanged.append(mine.id)
        if only_theirs:
            not_merged[mine.id] = only_theirs
    added = _with_unique_ids(fresh, {source.id for source in existing})
    after = before + _appended(before, [item.source for item in added])
    if added:
        _check_appended(after, sources_path, [item.source for item in added])
    return ImportReport(
        added=[item.source.id for item in added],
        unchanged=unchanged,
        conflicts=conflicts,
        ignored={item.source.id: item.ignored for item in added if item.ignored},
        not_merged=not_merged,
        before=before,
        after=after,
    )


def write_import(report: ImportReport, sources_path: Path) -> Path | None:
    """Write the merged sources file atomically; return it, or None if nothing was added.

    Refuse if the file changed since `import_csl` read it, so no edit is lost.
    """
    if not report.changed:
        return None
    current = read_regular(sources_path) if sources_path.exists() else b""
    if current != report.before:
        raise BriefError(
            f"{sources_path.name} changed since the import read it",
            Where(sources_path),
            "run the import again",
        )
    target = sources_path.resolve()
    write_outputs(target.parent, {target.name: report.after})
    return sources_path


def _read_csl(path: Path) -> list[_Item]:
    """The items of a CSL-JSON export, each with the line and column where it starts."""
    text = _read_text(path)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BriefError(
            f"invalid JSON: {exc.msg}", Where(path, exc.lineno, exc.colno), _EXPORT_HINT
        ) from exc
    if not isinstance(data, list):
        raise BriefError(
            "a CSL-JSON export must be a list of items, '[{...}, ...]'",
            _where(path, text, _skip_space(text, 0)),
            _EXPORT_HINT,
        )
    offsets = _item_offsets(text)
    return [
        _Item(number, _where(path, text, offset), value)
        for number, (offset, value) in enumerate(zip(offsets, data, strict=True), start=1)
    ]


def _read_sources(path: Path) -> tuple[bytes, list[Source]]:
    """The sources file's bytes and records; an absent or empty file has none."""
    if not path.exists():
        return b"", []
    raw = read_regular(path)
    document = decode_yaml(raw, path)
    if document.data is None:  # only comments so far
        return raw, []
    return raw, sources_in(document)


def _read_text(path: Path) -> str:
    if not path.exists():
        raise BriefError(
            "no such file", Where(path), "pass the CSL-JSON file your reference manager exported"
        )
    return decode_utf8(read_regular(path), path)


def _item_offsets(text: str) -> list[int]:
    """Where each item of a JSON array starts; `text` is known to be a valid array."""
    decoder = json.JSONDecoder()
    offsets: list[int] = []
    position = _skip_space(text, 0) + 1  # past '['
    while True:
        position = _skip_space(text, position)
        if text[position] == "]":
            return offsets
        offsets.append(position)
        _, position = decoder.raw_decode(text, position)
        position = _skip_space(text, position)
        if text[position] == ",":
            position += 1


def _skip_space(text: str, position: int) -> int:
    while position < len(text) and text[position] in _JSON_SPACE:
        position += 1
    return position


def _where(path: Path, text: str, offset: int) -> Where:
    line = text.count("\n", 0, offset) + 1
    return Where(path, line, offset - text.rfind("\n", 0, offset))


def _check_items(items: list[_Item]) -> list[_Imported]:
    """Every item as a source; gather the problems of all items into one BriefError."""
    problems: list[Problem] = []
    imported: list[_Imported] = []
    first: dict[str, _Item] = {}
    for item in items:
        try:
            checked = _to_source(item)
        except BriefError as exc:
            problems += exc.problems
            continue
        source = checked.source
        identity = source.zotero_uri or source.citation_key or source.id
        earlier = first.setdefault(identity, item)
        if earlier is not item:
            problems.append(
                Problem(
                    f"item {item.number}: duplicate id {identity!r}",
                    item.where,
                    f"first given by item {earlier.number}, line {earlier.where.line}",
                )
            )
            continue
        imported.append(checked)
    if problems:
        raise BriefError(problems=problems)
    return imported


def _to_source(item: _Item) -> _Imported:
    """One export item as a checked source, or a BriefError saying what is wrong."""
    if not isinstance(item.value, dict):
        raise BriefError(
            f"item {item.number} is not an object", item.where, "each item is {...} with an id"
        )
    export_id = _export_id(item)
    record, ignored = _csl_to_record(item.value)
    key = record.get("citation-key")
    numbered = False  # an id such as 123, which says nothing to a reader
    if is_zotero_uri(export_id):
        record["zotero-uri"] = export_id.strip()
    elif not isinstance(key, str) or not key.strip():
        key = record["citation-key"] = export_id
        numbered = not isinstance(item.value["id"], str)
    wish = key_as_id(key) if isinstance(key, str) and not numbered else None
    record["id"] = wish or "pending"  # a made id needs the checked record: below
    try:
        source = Source.model_validate(record)
    except ValidationError as exc:
        label = f"item {item.number} ({export_id!r})"
        problems = [Problem(f"{label}: {sentence(error)}", item.where) for error in exc.errors()]
        raise BriefError(problems=problems) from exc
    if wish is None:
        source = source.model_copy(update={"id": readable_id(source)})
    if source.citation_key == source.id:  # the id says it: no need to say it twice
        source = source.model_copy(update={"citation_key": None})
    return _Imported(source, ignored, own_id=wish is not None and wish == key)


def _export_id(item: _Item) -> str:
    """The item's id as the export gives it: a URI, a citation key or an id (a number as text)."""
    if "id" not in item.value:
        raise BriefError(f"item {item.number} has no 'id'", item.where, "give every item an id")
    export_id = item.value["id"]
    if isinstance(export_id, int) and not isinstance(export_id, bool):
        return str(export_id)  # CSL-JSON allows a number
    if isinstance(export_id, str) and not export_id.strip():
        raise BriefError(f"item {item.number}: id is empty", item.where, "give every item an id")
    if not isinstance(export_id, str):
        raise BriefError(
            f"item {item.number}: id {export_id!r} is neither text nor a whole number",
            item.where,
            "give the item a text id such as 'smith-2021-gazette'",
        )
    return export_id


class _Known:
    """The records of the sources file, found by everything that tells an item is one of them."""

    def __init__(self, sources: list[Source]) -> None:
        self._by: dict[tuple[str, str], Source] = {}
        for source in sources:  # of duplicates, the first wins
            for clue in _clues(source, own_id=True):
                self._by.setdefault(clue, source)

    def record_of(self, item: _Imported) -> Source | None:
        """The record that is `item`, if the file has one."""
        for clue in _clues(item.source, own_id=item.own_id):
            if clue in self._by:
                return self._by[clue]
        return None


def _clues(source: Source, *, own_id: bool) -> list[tuple[str, str]]:
    """What identifies a source, surest first: its Zotero URI, key, id, DOI, URL, title."""
    clues = [("zotero-uri", source.zotero_uri), ("citation-key", source.citation_key)]
    if own_id:
        clues.append(("id", source.id))
    if source.DOI:
        clues.append(("DOI", _bare_doi(source.DOI)))
    if source.URL:
        clues.append(("URL", _bare_url(source.URL)))
    if source.issued:
        first = (source.author or source.editor or [Name()])[0].short()
        year = source.issued.start.year
        clues.append(("work", f"{_comparable(source.title).casefold()}|{year}|{first.casefold()}"))
    return [(kind, value) for kind, value in clues if value]


def _bare_doi(doi: str) -> str:
    """A DOI as matching compares it: without `https://doi.org/`, in lower case."""
    return re.sub(r"^https?://(dx\.)?doi\.org/", "", doi.strip(), flags=re.I).lower()


def _bare_url(url: str) -> str:
    """A URL as matching compares it: without a final '/'."""
    return url.strip().rstrip("/")


def _with_unique_ids(fresh: list[_Imported], taken: set[str]) -> list[_Imported]:
    """New items, made ids changed where needed so no two records share one.

    Kept ids (citation keys) are claimed first; made ids then take a '-b',
    '-c', ... suffix in export order, so the same export always gives the same ids.
    """
    claimed = taken | {item.source.id for item in fresh if item.own_id}
    result: list[_Imported] = []
    for item in fresh:
        if item.own_id:
            result.append(item)
            continue
        new_id = unique(item.source.id, claimed)
        claimed.add(new_id)
        source = item.source.model_copy(update={"id": new_id})
        result.append(_Imported(source, item.ignored, own_id=False))
    return result


def _csl_to_record(item: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The fields of a source record in an item, and the item's fields left out."""
    record: dict[str, Any] = {}
    ignored: list[str] = []
    for key, value in item.items():
        target = ALIASES.get(key, key)
        if key == "id":
            continue  # the caller decides the id
        if key in ALIASES and target in item:
            if item[target] != value:
                ignored.append(key)
        elif target in NAME_FIELDS:
            record[target] = _names(value, target, ignored)
        elif target in DATE_FIELDS:
            record[target] = _date(value, target, ignored)
        elif target in MODELLED:
            record[target] = value
        else:
            ignored.append(key)
    return record, ignored


def _names(value: Any, role: str, ignored: list[str]) -> Any:
    """CSL names as briefgen's: particles joined to the name, other name fields left out."""
    if not isinstance(value, list):
        return value  # validation says what is wrong
    names = []
    for name in value:
        if not isinstance(name, dict):
            names.append(name)
            continue
        kept = {k: v for k, v in name.items() if k in Name.model_fields}
        if name.get("non-dropping-particle"):  # "van" Gogh
            kept["family"] = _joined(name["non-dropping-particle"], name.get("family"))
        if name.get("dropping-particle"):  # Ludwig "van" Beethoven
            kept["given"] = _joined(name.get("given"), name["dropping-particle"])
        particles = {"non-dropping-particle", "dropping-particle"}
        for key in name:
            if key not in kept and key not in particles and f"{role}.{key}" not in ignored:
                ignored.append(f"{role}.{key}")
        names.append(kept)
    return names


def _joined(*parts: Any) -> str:
    return " ".join(str(part) for part in parts if part)


def _date(value: Any, name: str, ignored: list[str]) -> Any:
    """A CSL date object in the form briefgen reads: date-parts, else raw or literal text."""
    if not isinstance(value, dict):
        return value
    for key in value:
        if key not in DATE_FORMS:
            ignored.append(f"{name}.{key}")
    if "date-parts" in value:
        return {"date-parts": _without_seasons(value["date-parts"], name, ignored)}
    for form in DATE_FORMS[1:]:
        if form in value:
            return _year_of_text(value[form], f"{name}.{form}", ignored)
    return value


def _without_seasons(parts: Any, name: str, ignored: list[str]) -> Any:
    """Date parts with a season for a month (13-24, as citeproc writes it) cut to the year."""
    if not isinstance(parts, list):
        return parts
    kept = []
    for part in parts:
        season = isinstance(part, list) and len(part) > 1 and str(part[1]).isdigit()
        if season and int(part[1]) > 12:
            part = part[:1]
            if f"{name}.season" not in ignored:
                ignored.append(f"{name}.season")
        kept.append(part)
    return kept


def _year_of_text(text: Any, label: str, ignored: list[str]) -> Any:
    """A raw or literal date: as it is if briefgen reads it, else its one year, if it has one.

    'Spring 2023' keeps 2023 (and the loss is reported); text without a single
    year is left to validation, which says what is wrong.
    """
    if not isinstance(text, str):
        return text
    try:
        When.parse(text)
    except ValueError:
        years = set(re.findall(r"(?<!\d)\d{4}(?!\d)", text))
        if len(years) == 1:
            ignored.append(label)
            return years.pop()
    return text


def _compare(ours: Source, item: _Imported) -> tuple[list[Conflict], list[str]]:
    """Fields both give with different values, and fields only the export gives."""
    theirs = item.source
    if item.own_id:  # the id is the export's citation key: compare it as one
        theirs = theirs.model_copy(update={"citation_key": theirs.id})
    conflicts: list[Conflict] = []
    only_theirs: list[str] = []
    for name, info in Source.model_fields.items():
        key = info.alias or name
        if key == "id" or not _given(theirs, name):
            continue
        if key == "citation-key" and theirs.citation_key == ours.id:
            continue  # our id is the key
        mine, other = getattr(ours, name), getattr(theirs, name)
        if not _given(ours, name):
            only_theirs.append(key)
        elif _comparable(mine, key) != _comparable(other, key):
            conflicts.append(Conflict(ours.id, key, _shown(mine), _shown(other)))
    return conflicts, only_theirs


def _given(source: Source, name: str) -> bool:
    value = getattr(source, name)
    return name in source.model_fields_set and value is not None and value != []


def _comparable(value: Any, key: str = "") -> Any:
    """A value with the differences that do not matter taken out: runs of spaces, and
    what matching ignores in a DOI (case, `https://doi.org/`) and a URL (a final '/')."""
    if isinstance(value, str) and key in _BARE:
        return _BARE[key](value)
    if isinstance(value, str):
        return " ".join(value.split())
    if isinstance(value, list):
        return [tuple(_comparable(getattr(name, f)) for f in Name.model_fields) for name in value]
    return value


_BARE = {"DOI": _bare_doi, "URL": _bare_url}


def _shown(value: Any) -> str:
    if isinstance(value, list):
        return "; ".join(name.display(inverted=True) for name in value)
    return str(value)


def _appended(before: bytes, sources: list[Source]) -> bytes:
    """The new records as YAML text to add after `before`, one blank line between records."""
    if not sources:
        return b""
    text = "\n".join(_dump(_record(source)) for source in sources)
    ending = before.replace(b"\r\n", b"\n")
    if ending and not ending.endswith(b"\n"):
        text = "\n\n" + text
    elif ending.strip() and not ending.endswith(b"\n\n"):
        text = "\n" + text
    if b"\r\n" in before:
        text = text.replace("\n", "\r\n")
    return text.encode("utf-8")


def _record(source: Source) -> dict[str, Any]:
    """A source as the fields of a YAML record: only those given, dates as ISO text."""
    data = source.model_dump(mode="json", by_alias=True, exclude_unset=True, exclude_none=True)
    record = {key: value for key, value in data.items() if value != []}
    for key in DATE_FIELDS:
        if key in record:
            record[key] = _Plain(record[key])
    return record


class _Plain(str):
    """Text written without quotes where YAML allows it, as in `issued: 2023-02-27`."""


class _Dumper(SafeDumper):
    """briefgen's writer (quotes what either YAML would read as another value),
    indenting lists inside mappings as the hand-written fact files do."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        return super().increase_indent(flow, False)


def _represent_plain(dumper: yaml.SafeDumper, value: _Plain) -> yaml.ScalarNode:
    # Tagged as YAML would read it unquoted (2023 an int, 2023-02-27 a timestamp):
    # briefgen's reader and `When` accept both, and the emitter then needs no quotes.
    tag = dumper.resolve(yaml.ScalarNode, str(value), (True, False))
    return dumper.represent_scalar(tag, str(value))


def _represent_text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    """Text of several lines (Zotero's notes) as a literal block, as a person writes it;
    one line bare where both YAMLs read it as that text, else quoted (`"09"`, `"1e3"`)."""
    if "\n" in value:
        style: str | None = "|"
    else:
        style = None if reads_as_text(value) else '"'  # as briefgen's SafeDumper does
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(_Plain, _represent_plain)
_Dumper.add_representer(str, _represent_text)


def _dump(record: dict[str, Any]) -> str:
    return yaml.dump([record], Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=_NO_WRAP)


def _check_appended(after: bytes, path: Path, added: list[Source]) -> None:
    """Make sure the merged file reads back with the new records as its last ones.

    Appending relies on the file being a plain block list; one written as a
    flow list ('[...]') or ending in '...' would not take the new records.
    When the merged file does not read back, each record is read back on its
    own to tell a fault of the writer from the file's.
    """
    try:
        data = parse_yaml(after.decode("utf-8-sig"), path).data
        tail = data[-len(added) :] if isinstance(data, list) else []
        read_back = [Source.model_validate(record).model_dump() for record in tail]
    except (BriefError, ValidationError, TypeError):
        read_back = []
    if read_back == [source.model_dump() for source in added]:
        return
    for source in added:
        _check_reads_back(source, path)
    raise BriefError(
        f"cannot append records to {path.name}: it does not end as a plain list of records",
        Where(path),
        f"write {SOURCES_FILE} as a block list, each record starting '- id:'",
    )


def _check_reads_back(source: Source, path: Path) -> None:
    """Refuse a record whose YAML text would not read back as the record."""
    try:
        data = parse_yaml(_dump(_record(source)), path).data
        same = Source.model_validate(data[0]).model_dump() == source.model_dump()
        problem = "it reads back with other values"
    except BriefError as exc:
        same, problem = False, exc.problems[0].message
    except ValidationError as exc:
        same, problem = False, sentence(exc.errors()[0])
    if not same:
        raise BriefError(
            f"cannot append records to {path.name}: the records would not read back: "
            f"{source.id}: {problem}",
            Where(path),
            "nothing was written; this is a fault of the import, please report it",
        )
