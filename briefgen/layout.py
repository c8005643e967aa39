"""Lay-out stage: HTML -> PDF, several documents in parallel worker processes.

WeasyPrint itself is driven from `briefgen.pdf`, imported only when a PDF is
made (it takes most of a second to import). This module holds the plain data
that crosses into the workers and the pool that runs them.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Task:
    """One document to lay out; plain data, so it can go to a worker process."""

    html: str
    base_dir: Path
    allowed: tuple[Path, ...]
    variant: str | None = None
    remote: bool = False


@dataclass(frozen=True)
class LaidOut:
    """A rendered PDF and its page count."""

    pdf: bytes
    pages: int


def lay_out_all(tasks: Sequence[Task], *, jobs: int | None = None) -> list[LaidOut]:
    """Lay out several documents, in parallel processes when there are several and CPUs to spare.

    WeasyPrint is imported before the worker processes start, so on systems
    that fork they inherit it (and its font set-up) instead of importing it again.
    """
    if not tasks:
        return []
    from briefgen import pdf  # WeasyPrint is slow to import: only when a PDF is made

    workers = min(len(tasks), jobs or os.cpu_count() or 1)
    if workers <= 1:
        return [pdf.lay_out(task) for task in tasks]
    pdf.warm()
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        return list(pool.map(pdf.lay_out, tasks))
