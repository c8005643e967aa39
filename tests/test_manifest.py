"""The manifest, incremental builds, reproducible builds and the changes box."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import shutil
from pathlib import Path

import pytest

from briefgen import __version__
from briefgen.dates import build_date
from briefgen.errors import BriefError, Where
from briefgen.manifest import Manifest, read_manifest
from briefgen.pipeline import build
from tests.conftest import FIXTURES, edit

CONFIG = Path("briefgen.yaml")


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def manifest(root: Path) -> dict:
    return json.loads((root / "out" / "manifest.json").read_text(encoding="utf-8"))


@pytest.mark.slow
def test_the_manifest_records_inputs_facts_and_outputs(project):
    root = project("audiences")
    build(CONFIG, audiences=["public", "full"])
    outputs = manifest(root)["outputs"]
    assert sorted(outputs) == [
        "widgets-full.html",
        "widgets-full.pdf",
        "widgets-public.html",
        "widgets-public.pdf",
    ]
    public = outputs["widgets-public.pdf"]
    assert (public["audience"], public["format"]) == ("public", "pdf")
    assert public["sha256"] == digest(root / "out" / "widgets-public.pdf")
    assert public["inputs"]["briefgen"] == __version__
    assert public["inputs"]["briefgen.yaml"] == digest(root / "briefgen.yaml")
    assert "facts/treaty.yaml" not in public["inputs"]  # it also holds internal facts
    assert "templates/tight.css" not in public["inputs"]  # only the 'top' audience uses it
    assert "briefgen:templates/base.html.j2" in public["inputs"]
    assert "briefgen:templates/brief.css" in public["inputs"]
    assert sorted(public["facts"]) == [
        "trade-quotas",
        "trade-tariffs",
        "treaty-members",
        "treaty-outlook",
        "treaty-signed",
    ]
    # ids and digests only: no fact text travels in the manifest
    assert "QXMARKER7741" not in (root / "out" / "manifest.json").read_text(encoding="utf-8")
    assert "treaty-secret" in outputs["widgets-full.pdf"]["facts"]


@pytest.mark.slow
def test_an_unchanged_audience_is_skipped_and_force_rebuilds_it(project):
    root = project("audiences")
    build(CONFIG, audiences=["public"])
    pdf = root / "out" / "widgets-public.pdf"
    stamp = pdf.stat().st_mtime_ns
    again = build(CONFIG, audiences=["public"])
    assert [(e.name, e.skipped) for e in again.audiences] == [("public", True)]
    assert again.written == [] and pdf.stat().st_mtime_ns == stamp
    forced = build(CONFIG, audiences=["public"], force=True)
    assert [(e.name, e.skipped) for e in forced.audiences] == [("public", False)]
    assert pdf.stat().st_mtime_ns != stamp


@pytest.mark.slow
def test_a_changed_input_or_a_tampered_output_is_rebuilt(project):
    root = project("audiences")
    build(CONFIG, everything=True, formats=["html"])
    (root / "templates" / "tight.css").write_text(".summary { color: red; }\n", encoding="utf-8")
    rebuilt = build(CONFIG, everything=True, formats=["html"])
    # every audience reads the template folder, so every one is rebuilt
    assert [e.skipped for e in rebuilt.audiences] == [False, False, False, False]
    (root / "out" / "widgets-trade.html").write_text("edited by hand", encoding="utf-8")
    after = build(CONFIG, everything=True, formats=["html"])
    assert [(e.name, e.skipped) for e in after.audiences] == [
        ("full", True),
        ("top", True),
        ("public", True),
        ("trade", False),
    ]
    assert "edited by hand" not in (root / "out" / "widgets-trade.html").read_text(encoding="utf-8")
    # the manifest still describes the outputs it did not rebuild
    assert len(manifest(root)["outputs"]) == 4


def test_a_new_day_is_a_new_input(project, monkeypatch):
    project("audiences")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    build(CONFIG, audiences=["trade"], formats=["html"])
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(1700000000 + 86400))
    assert not build(CONFIG, audiences=["trade"], formats=["html"]).audiences[0].skipped


def test_changes_since_the_previous_version(project):
    root = project("audiences")
    edit(CONFIG, "    marking: INTERNAL ONLY\n", "    marking: INTERNAL ONLY\n    changes: true\n")
    first = build(CONFIG, audiences=["full"], formats=["html"])
    assert first.audiences[0].changes is None  # a first build has nothing to compare with
    html = (root / "out" / "widgets-full.html").read_text(encoding="utf-8")
    assert "Changes since the previous version" not in html
    topic = root / "facts" / "trade.yaml"
    edit(
        topic, "The members cut widget tariffs to zero.", "The members cut widget tariffs by half."
    )
    edit(
        topic,
        "  - id: trade-quotas\n",
        "  - id: trade-levies\n    text: A levy of two per cent funds the secretariat.\n"
        "    handling: public\n    citations:\n      - source: smith-2021-gazette\n"
        "        locator: para. 5\n        quote: levy\n  - id: trade-quotas-old\n",
    )
    second = build(CONFIG, audiences=["full"], formats=["html"])
    changes = second.audiences[0].changes
    assert [f.id for f in changes.added] == ["trade-levies", "trade-quotas-old"]
    assert [f.id for f in changes.changed] == ["trade-tariffs"]
    assert changes.removed == ["trade-quotas"]
    html = (root / "out" / "widgets-full.html").read_text(encoding="utf-8")
    box = html[
        html.index('<aside class="changes"') : html.index(
            "</aside>", html.index('<aside class="changes"')
        )
    ]
    assert re.search(r"Compared with the version of \d{1,2} [A-Z][a-z]+ \d{4}\.", box)
    assert "Added (2)" in box and 'href="#fact-trade-levies"' in box
    assert "Changed (1)" in box and "The members cut widget tariffs by half." in box
    assert "Removed (1)" in box and "<code>trade-quotas</code>" in box
    # audiences without `changes: true` show no box
    build(CONFIG, audiences=["public"], formats=["html"])
    public = (root / "out" / "widgets-public.html").read_text(encoding="utf-8")
    assert "Changes since the previous version" not in public


def test_since_compares_with_an_older_manifest(project, tmp_path):
    root = project("audiences")
    edit(CONFIG, "    marking: INTERNAL ONLY\n", "    marking: INTERNAL ONLY\n    changes: true\n")
    build(CONFIG, audiences=["full"], formats=["html"])
    kept = tmp_path / "first-build.json"
    shutil.copy(root / "out" / "manifest.json", kept)
    edit(root / "facts" / "trade.yaml", "to zero.", "to one per cent.")
    build(CONFIG, audiences=["full"], formats=["html"])
    edit(root / "facts" / "trade.yaml", "to one per cent.", "to two per cent.")
    since_last = build(CONFIG, audiences=["full"], formats=["html"]).audiences[0].changes
    assert [f.id for f in since_last.changed] == ["trade-tariffs"]
    edit(
        root / "facts" / "treaty.yaml",
        "The treaty has four members.",
        "The treaty has five members.",
    )
    since_first = (
        build(CONFIG, audiences=["full"], formats=["html"], since=kept).audiences[0].changes
    )
    assert sorted(f.id for f in since_first.changed) == ["trade-tariffs", "treaty-members"]


def test_a_review_date_alone_is_not_a_change(project):
    root = project("audiences")
    edit(CONFIG, "    marking: INTERNAL ONLY\n", "    marking: INTERNAL ONLY\n    changes: true\n")
    build(CONFIG, audiences=["full"], formats=["html"])
    edit(
        root / "facts" / "trade.yaml",
        "    tags: [quotas]\n",
        "    tags: [quotas]\n    reviewed: 2026-01-05\n",
    )
    # the audience's output cannot differ, so it is not even rebuilt ...
    assert build(CONFIG, audiences=["full"], formats=["html"]).audiences[0].skipped
    # ... and rebuilt anyway, it reports no change
    changes = build(CONFIG, audiences=["full"], formats=["html"], force=True).audiences[0].changes
    assert not changes.any


def test_a_fact_an_audience_does_not_see_leaves_its_brief_alone(project):
    root = project("audiences")
    build(CONFIG, audiences=["public", "full"], formats=["html"])
    edit(root / "facts" / "treaty.yaml", "privately expects", "privately fears")
    rebuilt = build(CONFIG, audiences=["public", "full"], formats=["html"])
    # the internal fact changed: the full brief is rebuilt, the public brief is not
    assert [(e.name, e.skipped) for e in rebuilt.audiences] == [("public", True), ("full", False)]


def test_a_corrupt_manifest_is_an_error_with_a_hint(project):
    root = project()
    (root / "out").mkdir()
    (root / "out" / "manifest.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(BriefError) as caught:
        build(CONFIG, formats=["html"])
    assert str(caught.value).startswith("out/manifest.json:1: cannot read the manifest")


@pytest.mark.slow
def test_two_clean_builds_with_source_date_epoch_are_byte_identical(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    outputs = []
    for name in ("one", "two"):
        root = tmp_path / name / "brief"  # different paths, to prove paths leave no trace
        shutil.copytree(FIXTURES / "audiences", root)
        build(root / "briefgen.yaml", everything=True)
        outputs.append({p.name: p.read_bytes() for p in sorted((root / "out").iterdir())})
    assert outputs[0] == outputs[1]
    assert len(outputs[0]) == 9
    html = outputs[0]["widgets-full.html"].decode()
    assert '<time datetime="2023-11-14">14 November 2023</time>' in html


def test_without_source_date_epoch_the_build_date_is_today(monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    assert build_date() == dt.date.today()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "not-a-number")
    with pytest.raises(BriefError, match="SOURCE_DATE_EPOCH"):
        build_date()


@pytest.mark.slow
def test_a_no_op_rebuild_does_not_even_import_weasyprint(project):
    import subprocess
    import sys

    root = project("audiences")
    build(CONFIG, everything=True, formats=["html"])
    code = (
        "import sys; from pathlib import Path; from briefgen.pipeline import build; "
        "built = build(Path('briefgen.yaml'), everything=True, formats=['html']); "
        "print(all(e.skipped for e in built.audiences), 'weasyprint' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["True", "False"]


def a_record(**changes: object) -> dict:
    record = {
        "audience": "full",
        "format": "pdf",
        "sha256": "0" * 64,
        "built": "2024-01-01",
        "inputs": {"briefgen.yaml": "1" * 64},
        "facts": {"treaty-signed": "2" * 64},
        "pages": 3,
        "key": "k",
    }
    record.update(changes)
    return record


def write_manifest(path: Path, outputs: object, **top: object) -> Path:
    data = {"manifest": 1, "briefgen": __version__, "outputs": outputs, **top}
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_read_manifest_reads_what_a_build_wrote_and_nothing_else(tmp_path):
    path = write_manifest(tmp_path / "manifest.json", {"b-full.pdf": a_record()})
    manifest = read_manifest(path)
    assert manifest.outputs["b-full.pdf"].pages == 3
    assert read_manifest(tmp_path / "missing.json") == Manifest()
    assert read_manifest(write_manifest(tmp_path / "v2.json", [], manifest=2)) == Manifest()
    path.write_bytes(manifest.to_bytes())
    assert read_manifest(path) == manifest
    no_pages = {k: v for k, v in a_record().items() if k not in ("pages", "key")}
    assert read_manifest(write_manifest(path, {"x": no_pages})).outputs["x"].pages is None


WRONG = {
    "pages as text": {"x.pdf": a_record(pages="x")},
    "pages as true": {"x.pdf": a_record(pages=True)},
    "negative pages": {"x.pdf": a_record(pages=-1)},
    "facts as a list": {"x.pdf": a_record(facts=[])},
    "an input digest as a number": {"x.pdf": a_record(inputs={"a": 1})},
    "built as a number": {"x.pdf": a_record(built=5)},
    "key as null": {"x.pdf": a_record(key=None)},
    "a record as text": {"x.pdf": "a string"},
    "a missing field": {"x.pdf": {k: v for k, v in a_record().items() if k != "sha256"}},
    "an unknown field": {"x.pdf": a_record(colour="red")},
    "outputs as a list": [],
    "outputs as null": None,
    "built as a word": {"x.pdf": a_record(built="yesterday")},
}


@pytest.mark.parametrize("shape", sorted(WRONG))
def test_a_manifest_of_the_wrong_shape_is_one_error_naming_it(project, shape):
    root = project()
    (root / "out").mkdir()
    path = write_manifest(root / "out" / "manifest.json", WRONG[shape])
    with pytest.raises(BriefError) as caught:
        read_manifest(path)
    (problem,) = caught.value.problems
    assert str(problem.where) == "out/manifest.json"
    assert problem.message.startswith("the manifest is not one briefgen wrote: ")
    assert problem.hint == "delete it; the next build writes a new one"
    assert "Error" not in problem.message and "[" not in problem.message  # plain words


@pytest.mark.parametrize(
    "text",
    ["[1, 2]", '"text"', '{"outputs": {}}', '{"manifest": "1", "outputs": {}}', "[" * 100_000],
)
def test_json_that_is_no_manifest_at_all_is_an_error(tmp_path, text):
    path = tmp_path / "manifest.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(BriefError, match="manifest"):
        read_manifest(path)


def test_a_manifest_that_is_not_utf8_is_an_error(tmp_path):
    path = tmp_path / "manifest.json"
    path.write_bytes(b'{"manifest": 1, "outputs": {"\xff": 1}}')
    with pytest.raises(BriefError, match="cannot read the manifest: it is not UTF-8 text"):
        read_manifest(path)


@pytest.mark.parametrize("kind", ["fifo", "folder"])
def test_only_a_regular_file_is_read_as_a_manifest(tmp_path, kind):
    import os

    path = tmp_path / "since.json"
    os.mkfifo(path) if kind == "fifo" else path.mkdir()
    with pytest.raises(BriefError) as caught:
        read_manifest(path)  # a pipe with no writer would block a plain open() forever
    assert caught.value.where == Where(path)
    expected = "a folder, not a file" if kind == "folder" else "not a regular file"
    assert expected in caught.value.problems[0].message


@pytest.mark.slow
def test_an_audiences_entry_names_only_the_files_it_was_made_from(project):
    root = project("audiences")
    (root / "facts" / "secret.yaml").write_text(
        "id: secret\ntitle: Secret\nfacts:\n  - id: secret-1\n    text: Hidden.\n"
        "    handling: internal\n    citations:\n      - source: smith-2021-gazette\n"
        "        locator: para. 1\n        quote: the four members\n",
        encoding="utf-8",
    )
    build(CONFIG, audiences=["public", "full", "top"])
    outputs = manifest(root)["outputs"]
    public, full, top = (outputs[f"widgets-{n}.pdf"]["inputs"] for n in ("public", "full", "top"))
    assert "facts/secret.yaml" in full and "facts/secret.yaml" not in public
    # treaty.yaml mixes public and internal facts: its digest would let a reader test a guess
    assert "facts/treaty.yaml" in full and "facts/treaty.yaml" not in public
    assert "facts/trade.yaml" in public
    assert "templates/tight.css" in top and "templates/tight.css" not in full
    assert "facts/sources.yaml" in public and "briefgen:templates/_macros.html.j2" in public


def test_a_fact_now_withheld_is_not_listed_as_removed_even_by_id(project):
    root = project("audiences")
    edit(
        CONFIG,
        "    marking: FOR PUBLIC RELEASE\n",
        "    marking: FOR PUBLIC RELEASE\n    changes: true\n",
    )
    build(CONFIG, audiences=["public"], formats=["html"])
    # the tariffs fact becomes internal: it leaves the public audience, id and all
    edit(
        root / "facts" / "trade.yaml",
        "    tags: [tariffs]\n    handling: public\n",
        "    tags: [tariffs]\n    handling: internal\n",
    )
    second = build(CONFIG, audiences=["public"], formats=["html"])
    assert second.audiences[0].changes.removed == []
    html = (root / "out" / "widgets-public.html").read_text(encoding="utf-8")
    assert "trade-tariffs" not in html


def test_a_number_too_long_to_read_is_one_error_naming_the_manifest(project):
    root = project()
    (root / "out").mkdir()
    path = root / "out" / "manifest.json"
    path.write_text('{"manifest": ' + "9" * 5000 + ', "outputs": {}}', encoding="utf-8")
    with pytest.raises(BriefError) as caught:
        read_manifest(path)
    assert str(caught.value).startswith(
        "out/manifest.json: cannot read the manifest: it holds a value briefgen cannot read"
    )
