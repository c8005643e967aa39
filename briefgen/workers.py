"""Run functions in child processes under a time and memory budget.

Whatever a user's input makes a stage do (a template that loops, a stylesheet
that makes WeasyPrint lay out forever, an image that needs gigabytes), it
happens in a child process that cannot hang the build, eat the machine's
memory or outlive the build:

- time: a SIGALRM timer raises `OverBudget` in the child where its Python code
  is; if the child is stuck in C code that does not return to Python, the
  parent kills it with SIGKILL a few seconds later;
- memory: the child's address space is capped (RLIMIT_AS) at its size when it
  starts plus the budget, so an allocation beyond it raises MemoryError;
- lifetime: the child dies with its parent (PR_SET_PDEATHSIG on Linux, a
  watchdog thread elsewhere), and the parent kills and reaps every child it
  started on any exit from `run_all`, an interrupt included.

Children are forked, so tasks reach them without pickling; only results and
exceptions are pickled back. Where fork is not available (Windows), `run_all`
runs the tasks one after another in this process, with no time or memory limit.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import pickle
import resource
import signal
import sys
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from multiprocessing.context import BaseContext
from multiprocessing.process import BaseProcess
from types import FrameType
from typing import Any, TypeVar

from briefgen.errors import BriefError

T = TypeVar("T")
R = TypeVar("R")

GRACE = 3.0
"""Seconds past its budget a child may take (to unwind from OverBudget) before it is killed."""
LIMITS_HINT = "raise the limit with the `limits:` setting in briefgen.yaml if the input is right"
_PR_SET_PDEATHSIG = 1
_WATCH_INTERVAL = 0.2


@dataclass(frozen=True)
class Budget:
    """What one child process may use.

    `seconds` is wall-clock time; `memory` is the bytes of address space the
    child may add to what it has when it starts (None: no cap).
    """

    seconds: float
    memory: int | None


class OverBudget(Exception):
    """Raised inside a child, wherever its Python code is, when its time runs out.

    It derives from Exception, so code that catches every Exception also
    catches it: such code should re-raise it, or turn it into a BriefError
    that says where the time went (the traceback at that point shows it).
    Code that swallows it and keeps going is killed at the hard deadline.
    """


class _RemoteTraceback(Exception):
    """The formatted traceback of an exception raised in a child, as its cause."""

    def __str__(self) -> str:
        return str(self.args[0])


def run_all(
    function: Callable[[T], R],
    tasks: Sequence[T],
    *,
    jobs: int,
    budget: Budget,
    what: str,
) -> list[R]:
    """`function(task)` for each task, each in its own child process; results in task order.

    At most `jobs` children run at once. A BriefError raised by `function`
    arrives unchanged; running out of time or memory, or a child killed by a
    signal, is a BriefError that says so of `what` ("laying out the PDF");
    any other exception is raised again here. The first failure stops the
    whole run: every other child is killed.
    """
    if not tasks:
        return []
    context = _fork_context()
    if context is None:
        return [_in_process(function, task, budget, what) for task in tasks]
    return _Runner(context, budget, what).run(function, tasks, max(1, jobs))


def _fork_context() -> BaseContext | None:
    if "fork" not in multiprocessing.get_all_start_methods():
        return None
    return multiprocessing.get_context("fork")


def _in_process(function: Callable[[T], R], task: T, budget: Budget, what: str) -> R:
    try:
        return function(task)
    except MemoryError:
        raise _out_of_memory(what, budget) from None


# -- the parent ---------------------------------------------------------------


@dataclass
class _Child:
    index: int
    process: BaseProcess
    connection: Connection
    deadline: float


class _Runner:
    """Starts children, collects their outcomes, and kills whatever is left on the way out."""

    def __init__(self, context: BaseContext, budget: Budget, what: str) -> None:
        self.context = context
        self.budget = budget
        self.what = what
        self.running: dict[Connection, _Child] = {}

    def run(self, function: Callable[[T], R], tasks: Sequence[T], jobs: int) -> list[R]:
        results: list[Any] = [None] * len(tasks)
        waiting = deque(enumerate(tasks))
        try:
            while waiting or self.running:
                while waiting and len(self.running) < jobs:
                    index, task = waiting.popleft()
                    self._start(function, index, task)
                for child, value in self._collect():
                    results[child.index] = value
        finally:
            self._kill_all()
        return results

    def _start(self, function: Callable[[T], R], index: int, task: T) -> None:
        receiver, sender = self.context.Pipe(duplex=False)
        process = self.context.Process(  # type: ignore[attr-defined]
            target=_child_main,
            args=(function, task, sender, os.getpid(), self.budget),
            daemon=True,
        )
        deadline = time.monotonic() + self.budget.seconds + GRACE
        child = _Child(index, process, receiver, deadline)
        self.running[receiver] = child  # before start: a failed start is still cleaned up
        try:
            process.start()
        finally:
            sender.close()

    def _collect(self) -> list[tuple[_Child, Any]]:
        """Wait for children to finish or overrun; return the results of those that finished."""
        timeout = max(0.0, min(c.deadline for c in self.running.values()) - time.monotonic())
        ready = wait(list(self.running), timeout)
        finished = []
        for connection in ready:
            child = self.running[connection]  # type: ignore[index]
            finished.append((child, self._outcome(child)))
        now = time.monotonic()
        for child in list(self.running.values()):
            if child.deadline <= now:
                raise _over_time(self.what, self.budget)
        return finished

    def _outcome(self, child: _Child) -> Any:
        """The result a finished child sent, or raise what went wrong in it."""
        try:
            payload = child.connection.recv_bytes()
        except (EOFError, OSError):
            payload = None
        exitcode = _reap(child.process, GRACE)
        del self.running[child.connection]  # only now: until reaped, `_kill_all` sees to it
        child.connection.close()
        if payload is None:
            raise self._died(exitcode)
        kind, value = pickle.loads(payload)
        if kind == "result":
            return value
        if kind == "time":
            raise _over_time(self.what, self.budget)
        if kind == "memory":
            raise _out_of_memory(self.what, self.budget)
        if kind == "unpicklable":
            raise RuntimeError(f"{self.what} failed in a worker process:\n{value}")
        exception, text = value
        if isinstance(exception, BriefError):
            raise exception
        raise exception from _RemoteTraceback(text)

    def _died(self, exitcode: int | None) -> BriefError:
        hint = None
        if self.budget.memory is not None:
            hint = f"it may have needed more than {_mib(self.budget.memory)} MiB of memory"
        if exitcode is not None and exitcode < 0:
            name = _signal_name(-exitcode)
            message = f"{self.what} stopped: its worker process was killed by {name}"
        else:
            message = f"{self.what} stopped: its worker process ended with exit code {exitcode}"
        return BriefError(message, None, hint)

    def _kill_all(self) -> None:
        children, self.running = list(self.running.values()), {}
        for child in children:  # all killed first, then reaped: a second Ctrl-C leaves no survivor
            with contextlib.suppress(OSError, ValueError, AttributeError):  # exited, not started
                child.process.kill()
        for child in children:
            child.connection.close()
            with contextlib.suppress(ValueError, AssertionError):  # released, not started
                _reap(child.process, None)


def _reap(process: BaseProcess, timeout: float | None) -> int | None:
    """Wait for a child to exit (killing it after `timeout` seconds), release it; its exit code."""
    process.join(timeout)
    if process.exitcode is None:
        process.kill()
        process.join()
    exitcode = process.exitcode
    process.close()
    return exitcode


def _over_time(what: str, budget: Budget) -> BriefError:
    return BriefError(f"{what} took longer than {budget.seconds:g} s", None, LIMITS_HINT)


def _out_of_memory(what: str, budget: Budget) -> BriefError:
    limit = f"more than {_mib(budget.memory)} MiB of" if budget.memory is not None else "too much"
    return BriefError(f"{what} needed {limit} memory", None, LIMITS_HINT)


def _mib(size: int | None) -> int:
    return round((size or 0) / 1024**2)


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


# -- the child ----------------------------------------------------------------


def _child_main(
    function: Callable[[T], R], task: T, sender: Connection, parent: int, budget: Budget
) -> None:
    """Body of a child process: limits first, then the task, then its outcome to the parent."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _die_with(parent)
    if budget.memory is not None:
        _cap_memory(budget.memory)
    outcome = _run_timed(function, task, budget.seconds)
    sender.send_bytes(_pickled(outcome))
    sender.close()


