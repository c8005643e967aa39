"""Lay-out stage: HTML -> PDF, each document in its own child process under a budget.

WeasyPrint itself is driven from `briefgen.pdf`, imported only when a PDF is
made (it takes most of a second to import). This module holds the plain data
that crosses into the children and the call that runs them (`briefgen.workers`):
a stylesheet that makes WeasyPrint lay out forever or use gigabytes stops that
child, with an error, instead of the build.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import replace

from briefgen.documents import LaidOut, Task
from briefgen.workers import Budget, run_all

LAYOUT_BUDGET = Budget(seconds=120, memory=2048 * 1024**2)
"""Time and extra memory one PDF layout may use by default (the `limits:` defaults)."""


Check = Callable[[LaidOut], None]
"""A check of a laid-out PDF (the release guard), run in the same child as its layout."""


def lay_out_all(
    tasks: Sequence[Task],
    *,
    jobs: int | None = None,
    budget: Budget = LAYOUT_BUDGET,
    checks: Sequence[Check] | None = None,
) -> list[LaidOut]:
    """Lay out several documents, each in a child process, up to `jobs` (default: CPUs) at once.

    Every document runs in a child, even with one job, so that `budget` holds
    for each, and so does each one's check (`checks`, one per task): the text
    a check reads can be as large as the layout made it. A checked result
    comes back without its text. WeasyPrint is imported and its fonts
    configured before the children are forked, so they inherit the set-up
    instead of redoing it.
    """
    if not tasks:
        return []
    from briefgen import pdf  # WeasyPrint is slow to import: only when a PDF is made

    pdf.warm()
    workers = min(len(tasks), jobs or os.cpu_count() or 1)
    chosen: Sequence[Check | None] = checks if checks is not None else [None] * len(tasks)
    jobs_and_checks = list(zip(tasks, chosen, strict=True))

    def lay_out_and_check(job: tuple[Task, Check | None]) -> LaidOut:
        task, check = job
        laid_out = pdf.lay_out(task)
        if check is None:
            return laid_out
        check(laid_out)
        return replace(laid_out, text="", text_as_seen="", resources=())

    return run_all(
        lay_out_and_check, jobs_and_checks, jobs=workers, budget=budget, what="laying out the PDF"
    )
