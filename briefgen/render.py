"""Render stage: one audience's view -> Jinja2 template -> one self-contained HTML page.

Templates run in Jinja2's immutable sandbox with autoescape and StrictUndefined,
and see only the audience view (`briefgen.view`): plain, read-only data. The
project's own template folder is searched before the built-in templates, so a
brief overrides one block by extending `base.html.j2`; every template and
stylesheet is read through a loader that serves only regular files inside the
project or briefgen's own folder. The stylesheet is inlined, so the HTML needs
nothing beside it. Operators that build big values (`*`, `**`, `+`, `%`) are
checked as they run, never folded into constants, and the output is capped.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import re
import sys
import traceback
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from types import FrameType
from typing import TYPE_CHECKING, Any

import jinja2
from jinja2.loaders import split_template_path
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup

from briefgen.audience import Audience
from briefgen.confine import BUILTIN_TEMPLATES, confined, read_regular
from briefgen.dates import MONTHS
from briefgen.errors import BriefError, Where, closest, did_you_mean, meant
from briefgen.markup import CONTROLS, first_sentence, inline
from briefgen.model import Brief, Limits
from briefgen.ooxml import check_reference
from briefgen.select import Selection
from briefgen.view import TOP_LEVEL, View, template_view
from briefgen.workers import LIMITS_HINT, OverBudget

if TYPE_CHECKING:
    from briefgen.manifest import Changes

MAX_VALUE = 1_000_000
"""Longest string or list an operator in a template may build, and largest power."""
_CONTROL = dict.fromkeys(map(ord, CONTROLS))
"""Control characters (tab and line breaks aside) removed from the HTML a template writes."""
MAX_NESTING = 20
"""How many times one template may be open at once (a template that includes itself)."""
_CHARACTER_REFERENCE = re.compile(r"&#(?:[xX]0*([0-9a-fA-F]{1,6})|0*([0-9]{1,7}));?")
_HUGE_WIDTH = re.compile(r"%[-+ #0]*(\d{5,}|\*)|\.(\d{5,}|\*)")


@dataclass(frozen=True)
class Rendered:
    """An HTML document, the facts it shows and the template files it was made from."""

    html: str
    fact_ids: list[str]
    templates: tuple[Path, ...] = ()
    """Every template and stylesheet file it was made from."""


def template_dirs(brief: Brief) -> list[Path]:
    """The template search path: the project's folder first, then the built-in one."""
    own = brief.folders.templates
    return [own, BUILTIN_TEMPLATES] if own.is_dir() else [BUILTIN_TEMPLATES]


def readable_roots(brief: Brief) -> tuple[Path, ...]:
    """The folders a PDF may load images, fonts and stylesheets from.

    The project, briefgen's templates and any folder allowed outside; the build
    bars the fact and output folders within them.
    """
    return (brief.root, BUILTIN_TEMPLATES, *brief.outside)


def protected_files(brief: Brief, *folders: Path) -> frozenset[tuple[int, int]]:
    """The fact files and every file in `folders` (the output), as (device, inode) pairs.

    A template or a PDF resource that is one of these files, under another name
    (a hard link, or the real file of a linked fact file), is refused.
    """
    paths = [brief.folders.sources]
    paths += [where.file for topic in brief.topics if (where := topic.where()) is not None]
    for folder in folders:
        if folder.is_dir():
            paths += [Path(entry.path) for entry in os.scandir(folder) if entry.is_file()]
    return frozenset(identity for path in paths if (identity := file_identity(path)))


def file_identity(path: Path) -> tuple[int, int] | None:
    """A file's (device, inode), the same for every name it has; None if it cannot be read."""
    try:
        info = path.stat()
    except OSError:
        return None
    return (info.st_dev, info.st_ino)


