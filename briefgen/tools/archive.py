"""`briefgen sources archive`: keep a source's text in the brief, and its digest in sources.yaml.

`plan_archive` gets the text (`fetch` for a URL; `extract` for an HTML page, a PDF or a text
file), works out the archived copy `<archive>/<id>.txt` and the source's new
`archived:` record, and writes nothing. `write_archive` then writes the copy,
then the sources file; if the sources file cannot be written (it changed
meanwhile, or the disk refuses), the copy is put back as it was, so a copy and
its recorded digest never disagree. The whole command runs under
`archive_lock`, one archive command per brief at a time.

The sources file is edited as text, at the lines the YAML reader reports, so
every other byte of it, comments included, stays as it was; the result is read
back, and every record must read back to exactly the value it had (every
field, as briefgen's YAML reader gives it), with only the new `archived:` one
added, before it is written. A keep-chomped block scalar (`|+`) that ends a
record keeps its trailing blank lines: the new block goes after them.

The copy is written only inside the project; an archive folder outside
it (shared with other briefs, say) is only read, and a copy already there can
have its digest recorded by passing that copy itself.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from briefgen.confine import is_inside, read_regular
from briefgen.dates import When, build_date
from briefgen.errors import BriefError, Where, closest, display_path
from briefgen.load import load_config, sources_in
from briefgen.model import Archived, Config, Folders, Source
from briefgen.tools.extract import Material, check_text, read_file, text_of
from briefgen.tools.fetch import fetch, is_url
from briefgen.tools.trace import UnknownSource
from briefgen.tools.verify import MAX_COPY_BYTES, sha256_of
from briefgen.write import output_lock, write_outputs
from briefgen.yamlread import Document, SafeDumper, decode_yaml

_NO_WRAP = 1 << 30
_FULL_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_KEEP_CHOMPED = re.compile(r"[|>]([1-9]?\+|\+[1-9])(\s|$)")
"""The header of a block scalar that keeps its trailing blank lines (`|+`, `>2+`)."""


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


@contextmanager
def archive_lock(config_path: Path) -> Iterator[None]:
    """Hold the brief for one archive command: a lock in the sources file's folder.

    A second archive command on the same brief fails at once instead of
    interleaving its copy and its record with this one's.
    """
    config = load_config(config_path)
    folders = Folders.of(config, config_path.parent)
    folder = _project_file(folders.sources, folders.root, config).resolve().parent
    with ExitStack() as stack:
        try:
            stack.enter_context(output_lock(folder))
        except BriefError as exc:
            if not exc.problems[0].message.startswith("another briefgen"):
                raise
            raise BriefError(
                "another briefgen command is editing this brief's sources",
                Where(folder),
                "wait for it to finish, then run this one again",
            ) from None
        yield


def retrieval_date(text: str, today: dt.date | None = None) -> When:
    """A --retrieved value: a full date, YYYY-MM-DD, not after `today`; ValueError if not."""
    if not _FULL_DATE.fullmatch(text.strip()):
        raise ValueError(f"{text!r} is not a full date: write YYYY-MM-DD")
    when = When.parse(text.strip())
    day = dt.date.fromisoformat(text.strip())
    today = today or dt.date.today()
    if day > today:
        raise ValueError(f"{text!r} is after today ({today.isoformat()})")
    return when


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
    _check_archive_folder(folders.archive, config)
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
    previous = _previous_copy(plan)
    if plan.text is not None:
        write_outputs(plan.copy.parent, {plan.copy.name: plan.text})
        written.append(plan.copy)
    try:
        if plan.after != plan.before:
            _check_unchanged(plan)
            target = plan.sources_path.resolve()
            write_outputs(target.parent, {target.name: plan.after})
            written.append(plan.sources_path)
    except BaseException:
        if plan.text is not None:
            _restore(plan.copy, previous)
        raise
    return written


def _previous_copy(plan: ArchivePlan) -> bytes | None:
    """The bytes of the copy about to be replaced, to put back if the record cannot be written."""
    if plan.text is None or not os.path.lexists(plan.copy):
        return None
    return read_regular(plan.copy, MAX_COPY_BYTES)


def _restore(copy: Path, previous: bytes | None) -> None:
    """Put the archived copy back as it was before `write_archive` wrote it."""
    if previous is None:
        copy.unlink(missing_ok=True)
    else:
        write_outputs(copy.parent, {copy.name: previous})


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
    keep = _ends_keep_chomped(lines, document, index)
    end = _record_end(lines, document, index, column, keep=keep)
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


def _check_archive_folder(archive: Path, config: Config) -> None:
    if os.path.exists(archive) and not archive.is_dir():
        setting = "archive" in config.model_fields_set
        raise BriefError(
            f"the archive folder {config.archive!r} is a file, not a folder",
            config.where("archive") if setting else Where(archive),
            "set 'archive:' in briefgen.yaml to a folder for the archived texts",
        )


def _check_inside(copy: Path, root: Path, config: Config) -> None:
    if is_inside(copy, [root]):
        return
    if os.path.islink(copy) and is_inside(copy.parent, [root]):
        raise BriefError(
            f"the archived copy {display_path(copy)} is a link to a file outside the project, "
            "so 'sources archive' will not write through it",
            Where(copy),
            "remove the link to write a new copy; or pass the file it links to, "
            "which records its sha256 only",
        )
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


def _record_end(
    lines: list[str], document: Document, index: int, column: int, *, keep: bool
) -> int:
    """The 0-based line after record `index`'s last line of content.

    With `keep` (the record ends in a keep-chomped block scalar, whose value
    holds the blank lines after it), the blank lines are not passed over.
    """
    following = document.marks.values.get((index + 1,)) if index + 1 < len(document.data) else None
    boundary = following[0] - 1 if following else len(lines)
    if keep:
        return boundary
    first = document.marks.values[(index,)][0]
    return _trimmed(lines, boundary, first, column)


def _ends_keep_chomped(lines: list[str], document: Document, index: int) -> bool:
    """True when the record's last value is a block scalar written `|+` or `>+`."""
    marks = [
        position
        for path, position in document.marks.values.items()
        if len(path) > 1 and path[0] == index
    ]
    if not marks:
        return False
    line, column = max(marks)
    return bool(_KEEP_CHOMPED.match(lines[line - 1][column - 1 :]))


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
    lines = ["archived:", "  " + _field("sha256", record.sha256)]
    if record.retrieved is not None:
        lines.append(f"  retrieved: {record.retrieved}")
    if record.origin is not None:
        lines.append("  " + _field("origin", record.origin))
    return [line + newline for line in lines]


