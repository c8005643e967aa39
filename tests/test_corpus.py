"""Broken and hostile input: one clear line naming the file, exit 1, never a traceback."""

from __future__ import annotations

import contextlib
import shutil
import time
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from briefgen.cli import app
from briefgen.errors import BriefError
from briefgen.pipeline import check
from tests.conftest import FIXTURES

CORPUS = Path(__file__).parent / "corpus"
EXPECTED = {
    "truncated.yaml": "YAML syntax error",
    "tabs.yaml": "(indent with spaces, not tabs)",
    "top-level-list.yaml": "the file must be a mapping of fields",
    "impossible-date.yaml": "impossible date '2022-02-30': February 2022 has no day 30",
    "huge-number.yaml": "number is too large",
    "deep-nesting.yaml": "nested more than 50 levels deep",
    "non-utf8.yaml": "file is not valid UTF-8",
    "empty.yaml": "file is empty",
    "duplicate-keys.yaml": "duplicate key 'text' (first given on line 5)",
    "python-tag.yaml": "unsupported YAML tag 'tag:yaml.org,2002:python/object/apply:os.system'",
    "alias-bomb.yaml": "document has more than 200,000 nodes",
    "circular.yaml": "judgments rest on each other in a circle: hen -> egg -> hen",
}


def run_check(root: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[int, list[str], float]:
    monkeypatch.chdir(root)
    start = time.perf_counter()
    result = CliRunner(env={"COLUMNS": "200"}).invoke(app, ["check"])
    return result.exit_code, result.stderr.splitlines(), time.perf_counter() - start


def test_every_corpus_file_is_listed():
    assert sorted(p.name for p in CORPUS.glob("*.yaml")) == sorted([*EXPECTED, "bom-is-fine.yaml"])


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_broken_file_gives_one_line_naming_it(name, tmp_path, monkeypatch):
    root = tmp_path / "brief"
    shutil.copytree(FIXTURES / "minimal", root)
    shutil.copy(CORPUS / name, root / "facts" / name)
    code, lines, seconds = run_check(root, monkeypatch)
    assert code == 1
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"error: facts/{name}")
    assert EXPECTED[name] in lines[0]
    assert "Traceback" not in lines[0]
    assert seconds < 5


def test_a_byte_order_mark_is_not_an_error(tmp_path, monkeypatch):
    root = tmp_path / "brief"
    shutil.copytree(FIXTURES / "minimal", root)
    shutil.copy(CORPUS / "bom-is-fine.yaml", root / "facts")
    code, lines, _ = run_check(root, monkeypatch)
    assert (code, lines) == (0, [])


def test_a_ten_megabyte_string_is_refused_quickly(tmp_path, monkeypatch):
    root = tmp_path / "brief"
    shutil.copytree(FIXTURES / "minimal", root)
    huge = "x" * 10_000_000
    (root / "facts" / "huge.yaml").write_text(
        f"id: huge\ntitle: Huge\nfacts:\n  - id: huge-fact\n    text: {huge}\n", encoding="utf-8"
    )
    code, lines, seconds = run_check(root, monkeypatch)
    assert code == 1 and len(lines) == 1
    assert (
        lines[0] == "error: facts/huge.yaml:5:11: 'text' of fact 1 is longer than 20000 characters"
    )
    assert seconds < 5


# Random fact documents: whatever they hold, the loader accepts them or raises BriefError.
FIELDS = ["id", "title", "order", "summary", "facts", "membership", "text", "kind", "date",
          "tags", "handling", "priority", "citations", "source", "locator", "quote",
          "versions", "confidence", "basis", "reviewed", "state", "periods", "joined", "left",
          "credibility", "bogus"]  # fmt: skip
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True),
    st.text(max_size=40),
    st.sampled_from(["2022-01-05", "2022-13-01", "2022-02-30", "1/2", "public", "internal",
                     "fact", "judgment", "likely", "smith-2021-gazette", "para. 2"]),
)  # fmt: skip
DOCUMENTS = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.sampled_from(FIELDS), inner, max_size=6),
    ),
    max_leaves=30,
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(document=DOCUMENTS)
@pytest.mark.slow
def test_random_topic_documents_raise_nothing_but_brief_error(document, tmp_path_factory):
    root = tmp_path_factory.mktemp("random")
    shutil.copytree(FIXTURES / "minimal", root, dirs_exist_ok=True)
    text = yaml.safe_dump(document, allow_unicode=True)
    (root / "facts" / "random.yaml").write_text(text, encoding="utf-8")
    try:
        check(root / "briefgen.yaml")
    except BriefError as exc:
        assert exc.problems and all(str(p) for p in exc.problems)


@settings(max_examples=150, deadline=None)
@given(raw=st.binary(max_size=300))
@pytest.mark.slow
def test_random_bytes_raise_nothing_but_brief_error(raw, tmp_path_factory):
    root = tmp_path_factory.mktemp("bytes")
    shutil.copytree(FIXTURES / "minimal", root, dirs_exist_ok=True)
    (root / "facts" / "random.yaml").write_bytes(raw)
    with contextlib.suppress(BriefError):
        check(root / "briefgen.yaml")
