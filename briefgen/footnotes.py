"""A faster, equivalent page-bottom footnote layout for the WeasyPrint versions it was tested on.

WeasyPrint 70 sizes a page's footnote area in `LayoutContext._update_footnote_area`:
each time a note is added to (or removed from) a page it deep-copies the whole
area and lays out every note in it again, so a page with k notes lays out
1 + 2 + ... + k notes. Yet the layout of note i depends only on the area and on
notes 1..i-1, which do not change while the page fills. This module keeps, per
page, the layout state after each note (position, adjoining margins, laid-out
notes) and lays out only the notes past the longest unchanged prefix, with
WeasyPrint's own functions and the very same arithmetic, so heights, margin
collapsing, the area's padding and border, reported notes and
`unlayout_footnote` come out exactly as WeasyPrint's own code makes them.

Whatever this does not model (floats, positioned or running boxes or footnote
calls inside notes, inline or non-block notes, a fixed-height or multi-column
area, floats already on the page, forced breaks between notes, clearance) is
handed back to WeasyPrint's own method for that call. `apply()` installs the
replacement only on a tested WeasyPrint version; `BRIEFGEN_FOOTNOTES=weasyprint`
keeps WeasyPrint's own layout, for comparison. See docs/footnote-layout.md.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from math import inf
from typing import Any

import weasyprint
from weasyprint.formatting_structure import boxes, build
from weasyprint.layout import LayoutContext
from weasyprint.layout.block import (
    _in_flow_layout,
    block_level_page_break,
    block_level_page_name,
    block_level_width,
    collapse_margin,
    find_last_class_a_break_point_child,
    force_page_break,
)
from weasyprint.layout.percent import resolve_percentages

TESTED_VERSIONS = frozenset({"70.0"})
"""WeasyPrint versions whose `_update_footnote_area` this module reproduces exactly."""

SWITCH = "BRIEFGEN_FOOTNOTES"
"""Environment variable: `weasyprint` keeps WeasyPrint's own footnote layout."""

_ORIGINAL = LayoutContext._update_footnote_area
_CACHE = "_briefgen_footnote_states"


class _Unsupported(Exception):
    """A case this module does not model: WeasyPrint's own method handles the call."""


def apply(version: str | None = None) -> bool:
    """Install the accelerated footnote layout if WeasyPrint's version is a tested one.

    Returns whether it is in place. With `BRIEFGEN_FOOTNOTES=weasyprint`, or on
    an untested version, WeasyPrint's own method is (re)installed instead.
    Called before each render, so the switch is read per document.
    """
    version = weasyprint.__version__ if version is None else version
    wanted = version in TESTED_VERSIONS and os.environ.get(SWITCH, "") != "weasyprint"
    LayoutContext._update_footnote_area = _update_footnote_area if wanted else _ORIGINAL
    return wanted


@dataclass
class _State:
    """The footnote area's layout state after some notes, as `block_container_layout` holds it."""

    position_y: float
    adjoining: tuple[float, ...]
    area_adjoining: tuple[float, ...]
    aliased: bool  # whether the two margin lists are one list object at this point
    children: tuple[Any, ...]


@dataclass
class _PageNotes:
    """One page's prepared footnote area and the state after each of its laid-out notes."""

    key: tuple[Any, ...]
    area: Any  # the area box, laid out up to its children
    position_x: float
    notes: list[Any] = field(default_factory=list)
    states: list[_State] = field(default_factory=list)


def _update_footnote_area(self: LayoutContext) -> bool:
    """Drop-in for `LayoutContext._update_footnote_area`: same results, each note laid out once."""
    area = self.current_footnote_area
    notes = list(self.current_page_footnotes)
    try:
        if not notes:
            raise _Unsupported  # nothing to lay out: the original is cheap
        laid_out = _laid_out_area(self, notes)
    except _Unsupported:
        self.__dict__.pop(_CACHE, None)
        return bool(_ORIGINAL(self))
    if area.height != "auto" and not self.in_column:
        self.page_bottom += area.margin_height()
    area.children = self.current_page_footnotes
    area.height = laid_out.height
    if not self.in_column:
        self.page_bottom -= laid_out.margin_height()
    last_child = laid_out.children[-1]
    last_child_bottom = (
        last_child.position_y + last_child.margin_height() - last_child.margin_bottom
    )
    area_bottom = laid_out.position_y + laid_out.margin_height() - laid_out.margin_bottom
    return bool(last_child_bottom > area_bottom)


def _laid_out_area(context: LayoutContext, notes: list[Any]) -> Any:
    """The footnote area laid out with `notes`, reusing the states of an unchanged prefix."""
    if context.excluded_shapes or context.broken_out_of_flow:
        raise _Unsupported  # floats on the page could move the notes' lines
    page = _page_notes(context)
    kept = 0
    while kept < min(len(page.notes), len(notes)) and page.notes[kept] is notes[kept]:
        kept += 1
    del page.notes[kept:]
    del page.states[kept + 1 :]
    for note in notes[kept:]:
        page.states.append(_lay_out_note(context, page, note))
        page.notes.append(note)
    return _finished_area(page.area, page.states[-1])


