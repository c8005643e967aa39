"""The CI files briefgen ships, and those `briefgen init` writes, pass the linters and run.

Checked: the repository's own workflow and action (`.github/workflows/briefs.yml`,
`action.yml`), its pre-commit hooks, and a scaffolded brief's GitHub workflow,
`.gitlab-ci.yml`, generated GitLab child pipeline and `.pre-commit-config.yaml`.

- SchemaStore's schemas, as vendored by check-jsonschema;
- shellcheck on every `run:` and `script:` block, with `${{ ... }}` expressions
  replaced by a placeholder of the same length, as actionlint does;
- actionlint's rules that matter here, as the small `*_problems` functions
  below: `needs:` names a job, `matrix.KEY` is a key the matrix has, `steps.ID`
  names an earlier step, no untrusted expression inside a script, every
  `uses:` pinned to a version. Each rule is shown to catch a bad workflow.

The slow test at the end runs a fresh brief's workflow steps locally, in order.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
import yaml
from typer.testing import CliRunner

from briefgen.cli import app
from briefgen.tools.scaffold import init
from tests.conftest import REPO

CLI = typer.main.get_command(app)
BIN = Path(sys.executable).parent
EXPRESSION = re.compile(r"\$\{\{(.*?)\}\}", re.DOTALL)
REQUIREMENT = "briefgen==0.2.0"


# --- the files under test ------------------------------------------------------------


@pytest.fixture(scope="module")
def brief(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A brief just written by `briefgen init`."""
    target = tmp_path_factory.mktemp("scaffolded") / "harbour"
    init(target, requirement=REQUIREMENT)
    return target


def load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def matrix_rows(config: Path) -> list[dict[str, str]]:
    """What `briefgen matrix` gives a workflow's job matrix."""
    result = CliRunner().invoke(app, ["matrix", "--config", str(config)])
    assert result.exit_code == 0, result.output
    rows: list[dict[str, str]] = json.loads(result.stdout)["include"]
    return rows


def child_pipeline(config: Path) -> str:
    result = CliRunner().invoke(app, ["matrix", "--for", "gitlab", "--config", str(config)])
    assert result.exit_code == 0, result.output
    return result.stdout


def github_workflows(brief: Path) -> dict[str, Path]:
    return {
        "scaffolded": brief / ".github" / "workflows" / "brief.yml",
        "own": REPO / ".github" / "workflows" / "briefs.yml",
    }


def matrix_keys_for(brief: Path) -> dict[str, set[str]]:
    """The keys `briefgen matrix` gives each brief's matrix jobs."""
    return {
        "scaffolded": set(matrix_rows(brief / "briefgen.yaml")[0]),
        "own": set(matrix_rows(REPO / "briefgen.yaml")[0]),
    }


# --- small helpers ---------------------------------------------------------------------


def strings(node: Any) -> Iterator[str]:
    """Every string in a parsed YAML document, keys included."""
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from strings(key)
            yield from strings(value)
    elif isinstance(node, list):
        for item in node:
            yield from strings(item)


def expressions(node: Any) -> list[str]:
    """The insides of every `${{ ... }}` in a document, stripped."""
    return [m.group(1).strip() for text in strings(node) for m in EXPRESSION.finditer(text)]


def without_expressions(script: str) -> str:
    """`script` with each `${{ ... }}` replaced by underscores of its length (as actionlint)."""
    return EXPRESSION.sub(lambda m: "_" * len(m.group()), script)


def run_scripts(steps: list[dict[str, Any]]) -> list[str]:
    return [step["run"] for step in steps if "run" in step]


def workflow_scripts(workflow: dict[str, Any]) -> list[str]:
    return [script for job in workflow["jobs"].values() for script in run_scripts(job["steps"])]


def gitlab_scripts(pipeline: dict[str, Any]) -> list[str]:
    """Each GitLab job's before_script and script, joined as the runner runs them."""
    scripts = []
    for name, job in pipeline.items():
        if isinstance(job, dict) and name not in {"workflow", "variables"}:
            for key in ("before_script", "script"):
                if key in job:
                    scripts.append("\n".join(job[key]))
    return scripts


