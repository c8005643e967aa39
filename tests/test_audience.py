"""Audiences: resolving audiences from the configuration, choosing them, checking them."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefgen.audience import audiences, choose
from briefgen.errors import BriefError
from briefgen.load import load_config
from briefgen.pipeline import check
from tests.conftest import edit

CONFIG = Path("briefgen.yaml")


def problems(path: Path = CONFIG) -> list[str]:
    with pytest.raises(BriefError) as caught:
        check(path)
    return [str(p) for p in caught.value.problems]


def test_audiences_take_the_configuration_defaults(project):
    project("audiences")
    full, top, public, trade = audiences(load_config(CONFIG))
    assert (full.name, full.stem, full.handling, full.marking) == (
        "full",
        "widgets-full",
        "internal",
        "INTERNAL ONLY",
    )
    assert (top.marking, top.handling, top.priority, top.page_budget) == (
        "TEST MARKING",
        "internal",
        1,
        1,
    )
    assert top.stylesheets == ("brief.css", "tight.css") and not top.show_quotes
    assert (full.template, full.stylesheets, full.show_quotes) == (
        "brief.html.j2",
        ("brief.css",),
        True,
    )
    assert (public.handling, trade.topics, trade.tags) == (
        "public",
        frozenset({"trade"}),
        frozenset({"tariffs"}),
    )


def test_each_setting_knows_where_it_was_made(project):
    project("audiences")
    full, top, _, _ = audiences(load_config(CONFIG))
    assert str(full.where("marking")) == "briefgen.yaml:10:14"  # in the audience
    assert str(top.where("marking")) == "briefgen.yaml:4:10"  # taken from the top level
    assert str(top.where("page_budget")) == "briefgen.yaml:14:18"
    assert str(top.where("template")) == "briefgen.yaml:1:1"  # the default: the file itself


def test_a_configuration_without_audiences_has_one_audience_named_after_the_brief(project):
    project()
    (audience,) = audiences(load_config(CONFIG))
    assert (audience.name, audience.stem, audience.handling) == (
        "brief",
        "widget-brief",
        "internal",
    )


def test_choose_the_default_all_or_named_audiences(project):
    project("audiences")
    config = load_config(CONFIG)
    assert [e.name for e in choose(config)] == ["full"]
    assert [e.name for e in choose(config, everything=True)] == ["full", "top", "public", "trade"]
    assert [e.name for e in choose(config, ["public", "top", "public"])] == ["public", "top"]
    with pytest.raises(BriefError, match="unknown audience 'pub'") as caught:
        choose(config, ["pub"])
    assert caught.value.hint == "known audiences: full, top, public, trade"


def test_without_a_default_the_first_audience_is_built(project):
    project("audiences")
    edit(CONFIG, "default_audience: full\n", "")
    assert [e.name for e in choose(load_config(CONFIG))] == ["full"]


def test_audience_mistakes_are_reported_with_file_and_line(project):
    project("audiences")
    edit(CONFIG, "default_audience: full", "default_audience: everyone")
    edit(CONFIG, "    handling: public\n", "    handling: secret\n")
    edit(CONFIG, "    topics: [trade]", "    topics: [trades]")
    edit(CONFIG, "    tags: [tariffs]", "    tags: [tarifs]")
    assert problems() == [
        "briefgen.yaml:5:19: unknown default audience 'everyone' "
        "(known audiences: full, top, public, trade)",
        "briefgen.yaml:19:15: audience 'public': unknown handling level 'secret' "
        "(known levels: public, internal)",
        "briefgen.yaml:23:14: audience 'trade': unknown topic 'trades' (did you mean 'trade'?)",
        "briefgen.yaml:24:12: audience 'trade': no fact carries the tag 'tarifs' "
        "(did you mean 'tariffs'?)",
    ]


def test_unknown_audience_fields_and_bad_values_fail_at_load(project):
    project("audiences")
    edit(CONFIG, "    page_budget: 1", "    page_budget: 0\n    budget: 2")
    assert problems() == [
        "briefgen.yaml:14:18: 'page_budget' of audience 'top' must be at least 1, not 0",
        "briefgen.yaml:15:5: unknown field 'budget' (did you mean 'page_budget'?)",
    ]
