"""Watch mode: rebuild on change, only what changed, and survive errors."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from briefgen.tools.watch import Round, relevant, watch, watched_paths
from tests.conftest import edit

CONFIG = Path("briefgen.yaml")


@pytest.mark.slow
def test_each_change_rebuilds_only_what_it_touched_and_errors_do_not_stop_it(project):
    root = project("audiences")
    trade = root / "facts" / "trade.yaml"
    rounds: list[Round] = []

    def changes() -> Iterator[None]:
        edit(trade, "to zero.", "to one per cent.")  # a public fact: both audiences change
        yield None
        edit(trade, "id: trade\n", "id: [trade\n")  # broken YAML
        yield None
        edit(trade, "id: [trade\n", "id: trade\n")  # fixed again: nothing left to rebuild
        yield None
        edit(root / "facts" / "treaty.yaml", "privately expects", "privately fears")
        yield None  # an internal fact: only the full brief changes

    watch(CONFIG, changes(), rounds.append, audiences=["public", "full"], formats=["html"])
    states = [
        [(e.name, e.skipped) for e in r.built.audiences] if r.built else str(r.error)
        for r in rounds
    ]
    assert states[0] == [("public", False), ("full", False)]
    assert states[1] == [("public", False), ("full", False)]
    assert states[2].startswith("facts/trade.yaml:2:")
    assert states[3] == [("public", True), ("full", True)]
    assert states[4] == [("public", True), ("full", False)]
    assert "one per cent" in (root / "out" / "widgets-public.html").read_text(encoding="utf-8")


def test_what_is_watched(project):
    root = project("audiences")
    assert watched_paths(root / "briefgen.yaml") == [
        root / "briefgen.yaml",
        root / "facts",
        root / "templates",
    ]
    assert relevant("facts/treaty.yaml") and relevant("templates/brief.css")
    assert not relevant("facts/.treaty.yaml.swp") and not relevant("facts/notes.txt")