def shellcheck(script: str, shell: str) -> list[str]:
    """shellcheck's findings on `script`, one line each; empty when clean."""
    result = subprocess.run(
        [str(BIN / "shellcheck"), f"--shell={shell}", "--format=gcc", "-"],
        input=without_expressions(script),
        capture_output=True,
        text=True,
        check=False,
    )
    return result.stdout.splitlines()


def schema_check(schema: str, *paths: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "check-jsonschema"), "--builtin-schema", schema, *map(str, paths)],
        capture_output=True,
        text=True,
        check=False,
    )


# --- actionlint's rules that matter here --------------------------------------------------


def needs_problems(workflow: dict[str, Any]) -> list[str]:
    """Every `needs:` names a job of the workflow."""
    jobs = workflow["jobs"]
    problems = []
    for name, job in jobs.items():
        needs = job.get("needs", [])
        for needed in [needs] if isinstance(needs, str) else needs:
            if needed not in jobs:
                problems.append(f"{name}: needs unknown job {needed!r}")
    return problems


def matrix_problems(workflow: dict[str, Any], from_briefgen: set[str]) -> list[str]:
    """Every `matrix.KEY` a job uses is a key its matrix provides.

    A matrix given as an expression (`fromJSON(...)`) provides the keys of
    `briefgen matrix`'s rows, `from_briefgen`.
    """
    problems = []
    for name, job in workflow["jobs"].items():
        matrix = job.get("strategy", {}).get("matrix")
        if isinstance(matrix, str):
            provided = from_briefgen
        elif isinstance(matrix, dict):
            rows = matrix.get("include", [])
            provided = {k for k in matrix if k not in {"include", "exclude"}}
            provided |= {key for row in rows for key in row}
        else:
            provided = set()
        for expression in expressions(job):
            for key in re.findall(r"(?<![\w.])matrix\.([A-Za-z_][\w-]*)", expression):
                if key not in provided:
                    problems.append(f"{name}: matrix.{key} is not a key of its matrix")
    return problems


def step_problems(steps: list[dict[str, Any]], outside: Any = None, where: str = "") -> list[str]:
    """Every `steps.ID` names a step before the one that uses it.

    `outside` is what refers to the steps from outside (a job's outputs and
    environment, an action's outputs): it may name any step.
    """
    problems = []
    seen: set[str] = set()
    for step in steps:
        for expression in expressions(step):
            for ref in re.findall(r"(?<![\w.])steps\.([A-Za-z_][\w-]*)", expression):
                if ref not in seen:
                    problems.append(f"{where}: steps.{ref} is used before a step has that id")
        if "id" in step:
            seen.add(step["id"])
    for expression in expressions(outside):
        for ref in re.findall(r"(?<![\w.])steps\.([A-Za-z_][\w-]*)", expression):
            if ref not in seen:
                problems.append(f"{where}: steps.{ref} names no step")
    return problems


def workflow_step_problems(workflow: dict[str, Any]) -> list[str]:
    return [
        problem
        for name, job in workflow["jobs"].items()
        for problem in step_problems(
            job["steps"], [job.get("outputs"), job.get("environment")], name
        )
    ]


def injection_problems(steps: list[dict[str, Any]]) -> list[str]:
    """No input or event field is pasted into a script: pass them through `env:`."""
    return [
        f"{step.get('name', step['run'][:30])!r}: ${{{{ {expression} }}}} in a script"
        for step in steps
        if "run" in step
        for expression in expressions(step["run"])
        if re.search(r"\b(inputs|github\.event|github\.head_ref)\b", expression)
    ]


def pin_problems(steps: list[dict[str, Any]]) -> list[str]:
    """Every `uses:` names a version tag or a commit, or is the repository's own action."""
    pinned = re.compile(r"^[\w.-]+/[\w./-]+@(v\d+(\.\d+){0,2}|[0-9a-f]{40})$")
    return [
        f"{step['uses']}: not pinned to a version"
        for step in steps
        if "uses" in step and not (step["uses"].startswith("./") or pinned.match(step["uses"]))
    ]


