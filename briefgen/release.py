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
    page = _Page(html)
    problems = []
    for fact in withheld:
        found = _leak(fact, page)
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


class _Page:
    """The output's text as words, every run of RUN words in a set, and its anchors.

    Building the set once makes each withheld fact cost a few lookups, not a
    scan of the whole document: the guard stays linear in the brief's size.
    """

    def __init__(self, html: str) -> None:
        parser = _TextParser()
        parser.feed(html)
        parser.close()
        self.text = _comparable(" ".join(parser.pieces))
        words = self.text.split()
        self.runs = {" ".join(words[i : i + RUN]) for i in range(len(words) - RUN + 1)}
        self.anchors = parser.anchors

    def has(self, run: str, length: int) -> bool:
        # a statement shorter than a run must appear whole, as words
        return run in self.runs if length >= RUN else f" {run} " in f" {self.text} "


def _leak(fact: Fact, page: _Page) -> str | None:
    if f"fact-{fact.id}" in page.anchors:
        return f"its anchor 'fact-{fact.id}'"
    for statement in [fact.text, *(version.text for version in fact.versions)]:
        words = _comparable(plain(statement)).split()
        for run in _runs(words):
            if page.has(run, len(words)):
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


class _TextParser(HTMLParser):
    """Collects element text and attribute values (entities decoded), and anchors."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.pieces: list[str] = []
        self.anchors: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.pieces.extend(value for _, value in attrs if value)
        for name, value in attrs:
            if value and name == "id":
                self.anchors.add(value)
            elif value and name == "href" and value.startswith("#"):
                self.anchors.add(value[1:])

    def handle_data(self, data: str) -> None:
        self.pieces.append(data)
