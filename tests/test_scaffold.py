"""`briefgen init`: a new brief on any subject that checks and builds at once."""

from __future__ import annotations

import os
import subprocess
import sys
import venv

import pytest
from pypdf import PdfReader
from typer.testing import CliRunner

from briefgen.cli import app
from briefgen.errors import BriefError
from briefgen.pipeline import build, check
from briefgen.tools.scaffold import init
from tests.conftest import REPO


@pytest.mark.slow
def test_init_writes_a_brief_that_checks_and_builds(tmp_path):
    target = tmp_path / "arctic-shipping"
    written = init(target)
    names = sorted(str(p.relative_to(target)) for p in written)
    assert names == [
        ".gitignore",
        "briefgen.yaml",
        "facts/example.yaml",
        "facts/sources.yaml",
        "schema/briefgen.schema.json",
        "schema/sources.schema.json",
        "schema/topic.schema.json",
        "templates/brief.html.j2",
    ]
    checked = check(target / "briefgen.yaml")
    assert (checked.brief.config.title, checked.brief.config.name) == (
        "Arctic Shipping",
        "arctic-shipping",
    )
    assert checked.warnings == []
    built = build(target / "briefgen.yaml", everything=True)
    assert [e.name for e in built.audiences] == ["full", "public"]
    reader = PdfReader(target / "out" / "arctic-shipping-public.pdf")
    text = reader.pages[0].extract_text()
    assert "Arctic Shipping" in text and "PUBLIC" in text
    assert "Your First Source" in text or "Replace This with the Title" in text


def test_init_takes_any_title_safely(tmp_path):
    init(tmp_path / "b", title='Ports: "cold" & \\ warm')
    assert check(tmp_path / "b" / "briefgen.yaml").brief.config.title == 'Ports: "cold" & \\ warm'


def test_init_refuses_to_overwrite_a_brief(tmp_path):
    init(tmp_path / "b")
    with pytest.raises(BriefError, match="a brief already exists here"):
        init(tmp_path / "b")
    (tmp_path / "c" / "facts").mkdir(parents=True)
    (tmp_path / "c" / "facts" / "sources.yaml").write_text("[]\n", encoding="utf-8")
    with pytest.raises(BriefError, match=r"sources\.yaml already exists"):
        init(tmp_path / "c")
    assert (tmp_path / "c" / "facts" / "sources.yaml").read_text(encoding="utf-8") == "[]\n"


def test_init_through_the_cli(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    runner = CliRunner(env={"COLUMNS": "200"})
    result = runner.invoke(app, ["init", "new"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == "wrote new/briefgen.yaml"
    assert result.stdout.splitlines()[-1] == "next: cd new && briefgen build --all"
    again = runner.invoke(app, ["init", "new"])
    assert again.exit_code == 1
    assert again.stderr == (
        "error: new/briefgen.yaml: a brief already exists here "
        "(choose an empty folder, or edit the brief that is there)\n"
    )


@pytest.mark.slow
def test_a_wheel_in_a_fresh_virtualenv_inits_and_builds_outside_the_repo(tmp_path):
    """The package carries its templates and scaffold: nothing comes from the checkout."""
    dist = tmp_path / "dist"
    pip = [sys.executable, "-m", "pip"]
    subprocess.run(
        [*pip, "wheel", "--no-deps", "--quiet", "--wheel-dir", str(dist), str(REPO)],
        check=True,
        capture_output=True,
    )
    (wheel,) = dist.glob("briefgen-*.whl")
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", str(wheel)],
        check=True,
        capture_output=True,
    )
    work = tmp_path / "elsewhere"
    work.mkdir()
    briefgen = env_dir / "bin" / "briefgen"
    clean = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV"}}
    run = dict(cwd=work, env=clean, capture_output=True, text=True, check=False)
    made = subprocess.run([str(briefgen), "init", "harbour"], **run)
    assert made.returncode == 0, made.stderr
    built = subprocess.run([str(briefgen), "build", "--all"], **{**run, "cwd": work / "harbour"})
    assert built.returncode == 0, built.stderr
    assert (work / "harbour" / "out" / "harbour-public.pdf").read_bytes().startswith(b"%PDF-")
    where = subprocess.run(
        [str(python), "-c", "import briefgen; print(briefgen.__file__)"], **run
    ).stdout
    assert str(REPO) not in where and str(env_dir) in where