def _die_with(parent: int) -> None:
    """End this process when `parent` dies, even by SIGKILL."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0:
                if os.getppid() != parent:  # the parent died before prctl took effect
                    os._exit(1)
                return
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(_WATCH_INTERVAL)
    os._exit(1)


def _cap_memory(extra: int) -> None:
    """Cap this process's address space at its current size plus `extra` bytes."""
    size = _address_space()
    if size is None:
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = size + extra
    for existing in (soft, hard):
        if existing != resource.RLIM_INFINITY:
            limit = min(limit, existing)
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _address_space() -> int | None:
    """This process's address space in bytes (VmSize), where the system tells."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def _alarm(signum: int, frame: FrameType | None) -> None:
    raise OverBudget("out of time")


def _run_timed(function: Callable[[T], R], task: T, seconds: float) -> tuple[str, Any]:
    """Run the task under the SIGALRM timer; return (kind, value) for the parent."""
    signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        try:
            return ("result", function(task))
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    except OverBudget:
        return ("time", None)
    except MemoryError:
        return ("memory", None)
    except BaseException as exc:  # everything goes back to the parent
        return ("error", (exc, "".join(traceback.format_exception(exc))))


def _pickled(outcome: tuple[str, Any]) -> bytes:
    """The outcome as bytes the parent can load; an unpicklable one as its traceback text."""
    kind, value = outcome
    try:
        payload = pickle.dumps(outcome)
        if kind == "error":
            pickle.loads(payload)  # an exception that pickles but does not load back
        return payload
    except MemoryError:
        return pickle.dumps(("memory", None))
    except Exception as exc:
        text = value[1] if kind == "error" else "".join(traceback.format_exception(exc))
        return pickle.dumps(("unpicklable", text))
