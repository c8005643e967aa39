"""The build manifest: what every output was made from, for incremental builds and the changes box.

`out/manifest.json` records, for each output file, its audience and format, its
own sha256, the sha256 of every input it was made from (the configuration, each
fact file, each template and stylesheet on the search path, briefgen's version
and the build date) and a digest of each fact it shows. A later build skips an
audience whose inputs and outputs still match, and compares fact digests to
say what changed since the previous version.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path

from briefgen import __version__
from briefgen.confine import BUILTIN_TEMPLATES, is_inside, read_regular
from briefgen.errors import BriefError, Where
from briefgen.model import Brief, Fact
from briefgen.select import Selection

MANIFEST = "manifest.json"
FORMAT = 1
"""Version of the manifest's layout; a manifest of another version is ignored."""
_REVIEW_ONLY = {"reviewed"}
"""Fact fields whose change is not a change of the fact (a review date)."""


@dataclass(frozen=True)
class OutputRecord:
    """One output file and everything it was made from."""

    audience: str
    format: str
    sha256: str
    built: str
    inputs: dict[str, str]
    facts: dict[str, str]
    pages: int | None = None
    key: str = ""


@dataclass(frozen=True)
class Manifest:
    outputs: dict[str, OutputRecord] = field(default_factory=dict)

    def for_audience(self, audience: str) -> OutputRecord | None:
        """The record of the audience's previous build, if there is one."""
        return next((r for r in self.outputs.values() if r.audience == audience), None)

    def to_bytes(self) -> bytes:
        data = {
            "manifest": FORMAT,
            "briefgen": __version__,
            "outputs": {name: asdict(record) for name, record in sorted(self.outputs.items())},
        }
        return (json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()


def read_manifest(path: Path) -> Manifest:
    """The manifest at `path`; an empty one if there is none or it is of another version.

    Anything else that is not a manifest briefgen wrote (not a regular file,
    too large, not JSON, or JSON of the wrong shape) is a BriefError naming the file.
    """
    if not os.path.lexists(path):
        return Manifest()
    try:
        data = json.loads(read_regular(path, limit=_LARGEST).decode("utf-8"))
    except BriefError as exc:  # a folder, a FIFO, a broken link, too large
        raise _unreadable(path, exc.problems[0].message) from None
    except json.JSONDecodeError as exc:
        raise _unreadable(path, "it is not valid JSON", exc.lineno) from None
    except UnicodeDecodeError:
        raise _unreadable(path, "it is not UTF-8 text") from None
    except ValueError:  # a number too long to convert, say
        raise _unreadable(path, "it holds a value briefgen cannot read") from None
    except RecursionError:
        raise _unreadable(path, "it is nested too deeply") from None
    except MemoryError:
        raise _unreadable(path, "it is too large to read") from None
    if isinstance(data, dict) and _is_other_version(data.get("manifest")):
        return Manifest()
    try:
        return Manifest(_outputs(data))
    except _NotAManifest as exc:
        raise BriefError(
            f"the manifest is not one briefgen wrote: {exc}", Where(path), _HINT
        ) from None


_HINT = "delete it; the next build writes a new one"
_LARGEST = 64 * 1024**2
"""Bytes a manifest may have: far more than any real one, little enough to read safely."""
_TEXT_FIELDS = ("audience", "format", "sha256", "built")
_DIGEST_FIELDS = ("inputs", "facts")
_OPTIONAL_FIELDS = ("pages", "key")


class _NotAManifest(Exception):
    """What is wrong with a manifest file, in plain words."""


def _unreadable(path: Path, reason: str, line: int | None = None) -> BriefError:
    return BriefError(f"cannot read the manifest: {reason}", Where(path, line), _HINT)


def _is_other_version(version: object) -> bool:
    return type(version) is int and version != FORMAT


def _outputs(data: object) -> dict[str, OutputRecord]:
    """The output records of a parsed manifest; _NotAManifest says what is wrong with it."""
    if not isinstance(data, dict):
        raise _NotAManifest(f"it should be a set of named values, not {_kind(data)}")
    if type(data.get("manifest")) is not int:
        raise _NotAManifest('it has no "manifest" version number')
    outputs = data.get("outputs")
    if not isinstance(outputs, dict):
        raise _NotAManifest(f'"outputs" should name each output file, not be {_kind(outputs)}')
    return {name: _record(name, record) for name, record in outputs.items()}


def _record(name: str, record: object) -> OutputRecord:
    if not isinstance(record, dict):
        raise _NotAManifest(
            f'the entry for "{name}" should be a set of fields, not {_kind(record)}'
        )
    unknown = sorted(set(record) - {*_TEXT_FIELDS, *_DIGEST_FIELDS, *_OPTIONAL_FIELDS})
    if unknown:
        raise _NotAManifest(f'the entry for "{name}" has an unknown field "{unknown[0]}"')
    for key in (*_TEXT_FIELDS, *_DIGEST_FIELDS):
        if key not in record:
            raise _NotAManifest(f'the entry for "{name}" has no "{key}"')
    for key in _TEXT_FIELDS:
        _expect_text(record[key], f'"{key}" of "{name}"')
    _expect_text(record.get("key", ""), f'"key" of "{name}"')
    for key in _DIGEST_FIELDS:
        _expect_digests(record[key], f'"{key}" of "{name}"')
    if not _is_date(record["built"]):
        raise _NotAManifest(f'"built" of "{name}" should be a date such as 2026-11-29')
    pages = record.get("pages")
    if pages is not None and (type(pages) is not int or pages < 0):
        raise _NotAManifest(f'"pages" of "{name}" should be a page count, not {_kind(pages)}')
    return OutputRecord(**record)


def _is_date(text: str) -> bool:
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _expect_text(value: object, what: str) -> None:
    if not isinstance(value, str):
        raise _NotAManifest(f"{what} should be text, not {_kind(value)}")


def _expect_digests(value: object, what: str) -> None:
    if not isinstance(value, dict):
        raise _NotAManifest(f"{what} should name each digest, not be {_kind(value)}")
    for name, digest in value.items():
        _expect_text(digest, f'"{name}" in {what}')


def _kind(value: object) -> str:
    """A JSON value's kind in plain words."""
    if value is None:
        return "empty (null)"
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int | float):
        if isinstance(value, int) and value < 0:
            return "a negative number"
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    return "a set of named values"


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def input_digests(brief: Brief, template_dirs: Iterable[Path], build_date: str) -> dict[str, str]:
    """sha256 of every file an audience may be made from, plus briefgen's version and the date.

    Of the template folders, only regular files that lie inside them count: a
    link that leads elsewhere, or a FIFO, is never read (the template loader
    refuses it if a template asks for it).
    """
    digests = {"briefgen": __version__, "build date": build_date}
    config_path = brief.config.where()
    if config_path is not None:
        digests[_name(config_path.file, brief.root)] = _file_digest(config_path.file)
    # The fact files the load stage read (and confined); nothing else in the folder.
    read = [brief.folders.sources]
    read += [where.file for topic in brief.topics if (where := topic.where()) is not None]
    for path in read:
        digests[_name(path, brief.root)] = _file_digest(path)
    roots = list(template_dirs)  # what the template loader serves
    for folder in template_dirs:
        for path in _files(folder):
            if is_inside(path, roots) and path.is_file():
                digests[_name(path, brief.root)] = _file_digest(path)
    return digests


