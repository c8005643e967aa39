"""Dates: partial dates, ranges, impossible dates."""

from __future__ import annotations

import pytest

from briefgen.dates import PartialDate, When


@pytest.mark.parametrize(
    ("text", "human"),
    [
        ("2022", "2022"),
        ("2022-01", "January 2022"),
        ("2022-01-05", "5 January 2022"),
        ("2022-01-06/2022-01-19", "6–19 January 2022"),
        ("2022-01/2022-03", "January–March 2022"),
        ("2010/2012", "2010–2012"),
        ("2022-11/2023-01", "November 2022 – January 2023"),
    ],
)
def test_parse_and_show(text, human):
    when = When.parse(text)
    assert str(when) == text
    assert when.human() == human


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2022-02-29", "impossible date '2022-02-29': February 2022 has no day 29"),
        ("2022-13", "impossible date '2022-13': there is no month 13"),
        ("5 Jan 2022", "'5 Jan 2022' is not a date (write YYYY, YYYY-MM or YYYY-MM-DD)"),
        ("2022-03-01/2022-02-01", "date range '2022-03-01/2022-02-01' ends before it starts"),
    ],
)
def test_impossible_dates(text, message):
    with pytest.raises(ValueError, match="^" + message.replace("(", r"\(").replace(")", r"\)")):
        When.parse(text)


def test_year_given_as_number_and_csl_date_parts():
    assert str(When.parse(2010)) == "2010"
    assert str(When.parse({"date-parts": [[2023, 2, 27]]})) == "2023-02-27"
    assert PartialDate.parse("2020-02-29").first_day().isoformat() == "2020-02-29"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "30/02/2022",
            "'30/02/2022' is not a date: write it year first, YYYY-MM-DD; and February 2022 "
            "has no day 30, so check the numbers",
        ),
        (
            "05/01/2022",
            "'05/01/2022' is not a date: write it year first, YYYY-MM-DD; it could be "
            "2022-01-05 (5 January) or 2022-05-01 (1 May)",
        ),
        (
            "13/01/2022",
            "'13/01/2022' is not a date: write it year first, YYYY-MM-DD, as 2022-01-13",
        ),
        (
            "01/13/2022",
            "'01/13/2022' is not a date: write it year first, YYYY-MM-DD, as 2022-01-13",
        ),
        (
            "05.05.2022",
            "'05.05.2022' is not a date: write it year first, YYYY-MM-DD, as 2022-05-05",
        ),
        (
            "2022/01/05",
            "'2022/01/05' is not a date ('/' separates the two ends of a range): write 2022-01-05",
        ),
        ("2022-01/2022-13", "impossible date '2022-01/2022-13': there is no month 13"),
        ("2022-01/2022-02-30", "impossible date '2022-01/2022-02-30': February 2022 has no day 30"),
        (
            "2022-01-05/soon",
            "'2022-01-05/soon' is not a date range (write START/END, each YYYY, YYYY-MM or "
            "YYYY-MM-DD)",
        ),
    ],
)
def test_a_date_written_another_way_is_named_whole_with_the_form_to_write(text, message):
    with pytest.raises(ValueError) as caught:
        When.parse(text)
    assert str(caught.value) == message
