"""Load stage: YAML files -> typed records that remember their file:line.

`load_config` reads `briefgen.yaml`; `load_brief` reads the sources file and
every topic file of the fact folder. Problems in several files are gathered and
raised together as one BriefError, one problem per line.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any, TypeVar, get_args, get_origin

from pydantic import BaseModel, ValidationError

from briefgen.cache import cached
from briefgen.confine import OUTSIDE_HINT, confined, is_inside, read_regular
from briefgen.errors import BriefError, Problem, Where, did_you_mean
from briefgen.invalid import merged, sentence
from briefgen.model import (
    SOURCES_FILE,
    Archived,
    AudienceSettings,
    Brief,
    Citation,
    Config,
    Fact,
    Folders,
    Limits,
    Located,
    Member,
    Name,
    Period,
    Source,
    Topic,
    Version,
)
from briefgen.yamlread import Document, Marks, decode_yaml, read_yaml

CONFIG_FILE = "briefgen.yaml"

M = TypeVar("M", bound=Located)

_RECORDS: dict[type[BaseModel], str] = {
    Config: "the configuration",
    AudienceSettings: "an audience",
    Limits: "'limits'",
    Source: "a source",
    Archived: "a source's 'archived' record",
    Name: "a name",
    Topic: "a topic (the top level of its file)",
    Fact: "a fact",
    Version: "a version",
    Citation: "a citation",
    Member: "a membership row",
    Period: "a period",
}
"""Each record as an error names it."""


def fields_of(model: type[BaseModel]) -> dict[str, Any]:
    """A record's fields by the name a file writes them with, and their types."""
    return {field.alias or name: field.annotation for name, field in model.model_fields.items()}


def _records_in(annotation: Any) -> list[type[BaseModel]]:
    """The record types a field's type holds: `list[Citation] | None` -> [Citation]."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [found for arg in get_args(annotation) for found in _records_in(arg)]


def _family(root: type[BaseModel]) -> list[type[BaseModel]]:
    """`root` and every record type nested in it, outermost first."""
    found = [root]
    for model in found:
        for annotation in fields_of(model).values():
            found += [inner for inner in _records_in(annotation) if inner not in found]
    return found


def record_at(root: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The record type at a pydantic location inside `root`: ('facts', 0) of a Topic -> Fact."""
    model: type[BaseModel] | None = root
    at = 0
    while at < len(loc):
        fields = fields_of(model) if model is not None else {}
        if loc[at] not in fields:
            return None
        annotation = fields[loc[at]]
        inner = _records_in(annotation)
        model = inner[0] if len(inner) == 1 else None
        at += 1 + _nesting(annotation)  # past the list indexes and mapping keys
    return model


def _nesting(annotation: Any) -> int:
    """How many list indexes or mapping keys lead to a record: `dict[Id, X]` -> 1."""
    args = [arg for arg in get_args(annotation) if arg is not type(None)]
    origin = get_origin(annotation)
    if origin in (list, dict):
        return 1 + _nesting(args[-1])
    if len(args) == 1 and origin is not Annotated:
        return _nesting(args[0])  # X | None
    return 0


def load_config(path: Path) -> Config:
    """Read and check a brief's configuration file."""
    if not path.is_file():
        raise BriefError(
            f"no configuration file {path.name!r} here",
            Where(path),
            "pass --config PATH, or start a brief with 'briefgen init DIR'",
        )
    document = read_yaml(path)
    return _to_model(Config, document, ())


def load_brief(
    config_path: Path, config: Config | None = None, *, allow_outside: bool = False
) -> Brief:
    """Load the configuration (unless given), the sources and every topic of a brief.

    The fact, template and output folders must lie inside the project (the
    configuration's folder), symlinks followed, unless `allow_outside`; every
    fact file must too.
    """
    config = config or load_config(config_path)
    root = config_path.parent
    folders = Folders.of(config, root)
    outside = _outside_folders(config, folders, allow_outside)
    _check_template_folder(config, folders)
    if not folders.facts.is_dir():
        raise BriefError(
            f"fact folder {config.facts!r} does not exist",
            config.where("facts"),
            "set 'facts:' in the configuration to the folder holding sources.yaml",
        )
    roots = (root, *outside)
    problems: list[Problem] = []
    sources = _collect(problems, lambda: load_sources(_confined(folders.sources, roots))) or []
    topics: list[Topic] = []
    for path in topic_files(folders.facts):
        topic = _collect(problems, lambda p=path: _load_topic(_confined(p, roots)))
        if topic is not None:
            topics.append(topic)
    if problems:
        raise BriefError(problems=problems)
    default = config.default_handling or config.handling[-1]
    for topic in topics:
        records: list[Fact | Member] = [*topic.facts, *topic.membership]
        for record in records:
            if record.handling is None:
                record.handling = default
    topics.sort(key=lambda t: (t.order, t.id))
    return Brief(root=root, config=config, sources=sources, topics=topics, outside=outside)


