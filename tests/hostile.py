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
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
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


@contextmanager
def local_server() -> Iterator[tuple[str, list[str]]]:
    """A server on 127.0.0.1 that answers every GET with a marker stylesheet and logs the path.

    Hostile tests point inputs at it and expect the log to stay empty: briefgen
    makes no request unless `allow_remote` is set.
    """
    requests: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            requests.append(self.path)
            body = b'body::after { content: "REMOTE-MARKER-8812"; }'
            self.send_response(200)
            self.send_header("Content-Type", "text/css")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", requests
    finally:
        httpd.shutdown()
        httpd.server_close()
