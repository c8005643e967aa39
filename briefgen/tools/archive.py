"""`briefgen sources archive`: keep a source's text in the brief, and its digest in sources.yaml.

`plan_archive` gets the text (`extract`: a URL, an HTML page, a PDF or a text
file), works out the archived copy `<archive>/<id>.txt` and the source's new
`archived:` record, and writes nothing. `write_archive` then writes both
atomically, refusing if the sources file changed meanwhile.

The sources file is edited as text, at the lines the YAML reader reports, so
every other byte of it, comments included, stays as it was; the result is read
back, and must give the same records with the new `archived:` one, before it is
written. The copy is written only inside the project; an archive folder outside
it (shared with other briefs, say) is only read, and a copy already there can
have its digest recorded by passing that copy itself.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import ValidationError

from briefgen.confine import is_inside, read_regular
from briefgen.dates import When, build_date
from briefgen.errors import BriefError, Where, closest, display_path
from briefgen.load import load_config, sources_in
from briefgen.model import Archived, Config, Folders, Source
from briefgen.tools.extract import Material, check_text, fetch, is_url, read_file, text_of
from briefgen.tools.trace import UnknownSource
from briefgen.tools.verify import MAX_COPY_BYTES, sha256_of
from briefgen.write import write_outputs
from briefgen.yamlread import Document, decode_yaml

_NO_WRAP = 1 << 30
_NUMBER_LIKE = re.compile(r"[0-9]+(e[0-9]+)?")
"""Hex digits YAML would read as a number (1.2 reads 12e34 as a float): quoted when written."""


@dataclass(frozen=True)
class ArchivePlan:
    """What archiving a source would write: the copy (unless it is there already) and the record."""

    source_id: str
    copy: Path
    """The archived copy, `<archive>/<id>.txt`."""
    text: bytes | None
    """The copy's new bytes; None when the copy already holds them."""
    replaces: bool
    """True when an existing, different copy is to be replaced (--force)."""
    record: Archived
    sources_path: Path
    before: bytes
    after: bytes

    @property
    def sha256(self) -> str:
        return self.record.sha256


def plan_archive(
    config_path: Path,
    source_id: str,
    given: str,
    *,
    retrieved: When | None = None,
    force: bool = False,
    today: dt.date | None = None,
) -> ArchivePlan:
    """Archive source `source_id` from `given` (a URL or a file): work out what to write.

    The retrieval date is `retrieved`, else `today` (by default the build
    date: today, or SOURCE_DATE_EPOCH's date when set) for a fetched or copied
    text. When `given` is the archived copy itself, only its digest is
    recorded, with the date and origin the record already holds: nothing is
    invented. Raise UnknownSource for an id not in the sources file.
    """
    config = load_config(config_path)
    folders = Folders.of(config, config_path.parent)
    sources_path = _project_file(folders.sources, folders.root, config)
    before = read_regular(sources_path)
    document = decode_yaml(before, sources_path)
    sources = sources_in(document)
    index = _index_of(sources, source_id)
    copy = folders.archive / f"{source_id}.txt"
    if not is_url(given) and _same_file(Path(given), copy):
        raw = read_regular(copy, MAX_COPY_BYTES)
        check_text(Material(raw, "text", copy.name, path=copy))
        earlier = sources[index].archived
        record = Archived(
            sha256=sha256_of(raw),
            retrieved=retrieved or (earlier.retrieved if earlier else None),
            origin=earlier.origin if earlier else None,
        )
        text: bytes | None = None
        replaces = False
    else:
        _check_inside(copy, folders.root, config)  # before any request is made
        material = fetch(given) if is_url(given) else read_file(Path(given))
        data = _encoded(text_of(material), material)
        text, replaces = _against_existing(copy, data, force)
        record = Archived(
            sha256=sha256_of(data),
            retrieved=retrieved or When.parse((today or build_date()).isoformat()),
            origin=_origin(material),
        )
    after = with_archived(before, document, index, record)
    return ArchivePlan(source_id, copy, text, replaces, record, sources_path, before, after)


def write_archive(plan: ArchivePlan) -> list[Path]:
    """Write the copy and the sources file atomically; return the files written.

    Refuse if the sources file changed since `plan_archive` read it.
    """
    written: list[Path] = []
    _check_unchanged(plan)
    if plan.text is not None:
        write_outputs(plan.copy.parent, {plan.copy.name: plan.text})
        written.append(plan.copy)
    if plan.after != plan.before:
        _check_unchanged(plan)
        target = plan.sources_path.resolve()
        write_outputs(target.parent, {target.name: plan.after})
        written.append(plan.sources_path)
    return written


def with_archived(before: bytes, document: Document, index: int, record: Archived) -> bytes:
    """The sources file's bytes with record `index`'s `archived:` block replaced or added.

    Only that block's lines change. The result is read back: it must hold the
    same records as before, with `record` as that source's `archived`.
    """
    bom = "\ufeff" if before.startswith(b"\xef\xbb\xbf") else ""
    text = before.decode("utf-8-sig")
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.splitlines(keepends=True)
    marks = document.marks
    path = marks.file
    line, column = marks.values[(index,)]
    if lines[line - 1][column - 1 :].startswith("{"):
        raise _cannot_edit(path, record, f"record {index + 1} is written as {{...}} on one line")
    indent = " " * (column - 1)
    end = _record_end(lines, document, index, column)
    block = _block(record, newline)
    if (index, "archived") in marks.keys:
        key_line, key_column = marks.keys[(index, "archived")]
        start = key_line - 1
        stop = _trimmed(lines, _next_key(document, index, key_line, end), start + 1, column)
        head = lines[start][: key_column - 1]  # the record's indentation, or '- '
        lines[start:stop] = [head + block[0], *(indent + part for part in block[1:])]
    else:
        if not lines[end - 1].endswith(("\n", "\r")):
            lines[end - 1] += newline
        lines[end:end] = [indent + part for part in block]
    after = (bom + "".join(lines)).encode("utf-8")
    _check_read_back(after, document, index, record)
    return after


