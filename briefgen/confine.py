"""Confinement: every file a build reads lies inside the project (or briefgen's own folder).

A path is judged by where it really leads, symlinks followed, so a link inside
the project cannot pull in a file from outside it. Only regular files are read
(a folder, a FIFO or a device named like an input is refused, never waited on),
and never more than a size limit.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence
from pathlib import Path

from briefgen.errors import BriefError, Where

MAX_FILE_BYTES = 10 * 1024 * 1024
"""The largest input file briefgen reads: no fact file, template or stylesheet comes near it."""
OUTSIDE_HINT = "keep it inside the project, or pass --allow-outside to allow it"


def is_inside(path: Path, roots: Sequence[Path]) -> bool:
    """True if `path`, symlinks followed, lies in one of `roots`."""
    resolved = path.resolve()
    return any(resolved.is_relative_to(root.resolve()) for root in roots)


def confined(path: Path, roots: Sequence[Path], what: str, where: Where | None = None) -> Path:
    """`path` resolved, if it lies in one of `roots`; else a BriefError at `where` (or the path)."""
    if not is_inside(path, roots):
        raise BriefError(
            f"{what} leads outside the project (to {path.resolve()})",
            where or Where(path),
            OUTSIDE_HINT,
        )
    return path.resolve()


def read_regular(path: Path, *, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of a regular file; a clean BriefError for anything else or anything larger.

    The file is opened without blocking and checked after opening, so a FIFO
    cannot hang the build and a file swapped for one in between is still caught.
    """
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except FileNotFoundError as exc:
        broken = os.path.islink(path)
        message = "is a broken symbolic link" if broken else "does not exist"
        raise BriefError(f"file {message}", Where(path)) from exc
    except IsADirectoryError as exc:
        raise BriefError("is a folder, not a file", Where(path)) from exc
    except OSError as exc:
        raise BriefError(f"cannot read file: {exc.strerror}", Where(path)) from exc
    with os.fdopen(descriptor, "rb") as handle:
        info = os.fstat(handle.fileno())
        if stat.S_ISDIR(info.st_mode):
            raise BriefError("is a folder, not a file", Where(path))
        if not stat.S_ISREG(info.st_mode):
            raise BriefError("is not a regular file", Where(path), "briefgen reads only files")
        if info.st_size > limit:
            raise BriefError(
                f"file is larger than {limit // (1024 * 1024)} MiB", Where(path), "split it"
            )
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise BriefError(f"file is larger than {limit // (1024 * 1024)} MiB", Where(path))
    return data
