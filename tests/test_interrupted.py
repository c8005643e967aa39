"""Builds that stop half-way leave the previous outputs and the manifest whole."""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path

import pytest

from briefgen import write
from briefgen.errors import BriefError
from briefgen.pipeline import build
from tests.conftest import edit

pytestmark = pytest.mark.slow

CONFIG = Path("briefgen.yaml")


def snapshot(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.iterdir())}


@pytest.fixture
def built(project) -> Path:
    root = project("audiences")
    build(CONFIG, everything=True)
    # the next build changes every audience
    edit(root / "facts" / "treaty.yaml", "in Geneva.", "in Geneva, on a Monday.")
    return root


def test_a_template_error_in_one_audience_writes_nothing(built):
    out = built / "out"
    before = snapshot(out)
    edit(
        CONFIG,
        "    marking: FOR PUBLIC RELEASE\n",
        "    marking: FOR PUBLIC RELEASE\n    template: broken.html.j2\n",
    )
    (built / "templates" / "broken.html.j2").write_text("{% block x %}", encoding="utf-8")
    with pytest.raises(BriefError, match="template syntax error"):
        build(CONFIG, everything=True)
    assert snapshot(out) == before


def test_a_full_disk_leaves_every_previous_file_and_no_temporary_ones(built, monkeypatch):
    out = built / "out"
    before = snapshot(out)
    real_fsync = os.fsync
    calls = {"n": 0}

    def failing_fsync(fd: int) -> None:
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError(errno.ENOSPC, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr(write.os, "fsync", failing_fsync)
    with pytest.raises(BriefError) as caught:
        build(CONFIG, everything=True)
    assert "cannot write output: No space left on device" in str(caught.value)
    assert snapshot(out) == before  # nothing replaced, no temporary file left behind


def test_ctrl_c_while_moving_files_into_place_leaves_whole_files(built, monkeypatch):
    out = built / "out"
    before = snapshot(out)
    real_replace = os.replace
    calls = {"n": 0}

    def interrupted_replace(src: str | os.PathLike, dst: str | os.PathLike) -> None:
        calls["n"] += Path(dst).parent == out  # count only the build's own outputs
        if calls["n"] == 3:
            raise KeyboardInterrupt
        real_replace(src, dst)

    monkeypatch.setattr(write.os, "replace", interrupted_replace)
    with pytest.raises(KeyboardInterrupt):
        build(CONFIG, everything=True)
    monkeypatch.setattr(write.os, "replace", real_replace)
    after = snapshot(out)
    assert sorted(after) == sorted(before)  # no temporary files
    # the manifest is written last, so it still describes the previous build
    assert after["manifest.json"] == before["manifest.json"]
    json.loads(after["manifest.json"])
    changed = [name for name in after if after[name] != before[name]]
    assert len(changed) == 2, changed  # two files moved into place before the interrupt, whole
    for name in changed:
        assert after[name].startswith(b"%PDF-") or after[name].startswith(b"<!DOCTYPE html>")
    # the next build sees that those files no longer match the manifest and rebuilds
    rebuilt = build(CONFIG, everything=True)
    assert [(e.name, e.skipped) for e in rebuilt.audiences] == [
        ("full", False),
        ("top", False),
        ("public", False),
        ("trade", True),  # shows no treaty fact: nothing of it changed
    ]
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert len(manifest["outputs"]) == 8


def test_ctrl_c_while_rendering_writes_nothing(built, monkeypatch):
    out = built / "out"
    before = snapshot(out)

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("briefgen.pipeline.lay_out_all", interrupted)
    with pytest.raises(KeyboardInterrupt):
        build(CONFIG, everything=True)
    assert snapshot(out) == before
