"""Dates as fact files write them: a year, a month, a day, or a range of those."""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass
from typing import Any

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic_core import core_schema

from briefgen.errors import BriefError

_PARTIAL = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
PATTERN = r"^\d{4}(-\d{2}(-\d{2})?)?(/\d{4}(-\d{2}(-\d{2})?)?)?$"
_FORMS = "YYYY, YYYY-MM or YYYY-MM-DD"
_DAY_MONTH_YEAR = re.compile(r"^(\d{1,2})([/.-])(\d{1,2})\2(\d{4})$")
"""30/02/2022, 05.01.2022, 01-13-2022: a date written day or month first."""
_SLASHED_ISO = re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$")
"""2022/01/05: year first but with slashes, which briefgen reads as a range."""


@dataclass(frozen=True, order=True)
class PartialDate:
    """A calendar date known to the year, the month or the day."""

    year: int
    month: int | None = None
    day: int | None = None

    @classmethod
    def parse(cls, text: str, whole: str | None = None) -> PartialDate:
        """Read 'YYYY', 'YYYY-MM' or 'YYYY-MM-DD'; errors name `whole` (a range) if given."""
        named = text if whole is None else whole
        match = _PARTIAL.match(text.strip())
        if not match:
            if whole is None:
                raise ValueError(f"{text!r} is not a date (write {_FORMS})")
            raise ValueError(f"{whole!r} is not a date range (write START/END, each {_FORMS})")
        year, month, day = (int(part) if part else None for part in match.groups())
        assert year is not None
        problem = _impossible(year, month, day)
        if problem:
            raise ValueError(f"impossible date {named!r}: {problem}")
        return cls(year, month, day)

    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month or 1, self.day or 1)

    def __str__(self) -> str:
        text = f"{self.year:04d}"
        if self.month is not None:
            text += f"-{self.month:02d}"
            if self.day is not None:
                text += f"-{self.day:02d}"
        return text

    def human(self) -> str:
        """'5 January 2022', 'January 2022' or '2022'."""
        if self.month is None:
            return str(self.year)
        month = MONTHS[self.month - 1]
        return f"{self.day} {month} {self.year}" if self.day else f"{month} {self.year}"


@dataclass(frozen=True, order=True)
class When:
    """A partial date or an inclusive range of partial dates (ISO 8601 'start/end')."""

    start: PartialDate
    end: PartialDate | None = None

    @classmethod
    def parse(cls, value: Any) -> When:
        if isinstance(value, When):
            return value
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if isinstance(value, dict) and "date-parts" in value:
            value = _from_date_parts(value["date-parts"])
        if not isinstance(value, str):
            raise ValueError("a date must be text such as 2022-01-05 or 2022-01-06/2022-01-19")
        _refuse_other_orders(value)
        first, sep, last = value.partition("/")
        whole = value if sep else None
        start = PartialDate.parse(first, whole)
        if not sep:
            return cls(start)
        end = PartialDate.parse(last, whole)
        if end.first_day() < start.first_day():
            raise ValueError(f"date range {value!r} ends before it starts")
        return cls(start, end)

    def __str__(self) -> str:
        return f"{self.start}/{self.end}" if self.end else str(self.start)

    def sort_key(self) -> tuple[dt.date, int, dt.date]:
        """Chronological order: by the first day, the less precise first on a tie, then the end.

        '2022', 'January 2022' and '1 January 2022' all start on 1 January:
        they sort in that order, and all before '5 January 2022'.
        """
        precision = (self.start.month is not None) + (self.start.day is not None)
        end = self.end.first_day() if self.end else self.start.first_day()
        return (self.start.first_day(), precision, end)

    def human(self) -> str:
        """'6 January 2022', '6–19 January 2022', 'January–March 2022', '2010–2012'."""
        if self.end is None:
            return self.start.human()
        start, end = self.start, self.end
        if start.year == end.year and start.month == end.month and start.day and end.day:
            return f"{start.day}–{end.human()}"
        if start.year == end.year and start.month and end.month and not start.day:
            return f"{MONTHS[start.month - 1]}–{end.human()}"
        if start.month is None and end.month is None:
            return f"{start.year}–{end.year}"
        return f"{start.human()} – {end.human()}"

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_plain_validator_function(
            cls.parse, serialization=core_schema.to_string_ser_schema()
        )

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> dict[str, Any]:
        return {
            "description": "YYYY, YYYY-MM or YYYY-MM-DD, or a range START/END",
            "anyOf": [
                {"type": "string", "pattern": PATTERN},
                {"type": "integer", "minimum": 1, "maximum": 9999},
                {
                    "type": "object",
                    "properties": {"date-parts": {"type": "array", "minItems": 1, "maxItems": 2}},
                    "required": ["date-parts"],
                },
            ],
        }


