"""Route templates: ``/api/tasks/{task_id}`` → a matcher, and a bounded template for unknown paths.

Matching follows the primary's router (axum over matchit): the *path* is matched first, any single
segment matches a ``{param}`` (whether it is a valid UUID is the handler's business, so the comparator
sees the same route the primary chose), and a literal segment beats a parameter at the same position
(``POST /api/tasks/create-and-start`` is not ``/api/tasks/{task_id}``). Only then is the method looked at:
a known path with another method is the primary's 405, reported as a match with ``method_allowed=False``.
``HEAD`` is served by ``GET`` routes. A trailing slash is another path (the primary serves its SPA there).

Lookups run one compiled regex, not a walk of the segment tree (a fifth of the cost): its branches are
the templates in the order the tree walk would reach them, so the first branch that matches is the route
matchit picks; the tree is built too, to refuse duplicated and overlapping templates.

Unknown paths get a template that is safe as a metric label: UUID and numeric segments become ``{id}``,
segments that are not words of the profile's own templates become ``{seg}``, and depth is capped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from comparators.tokens import UUID_TEXT

__all__ = ["Lookup", "Router", "Template", "fallback_template", "parse_template"]

_PARAM = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
_LITERAL = re.compile(r"[A-Za-z0-9._~!$&'()*+,;=:@-]+")
MAX_FALLBACK_DEPTH = 6


@dataclass(frozen=True)
class Template:
    """A parsed template: ``segments`` hold literals, or None where a parameter goes."""

    text: str
    segments: tuple[str | None, ...]
    params: tuple[str, ...]


def parse_template(text: str) -> Template:
    """``/api/projects/{id}/branches`` → Template; a clear ValueError for anything else."""
    if not text.startswith("/") or text != text.strip() or "//" in text or (len(text) > 1 and text.endswith("/")):
        raise ValueError(f"template must be an absolute path without empty segments: {text!r}")
    segments: list[str | None] = []
    params: list[str] = []
    for part in text[1:].split("/"):
        param = _PARAM.fullmatch(part)
        if param:
            if param.group(1) in params:
                raise ValueError(f"template {text!r} repeats the parameter {param.group(1)!r}")
            params.append(param.group(1))
            segments.append(None)
        elif _LITERAL.fullmatch(part):
            segments.append(part)
        else:
            raise ValueError(f"template {text!r} has an invalid segment {part!r} (parameters look like {{name}})")
    return Template(text, tuple(segments), tuple(params))


@dataclass(frozen=True)
class Lookup[T]:
    """``value`` is the entry for the method (None when the path is known but the method is not)."""

    template: Template
    value: T | None
    params: Mapping[str, str] = field(default_factory=dict)
    method_allowed: bool = True


class _Node[T]:
    """One segment position of the route tree: literal children, one parameter child, a route ending here."""

    __slots__ = ("literals", "param", "route")

    def __init__(self) -> None:
        self.literals: dict[str, _Node[T]] = {}
        self.param: _Node[T] | None = None
        self.route: tuple[Template, dict[str, T]] | None = None


class Router[T]:
    """Routes compiled once: ``Router([(method, template, value), ...]).lookup(method, path)``."""

    def __init__(self, entries: Iterable[tuple[str, str, T]]) -> None:
        root: _Node[T] = _Node()
        vocabulary: set[str] = set()
        routes: list[tuple[Template, dict[str, T]]] = []
        for method, text, value in entries:
            template = parse_template(text)
            node = root
            for segment in template.segments:
                if segment is None:
                    node.param = node.param or _Node()
                    node = node.param
                else:
                    vocabulary.add(segment)
                    node = node.literals.setdefault(segment, _Node())
            if node.route is None:
                node.route = (template, {})
                routes.append(node.route)
            elif node.route[0].text != text:
                raise ValueError(f"templates {node.route[0].text!r} and {text!r} match the same paths")
            if method.upper() in node.route[1]:
                raise ValueError(f"route {method.upper()} {text} is listed twice")
            node.route[1][method.upper()] = value
        self.vocabulary = frozenset(vocabulary)
        self._pattern, self._branches = _compile(routes)

    def lookup(self, method: str, path: str) -> Lookup[T] | None:
        """The best template for ``path`` (None when no template matches the path at all)."""
        found = self.find(method, path)
        return None if found is None else Lookup(found[0], found[1], found[2], method_allowed=found[1] is not None)

    def find(self, method: str, path: str) -> tuple[Template, T | None, dict[str, str]] | None:
        """``lookup`` as a plain (template, value, params) tuple, for callers that build their own result."""
        found = self._pattern.fullmatch(path.split("?", 1)[0])
        if found is None:
            return None
        # Each branch ends with an empty group, the last one to close when that branch matched.
        template, methods, groups = self._branches[found.lastindex or 0]
        method = method.upper()
        value = methods.get(method) or (methods.get("GET") if method == "HEAD" else None)
        return template, value, {name: unquote(found.group(index)) for name, index in groups}


Branch = tuple[Template, dict[str, Any], tuple[tuple[str, int], ...]]


def _compile[T](routes: list[tuple[Template, dict[str, T]]]) -> tuple[re.Pattern[str], dict[int, Branch]]:
    """One regex for all templates: a branch per template, in the tree walk's order (at each segment
    position a literal before a parameter), so the first branch to match is the walk's first hit.
    Templates that both match a path have the same literals wherever both have one, and are never equal
    in that order (that would be an overlap, refused above): the order decides between them exactly as
    the walk did. A parameter takes any non-empty segment; the path's leading slash is optional
    (``_segments``)."""
    ordered = sorted(routes, key=lambda route: tuple(segment is None for segment in route[0].segments))
    branches: dict[int, Branch] = {}
    texts = []
    group = 0
    for template, methods in ordered:
        parts: list[str] = []
        groups: list[tuple[str, int]] = []
        for segment in template.segments:
            if segment is None:
                group += 1
                parts.append("([^/]+)")
                groups.append((template.params[len(groups)], group))
            else:
                parts.append(re.escape(segment))
        group += 1
        texts.append("/".join(parts) + "()")
        branches[group] = (template, methods, tuple(groups))
    return re.compile("/?(?:" + "|".join(texts) + ")" if texts else "(?!)"), branches


def _segments(path: str) -> list[str]:
    path = path.split("?", 1)[0]
    return path[1:].split("/") if path.startswith("/") else path.split("/")


def fallback_template(path: str, vocabulary: frozenset[str] = frozenset()) -> str:
    """A bounded template for a path no route matches: ``/api/nope/3f2a…`` → ``/api/{seg}/{id}``."""
    segments = _segments(path)
    shown = []
    for segment in segments[:MAX_FALLBACK_DEPTH]:
        if segment == "":
            shown.append("")
        elif UUID_TEXT.fullmatch(unquote(segment)) or (segment.isascii() and segment.isdigit()):
            shown.append("{id}")
        elif segment in vocabulary or segment == "api":
            shown.append(segment)
        else:
            shown.append("{seg}")
    if len(segments) > MAX_FALLBACK_DEPTH:
        shown.append("{rest}")
    return "/" + "/".join(shown)