def all_steps(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for job in workflow["jobs"].values() for step in job["steps"]]


def action_steps() -> list[dict[str, Any]]:
    steps: list[dict[str, Any]] = load(REPO / "action.yml")["runs"]["steps"]
    return steps


# --- schemas ---------------------------------------------------------------------------


def test_workflows_action_and_gitlab_files_match_schemastore(brief, tmp_path):
    child = tmp_path / "build-pipeline.yml"
    child.write_text(child_pipeline(brief / "briefgen.yaml"), encoding="utf-8")
    own_child = tmp_path / "own-build-pipeline.yml"
    own_child.write_text(child_pipeline(REPO / "briefgen.yaml"), encoding="utf-8")
    checks = [
        ("vendor.github-workflows", list(github_workflows(brief).values())),
        ("vendor.github-actions", [REPO / "action.yml"]),
        ("vendor.gitlab-ci", [brief / ".gitlab-ci.yml", child, own_child]),
    ]
    for schema, paths in checks:
        result = schema_check(schema, *paths)
        assert result.returncode == 0, result.stdout + result.stderr


def test_the_schema_check_catches_a_bad_workflow_and_pipeline(tmp_path):
    workflow = tmp_path / "bad.yml"
    workflow.write_text("on: push\njobs:\n  build:\n    steps:\n      - run: make\n")
    result = schema_check("vendor.github-workflows", workflow)
    assert result.returncode == 1 and "runs-on" in result.stdout
    pipeline = tmp_path / "bad-gitlab.yml"
    pipeline.write_text("build:\n  script: make\n  artifacts:\n    pathz: [out/]\n")
    assert schema_check("vendor.gitlab-ci", pipeline).returncode == 1


# --- shellcheck ------------------------------------------------------------------------


def test_every_run_and_script_block_passes_shellcheck(brief):
    found = {}
    for name, path in github_workflows(brief).items():
        found[name] = workflow_scripts(load(path))
    found["action"] = run_scripts(action_steps())
    for name, scripts in found.items():
        assert scripts, f"{name}: no scripts found"
        for script in scripts:
            assert shellcheck(script, "bash") == [], f"{name}:\n{script}"
    gitlab = [load(brief / ".gitlab-ci.yml"), json.loads(child_pipeline(brief / "briefgen.yaml"))]
    # GitLab runs scripts with bash where the image has it, else sh: both must do.
    for script in gitlab_scripts(gitlab[0]) + gitlab_scripts(gitlab[1]):
        assert shellcheck(script, "sh") == [], script


def test_shellcheck_catches_a_bad_script():
    found = shellcheck("briefgen build --audience ${{ matrix.audience }} -o $OUT\n", "bash")
    assert len(found) == 1 and "SC2086" in found[0]  # $OUT unquoted; the expression is not


# --- actionlint's rules -----------------------------------------------------------------


def test_the_workflows_and_the_action_break_none_of_actionlint_rules(brief):
    keys = matrix_keys_for(brief)
    assert keys["scaffolded"] == {"audience", "html", "pdf", "paths"}
    for name, path in github_workflows(brief).items():
        workflow = load(path)
        assert needs_problems(workflow) == [], name
        assert matrix_problems(workflow, keys[name]) == [], name
        assert workflow_step_problems(workflow) == [], name
        assert injection_problems(all_steps(workflow)) == [], name
        assert pin_problems(all_steps(workflow)) == [], name
    steps = action_steps()
    assert step_problems(steps, load(REPO / "action.yml").get("outputs"), "action") == []
    assert injection_problems(steps) == [] and pin_problems(steps) == []


