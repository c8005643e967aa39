"""Validation errors in plain words: which field, and what it must be.

Pydantic reports a rejected value as a dict (`type`, `loc`, `msg`, `input`,
`ctx`). `sentence` turns one into the line a person reads, with positions
counted from 1 and no library wording: `'priority' of fact 1: must be a whole
number, not 'high'`. Both the fact files and the CSL import speak through it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

SINGULAR = {
    "facts": "fact",
    "citations": "citation",
    "versions": "version",
    "membership": "membership row",
    "periods": "period",
    "tags": "tag",
    "topics": "topic",
    "basis": "basis entry",
    "keywords": "keyword",
    "handling": "handling level",
    "stylesheet": "stylesheet",
    "audiences": "audience",
    "author": "author",
    "editor": "editor",
}
"""How one item of a list field is called; other lists say 'item N of ...'."""

ID_RULE = "lower-case letters, digits, '.', '_' and '-', starting with a letter or digit"

_MUST = {
    "int_type": "must be a whole number",
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "float_type": "must be a number",
    "float_parsing": "must be a number",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "string_type": "must be text",
    "list_type": "must be a list",
    "dict_type": "must be a mapping of fields",
    "model_type": "must be a mapping of fields",
    "model_attributes_type": "must be a mapping of fields",
    "date_type": "must be a date",
    "date_parsing": "must be a date written YYYY-MM-DD",
    "date_from_datetime_parsing": "must be a date written YYYY-MM-DD",
    "url_parsing": "must be a web address",
    "url_scheme": "must be a web address starting http:// or https://",
}

_BOUNDS = {
    "greater_than_equal": ("ge", "at least"),
    "greater_than": ("gt", "more than"),
    "less_than_equal": ("le", "at most"),
    "less_than": ("lt", "less than"),
}


def sentence(error: Mapping[str, Any], whole: str = "the value") -> str:
    """One pydantic error as a sentence: the field, then what is wrong with it.

    `whole` names what an error about no field in particular is about.
    """
    loc = untagged(error["loc"])
    if error["type"] == "missing":
        return f"missing field {loc[-1]!r}"
    if error["type"] == "extra_forbidden":
        return f"unknown field {loc[-1]!r}"
    field = field_name(loc) or whole
    problem = _problem(error)
    if problem.startswith(_PHRASES):
        return f"{field} {problem}"
    return f"{field}: {problem}"


_PHRASES = ("is ", "must ", "may ", "needs ")
_TAG = re.compile(r"(str|int|float|bool|none|[a-z]+(-[a-z]+)+|[a-z-]+\[.*\])", re.DOTALL)
"""How pydantic names the branch of a union it tried: 'constrained-str', "literal['none']"."""


def _is_tag(loc: Sequence[str | int], at: int) -> bool:
    part = loc[at]
    keyed = at > 0 and loc[at - 1] == "audiences"  # an audience's name, whatever it is
    return isinstance(part, str) and not keyed and _TAG.fullmatch(part) is not None


def untagged(loc: Sequence[str | int]) -> tuple[str | int, ...]:
    """A location without the union branches pydantic adds to it."""
    return tuple(part for at, part in enumerate(loc) if not _is_tag(loc, at))


def merged(errors: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Pydantic's errors with one per mistake: a value no branch of a union took is one error.

    For `stylesheet: str | list[str]` pydantic reports a number twice (not text,
    not a list); that becomes one error, "must be text or a list". When the
    value had a branch's shape and failed inside it (a list holding a number),
    only the errors from inside are kept.
    """
    groups: dict[tuple[str | int, ...], list[Mapping[str, Any]]] = {}
    for error in errors:
        loc = tuple(error["loc"])
        first = next((at for at in range(len(loc)) if _is_tag(loc, at)), len(loc))
        groups.setdefault(loc[:first], []).append(error)
    result: list[Mapping[str, Any]] = []
    for place, group in groups.items():
        if len(group) == 1 or all(tuple(e["loc"]) == place for e in group):
            result += [{**e, "loc": untagged(e["loc"])} for e in group]
            continue
        deeper = [e for e in group if len(untagged(e["loc"])) > len(place)]
        if deeper:
            result += [{**e, "loc": untagged(e["loc"])} for e in deeper]
            continue
        result.append(_either(place, group))
    return result


def _either(place: tuple[str | int, ...], group: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """One error for a value that no branch of a union accepted."""
    expected = [e["ctx"]["expected"] for e in group if e["type"] == "literal_error"]
    if len(expected) == len(group):
        return {**group[0], "loc": place, "ctx": {"expected": _joined(expected)}}
    musts = dict.fromkeys(_problem({**e, "input": None}) for e in group)
    return {
        "type": "value_error",
        "loc": place,
        "msg": " or ".join(musts).replace(" or must be ", " or ") + _given(group[0].get("input")),
    }


def _joined(expected: Sequence[str]) -> str:
    """pydantic's "'a', 'b' or 'c'" lists of several Literals as one list."""
    names = [name for text in expected for name in re.split(r", | or ", text)]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


def field_name(loc: Sequence[str | int]) -> str:
    """A field's place in words, counted from 1.

    ('facts', 0, 'citations', 1, 'quote') -> "'quote' of citation 2 of fact 1".
    """
    pieces: list[str] = []
    parts = list(loc)
    i = 0
    while i < len(parts):
        part = parts[i]
        after = parts[i + 1] if i + 1 < len(parts) else None
        if isinstance(part, str) and isinstance(after, int):
            one = SINGULAR.get(part)
            pieces.append(f"{one} {after + 1}" if one else f"item {after + 1} of {part!r}")
            i += 2
        elif part == "audiences" and isinstance(after, str):
            pieces.append(f"audience {after!r}")
            i += 2
        elif isinstance(part, int):
            pieces.append(f"item {part + 1}")
            i += 1
        else:
            pieces.append(repr(part))
            i += 1
    return " of ".join(reversed(pieces))


def _problem(error: Mapping[str, Any]) -> str:
    kind = str(error["type"])
    ctx = error.get("ctx") or {}
    given = _given(error.get("input"))
    if kind == "value_error":
        return str(error["msg"]).removeprefix("Value error, ")
    if kind == "string_too_long":
        return f"is longer than {ctx.get('max_length')} characters"
    if kind == "string_too_short":
        return "is empty"
    if kind == "too_short":
        return f"needs at least {ctx.get('min_length')} item(s)"
    if kind == "too_long":
        return f"may hold at most {ctx.get('max_length')} items"
    if kind == "string_pattern_mismatch":
        if "https?" in str(ctx.get("pattern", "")):
            return f"must be a web address starting http:// or https://{given}"
        return f"may hold only {ID_RULE}{given}"  # the model's other pattern is the id's
    if kind in {"literal_error", "enum"}:
        return f"must be one of {ctx.get('expected', '')}{given}"
    if kind in _BOUNDS:
        bound, words = _BOUNDS[kind]
        return f"must be {words} {ctx.get(bound)}{given}"
    if kind in _MUST:
        return _MUST[kind] + given
    return _plain(str(error["msg"])) + given


def _given(value: Any) -> str:
    """', not <value>' for a short scalar input; nothing for anything else."""
    if isinstance(value, bool | int | float) or (isinstance(value, str) and len(value) <= 40):
        return f", not {value!r}"
    return ""


def _plain(message: str) -> str:
    """A pydantic message this module has no words for, with its library phrasing softened."""
    for library, plain in (("Input should be", "must be"), ("Input should have", "must have")):
        if message.startswith(library):
            return plain + message[len(library) :]
    return message[:1].lower() + message[1:]
