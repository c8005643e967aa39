"""Tagged PDF: page-bottom footnotes tagged as notes, as PDF/UA asks.

WeasyPrint 70 tags a footnote as the element it came from, a `Span`, so a
screen reader meets the note's text as part of the page with nothing to say it
is a note. PDF/UA wants a `Note` structure element with an `ID`. This module
adds that to WeasyPrint's tagging: each child of a page's footnote area gets
the tag `Note`, numbered `note-1`, `note-2`… in document order. It also gives
each table header cell the `Scope` its HTML `scope` states (Column or Row),
which WeasyPrint leaves out. It is applied only to the WeasyPrint versions it
was tested on; any other version keeps WeasyPrint's own tagging untouched.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import weasyprint
from weasyprint.formatting_structure import boxes
from weasyprint.layout.absolute import AbsolutePlaceholder
from weasyprint.pdf import tags

TESTED = frozenset({"70.0"})
"""WeasyPrint versions whose tagging code this module was written against and tested on."""

_SCOPES = {"col": "/Column", "colgroup": "/Column", "row": "/Row", "rowgroup": "/Row"}
"""HTML's `scope` of a header cell, as the PDF attribute `Scope`."""

_state: dict[str, Any] = {"box": None, "pdf": None, "count": 0, "notes": set()}


def tag_footnotes_as_notes(version: str = weasyprint.__version__) -> bool:
    """Make WeasyPrint tag footnotes as `Note`; False (and nothing changed) on other versions."""
    if version not in TESTED:
        return False
    if getattr(tags, "_briefgen_notes", False):
        return True
    original_build = tags._build_box_tree
    original_tag = tags._get_pdf_tag

    def build_box_tree(box: Any, parent: Any, pdf: Any, *rest: Any) -> Iterator[Any]:
        if _state["pdf"] is not pdf:  # a new document: number its notes from 1
            _state.update(pdf=pdf, count=0, notes=set())
        inner = box._box if isinstance(box, AbsolutePlaceholder) else box
        if isinstance(inner, boxes.FootnoteAreaBox):  # its children are the page's notes
            _state["notes"].update(id(child) for child in inner.children)
        # WeasyPrint asks for the box's tag before anything else, so the box
        # recorded here is the one `pdf_tag` is asked about.
        _state["box"] = inner
        for element in original_build(box, parent, pdf, *rest):
            if element.get("S") == "/Note" and "ID" not in element:
                _state["count"] += 1
                element["ID"] = tags.pydyf.String(f"note-{_state['count']}")  # WeasyPrint's writer
            elif element.get("S") == "/TH" and inner.element is not None:
                scope = _SCOPES.get(inner.element.get("scope", "col"), "/Column")
                element["A"]["Scope"] = scope  # pydyf writes a str starting '/' as a name
            yield element

    def pdf_tag(element_tag: Any) -> str:
        box = _state["box"]
        if box is not None and id(box) in _state["notes"]:
            return "Note"
        return str(original_tag(element_tag))

    tags._build_box_tree = build_box_tree
    tags._get_pdf_tag = pdf_tag
    tags._briefgen_notes = True
    return True
