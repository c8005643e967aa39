"""Characters no installed font can draw: found through fontconfig, reported per fact."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from briefgen import glyphs
from briefgen.errors import Problem, Where
from briefgen.glyphs import describe, glyph_warnings, uncovered
from tests.conftest import REPO

HINT = "install a font that has it, or write the text without it"
WHERE = Where(Path("facts/kz.yaml"), 7, 11)


def test_common_letters_are_covered():
    assert uncovered("Four states signed the treaty, 1992; Zürich.") == []


def test_private_use_and_unassigned_code_points_are_uncovered():
    assert uncovered("a\ue000b\U0010fffdc\ue000") == ["\ue000", "\U0010fffd"]


def test_whitespace_controls_and_invisible_marks_are_left_aside():
    assert uncovered(" \t\n\r\x1b\u00a0\u2028\u200b\u200d\ufe0f\U000e0100") == []


def test_a_fact_with_a_missing_glyph_is_reported_with_its_label_and_place():
    problems = glyph_warnings(
        [("fact 'kz-start'", "Kazakhstan joined \ue000.", WHERE), ("fact 'ok'", "Fine.", None)]
    )
    assert problems == [
        Problem(
            "fact 'kz-start': no installed font has a glyph for U+E000 (private use character)",
            WHERE,
            HINT,
        )
    ]
    assert str(problems[0]) == (
        "facts/kz.yaml:7:11: fact 'kz-start': no installed font has a glyph for "
        f"U+E000 (private use character) ({HINT})"
    )


def test_several_missing_characters_are_listed_up_to_three():
    # Supplementary private use: no font has these (some, e.g. LibreOffice's
    # OpenSymbol, fill the basic private use area from U+E000).
    text = "".join(chr(0xF0000 + n) for n in range(5)) + "\U0010fffd"
    (problem,) = glyph_warnings([("fact 'x'", text, None)])
    assert problem.message == (
        "fact 'x': no installed font has a glyph for U+F0000 (private use character), "
        "U+F0001 (private use character), U+F0002 (private use character) and 3 more"
    )


def test_characters_are_described_by_code_point_and_name():
    assert describe("\U0001f9ff") == "U+1F9FF (NAZAR AMULET)"
    assert describe("é") == "U+00E9 (LATIN SMALL LETTER E WITH ACUTE)"
    assert describe("\U0010fffd") == "U+10FFFD (private use character)"
    assert describe("\u0378") == "U+0378 (unassigned code point)"


@pytest.mark.skipif(shutil.which("fc-list") is None, reason="fc-list is not installed")
def test_the_library_and_fc_list_agree(monkeypatch):
    sample = "Aaé€ЖΩא中🧿\ue000\U0010fffd"
    through_library = uncovered(sample)
    glyphs._coverage.cache_clear()
    monkeypatch.setattr(glyphs, "_fontconfig", lambda: None)
    try:
        assert uncovered(sample) == through_library
    finally:
        glyphs._coverage.cache_clear()
    for character in sample:
        listed = subprocess.run(
            ["fc-list", f":charset={ord(character):x}", "family"],
            capture_output=True,
            check=True,
        ).stdout.strip()
        assert (character in through_library) == (not listed), describe(character)


def test_a_brief_of_a_hundred_facts_costs_well_under_a_second(monkeypatch):
    from briefgen.pipeline import check

    brief = check(REPO / "briefgen.yaml").brief
    items = [(f"fact {f.id!r}", f.text, f.where()) for f in brief.facts]
    assert len(items) > 80
    glyphs._coverage.cache_clear()  # count loading fontconfig's font list too
    start = time.perf_counter()
    glyph_warnings(items)
    assert time.perf_counter() - start < 0.5


def test_importing_glyphs_does_not_import_weasyprint():
    code = "import sys, briefgen.glyphs as g; g.uncovered('é'); print('weasyprint' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "False", result.stderr