def audience_inputs(
    inputs: Mapping[str, str], brief: Brief, selection: Selection, used: Iterable[Path]
) -> dict[str, str]:
    """The inputs one audience was made from: shared settings, its topics' files, its templates.

    An audience's manifest entry names no file holding material it withholds:
    an internal topic's file stays out of the public audience's entry, and so
    does a topic file mixing public and internal facts (a digest of it would
    let a reader test a guess at the internal text). Their facts are covered
    by the digests of the facts the audience shows.
    """
    facts_dir = brief.folders.facts
    shared = {"briefgen", "build date", _name(facts_dir / "sources.yaml", brief.root)}
    if (config := brief.config.where()) is not None:
        shared.add(_name(config.file, brief.root))
    withholding = {
        _name(where.file, brief.root)
        for record in [*selection.withheld, *selection.withheld_members]
        if (where := record.where()) is not None
    }
    topics = {
        name
        for section in selection.sections
        if (where := section.topic.where()) is not None
        and (name := _name(where.file, brief.root)) not in withholding
    }
    templates = {_name(path, brief.root) for path in used}
    wanted = shared | topics | templates
    return {name: digest for name, digest in inputs.items() if name in wanted}


def _files(folder: Path) -> list[Path]:
    """Every file under `folder`, in name order, without following linked folders."""
    found = []
    for parent, subfolders, names in os.walk(folder):
        subfolders[:] = sorted(name for name in subfolders if name != "__pycache__")
        found += [Path(parent, name) for name in names]
    return sorted(found)


