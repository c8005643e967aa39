"""`briefgen init`: a new brief on any subject that checks and builds at once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import venv

import pytest
import yaml
from pypdf import PdfReader
from typer.testing import CliRunner

import briefgen
from briefgen.cli import app
from briefgen.errors import BriefError
from briefgen.pipeline import build, check
from briefgen.tools.scaffold import Pin, check_requirement, init, installed_requirement
from tests.conftest import REPO


@pytest.mark.slow
def test_init_writes_a_brief_that_checks_and_builds(tmp_path):
    target = tmp_path / "arctic-shipping"
    written = init(target)
    names = sorted(str(p.relative_to(target)) for p in written)
    assert names == [
        ".github/workflows/brief.yml",
        ".gitignore",
        ".gitlab-ci.yml",
        ".pre-commit-config.yaml",
        "briefgen.yaml",
        "facts/example.yaml",
        "facts/sources.yaml",
        "requirements.txt",
        "schema/briefgen.schema.json",
        "schema/sources.schema.json",
        "schema/topic.schema.json",
        "sources/example-source.txt",
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


class FakeDistribution:
    """An installed briefgen as importlib.metadata shows it, with its PEP 610 record."""

    def __init__(self, version: str, direct_url: object = None) -> None:
        self.version = version
        self.direct_url = direct_url

    def read_text(self, filename: str) -> str | None:
        assert filename == "direct_url.json"
        if self.direct_url is None or isinstance(self.direct_url, str):
            return self.direct_url
        return json.dumps(self.direct_url)


COMMIT = "0123456789abcdef0123456789abcdef01234567"


@pytest.mark.parametrize(
    ("direct_url", "requirement"),
    [
        (None, "briefgen==0.2.0"),  # from an index: no record
        (
            {
                "url": "https://github.com/example/briefgen.git",
                "vcs_info": {"vcs": "git", "commit_id": COMMIT, "requested_revision": "v0.2.0"},
            },
            f"briefgen @ git+https://github.com/example/briefgen.git@{COMMIT}",
        ),
        (
            {
                "url": "https://user:s3cret@git.example.org/briefgen.git",
                "vcs_info": {"vcs": "git", "commit_id": COMMIT},
            },
            f"briefgen @ git+https://git.example.org/briefgen.git@{COMMIT}",
        ),
        (
            {
                "url": "ssh://git@github.com/example/briefgen.git",
                "vcs_info": {"vcs": "git", "commit_id": COMMIT},
            },
            f"briefgen @ git+ssh://git@github.com/example/briefgen.git@{COMMIT}",
        ),
        (
            {"url": "https://files.example.org/briefgen-0.2.0.tar.gz", "archive_info": {}},
            "briefgen @ https://files.example.org/briefgen-0.2.0.tar.gz",
        ),
        ("not json", "briefgen==0.2.0"),
    ],
)
def test_init_pins_the_briefgen_that_runs_it(direct_url, requirement):
    pin = installed_requirement(FakeDistribution("0.2.0", direct_url))
    assert pin == Pin(requirement)


@pytest.mark.parametrize(
    "direct_url",
    [
        {"url": "file:///home/me/briefgen", "dir_info": {"editable": True}},
        {"url": "file:///home/me/briefgen", "dir_info": {}},
        {"url": "file:///home/me/dist/briefgen-0.2.0-py3-none-any.whl", "archive_info": {}},
        {"url": "file:///home/me/briefgen", "vcs_info": {"vcs": "git", "commit_id": COMMIT}},
    ],
)
def test_a_briefgen_installed_from_this_computer_is_pinned_by_version_with_a_note(direct_url):
    # An editable install's record keeps the version it was installed at: the code's wins.
    pin = installed_requirement(FakeDistribution("0.0.1", direct_url))
    assert pin.requirement == f"briefgen=={briefgen.__version__}"
    assert pin.note is not None and "installed from this computer" in pin.note
    assert "--requirement" in pin.note


@pytest.mark.parametrize(
    "bad",
    ["", "-e .", "--index-url https://evil.example/", "pytest", "briefgenx", "briefgen\n-e ."],
)
def test_a_requirement_must_be_one_line_that_names_briefgen(bad):
    with pytest.raises(BriefError, match="not a requirement for briefgen"):
        check_requirement(bad)


def test_init_writes_the_requirement_to_ci_and_pre_commit(tmp_path):
    spec = 'briefgen @ git+https://git.example.org/briefgen@v0.2.0 ; python_version >= "3.11"'
    init(tmp_path / "b", requirement=spec)
    lines = (tmp_path / "b" / "requirements.txt").read_text(encoding="utf-8").splitlines()
    assert lines[-1] == spec and all(line.startswith("#") for line in lines[:-1])
    hooks = yaml.safe_load((tmp_path / "b" / ".pre-commit-config.yaml").read_text())
    assert [h["additional_dependencies"] for h in hooks["repos"][0]["hooks"]] == [[spec], [spec]]
    gitignore = (tmp_path / "b" / ".gitignore").read_text(encoding="utf-8").splitlines()
    ignored = [line for line in gitignore if not line.startswith("#")]
    assert "/out/" in ignored and not any("schema" in line for line in ignored)


def test_init_through_the_cli_takes_a_requirement_or_refuses_it(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    runner = CliRunner(env={"COLUMNS": "200"})
    result = runner.invoke(app, ["init", "new", "--requirement", "briefgen==9.9"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "new" / "requirements.txt").read_text().splitlines()[-1] == "briefgen==9.9"
    assert result.stderr == ""
    bad = runner.invoke(app, ["init", "other", "--requirement", "-r other.txt"])
    assert bad.exit_code == 2
    assert "Invalid value for '--requirement': not a requirement for briefgen: '-r other.txt'" in (
        bad.stderr
    )
    assert not (tmp_path / "other").exists()


def test_init_through_the_cli_says_when_the_pin_may_not_be_found(tmp_path, monkeypatch):
    import briefgen.tools.scaffold as scaffold

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(scaffold, "installed_requirement", lambda: Pin("briefgen==1.0", "why"))
    result = CliRunner(env={"COLUMNS": "200"}).invoke(app, ["init", "new"])
    assert result.exit_code == 0, result.output
    assert result.stderr == "note: why\n"
    assert (tmp_path / "new" / "requirements.txt").read_text().splitlines()[-1] == "briefgen==1.0"
    monkeypatch.setattr(scaffold, "installed_requirement", lambda: Pin("briefgen==1.0"))
    quiet = CliRunner(env={"COLUMNS": "200"}).invoke(app, ["init", "other"])
    assert quiet.exit_code == 0 and quiet.stderr == ""
