"""Write stage: atomic replacement, no stray temporary files, no escape from out/."""

from __future__ import annotations

import os

import pytest

from briefgen.errors import BriefError
from briefgen.write import write_outputs


def test_writes_files_and_leaves_no_temporaries(tmp_path):
    out = tmp_path / "out"
    written = write_outputs(out, {"a.html": b"<p>a</p>", "a.pdf": b"%PDF-1.7"})
    assert [p.name for p in written] == ["a.html", "a.pdf"]
    assert sorted(p.name for p in out.iterdir()) == ["a.html", "a.pdf"]
    assert (out / "a.pdf").read_bytes() == b"%PDF-1.7"


def test_a_failing_write_keeps_every_previous_output(tmp_path, monkeypatch):
    out = tmp_path / "out"
    write_outputs(out, {"a.html": b"old html", "a.pdf": b"old pdf"})
    real_fsync = os.fsync
    calls = []

    def disk_full(fd):
        calls.append(fd)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(BriefError) as caught:
        write_outputs(out, {"a.html": b"new html", "a.pdf": b"new pdf"})
    assert "No space left on device" in str(caught.value)
    assert (out / "a.html").read_bytes() == b"old html"
    assert (out / "a.pdf").read_bytes() == b"old pdf"
    assert sorted(p.name for p in out.iterdir()) == ["a.html", "a.pdf"]


@pytest.mark.parametrize("name", ["../escape.html", "/etc/passwd", "sub/../../x"])
def test_names_cannot_leave_the_output_folder(tmp_path, name):
    with pytest.raises(BriefError, match="points outside the output folder"):
        write_outputs(tmp_path / "out", {name: b"x"})
    assert not (tmp_path / "escape.html").exists()
