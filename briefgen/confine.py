"""Confinement: every file a build reads lies inside the project (or briefgen's own folder).

A path is judged by where it really leads, symlinks followed, so a link inside
the project cannot pull in a file from outside it. Only regular files are read
(a folder, a FIFO or a device named like an input is refused, never waited on),
and never more than a size limit.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Sequence
from pathlib import Path

from briefgen.errors import BriefError, Where

BUILTIN_TEMPLATES = Path(__file__).parent / "templates"
"""briefgen's own templates and stylesheet: the one folder outside a project a build reads."""
MAX_FILE_BYTES = 10 * 1024 * 1024
"""The largest input file briefgen reads: no fact file, template or stylesheet comes near it."""
OUTSIDE_HINT = "keep it inside the project, or pass --allow-outside to allow it"


def is_inside(path: Path, roots: Sequence[Path]) -> bool:
    """True if `path`, symlinks followed, lies in one of `roots`."""
    resolved = path.resolve()
    return any(resolved.is_relative_to(root.resolve()) for root in roots)


def confined(
    path: Path,
    roots: Sequence[Path],
    what: str,
    where: Where | None = None,
    *,
    place: str = "the project",
) -> Path:
    """`path` resolved, if it lies in one of `roots`; else a BriefError at `where` (or the path)."""
    if not is_inside(path, roots):
        raise BriefError(
            f"{what} leads outside {place} (to {path.resolve()})",
            where or Where(path),
            OUTSIDE_HINT if place == "the project" else None,
        )
    return path.resolve()


def read_regular(path: Path, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of a regular file of at most `limit` bytes; BriefError for anything else.

    A folder, a broken symbolic link, a FIFO or a device is refused by name, and
    never blocks: the file is opened without waiting and checked before reading.
    """
    try:
        _refuse_special(path, os.stat(path).st_mode)
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
    except OSError as exc:
        raise _read_error(path, exc) from exc
    try:
        _refuse_special(path, os.fstat(descriptor).st_mode)
        with os.fdopen(descriptor, "rb", closefd=False) as handle:
            raw = handle.read(limit + 1)
    except OSError as exc:
        raise _read_error(path, exc) from exc
    finally:
        os.close(descriptor)
    if len(raw) > limit:
        raise BriefError(
            f"file is larger than {limit // (1024 * 1024)} MiB",
            Where(path),
            "split it into several smaller files",
        )
    return raw


def _refuse_special(path: Path, mode: int) -> None:
    if stat.S_ISREG(mode):
        return
    if stat.S_ISDIR(mode):
        raise BriefError("is a folder, not a file", Where(path), "rename or remove it")
    raise BriefError(
        "is not a regular file", Where(path), "only ordinary files are read; remove or rename it"
    )


def _read_error(path: Path, exc: OSError) -> BriefError:
    if exc.errno == errno.ENOENT and path.is_symlink():
        return BriefError(
            "is a broken symbolic link",
            Where(path),
            "point the link at an existing file, or remove it",
        )
    if exc.errno == errno.ELOOP:
        return BriefError("is a symbolic link loop", Where(path), "remove it")
    if exc.errno == errno.EISDIR:
        return BriefError("is a folder, not a file", Where(path), "rename or remove it")
    reason = exc.strerror or "unknown error"
    return BriefError(f"cannot read file: {reason[:1].lower()}{reason[1:]}", Where(path))
