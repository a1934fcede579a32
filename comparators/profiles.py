"""Normalization profiles as data: which routes exist, their groups, flags and named rules.

A profile is YAML (or JSON) validated by pydantic when it loads; a rule name that is not registered in
``normalize.py``, bad rule parameters, a malformed template or a duplicated route are refused then, with
one line saying where. ``load_profile()`` takes a shipped name (``vibe-kanban-0.0.71``) or a file path.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from comparators.canonical import NotJson, parse_json
from comparators.intended import IntendedDivergences, IntendedError, load_intended, parse_intended
from comparators.normalize import Normalizer, RuleRef
from comparators.routes import Router, fallback_template, parse_template

__all__ = [
    "DEFAULT_PROFILE",
    "READ_METHODS",
    "STREAM_KINDS",
    "Profile",
    "ProfileDefaults",
    "ProfileError",
    "RouteMatch",
    "RouteRule",
    "load_profile",
    "shipped_profiles",
]

DEFAULT_PROFILE = "vibe-kanban-0.0.71"
MATCH_CACHE_SIZE = 4096  # (method, path) pairs whose route match a profile remembers
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
STREAM_KINDS = ("events", "raw_logs", "normalized_logs", "diff", "json_patch")
StreamKind = Literal["events", "raw_logs", "normalized_logs", "diff", "json_patch"]
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
_SLUG = re.compile(r"[a-z][a-z0-9_]*")
_SCOPE_KEY = re.compile(r"(path|query|body):[A-Za-z_][A-Za-z0-9_]*")
UNKNOWN_GROUP = "unknown"


class ProfileError(ValueError):
    """A profile cannot be loaded (one line: which profile, where, why)."""


class RouteRule(BaseModel):
    """One method + path template of the system under comparison."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    method: str
    template: str
    group: str
    rules: tuple[RuleRef, ...] = ()
    inherit_defaults: bool = True  # False: only this route's rules apply
    eventual: bool = False  # the candidate may lag: re-read before calling it a mismatch
    stream: StreamKind | None = None  # an SSE route, compared by comparators.streams
    stream_params: dict[str, Any] = Field(default_factory=dict)
    write: bool  # derived from the method unless given
    scope: str = "global"  # the entity family whose writes must stay ordered (lanes), e.g. project
    scope_key: str | None = None  # where that entity's id is: path:<param> | query:<name> | body:<member>
    headers: tuple[str, ...] = ()  # more response headers to compare on this route ("*" = all)
    note: str | None = None  # why the rules are what they are (documentation)

    @model_validator(mode="before")
    @classmethod
    def _derive_write(cls, data: Any) -> Any:
        if isinstance(data, dict) and "write" not in data and isinstance(data.get("method"), str):
            return {**data, "write": data["method"].upper() not in READ_METHODS}
        return data

    @field_validator("method")
    @classmethod
    def _method(cls, value: str) -> str:
        if value.upper() not in _METHODS:
            raise ValueError(f"unknown HTTP method {value!r}")
        return value.upper()

    @field_validator("template")
    @classmethod
    def _template(cls, value: str) -> str:
        parse_template(value)
        return value

    @field_validator("group", "scope")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not _SLUG.fullmatch(value):
            raise ValueError(f"must be a lower-case identifier: {value!r}")
        return value

    @field_validator("scope_key")
    @classmethod
    def _scope_key(cls, value: str | None) -> str | None:
        if value is not None and not _SCOPE_KEY.fullmatch(value):
            raise ValueError(f"scope_key must look like path:id, query:project_id or body:project_id: {value!r}")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> RouteRule:
        if self.stream_params and self.stream is None:
            raise ValueError("stream_params given for a route that is not a stream")
        path_param = self.scope_key[5:] if self.scope_key and self.scope_key.startswith("path:") else None
        if path_param is not None and path_param not in parse_template(self.template).params:
            raise ValueError(f"scope_key {self.scope_key} names no parameter of {self.template}")
        return self

    @property
    def key(self) -> str:
        return f"{self.method} {self.template}"


