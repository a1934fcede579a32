"""Route templates: ``/api/tasks/{task_id}`` → a matcher, and a bounded template for unknown paths.

Matching follows the primary's router (axum over matchit): the *path* is matched first, any single
segment matches a ``{param}`` (whether it is a valid UUID is the handler's business, so the comparator
sees the same route the primary chose), and a literal segment beats a parameter at the same position
(``POST /api/tasks/create-and-start`` is not ``/api/tasks/{task_id}``). Only then is the method looked at:
a known path with another method is the primary's 405, reported as a match with ``method_allowed=False``.
``HEAD`` is served by ``GET`` routes. A trailing slash is another path (the primary serves its SPA there).

Unknown paths get a template that is safe as a metric label: UUID and numeric segments become ``{id}``,
segments that are not words of the profile's own templates become ``{seg}``, and depth is capped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
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

    def match(self, segments: list[str]) -> tuple[int, ...] | None:
        """Priority key (lower is better: literal 0, parameter 1 at each position) or None."""
        if len(segments) != len(self.segments):
            return None
        key = []
        for wanted, given in zip(self.segments, segments, strict=True):
            if wanted is None:
                if not given:
                    return None
                key.append(1)
            elif wanted == given:
                key.append(0)
            else:
                return None
        return tuple(key)


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


class Router[T]:
    """Routes compiled once: ``Router([(method, template_text, value), ...]).lookup(method, path)``."""

    def __init__(self, entries: Iterable[tuple[str, str, T]]) -> None:
        self._by_depth: dict[int, list[tuple[Template, dict[str, T]]]] = {}
        by_shape: dict[tuple[str | None, ...], tuple[Template, dict[str, T]]] = {}
        for method, text, value in entries:
            template = parse_template(text)
            shape = template.segments
            if shape in by_shape and by_shape[shape][0].text != text:
                raise ValueError(f"templates {by_shape[shape][0].text!r} and {text!r} match the same paths")
            entry = by_shape.setdefault(shape, (template, {}))
            if method.upper() in entry[1]:
                raise ValueError(f"route {method.upper()} {text} is listed twice")
            entry[1][method.upper()] = value
        for template, methods in by_shape.values():
            self._by_depth.setdefault(len(template.segments), []).append((template, methods))
        self.vocabulary = frozenset(s for t, _ in by_shape.values() for s in t.segments if s is not None)

    def lookup(self, method: str, path: str) -> Lookup[T] | None:
        """The best template for ``path`` (None when no template matches the path at all)."""
        segments = _segments(path)
        best: tuple[tuple[int, ...], Template, dict[str, T]] | None = None
        for template, methods in self._by_depth.get(len(segments), ()):
            key = template.match(segments)
            if key is not None and (best is None or key < best[0]):
                best = (key, template, methods)
        if best is None:
            return None
        _, template, methods = best
        params = _params(template, segments)
        method = method.upper()
        value = methods.get(method) or (methods.get("GET") if method == "HEAD" else None)
        return Lookup(template, value, params, method_allowed=value is not None)


def _segments(path: str) -> list[str]:
    path = path.split("?", 1)[0]
    return path[1:].split("/") if path.startswith("/") else path.split("/")


def _params(template: Template, segments: list[str]) -> dict[str, str]:
    values = [unquote(given) for wanted, given in zip(template.segments, segments, strict=True) if wanted is None]
    return dict(zip(template.params, values, strict=True))


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
