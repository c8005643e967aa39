"""Safe YAML reading that remembers where every node came from.

PyYAML's composer builds a node graph with positions; we turn it into plain
Python values ourselves, accepting only the standard scalar, sequence and
mapping tags. Anything that would construct a Python object is refused, dates
stay strings (the models parse them), duplicate keys are errors, and alias
expansion is bounded so an alias bomb fails fast.

PyYAML reads YAML 1.1; editors (and their schema checks) read YAML 1.2. The two
disagree about some unquoted words and numbers: `yes`, `no`, `on` and `off` are
booleans in 1.1 and text in 1.2, `1:30` is 90 in 1.1, `010` is 8 in 1.1 and 10
in 1.2, `1e3` is text in 1.1 and a number in 1.2. Such a value is refused with a
hint to quote it, so briefgen and the editor never read a file differently.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from briefgen.confine import read_regular
from briefgen.errors import BriefError, Where
from briefgen.markup import CONTROLS

NodePath = tuple[str | int, ...]

MAX_NODES = 200_000
MAX_DEPTH = 50
"""No brief file needs more than a handful of levels; deep nesting is an attack or an accident."""
_DEPTH_HINT = "fact files need only a few levels of nesting"
# libyaml's loader when PyYAML was built with it (several times faster), else PyYAML's own.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_CONSTRUCTOR = yaml.constructor.SafeConstructor()
_SCALARS = {
    "tag:yaml.org,2002:str": yaml.constructor.SafeConstructor.construct_yaml_str,
    "tag:yaml.org,2002:int": yaml.constructor.SafeConstructor.construct_yaml_int,
    "tag:yaml.org,2002:float": yaml.constructor.SafeConstructor.construct_yaml_float,
    "tag:yaml.org,2002:bool": yaml.constructor.SafeConstructor.construct_yaml_bool,
    "tag:yaml.org,2002:null": yaml.constructor.SafeConstructor.construct_yaml_null,
}
_PLAIN_TAGS = set(_SCALARS)
_RESOLVER = yaml.resolver.Resolver()
"""PyYAML's YAML 1.1 rules for the tag of a scalar written without one."""
_YAML12 = (  # YAML 1.2's core schema: how an editor reads a plain (unquoted) scalar
    ("null", re.compile(r"~|null|Null|NULL|")),
    ("bool", re.compile(r"true|True|TRUE|false|False|FALSE")),
    ("int", re.compile(r"[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+")),
    (
        "float",
        re.compile(
            r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?"
            r"|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN)"
        ),
    ),
)
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"
_REFUSED = re.compile("[" + re.escape("".join(sorted(CONTROLS))) + "\ud800-\udfff]")
"""Characters text may not hold: C0 controls but tab and line breaks, DEL, C1, lone surrogates."""
_CONTROL_HINT = "remove it; only tabs and line breaks are allowed in text"
_C0_NAMES = (  # noqa: SIM905 (a table reads better as words)
    "NUL SOH STX ETX EOT ENQ ACK BEL BS HT LF VT FF CR SO SI "
    "DLE DC1 DC2 DC3 DC4 NAK SYN ETB CAN EM SUB ESC FS GS RS US"
).split()
_C1_NAMES = (  # noqa: SIM905 (a table reads better as words)
    "PAD HOP BPH NBH IND NEL SSA ESA HTS HTJ VTS PLD PLU RI SS2 SS3 "
    "DCS PU1 PU2 STS CCH MW SPA EPA SOS SGCI SCI CSI ST OSC PM APC"
).split()


@dataclass(frozen=True)
class Marks:
    """Positions of the nodes of one YAML document, by path from the root."""

    file: Path
    values: Mapping[NodePath, tuple[int, int]] = field(default_factory=dict)
    keys: Mapping[NodePath, tuple[int, int]] = field(default_factory=dict)

    def where(self, path: NodePath = (), *, key: bool = False) -> Where:
        """The position of `path`, or of its deepest known ancestor."""
        table = self.keys if key else self.values
        for end in range(len(path), -1, -1):
            prefix = path[:end]
            if prefix in table:
                line, column = table[prefix]
                return Where(self.file, line, column)
            if key and prefix in self.values:
                line, column = self.values[prefix]
                return Where(self.file, line, column)
        return Where(self.file)