def _impossible(year: int, month: int | None, day: int | None) -> str | None:
    """Why a year, month and day make no date, or None when they do."""
    if month is not None and not 1 <= month <= 12:
        return f"there is no month {month}"
    if day is not None:
        try:
            dt.date(year, month or 1, day)
        except ValueError:
            return f"{MONTHS[(month or 1) - 1]} {year} has no day {day}"
    return None


def _iso(year: int, month: int, day: int) -> str:
    return f"{year:04d}-{month:02d}-{day:02d}"


def _refuse_other_orders(text: str) -> None:
    """A date written day first, month first or with slashes: say how to write it year first."""
    slashed = _SLASHED_ISO.match(text.strip())
    if slashed:
        year, month, day = (int(part) for part in slashed.groups())
        problem = _impossible(year, month, day)
        instead = f"; and {problem}" if problem else f": write {_iso(year, month, day)}"
        raise ValueError(f"{text!r} is not a date ('/' separates the two ends of a range){instead}")
    match = _DAY_MONTH_YEAR.match(text.strip())
    if not match:
        return
    first, second, year = int(match[1]), int(match[3]), int(match[4])
    readings = [
        (_iso(year, month, day), f"{day} {MONTHS[month - 1]}")
        for day, month in {(first, second), (second, first)}
        if _impossible(year, month, day) is None
    ]
    start = f"{text!r} is not a date: write it year first, YYYY-MM-DD"
    if not readings:
        problem = _impossible(year, second, first) or _impossible(year, first, second)
        raise ValueError(f"{start}; and {problem}, so check the numbers")
    if len(readings) == 1:
        raise ValueError(f"{start}, as {readings[0][0]}")
    choices = " or ".join(f"{iso} ({words})" for iso, words in sorted(readings))
    raise ValueError(f"{start}; it could be {choices}")


def _from_date_parts(parts: Any) -> str:
    """CSL-JSON's {"date-parts": [[2023, 2, 27]]} (one or two dates) as 'start/end' text."""
    if not isinstance(parts, list) or not parts or len(parts) > 2:
        raise ValueError("date-parts must hold one or two dates")
    texts = []
    for part in parts:
        if not isinstance(part, list) or not 1 <= len(part) <= 3:
            raise ValueError("each date in date-parts is [year, month, day]")
        try:
            numbers = [int(n) for n in part]
        except (TypeError, ValueError):
            raise ValueError("date-parts must be numbers") from None
        texts.append("-".join(f"{n:02d}" if i else f"{n:04d}" for i, n in enumerate(numbers)))
    return "/".join(texts)


def build_date() -> dt.date:
    """Today, or the date of SOURCE_DATE_EPOCH when it is set (reproducible builds)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).date()
        except (ValueError, OverflowError, OSError) as exc:
            raise BriefError(
                f"SOURCE_DATE_EPOCH={epoch!r} is not a Unix time",
                hint="set it to whole seconds since 1970",
            ) from exc
    return dt.date.today()
