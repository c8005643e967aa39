"""`briefgen init`: a new brief on any subject that checks and builds at once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from pypdf import PdfReader
from typer.testing import CliRunner

import briefgen
from briefgen.cli import app
from briefgen.errors import BriefError
from briefgen.pipeline import build, check
from briefgen.tools.scaffold import Pin, check_requirement, init, installed_requirement


@pytest.mark.slow
def test_init_writes_a_brief_that_checks_and_builds(tmp_path):
    target = tmp_path / "arctic-shipping"
    written = init(target)
    names = sorted(str(p.relative_to(target)) for p in written)
    assert names == [
        ".gitattributes",
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


@pytest.mark.parametrize(
    ("folder", "name"),
    [
        ("2024", "2024"),
        ("yes", "yes"),
        ("on", "on"),
        ("no", "no"),
        ("09", "09"),
        ("010", "010"),
        ("1e3", "1e3"),
        ("1.10", "1.10"),
        ("0x1F", "0x1f"),
        ("null", "null"),
        ("true", "true"),
        ("~", "brief"),
        ("Ünïcødé", "unicode"),
        ("Москва 2024", "moskva-2024"),
        ("brief_v1.2", "brief_v1.2"),
        ("_Ports & Harbours --", "ports-harbours"),
        ("北京", "brief"),
    ],
)
def test_any_folder_name_gives_a_brief_that_checks(tmp_path, monkeypatch, folder, name):
    monkeypatch.chdir(tmp_path)
    runner = CliRunner(env={"COLUMNS": "200"})
    made = runner.invoke(app, ["init", folder, "--requirement", "briefgen==0.2.0"])
    assert made.exit_code == 0, made.output
    checked = runner.invoke(app, ["check", "--strict", "--config", f"{folder}/briefgen.yaml"])
    assert checked.exit_code == 0, checked.output
    config = check(tmp_path / folder / "briefgen.yaml").brief.config
    assert config.name == name and config.title


def test_a_folder_name_with_control_characters_gives_a_title_without_them(tmp_path):
    init(tmp_path / "ice\x01floe\x7f\tdrift")
    assert check(tmp_path / "ice\x01floe\x7f\tdrift" / "briefgen.yaml").brief.config.title == (
        "Ice Floe Drift"
    )


def test_a_title_is_put_on_one_line_and_must_be_plain_text(tmp_path):
    init(tmp_path / "b", title="  Ports\n and\u2028 harbours\t")
    assert check(tmp_path / "b" / "briefgen.yaml").brief.config.title == "Ports and harbours"
    with pytest.raises(BriefError, match=r"the title holds control character U\+001B \(ESC\)"):
        init(tmp_path / "c", title="Ports\x1b[31m")
    assert not (tmp_path / "c").exists()


def test_a_long_folder_name_is_cut_to_an_id(tmp_path):
    init(tmp_path / ("ab-" * 60))
    assert check(tmp_path / ("ab-" * 60) / "briefgen.yaml").brief.config.name == "ab-" * 33 + "a"


def test_init_keeps_git_from_changing_the_archived_texts(tmp_path):
    init(tmp_path / "b")
    attributes = (tmp_path / "b" / ".gitattributes").read_text(encoding="utf-8").splitlines()
    rules = [line.split() for line in attributes if line and not line.startswith("#")]
    config = check(tmp_path / "b" / "briefgen.yaml").brief.config
    assert rules == [[f"{config.archive}/**", "-text"]]
    assert any("archive:" in line for line in attributes if line.startswith("#"))


@pytest.mark.slow
def test_a_clone_with_autocrlf_still_verifies_its_quotes(tmp_path):
    """Git for Windows turns LF into CRLF on checkout, which would change each text's sha256."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    git = ["git", "-c", "user.name=CI", "-c", "user.email=ci@example.org"]
    run = dict(env=env, capture_output=True, text=True, check=True)
    work = tmp_path / "arctic"
    init(work)
    for command in (["init", "--quiet"], ["add", "-A"], ["commit", "--quiet", "-m", "A brief"]):
        subprocess.run([*git, *command], cwd=work, **run)
    clone = tmp_path / "win"
    subprocess.run([*git, "-c", "core.autocrlf=true", "clone", "-q", str(work), str(clone)], **run)
    # The clone converted what it may: the text files outside the archive.
    assert b"\r\n" in (clone / "briefgen.yaml").read_bytes()
    archived = "sources/example-source.txt"
    assert (clone / archived).read_bytes() == (work / archived).read_bytes()
    result = subprocess.run(
        [str(Path(sys.executable).parent / "briefgen"), "verify-quotes", "--strict"],
        cwd=clone,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


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
    "direct_url",
    [
        {"url": "https://example.org/a b.git", "vcs_info": {"vcs": "git", "commit_id": COMMIT}},
        {
            "url": "https://example.org/briefgen.git",
            "vcs_info": {"vcs": "git", "commit_id": "abc ; python_version < '3'"},
        },
        {
            "url": "https://example.org/briefgen.git",
            "vcs_info": {"vcs": "git", "commit_id": "a\n-e ."},
        },
        {"url": "https://example.org/x.whl --index-url http://evil", "archive_info": {}},
        {"url": "https://[::1/briefgen.whl", "archive_info": {}},
    ],
)
def test_a_record_that_gives_no_plain_requirement_is_pinned_by_version(direct_url):
    pin = installed_requirement(FakeDistribution("0.2.0", direct_url))
    assert pin.requirement == f"briefgen=={briefgen.__version__}"
    assert pin.note is not None and "--requirement" in pin.note


