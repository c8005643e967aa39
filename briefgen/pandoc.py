"""Pandoc, the writer of the DOCX and Markdown editions: found, versioned and run confined.

Pandoc comes with the optional extra `briefgen[docx]` (the `pypandoc_binary`
package ships a Pandoc binary), so machines with the same version of the extra
write the same bytes. A Pandoc found elsewhere (on PATH) is not used: its
version, not the project's requirements, would decide the bytes of the output.
The version is part of the manifest key of every DOCX and Markdown file, so a
new Pandoc rebuilds them.

Pandoc runs as a child process with `--sandbox` (it reads only the files named
on its command line and fetches nothing), in an empty working folder and data
folder (no user defaults, templates or reference documents slip in), with a
cleared environment, its heap capped through the GHC runtime (`-M`) and its
time capped by the layout budget. The document comes on standard input as JSON;
the result is read from standard output.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Any

from briefgen.errors import BriefError
from briefgen.workers import LIMITS_HINT, Budget

EXTRA = "briefgen[docx]"
INSTALL_HINT = f"install the extra: pip install '{EXTRA}' (it brings Pandoc)"
OLDEST = (3, 1)
"""The oldest Pandoc whose DOCX writer and JSON API briefgen's documents are written for."""
WRITERS = {"docx": "docx", "md": "markdown-smart-multiline_tables-grid_tables-simple_tables"}
"""Pandoc's writer for each of briefgen's formats. Markdown keeps typographic quotes and
dashes as characters (not `'` and `--`), and tables as pipe tables, which most wikis read."""


def pandoc_binary() -> Path:
    """The Pandoc that `briefgen[docx]` installed; a BriefError naming the extra if none."""
    try:
        import pypandoc
    except ImportError as exc:
        raise BriefError("DOCX and Markdown editions need Pandoc", hint=INSTALL_HINT) from exc
    # pypandoc_binary puts the binary inside the package; plain pypandoc has none.
    files = Path(pypandoc.__file__).parent / "files"
    bundled = next((p for p in (files / "pandoc", files / "pandoc.exe") if p.is_file()), None)
    if bundled is None:
        raise BriefError(
            "DOCX and Markdown editions need the Pandoc that briefgen[docx] installs",
            hint=INSTALL_HINT + "; a Pandoc on PATH is not used",
        )
    return bundled


@lru_cache(maxsize=4)
def _versions(binary: Path) -> tuple[str, list[int]]:
    """Pandoc's version ('3.9') and the version of its JSON API, asked of the binary itself."""
    try:
        found = subprocess.run(
            [str(binary), "--sandbox", "-f", "markdown", "-t", "json"],
            input=b"",
            capture_output=True,
            timeout=30,
            check=True,
            env=_environment(Path(tempfile.gettempdir())),
        )
        version = subprocess.run(
            [str(binary), "--version"], capture_output=True, timeout=30, check=True, env={}
        ).stdout.decode("utf-8", "replace")
    except (OSError, subprocess.SubprocessError) as exc:
        raise BriefError("Pandoc does not run", hint=INSTALL_HINT) from exc
    api = json.loads(found.stdout)["pandoc-api-version"]
    return version.split()[1] if version.split()[1:] else "unknown", api


def pandoc_version() -> str:
    """The version of the Pandoc that writes the editions, e.g. '3.9'."""
    return _versions(pandoc_binary())[0]


def _environment(home: Path) -> dict[str, str]:
    """The little Pandoc needs: no user's variables, proxies or locale settings."""
    return {"HOME": str(home), "LANG": "C.UTF-8", "PATH": os.defpath}


def write(
    document: dict[str, Any],
    fmt: str,
    *,
    budget: Budget,
    reference: bytes | None = None,
) -> bytes:
    """`document` (a Pandoc AST without its API version) written by Pandoc in `fmt`.

    `reference` is the DOCX whose styles a DOCX takes; Pandoc reads a copy in
    its own folder, so nothing can swap the file while it runs. Pandoc is stopped, and
    a BriefError raised, when it passes the budget's time or memory.
    """
    binary = pandoc_binary()
    version, api = _versions(binary)
    if tuple(int(p) for p in version.split(".")[:2] if p.isdigit()) < OLDEST:
        raise BriefError(f"Pandoc {version} is too old for briefgen", hint=INSTALL_HINT)
    source = json.dumps({"pandoc-api-version": api, **document}, ensure_ascii=False)
    megabytes = max(64, (budget.memory or 2**31) // (1024 * 1024))
    with tempfile.TemporaryDirectory(prefix="briefgen-pandoc-") as folder:
        home = Path(folder)
        (home / "data").mkdir()
        command = [str(binary), "+RTS", f"-M{megabytes}m", "-RTS", "--sandbox"]
        command += ["--data-dir", str(home / "data"), "-f", "json", "-t", WRITERS[fmt]]
        command += ["--standalone", "--wrap=none", "-o", "-"]
        if fmt == "docx" and reference is not None:
            (home / "reference.docx").write_bytes(reference)
            command += ["--reference-doc", "reference.docx"]
        try:
            done = subprocess.run(
                command,
                input=source.encode("utf-8"),
                capture_output=True,
                timeout=budget.seconds,
                cwd=home,
                env=_environment(home),
            )
        except subprocess.TimeoutExpired as exc:
            raise BriefError(
                f"Pandoc took longer than {budget.seconds:g} seconds to write the {fmt.upper()}",
                hint=LIMITS_HINT,
            ) from exc
    if done.returncode < 0:
        raise BriefError(
            f"Pandoc was stopped (signal {-done.returncode}) while writing the {fmt.upper()}",
            hint="nothing was written; build again",
        )
    if done.returncode != 0:
        raise _failed(fmt, done.stderr.decode("utf-8", "replace"), budget, reference)
    return done.stdout


def _failed(fmt: str, said: str, budget: Budget, reference: bytes | None) -> BriefError:
    """Why Pandoc stopped, in briefgen's words; Pandoc's own go to the `--debug` traceback."""
    cause = RuntimeError(f"Pandoc said: {said.strip() or 'nothing'}")
    if "Heap exhausted" in said or "heap overflow" in said:
        megabytes = (budget.memory or 0) // (1024 * 1024)
        error = BriefError(
            f"Pandoc needed more than {megabytes} MiB of memory to write the {fmt.upper()}",
            hint=LIMITS_HINT,
        )
    elif reference is not None:
        error = BriefError(
            f"Pandoc could not write the {fmt.upper()} with the reference document",
            hint="use a reference document saved by Word or LibreOffice as .docx",
        )
    else:
        error = BriefError(
            f"Pandoc could not write the {fmt.upper()}",
            hint="this is a bug in briefgen: please report it with --debug's output",
        )
    error.__cause__ = cause
    return error
