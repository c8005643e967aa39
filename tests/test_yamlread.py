"""Safe YAML reading: positions, refused tags, duplicates, encodings, alias bombs."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefgen.errors import BriefError
from briefgen.yamlread import parse_yaml, read_yaml

F = Path("f.yaml")


def error(text: str) -> str:
    with pytest.raises(BriefError) as caught:
        parse_yaml(text, F)
    return str(caught.value)


def test_values_and_positions():
    doc = parse_yaml("a: 1\nb:\n  - when: 2022-01-05\n    ok: yes\n", F)
    assert doc.data == {"a": 1, "b": [{"when": "2022-01-05", "ok": True}]}
    assert str(doc.marks.where(("b", 0, "when"))) == "f.yaml:3:11"
    assert str(doc.marks.where(("b", 0, "when"), key=True)) == "f.yaml:3:5"
    assert str(doc.marks.where(("b", 0, "missing"))) == "f.yaml:3:5"


def test_python_object_tags_are_refused():
    assert error("a: !!python/object/apply:os.system [ls]\n") == (
        "f.yaml:1:4: unsupported YAML tag 'tag:yaml.org,2002:python/object/apply:os.system' "
        "(fact files hold plain text, numbers, lists and mappings)"
    )


def test_duplicate_keys_are_errors():
    assert (
        error("id: a\ntext: x\nid: b\n") == "f.yaml:3:1: duplicate key 'id' (first given on line 1)"
    )


def test_alias_bomb_fails_fast():
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
    assert "document has more than 200,000 nodes" in error("\n".join(lines) + "\n")


def test_bom_is_accepted_and_bad_bytes_are_reported(tmp_path):
    good = tmp_path / "bom.yaml"
    good.write_bytes("\ufeffa: 1\n".encode())
    assert read_yaml(good).data == {"a": 1}
    bad = tmp_path / "latin.yaml"
    bad.write_bytes(b"a: 1\nb: caf\xe9\n")
    with pytest.raises(BriefError) as caught:
        read_yaml(bad)
    assert str(caught.value).endswith("latin.yaml:2: file is not valid UTF-8 (save it as UTF-8)")


def test_merge_keys_are_refused():
    assert error("base: &b {x: 1}\nc:\n  <<: *b\n").startswith("f.yaml:3:3: mapping keys must")