class ConfinedLoader(jinja2.BaseLoader):
    """Serves templates from a search path: regular files that really lie in those folders.

    A link leading out of the folders is refused, and so is a file that is one
    of `protected` (a fact file or an output under another name).
    """

    def __init__(
        self, folders: Sequence[Path], protected: frozenset[tuple[int, int]] = frozenset()
    ) -> None:
        self.folders = list(folders)
        self.protected = protected
        self.served: list[Path] = []

    def locate(self, template: str, what: str = "template") -> tuple[Path, Path] | None:
        """Where `template` is found first: its path in a folder and the real file; None if nowhere.

        A name with '..', a link out of the folders and a protected file are refused.
        """
        pieces = split_template_path(template)  # refuses '..'
        for folder in self.folders:
            candidate = folder.joinpath(*pieces)
            if not os.path.lexists(candidate):
                continue
            real = confined(
                candidate, self.folders, f"{what} {template!r}", place="the template folders"
            )
            if file_identity(real) in self.protected:
                raise BriefError(
                    f"{what} {template!r} is a fact file or an output under another name",
                    Where(candidate),
                    "templates may not read the facts or other audiences",
                )
            return candidate, real
        return None

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        found = self.locate(template)
        if found is not None:
            candidate, real = found
            raw = read_regular(real)
            try:
                text = raw.decode("utf-8-sig")
            except UnicodeDecodeError as exc:
                line = raw[: exc.start].count(b"\n") + 1
                raise BriefError("file is not valid UTF-8", Where(candidate, line)) from exc
            mtime = real.stat().st_mtime
            self.served.append(candidate)
            return (
                text,
                str(candidate),
                lambda real=real, mtime=mtime: real.stat().st_mtime == mtime,
            )
        raise jinja2.TemplateNotFound(template)


RENAMED = {"brief": "settings", "edition": "audience"}
"""Template variables of earlier versions, and what they are called now."""


class Missing(jinja2.StrictUndefined):
    """A strict undefined value whose message names the field, as the view has no objects."""

    __slots__ = ()

    @property
    def _undefined_message(self) -> str:
        owner, name = self._undefined_obj, self._undefined_name
        if self._undefined_hint is None and isinstance(owner, Mapping) and isinstance(name, str):
            hint = did_you_mean(name, [str(key) for key in owner])
            return f"no field {name!r} here" + (f" ({hint})" if hint else "")
        if self._undefined_hint is None and owner is jinja2.utils.missing:
            hint = meant(RENAMED.get(str(name)) or closest(str(name), TOP_LEVEL))
            return f"no variable {name!r}" + (f" ({hint})" if hint else "")
        return str(super()._undefined_message)


class BriefEnvironment(ImmutableSandboxedEnvironment):
    """The sandbox, with the operators that can build huge values checked as they run.

    Listing an operator here also stops Jinja from folding it into a constant
    when it compiles a template, so `"x" * 10**10` fails at its line, not in the compiler.
    """

    intercepted_binops = frozenset({"*", "**", "+", "%"})

    def get_template(self, name: Any, parent: str | None = None, globals: Any = None) -> Any:
        """A template by name; refused when it is already open too many times (self-inclusion)."""
        if isinstance(name, str) and _open_count(name) >= MAX_NESTING:
            raise jinja2.exceptions.SecurityError(
                f"template {name!r} includes itself (over {MAX_NESTING} levels deep)"
            )
        return super().get_template(name, parent, globals)

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        _check_size(operator, left, right)
        return super().call_binop(context, operator, left, right)


