"""The template view: plain, read-only data holding what one audience shows and nothing else."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from types import FunctionType, MappingProxyType

import pytest
from markupsafe import Markup

from briefgen.audience import choose
from briefgen.load import load_brief
from briefgen.select import select
from briefgen.view import PLAIN, TOP_LEVEL, freeze, template_view

DAY = dt.date(2024, 5, 1)


def view_of(name: str) -> Mapping[str, object]:
    brief = load_brief(Path("briefgen.yaml"))
    audience = choose(brief.config, [name])[0]
    return template_view(
        brief, select(brief, audience), audience, build_date=DAY, stylesheet=Markup("")
    )


def strings(view: object) -> list[str]:
    """Every string in a view."""
    return [leaf for leaf in leaves(view) if isinstance(leaf, str)]


def leaves(value: object) -> list[object]:
    if isinstance(value, MappingProxyType):
        return [leaf for item in value.values() for leaf in leaves(item)]
    if isinstance(value, tuple):
        return [leaf for item in value for leaf in leaves(item)]
    return [value]


def test_the_view_holds_only_plain_read_only_data(project):
    project("audiences")
    view = view_of("full")
    functions = {"next_note", "endnotes", "bibliography"}
    assert isinstance(view, MappingProxyType)
    assert all(isinstance(view[name], FunctionType) for name in functions)
    data = {key: value for key, value in view.items() if key not in functions}
    for leaf in leaves(MappingProxyType(data)):
        assert isinstance(leaf, PLAIN), type(leaf)
    with pytest.raises(TypeError):
        view["judgments"][0]["text"] = "changed"  # type: ignore[index]


def test_withheld_facts_quotes_and_sources_do_not_exist_for_the_public_audience(project):
    project("audiences")
    public, full = view_of("public"), view_of("full")
    assert "treaty-secret" in full["facts_by_id"]
    assert "treaty-secret" not in public["facts_by_id"]
    assert "treaty-walkout" not in public["facts_by_id"]  # a judgment resting on it
    everything = " ".join(strings(public))
    assert "QXMARKER7741" not in everything and "JUDGEMARKER5520" not in everything
    # the quote only the withheld fact cites is gone with it
    assert "entered into force once the fourth state ratified" not in everything
    assert "entered into force once the fourth state ratified" in " ".join(strings(full))


def test_notes_cite_only_the_audiences_own_sources(project):
    project("audiences")
    view = view_of("trade")  # cites the gazette only
    note = view["next_note"](view["facts_by_id"]["trade-tariffs"]["citations"])
    assert note["number"] == 1 and "Widget Gazette" in note["html"]
    assert [n["number"] for n in view["endnotes"]()] == [1]
    forged = [{"source": "widget-office-2019-report", "locator": "p. 1", "quote": "x"}]
    with pytest.raises(Exception, match="which this audience does not cite"):
        view["next_note"](forged)


def test_freeze_refuses_objects():
    assert freeze({"a": [1, "b", None]}) == MappingProxyType({"a": (1, "b", None)})
    with pytest.raises(TypeError, match="PosixPath is not plain data"):
        freeze({"where": Path("/etc/passwd")})


def test_the_view_holds_exactly_the_documented_names(project):
    project()
    brief = load_brief(Path("briefgen.yaml"))
    audience = choose(brief.config)[0]
    view = template_view(
        brief, select(brief, audience), audience, build_date=DAY, stylesheet=Markup("")
    )
    assert sorted(view) == sorted(TOP_LEVEL)
