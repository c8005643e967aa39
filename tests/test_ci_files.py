"""The CI workflows and pre-commit hooks shipped with the repository call real commands."""

from __future__ import annotations

import json
import re
import shlex

import typer
import yaml
from typer.testing import CliRunner

from briefgen.cli import app
from tests.conftest import REPO

CLI = typer.main.get_command(app)


def briefgen_calls(scripts: list[str]) -> list[list[str]]:
    """Every `briefgen ...` invocation in shell snippets, as argument lists."""
    calls = []
    for script in scripts:
        for line in script.splitlines():
            for match in re.finditer(r"(?:^|[\s$(])briefgen\s+([^)\n;|&]*)", line):
                calls.append(
                    shlex.split(match.group(1).replace("${{", "'${{").replace("}}", "}}'"))
                )
    return calls


def check_call(args: list[str]) -> None:
    name, *rest = args
    command = CLI.commands.get(name)  # type: ignore[attr-defined]
    assert command is not None, f"briefgen has no command {name!r}"
    if hasattr(command, "commands"):  # a group such as `sources`
        sub, *rest = rest
        command = command.commands.get(sub)
        assert command is not None, f"briefgen {name} has no command {sub!r}"
    options = {opt for param in command.params for opt in [*param.opts, *param.secondary_opts]}
    for token in rest:
        if token.startswith("-"):
            assert token.split("=")[0] in options, f"briefgen {name}: no option {token!r}"


def test_github_workflow_runs_on_push_schedule_and_dispatch_with_real_commands():
    workflow = yaml.safe_load((REPO / ".github" / "workflows" / "briefs.yml").read_text())
    triggers = workflow[True]  # YAML 1.1 reads the key `on` as True
    assert triggers["push"]["branches"] == ["main"]
    assert triggers["schedule"][0]["cron"] and "workflow_dispatch" in triggers
    build = workflow["jobs"]["build"]
    assert build["needs"] == "check"
    assert "fromJSON(needs.check.outputs.matrix)" in build["strategy"]["matrix"]
    assert any(s.get("uses", "").startswith("actions/upload-artifact") for s in build["steps"])
    scripts = [s["run"] for job in workflow["jobs"].values() for s in job["steps"] if "run" in s]
    calls = briefgen_calls(scripts)
    assert ["check", "--strict", "--max-age", "365d"] in calls
    assert ["matrix"] in calls
    assert any(call[:2] == ["build", "--audience"] for call in calls)
    for call in calls:
        check_call(call)


def test_gitlab_file_uses_real_commands_and_the_same_audiences():
    pipeline = yaml.safe_load((REPO / "docs" / "gitlab-ci.yml").read_text())
    scripts = [
        line
        for job in pipeline.values()
        if isinstance(job, dict)
        for key in ("script", "before_script")
        for line in job.get(key, [])
    ]
    calls = briefgen_calls(scripts)
    assert ["check", "--strict", "--max-age", "365d"] in calls
    assert any(call[:2] == ["build", "--audience"] for call in calls)
    for call in calls:
        check_call(call)
    audiences = pipeline["build"]["parallel"]["matrix"][0]["AUDIENCE"]
    result = CliRunner().invoke(app, ["matrix", "--config", str(REPO / "briefgen.yaml")])
    assert [row["audience"] for row in json.loads(result.stdout)["include"]] == audiences


def test_pre_commit_hooks_call_real_commands():
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    ids = {hook["id"] for hook in hooks}
    assert {"briefgen-check", "briefgen-verify-quotes"} <= ids
    for hook in hooks:
        assert hook["language"] == "python" and hook["pass_filenames"] is False
        check_call(shlex.split(hook["entry"])[1:])
        assert re.search(hook["files"], "facts/kazakhstan-2022.yaml")
    check_hook = next(h for h in hooks if h["id"] == "briefgen-check")
    assert re.search(check_hook["files"], "templates/brief.css")
    assert re.search(check_hook["files"], "briefgen.yaml")
    assert not re.search(check_hook["files"], "README.md")


def test_the_checker_catches_a_wrong_option():
    import pytest

    with pytest.raises(AssertionError, match="no option '--strictt'"):
        check_call(["check", "--strictt"])
    with pytest.raises(AssertionError, match="no command 'publish'"):
        check_call(["publish"])
