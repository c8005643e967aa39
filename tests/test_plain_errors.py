"""Errors as a person sees them at the terminal: plain words, file:line, exit 1, no traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

BRIEFGEN = str(Path(sys.executable).parent / "briefgen")
LIBRARY = ("Traceback", "Input should", "Field required", "Value error", "type=", "pydantic")


def briefgen(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200"}
    return subprocess.run(
        [BRIEFGEN, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.mark.slow
def test_a_new_briefs_common_mistakes_read_plainly(tmp_path):
    assert briefgen("init", "brief", cwd=tmp_path).returncode == 0
    root = tmp_path / "brief"
    example = root / "facts" / "example.yaml"
    original = example.read_text(encoding="utf-8")
    for name, old, new in [
        ("a-date.yaml", "date: 2024", "date: 30/02/2022"),
        ("b-indent.yaml", "    handling: public", "   handling: public"),
        ("c-dedent.yaml", "    priority: 1", "priority: 1"),
        ("d-level.yaml", "    priority: 1", "    priority: 1\n    locator: para. 3"),
    ]:
        text = original.replace("id: example", f"id: {name[0]}-example")
        (root / "facts" / name).write_text(text.replace(old, new, 1), encoding="utf-8")
    example.unlink()
    result = briefgen("check", cwd=root)
    assert result.returncode == 1
    assert result.stdout == ""
    date, indent, dedent, level = result.stderr.splitlines()
    assert date == (
        "error: facts/a-date.yaml:10:11: 'date' of fact 1: '30/02/2022' is not a date: "
        "write it year first, YYYY-MM-DD; and February 2022 has no day 30, so check the numbers"
    )
    # libyaml and PyYAML's own parser word the syntax error differently; the hint is briefgen's
    assert indent.startswith("error: facts/b-indent.yaml:11:4: YAML syntax error: ")
    assert indent.endswith(
        "(indentation: 'handling' starts in column 4, 'date' on line 10 in column 5; "
        "keys of one record start in the same column)"
    )
    assert dedent.startswith("error: facts/c-dedent.yaml:13:14: YAML syntax error: mapping values")
    assert dedent.endswith(
        "(indentation: 'priority' on line 12 starts in column 1, the keys around it in "
        "column 5; line it up with them)"
    )
    assert level == (
        "error: facts/d-level.yaml:13:5: 'locator' is a field of a citation, not of a fact: "
        "is this indented correctly?"
    )
    assert not any(words in result.stderr for words in LIBRARY)

    for name in ("a-date.yaml", "b-indent.yaml", "c-dedent.yaml", "d-level.yaml"):
        (root / "facts" / name).unlink()
    example.write_text(original, encoding="utf-8")
    template = root / "templates" / "brief.html.j2"
    replace(template, "{% block kicker %}", "{% block kickr %}")
    result = briefgen("check", cwd=root)
    assert result.returncode == 0, result.stderr
    (warning,) = result.stderr.splitlines()
    assert warning.startswith(
        "warning: templates/brief.html.j2:5: block 'kickr' is not in base.html.j2, so it does "
        "nothing (did you mean 'kicker'? the blocks it can fill: bibliography, "
    )
    result = briefgen("check", "--strict", cwd=root)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