def _outside_folders(config: Config, folders: Folders, allow_outside: bool) -> tuple[Path, ...]:
    """The configured folders that lie outside the project: refused, or allowed and returned."""
    outside = []
    for setting in ("facts", "templates", "output"):
        folder: Path = getattr(folders, setting)
        if is_inside(folder, [folders.root]):
            continue
        if not allow_outside:
            raise BriefError(
                f"'{setting}: {getattr(config, setting)}' leads outside the project",
                config.where(setting),
                OUTSIDE_HINT,
            )
        outside.append(folder.resolve())
    return tuple(outside)


def _check_template_folder(config: Config, folders: Folders) -> None:
    """The template folder must not share files with the fact or output folder.

    Templates can include any file of their folder: one that holds the fact
    files could print withheld material raw.
    """
    templates = folders.templates.resolve()
    for setting in ("facts", "output"):
        other = getattr(folders, setting).resolve()
        if templates.is_relative_to(other) or other.is_relative_to(templates):
            raise BriefError(
                f"'templates: {config.templates}' overlaps the {setting} folder",
                config.where("templates"),
                "keep templates in a folder of their own, such as templates/",
            )


def _confined(path: Path, roots: tuple[Path, ...]) -> Path:
    """A fact file's path, if it (symlinks followed) lies inside `roots`; it is read as named."""
    if os.path.lexists(path):
        confined(path, roots, "this fact file")
    return path


def _load_topic(path: Path) -> Topic:
    raw = read_regular(path)
    return _to_model(Topic, cached(path, raw, lambda: decode_yaml(raw, path)), ())


def topic_files(facts_dir: Path) -> list[Path]:
    """The topic files of a fact folder, in name order: every *.yaml and *.yml but sources.yaml.

    Entries that are not regular files (folders, FIFOs, broken links) are listed
    too, so that reading them reports them rather than skipping them silently.
    Only Emacs's lock links (.#name.yaml, dangling while a file is being edited)
    are left out.
    """
    files = [*facts_dir.glob("*.yaml"), *facts_dir.glob("*.yml")]
    return sorted(p for p in files if p.name != SOURCES_FILE and not p.name.startswith(".#"))


def load_sources(path: Path) -> list[Source]:
    """Read a sources file: a list of source records."""
    if not path.is_file():
        raise BriefError(
            f"no {SOURCES_FILE} in the fact folder",
            Where(path),
            "list the sources the facts cite in this file",
        )
    return sources_in(read_yaml(path))


def sources_in(document: Document) -> list[Source]:
    """The source records of a parsed sources file."""
    if not isinstance(document.data, list):
        raise BriefError(
            f"{SOURCES_FILE} must be a list of source records",
            document.marks.where(()),
            "start each record with '- id: ...'",
        )
    problems: list[Problem] = []
    sources = []
    for index in range(len(document.data)):
        source = _collect(problems, lambda i=index: _to_model(Source, document, (i,)))
        if source is not None:
            sources.append(source)
    if problems:
        raise BriefError(problems=problems)
    return sources


def _collect(problems: list[Problem], step: Any) -> Any:
    try:
        return step()
    except BriefError as exc:
        problems.extend(exc.problems)
        return None


def _to_model(model: type[M], document: Document, path: tuple[int, ...]) -> M:
    data: Any = document.data
    for part in path:
        data = data[part]
    if data is None:
        raise BriefError(
            "file is empty",
            document.marks.where(path),
            f"expected a {model.__name__.lower()} mapping",
        )
    try:
        record = model.model_validate(data)
    except ValidationError as exc:
        errors = merged(exc.errors())
        problems = [_problem(error, document.marks, path, model) for error in errors]
        raise BriefError(problems=problems) from exc
    _bind(record, document.marks, path)
    return record


def _bind(value: Any, marks: Marks, path: tuple[Any, ...]) -> None:
    if isinstance(value, Located):
        value.bind(marks, path)
        for name, field in type(value).model_fields.items():
            _bind(getattr(value, name), marks, (*path, field.alias or name))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _bind(item, marks, (*path, index))
    elif isinstance(value, dict):
        for key, item in value.items():
            _bind(item, marks, (*path, key))


def _problem(
    error: Any, marks: Marks, base: tuple[Any, ...], model: type[BaseModel] | None = None
) -> Problem:
    loc = (*base, *error["loc"])
    text = sentence(error, whole="the file")
    if error["type"] == "missing":
        return Problem(text, marks.where(loc[:-1]))
    if error["type"] == "extra_forbidden":
        where = marks.where(loc, key=True)
        record = record_at(model, tuple(error["loc"][:-1])) if model else None
        if record is None:
            return Problem(text, where)
        return _unknown_field(str(error["loc"][-1]), record, model or record, where)
    return Problem(text, marks.where(loc))


def _unknown_field(
    name: str, record: type[BaseModel], root: type[BaseModel], where: Where
) -> Problem:
    """An unknown key: a field of another record here (misplaced), a typo, or neither."""
    owners = [other for other in _family(root) if other is not record and name in fields_of(other)]
    if owners:
        kinds = " or ".join(dict.fromkeys(_RECORDS.get(other, other.__name__) for other in owners))
        return Problem(
            f"{name!r} is a field of {kinds}, not of {_RECORDS.get(record, record.__name__)}: "
            "is this indented correctly?",
            where,
        )
    return Problem(f"unknown field {name!r}", where, did_you_mean(name, fields_of(record)))
