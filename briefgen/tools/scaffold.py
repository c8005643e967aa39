"""`briefgen init`: start a brief on any subject, ready to build and to run in CI.

The starting files live in the package (`briefgen/tools/scaffold/`) so that a
wheel install carries them. `@TITLE@`, `@NAME@` and `@REQUIREMENT@` are filled
in from the folder name and from how briefgen itself was installed.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit, urlunsplit

from briefgen.errors import BriefError, Where
from briefgen.tools.schema import schema_files
from briefgen.write import write_outputs

SCAFFOLD = Path(__file__).parent / "scaffold"
RENAMED = {
    "gitignore": ".gitignore",
    "gitlab-ci.yml": ".gitlab-ci.yml",
    "pre-commit-config.yaml": ".pre-commit-config.yaml",
    "github/workflows/brief.yml": ".github/workflows/brief.yml",
}
"""Scaffold files stored under another path: a package must not ship live dot files."""
_PLACEHOLDER = re.compile(r"@[A-Z_]+@")
_REQUIREMENT = re.compile(r"briefgen(?=$|[\s\[=<>~!@;(])", re.IGNORECASE)
"""A requirement that names briefgen: the name, then the end or what may follow a name."""


@dataclass(frozen=True)
class Pin:
    """The pip requirement a new brief installs briefgen with."""

    requirement: str
    note: str | None = None
    """Why the requirement may not be what the user wants, if it may not."""


class Distribution(Protocol):
    """What `installed_requirement` reads of an installed distribution."""

    @property
    def version(self) -> str: ...

    def read_text(self, filename: str) -> str | None: ...


def installed_requirement(installed: Distribution | None = None) -> Pin:
    """The requirement for the briefgen that is running, read from its PEP 610 record.

    Installed from a git URL: `briefgen @ git+URL@COMMIT`. From an index (no
    record): `briefgen==VERSION`. From a local folder, a local file or an
    editable checkout: `briefgen==VERSION` too, with a note, since CI cannot
    reach the user's disk; VERSION is then the running code's, which an editable
    install's record may lag behind. Credentials in a recorded URL are never copied.
    """
    from briefgen import __version__

    if installed is None:
        try:
            installed = distribution("briefgen")
        except PackageNotFoundError:  # run from a source tree that was never installed
            return Pin(f"briefgen=={__version__}", _local_note(__version__))
    exact = f"briefgen=={installed.version}"
    try:
        record = json.loads(installed.read_text("direct_url.json") or "null")
    except json.JSONDecodeError:
        record = None
    if not isinstance(record, dict) or not isinstance(record.get("url"), str):
        return Pin(exact)
    url = _without_credentials(record["url"])
    vcs = record.get("vcs_info")
    remote = urlsplit(url).scheme in {"https", "http", "ssh", "git"}
    if remote and isinstance(vcs, dict) and vcs.get("vcs") == "git" and vcs.get("commit_id"):
        return Pin(f"briefgen @ git+{url}@{vcs['commit_id']}")
    if remote and isinstance(record.get("archive_info"), dict):
        return Pin(f"briefgen @ {url}")
    return Pin(f"briefgen=={__version__}", _local_note(__version__))


def _local_note(version: str) -> str:
    return (
        f"briefgen was installed from this computer, so requirements.txt asks for "
        f"briefgen=={version} from the package index; if that version is not "
        f"published, put a git URL there (or run init with --requirement)"
    )


def _without_credentials(url: str) -> str:
    """`url` without a user name or password, but ssh's plain `git@`."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    userinfo, host = parts.netloc.rsplit("@", 1)
    netloc = f"git@{host}" if userinfo == "git" else host
    return urlunsplit(parts._replace(netloc=netloc))


def check_requirement(requirement: str) -> str:
    """`requirement` if it is one plain pip requirement for briefgen, else a BriefError."""
    text = requirement.strip()
    if not _REQUIREMENT.match(text) or any(ord(c) < 0x20 or ord(c) == 0x7F for c in text):
        raise BriefError(
            f"not a requirement for briefgen: {requirement!r}",
            hint="give one line such as 'briefgen==0.2.0' or "
            "'briefgen @ git+https://HOST/briefgen@v0.2.0'",
        )
    return text


def init(target: Path, *, title: str | None = None, requirement: str | None = None) -> list[Path]:
    """Write a new brief into `target` (created if needed) and return the files written.

    `requirement` is how the brief's CI and pre-commit hooks install briefgen;
    by default, the briefgen that is running (see `installed_requirement`).
    """
    requirement = check_requirement(requirement or installed_requirement().requirement)
    if (target / "briefgen.yaml").exists():
        raise BriefError(
            "a brief already exists here",
            Where(target / "briefgen.yaml"),
            "choose an empty folder, or edit the brief that is there",
        )
    clashes = [path for path in _files(target) if path.exists()]
    if clashes:
        raise BriefError(
            f"{clashes[0].name} already exists", Where(clashes[0]), "choose an empty folder"
        )
    title = title or _title_from(target)
    values = {
        "@TITLE@": _yaml_scalar(title),
        "@NAME@": _name_from(target),
        "@REQUIREMENT@": requirement,
        "@REQUIREMENT_YAML@": _yaml_scalar(requirement),
    }
    files = {
        relative: _fill((SCAFFOLD / stored).read_text(encoding="utf-8"), values).encode()
        for stored, relative in _scaffold()
    }
    files.update({f"schema/{schema}": content for schema, content in schema_files().items()})
    return write_outputs(target, files)


def _scaffold() -> list[tuple[str, str]]:
    """(stored path, path in the new brief) for every scaffold file, relative, with '/'."""
    pairs = []
    for path in sorted(SCAFFOLD.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            stored = path.relative_to(SCAFFOLD).as_posix()
            pairs.append((stored, RENAMED.get(stored, stored)))
    return pairs


def _files(target: Path) -> list[Path]:
    return [target / relative for _, relative in _scaffold()]


def _fill(text: str, values: dict[str, str]) -> str:
    """`text` with each placeholder replaced in one pass, so no value is filled twice."""
    return _PLACEHOLDER.sub(lambda match: values.get(match.group(), match.group()), text)


def _yaml_scalar(text: str) -> str:
    """`text` as a YAML double-quoted string, so any title is safe in the file."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _title_from(target: Path) -> str:
    words = re.split(r"[-_\s]+", target.resolve().name.strip())
    return " ".join(word.capitalize() for word in words if word) or "New Brief"


def _name_from(target: Path) -> str:
    name = re.sub(r"[^a-z0-9._-]+", "-", target.resolve().name.lower()).strip("-._")
    return name or "brief"
