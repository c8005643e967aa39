"""Measure briefgen's stages on the CSTO brief and print the figures.

    python bench/bench.py [--repeat N]

Times are the median of N runs (default 3) on this machine; nothing is asserted.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from briefgen.audience import choose  # noqa: E402
from briefgen.load import load_brief  # noqa: E402
from briefgen.pipeline import check  # noqa: E402
from briefgen.render import render_html, render_pdf  # noqa: E402
from briefgen.select import select  # noqa: E402

DAY = dt.date(2026, 1, 1)


def timed(repeat: int, step: Callable[[], object]) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = step()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    config = REPO / "briefgen.yaml"

    start = time.perf_counter()
    import weasyprint  # noqa: F401

    print(f"import weasyprint                 {time.perf_counter() - start:6.2f} s")
    seconds, _ = timed(args.repeat, lambda: load_brief(config))
    print(f"load (6 topic files, 5 sources)   {seconds:6.3f} s")
    seconds, checked = timed(args.repeat, lambda: check(config))
    brief = checked.brief
    print(f"load + validate ({len(brief.facts)} facts)       {seconds:6.3f} s")
    for edition in choose(brief.config, everything=True):
        seconds, html = timed(
            args.repeat,
            lambda e=edition: render_html(brief, select(brief, e), e, build_date=DAY).html,
        )
        print(
            f"{edition.name:<10} select + HTML          {seconds:6.3f} s  "
            f"{len(html) / 1024:6.0f} KB"
        )
        for variant in (edition.pdf_variant, None):
            label = variant or "plain"
            edition_v = dataclasses.replace(edition, pdf_variant=variant)
            seconds, laid = timed(args.repeat, lambda e=edition_v, h=html: render_pdf(h, brief, e))
            print(
                f"{edition.name:<10} PDF {label:<9}           {seconds:6.2f} s  "
                f"{len(laid.pdf) / 1024:6.0f} KB  {laid.pages} pages"
            )
    incremental()


def incremental() -> None:
    """A full build of every audience into a fresh folder, then a no-op rebuild."""
    import tempfile

    from briefgen.pipeline import build

    with tempfile.TemporaryDirectory() as out:
        for label in ("full build, all audiences", "no-op rebuild (all skipped)"):
            start = time.perf_counter()
            built = build(REPO / "briefgen.yaml", everything=True, out_dir=Path(out))
            skipped = sum(e.skipped for e in built.editions)
            print(
                f"{label:<33} {time.perf_counter() - start:6.2f} s  "
                f"({skipped} of {len(built.editions)} skipped)"
            )


if __name__ == "__main__":
    main()
