"""Staleness: facts not reviewed recently enough, as warnings for `briefgen check`."""

from __future__ import annotations

import datetime as dt
import re

from briefgen.errors import BriefError, Problem
from briefgen.model import Brief

_AGE = re.compile(r"^\s*(\d+)\s*([dwy])\s*$")
_DAYS = {"d": 1, "w": 7, "y": 365}


def parse_age(text: str) -> dt.timedelta:
    """'365d', '26w' or '1y' as a span of days."""
    match = _AGE.match(text)
    if not match:
        raise BriefError(
            f"{text!r} is not an age", hint="write a number of days, weeks or years: 365d, 26w, 1y"
        )
    return dt.timedelta(days=int(match.group(1)) * _DAYS[match.group(2)])


def stale_facts(brief: Brief, *, today: dt.date, max_age: dt.timedelta) -> list[Problem]:
    """A warning for every fact not reviewed since `today - max_age`, oldest review first."""
    cutoff = today - max_age
    never, old = [], []
    for fact in brief.facts:
        if fact.reviewed is None:
            never.append(
                Problem(
                    f"fact {fact.id!r} has no review date",
                    fact.where(),
                    "add 'reviewed: YYYY-MM-DD' once you have checked it against its sources",
                )
            )
            continue
        reviewed = (fact.reviewed.end or fact.reviewed.start).first_day()
        if reviewed < cutoff:
            days = (today - reviewed).days
            old.append(
                (
                    reviewed,
                    Problem(
                        f"fact {fact.id!r} was last reviewed {days} days ago ({fact.reviewed})",
                        fact.where("reviewed"),
                        f"review it against its sources; the limit is {max_age.days} days",
                    ),
                )
            )
    return [problem for _, problem in sorted(old, key=lambda pair: pair[0])] + never
