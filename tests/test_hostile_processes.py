"""Builds killed, terminated or run twice at once, and manifests that are not manifests.

Every test drives the real CLI in a subprocess (tests/hostile.py): no worker
outlives its build, the previous outputs survive a kill whole, two builds never
write one folder at once, and a bad manifest is one clean error, never a hang.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, add_many_facts, edit
from tests.hostile import MEMORY_LIMIT, TIME_LIMIT, assert_refused, gone, run_briefgen

pytestmark = [
    pytest.mark.usefixtures("idle_server"),
    pytest.mark.slow,
    pytest.mark.skipif(
        not sys.platform.startswith("linux"), reason="reads /proc to find the layout workers"
    ),
]

BUILD = ["build", "--all", "--force"]
AUDIENCES = ["full", "top", "public", "trade"]


@pytest.fixture
def brief(tmp_path: Path) -> Path:
    """A copy of the audiences fixture with enough facts that laying out takes a few seconds."""
    root = tmp_path / "brief"
    shutil.copytree(FIXTURES / "audiences", root)
    add_many_facts(root, 80)
    return root


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {"BRIEFGEN_CACHE": str(tmp_path / "cache")}


def _capped() -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def start_briefgen(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.Popen[str]:
    """`briefgen ARGS` started as `run_briefgen` runs it, without waiting for it."""
    return subprocess.Popen(
        [sys.executable, "-m", "briefgen", *args],
        cwd=cwd,
        env={**os.environ, "COLUMNS": "200", "NO_COLOR": "1", **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_capped,
        stdin=subprocess.DEVNULL,
    )


def children_of(parent: int) -> list[int]:
    """The processes whose parent is `parent`, from /proc."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == parent:
            found.append(int(stat.parent.name))
    return found


def wait_for_workers(process: subprocess.Popen[str], count: int = 1) -> list[int]:
    """Wait until the build has at least `count` layout workers; their pids."""
    end = time.monotonic() + TIME_LIMIT / 2
    while time.monotonic() < end:
        workers = children_of(process.pid)
        if len(workers) >= count:
            return workers
        assert process.poll() is None, ("the build ended before laying out", process.communicate())
        time.sleep(0.01)
    raise AssertionError("no layout worker started")


def all_gone(pids: list[int], seconds: float = 5) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end and not all(gone(pid) for pid in pids):
        time.sleep(0.05)
    return all(gone(pid) for pid in pids)


def outputs(out: Path) -> dict[str, bytes]:
    """The build's outputs (not its lock or temporary files)."""
    return {p.name: p.read_bytes() for p in sorted(out.iterdir()) if not p.name.startswith(".")}


def temporaries(out: Path) -> list[str]:
    return sorted(p.name for p in out.rglob(".*.tmp"))


def built_once(brief: Path, env: dict[str, str]) -> dict[str, bytes]:
    """Build every audience, then change a fact so the next build changes every audience."""
    result = run_briefgen(BUILD, brief, env=env)
    assert result.returncode == 0, result.stderr
    edit(brief / "facts" / "treaty.yaml", "in Geneva.", "in Geneva, on a Monday.")
    return outputs(brief / "out")


@pytest.mark.parametrize("how", ["SIGKILL", "SIGTERM"])
def test_a_killed_build_leaves_no_worker_and_the_previous_outputs_whole(brief, env, how):
    before = built_once(brief, env)
    process = start_briefgen(BUILD, brief, env)
    try:
        workers = wait_for_workers(process)
        process.send_signal(getattr(signal, how))
        code = process.wait(TIME_LIMIT)
    finally:
        process.kill()
        process.communicate()
    assert all_gone(workers), f"layout workers {workers} outlived the build"
    if how == "SIGTERM":
        # the CLI turns SIGTERM into an orderly exit (cli.exit_on_sigterm)
        assert code == 143, (code, process.stderr)
    out = brief / "out"
    assert outputs(out) == before
    again = run_briefgen(BUILD, brief, env=env)
    assert again.returncode == 0, again.stderr
    assert temporaries(out) == []
    assert outputs(out) != before  # the next build did write the changed audiences


def test_temporary_files_of_a_build_killed_while_writing_are_removed_by_the_next(brief, env):
    before = built_once(brief, env)
    out = brief / "out"
    # what a build killed between writing its temporary files and moving them leaves
    (out / ".widgets-full.pdf.k2x9_q0a.tmp").write_bytes(b"%PDF-half")
    (out / ".manifest.json.abcdefgh.tmp").write_bytes(b"{")
    (out / "notes.tmp").write_text("a user's file, not briefgen's")
    again = run_briefgen(BUILD, brief, env=env)
    assert again.returncode == 0, again.stderr
    assert temporaries(out) == []
    assert (out / "notes.tmp").exists()
    assert outputs(out).keys() == {*before, "notes.tmp"}


def test_a_second_build_into_the_same_folder_is_refused_while_the_first_runs(brief, env):
    first = start_briefgen(BUILD, brief, env)
    try:
        wait_for_workers(first)
        second = run_briefgen(BUILD, brief, env=env)
        _, stderr = first.communicate(timeout=TIME_LIMIT)
    finally:
        first.kill()
        first.communicate()
    line = assert_refused(second, "out", "another briefgen build is writing to this output folder")
    assert second.returncode == 1, line
    assert first.returncode == 0, stderr
    manifest = json.loads((brief / "out" / "manifest.json").read_text(encoding="utf-8"))
    recorded = {record["audience"] for record in manifest["outputs"].values()}
    assert recorded == set(AUDIENCES) and len(manifest["outputs"]) == 2 * len(AUDIENCES)


WRONG_SHAPES = {
    "pages as text": lambda r: r.update(pages="x"),
    "facts as a list": lambda r: r.update(facts=[]),
    "an input digest as a number": lambda r: r.update(inputs={"a": 1}),
    "built as a number": lambda r: r.update(built=5),
}


@pytest.mark.parametrize("shape", sorted(WRONG_SHAPES))
def test_a_manifest_of_the_wrong_shape_is_one_clean_error(brief, env, shape):
    result = run_briefgen([*BUILD, "-f", "html"], brief, env=env)
    assert result.returncode == 0, result.stderr
    path = brief / "out" / "manifest.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    WRONG_SHAPES[shape](data["outputs"]["widgets-full.html"])
    path.write_text(json.dumps(data), encoding="utf-8")
    assert_refused(run_briefgen(["build", "-f", "html"], brief, env=env), "out/manifest.json")


@pytest.mark.parametrize("outputs_value", ["[]", '{"widgets-full.html": "a string"}'])
def test_a_manifest_whose_outputs_are_not_records_is_one_clean_error(brief, env, outputs_value):
    (brief / "out").mkdir()
    (brief / "out" / "manifest.json").write_text(
        f'{{"manifest": 1, "outputs": {outputs_value}}}', encoding="utf-8"
    )
    assert_refused(run_briefgen(["build", "-f", "html"], brief, env=env), "out/manifest.json")


@pytest.mark.parametrize("kind", ["fifo", "folder"])
def test_since_a_pipe_or_a_folder_is_one_clean_error_not_a_hang(brief, env, kind):
    since = brief / f"since-{kind}"
    if kind == "fifo":
        os.mkfifo(since)
    else:
        since.mkdir()
    result = run_briefgen(["build", "-f", "html", "--since", since.name], brief, env=env)
    line = assert_refused(result, since.name)
    assert result.returncode == 1, line
