"""Safe YAML reading: positions, refused tags, duplicates, encodings, alias bombs,
files that are not regular files, and control characters in text."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
import yaml

from briefgen import yamlread
from briefgen.confine import MAX_FILE_BYTES
from briefgen.confine import read_regular as read_bytes
from briefgen.errors import BriefError
from briefgen.load import topic_files
from briefgen.yamlread import SafeDumper, parse_yaml, read_yaml, reads_as_text

F = Path("f.yaml")


def error(text: str) -> str:
    with pytest.raises(BriefError) as caught:
        parse_yaml(text, F)
    return str(caught.value)


def test_values_and_positions():
    doc = parse_yaml("a: 1\nb:\n  - when: 2022-01-05\n    ok: true\n", F)
    assert doc.data == {"a": 1, "b": [{"when": "2022-01-05", "ok": True}]}
    assert str(doc.marks.where(("b", 0, "when"))) == "f.yaml:3:11"
    assert str(doc.marks.where(("b", 0, "when"), key=True)) == "f.yaml:3:5"
    assert str(doc.marks.where(("b", 0, "missing"))) == "f.yaml:3:5"


@pytest.mark.parametrize(
    ("text", "older", "editors"),
    [
        ("yes", "true", 'the word "yes"'),
        ("No", "false", 'the word "No"'),
        ("on", "true", 'the word "on"'),
        ("OFF", "false", 'the word "OFF"'),
        ("1:30", "the number 90", 'the text "1:30"'),  # sexagesimal
        ("1:30.5", "the number 90.5", 'the text "1:30.5"'),
        ("010", "the number 8", "the number 10"),  # octal in 1.1, decimal in 1.2
        ("09", 'the text "09"', "the number 9"),
        ("0b101", "the number 5", 'the text "0b101"'),
        ("1_000", "the number 1000", 'the text "1_000"'),
        ("1e3", 'the text "1e3"', "the number 1000"),
        ("0o17", 'the text "0o17"', "the number 15"),
    ],
)
def test_words_and_numbers_that_yaml_1_1_and_editors_read_differently_are_refused(
    text, older, editors
):
    message = error(f"title: x\nvalue: {text}\n")
    assert message.startswith(
        f"f.yaml:2:8: '{text}' is ambiguous: older YAML reads it as {older}, editors as {editors}"
    )
    assert f'"{text}" (quoted)' in message


def test_the_hint_names_the_setting_or_the_number_to_write():
    assert error("show: yes\n").endswith(
        '(write true for a yes/no setting, or "yes" (quoted) for the word)'
    )
    assert error("n: 1:30\n").endswith('(write "1:30" (quoted) for text, or 90 for the number)')


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ('"yes"', "yes"),
        ("'on'", "on"),
        ("|\n  no\n", "no\n"),
        ("true", True),
        ("False", False),
        ("~", None),
        ("null", None),
        ("12", 12),
        ("-3", -3),
        ("+1", 1),
        ("0", 0),
        ("0x1F", 31),
        ("1.5", 1.5),
        ("1.0e+3", 1000.0),
        (".inf", float("inf")),
        ("2022-01-05", "2022-01-05"),
        ("y", "y"),
        ("hello world", "hello world"),
    ],
)
def test_values_both_yaml_versions_agree_on_are_read(text, value):
    assert parse_yaml(f"value: {text}\n", F).data == {"value": value}


def test_keys_are_text_in_both_versions():
    assert parse_yaml("on: 1\nyes: 2\n", F).data == {"on": 1, "yes": 2}


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


# Only regular files are read -------------------------------------------------


def refused_read(path: Path, **limit: int) -> str:
    with pytest.raises(BriefError) as caught:
        read_bytes(path, **limit)
    return str(caught.value)


def test_a_regular_file_and_a_link_to_one_are_read(tmp_path):
    target = tmp_path / "real.yaml"
    target.write_bytes(b"a: 1\n")
    (tmp_path / "link.yaml").symlink_to(target)
    assert read_bytes(target) == b"a: 1\n"
    assert read_bytes(tmp_path / "link.yaml") == b"a: 1\n"


def test_a_folder_is_refused(tmp_path):
    (tmp_path / "dir.yaml").mkdir()
    assert refused_read(tmp_path / "dir.yaml").endswith(
        "dir.yaml: is a folder, not a file (rename or remove it)"
    )


def test_a_broken_symbolic_link_is_refused(tmp_path):
    (tmp_path / "gone.yaml").symlink_to(tmp_path / "nowhere.yaml")
    assert refused_read(tmp_path / "gone.yaml").endswith(
        "gone.yaml: is a broken symbolic link (point the link at an existing file, or remove it)"
    )


def test_a_symbolic_link_loop_is_refused(tmp_path):
    (tmp_path / "loop.yaml").symlink_to("loop.yaml")
    assert refused_read(tmp_path / "loop.yaml").endswith(
        "loop.yaml: is a symbolic link loop (remove it)"
    )


def test_a_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    outcome: list[str] = []
    reader = threading.Thread(target=lambda: outcome.append(refused_read(fifo)), daemon=True)
    reader.start()
    reader.join(timeout=5)
    assert not reader.is_alive(), "reading a FIFO blocked"
    assert outcome[0].endswith(
        "pipe.yaml: is not a regular file (only ordinary files are read; remove or rename it)"
    )


def test_a_device_is_refused():
    assert refused_read(Path("/dev/null")) == (
        "/dev/null: is not a regular file (only ordinary files are read; remove or rename it)"
    )


def test_a_missing_file_is_reported_in_plain_words(tmp_path):
    assert refused_read(tmp_path / "none.yaml").endswith(
        "none.yaml: cannot read file: no such file or directory"
    )


def test_files_over_the_size_cap_are_refused(tmp_path):
    big = tmp_path / "big.yaml"
    with big.open("wb") as handle:  # sparse: costs no disk space
        handle.truncate(MAX_FILE_BYTES + 1)
    assert refused_read(big).endswith(
        "big.yaml: file is larger than 10 MiB (split it into several smaller files)"
    )
    small = tmp_path / "small.yaml"
    small.write_bytes(b"x" * MAX_FILE_BYTES)
    assert len(read_bytes(small)) == MAX_FILE_BYTES


def test_topic_files_lists_every_yaml_entry_so_that_odd_ones_are_reported(tmp_path):
    for name in ("b.yaml", "c.yml", "sources.yaml", "notes.txt"):
        (tmp_path / name).write_text("a: 1\n", encoding="utf-8")
    (tmp_path / "dir.yaml").mkdir()
    (tmp_path / "gone.yaml").symlink_to(tmp_path / "nowhere")
    os.mkfifo(tmp_path / "pipe.yaml")
    (tmp_path / ".#b.yaml").symlink_to("someone@host.1234")  # an Emacs lock link
    names = [path.name for path in topic_files(tmp_path)]
    assert names == ["b.yaml", "c.yml", "dir.yaml", "gone.yaml", "pipe.yaml"]


# Control characters are refused in text ---------------------------------------

CONTROL_HINT = "(remove it; only tabs and line breaks are allowed in text)"


@pytest.mark.parametrize(
    ("escape", "named"),
    [
        ("\\e[31m", "U+001B (ESC)"),  # C0
        ("\\x1b", "U+001B (ESC)"),
        ("\\x00", "U+0000 (NUL)"),
        ("\\a", "U+0007 (BEL)"),
        ("\\b", "U+0008 (BS)"),
        ("\\v", "U+000B (VT)"),
        ("\\f", "U+000C (FF)"),
        ("\\x1f", "U+001F (US)"),
        ("\\x7f", "U+007F (DEL)"),  # DEL
        ("\\x80", "U+0080 (PAD)"),  # C1
        ("\\N", "U+0085 (NEL)"),
        ("\\x9b", "U+009B (CSI)"),
        ("\\u009d", "U+009D (OSC)"),
        ("\\x9f", "U+009F (APC)"),
    ],
)
def test_control_characters_in_text_are_refused_at_their_line_and_column(escape, named):
    text = f'id: x\nfacts:\n  - id: y\n    text: "red {escape}RED"\n'
    assert error(text) == f"f.yaml:4:11: control character {named} in text {CONTROL_HINT}"


def test_control_characters_in_keys_and_nested_values_are_refused():
    assert error('a:\n  "k\\x1b": 1\n') == (
        f"f.yaml:2:3: control character U+001B (ESC) in text {CONTROL_HINT}"
    )
    assert error('a:\n  - [ok, "\\x9b"]\n') == (
        f"f.yaml:2:10: control character U+009B (CSI) in text {CONTROL_HINT}"
    )


def test_tabs_and_line_breaks_are_allowed_in_text():
    doc = parse_yaml('a: "one\\ttwo\\r\\nthree\\n"\nb: |\n  x\ty\n', F)
    assert doc.data == {"a": "one\ttwo\r\nthree\n", "b": "x\ty\n"}


def test_a_lone_surrogate_is_refused_by_either_loader(monkeypatch):
    assert error('a: "\\ud800"\n').startswith("f.yaml:1:")  # libyaml: an invalid escape
    monkeypatch.setattr(yamlread, "_Loader", yaml.SafeLoader)
    assert error('a: "\\ud800"\n').startswith("f.yaml:1:4: lone surrogate U+D800 in text")


LOADERS = [pytest.param(yaml.SafeLoader, id="pyyaml")]
if hasattr(yaml, "CSafeLoader"):
    LOADERS.append(pytest.param(yaml.CSafeLoader, id="libyaml"))


@pytest.mark.parametrize("loader", LOADERS)
@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("a: 1\nb: café \x1b[31m\n", "f.yaml:2:9: control character U+001B (ESC) in text"),
        ("a: 1\n# ünï \x7f\n", "f.yaml:2:7: control character U+007F (DEL) in text"),
        ("a: 1\nb: [x, 🧿\x9b]\n", "f.yaml:2:9: control character U+009B (CSI) in text"),
        ("\x00", "f.yaml:1:1: control character U+0000 (NUL) in text"),
    ],
)
def test_raw_control_characters_are_reported_in_plain_words(monkeypatch, loader, raw, message):
    monkeypatch.setattr(yamlread, "_Loader", loader)
    text = error(raw)
    assert text == f"{message} {CONTROL_HINT}"
    assert not any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in text)


@pytest.mark.parametrize("loader", LOADERS)
def test_other_characters_yaml_forbids_are_named_by_code_point(monkeypatch, loader):
    monkeypatch.setattr(yamlread, "_Loader", loader)
    assert error("a: 'x\ufffe'\n") == (
        "f.yaml:1:6: character U+FFFE is not allowed in a YAML file (remove it)"
    )


def test_a_raw_escape_byte_in_a_file_is_refused_with_its_position(tmp_path):
    path = tmp_path / "raw.yaml"
    path.write_bytes("id: x\ntitle: Zürich \x1b[2J\n".encode())
    with pytest.raises(BriefError) as caught:
        read_yaml(path)
    assert str(caught.value).endswith(
        f"raw.yaml:2:15: control character U+001B (ESC) in text {CONTROL_HINT}"
    )


@pytest.mark.parametrize(
    "text",
    [
        "09",
        "1e3",
        "0o17",
        "no",
        "On",
        "010",
        "1:30",
        "1_000",
        "12",
        "true",
        "~",
        "",
        "2022-01-05",
        "plain words",
        "a: b",
        "two\nlines",
    ],
)
def test_the_writer_quotes_what_either_yaml_would_read_as_another_value(text):
    written = yaml.dump({"value": text}, Dumper=SafeDumper, allow_unicode=True)
    assert parse_yaml(written, F).data == {"value": text}


def test_the_writer_leaves_plain_words_unquoted():
    assert yaml.dump({"value": "plain words"}, Dumper=SafeDumper) == "value: plain words\n"
    assert reads_as_text("plain words") and not reads_as_text("09")


def test_an_explicit_tag_says_what_a_value_is():
    assert parse_yaml("a: !!str 010\nb: !!str no\n", F).data == {"a": "010", "b": "no"}


FACT = (
    "facts:\n"
    "  - id: a-fact\n"
    "    text: Words.\n"
    "    date: 2024\n"
    "    handling: public\n"
    "    priority: 1\n"
    "    citations:\n"
    "      - source: a-source\n"
    "        locator: para. 3\n"
    "        quote: the words\n"
)


def hint(text: str) -> str | None:
    with pytest.raises(BriefError) as caught:
        parse_yaml(text, F)
    return caught.value.hint


@pytest.mark.parametrize("loader", LOADERS)
@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (  # one space short
            "    handling: public",
            "   handling: public",
            "indentation: 'handling' starts in column 4, 'date' on line 4 in column 5; "
            "keys of one record start in the same column",
        ),
        (  # one space too far
            "    priority: 1",
            "     priority: 1",
            "indentation: 'priority' starts in column 6, 'handling' on line 5 in column 5; "
            "keys of one record start in the same column",
        ),
        (  # a key dedented to column 1 inside a list: the line after it is reported
            "    priority: 1",
            "priority: 1",
            "indentation: 'priority' on line 6 starts in column 1, the keys around it in "
            "column 5; line it up with them",
        ),
        (  # a citation's '- source:' dedented by two
            "      - source: a-source",
            "    - source: a-source",
            "indentation: 'locator' starts in column 9, 'source' on line 8 in column 7; "
            "keys of one record start in the same column",
        ),
    ],
)
def test_an_indentation_mistake_gets_a_hint_about_indentation(
    monkeypatch, loader, old, new, expected
):
    monkeypatch.setattr(yamlread, "_Loader", loader)
    found = hint(FACT.replace(old, new, 1))
    assert found == expected
    assert "quote" not in found


@pytest.mark.parametrize("loader", LOADERS)
@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("    text: Words.", "    text: The army said: we will"),
        ("    text: Words.", "    text: Words that run on\n      to a second line: here"),
    ],
)
def test_text_holding_a_colon_gets_the_hint_to_quote_it(monkeypatch, loader, old, new):
    monkeypatch.setattr(yamlread, "_Loader", loader)
    assert hint(FACT.replace(old, new, 1)) == "quote text that contains ': '"


@pytest.mark.parametrize("loader", LOADERS)
def test_a_key_without_its_colon_is_named(monkeypatch, loader):
    monkeypatch.setattr(yamlread, "_Loader", loader)
    text = FACT.replace("    date: 2024\n", "    date: 2024\n    handling public\n", 1)
    assert hint(text) == (
        "line 5 needs ':' after its key, or more indentation if it continues the text above"
    )