def test_a_version_pip_cannot_read_is_not_copied():
    pin = installed_requirement(FakeDistribution("0.2.0 # or so"))
    assert pin.requirement == f"briefgen=={briefgen.__version__}" and pin.note


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "-e .",
        "--index-url https://evil.example/",
        "pytest",
        "briefgenx",
        "brief-gen==0.2.0",
        "briefgen\n-e .",
        "briefgen==0.2.0\x85-e .",
        "briefgen\u2028-e .",
        'briefgen==0.2.0"]',
        "briefgen==0.2.0 # comment",
        "briefgen --index-url http://evil",
        "briefgen==0.2.0 --hash=sha256:00",
        "briefgen==0.2.0;",
        "briefgen @ git+https://example.org/a b.git",
    ],
)
def test_a_requirement_must_be_one_line_that_names_briefgen(bad):
    with pytest.raises(BriefError, match="not a requirement for briefgen"):
        check_requirement(bad)


@pytest.mark.parametrize(
    "good",
    [
        "briefgen",
        "briefgen==0.2.0",
        "  BriefGen[archive]>=0.2,<0.3  ",
        "briefgen @ git+https://git.example.org/briefgen@v0.2.0",
        "briefgen@https://files.example.org/briefgen-0.2.0.tar.gz#sha256=00ff",
    ],
)
def test_a_plain_requirement_for_briefgen_is_taken_as_written(good):
    assert check_requirement(good) == good.strip()


def test_a_requirement_with_an_environment_marker_is_refused():
    with pytest.raises(BriefError, match="has an environment marker") as refused:
        check_requirement('briefgen==0.2.0 ; python_version < "3"')
    assert refused.value.problems[0].hint == "leave out '; python_version < \"3\"'"


def test_init_writes_the_requirement_to_ci_and_pre_commit(tmp_path):
    spec = "BriefGen[archive] @ git+https://git.example.org/briefgen@v0.2.0#egg=briefgen"
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


@pytest.mark.parametrize(
    "bad",
    [
        'briefgen==0.2.0"]',
        "briefgen==0.2.0 # comment",
        "briefgen --index-url http://evil",
        'briefgen==0.2.0; sys_platform == "win32"',
    ],
)
def test_the_cli_refuses_a_requirement_ci_could_not_install_as_a_usage_error(
    bad, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    result = CliRunner(env={"COLUMNS": "200"}).invoke(app, ["init", "new", "--requirement", bad])
    assert result.exit_code == 2
    assert "Invalid value for '--requirement': " in result.stderr
    assert "Traceback" not in result.output and not (tmp_path / "new").exists()


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