@dataclass(frozen=True)
class Document:
    """A YAML document as plain data plus the marks of its nodes."""

    data: Any
    marks: Marks


def read_yaml(path: Path) -> Document:
    """Read one YAML file safely; raise BriefError with file:line on any problem."""
    return decode_yaml(read_regular(path), path)


def decode_yaml(raw: bytes, path: Path) -> Document:
    """Parse the bytes of a YAML file that came from `path`."""
    return parse_yaml(decode_utf8(raw, path), path)


def decode_utf8(raw: bytes, path: Path) -> str:
    """The text of a file's bytes (a byte-order mark allowed); BriefError at the bad line."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise BriefError("file is not valid UTF-8", Where(path, line), "save it as UTF-8") from exc


def parse_yaml(text: str, path: Path) -> Document:
    """Parse YAML text that came from `path`."""
    loader = None
    try:
        loader = _Loader(text)  # PyYAML's own loader checks the characters here
        node = loader.get_single_node()
    except yaml.reader.ReaderError as exc:
        raise _character_error(text, path, exc) from exc
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = Where(path, mark.line + 1, mark.column + 1) if mark else Where(path)
        problem = exc.problem or exc.context or "invalid YAML"
        hint = _syntax_hint(exc, text.splitlines())
        raise BriefError(f"YAML syntax error: {problem}", where, hint) from exc
    except yaml.YAMLError as exc:
        raise BriefError(f"YAML error: {exc}", Where(path)) from exc
    except RecursionError as exc:
        raise BriefError("YAML nested too deeply", Where(path), _DEPTH_HINT) from exc
    except ValueError as exc:  # PyYAML's own loader on an escape beyond U+10FFFF
        raise BriefError("YAML syntax error: invalid character escape", Where(path)) from exc
    finally:
        if loader is not None:
            loader.dispose()
    builder = _Builder(path)
    data = None if node is None else builder.build(node, ())
    return Document(data, Marks(path, builder.values, builder.keys))


def _character_error(text: str, path: Path, exc: yaml.reader.ReaderError) -> BriefError:
    """A raw character the YAML reader refused, at its 1-based line and column."""
    character = chr(exc.character) if isinstance(exc.character, int) else str(exc.character)
    index = _reader_index(text, exc.position, character)
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    where = Where(path, line, column)
    if _is_control(character):
        return BriefError(f"{describe_control(character)} in text", where, _CONTROL_HINT)
    return BriefError(
        f"character U+{ord(character):04X} is not allowed in a YAML file", where, "remove it"
    )


def _reader_index(text: str, position: int, character: str) -> int:
    """The index in `text` of the refused character the reader reported at `position`.

    PyYAML's own reader counts characters; libyaml counts bytes of the UTF-8 text.
    """
    in_bytes = len(text.encode("utf-8")[:position].decode("utf-8", errors="ignore"))
    for index in (position, in_bytes):
        if 0 <= index < len(text) and text[index] == character:
            return index
    return max(text.find(character), 0)


def _is_control(character: str) -> bool:
    return character in CONTROLS or character in "\t\n\r"


def describe_control(character: str) -> str:
    """A control character by code point and name, e.g. 'control character U+001B (ESC)'."""
    code = ord(character)
    if code < 0x20:
        name = _C0_NAMES[code]
    elif code == 0x7F:
        name = "DEL"
    elif 0x80 <= code <= 0x9F:
        name = _C1_NAMES[code - 0x80]
    else:
        return f"character U+{code:04X}"
    return f"control character U+{code:04X} ({name})"


def _check_text(value: str, where: Where) -> None:
    """Refuse text holding a control character (or a lone surrogate)."""
    found = _REFUSED.search(value)
    if found is None:
        return
    character = found.group()
    if _is_control(character):
        raise BriefError(f"{describe_control(character)} in text", where, _CONTROL_HINT)
    raise BriefError(
        f"lone surrogate U+{ord(character):04X} in text",
        where,
        "write the character itself, or escape it as one \\U00XXXXXX",
    )


_KEY_LINE = re.compile(r"( *)(- +)*([A-Za-z_][A-Za-z0-9_-]*) *:(?: |$)")
"""A line that starts with a key (perhaps after list dashes): `  - id: x`, `    title:`."""


_BLOCK_PROBLEMS = (
    "mapping values",
    "expected '-' indicator",
    "expected <block end>",
    "expected key",
)
"""libyaml's and PyYAML's words for a key or a list item where the indentation does not allow it."""


def _syntax_hint(exc: yaml.MarkedYAMLError, lines: list[str]) -> str | None:
    """A hint for a YAML syntax error: tabs, indentation, a missing ':', or text to quote."""
    problem = exc.problem or exc.context or ""
    mark = exc.problem_mark
    index = mark.line if mark and mark.line < len(lines) else None
    line = lines[index] if index is not None else ""
    indent = line[: len(line) - len(line.lstrip())]
    if "tab" in problem or "'\\t'" in problem or "\t" in indent:
        return "indent with spaces, not tabs"
    if index is None or mark is None:
        return None
    if "expected ':'" in problem and exc.context_mark is not None:
        return (
            f"line {exc.context_mark.line + 1} needs ':' after its key, or more indentation "
            "if it continues the text above"
        )
    key = _KEY_LINE.match(line)
    if "mapping values" in problem and (key is None or mark.column > key.end(3)):
        return "quote text that contains ': '"
    if key is not None and any(words in problem for words in _BLOCK_PROBLEMS):
        return _indentation_hint(lines, index)
    return None


def _key_column(line: str) -> tuple[str, int] | None:
    """The key a line starts with and its 0-based column (after any list dashes)."""
    key = _KEY_LINE.match(line)
    return (key[3], key.start(3)) if key else None


def _previous_key(lines: list[str], index: int) -> tuple[int, str, int] | None:
    """The nearest line above `index` that starts with a key: its index, key and column."""
    for above in range(index - 1, -1, -1):
        found = _key_column(lines[above])
        if found is not None:
            return (above, *found)
        if lines[above].strip() and not lines[above].lstrip().startswith("#"):
            return None  # text, not a key: no sibling to compare with
    return None


def _indentation_hint(lines: list[str], index: int) -> str | None:
    """Name the key that breaks the line-up of its neighbours and the column it belongs in.

    A key whose neighbours above and below line up with each other is the odd one
    out; otherwise the key on the reported line is compared with the one above it.
    """
    here = _key_column(lines[index])
    above = _previous_key(lines, index)
    if here is None or above is None:
        return None
    key, column = here
    line_above, key_above, column_above = above
    before = _previous_key(lines, line_above)
    if before is not None and before[2] == column != column_above:
        return (
            f"indentation: '{key_above}' on line {line_above + 1} starts in column "
            f"{column_above + 1}, the keys around it in column {column + 1}; line it up with them"
        )
    if column == column_above:
        return None
    return (
        f"indentation: '{key}' starts in column {column + 1}, '{key_above}' on line "
        f"{line_above + 1} in column {column_above + 1}; keys of one record start in the same "
        "column"
    )


def yaml12(text: str) -> Any:
    """What YAML 1.2's core schema (an editor) makes of a plain scalar `text`."""
    kind = next((kind for kind, form in _YAML12 if form.fullmatch(text)), "str")
    if kind == "null":
        return None
    if kind == "bool":
        return text.lower() == "true"
    if kind == "int":
        return int(text, 0) if text[:2] in ("0o", "0x") else int(text)
    if kind == "float":
        lowered = text.lower()
        if lowered.endswith((".inf", ".nan")):
            return float(lowered.replace(".", ""))
        return float(text)
    return text


