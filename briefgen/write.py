"""Write stage: put outputs into the output folder atomically, one build at a time.

Every file is first written to a temporary file beside its target, then all of
them are moved into place with os.replace. If any write fails, the temporary
files are removed and the previous outputs stay exactly as they were. A build
that is killed outright can leave temporary files behind; the next build to
take the folder's lock (`output_lock`) removes them.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from pathlib import Path

from briefgen.errors import BriefError, Where

try:
    import fcntl
except ImportError:  # Windows: no advisory locks
    fcntl = None  # type: ignore[assignment]

LOCK = ".briefgen.lock"
_LOCK_ATTEMPTS = 20
_TEMPORARY = re.compile(r"\..+\.[a-z0-9_]{8}\.tmp")
"""What `_stage` names a temporary file: `.NAME.` + tempfile's 8 random characters + `.tmp`."""


@contextmanager
def output_lock(out_dir: Path) -> Iterator[None]:
    """Hold `out_dir` for one build: create it, lock it, and clear what a killed build left.

    The lock is an exclusive `flock` on `out_dir/.briefgen.lock`, released
    when the block ends or the process dies; a second build into the same
    folder fails at once instead of waiting. The lock file is removed when the
    block ends, and so is `out_dir` if this created it and nothing was written,
    so a build leaves only its outputs. Where there is no `fcntl` (Windows),
    nothing is locked.
    """
    created = not out_dir.exists()
    _make_folder(out_dir)
    if fcntl is None:
        try:
            yield
        finally:
            _remove_if_new_and_empty(out_dir, created)
        return
    lock_path = out_dir / LOCK
    descriptor = _lock(lock_path, out_dir)
    try:
        remove_stale_temporaries(out_dir)
        yield
    finally:
        # Clear up while still holding the lock: a build waiting on this file finds
        # it gone once it gets the lock, and starts again with a new one.
        with suppress(OSError):
            lock_path.unlink()
        _remove_if_new_and_empty(out_dir, created)
        os.close(descriptor)


def _remove_if_new_and_empty(out_dir: Path, created: bool) -> None:
    if created:
        with suppress(OSError):
            out_dir.rmdir()  # fails, as it should, unless the folder is empty


def _lock(lock_path: Path, out_dir: Path) -> int:
    """`lock_path` opened and exclusively locked; a BriefError if another build holds it."""
    assert fcntl is not None
    for _ in range(_LOCK_ATTEMPTS):
        _make_folder(out_dir)  # again: the build that held it may have removed an empty one
        descriptor = _open_lock(lock_path, out_dir)
        if descriptor is None:
            continue
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            if _is_current(descriptor, lock_path):
                return descriptor
        except BlockingIOError:
            os.close(descriptor)
            raise BriefError(
                "another briefgen build is writing to this output folder",
                Where(out_dir),
                "wait for it to finish, or build into another folder with --out",
            ) from None
        except BaseException:
            os.close(descriptor)
            raise
        os.close(descriptor)  # the build that held it removed it meanwhile: lock a new one
    raise BriefError("cannot lock the output folder: its lock file keeps changing", Where(out_dir))


def _open_lock(lock_path: Path, out_dir: Path) -> int | None:
    """The lock file, opened (created if need be); None if its folder went meanwhile."""
    flags = os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | getattr(os, "O_NOFOLLOW", 0)
    try:
        return os.open(lock_path, flags, 0o644)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise BriefError(
            f"cannot lock the output folder: {exc.strerror or exc}", Where(out_dir)
        ) from exc


def _is_current(descriptor: int, lock_path: Path) -> bool:
    """The open lock file is still the one at `lock_path` (not one unlinked since it was opened)."""
    try:
        current = os.stat(lock_path, follow_symlinks=False)
    except FileNotFoundError:
        return False
    opened = os.fstat(descriptor)
    return (current.st_dev, current.st_ino) == (opened.st_dev, opened.st_ino)


def remove_stale_temporaries(out_dir: Path) -> list[Path]:
    """Remove the temporary files `write_outputs` leaves when a build is killed; return them.

    Only files named exactly as `_stage` names them are removed, in `out_dir`
    and its subfolders. Call it only while holding `output_lock`, or a
    running build's files could go.
    """
    removed = []
    for folder, subfolders, names in os.walk(out_dir):
        subfolders[:] = [name for name in subfolders if not Path(folder, name).is_symlink()]
        for name in names:
            path = Path(folder, name)
            if _TEMPORARY.fullmatch(name) and path.is_file() and not path.is_symlink():
                path.unlink(missing_ok=True)
                removed.append(path)
    return removed


def _make_folder(out_dir: Path) -> None:
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BriefError(f"cannot create output folder: {exc.strerror}", Where(out_dir)) from exc


def write_outputs(out_dir: Path, files: Mapping[str, bytes]) -> list[Path]:
    """Write `files` (relative name -> content) into `out_dir`; return the paths written.

    Names may hold subfolders (`facts/sources.yaml`); they are created as needed.
    """
    _make_folder(out_dir)
    root = out_dir.resolve()
    targets = {name: _inside(root, name) for name in files}
    staged: dict[Path, Path] = {}
    try:
        for name, content in files.items():
            targets[name].parent.mkdir(parents=True, exist_ok=True)
            staged[targets[name]] = _stage(targets[name], content)
        for target, temp in staged.items():
            os.replace(temp, target)
    except OSError as exc:
        raise BriefError(
            f"cannot write output: {exc.strerror or exc}",
            Where(out_dir),
            "the previous outputs were left as they were",
        ) from exc
    finally:
        for temp in staged.values():
            temp.unlink(missing_ok=True)
    return list(targets.values())


def _inside(root: Path, name: str) -> Path:
    target = (root / name).resolve()
    if not target.is_relative_to(root) or target == root:
        raise BriefError(f"output name {name!r} points outside the output folder", Where(root))
    return target


def _stage(target: Path, content: bytes) -> Path:
    descriptor, temp_name = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"
    )
    temp = Path(temp_name)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, 0o644)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return temp
