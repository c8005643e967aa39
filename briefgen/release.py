"""The release guard: prove that nothing withheld from an edition reached its output.

Selection already leaves out every fact above an edition's handling level, but
templates are user code and can reach the whole brief. So after rendering, the
guard reads the output's text (element text and attribute values, with
entities decoded) and fails the build if any withheld fact shows: its anchor,
its whole text, or any run of eight consecutive words of its text or of one of
its versions. The PDF is laid out from this same HTML, so checking it covers both.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from html.parser import HTMLParser

from briefgen.errors import BriefError, Problem
from briefgen.markup import plain
from briefgen.model import Fact
from briefgen.verify import normalise

RUN = 8
"""Words in a row that count as a leak."""

_WORD = re.compile(r"\w+")


def check_release(html: str, withheld: Iterable[Fact], *, audience: str) -> None:
    """Raise BriefError naming each withheld fact that appears in `html`."""
    text = _comparable(" ".join(_text_of(html)))
    problems = []
    for fact in withheld:
        found = _leak(fact, html, text)
        if found:
            problems.append(
                Problem(
                    f"audience {audience!r}: withheld fact {fact.id!r} "
                    f"(handling {fact.handling}) appears in the output: {found}",
                    fact.where(),
                    "a template shows more than the selection released; "
                    "render only the facts it is given",
                )
            )
    if problems:
        raise BriefError(problems=problems)


def _leak(fact: Fact, html: str, text: str) -> str | None:
    if f'id="fact-{fact.id}"' in html or f'href="#fact-{fact.id}"' in html:
        return f"its anchor 'fact-{fact.id}'"
    for statement in [fact.text, *(version.text for version in fact.versions)]:
        words = _comparable(plain(statement)).split()
        for run in _runs(words):
            if run in text:
                return f"“{run}”"
    return None


def _runs(words: list[str]) -> Iterable[str]:
    if len(words) <= RUN:
        yield " ".join(words)
        return
    for start in range(len(words) - RUN + 1):
        yield " ".join(words[start : start + RUN])


def _comparable(text: str) -> str:
    """Words only, lower case: punctuation and markup spacing must not hide a leak."""
    return " ".join(_WORD.findall(normalise(text).casefold()))


def _text_of(html: str) -> list[str]:
    parser = _TextParser()
    parser.feed(html)
    parser.close()
    return parser.pieces


class _TextParser(HTMLParser):
    """Collects element text and attribute values, entities decoded."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.pieces: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.pieces.extend(value for _, value in attrs if value)

    def handle_data(self, data: str) -> None:
        self.pieces.append(data)
