"""Compile every template the audiences use, so `check` finds template mistakes before `build`.

For each audience: its template, every template that one extends, includes
or imports by a fixed name, and its stylesheets must exist on the search path
and compile; a block a child template defines must exist in the template it
extends (a misspelt block would otherwise be dropped without a word).
Problems carry the template's file and line.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import jinja2
from jinja2 import nodes

from briefgen.audience import Audience, audiences
from briefgen.errors import BriefError, Problem, Suggester, Where
from briefgen.model import Brief
from briefgen.render import (
    BriefEnvironment,
    make_environment,
    protected_files,
    searched,
    template_dirs,
)


def check_templates(brief: Brief) -> None:
    """Raise BriefError listing every template problem of every audience."""
    dirs = template_dirs(brief)
    env = make_environment(dirs, protected_files(brief, brief.folders.output))
    checker = _Checker(env, dirs)
    problems: list[Problem] = []
    for audience in audiences(brief.config):
        problems += checker.template(audience.template, audience.where("template"))
        problems += _stylesheets(env, brief, audience, dirs)
    if problems:
        raise BriefError(problems=list(dict.fromkeys(problems)))


class _Checker:
    """Compiles templates once each, following extends, include and import by name."""

    def __init__(self, env: BriefEnvironment, dirs: list[Path]) -> None:
        self.env = env
        self.dirs = dirs
        self.done: set[str] = set()
        self.hints = Suggester()

    def template(self, name: str, named_at: Where | None) -> list[Problem]:
        if name in self.done:
            return []
        self.done.add(name)
        try:
            source, found, _ = self.env.loader.get_source(self.env, name)  # type: ignore[union-attr]
            tree = self.env.parse(source, name, found)
            self.env.get_template(name)
        except jinja2.TemplateNotFound as exc:
            return [_not_found(str(exc.name or name), named_at, self.dirs)]
        except jinja2.TemplateSyntaxError as exc:
            where = Where(Path(exc.filename), exc.lineno) if exc.filename else named_at
            return [Problem(f"template syntax error: {exc.message}", where)]
        except BriefError as exc:
            return exc.problems
        filename = str(found or name)
        problems: list[Problem] = []
        for node in tree.find_all((nodes.Extends, nodes.Include, nodes.Import, nodes.FromImport)):
            used = _fixed_name(node.template)  # type: ignore[attr-defined]
            if used is not None:
                problems += self.template(used, Where(Path(filename), node.lineno))
        parent = next(tree.find_all(nodes.Extends), None)
        if parent is not None and not problems:
            problems += self._blocks(tree, filename, _fixed_name(parent.template))
        return problems

    def _blocks(self, tree: nodes.Template, filename: str, parent: str | None) -> list[Problem]:
        """A block the child defines must exist somewhere up the chain it extends."""
        if parent is None:
            return []
        known = _chain_blocks(self.env, parent)
        problems = []
        for block in tree.find_all(nodes.Block):
            if block.name in known:
                continue
            hint = self.hints.hint(
                block.name, sorted(known), otherwise=f"{parent} has no such block"
            )
            problems.append(
                Problem(
                    f"block {block.name!r} is not in {parent}, so it would never show",
                    Where(Path(filename), block.lineno),
                    hint,
                )
            )
        return problems


def _chain_blocks(env: BriefEnvironment, name: str) -> set[str]:
    """Every block of `name` and of the templates it extends."""
    known: set[str] = set()
    seen: set[str] = set()
    current: str | None = name
    while current is not None and current not in seen:
        seen.add(current)
        source, filename, _ = env.loader.get_source(env, current)  # type: ignore[union-attr]
        tree = env.parse(source, current, filename)
        known |= {block.name for block in tree.find_all(nodes.Block)}
        parent = next(tree.find_all(nodes.Extends), None)
        current = _fixed_name(parent.template) if parent is not None else None
    return known


def _stylesheets(
    env: BriefEnvironment, brief: Brief, audience: Audience, dirs: list[Path]
) -> Iterable[Problem]:
    for name in audience.stylesheets:
        try:
            env.loader.get_source(env, name)  # type: ignore[union-attr]
        except jinja2.TemplateNotFound:
            where = audience.where("stylesheet")
            yield Problem(f"stylesheet {name!r} not found", where, searched(dirs))
        except BriefError as exc:
            yield from exc.problems


def _fixed_name(node: nodes.Node) -> str | None:
    """A template name written as a constant; None for a name computed at run time."""
    return node.value if isinstance(node, nodes.Const) and isinstance(node.value, str) else None


def _not_found(name: str, where: Where | None, dirs: list[Path]) -> Problem:
    return Problem(f"template {name!r} not found", where, searched(dirs))