def make_environment(
    dirs: Sequence[Path], protected: frozenset[tuple[int, int]] = frozenset()
) -> BriefEnvironment:
    """A sandboxed, autoescaping, strict Jinja2 environment over the template folders `dirs`."""
    env = BriefEnvironment(
        loader=ConfinedLoader(dirs, protected),
        autoescape=True,
        undefined=Missing,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["markdown"] = inline
    env.filters["human"] = human
    env.filters["first_sentence"] = first_sentence
    env.filters["day"] = day
    return env


def render_html(
    brief: Brief,
    selection: Selection,
    audience: Audience,
    *,
    build_date: dt.date,
    changes: Changes | None = None,
) -> Rendered:
    """Render an audience's template to a complete HTML document.

    It runs in the calling process; the build calls it in a child process under
    the render budget (see `briefgen.pipeline`), where running out of time or
    memory stops the template at its line.
    """
    dirs = template_dirs(brief)
    # Templates come from the template folders alone, and are never a fact file or an output.
    output = brief.folders.output
    env = make_environment(dirs, protected_files(brief, output))
    limits = brief.config.limits
    try:
        css_where = audience.where("stylesheet")
        css = Markup("\n").join(
            _stylesheet(env, name, css_where, dirs) for name in audience.stylesheets
        )
        view = template_view(
            brief, selection, audience, build_date=build_date, stylesheet=css, changes=changes
        )
        template = env.get_template(audience.template)
        html = _capped(template, view, limits.output_mb * 1024 * 1024)
    except BriefError:
        raise
    except jinja2.TemplateNotFound as exc:
        where = audience.where("template")
        raise BriefError(f"template {exc.name!r} not found", where, searched(dirs)) from exc
    except jinja2.TemplateSyntaxError as exc:
        where = Where(Path(exc.filename), exc.lineno) if exc.filename else None
        raise BriefError(f"template syntax error: {exc.message}", where) from exc
    except Exception as exc:  # errors raised while a template runs, running out of budget too
        message = f"template error: {_describe(exc, limits)}"
        where = _template_where(exc, dirs) or getattr(exc, "template_where", None)
        raise BriefError(message, where, _hint(exc)) from exc
    assert isinstance(env.loader, ConfinedLoader)
    return Rendered(
        html=_without_controls(html),
        fact_ids=[fact.id for fact in selection.facts],
        templates=tuple(dict.fromkeys(env.loader.served)),
    )


def _without_controls(html: str) -> str:
    """`html` without control characters, raw or written as character references (`&#27;`)."""

    def keep(match: re.Match[str]) -> str:
        hexadecimal, decimal = match.groups()
        code = int(hexadecimal, 16) if hexadecimal else int(decimal)
        return "" if code in _CONTROL else match.group(0)

    return _CHARACTER_REFERENCE.sub(keep, html.translate(_CONTROL))


def day(date: dt.date | str) -> str:
    """'28 November 2026' from a date or an ISO date, the same in every locale."""
    if isinstance(date, str):
        date = dt.date.fromisoformat(date)
    return f"{date.day} {MONTHS[date.month - 1]} {date.year}"


def human(date: Mapping[str, Any] | None) -> str:
    """A date of the view as a reader reads it ('5–6 January 2022'); empty for none."""
    return str(date["text"]) if date else ""


def _capped(template: jinja2.Template, view: View, limit: int) -> str:
    """The template's output, stopped once it passes `limit` characters.

    An error raised while the output is gathered (the time running out
    between two pieces, say) carries the template line reached so far as
    `template_where`, since its own traceback holds no template frame.
    """
    chunks: list[str] = []
    size = 0
    stream: Iterator[str] = template.generate(view)
    try:
        for chunk in stream:
            size += len(chunk)
            if size > limit:
                raise BriefError(
                    f"the template wrote more than {limit // (1024 * 1024)} MiB of HTML",
                    _generator_where(stream),
                    "a brief is far smaller; look for a loop that never ends, "
                    "or raise limits.output_mb in the configuration",
                )
            chunks.append(chunk)
    except Exception as exc:
        exc.template_where = _generator_where(stream)  # type: ignore[attr-defined]
        raise
    return "".join(chunks)


def _generator_where(stream: Any) -> Where | None:
    """The template line a paused template generator has reached."""
    frame = None
    while stream is not None and getattr(stream, "gi_frame", None) is not None:
        frame = stream.gi_frame
        stream = stream.gi_yieldfrom
    template = frame.f_globals.get("__jinja_template__") if frame is not None else None
    if template is None or template.filename is None:
        return None
    assert frame is not None
    return Where(Path(template.filename), template.get_corresponding_lineno(frame.f_lineno))


def _open_count(name: str) -> int:
    """How many frames of the running render belong to template `name`."""
    count = 0
    frame: FrameType | None = sys._getframe(1)
    while frame is not None:
        template = frame.f_globals.get("__jinja_template__")
        if template is not None and template.name == name and frame.f_code.co_name == "root":
            count += 1
        frame = frame.f_back
    return count


def _check_size(operator: str, left: Any, right: Any) -> None:
    """Refuse an operation whose result would be larger than MAX_VALUE."""
    too_big = False
    if operator == "*":
        for seq, times in ((left, right), (right, left)):
            if isinstance(seq, str | list | tuple) and isinstance(times, int):
                too_big = too_big or len(seq) * times > MAX_VALUE
    elif operator == "+":
        if isinstance(left, str | list | tuple) and isinstance(right, str | list | tuple):
            too_big = len(left) + len(right) > MAX_VALUE
    elif operator == "**":
        if isinstance(left, int | float) and isinstance(right, int | float):
            magnitude = abs(right) * math.log2(abs(left)) if abs(left) > 1 else 0
            too_big = magnitude > math.log2(MAX_VALUE) * 100
    elif operator == "%" and isinstance(left, str):
        too_big = bool(_HUGE_WIDTH.search(left))
    if too_big:
        raise jinja2.exceptions.SecurityError(
            f"the {operator!r} operation would build a value larger than the template limit"
        )


def _stylesheet(env: BriefEnvironment, name: str, where: Where | None, dirs: list[Path]) -> Markup:
    assert env.loader is not None
    try:
        source, _, _ = env.loader.get_source(env, name)
    except jinja2.TemplateNotFound as exc:
        raise BriefError(
            f"stylesheet {name!r} not found",
            where,
            searched(dirs),
        ) from exc
    # Inlined in <style>: a closing tag inside the CSS must not end the element.
    return Markup(source.replace("</", "<\\/"))


def reference_document(brief: Brief, audience: Audience) -> Path:
    """The audience's reference DOCX, found through the template search path like a template."""
    dirs = template_dirs(brief)
    loader = ConfinedLoader(dirs, protected_files(brief, brief.folders.output))
    name = audience.reference_doc
    where = audience.where("reference_doc")
    try:
        found = loader.locate(name, "reference document")
    except jinja2.TemplateNotFound:
        found = None  # a name that climbs out with '..'
    if found is None:
        outside = PurePosixPath(name).is_absolute() or ".." in name.split("/") or ":" in name
        hint = "name a file inside the template folders; " if outside else ""
        raise BriefError(f"reference document {name!r} not found", where, hint + searched(dirs))
    return found[0]


def reference_bytes(brief: Brief, audience: Audience) -> bytes:
    """The audience's reference document, read once and checked before Pandoc sees it.

    Like every file a build reads, it may hold at most 10 MiB (Word's own are
    tens of kilobytes; with a logo, a few hundred).
    """
    path = reference_document(brief, audience)
    data = read_regular(path)
    try:
        check_reference(data, f"reference document {audience.reference_doc!r}")
    except BriefError as exc:
        raise BriefError(
            problems=[replace(problem, where=Where(path)) for problem in exc.problems]
        ) from exc
    return data


def searched(dirs: Sequence[Path]) -> str:
    """The hint for a template or stylesheet not found: the folders looked in."""
    return f"searched {', '.join(str(d) for d in dirs)}"


def _describe(exc: Exception, limits: Limits) -> str:
    if isinstance(exc, OverBudget):
        return f"the template ran longer than {limits.render_seconds:g} s"
    if isinstance(exc, MemoryError):
        return f"the template needed more than {limits.render_memory_mb} MiB of memory"
    if isinstance(exc, jinja2.UndefinedError):
        return exc.message or "undefined value"
    if isinstance(exc, jinja2.exceptions.SecurityError):
        return f"unsafe operation blocked by the sandbox: {exc}"
    if isinstance(exc, RecursionError):
        return "templates include or call each other without end"
    return f"{type(exc).__name__}: {exc}"


def _hint(exc: Exception) -> str | None:
    if isinstance(exc, OverBudget | MemoryError):
        return "look for loops that never end or values that grow without bound; " + LIMITS_HINT
    return None


def _template_where(exc: BaseException, dirs: list[Path]) -> Where | None:
    """The innermost template frame of a traceback (Jinja maps frames to template lines)."""
    roots = [d.resolve() for d in dirs]
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        path = Path(frame.filename)
        if path.suffix in {".j2", ".html", ".jinja"} or any(
            path.resolve().is_relative_to(root) for root in roots
        ):
            return Where(path, frame.lineno)
    return None
