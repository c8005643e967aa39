"""`briefgen init`: start a brief on any subject, ready to build and to run in CI.

The starting files live in the package (`briefgen/tools/scaffold/`) so that a
wheel install carries them. `@TITLE@`, `@NAME@` and `@REQUIREMENT@` are filled
in from the folder name and from how briefgen itself was installed.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit, urlunsplit

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from briefgen.errors import BriefError, Where
from briefgen.tools.readable_ids import ascii_words
from briefgen.tools.schema import schema_files
from briefgen.write import write_outputs
from briefgen.yamlread import describe_control

SCAFFOLD = Path(__file__).parent / "scaffold"
RENAMED = {
    "gitattributes": ".gitattributes",
    "gitignore": ".gitignore",
    "gitlab-ci.yml": ".gitlab-ci.yml",
    "pre-commit-config.yaml": ".pre-commit-config.yaml",
    "github/workflows/brief.yml": ".github/workflows/brief.yml",
}
"""Scaffold files stored under another path: a package must not ship live dot files."""
_PLACEHOLDER = re.compile(r"@[A-Z_]+@")
MAX_NAME = 100
"""Longest base name an id may be (see `briefgen.model.Id`)."""


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
    A record that gives no plain requirement (see `check_requirement`) counts
    as local: its URL is not copied.
    """
    from briefgen import __version__

    fallback = Pin(f"briefgen=={__version__}", _local_note(__version__))
    if installed is None:
        try:
            installed = distribution("briefgen")
        except PackageNotFoundError:  # run from a source tree that was never installed
            return fallback
    try:
        pin = _recorded_pin(installed) or fallback
        check_requirement(pin.requirement)
    except (BriefError, ValueError):  # ValueError: a URL urllib cannot split
        return fallback
    return pin


def _recorded_pin(installed: Distribution) -> Pin | None:
    """The requirement `installed`'s PEP 610 record gives, or None for a local install."""
    try:
        record = json.loads(installed.read_text("direct_url.json") or "null")
    except json.JSONDecodeError:
        record = None
    if not isinstance(record, dict) or not isinstance(record.get("url"), str):
        return Pin(f"briefgen=={installed.version}")
    url = _without_credentials(record["url"])
    vcs = record.get("vcs_info")
    remote = urlsplit(url).scheme in {"https", "http", "ssh", "git"}
    if remote and isinstance(vcs, dict) and vcs.get("vcs") == "git" and vcs.get("commit_id"):
        return Pin(f"briefgen @ git+{url}@{vcs['commit_id']}")
    if remote and isinstance(record.get("archive_info"), dict):
        return Pin(f"briefgen @ {url}")
    return None


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
    """`requirement` if it is one plain PEP 508 requirement for briefgen, else a BriefError.

    Plain: the name briefgen (any spelling pip takes for it), perhaps extras and
    a version or a URL, and nothing pip or YAML would read as more: no option,
    comment or second line. No environment marker either, which could leave
    CI without briefgen.
    """
    text = requirement.strip()
    parsed = _parsed(text)
    if parsed is None or canonicalize_name(parsed.name) != "briefgen":
        raise BriefError(
            f"not a requirement for briefgen: {requirement!r}",
            hint="give one requirement and nothing more (no comment or option), such as "
            "'briefgen==0.2.0' or 'briefgen @ git+https://HOST/briefgen@v0.2.0'",
        )
    if parsed.marker is not None:
        raise BriefError(
            f"the requirement {requirement!r} has an environment marker, "
            "so CI might install no briefgen",
            hint=f"leave out '; {parsed.marker}'",
        )
    return text


def _parsed(text: str) -> Requirement | None:
    """`text` as a PEP 508 requirement, or None if it is not exactly one."""
    if len(text.splitlines()) != 1 or any(_is_refused(c) for c in text):
        return None
    try:
        return Requirement(text)
    except InvalidRequirement:
        return None


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
    title = _plain_title(title or "") or _title_from(target)
    values = {
        "@TITLE@": _yaml_scalar(title),
        "@NAME@": _yaml_scalar(_name_from(target)),
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


def _plain_title(title: str) -> str:
    """`title` on one line; a BriefError if it holds a character briefgen's reader refuses."""
    text = " ".join(title.split())
    refused = next((c for c in text if _is_refused(c)), None)
    if refused is not None:
        raise BriefError(
            f"the title holds {describe_control(refused)}", hint="give the title as plain text"
        )
    return text


def _title_from(target: Path) -> str:
    """'Arctic Shipping' from the folder 'arctic-shipping'; control characters split words."""
    folder = "".join(" " if _is_refused(c) else c for c in target.resolve().name)
    words = re.split(r"[-_\s]+", folder.strip())
    return " ".join(word.capitalize() for word in words if word) or "New Brief"


def _is_refused(character: str) -> bool:
    """A control character or a lone surrogate, which brief files may not hold."""
    return unicodedata.category(character) in {"Cc", "Cs"}


def _name_from(target: Path) -> str:
    """The output files' base name: the folder's name in lower-case ASCII ('Ünïcødé' -> 'unicode').

    Letters are spelt in ASCII as imported ids are; '.', '_' and '-' are kept
    between words, any other run of characters becomes '-'.
    """
    folder = target.resolve().name
    ascii_runs = re.sub(r"[^._-]+", lambda run: "-".join(ascii_words(run.group())), folder)
    name = re.sub(r"-{2,}", "-", ascii_runs)[:MAX_NAME].strip("-._")
    return name or "brief"
