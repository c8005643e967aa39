"""Hostile fact files through the real CLI: odd file kinds, control characters, huge words.

Each case breaks a copy of a fixture brief that was built once, runs `briefgen
build` and `briefgen check` in a subprocess, and expects a clean refusal that
names the file, no raw escape character on the terminal, and the previous
outputs left byte for byte as they were.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.conftest import FIXTURES, edit
from tests.hostile import assert_refused, run_briefgen

pytestmark = [pytest.mark.usefixtures("idle_server"), pytest.mark.slow]

TREATY = "facts/treaty.yaml"


def _dangling_link(root: Path) -> str:
    (root / "facts" / "gone.yaml").symlink_to(root / "facts" / "nowhere.yaml")
    return "facts/gone.yaml"


def _folder(root: Path) -> str:
    (root / "facts" / "dir.yaml").mkdir()
    return "facts/dir.yaml"


def _fifo(root: Path) -> str:
    os.mkfifo(root / "facts" / "pipe.yaml")
    return "facts/pipe.yaml"


def _replace(old: str, new: str) -> Callable[[Path], str]:
    def breaks(root: Path) -> str:
        edit(root / TREATY, old, new)
        return TREATY

    return breaks


def _raw_escape(root: Path) -> str:
    path = root / TREATY
    path.write_bytes(path.read_bytes().replace(b"The treaty\n", b"The \x1b[31mtreaty\n", 1))
    return TREATY


def _escape_in_name(root: Path) -> str:
    (root / "facts" / "x\x1b[2J.yaml").write_text("id: x\nid: y\n", encoding="utf-8")
    return "facts/x\\x1b[2J.yaml"


TITLE = "title: The treaty"
TEXT = "text: Four states signed the Widget Treaty in Geneva."
CASES = {
    "dangling symlink": _dangling_link,
    "folder": _folder,
    "fifo": _fifo,
    "title with \\e[31m": _replace(TITLE, 'title: "\\e[31mThe treaty"'),
    "title with \\x9b": _replace(TITLE, 'title: "The \\x9b31m treaty"'),
    "fact text with \\e[31m": _replace(TEXT, 'text: "Four states \\e[31msigned."'),
    "fact text with \\x9b": _replace(TEXT, 'text: "Four states \\x9b2J signed."'),
    "raw ESC byte": _raw_escape,
    "ESC in a file name": _escape_in_name,
}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The minimal fixture, built once through the CLI."""
    root = tmp_path_factory.mktemp("built") / "minimal"
    shutil.copytree(FIXTURES / "minimal", root)
    result = run_briefgen(["build"], root, env=_env(root.parent))
    assert result.returncode == 0, result.stderr
    return root


def _env(folder: Path) -> dict[str, str]:
    cache = folder / "cache"
    cache.mkdir(exist_ok=True)
    return {"BRIEFGEN_CACHE": str(cache)}


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))}


@pytest.mark.parametrize("breaks", CASES.values(), ids=CASES.keys())
def test_hostile_fact_files_are_refused_cleanly(built, tmp_path, breaks):
    root = tmp_path / "minimal"
    shutil.copytree(built, root, symlinks=True)
    before = _snapshot(root / "out")
    try:
        name = breaks(root)
    except OSError as exc:
        pytest.skip(f"this file system refuses the case: {exc}")
    for command in ("build", "check"):
        result = run_briefgen([command], root, env=_env(tmp_path))
        line = assert_refused(result, name)
        assert "\x1b" not in result.stdout + result.stderr, (result.stdout, result.stderr)
        assert "\x9b" not in result.stdout + result.stderr
        if name == TREATY:
            assert re.match(rf"error: {name}:\d+:\d+: control character U\+00(1B|9B) ", line)
    assert _snapshot(root / "out") == before


# An overlong word wraps within the page -----------------------------------------

WORD = "abcdefghij" * 2000
"""20,000 letters, the most a fact's text may hold."""
NARROWEST = 0.25
"""No letter a-j of any font is narrower than a quarter of an em: a floor on a run's width."""


def _runs(reader: PdfReader) -> list[tuple[float, float, str, float]]:
    """(page width, x, text, font size in points) of every run of text, in page order."""
    runs = []
    for page in reader.pages:
        width = float(page.mediabox.width)

        def visit(text, cm, tm, _font, size, width=width):
            if text.strip():
                x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
                points = size * abs(tm[0] * cm[0] + tm[1] * cm[2])
                runs.append((width, x, text.strip(), points))

        page.extract_text(visitor_text=visit)
    return runs


def test_a_twenty_thousand_letter_word_wraps_within_the_page(project):
    from briefgen.pipeline import build

    root = project()
    edit(root / TREATY, TEXT, f"text: {WORD}")  # dated: also in the chronology table
    build(Path("briefgen.yaml"))
    runs = _runs(PdfReader(root / "out" / "widget-brief.pdf"))
    for width, x, text, points in runs:
        assert 0 <= x < width, (x, text[:40])
        assert x + len(text) * NARROWEST * points <= width, (x, len(text), text[:40])
    letters = "".join(text for _, _, text, _ in runs if re.fullmatch("[a-j]+", text))
    # the fact, its label where the judgment names its basis, its row in the chronology
    assert letters == WORD * 3
