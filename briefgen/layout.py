"""Lay-out stage: HTML -> PDF, each document in its own child process under a budget.

WeasyPrint itself is driven from `briefgen.pdf`, imported only when a PDF is
made (it takes most of a second to import). This module holds the plain data
that crosses into the children and the call that runs them (`briefgen.workers`):
a stylesheet that makes WeasyPrint lay out forever or use gigabytes stops that
child, with an error, instead of the build.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from briefgen.documents import LaidOut, Task
from briefgen.workers import Budget, run_all

LAYOUT_BUDGET = Budget(seconds=120, memory=2048 * 1024**2)
"""Time and extra memory one PDF layout may use by default (the `limits:` defaults)."""


def lay_out_all(
    tasks: Sequence[Task], *, jobs: int | None = None, budget: Budget = LAYOUT_BUDGET
) -> list[LaidOut]:
    """Lay out several documents, each in a child process, up to `jobs` (default: CPUs) at once.

    Every document runs in a child, even with one job, so that `budget` holds
    for each. WeasyPrint is imported and its fonts configured before the
    children are forked, so they inherit the set-up instead of redoing it.
    """
    if not tasks:
        return []
    from briefgen import pdf  # WeasyPrint is slow to import: only when a PDF is made

    pdf.warm()
    workers = min(len(tasks), jobs or os.cpu_count() or 1)
    return run_all(pdf.lay_out, tasks, jobs=workers, budget=budget, what="laying out the PDF")