def _project_file(path: Path, root: Path, config: Config) -> Path:
    if not is_inside(path, [root]):
        raise BriefError(
            f"the sources file {display_path(path)} lies outside the project",
            config.where("facts") if "facts" in config.model_fields_set else Where(path),
            "'sources archive' writes only inside the project: keep the fact folder there",
        )
    return path


def _index_of(sources: list[Source], source_id: str) -> int:
    for index, source in enumerate(sources):
        if source.id == source_id:
            return index
    raise UnknownSource(source_id, closest(source_id, [s.id for s in sources]))


def _same_file(given: Path, copy: Path) -> bool:
    """True when the file given is the archived copy itself (symlinks followed)."""
    return os.path.lexists(given) and given.resolve() == copy.resolve()


def _check_inside(copy: Path, root: Path, config: Config) -> None:
    if is_inside(copy, [root]):
        return
    setting = "archive" in config.model_fields_set
    raise BriefError(
        f"the archive folder {config.archive!r} lies outside the project, so "
        f"'sources archive' will not write {copy.name} there",
        config.where("archive") if setting else Where(copy),
        "put the text there yourself and pass that file, which records its sha256 only; "
        "or set 'archive:' to a folder inside the project",
    )


def _encoded(text: str, material: Material) -> bytes:
    data = text.encode("utf-8")
    if len(data) > MAX_COPY_BYTES:
        raise material.refused(
            f"its text is larger than {MAX_COPY_BYTES // (1024 * 1024)} MiB, "
            "more than verify-quotes reads",
            "archive a shorter text, such as the article alone",
        )
    return data


def _against_existing(copy: Path, text: bytes, force: bool) -> tuple[bytes | None, bool]:
    """(bytes to write or None if the copy holds them already, whether a copy is replaced)."""
    if not os.path.lexists(copy):
        return text, False
    if read_regular(copy, MAX_COPY_BYTES) == text:
        return None, False
    if not force:
        raise BriefError(
            "an archived copy with a different text is already here",
            Where(copy),
            "pass --force to replace it; quotes verified against the old text may then miss",
        )
    return text, True


def _origin(material: Material) -> str | None:
    """The URL or file name the text came from; left out if it is not plain text."""
    origin = material.origin
    if not origin or any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in origin):
        return None
    return origin[:2000]


def _next_key(document: Document, index: int, after_line: int, end: int) -> int:
    """The 0-based line of record `index`'s next key after `after_line`, else `end`."""
    later = [
        line - 1
        for path, (line, _) in document.marks.keys.items()
        if len(path) == 2 and path[0] == index and line > after_line
    ]
    return min([*later, end])


def _record_end(lines: list[str], document: Document, index: int, column: int) -> int:
    """The 0-based line after record `index`'s last line of content."""
    following = document.marks.values.get((index + 1,)) if index + 1 < len(document.data) else None
    boundary = following[0] - 1 if following else len(lines)
    first = document.marks.values[(index,)][0]
    return _trimmed(lines, boundary, first, column)


def _trimmed(lines: list[str], stop: int, floor: int, column: int) -> int:
    """`stop` moved up past blank lines, the record's own comments, a lone '-' and '...'."""
    while stop > floor and _between_records(lines[stop - 1], column):
        stop -= 1
    return stop


def _between_records(line: str, column: int) -> bool:
    stripped = line.strip()
    indent = len(line) - len(line.lstrip())
    if not stripped or stripped in ("-", "...", "---"):
        return True
    return stripped.startswith("#") and indent <= column - 1


def _block(record: Archived, newline: str) -> list[str]:
    """The `archived:` block's lines, without the record's indentation, ending in `newline`."""
    digest = record.sha256
    shown = f'"{digest}"' if _NUMBER_LIKE.fullmatch(digest) else digest
    lines = ["archived:", f"  sha256: {shown}"]
    if record.retrieved is not None:
        lines.append(f"  retrieved: {record.retrieved}")
    if record.origin is not None:
        dumped = yaml.safe_dump(
            {"origin": record.origin}, allow_unicode=True, width=_NO_WRAP, default_flow_style=False
        )
        lines.append("  " + dumped.rstrip("\n"))
    return [line + newline for line in lines]


def _check_read_back(after: bytes, document: Document, index: int, record: Archived) -> None:
    """The edited file must parse to the same records, with `record` in source `index`."""
    path = document.marks.file
    try:
        edited = sources_in(decode_yaml(after, path))
    except (BriefError, ValidationError) as exc:
        raise _cannot_edit(path, record, "the edited file would not read back") from exc
    wanted = [s.model_dump() for s in sources_in(document)]
    wanted[index]["archived"] = record.model_dump()
    if [s.model_dump() for s in edited] != wanted:
        raise _cannot_edit(path, record, "the edited file would not read back as it should")


def _cannot_edit(path: Path, record: Archived, why: str) -> BriefError:
    return BriefError(
        f"cannot add the archived record to {path.name}: {why}",
        Where(path),
        f"add it to the source's record by hand: 'archived: {{sha256: {record.sha256}}}'",
    )


def _check_unchanged(plan: ArchivePlan) -> None:
    if read_regular(plan.sources_path) != plan.before:
        raise BriefError(
            f"{plan.sources_path.name} changed since the archive command read it",
            Where(plan.sources_path),
            "run the command again",
        )