BAD_WORKFLOW = """
on: push
jobs:
  check:
    runs-on: ubuntu-latest
    outputs:
      matrix: ${{ steps.list.outputs.matrix }}
    steps:
      - run: echo "${{ steps.later.outputs.x }}"
      - id: later
        run: echo "${{ github.event.head_commit.message }}"
      - uses: actions/checkout@main
      - uses: actions/setup-python
  build:
    needs: [check, lint]
    runs-on: ubuntu-latest
    strategy:
      matrix: ${{ fromJSON(needs.check.outputs.matrix) }}
    steps:
      - uses: actions/checkout@v4
        with:
          ref: ${{ matrix.branch }}
      - run: briefgen build --audience "${{ matrix.audience }}"
  lint-free:
    runs-on: ubuntu-latest
    strategy:
      matrix:
        python: ["3.11", "3.12"]
        include: [{python: "3.13", extra: "yes"}]
    steps:
      - run: echo "${{ matrix.python }} ${{ matrix.extra }} ${{ matrix.os }}"
"""


def test_each_rule_catches_a_bad_workflow():
    workflow = yaml.safe_load(BAD_WORKFLOW)
    assert needs_problems(workflow) == ["build: needs unknown job 'lint'"]
    assert matrix_problems(workflow, {"audience", "html", "pdf"}) == [
        "build: matrix.branch is not a key of its matrix",
        "lint-free: matrix.os is not a key of its matrix",
    ]
    assert workflow_step_problems(workflow) == [
        "check: steps.later is used before a step has that id",
        "check: steps.list names no step",
    ]
    assert len(injection_problems(all_steps(workflow))) == 1
    assert "github.event.head_commit.message" in injection_problems(all_steps(workflow))[0]
    assert pin_problems(all_steps(workflow)) == [
        "actions/checkout@main: not pinned to a version",
        "actions/setup-python: not pinned to a version",
    ]
    action = [{"run": "briefgen ${{ inputs.args }}", "shell": "bash"}]
    assert injection_problems(action) == [
        "'briefgen ${{ inputs.args }}': ${{ inputs.args }} in a script"
    ]


# --- the commands the files call exist ------------------------------------------------


def briefgen_calls(scripts: list[str]) -> list[list[str]]:
    """Every `briefgen ...` invocation in shell snippets, as argument lists."""
    calls = []
    for script in scripts:
        for line in script.splitlines():
            for match in re.finditer(r"(?:^|[\s$(])briefgen\s+([^)\n;|&>]*)", line):
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


