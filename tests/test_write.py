"""Write stage: atomic replacement, no stray temporary files, no escape from out/."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from briefgen.errors import BriefError, Where
from briefgen.write import _TEMPORARY, output_lock, write_outputs

REPO = Path(__file__).parent.parent


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


def test_output_lock_creates_the_folder_and_refuses_a_second_holder(tmp_path):
    out = tmp_path / "out"
    with output_lock(out):
        assert out.is_dir()
        with pytest.raises(BriefError) as caught, output_lock(out):
            pass
        problem = caught.value.problems[0]
        assert problem.message == "another briefgen build is writing to this output folder"
        assert problem.where == Where(out)
        assert "--out" in problem.hint
        write_outputs(out, {"a.html": b"a"})
    assert sorted(p.name for p in out.iterdir()) == ["a.html"]  # no lock file left behind
    with output_lock(out):  # released: the next build takes it
        pass


def test_output_lock_leaves_no_empty_folder_it_made(tmp_path):
    out = tmp_path / "new" / "out"
    with pytest.raises(RuntimeError), output_lock(out):
        raise RuntimeError("the build failed before writing")
    assert not out.exists()


def test_output_lock_refuses_while_another_process_holds_it_and_not_after(tmp_path):
    out = tmp_path / "out"
    with subprocess.Popen(  # closes the pipe on the way out
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path; from briefgen.write import output_lock\n"
            "with output_lock(Path(sys.argv[1])):\n    print('held', flush=True); time.sleep(60)",
            str(out),
        ],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    ) as holder:
        try:
            assert holder.stdout is not None and holder.stdout.readline() == "held\n"
            with pytest.raises(BriefError, match="another briefgen build"), output_lock(out):
                pass
        finally:
            holder.kill()  # a killed build's lock goes with it
            holder.wait()
    with output_lock(out):
        pass


def test_output_lock_removes_only_the_temporary_files_a_killed_build_left(tmp_path):
    out = tmp_path / "out"
    stale = [out / ".a.pdf.k2x9_q0a.tmp", out / "facts" / ".sources.yaml.abcdefgh.tmp"]
    kept = [
        out / "a.pdf",
        out / "a.tmp",
        out / ".a.pdf.short.tmp",
        out / ".a.pdf.ABCDEFGH.tmp",
        out / ".a.pdf.abcdefgh.tmp.bak",
        out / ".keep",
    ]
    for path in stale + kept:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x")
    (out / ".dir.abcdefgh.tmp").mkdir()
    with output_lock(out):
        assert not any(path.exists() for path in stale)
        assert all(path.exists() for path in kept)
        assert (out / ".dir.abcdefgh.tmp").is_dir()


def test_a_temporary_file_is_named_as_the_lock_expects(tmp_path, monkeypatch):
    names = []
    real_replace = os.replace

    def spy(src, dst):
        names.append(Path(src).name)
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", spy)
    write_outputs(tmp_path, {"brief.pdf": b"%PDF"})
    assert len(names) == 1 and _TEMPORARY.fullmatch(names[0]), names
