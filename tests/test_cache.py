"""The parse cache: a second load of an unchanged topic file skips the YAML parser."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefgen import load
from briefgen.load import load_brief
from tests.conftest import edit

CONFIG = Path("briefgen.yaml")


def parses(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    seen: list[Path] = []
    real = load.decode_yaml

    def counting(raw: bytes, path: Path):  # type: ignore[no-untyped-def]
        seen.append(path.name)
        return real(raw, path)

    monkeypatch.setattr(load, "decode_yaml", counting)
    return seen


def test_an_unchanged_topic_file_is_not_parsed_again(project, monkeypatch, tmp_path):
    project()
    monkeypatch.setenv("BRIEFGEN_CACHE", str(tmp_path / "cache"))
    seen = parses(monkeypatch)
    first = load_brief(CONFIG)
    second = load_brief(CONFIG)
    assert seen == ["treaty.yaml"]  # parsed once; sources.yaml is not cached (small)
    assert [f.id for f in second.facts] == [f.id for f in first.facts]
    # positions survive the cache, so errors still point at file:line
    assert str(second.facts[1].citations[1].where("source")) == "facts/treaty.yaml:23:17"
    edit(Path("facts/treaty.yaml"), "in Geneva.", "in Geneva, in spring.")
    third = load_brief(CONFIG)
    assert seen == ["treaty.yaml", "treaty.yaml"]
    assert third.facts[0].text.endswith("in spring.")


def test_a_corrupt_entry_is_ignored_and_the_cache_can_be_off(project, monkeypatch, tmp_path):
    project()
    cache = tmp_path / "cache"
    monkeypatch.setenv("BRIEFGEN_CACHE", str(cache))
    load_brief(CONFIG)
    for entry in cache.rglob("*.json"):
        entry.write_bytes(b"not json")
    seen = parses(monkeypatch)
    assert load_brief(CONFIG).facts[0].id == "treaty-signed"
    assert seen == ["treaty.yaml"]
    monkeypatch.setenv("BRIEFGEN_CACHE", "off")
    load_brief(CONFIG)
    load_brief(CONFIG)
    assert seen == ["treaty.yaml"] * 3


def test_the_cache_lives_outside_the_project(project, monkeypatch, tmp_path):
    root = project()
    monkeypatch.delenv("BRIEFGEN_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    load_brief(CONFIG)
    assert list((tmp_path / "xdg" / "briefgen").rglob("*.json"))
    assert not [p for p in root.rglob("*") if "cache" in p.name.lower()]


def test_the_cache_folder_is_the_platforms_own(monkeypatch):
    import platformdirs

    from briefgen.cache import cache_dir

    monkeypatch.delenv("BRIEFGEN_CACHE", raising=False)
    assert cache_dir() == platformdirs.user_cache_path("briefgen", appauthor=False)
    monkeypatch.setenv("BRIEFGEN_CACHE", "off")
    assert cache_dir() is None


def test_an_entry_is_data_that_cannot_run_code(project, monkeypatch, tmp_path):
    """An entry someone else wrote (a pickle, or JSON of another shape) is ignored, never run."""
    import pickle

    project()
    cache = tmp_path / "cache"
    monkeypatch.setenv("BRIEFGEN_CACHE", str(cache))
    load_brief(CONFIG)
    marker = tmp_path / "ran"

    class Exploit:
        def __reduce__(self):  # type: ignore[no-untyped-def]
            return (marker.write_text, ("owned",))

    for entry in cache.rglob("*.json"):
        entry.write_bytes(pickle.dumps(Exploit()))
    assert load_brief(CONFIG).facts[0].id == "treaty-signed"
    for entry in cache.rglob("*.json"):
        entry.write_text('{"format": 1, "data": {"id": "x"}, "values": [[[{}], 1, 1]], "keys": []}')
    assert load_brief(CONFIG).facts[0].id == "treaty-signed"
    assert not marker.exists()
    assert not list(cache.rglob("*.pickle"))


def test_positions_from_a_damaged_entry_degrade_to_the_file(project, monkeypatch, tmp_path):
    import json

    project()
    cache = tmp_path / "cache"
    monkeypatch.setenv("BRIEFGEN_CACHE", str(cache))
    load_brief(CONFIG)
    for entry in cache.rglob("*.json"):
        data = json.loads(entry.read_text(encoding="utf-8"))
        data["values"] = "[[[{}], 1, 1]]"  # decodes, but a mapping cannot be in a node path
        entry.write_text(json.dumps(data), encoding="utf-8")
    brief = load_brief(CONFIG)
    assert brief.facts[0].id == "treaty-signed"
    assert str(brief.facts[0].where()) == "facts/treaty.yaml"