def test_the_scaffolded_github_workflow_checks_verifies_builds_and_may_publish(brief):
    workflow = load(brief / ".github" / "workflows" / "brief.yml")
    triggers = workflow[True]  # YAML 1.1 reads the key `on` as True
    # Every branch, whatever `git init` named the first one: no branch filter.
    assert triggers["push"] is None and triggers["pull_request"] is None
    assert triggers["schedule"][0]["cron"] and "workflow_dispatch" in triggers
    jobs = workflow["jobs"]
    calls = briefgen_calls(run_scripts(jobs["check"]["steps"]))
    assert calls == [["check", "--strict"], ["verify-quotes", "--strict"], ["matrix"]]
    assert briefgen_calls(run_scripts(jobs["build"]["steps"])) == [
        ["build", "--audience", "$AUDIENCE", "--strict", "--force"]
    ]
    for job in ("check", "build"):
        python = next(s for s in jobs[job]["steps"] if "setup-python" in s.get("uses", ""))
        assert python["with"]["cache-dependency-path"] == "requirements.txt"
        assert "pip install -r requirements.txt" in run_scripts(jobs[job]["steps"])
    pages = jobs["pages"]
    assert pages["if"].startswith("vars.BRIEFGEN_PAGES != ''")
    assert pages["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    assert pages["environment"]["name"] == "github-pages"
    assert [s["uses"].split("@")[0] for s in pages["steps"] if "uses" in s] == [
        "actions/download-artifact",
        "actions/upload-pages-artifact",
        "actions/deploy-pages",
    ]


# --- GitHub's expressions, enough to read a job's `if:` ---------------------------------

TOKEN = re.compile(r"\s*(?:('(?:[^']|'')*')|([A-Za-z_][\w.-]*)(\s*\()?|(==|!=|&&|\|\||[!(),]))")


def evaluate(expression: str, contexts: dict[str, Any]) -> Any:
    """`expression` as GitHub evaluates it: `==`, `!=`, `!`, `&&`, `||`, `format()`, literals.

    A missing property is null; null is formatted as ''. String comparison is
    case-insensitive, as on GitHub.
    """
    python = []
    position = 0
    expression = expression.strip()
    while position < len(expression):
        match = TOKEN.match(expression, position)
        assert match and match.end() > position, f"cannot read {expression[position:]!r}"
        literal, name, call, operator = match.groups()
        if literal:
            python.append(repr(literal[1:-1].replace("''", "'").lower()))
        elif name and call:
            assert name == "format", f"no function {name!r} here"
            python.append("_format(")
        elif name:
            python.append({"null": "None", "true": "True", "false": "False"}.get(name, ""))
            if not python[-1]:
                python[-1] = f"_get({name!r})"
        else:
            python.append({"&&": " and ", "||": " or ", "!": " not "}.get(operator, operator))
            if operator in {"==", "!="}:
                python[-1] = f" {operator} "
        position = match.end()

    def get(path: str) -> Any:
        value: Any = contexts
        for part in path.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        return value.lower() if isinstance(value, str) else value

    def format_(text: str, *values: Any) -> str:
        return re.sub(r"\{(\d+)\}", lambda m: str(values[int(m[1])] or ""), text).lower()

    code = "".join(python)
    return eval(code, {"__builtins__": {}, "_get": get, "_format": format_})


def github_run(event: str, ref: str, *, default: str = "master", pages: str = "public"):
    """The contexts of a run of `event` on `ref`; the repository's default branch is `default`."""
    payload = {} if event == "schedule" else {"repository": {"default_branch": default}}
    return {
        "github": {"event_name": event, "ref": ref, "event": payload},
        "vars": {"BRIEFGEN_PAGES": pages},
    }


def test_the_expression_reader_reads_what_github_does():
    run = github_run("push", "refs/heads/Master")
    assert evaluate("github.ref == 'refs/heads/master'", run) is True
    assert evaluate("github.event.nothing.here == null && !('a' == 'B')", run) is True
    assert evaluate("format('a{0}b{1}', github.missing, 'it''s')", run) == "ab" + "it's"
    assert (
        evaluate("vars.BRIEFGEN_PAGES != '' || false", github_run("push", "x", pages="")) is False
    )
    with pytest.raises(AssertionError, match="no function 'contains'"):
        evaluate("contains(github.ref, 'main')", run)


@pytest.mark.parametrize(
    ("event", "ref", "default", "published"),
    [
        ("push", "refs/heads/master", "master", True),  # `git init`'s branch
        ("push", "refs/heads/main", "main", True),
        ("push", "refs/heads/trunk", "trunk", True),
        ("push", "refs/heads/main", "master", False),
        ("push", "refs/heads/feature", "master", False),
        ("push", "refs/tags/master", "master", False),
        ("pull_request", "refs/pull/7/merge", "master", False),
        ("workflow_dispatch", "refs/heads/master", "master", True),
        ("workflow_dispatch", "refs/heads/feature", "master", False),
        ("schedule", "refs/heads/master", "master", True),  # always the default branch
    ],
)
def test_pages_publish_from_the_default_branch_whatever_its_name(
    brief, event, ref, default, published
):
    condition = load(brief / ".github" / "workflows" / "brief.yml")["jobs"]["pages"]["if"]
    assert bool(evaluate(condition, github_run(event, ref, default=default))) is published
    assert not evaluate(condition, github_run(event, ref, default=default, pages=""))


def test_the_repositorys_own_workflow_uses_its_action_and_real_commands(brief):
    workflow = load(REPO / ".github" / "workflows" / "briefs.yml")
    steps = all_steps(workflow)
    args = [s["with"]["args"] for s in steps if s.get("uses") == "./"]
    assert args == [
        "check --strict --max-age 365d",
        "build --audience ${{ matrix.audience }} --strict --force",
        "init new-brief",
    ]
    calls = [shlex.split(arg.replace("${{ matrix.audience }}", "NAME")) for arg in args]
    for call in calls + briefgen_calls(workflow_scripts(workflow)):
        check_call(call)


def test_the_scaffolded_gitlab_file_plans_a_child_pipeline_per_audience(brief):
    pipeline = load(brief / ".gitlab-ci.yml")
    assert pipeline["default"]["image"] == "python:3.12"  # the full image: it has git
    assert pipeline["stages"] == ["check", "plan", "build"]
    assert briefgen_calls(pipeline["check"]["script"]) == [
        ["check", "--strict"],
        ["verify-quotes", "--strict"],
    ]
    assert briefgen_calls(pipeline["plan"]["script"]) == [["matrix", "--for", "gitlab"]]
    (artifact,) = pipeline["plan"]["artifacts"]["paths"]
    assert pipeline["plan"]["script"] == [f"briefgen matrix --for gitlab > {artifact}"]
    assert pipeline["build"]["trigger"] == {
        "include": [{"artifact": artifact, "job": "plan"}],
        "strategy": "depend",
    }
    for call in briefgen_calls(gitlab_scripts(pipeline)):
        check_call(call)


def test_the_child_pipeline_builds_each_audience_dated_by_the_commit(brief):
    child = yaml.safe_load(child_pipeline(brief / "briefgen.yaml"))  # JSON, read as YAML
    rows = matrix_rows(brief / "briefgen.yaml")
    assert [name for name in child if name.startswith("build-")] == [
        f"build-{row['audience']}" for row in rows
    ]
    assert child["default"]["image"] == "python:3.12"
    assert "pip install -r requirements.txt" in child["default"]["before_script"]
    for row in rows:
        job = child[f"build-{row['audience']}"]
        assert job["variables"] == {"AUDIENCE": row["audience"]}
        assert 'date -d "$CI_COMMIT_TIMESTAMP" +%s' in "\n".join(job["script"])
        assert briefgen_calls(job["script"]) == [
            ["build", "--audience", "$AUDIENCE", "--strict", "--force"]
        ]
        assert job["artifacts"]["paths"] == [
            f"out/{row['html']}",
            f"out/{row['pdf']}",
            "out/manifest.json",
        ]


def test_matrix_for_github_is_the_compact_json_it_always_was():
    result = CliRunner().invoke(app, ["matrix", "--config", str(REPO / "briefgen.yaml")])
    # The keys of 0.2.0 (audience, html, pdf) stay; `paths` lists the files a job keeps.
    assert result.stdout == (
        '{"include":[{"audience":"analyst","html":"csto-brief-analyst.html",'
        '"pdf":"csto-brief-analyst.pdf","paths":"out/csto-brief-analyst.html\\n'
        'out/csto-brief-analyst.pdf\\nout/manifest.json"},{"audience":"executive",'
        '"html":"csto-brief-executive.html","pdf":"csto-brief-executive.pdf",'
        '"paths":"out/csto-brief-executive.html\\nout/csto-brief-executive.pdf\\n'
        'out/manifest.json"},{"audience":"public","html":"csto-brief-public.html",'
        '"pdf":"csto-brief-public.pdf","paths":"out/csto-brief-public.html\\n'
        'out/csto-brief-public.pdf\\nout/manifest.json"}]}\n'
    )
    same = CliRunner().invoke(
        app, ["matrix", "--for", "github", "--config", str(REPO / "briefgen.yaml")]
    )
    assert same.stdout == result.stdout
    wrong = CliRunner().invoke(app, ["matrix", "--for", "jenkins"])
    assert wrong.exit_code == 2


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
    verify_hook = next(h for h in hooks if h["id"] == "briefgen-verify-quotes")
    assert verify_hook["entry"] == "briefgen verify-quotes --strict"  # the configured archive
    assert re.search(verify_hook["files"], "sources/culp-2023.txt")


def test_the_scaffolded_pre_commit_config_installs_what_requirements_txt_pins(brief):
    pinned = [
        line
        for line in (brief / "requirements.txt").read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    ]
    assert pinned == [REQUIREMENT]
    (repo,) = load(brief / ".pre-commit-config.yaml")["repos"]
    assert repo["repo"] == "local"
    assert [h["entry"] for h in repo["hooks"]] == [
        "briefgen check --strict",
        "briefgen verify-quotes --strict",
    ]
    for hook in repo["hooks"]:
        assert hook["language"] == "python" and hook["additional_dependencies"] == pinned
        check_call(shlex.split(hook["entry"])[1:])


def test_the_checker_catches_a_wrong_option():
    with pytest.raises(AssertionError, match="no option '--strictt'"):
        check_call(["check", "--strictt"])
    with pytest.raises(AssertionError, match="no command 'publish'"):
        check_call(["publish"])


@pytest.mark.slow
def test_the_action_splits_its_args_like_a_shell_but_never_expands_them(tmp_path):
    init(tmp_path / "my brief", requirement=REQUIREMENT)
    (step,) = [s for s in action_steps() if 'briefgen "${args[@]}"' in s.get("run", "")]
    assert step["env"] == {"ARGS": "${{ inputs.args }}"}
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}

    def run(args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["bash", "-eo", "pipefail", "-c", step["run"]],
            cwd=tmp_path,
            env={**env, "ARGS": args},
            capture_output=True,
            text=True,
            check=False,
        )

    quoted = run("matrix --config 'my brief/briefgen.yaml'")
    assert quoted.returncode == 0, quoted.stderr
    assert json.loads(quoted.stdout)["include"][0]["audience"] == "full"
    hostile = run("matrix --config $(touch pwned) `touch pwned2` ; touch pwned3")
    assert hostile.returncode == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["my brief"]
    empty = run("")
    assert empty.returncode == 1 and "needs args" in empty.stderr


