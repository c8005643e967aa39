"""Child processes under a budget: results in order, errors whole, no hang, no leak, no orphan."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from briefgen import workers
from briefgen.errors import BriefError, Where
from briefgen.workers import GRACE, Budget, OverBudget, run_all
from tests.hostile import gone

pytestmark = pytest.mark.skipif(
    workers._fork_context() is None, reason="children need fork; elsewhere tasks run in-process"
)

QUICK = Budget(seconds=1, memory=None)
REPO = Path(__file__).parent.parent


def wait_gone(pid: int, seconds: float = 5) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if gone(pid):
            return True
        time.sleep(0.05)
    return gone(pid)


def test_results_come_back_in_task_order_across_jobs():
    def slow_first(n: int) -> int:
        time.sleep(0.05 * (5 - n))  # later tasks finish first
        return n * n

    budget = Budget(seconds=10, memory=None)
    assert run_all(slow_first, range(6), jobs=3, budget=budget, what="squaring") == [
        0,
        1,
        4,
        9,
        16,
        25,
    ]
    assert run_all(slow_first, [], jobs=2, budget=budget, what="squaring") == []


@pytest.mark.slow
def test_at_most_jobs_children_run_at_once(tmp_path):
    def task(n: int) -> int:
        mark = tmp_path / str(n)
        mark.touch()
        running = len(list(tmp_path.iterdir()))
        time.sleep(0.2)
        mark.unlink()
        return running

    seen = run_all(task, range(6), jobs=2, budget=Budget(10, None), what="x")
    assert max(seen) == 2


def test_tasks_need_not_be_picklable_but_reach_the_child():
    tasks = [lambda: "a", lambda: "b"]
    assert run_all(lambda f: f(), tasks, jobs=2, budget=QUICK, what="calling") == ["a", "b"]


def test_each_task_runs_in_its_own_child():
    pids = run_all(lambda _: os.getpid(), [1, 2, 3], jobs=1, budget=QUICK, what="x")
    assert os.getpid() not in pids and len(set(pids)) == 3


def test_a_brief_error_from_the_child_arrives_whole():
    def fails(_: int) -> None:
        raise BriefError("no such source", Where(Path("facts/a.yaml"), 3, 7), "add it")

    with pytest.raises(BriefError) as caught:
        run_all(fails, [1], jobs=1, budget=QUICK, what="checking")
    problem = caught.value.problems[0]
    assert (problem.message, problem.where, problem.hint) == (
        "no such source",
        Where(Path("facts/a.yaml"), 3, 7),
        "add it",
    )


def test_another_exception_is_raised_again_with_the_childs_traceback():
    def broken(_: int) -> None:
        raise ValueError("bad value")

    with pytest.raises(ValueError, match="bad value") as caught:
        run_all(broken, [1], jobs=1, budget=QUICK, what="x")
    assert "in broken" in str(caught.value.__cause__)


def test_an_exception_that_cannot_be_pickled_becomes_a_runtime_error_with_its_traceback():
    class Odd(Exception):
        def __init__(self, a: int, b: int) -> None:  # does not load back from its args
            super().__init__(a + b)

    def odd(_: int) -> None:
        raise Odd(1, 2)

    with pytest.raises(RuntimeError, match="Odd: 3"):
        run_all(odd, [1], jobs=1, budget=QUICK, what="x")


@pytest.mark.slow
def test_a_python_loop_is_stopped_by_the_timer():
    def spin(_: int) -> None:
        while True:
            pass

    start = time.monotonic()
    with pytest.raises(BriefError, match=r"^spinning took longer than 1 s") as caught:
        run_all(spin, [1, 2], jobs=2, budget=QUICK, what="spinning")
    assert time.monotonic() - start < 1 + 1
    assert "limits:" in caught.value.hint


@pytest.mark.slow
def test_the_timer_interrupts_a_sleep():
    start = time.monotonic()
    with pytest.raises(BriefError, match="took longer than 1 s"):
        run_all(lambda _: time.sleep(100), [1], jobs=1, budget=QUICK, what="sleeping")
    assert time.monotonic() - start < 1 + 1


@pytest.mark.slow
def test_the_function_sees_over_budget_where_its_code_was():
    def catches(_: int) -> str:
        try:
            time.sleep(100)
        except OverBudget:
            raise BriefError("template.html.j2:4: took too long") from None
        return "never"

    with pytest.raises(BriefError, match=r"template\.html\.j2:4: took too long"):
        run_all(catches, [1], jobs=1, budget=QUICK, what="rendering")


@pytest.mark.parametrize("where", ["c-loop", "swallows-the-timer"])
@pytest.mark.slow
def test_a_child_that_ignores_the_timer_is_killed_at_the_hard_deadline(where):
    def stuck_in_c(_: int) -> int:
        return sum(range(10**14))  # one C call: Python never gets to run the signal handler

    def swallows(_: int) -> None:
        while True:
            try:
                while True:
                    pass
            except OverBudget:
                pass

    function = stuck_in_c if where == "c-loop" else swallows
    start = time.monotonic()
    with pytest.raises(BriefError, match="took longer than 1 s"):
        run_all(function, [1], jobs=1, budget=QUICK, what="summing")
    assert 1 + GRACE - 0.5 < time.monotonic() - start < 1 + GRACE + 2


def test_a_huge_allocation_is_a_memory_error():
    def huge(_: int) -> int:
        return len(bytearray(10 * 1024**3))

    budget = Budget(seconds=20, memory=512 * 1024**2)
    with pytest.raises(BriefError, match=r"^allocating needed more than 512 MiB of memory"):
        run_all(huge, [1], jobs=1, budget=budget, what="allocating")


def test_a_child_killed_by_a_signal_is_an_error_that_says_so():
    def dies(_: int) -> None:
        os.kill(os.getpid(), signal.SIGKILL)

    with pytest.raises(BriefError, match="worker process was killed by SIGKILL"):
        run_all(dies, [1], jobs=1, budget=QUICK, what="laying out")


def test_a_child_that_exits_without_a_result_is_an_error_that_says_so():
    with pytest.raises(BriefError, match="worker process ended with exit code 3"):
        run_all(lambda _: os._exit(3), [1], jobs=1, budget=QUICK, what="laying out")


def test_the_first_failure_kills_the_other_children(tmp_path):
    def task(n: int) -> None:
        if n == 0:
            time.sleep(0.3)
            raise BriefError("first task failed")
        (tmp_path / str(n)).write_text(str(os.getpid()))
        time.sleep(60)

    with pytest.raises(BriefError, match="first task failed"):
        run_all(task, [0, 1, 2], jobs=3, budget=Budget(120, None), what="x")
    pids = [int(p.read_text()) for p in tmp_path.iterdir()]
    assert len(pids) == 2 and all(gone(pid) for pid in pids)


@pytest.mark.slow
def test_an_interrupt_in_the_parent_kills_and_reaps_every_child(tmp_path):
    def task(n: int) -> None:
        (tmp_path / str(n)).write_text(str(os.getpid()))
        time.sleep(60)

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGALRM, interrupt)
    signal.setitimer(signal.ITIMER_REAL, 1)
    try:
        with pytest.raises(KeyboardInterrupt):
            run_all(task, [1, 2], jobs=2, budget=Budget(120, None), what="x")
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    pids = [int(p.read_text()) for p in tmp_path.iterdir()]
    assert len(pids) == 2
    assert not any(Path(f"/proc/{pid}").exists() for pid in pids)  # dead and reaped


def test_without_fork_tasks_run_in_this_process(monkeypatch):
    monkeypatch.setattr(workers, "_fork_context", lambda: None)
    assert (
        run_all(lambda _: os.getpid(), [1, 2], jobs=2, budget=QUICK, what="x") == [os.getpid()] * 2
    )


SCRIPT = """
import os, sys, time
from briefgen.cli import exit_on_sigterm
from briefgen.workers import Budget, run_all

