"""Fact text as inline Markdown: emphasis, code and links; raw HTML is escaped."""

from __future__ import annotations

import re
from functools import lru_cache
from html import unescape

from markdown_it import MarkdownIt
from markupsafe import Markup


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    # "zero" enables nothing; we switch on the inline rules a fact may use.
    # html=False keeps raw HTML as text; markdown-it's validateLink already
    # refuses javascript:, vbscript:, file: and non-image data: links.
    parser = MarkdownIt("zero", {"html": False, "typographer": True})
    parser.enable(
        ["emphasis", "link", "backticks", "escape", "entity", "replacements", "smartquotes"]
    )
    return parser


def inline(text: str) -> Markup:
    """Render one paragraph of inline Markdown to safe HTML (no wrapping <p>)."""
    return Markup(_parser().renderInline(text).strip())


CONTROLS = frozenset(
    chr(code) for code in [*range(0x00, 0x20), *range(0x7F, 0xA0)] if chr(code) not in "\t\n\r"
)
"""Control characters no text may hold: C0 but tab and line breaks, DEL, and C1."""

_TAG = re.compile(r"<[^>]*>")
_SENTENCE_END = re.compile(r"(?<![A-Z])[.!?](?=\s+[A-Z“\"])")


def plain(text: str) -> str:
    """Fact text as a reader sees it, without markup: Markdown rendered, tags dropped."""
    return " ".join(unescape(_TAG.sub(" ", str(inline(text)))).split())


def first_sentence(text: str) -> str:
    """The first sentence of plain text: up to a full stop followed by a capital."""
    match = _SENTENCE_END.search(text)
    return text[: match.start() + 1] if match else text
