"""Characters no installed font can draw, found through fontconfig.

WeasyPrint draws text with the fonts fontconfig knows; a character none of them
has comes out as an empty box in the PDF. `glyph_warnings` finds such
characters before the build, so a brief never ships with boxes in it.

Coverage comes from fontconfig, which WeasyPrint already requires: its C library
is loaded with ctypes (WeasyPrint's own bindings declare no character-set
functions), the character sets of every installed font and of briefgen's
bundled fonts (which the built-in stylesheet loads into WeasyPrint) are merged
once per process, and each character is then one lookup. If the library cannot be
loaded, `fc-list :charset=HEX` answers instead, one call per new character.
"""

from __future__ import annotations

import ctypes
import functools
import os
import shutil
import subprocess
import unicodedata
from collections.abc import Callable, Iterable

from briefgen.errors import Problem, Where
from briefgen.fonts import FOLDER as BUNDLED_FONTS

SHOWN = 3
"""Missing characters named in one warning before 'and N more'."""
HINT = "install a font that has it, or write the text without it"
_LIBRARIES = (
    "libfontconfig.so.1",
    "libfontconfig.1.dylib",
    "libfontconfig-1.dll",
    "libfontconfig-1",
    "fontconfig-1",
    "fontconfig",
)
_FC_SET_SYSTEM, _FC_SET_APPLICATION = 0, 1
_FC_RESULT_MATCH = 0
_UNDRAWN = {"Cc", "Cf", "Cs", "Zs", "Zl", "Zp"}
"""Categories no font is expected to draw: controls, format characters, separators."""


class _FontSet(ctypes.Structure):
    _fields_ = [
        ("nfont", ctypes.c_int),
        ("sfont", ctypes.c_int),
        ("fonts", ctypes.POINTER(ctypes.c_void_p)),
    ]


def uncovered(text: str) -> list[str]:
    """The distinct characters of `text`, in order of appearance, that no installed font has.

    Whitespace, control and format characters (which are not drawn) and
    variation selectors are left aside.
    """
    covered = _coverage()
    return [c for c in dict.fromkeys(text) if _drawn(c) and not covered(c)]


def glyph_warnings(items: Iterable[tuple[str, str, Where | None]]) -> list[Problem]:
    """One problem per (label, text, where) item whose text has characters no font can draw.

    `label` names the item, e.g. "fact 'kz-start'"; the problem reads
    "fact 'kz-start': no installed font has a glyph for U+1F9FF (NAZAR AMULET)".
    """
    problems = []
    for label, text, where in items:
        missing = uncovered(text)
        if missing:
            message = f"{label}: no installed font has a glyph for {_listed(missing)}"
            problems.append(Problem(message, where, HINT))
    return problems


def describe(character: str) -> str:
    """A character by code point and Unicode name: 'U+1F9FF (NAZAR AMULET)'."""
    code = f"U+{ord(character):04X}"
    name = unicodedata.name(character, None)
    if name is None:
        category = unicodedata.category(character)
        name = {"Co": "private use character", "Cn": "unassigned code point"}.get(category)
    return f"{code} ({name})" if name else code


def _listed(missing: list[str]) -> str:
    text = ", ".join(describe(c) for c in missing[:SHOWN])
    more = len(missing) - SHOWN
    return f"{text} and {more} more" if more > 0 else text


def _drawn(character: str) -> bool:
    if character.isspace() or unicodedata.category(character) in _UNDRAWN:
        return False
    code = ord(character)
    return not (0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF)  # variation selectors


@functools.cache
def _coverage() -> Callable[[str], bool]:
    """Whether some installed font has a character: fontconfig's library, else fc-list."""
    library = _fontconfig()
    if library is not None:
        charset = _merged_charset(library)
        if charset is not None:
            return functools.cache(lambda c: bool(library.FcCharSetHasChar(charset, ord(c))))
    if shutil.which("fc-list"):
        return functools.cache(_fc_list_has)
    return lambda _c: True  # no way to know: warn about nothing rather than everything


def _fontconfig() -> ctypes.CDLL | None:
    for name in _LIBRARIES:
        try:
            library = ctypes.CDLL(name)
        except OSError:
            continue
        _declare(library)
        return library
    return None


def _declare(library: ctypes.CDLL) -> None:
    pointer = ctypes.c_void_p
    library.FcInitLoadConfigAndFonts.restype = pointer
    library.FcInitLoadConfigAndFonts.argtypes = []
    library.FcConfigAppFontAddDir.restype = ctypes.c_int
    library.FcConfigAppFontAddDir.argtypes = [pointer, ctypes.c_char_p]
    library.FcConfigGetFonts.restype = ctypes.POINTER(_FontSet)
    library.FcConfigGetFonts.argtypes = [pointer, ctypes.c_int]
    library.FcPatternGetCharSet.restype = ctypes.c_int
    library.FcPatternGetCharSet.argtypes = [
        pointer,
        ctypes.c_char_p,
        ctypes.c_int,
        ctypes.POINTER(pointer),
    ]
    library.FcCharSetCreate.restype = pointer
    library.FcCharSetCreate.argtypes = []
    library.FcCharSetMerge.restype = ctypes.c_int
    library.FcCharSetMerge.argtypes = [pointer, pointer, ctypes.POINTER(ctypes.c_int)]
    library.FcCharSetHasChar.restype = ctypes.c_int
    library.FcCharSetHasChar.argtypes = [pointer, ctypes.c_uint32]


def _merged_charset(library: ctypes.CDLL) -> int | None:
    """One character set holding every character of every installed or bundled font."""
    config = library.FcInitLoadConfigAndFonts()
    if not config:
        return None
    library.FcConfigAppFontAddDir(config, os.fsencode(BUNDLED_FONTS))
    merged = library.FcCharSetCreate()
    for which in (_FC_SET_SYSTEM, _FC_SET_APPLICATION):
        fonts = library.FcConfigGetFonts(config, which)
        if not fonts:
            continue
        for index in range(fonts.contents.nfont):
            charset = ctypes.c_void_p()
            font = fonts.contents.fonts[index]
            found = library.FcPatternGetCharSet(font, b"charset", 0, ctypes.byref(charset))
            if found == _FC_RESULT_MATCH and charset:
                library.FcCharSetMerge(merged, charset, None)
    return merged  # config and merged set live as long as the process, like the cache


def _fc_list_has(character: str) -> bool:
    try:
        listed = subprocess.run(
            ["fc-list", f":charset={ord(character):x}", "family"],
            capture_output=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return True
    return bool(listed.stdout.strip())
