"""Charts drawn from structured data: geometry here, SVG markup in the templates.

A membership timeline puts one row per state on a shared year axis, with a bar
for each period of membership. Bars of states still members run to the end of
the axis, the latest year the brief's data reaches, so the chart says nothing
the facts do not (and the same facts draw the same chart on any day).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from briefgen.dates import PartialDate, When
from briefgen.model import Member

WIDTH = 640
LABEL = 104
"""Width of the state-name column."""
ROW = 20
TOP = 8
AXIS = 26
"""Height of the year axis under the rows."""
RIGHT = 34


@dataclass(frozen=True)
class Bar:
    x: float
    width: float
    open: bool
    label: str


@dataclass(frozen=True)
class Row:
    state: str
    y: float
    bars: list[Bar]


@dataclass(frozen=True)
class Tick:
    x: float
    year: int


@dataclass(frozen=True)
class Timeline:
    """A laid-out membership chart, in SVG user units."""

    width: int
    height: int
    label_width: int
    row_height: int
    axis_y: float
    start: int
    end: int
    rows: list[Row]
    ticks: list[Tick]

    @property
    def description(self) -> str:
        """The chart in words, for screen readers and the text layer of the PDF."""
        parts = [f"{row.state}: {'; '.join(bar.label for bar in row.bars)}" for row in self.rows]
        return ". ".join(parts) + "."


def membership_timeline(members: Sequence[Member], until: int) -> Timeline:
    """Lay out `members` on an axis from the first year joined to `until`."""
    start = min(period.joined.start.year for m in members for period in m.periods)
    end = max(until, start + 1)
    plot = WIDTH - LABEL - RIGHT

    def x(date: PartialDate) -> float:
        fraction = ((date.month or 1) - 1) / 12
        return LABEL + (date.year + fraction - start) / (end + 1 - start) * plot

    rows = []
    for index, member in enumerate(members):
        bars = []
        for period in member.periods:
            left = x(period.joined.start)
            right = x(_after(period.left)) if period.left else LABEL + plot
            bars.append(
                Bar(
                    x=round(left, 2),
                    width=round(max(right - left, 2.0), 2),
                    open=period.left is None,
                    label=_label(period.joined, period.left),
                )
            )
        rows.append(Row(member.state, TOP + index * ROW, bars))
    axis_y = TOP + len(members) * ROW + 4
    step = 5 if end - start > 12 else 1
    first_tick = start + (-start % step)
    ticks = [
        Tick(round(x(PartialDate(year)), 2), year) for year in range(first_tick, end + 1, step)
    ]
    return Timeline(
        width=WIDTH,
        height=int(axis_y + AXIS),
        label_width=LABEL,
        row_height=ROW,
        axis_y=axis_y,
        start=start,
        end=end,
        rows=rows,
        ticks=ticks,
    )


def latest_year(dates: Sequence[When | None]) -> int | None:
    """The last year any of `dates` reaches."""
    years = [(d.end or d.start).year for d in dates if d is not None]
    return max(years) if years else None


def _after(date: When) -> PartialDate:
    """The end of a partial date: a year that ends membership counts to its end."""
    end = date.end or date.start
    if end.month is None:
        return PartialDate(end.year + 1)
    if end.month == 12:
        return PartialDate(end.year + 1, 1)
    return PartialDate(end.year, end.month + 1)


def _label(joined: When, left: When | None) -> str:
    return f"member {joined.human()}–{left.human()}" if left else f"member since {joined.human()}"
