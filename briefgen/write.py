"""Write stage: put outputs into the output folder atomically.

Every file is first written to a temporary file beside its target, then all of
them are moved into place with os.replace. If any write fails, the temporary
files are removed and the previous outputs stay exactly as they were.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

from briefgen.errors import BriefError, Where


def write_outputs(out_dir: Path, files: Mapping[str, bytes]) -> list[Path]:
    """Write `files` (relative name -> content) into `out_dir`; return the paths written.

    Names may hold subfolders (`facts/sources.yaml`); they are created as needed.
    """
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BriefError(f"cannot create output folder: {exc.strerror}", Where(out_dir)) from exc
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