def _agree_with_editors(text: str, value: Any, where: Where) -> None:
    """Refuse a plain scalar that YAML 1.1 (PyYAML) and YAML 1.2 (editors) read differently."""
    editor = yaml12(text)
    if _same(value, editor):
        return
    quoted = f'"{text}"'
    if isinstance(value, bool) and isinstance(editor, str):
        raise BriefError(
            f"{text!r} is ambiguous: older YAML reads it as {str(value).lower()}, "
            f"editors as the word {quoted}",
            where,
            f"write {str(value).lower()} for a yes/no setting, or {quoted} (quoted) for the word",
        )
    number = editor if isinstance(editor, int | float) else value
    raise BriefError(
        f"{text!r} is ambiguous: older YAML reads it as {_shown(value)}, "
        f"editors as {_shown(editor)}",
        where,
        f"write {quoted} (quoted) for text, or {_plain(number)} for the number",
    )


def _same(one: Any, other: Any) -> bool:
    if type(one) is not type(other):
        return False
    if isinstance(one, float) and one != one:  # NaN
        return other != other
    return bool(one == other)


def _plain(number: float) -> str:
    return f"{number:g}" if isinstance(number, float) else str(number)


def _shown(value: Any) -> str:
    if isinstance(value, str):
        return f'the text "{value}"'
    if isinstance(value, bool):
        return str(value).lower()
    return f"the number {_plain(value)}"