class ProfileDefaults(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    rules: tuple[RuleRef, ...] = ()  # applied to every route (and to text bodies and requests)
    headers: tuple[str, ...] = ()
    headers_by_status: dict[int, tuple[str, ...]] = Field(default_factory=dict)  # e.g. {405: [allow]}


@dataclass(frozen=True)
class RouteMatch:
    """``template`` is always a template (never a raw path); ``rule`` is None for unknown paths and for
    a known path with a method it does not have (``method_allowed`` False: the primary's 405)."""

    template: str
    group: str
    rule: RouteRule | None
    params: Mapping[str, str] = field(default_factory=dict)
    method_allowed: bool = True


class Profile(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    description: str = ""
    defaults: ProfileDefaults = ProfileDefaults()
    routes: tuple[RouteRule, ...]
    intended: IntendedDivergences = IntendedDivergences()

    # Cached properties, not pydantic private attributes: these are read on every exchange, and a private
    # attribute costs a __getattr__ call (1 µs) where an instance-dict entry costs nothing.
    @cached_property
    def _router(self) -> Router[RouteRule]:
        return Router((route.method, route.template, route) for route in self.routes)

    @cached_property
    def _normalizers(self) -> dict[str, Normalizer]:
        return {}

    def model_post_init(self, context: object) -> None:
        self._router  # noqa: B018 (compiled when the profile loads, not on its first exchange)

    @model_validator(mode="after")
    def _routes_compile(self) -> Profile:
        Router((route.method, route.template, route) for route in self.routes)  # duplicates, overlaps
        return self

    def match(self, method: str, path: str) -> RouteMatch:
        return self._matches(method, path)

    # A match is a pure function of (method, path) and the frozen routes, and clients poll the same paths
    # over and over: remembered (bounded, least recently used first out; 2-3 µs of regex and unquoting per
    # exchange otherwise). The params of a remembered match are shared, so they are read-only.
    @cached_property
    def _matches(self) -> Callable[[str, str], RouteMatch]:
        return lru_cache(maxsize=MATCH_CACHE_SIZE)(self._match)

    def _match(self, method: str, path: str) -> RouteMatch:
        found = self._router.find(method, path)
        if found is None:
            # The primary's GET-only SPA fallback: other methods on unknown paths are 405.
            allowed = method.upper() in ("GET", "HEAD")
            template = fallback_template(path, self._router.vocabulary)
            return RouteMatch(template, UNKNOWN_GROUP, None, MappingProxyType({}), allowed)
        known, rule, params = found
        if rule is None:
            return RouteMatch(known.text, self._group_of(known.text), None, MappingProxyType(params), False)
        return RouteMatch(known.text, rule.group, rule, MappingProxyType(params), True)

    def _group_of(self, template: str) -> str:
        return next(route.group for route in self.routes if route.template == template)

    def normalizer(self, rule: RouteRule | None) -> Normalizer:
        """The compiled rules of a route (defaults first, then its own), built once."""
        key = "" if rule is None else rule.key
        found = self._normalizers.get(key)
        if found is None:
            refs = list(self.defaults.rules) if rule is None or rule.inherit_defaults else []
            refs += list(rule.rules) if rule is not None else []
            found = self._normalizers[key] = Normalizer(refs)
        return found

    def headers_for(self, rule: RouteRule | None, status: int) -> tuple[str, ...]:
        """Extra response headers to compare for this route and status (content-type always is)."""
        names = (*self.defaults.headers, *self.defaults.headers_by_status.get(status, ()))
        return names + (rule.headers if rule is not None else ())

    @property
    def streams(self) -> tuple[RouteRule, ...]:
        return tuple(route for route in self.routes if route.stream is not None)


def shipped_profiles() -> list[str]:
    """Names of the profiles shipped inside the package."""
    folder = resources.files("comparators").joinpath("profiles")
    names = []
    for entry in folder.iterdir():
        if entry.name.endswith(".yaml") and entry.name != "intended_divergences.yaml":
            data = yaml.safe_load(entry.read_text(encoding="utf-8"))
            if isinstance(data, dict) and isinstance(data.get("name"), str):
                names.append(data["name"])
    return sorted(names)


def load_profile(name_or_path: str | Path = DEFAULT_PROFILE) -> Profile:
    """A shipped profile by name, or a YAML/JSON file; ``ProfileError`` (one line) otherwise."""
    text = str(name_or_path)
    if isinstance(name_or_path, str) and "/" not in text and not text.endswith((".yaml", ".yml", ".json")):
        return _load_shipped(text)
    path = Path(name_or_path)
    try:
        raw = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ProfileError(f"profile {text}: cannot read: {exc}") from None
    return _build(raw, text, json=path.suffix == ".json", folder=path.parent)


@lru_cache(maxsize=8)
def _load_shipped(name: str) -> Profile:
    resource = name.replace("-", "_").replace(".", "_") + ".yaml"
    entry = resources.files("comparators").joinpath("profiles", resource)
    if not entry.is_file():
        raise ProfileError(
            f"unknown profile {name!r}: shipped are {', '.join(shipped_profiles())}, or give a file path"
        )
    return _build(entry.read_text(encoding="utf-8"), name, json=False, folder=None)


def _build(raw: str, source: str, *, json: bool, folder: Path | None) -> Profile:
    try:
        data = parse_json(raw) if json else yaml.safe_load(raw)
    except (NotJson, yaml.YAMLError) as exc:
        raise ProfileError(f"profile {source}: not valid {'JSON' if json else 'YAML'}: {_parse_problem(exc)}") from None
    if not isinstance(data, dict):
        raise ProfileError(f"profile {source}: expected a mapping at the top, got {type(data).__name__}")
    data = dict(data)
    intended_ref = data.pop("intended", None)
    try:
        intended = _intended(intended_ref, folder)
    except IntendedError as exc:
        raise ProfileError(f"profile {source}: intended divergences: {exc}") from None
    try:
        return Profile.model_validate({**data, "intended": intended})
    except ValidationError as exc:
        raise ProfileError(f"profile {source}: {_first_error(exc, data)}") from None


def _parse_problem(exc: Exception) -> str:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None)
    if problem and mark is not None:
        return f"{problem} (line {mark.line + 1}, column {mark.column + 1})"
    return " ".join(str(exc).split())


def _first_error(exc: ValidationError, data: dict[str, Any]) -> str:
    first = exc.errors()[0]
    loc = first["loc"]
    where = ".".join(str(part) for part in loc) or "profile"
    if len(loc) >= 2 and loc[0] == "routes" and isinstance(loc[1], int):
        route = (data.get("routes") or [])[loc[1]]
        if isinstance(route, dict):  # name the route, not only its index
            rest = ".".join(str(part) for part in loc[2:])
            where = f"routes.{loc[1]} ({route.get('method')} {route.get('template')})" + (f" {rest}" if rest else "")
    message = str(first["msg"]).removeprefix("Value error, ")
    more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
    return f"{where}: {message}{more}"


def _intended(ref: Any, folder: Path | None) -> IntendedDivergences:
    if ref is None:
        return IntendedDivergences()
    if not isinstance(ref, str):
        raise IntendedError(f"'intended' must name a YAML file beside the profile, got {type(ref).__name__}")
    if folder is not None:
        return load_intended(folder / ref)
    entry = resources.files("comparators").joinpath("profiles", ref)  # a shipped profile names a shipped list
    if not entry.is_file():
        raise IntendedError(f"no shipped intended-divergence list named {ref!r}")
    return parse_intended(entry.read_text(encoding="utf-8"), ref)
