"""Shared fixtures: copies of the tiny fact bases under tests/fixtures/."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from briefgen.cli import app
from tests.hostile import local_server

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).parent.parent


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[str], Path]:
    """Copy a fixture brief into a temporary folder and work from inside it.

    Error messages name files relative to the working directory, so tests can
    assert them exactly: `facts/treaty.yaml:14:16: ...`.
    """

    def make(name: str = "minimal") -> Path:
        target = tmp_path / name
        shutil.copytree(FIXTURES / name, target)
        monkeypatch.chdir(target)
        return target

    return make


def edit(path: Path, old: str, new: str) -> None:
    """Replace one exact occurrence of `old` in a file (fails loudly if absent)."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def add_many_facts(root: Path, count: int) -> None:
    """Give a copied fixture a long topic: fact N says FACTxN, its note quotes NOTExN.

    Sources alternate so that both full and short note forms occur throughout.
    """
    sources = ["smith-2021-gazette", "widget-office-2019-report"]
    lines = ["id: long", "title: A long topic", "order: 2", "facts:"]
    for n in range(1, count + 1):
        lines += [
            f"  - id: long-{n}",
            f"    text: FACTx{n} is a statement long enough to fill a good part of one line "
            "of the page, so that the facts run over several pages of the brief.",
            "    handling: public",
            "    citations:",
            f"      - source: {sources[n % 2]}",
            f"        locator: para. {n}",
            f"        quote: NOTEx{n} supports it",
        ]
    (root / "facts" / "long.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.fixture(autouse=True, scope="session")
def _private_parse_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Keep the tests' parse cache out of the user's cache folder."""
    os.environ["BRIEFGEN_CACHE"] = str(tmp_path_factory.mktemp("parse-cache"))


@pytest.fixture
def idle_server() -> Iterator[str]:
    """A server on 127.0.0.1 that no test may reach: it fails the test if it got a request.

    Hostile suites use it for every case (`pytestmark`), and point inputs at it.
    """
    with local_server() as (base, requests):
        yield base
        assert requests == [], f"briefgen made requests: {requests}"


@pytest.fixture
def run():
    """Invoke the CLI in process, at a wide terminal, without colour: run("check", ...)."""
    runner = CliRunner(env={"COLUMNS": "200", "NO_COLOR": "1", "TERM": "dumb"})

    def invoke(*args: str):
        return runner.invoke(app, list(args))

    return invoke