def reads_as_text(text: str) -> bool:
    """Whether `text`, written unquoted, is that text to PyYAML (1.1) and to editors (1.2)."""
    implicit = _RESOLVER.resolve(yaml.ScalarNode, text, (True, False))
    return implicit == "tag:yaml.org,2002:str" and yaml12(text) == text


class SafeDumper(yaml.SafeDumper):
    """PyYAML's safe writer, quoting every string that either YAML would read as another value.

    PyYAML quotes what YAML 1.1 reads as a number or a boolean (`no`, `010`) but
    writes `09` and `1e3` bare: text to YAML 1.1, numbers to editors, and refused
    by briefgen's reader. Writers of brief files use this dumper instead.
    """


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = None if "\n" in value or reads_as_text(value) else '"'
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


SafeDumper.add_representer(str, _represent_str)


class _Builder:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.values: dict[NodePath, tuple[int, int]] = {}
        self.keys: dict[NodePath, tuple[int, int]] = {}
        self.count = 0

    def _where(self, node: yaml.Node) -> Where:
        return Where(self.path, node.start_mark.line + 1, node.start_mark.column + 1)

    def build(self, node: yaml.Node, path: NodePath) -> Any:
        if len(path) > MAX_DEPTH:
            raise BriefError(
                f"YAML nested more than {MAX_DEPTH} levels deep", self._where(node), _DEPTH_HINT
            )
        self.count += 1
        if self.count > MAX_NODES:
            raise BriefError(
                f"document has more than {MAX_NODES:,} nodes",
                self._where(node),
                "split the file, or remove aliases that multiply content",
            )
        self.values[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
        if isinstance(node, yaml.ScalarNode):
            _check_text(node.value, self._where(node))
            return self._scalar(node)
        if isinstance(node, yaml.SequenceNode) and node.tag == _SEQ:
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        if isinstance(node, yaml.MappingNode) and node.tag == _MAP:
            return self._mapping(node, path)
        raise BriefError(
            f"unsupported YAML tag {node.tag!r}",
            self._where(node),
            "fact files hold plain text, numbers, lists and mappings",
        )

    def _scalar(self, node: yaml.ScalarNode) -> Any:
        if node.tag == _TIMESTAMP:
            return node.value  # dates are parsed and checked by the models
        if node.tag not in _PLAIN_TAGS:
            raise BriefError(
                f"unsupported YAML tag {node.tag!r}",
                self._where(node),
                "fact files hold plain text, numbers, lists and mappings",
            )
        if node.tag == "tag:yaml.org,2002:int" and len(node.value) > 40:
            raise BriefError("number is too large", self._where(node))
        try:
            value = _SCALARS[node.tag](_CONSTRUCTOR, node)
        except (ValueError, yaml.YAMLError) as exc:
            raise BriefError(f"invalid value {node.value!r}", self._where(node)) from exc
        implicit = node.tag == _RESOLVER.resolve(yaml.ScalarNode, node.value, (True, False))
        if not node.style and implicit:  # plain, unquoted, untagged (libyaml's style is '')
            _agree_with_editors(node.value, value, self._where(node))
        return value

    def _mapping(self, node: yaml.MappingNode, path: NodePath) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag not in _PLAIN_TAGS:
                raise BriefError(
                    "mapping keys must be plain text",
                    self._where(key_node),
                    "merge keys (<<) and complex keys are not supported",
                )
            _check_text(key_node.value, self._where(key_node))
            key = str(key_node.value)
            child = (*path, key)
            if key in result:
                line = self.keys[child][0]
                raise BriefError(
                    f"duplicate key {key!r}", self._where(key_node), f"first given on line {line}"
                )
            self.keys[child] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            result[key] = self.build(value_node, child)
        return result
