"""The one error type briefgen raises: what went wrong, where, and how to fix it."""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Where:
    """A place in an input file; line and column are 1-based, either may be unknown."""

    file: Path
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        text = display_path(self.file)
        if self.line is not None:
            text += f":{self.line}"
            if self.column is not None:
                text += f":{self.column}"
        return text


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the inputs."""

    message: str
    where: Where | None = None
    hint: str | None = None

    def __str__(self) -> str:
        text = f"{self.where}: {self.message}" if self.where else self.message
        if self.hint:
            text += f" ({self.hint})"
        return text


class BriefError(Exception):
    """Raised by every pipeline stage for inputs a user can fix.

    It carries one or more problems, each with a file, line, column and hint.
    The CLI prints one line per problem and exits with code 1.
    """

    def __init__(
        self,
        message: str | None = None,
        where: Where | None = None,
        hint: str | None = None,
        *,
        problems: list[Problem] | None = None,
    ) -> None:
        if problems is None:
            if message is None:
                raise TypeError("BriefError needs a message or problems")
            problems = [Problem(message, where, hint)]
        if not problems:
            raise TypeError("BriefError needs at least one problem")
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))

    def __reduce__(self) -> tuple[object, ...]:
        # Keep every problem when the error crosses a process boundary (parallel PDFs).
        return (_rebuilt, (self.problems,))

    @property
    def where(self) -> Where | None:
        return self.problems[0].where

    @property
    def hint(self) -> str | None:
        return self.problems[0].hint


def _rebuilt(problems: list[Problem]) -> BriefError:
    return BriefError(problems=problems)


def display_path(path: Path) -> str:
    """A path as a user typed it: relative to the working directory when inside it."""
    try:
        return str(Path(os.path.abspath(path)).relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def closest(name: str, known: Iterable[str], cutoff: float = 0.6) -> str | None:
    """The known name most like `name`, if one is close enough: for "did you mean" hints."""
    close = difflib.get_close_matches(name, [k for k in known if k != name], n=1, cutoff=cutoff)
    return close[0] if close else None


def did_you_mean(
    name: str, known: Iterable[str], cutoff: float = 0.6, otherwise: str | None = None
) -> str | None:
    """The hint "did you mean 'x'?" for the known name most like `name`, else `otherwise`."""
    return meant(closest(name, known, cutoff), otherwise)


def meant(close: str | None, otherwise: str | None = None) -> str | None:
    """The words of a "did you mean" hint for `close`, else `otherwise`."""
    return f"did you mean {close!r}?" if close else otherwise


class Suggester:
    """ "Did you mean" look-ups, at most `limit` of them.

    Each look-up compares a name with every known one; a file with thousands
    of unknown names must not take minutes to report, so past the limit the
    problems come without a suggestion.
    """

    def __init__(self, limit: int = 20) -> None:
        self.left = limit

    def closest(self, name: str, known: Sequence[str], cutoff: float = 0.6) -> str | None:
        """The known name most like `name`, if one is close enough and the budget lasts."""
        if self.left <= 0:
            return None
        self.left -= 1
        return closest(name, known, cutoff)

    def hint(
        self, name: str, known: Sequence[str], cutoff: float = 0.6, otherwise: str | None = None
    ) -> str | None:
        """The hint "did you mean 'x'?", else `otherwise`, while the budget lasts."""
        return meant(self.closest(name, known, cutoff), otherwise)