def fact_digests(facts: Iterable[Fact]) -> dict[str, str]:
    """A digest of each fact's content, its review date aside.

    Only ids and digests go into the manifest, never fact text.
    """
    return {
        fact.id: sha256(
            json.dumps(
                fact.model_dump(mode="json", by_alias=True, exclude=_REVIEW_ONLY),
                sort_keys=True,
                ensure_ascii=False,
            ).encode()
        )
        for fact in facts
    }


def audience_key(
    brief: Brief,
    selection: Selection,
    facts: Mapping[str, str],
    inputs: Mapping[str, str],
    name: str,
) -> str:
    """One digest of everything an audience's output depends on, and nothing else.

    It takes the shared inputs (configuration, sources, templates, version,
    date) but, from the topic files, only what the audience shows: its topics'
    titles and summaries, its membership rows and its facts. Editing a fact
    that an audience does not see leaves that audience's key, and its files, alone.
    `facts` is the `fact_digests` of the facts the audience shows.
    """
    topic_files = {
        _name(where.file, brief.root)
        for topic in brief.topics
        if (where := topic.where()) is not None
    }
    shown = {
        "audience": name,
        "inputs": {k: v for k, v in inputs.items() if k not in topic_files},
        "topics": [
            {
                **section.topic.model_dump(
                    mode="json", include={"id", "title", "order", "summary"}
                ),
                "members": [m.model_dump(mode="json", by_alias=True) for m in section.members],
            }
            for section in selection.sections
        ],
        "facts": dict(facts),
    }
    return sha256(json.dumps(shown, sort_keys=True, ensure_ascii=False).encode())


@dataclass(frozen=True)
class Changes:
    """What an audience shows that its previous build did not, and the reverse."""

    since: str
    added: list[Fact]
    changed: list[Fact]
    removed: list[str]

    @property
    def any(self) -> bool:
        return bool(self.added or self.changed or self.removed)


def changes_since(
    previous: OutputRecord, shown: Mapping[str, str], facts: Mapping[str, Fact]
) -> Changes:
    """Compare the fact digests an audience shows now with those of its previous build.

    Added and changed facts are returned as facts (the audience shows them);
    removed ones only by id, since their text is no longer the audience's to show.
    """
    before = previous.facts
    return Changes(
        since=previous.built,
        added=[facts[i] for i in shown if i not in before],
        changed=[facts[i] for i in shown if i in before and before[i] != shown[i]],
        removed=sorted(i for i in before if i not in shown),
    )


def _file_digest(path: Path) -> str:
    return sha256(read_regular(path))


def _name(path: Path, root: Path) -> str:
    """A stable name for an input: relative to the project, marked as built in, or as outside."""
    resolved = path.resolve()
    if resolved.is_relative_to(root.resolve()):
        return resolved.relative_to(root.resolve()).as_posix()
    builtin = BUILTIN_TEMPLATES.resolve()
    if resolved.is_relative_to(builtin):
        return "briefgen:" + resolved.relative_to(builtin.parent).as_posix()
    return "outside:" + resolved.as_posix()  # a folder the user allowed with --allow-outside