# --- done when: a fresh brief's steps, run locally in order ----------------------------


def substituted(text: str, values: dict[str, str]) -> str:
    """`text` with each `${{ matrix.KEY }}` filled in; any other expression fails the test."""

    def fill(match: re.Match[str]) -> str:
        expression = match.group(1).strip()
        assert expression in values, f"cannot run ${{{{ {expression} }}}} locally"
        return values[expression]

    return EXPRESSION.sub(fill, text)


def run_steps(steps: list[dict[str, Any]], cwd: Path, env: dict[str, str], values: dict[str, str]):
    """Run a job's `run:` steps in order with bash, but the ones that install things."""
    ran = []
    for step in steps:
        script = step.get("run")
        if script is None or "apt-get" in script or "pip install" in script:
            continue
        step_env = {k: substituted(str(v), values) for k, v in step.get("env", {}).items()}
        result = subprocess.run(
            ["bash", "-c", "set -euo pipefail\n" + substituted(script, values)],
            cwd=cwd,
            env={**env, **step_env},
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, f"{step.get('name')}:\n{result.stdout}{result.stderr}"
        ran.append(step.get("name", script))
    return ran


@pytest.mark.slow
def test_from_an_empty_folder_init_and_git_init_give_steps_that_check_verify_and_build(
    tmp_path,
):
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"SOURCE_DATE_EPOCH", "PYTHONPATH"}},
        "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}",
    }
    git = ["git", "-c", "user.name=CI", "-c", "user.email=ci@example.org"]
    made = subprocess.run(
        [str(BIN / "briefgen"), "init", "brief"], cwd=tmp_path, env=env, capture_output=True
    )
    assert made.returncode == 0, made.stderr
    work = tmp_path / "brief"
    for command in (["init", "--quiet"], ["add", "-A"], ["commit", "--quiet", "-m", "A brief"]):
        subprocess.run([*git, *command], cwd=work, env=env, check=True, capture_output=True)
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=work, capture_output=True, text=True, check=True
    ).stdout.split()
    assert "schema/topic.schema.json" in tracked and "requirements.txt" in tracked

    # GitHub: the check job, then the build job once per row of its matrix.
    jobs = load(work / ".github" / "workflows" / "brief.yml")["jobs"]
    output = tmp_path / "github-output"
    output.touch()
    ran = run_steps(jobs["check"]["steps"], work, {**env, "GITHUB_OUTPUT": str(output)}, {})
    assert ran == [
        "Check the facts (warnings fail)",
        "Verify every quote against the archived sources",
        "List the audiences",
    ]
    (line,) = output.read_text().splitlines()
    assert line.startswith("matrix=")
    rows = json.loads(line.removeprefix("matrix="))["include"]
    assert [row["audience"] for row in rows] == ["full", "public"]
    built = []
    for row in rows:
        values = {f"matrix.{key}": value for key, value in row.items()}
        run_steps(jobs["build"]["steps"], work, env, values)
        built.append(row)
        for fmt in ("html", "pdf"):
            assert (work / "out" / row[fmt]).stat().st_size > 1000
    commit_time = subprocess.run(
        ["git", "log", "-1", "--format=%cs"], cwd=work, capture_output=True, text=True, check=True
    ).stdout.strip()
    manifest = json.loads((work / "out" / "manifest.json").read_text())
    assert {record["built"] for record in manifest["outputs"].values()} == {commit_time}

    # Pages: the audiences BRIEFGEN_PAGES names, from the build jobs' artifacts, and no other.
    for row in rows:
        artifact = tmp_path / "artifacts" / f"brief-{row['audience']}"
        artifact.mkdir(parents=True)
        for name in (row["html"], row["pdf"], "manifest.json"):
            (artifact / name).write_bytes((work / "out" / name).read_bytes())
    pages = {**env, "GITHUB_REPOSITORY": "example/arctic"}
    run_steps(jobs["pages"]["steps"], tmp_path, pages, {"vars.BRIEFGEN_PAGES": "public"})
    published = sorted(path.name for path in (tmp_path / "site").iterdir())
    assert published == ["brief-public.html", "brief-public.pdf", "index.html"]
    index = (tmp_path / "site" / "index.html").read_text()
    assert '<a href="brief-public.pdf">' in index and "full" not in index
    (tmp_path / "site").rename(tmp_path / "published")
    with pytest.raises(AssertionError, match="BRIEFGEN_PAGES names 'secret'"):
        run_steps(jobs["pages"]["steps"], tmp_path, pages, {"vars.BRIEFGEN_PAGES": "secret"})

    # GitLab: the check and plan jobs, then each job of the child pipeline the plan
    # wrote, dated by CI_COMMIT_TIMESTAMP; install lines are left out as above.
    pipeline = load(work / ".gitlab-ci.yml")
    clone = tmp_path / "gitlab"
    subprocess.run(["git", "clone", "--quiet", str(work), str(clone)], check=True)
    gitlab_env = {**env, "CI_COMMIT_TIMESTAMP": "2026-03-01T12:00:00+00:00"}

    def run_gitlab_job(
        job: dict[str, Any], job_env: dict[str, str]
    ) -> subprocess.CompletedProcess[str]:
        lines = [line for line in job["script"] if "apt-get" not in line]
        return subprocess.run(
            ["sh", "-ec", "\n".join(lines)],
            cwd=clone,
            env={**job_env, **job.get("variables", {})},
            capture_output=True,
            text=True,
            check=False,
        )

    for name in ("check", "plan"):
        result = run_gitlab_job(pipeline[name], gitlab_env)
        assert result.returncode == 0, f"{name}: {result.stderr}"
    (child_file,) = pipeline["plan"]["artifacts"]["paths"]
    child = load(clone / child_file)
    for row in rows:
        job = child[f"build-{row['audience']}"]
        result = run_gitlab_job(job, gitlab_env)
        assert result.returncode == 0, result.stderr
        for path in job["artifacts"]["paths"]:
            assert (clone / path).is_file(), path
    manifest = json.loads((clone / "out" / "manifest.json").read_text())
    assert {record["built"] for record in manifest["outputs"].values()} == {"2026-03-01"}
    empty = run_gitlab_job(child["build-public"], {**env, "CI_COMMIT_TIMESTAMP": ""})
    assert empty.returncode == 1 and "CI_COMMIT_TIMESTAMP is empty" in empty.stderr
