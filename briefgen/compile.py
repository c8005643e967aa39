"""Compile every template the audiences use, so `check` finds template mistakes before `build`.

For each audience: its template, every template that one extends, includes
or imports by a fixed name, and its stylesheets must exist on the search path
and compile. A block a child template defines should exist in the template it
extends or further up: a misspelt block is dropped without a word, so it is
reported as a warning. Problems and warnings carry the template's file and line.
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
    reference_bytes,
    searched,
    template_dirs,
)


def check_templates(brief: Brief) -> list[Problem]:
    """Raise BriefError listing every template problem of every audience; return the warnings.

    A warning is a block that a template defines but the templates it extends lack.
    """
    dirs = template_dirs(brief)
    env = make_environment(dirs, protected_files(brief, brief.folders.output))
    checker = _Checker(env, dirs)
    problems: list[Problem] = []
    for audience in audiences(brief.config):
        problems += checker.template(audience.template, audience.where("template"))
        problems += _stylesheets(env, brief, audience, dirs)
        if "docx" in audience.formats:
            try:
                reference_bytes(brief, audience)
            except BriefError as exc:
                problems += exc.problems
    if problems:
        raise BriefError(problems=list(dict.fromkeys(problems)))
    return list(dict.fromkeys(checker.warnings))


class _Checker:
    """Compiles templates once each, following extends, include and import by name."""

    def __init__(self, env: BriefEnvironment, dirs: list[Path]) -> None:
        self.env = env
        self.dirs = dirs
        self.done: set[str] = set()
        self.hints = Suggester()
        self.warnings: list[Problem] = []

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
            self.warnings += self._blocks(tree, filename, _fixed_name(parent.template))
        return problems

    def _blocks(self, tree: nodes.Template, filename: str, parent: str | None) -> list[Problem]:
        """Warnings for the blocks the child overrides that no template up its chain defines.

        Only the child's outermost blocks override; a block nested inside one of
        them is new, for a template that extends the child to fill.
        """
        if parent is None:
            return []
        try:
            known, chain = _chain_blocks(self.env, parent)
        except (jinja2.TemplateError, BriefError):
            return []  # reported as a problem of the parent template
        where = parent if len(chain) == 1 else f"{parent} or the templates it extends"
        listed = f"the blocks it can fill: {', '.join(sorted(known))}"
        warnings = []
        for block in _outer_blocks(tree):
            if block.name in known:
                continue
            close = self.hints.closest(block.name, sorted(known))
            warnings.append(
                Problem(
                    f"block {block.name!r} is not in {where}, so it does nothing",
                    Where(Path(filename), block.lineno),
                    f"did you mean {close!r}? {listed}" if close else listed,
                )
            )
        return warnings


def _outer_blocks(node: nodes.Node) -> list[nodes.Block]:
    """The blocks of a template that are not inside another block."""
    found: list[nodes.Block] = []
    for child in node.iter_child_nodes():
        if isinstance(child, nodes.Block):
            found.append(child)
        else:
            found += _outer_blocks(child)
    return found


def _chain_blocks(env: BriefEnvironment, name: str) -> tuple[set[str], list[str]]:
    """The blocks that show in `name` and the templates it extends, and the names of that chain.

    Every block of the template at the top of the chain shows; further down, a
    block shows if it fills one that shows, and so do the blocks nested in it.
    """
    trees: list[nodes.Template] = []
    seen: list[str] = []
    current: str | None = name
    while current is not None and current not in seen:
        seen.append(current)
        source, filename, _ = env.loader.get_source(env, current)  # type: ignore[union-attr]
        tree = env.parse(source, current, filename)
        trees.append(tree)
        parent = next(tree.find_all(nodes.Extends), None)
        current = _fixed_name(parent.template) if parent is not None else None
    known = {block.name for block in trees[-1].find_all(nodes.Block)}
    for tree in reversed(trees[:-1]):
        for block in _outer_blocks(tree):
            if block.name in known:
                known |= {inner.name for inner in block.find_all(nodes.Block)}
    return known, seen


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