def task(_):
    print(os.getpid(), flush=True)
    time.sleep(60)

if "--sigterm" in sys.argv:
    exit_on_sigterm()
try:
    run_all(task, [1], jobs=1, budget=Budget(120, None), what="sleeping")
finally:
    print("cleaned up", flush=True)
"""


def start_script(*args: str) -> tuple[subprocess.Popen[str], int]:
    process = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(SCRIPT), *args],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    return process, int(process.stdout.readline())


@pytest.mark.slow
def test_a_child_dies_when_its_parent_is_killed():
    process, child = start_script()
    with process:  # closes the pipe too
        process.kill()
        process.wait(10)
    assert wait_gone(child, 5), f"worker {child} outlived its parent"


def test_sigterm_exits_with_143_after_killing_the_children():
    process, child = start_script("--sigterm")
    with process:  # closes the pipe too
        process.terminate()
        assert process.wait(10) == 143
        assert process.stdout is not None and process.stdout.read() == "cleaned up\n"
    assert wait_gone(child, 5)


HIDDEN_IN_CSS = """<!DOCTYPE html>
<html lang="en"><head><title>Widget brief</title>
<meta name="author" content="Test Desk"><meta name="keywords" content="widgets, treaty">
<meta name="description" content="About widgets"><meta name="x-note" content="NOTE7">
<style>
  @page { @bottom-center { content: "MARGIN7 " counter(page) } }
  h1 { bookmark-label: "LABEL7 " content(); }
  h2 { bookmark-level: 2; }
  p.lead::before { content: "BEFORE7 " attr(data-extra); }
  .note { float: footnote; }
</style></head>
<body><h1>Widgets</h1><h2>Tariffs</h2>
<p class="lead" data-extra="ATTR7">The <em>treaty</em> was signed.<span
  class="note">NOTE8</span></p>
</body></html>"""


@pytest.mark.slow
def test_lay_out_reports_the_text_bookmarks_and_metadata_the_pdf_carries(tmp_path):
    from briefgen.documents import Task
    from briefgen.layout import lay_out_all

    task = Task(HIDDEN_IN_CSS, tmp_path, (tmp_path,))
    (laid,) = lay_out_all([task], jobs=1)  # in a child process, under the default budget
    assert laid.pdf.startswith(b"%PDF-") and laid.pages == 1
    assert "BEFORE7 ATTR7" in laid.text  # CSS generated content, attr() included
    assert "The treaty was signed." in laid.text  # one line reads as one string
    assert "MARGIN7 1" in laid.text and "NOTE8" in laid.text  # page margins and footnotes
    assert laid.bookmarks == ("LABEL7 Widgets", "Tariffs")  # nested labels, flattened
    for value in ("Widget brief", "Test Desk", "widgets", "treaty", "About widgets", "NOTE7"):
        assert value in laid.metadata


@pytest.mark.slow
def test_a_layout_over_its_budget_is_an_error_not_a_hang(tmp_path):
    from briefgen.documents import Task
    from briefgen.layout import lay_out_all

    long_html = "<p>" + "word " * 200_000 + "</p>"
    start = time.monotonic()
    with pytest.raises(BriefError, match=r"^laying out the PDF took longer than 0\.2 s"):
        lay_out_all([Task(long_html, tmp_path, (tmp_path,))], budget=Budget(0.2, 2 * 1024**3))
    assert time.monotonic() - start < 0.2 + GRACE + 1
