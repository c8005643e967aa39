"""Chart geometry: the membership timeline."""

from __future__ import annotations

from briefgen.chart import LABEL, RIGHT, WIDTH, latest_year, membership_timeline
from briefgen.dates import When
from briefgen.model import Member

CITE = [{"source": "s", "locator": "para. 1", "quote": "q"}]


def member(state: str, *periods: dict) -> Member:
    return Member.model_validate({"state": state, "periods": list(periods), "citations": CITE})


def test_bars_span_membership_on_a_shared_axis():
    chart = membership_timeline(
        [
            member("North", {"joined": 2000}),
            member(
                "East", {"joined": 2000, "left": 2004}, {"joined": "2006-07", "left": "2007-06"}
            ),
        ],
        until=2009,
    )
    plot = WIDTH - LABEL - RIGHT
    per_year = plot / 10  # 2000 up to the end of 2009
    north, east = chart.rows
    assert (chart.start, chart.end) == (2000, 2009)
    assert north.bars[0].x == LABEL and north.bars[0].open
    assert north.bars[0].width == round(plot, 2)
    # left in 2004: the bar runs to the end of 2004
    assert east.bars[0].width == round(5 * per_year, 2) and not east.bars[0].open
    # July 2006 to June 2007: a year, starting half-way through 2006
    assert east.bars[1].x == round(LABEL + 6.5 * per_year, 2)
    assert east.bars[1].width == round(per_year, 2)
    assert [t.year for t in chart.ticks] == list(range(2000, 2010))
    assert east.y > north.y and chart.axis_y > east.y
    assert chart.description == (
        "North: member since 2000. East: member 2000–2004; member July 2006–June 2007."
    )


def test_long_spans_tick_every_five_years():
    chart = membership_timeline([member("A", {"joined": 1992})], until=2023)
    assert [t.year for t in chart.ticks] == [1995, 2000, 2005, 2010, 2015, 2020]


def test_latest_year_reads_range_ends():
    assert latest_year([When.parse("2020"), When.parse("2021/2023-02"), None]) == 2023
    assert latest_year([None]) is None
