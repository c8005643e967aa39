"""Running the real CLI as an attacker would: a subprocess, bounded in time and memory.

Hostile tests call `run_briefgen` and then `assert_refused`: the build must stop
with exit 1 or 2, say what is wrong in one line that names the file, print no
traceback, and finish within the time limit and the memory cap.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

TIME_LIMIT = 60
"""Seconds a hostile input may take before the test fails."""
MEMORY_LIMIT = 2 * 1024**3
"""Address space the briefgen process (and each worker it starts) may use."""


def _capped() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def run_briefgen(
    args: Sequence[str],
    cwd: Path,
    *,
    timeout: float = TIME_LIMIT,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """`briefgen ARGS` in `cwd` as a real process, under the time limit and the memory cap."""
    environment = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "briefgen", *args],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
        preexec_fn=_capped,
        stdin=subprocess.DEVNULL,
    )


def assert_refused(result: subprocess.CompletedProcess[str], *names: str) -> str:
    """The run failed cleanly: exit 1 or 2, no traceback, one error line naming each of `names`.

    Returns the error line.
    """
    assert result.returncode in (1, 2), (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    assert "internal error" not in result.stderr, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert errors, result.stderr
    line = errors[0]
    for name in names:
        assert name in line, (name, result.stderr)
    return line


def gone(pid: int) -> bool:
    """The process has exited (a zombie waiting for someone else to reap it counts)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return True
    states = [line.split()[1] for line in status.splitlines() if line.startswith("State:")]
    return states[0] in {"Z", "X"}