def _page_notes(context: LayoutContext) -> _PageNotes:
    """This page's cached states, or fresh ones if the page, or what its layout reads, changed."""
    area = context.current_footnote_area
    key = (area, context.current_page, context.forced_break)
    cached: _PageNotes | None = context.__dict__.get(_CACHE)
    if cached is not None and all(a is b for a, b in zip(cached.key, key, strict=True)):
        return cached
    prepared, position_x, first = _prepared_area(context, area)
    fresh = _PageNotes(key, prepared, position_x, states=[first])
    context.__dict__[_CACHE] = fresh
    return fresh


def _prepared_area(context: LayoutContext, original: Any) -> tuple[Any, float, _State]:
    """A copy of the area as `block_level_layout` has it just before laying out its children.

    Mirrors the preamble of `block_level_layout`, `block_box_layout` and
    `block_container_layout` for a block with no skip stack, no adjoining
    margins, an empty page and infinite space below.
    """
    area = original.copy_with_children([])
    style = area.style
    if (
        style["column_width"] != "auto"
        or style["column_count"] != "auto"
        or style["clear"] != "none"
        or style["position"] != "static"
        or style["continue"] != "auto"
        or style["max_lines"] != "none"
        or area.first_line_style is not None
        or area.first_letter_style is not None
        or area.is_table_wrapper
        or area.force_fragmentation
    ):
        raise _Unsupported
    page = area.page
    resolve_percentages(area, page)
    if area.height != "auto" or area.max_height != inf or area.min_height != 0:
        raise _Unsupported  # the area could overflow or be stretched
    if area.margin_top == "auto":
        area.margin_top = 0
    if area.margin_bottom == "auto":
        area.margin_bottom = 0
    if context.current_page > 1 and page.is_for_root_element:
        raise _Unsupported  # margin truncation at a page break: not modelled
    block_level_width(area, page)
    if area.establishes_formatting_context():
        raise _Unsupported
    area.remove_decoration(start=False, end=False)
    adjoining = [area.margin_top]
    if area.top_margin_collapses():
        position_y = area.position_y
        state = _State(position_y, tuple(adjoining), tuple(adjoining), True, ())
    else:
        area.position_y += collapse_margin(adjoining) - area.margin_top
        state = _State(area.content_box_y(), (), tuple(adjoining), False, ())
    return area, area.content_box_x(), state


def _lay_out_note(context: LayoutContext, page: _PageNotes, note: Any) -> _State:
    """Lay out one more note after the last state: a turn of `block_container_layout`'s loop."""
    if not _plain(note):
        raise _Unsupported
    state = page.states[-1]
    area_adjoining = list(state.area_adjoining)
    adjoining = area_adjoining if state.aliased else list(state.adjoining)
    children = list(state.children)
    child = build.create_anonymous_boxes(note.deepcopy())
    child.position_x = page.position_x
    child.position_y = state.position_y
    if _forced_break_before(context, children, child):
        raise _Unsupported
    positioned: list[Any] = []
    next_page = {"break": "any", "page": None}
    abort, stop, _, position_y, adjoining, _, children, _ = _in_flow_layout(
        context, page.area, len(children), child, children, True, positioned, positioned,
        adjoining, -inf, state.position_y, None, None, None, False, next_page, None,
    )  # fmt: skip
    if abort or stop or positioned or children[-1].clearance is not None:
        raise _Unsupported
    return _State(
        position_y, tuple(adjoining), tuple(area_adjoining), adjoining is area_adjoining,
        tuple(children),
    )  # fmt: skip


def _forced_break_before(context: LayoutContext, children: list[Any], child: Any) -> bool:
    """Whether `block_container_layout` would break the area's page before `child`."""
    last = find_last_class_a_break_point_child(children)
    if last is None:
        return False
    page_break = block_level_page_break(last, child)
    return bool(block_level_page_name(last, child) or force_page_break(page_break, context))


def _plain(note: Any) -> bool:
    """Whether a note is a static block whose content stays in normal flow, with no note calls."""
    if type(note) is not boxes.BlockBox or note.is_table_wrapper:
        return False
    if note.style["position"] != "static" or note.style["clear"] != "none":
        return False
    for box in note.descendants():
        if box.is_floated() or box.is_absolutely_positioned() or box.is_running():
            return False
        if box.is_footnote() or box.is_note() or getattr(box, "footnote", None) is not None:
            return False
    return True


def _finished_area(area: Any, state: _State) -> Any:
    """The laid-out area box, as the end of `block_container_layout` makes it (not fragmented)."""
    position_y = state.position_y
    area_y = area.position_y
    if area.top_margin_collapses():
        area_y += collapse_margin(list(state.area_adjoining)) - area.margin_top
    if not area.bottom_margin_collapses():
        position_y += collapse_margin(list(state.adjoining))
    laid_out = area.copy_with_children(list(state.children))
    laid_out.position_y = area_y
    laid_out.remove_decoration(start=False, end=False)
    laid_out.height = max(0, position_y - laid_out.content_box_y())
    laid_out.height = max(min(laid_out.height, laid_out.max_height), laid_out.min_height)
    return laid_out
