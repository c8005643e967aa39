"""Measure briefgen and print the figures; nothing is asserted.

    python bench/bench.py                 # everything, about 5 minutes on 2 cores
    python bench/bench.py --sizes 100     # a quick run

Sections: the CLI's start-up; synthetic fact bases of 100, 1,000 and 10,000
facts (check, build, WeasyPrint alone on the same HTML, overhead ratio); the
CSTO brief's three audiences one by one and in parallel; a full build against
a no-op rebuild; a watch-mode rebuild against a cold `briefgen build`; and the
footnote layout (the CSTO analyst brief and a 1,000-fact base laid out by
briefgen's PDF stage with its footnote accelerator, without it, and by
WeasyPrint alone, in paired runs); and `briefgen preview`, from saving a fact
file to the new text in the open page, against a cold build (bench/preview_bench.py).
Times are wall-clock seconds on this machine, median of --repeat runs (at least 5
for the footnote section and for the preview's edits).

    python bench/bench.py --only footnotes   # one section (names: see --help)
    python bench/bench.py --only preview --repeat 5   # edit-to-visible in `briefgen preview`
    python bench/bench.py --only formats --repeat 5   # time each format adds (DOCX, Markdown)
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from synthetic import write_base  # noqa: E402

from briefgen.audience import choose  # noqa: E402
from briefgen.pipeline import build, check, lay_out_one  # noqa: E402

BRIEFGEN = Path(sys.executable).with_name("briefgen")


def median_time(repeat: int, step: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def cli_help(repeat: int) -> None:
    command = [str(BRIEFGEN), "--help"]
    seconds = median_time(max(repeat, 5), lambda: subprocess.run(command, capture_output=True))
    print(f"briefgen --help (new process)          {seconds:7.3f} s")


def synthetic(sizes: list[int], repeat: int, pdf_limit: int) -> None:
    print("\nfacts   check cold  check warm   build   WeasyPrint alone   overhead  pages")
    for size in sizes:
        with tempfile.TemporaryDirectory() as folder:
            config = write_base(Path(folder), size)
            os.environ["BRIEFGEN_CACHE"] = "off"
            cold = median_time(repeat, lambda c=config: check(c))
            os.environ["BRIEFGEN_CACHE"] = str(Path(folder) / "cache")
            check(config)
            warm = median_time(repeat, lambda c=config: check(c))
            with_pdf = size <= pdf_limit
            formats = ["html", "pdf"] if with_pdf else ["html"]
            out = Path(folder) / "out"
            start = time.perf_counter()
            built = build(config, audiences=["analyst"], formats=formats, force=True, jobs=1)
            full = time.perf_counter() - start
            if not with_pdf:
                print(
                    f"{size:>6}  {cold:9.2f}  {warm:10.2f}  {full:6.2f}   "
                    f"(HTML only: PDF skipped above {pdf_limit:,} facts)"
                )
                continue
            html = (out / "synthetic-analyst.html").read_text(encoding="utf-8")
            audience = choose(built.brief.config, ["analyst"])[0]
            alone = weasyprint_alone(html, Path(folder), audience.pdf_variant)
            pages = built.audiences[0].pages
            print(
                f"{size:>6}  {cold:9.2f}  {warm:10.2f}  {full:6.2f}   {alone:16.2f}   "
                f"{full / alone:8.3f}  {pages:5}"
            )
    os.environ.pop("BRIEFGEN_CACHE", None)


def weasyprint_alone(html: str, base: Path, variant: str | None) -> float:
    """WeasyPrint on the same HTML, with the same PDF profile, fonts already set up."""
    import weasyprint

    options = {"pdf_variant": variant} if variant else {}
    start = time.perf_counter()
    document = weasyprint.HTML(string=html, base_url=base.as_uri() + "/").render(**options)
    document.write_pdf(**options)
    return time.perf_counter() - start


def parallel(repeat: int) -> None:
    config = REPO / "briefgen.yaml"

    def all_audiences(jobs: int | None) -> None:
        with tempfile.TemporaryDirectory() as out:
            build(config, everything=True, out_dir=Path(out), force=True, jobs=jobs)

    one = median_time(repeat, lambda: all_audiences(1))
    cores = os.cpu_count() or 1
    both = median_time(repeat, lambda: all_audiences(None))
    print(f"\nCSTO, 3 audiences one by one (--jobs 1)  {one:6.2f} s")
    print(
        f"CSTO, 3 audiences in parallel ({cores} CPUs)  {both:6.2f} s   speed-up {one / both:.2f}x"
    )


def incremental() -> None:
    with tempfile.TemporaryDirectory() as out:
        for label in ("full build, all audiences", "no-op rebuild (all skipped)"):
            start = time.perf_counter()
            built = build(REPO / "briefgen.yaml", everything=True, out_dir=Path(out))
            skipped = sum(e.skipped for e in built.audiences)
            print(
                f"{label:<33}        {time.perf_counter() - start:6.2f} s  "
                f"({skipped} of {len(built.audiences)} skipped)"
            )


def watch_against_cold() -> None:
    """A cold `briefgen build` in a new process against a rebuild in a warm one."""
    with tempfile.TemporaryDirectory() as folder:
        project = Path(folder) / "brief"
        shutil.copytree(REPO, project, ignore=shutil.ignore_patterns(".git", "out", ".venv"))
        config = project / "briefgen.yaml"
        command = [str(BRIEFGEN), "build", "-a", "analyst", "--force", "-c", str(config)]
        start = time.perf_counter()
        subprocess.run(command, capture_output=True, check=True)
        cold = time.perf_counter() - start
        build(config, audiences=["analyst"])  # what `briefgen watch` does first
        topic = project / "facts" / "leverage.yaml"
        topic.write_text(
            topic.read_text(encoding="utf-8").replace("more than 26%", "over 26%"), "utf-8"
        )
        start = time.perf_counter()
        build(config, audiences=["analyst"])  # one watch round after the edit
        warm = time.perf_counter() - start
    print(f"\ncold `briefgen build -a analyst`         {cold:6.2f} s")
    print(f"watch-mode rebuild of analyst (warm)     {warm:6.2f} s")


def formats(repeat: int) -> None:
    """The build time each format adds to the HTML alone: all three CSTO audiences, forced.

    The variants run in turn, `repeat` rounds (paired), so drift falls on all of
    them alike; figures are medians. DOCX and Markdown need the extra briefgen[docx].
    """
    variants = {
        "html": ["html"],
        "html + pdf": ["html", "pdf"],
        "html + docx": ["html", "docx"],
        "html + md": ["html", "md"],
        "html + pdf + docx + md": ["html", "pdf", "docx", "md"],
    }
    times: dict[str, list[float]] = {name: [] for name in variants}
    with tempfile.TemporaryDirectory() as out:
        for _ in range(repeat):
            for name, chosen in variants.items():
                start = time.perf_counter()
                build(
                    REPO / "briefgen.yaml",
                    everything=True,
                    formats=chosen,
                    out_dir=Path(out),
                    force=True,
                )
                times[name].append(time.perf_counter() - start)
    base = statistics.median(times["html"])
    print(f"\nCSTO, 3 audiences, --force, median of {repeat} paired rounds")
    for name, seconds in times.items():
        median = statistics.median(seconds)
        extra = "" if name == "html" else f"   +{median - base:5.2f} s over html alone"
        print(f"  {name:<24} {median:6.2f} s{extra}")


def footnote_layout(repeat: int) -> None:
    """Seconds per page: briefgen's PDF stage with and without the accelerator, WeasyPrint alone.

    The three are run in turn on the same HTML (paired), `repeat` times; the
    figures are medians. WeasyPrint alone is WeasyPrint's own code in this
    process, without briefgen's URL fetcher, guard or worker process.
    """
    from briefgen import footnotes

    print(
        "\nfootnote layout, s/page   accelerated  WeasyPrint's own  WeasyPrint alone"
        "   own/acc.  acc./alone  pages"
    )
    with tempfile.TemporaryDirectory() as folder:
        cases = [("CSTO analyst", REPO / "briefgen.yaml", REPO)]
        cases.append(("1,000 facts", write_base(Path(folder), 1000), Path(folder)))
        for label, config, base in cases:
            out = Path(folder) / "out" / label.split()[0]
            built = build(config, audiences=["analyst"], formats=["html"], out_dir=out, force=True)
            html = next(out.glob("*-analyst.html")).read_text(encoding="utf-8")
            audience = choose(built.brief.config, ["analyst"])[0]
            times: dict[str, list[float]] = {"acc": [], "own": [], "alone": []}
            pages = 0
            for _ in range(repeat):
                for way, switch in (("acc", ""), ("own", "weasyprint")):
                    os.environ[footnotes.SWITCH] = switch
                    start = time.perf_counter()
                    pages = lay_out_one(built.brief, html, audience).pages
                    times[way].append(time.perf_counter() - start)
                os.environ[footnotes.SWITCH] = "weasyprint"
                footnotes.apply()  # WeasyPrint's own footnote layout in this process
                times["alone"].append(weasyprint_alone(html, base, audience.pdf_variant))
            os.environ.pop(footnotes.SWITCH, None)
            acc, own, alone = (statistics.median(times[way]) / pages for way in times)
            print(
                f"{label:<24} {acc:11.3f}  {own:16.3f}  {alone:16.3f}   "
                f"{own / acc:8.2f}  {acc / alone:10.2f}  {pages:5}"
            )


def preview_against_cold(repeat: int) -> None:
    """Saving a fact file to seeing the new text in `briefgen preview`, against a cold build.

    The analyst page is open in Chromium (Playwright) when it can be driven,
    otherwise the time runs to the server's `reload` event and a fetch of the
    page showing the new text. Each edit waits for the PDFs of the one before.
    """
    import preview_bench

    with tempfile.TemporaryDirectory() as folder:
        project = Path(folder) / "brief"
        shutil.copytree(REPO, project, ignore=shutil.ignore_patterns(".git", "out", ".venv"))
        command = [str(BRIEFGEN), "build", "-a", "analyst", "--force"]
        cold = median_time(
            repeat, lambda: subprocess.run(command, cwd=project, capture_output=True, check=True)
        )
        way, idle, busy = preview_bench.edit_to_visible(BRIEFGEN, project, max(repeat, 5))
    page, during_pdf = statistics.median(idle), statistics.median(busy)
    print(f"\nsave a fact file -> new text visible in the previewed page ({way})")
    print(f"preview, analyst page, PDFs done, median of {len(idle)} edits     {page:6.2f} s")
    print(f"preview, analyst page, PDFs building, median of {len(busy)} edits {during_pdf:6.2f} s")
    print(f"cold `briefgen build -a analyst`, median of {repeat} runs        {cold:6.2f} s")
    print(f"cold build / preview (PDFs done)                        {cold / page:6.1f}x")


SECTIONS = (
    "startup",
    "synthetic",
    "parallel",
    "incremental",
    "watch",
    "footnotes",
    "preview",
    "formats",
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 10000])
    parser.add_argument(
        "--pdf-limit", type=int, default=1000, help="largest base also built as PDF"
    )
    parser.add_argument("--only", nargs="+", choices=SECTIONS, default=SECTIONS)
    args = parser.parse_args()
    started = time.perf_counter()
    print(f"briefgen bench, {os.cpu_count()} CPUs, Python {sys.version.split()[0]}")
    sections: dict[str, Callable[[], None]] = {
        "startup": lambda: cli_help(args.repeat),
        "synthetic": lambda: synthetic(args.sizes, args.repeat, args.pdf_limit),
        "parallel": lambda: parallel(args.repeat),
        "incremental": incremental,
        "watch": watch_against_cold,
        "footnotes": lambda: footnote_layout(max(args.repeat, 5)),
        "preview": lambda: preview_against_cold(args.repeat),
        "formats": lambda: formats(max(args.repeat, 3)),
    }
    for name in SECTIONS:
        if name in args.only:
            sections[name]()
    print(f"\nbench finished in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