def _field(name: str, value: str, *, flow: bool = False) -> str:
    """`name: value` as briefgen's SafeDumper writes it: quoted if YAML would read another value."""
    dumped = yaml.dump(
        {name: value},
        Dumper=SafeDumper,
        allow_unicode=True,
        width=_NO_WRAP,
        default_flow_style=flow,
    ).rstrip("\n")
    return dumped[1:-1] if flow else dumped


def hand_record(record: Archived) -> str:
    """The `archived:` record on one line, as a user would add it by hand."""
    fields = [_field("sha256", record.sha256, flow=True)]
    if record.retrieved is not None:
        fields.append(f"retrieved: {record.retrieved}")
    if record.origin is not None:
        fields.append(_field("origin", record.origin, flow=True))
    return f"archived: {{{', '.join(fields)}}}"


def _check_read_back(after: bytes, document: Document, index: int, record: Archived) -> None:
    """The edited file must parse to the same records, with `record` in source `index`."""
    path = document.marks.file
    try:
        read_back = decode_yaml(after, path)
        edited = sources_in(read_back)
    except (BriefError, ValidationError) as exc:
        raise _cannot_edit(path, record, "the edited file would not read back") from exc
    same = _without_archived(read_back.data, index) == _without_archived(document.data, index)
    archived = edited[index].archived
    if not same or archived is None or archived.model_dump() != record.model_dump():
        raise _cannot_edit(path, record, "the edited file would not read back as it should")


def _without_archived(data: Any, index: int) -> Any:
    """Every record's value as read, with record `index`'s `archived` field left out."""
    if not isinstance(data, list) or not isinstance(data[index], dict):
        return data
    records = list(data)
    records[index] = {key: value for key, value in data[index].items() if key != "archived"}
    return records


def _cannot_edit(path: Path, record: Archived, why: str) -> BriefError:
    return BriefError(
        f"cannot add the archived record to {path.name}: {why}",
        Where(path),
        "the archived copy was not written either: write the record one field a line and run "
        f"the command again, or add this to the record by hand: {hand_record(record)}",
    )


def _check_unchanged(plan: ArchivePlan) -> None:
    if read_regular(plan.sources_path) != plan.before:
        raise BriefError(
            f"{plan.sources_path.name} changed since the archive command read it",
            Where(plan.sources_path),
            "run the command again",
        )
