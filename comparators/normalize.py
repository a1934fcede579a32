"""Normalization rules: each defined once here, registered by name, referenced by name from profiles.

Every rule is a pure JSON -> JSON function (``apply_rule`` works on a copy) and idempotent. Rules run in a
fixed order given by their *phase*, whatever order a profile lists them in, so that a profile cannot number
UUIDs before candidate ids were mapped back, or sort a list before its volatile fields were masked:

    parse_json_string → ignore → mask_value → id_map → mask_path_prefix → mask_regex → mask_timestamp
    → sort_array → multiset → mask_uuid

Two kinds of kernels do the work. *Tree* kernels walk the parsed value and visit only what their path
patterns select (``paths.py`` syntax). *Byte* kernels run one regular expression over the canonical
serialization, which is how the document-wide masks (UUIDs, SHAs, path prefixes, timestamps by member
name) stay cheap: in compact canonical JSON a UUID, a 40-hex SHA containing a letter, a ``/``-path or a
``"name":"`` member can only occur inside a string, and every replacement token is free of quotes and
backslashes, so the result is still valid JSON with the same structure.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal

import orjson
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from comparators.canonical import NotJson, canonical_bytes, copy_json, parse_json
from comparators.paths import REMOVE, PathPattern, PathSet, split_pointer, transform
from comparators.scan import MemberStrings, StringValues, replace_hex_runs, split_uuids
from comparators.timestamps import AUTOSI_FAST, mask_timestamp_bytes, timestamp_token
from comparators.tokens import uuid_tokens

__all__ = [
    "NAMED_PATTERNS",
    "RULES",
    "NormalizeContext",
    "Normalizer",
    "RuleRef",
    "RuleSpec",
    "apply_rule",
    "normalize",
]

_PREFIX_NAME = re.compile(r"[A-Z][A-Z0-9_]*")


@dataclass(frozen=True)
class NormalizeContext:
    """What one side of a comparison needs beyond the document.

    ``prefixes``: token name → absolute path on this side (``{"WORK": "/tmp/w1", "HOME": "/tmp/h1"}``);
    ``id_map``: candidate id → primary id (given on the candidate side only); ``known_ids``: primary ids
    correlated on both sides, kept literal by ``mask_uuid`` so a wrong reference is a real finding.
    """

    prefixes: Mapping[str, str | Sequence[str]] = field(default_factory=dict)
    id_map: Mapping[str, str] = field(default_factory=dict)
    known_ids: frozenset[str] = frozenset()
    prefix_patterns: tuple[tuple[str, bytes, re.Pattern[bytes]], ...] = field(init=False, repr=False, compare=False)
    id_map_bytes: dict[bytes, bytes] = field(init=False, repr=False, compare=False)
    known_ids_bytes: frozenset[bytes] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        cleaned: dict[str, tuple[str, ...]] = {}
        for name, given in self.prefixes.items():
            if not _PREFIX_NAME.fullmatch(name):
                raise ValueError(f"prefix name must be upper-case like WORK or HOME: {name!r}")
            paths = (given,) if isinstance(given, str) else tuple(given)
            for path in paths:
                if not isinstance(path, str) or not path.startswith("/") or not path.rstrip("/"):
                    raise ValueError(f"prefix {name} must be an absolute path other than '/': {path!r}")
            cleaned[name] = tuple(path.rstrip("/") for path in paths)
        object.__setattr__(self, "prefixes", cleaned)
        pairs = frozenset((name, path) for name, paths in cleaned.items() for path in paths)
        # Byte forms, computed once per context: the masks run on canonical JSON bytes.
        object.__setattr__(self, "prefix_patterns", _prefix_patterns(pairs))
        object.__setattr__(self, "id_map_bytes", {k.encode(): v.encode() for k, v in self.id_map.items()})
        object.__setattr__(self, "known_ids_bytes", frozenset(value.encode() for value in self.known_ids))

    @classmethod
    def merged(cls, *contexts: NormalizeContext) -> NormalizeContext:
        """One context masking every side's prefixes and mapping every side's ids: for values whose side
        is not known to the caller (stream events handed around by ``comparators.streams``)."""
        prefixes: dict[str, list[str]] = {}
        id_map: dict[str, str] = {}
        known: set[str] = set()
        for ctx in contexts:
            for name, paths in ctx.prefixes.items():
                prefixes.setdefault(name, []).extend(paths)
            id_map.update(ctx.id_map)
            known |= ctx.known_ids
        return cls(prefixes=prefixes, id_map=id_map, known_ids=frozenset(known))


@lru_cache(maxsize=256)
def _prefix_patterns(pairs: frozenset[tuple[str, str]]) -> tuple[tuple[str, bytes, re.Pattern[bytes]], ...]:
    """(name, literal, pattern) per prefix path, longest first (the worktrees root may sit inside a work
    dir or HOME); the pattern stops at a path boundary (``/tmp/w1`` does not mask ``/tmp/w10``)."""
    found = []
    for name, path in sorted(pairs, key=lambda item: (-len(item[1]), item)):
        literal = orjson.dumps(path)[1:-1]  # as it appears inside a JSON string
        found.append((name, literal, re.compile(re.escape(literal) + rb"(?![A-Za-z0-9._-])")))
    return tuple(found)


class _Run:
    """One normalization of one document: the context plus the key masker sort rules need."""

    def __init__(self, ctx: NormalizeContext, raw: Sequence[_Compiled]) -> None:
        self.ctx = ctx
        self._raw = raw

    def sort_key(self, value: Any) -> tuple[int, Any]:
        """How sort rules order values: by JSON type, numbers by value, strings and containers by their
        canonical bytes with the document-wide masks applied and UUIDs collapsed (not numbered: numbering
        follows document order, which sorting is about to change)."""
        if value is None:
            return (0, 0)
        if isinstance(value, bool):
            return (1, value)
        if isinstance(value, (int, float)):
            return (2, value)
        data = canonical_bytes(value)
        for rule in self._raw:
            assert rule.raw is not None
            data = rule.raw(data, self, False)
        return (3 if isinstance(value, str) else 4, data)


TreeKernel = Callable[[Any, _Run], Any]
RawKernel = Callable[[bytes, _Run, bool], bytes]


@dataclass(frozen=True)
class _Compiled:
    name: str
    phase: int
    tree: TreeKernel | None = None
    raw: RawKernel | None = None


class _Params(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _PathsParams(_Params):
    paths: list[str] = Field(min_length=1)

    @field_validator("paths")
    @classmethod
    def _patterns_parse(cls, value: list[str]) -> list[str]:
        for text in value:
            PathPattern(text)
        return value


@dataclass(frozen=True)
class RuleSpec:
    name: str
    phase: int
    params: type[_Params]
    build: Callable[[Any], _Compiled]
    summary: str


RULES: dict[str, RuleSpec] = {}


def _rule(
    name: str, phase: int, params: type[_Params]
) -> Callable[[Callable[[Any], _Compiled]], Callable[[Any], _Compiled]]:
    def register(build: Callable[[Any], _Compiled]) -> Callable[[Any], _Compiled]:
        RULES[name] = RuleSpec(name, phase, params, build, (build.__doc__ or "").strip().splitlines()[0])
        return build

    return register


class RuleRef(BaseModel):
    """A rule referenced by name with its parameters: ``{rule: mask_timestamp, paths: [/**/created_at]}``
    in YAML. Unknown names and bad parameters are refused when the profile loads."""

    model_config = ConfigDict(frozen=True)

    rule: str
    params: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _flat_form(cls, data: Any) -> Any:
        if isinstance(data, str):
            return {"rule": data, "params": {}}
        if isinstance(data, dict) and "params" not in data:
            return {"rule": data.get("rule"), "params": {k: v for k, v in data.items() if k != "rule"}}
        return data

    @model_validator(mode="after")
    def _resolvable(self) -> RuleRef:
        spec = RULES.get(self.rule)
        if spec is None:
            raise ValueError(f"unknown rule {self.rule!r} (registered: {', '.join(sorted(RULES))})")
        try:
            spec.params.model_validate(self.params)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(part) for part in first["loc"]) or "params"
            raise ValueError(f"rule {self.rule}: {where}: {first['msg']}") from None
        return self

    def compile(self) -> _Compiled:
        spec = RULES[self.rule]
        return spec.build(spec.params.model_validate(self.params))


class Normalizer:
    """A compiled, phase-ordered list of rules (built once per route, reused for every exchange)."""

    def __init__(self, rules: Sequence[RuleRef]) -> None:
        compiled = sorted((ref.compile() for ref in rules), key=lambda rule: rule.phase)
        self.rule_names = tuple(rule.name for rule in compiled)
        self._tree = [rule for rule in compiled if rule.tree is not None]
        self._raw = [rule for rule in compiled if rule.raw is not None]

    def canonical(self, doc: Any, ctx: NormalizeContext | None = None, *, owned: bool = False) -> bytes:
        """Canonical bytes of the normalized document. With ``owned=True`` the tree rules may modify
        ``doc`` in place (for a value the caller just parsed and will not reuse)."""
        run = _Run(ctx or NormalizeContext(), self._raw)
        if self._tree and not owned:
            doc = copy_json(doc)
        for rule in self._tree:
            assert rule.tree is not None
            doc = rule.tree(doc, run)
        data = canonical_bytes(doc)
        for rule in self._raw:
            assert rule.raw is not None
            data = rule.raw(data, run, True)
        return data

    def normalize(self, doc: Any, ctx: NormalizeContext | None = None, *, owned: bool = False) -> Any:
        if not self._raw:
            run = _Run(ctx or NormalizeContext(), self._raw)
            doc = doc if owned else copy_json(doc)
            for rule in self._tree:
                assert rule.tree is not None
                doc = rule.tree(doc, run)
            return doc
        return parse_json(self.canonical(doc, ctx, owned=owned))


def normalize(doc: Any, rules: Sequence[RuleRef | Mapping[str, Any] | str], ctx: NormalizeContext | None = None) -> Any:
    """Normalize a copy of ``doc`` with the given rules (phase order)."""
    refs = [r if isinstance(r, RuleRef) else RuleRef.model_validate(r) for r in rules]
    return Normalizer(refs).normalize(doc, ctx)


def apply_rule(name: str, doc: Any, ctx: NormalizeContext | None = None, **params: Any) -> Any:
    """One rule on a copy of ``doc``: ``apply_rule("ignore", body, paths=["/data/id"])``."""
    return normalize(doc, [RuleRef(rule=name, params=params)], ctx)


# --------------------------------------------------------------------------------------------- tree rules


@_rule("parse_json_string", 10, _PathsParams)
def _parse_json_string(params: _PathsParams) -> _Compiled:
    """Replace a string holding a JSON object or array by the parsed value (other rules then apply inside)."""
    paths = PathSet(params.paths)

    def parse(node: Any) -> Any:
        if not isinstance(node, str):
            return node
        try:
            value = parse_json(node)
        except NotJson:
            return node
        # Only containers: turning '"1"' into 1 would not be idempotent.
        return value if isinstance(value, (dict, list)) else node

    return _Compiled("parse_json_string", 10, tree=lambda doc, run: transform(doc, paths, parse))


@_rule("ignore", 20, _PathsParams)
def _ignore(params: _PathsParams) -> _Compiled:
    """Drop the selected members or elements (presence is not compared either: prefer mask_value)."""
    paths = PathSet(params.paths)
    return _Compiled("ignore", 20, tree=lambda doc, run: transform(doc, paths, lambda node: REMOVE))


@_rule("mask_value", 30, _PathsParams)
def _mask_value(params: _PathsParams) -> _Compiled:
    """Hide the selected values but keep their presence, JSON types and container shapes."""
    paths = PathSet(params.paths)
    return _Compiled("mask_value", 30, tree=lambda doc, run: transform(doc, paths, _placeholder))


def _placeholder(node: Any) -> Any:
    if isinstance(node, dict):
        return {key: _placeholder(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_placeholder(value) for value in node]
    if isinstance(node, bool) or node is None:
        return False if isinstance(node, bool) else None
    if isinstance(node, int):
        return 0
    if isinstance(node, float):
        return 0.0
    return "<masked>"


class _SortParams(_PathsParams):
    keys: list[str] = Field(min_length=1)
    descending: bool = False

    @field_validator("keys")
    @classmethod
    def _keys_are_pointers(cls, value: list[str]) -> list[str]:
        for key in value:
            split_pointer(key if key.startswith("/") else f"/{key}")
        return value


@_rule("sort_array", 80, _SortParams)
def _sort_array(params: _SortParams) -> _Compiled:
    """Sort the selected arrays by one or more members of their elements (``keys: [name]``)."""
    paths = PathSet(params.paths)
    keys = [split_pointer(key if key.startswith("/") else f"/{key}") for key in params.keys]

    def tree(doc: Any, run: _Run) -> Any:
        def sort(node: Any) -> Any:
            if not isinstance(node, list):
                return node
            return sorted(
                node, key=lambda e: tuple(run.sort_key(_member(e, k)) for k in keys), reverse=params.descending
            )

        return transform(doc, paths, sort)

    return _Compiled("sort_array", 80, tree=tree)


def _member(element: Any, tokens: list[str]) -> Any:
    for token in tokens:
        if isinstance(element, dict):
            element = element.get(token)
        elif isinstance(element, list) and token.isdigit() and int(token) < len(element):
            element = element[int(token)]
        else:
            return None
    return element


@_rule("multiset", 90, _PathsParams)
def _multiset(params: _PathsParams) -> _Compiled:
    """Compare the selected arrays as multisets (order ignored, repetitions counted)."""
    paths = PathSet(params.paths)

    def tree(doc: Any, run: _Run) -> Any:
        return transform(doc, paths, lambda node: sorted(node, key=run.sort_key) if isinstance(node, list) else node)

    return _Compiled("multiset", 90, tree=tree)


# --------------------------------------------------------------------------------------------- byte rules


@_rule("id_map", 40, _Params)
def _id_map(params: _Params) -> _Compiled:
    """Map candidate ids back to primary ids (the context's ``id_map``) wherever they occur."""

    def raw(data: bytes, run: _Run, numbering: bool) -> bytes:
        mapping = run.ctx.id_map_bytes
        if not mapping:
            return data
        pieces = split_uuids(data)
        pieces[1::2] = [mapping.get(found, found) for found in pieces[1::2]]
        return b"".join(pieces)

    return _Compiled("id_map", 40, raw=raw)


class _PrefixParams(_Params):
    names: list[str] | None = None  # which context prefixes; None = all of them


@_rule("mask_path_prefix", 50, _PrefixParams)
def _mask_path_prefix(params: _PrefixParams) -> _Compiled:
    """Replace each side's own directories (context prefixes) by ``<NAME>``, anywhere in a string."""
    wanted = None if params.names is None else frozenset(params.names)

    def raw(data: bytes, run: _Run, numbering: bool) -> bytes:
        for name, literal, pattern in run.ctx.prefix_patterns:
            if (wanted is None or name in wanted) and literal in data:
                data = pattern.sub(f"<{name}>".encode(), data)
        return data

    return _Compiled("mask_path_prefix", 50, raw=raw)


def _literal_sub(literal: bytes, pattern: bytes, replacement: bytes) -> Callable[[bytes], bytes]:
    compiled = re.compile(pattern)
    return lambda data: compiled.sub(replacement, data) if literal in data else data


# Named patterns for mask_regex: name → (what it masks, byte-level replacer). Each can only match inside a
# JSON string (see the module docstring) and starts its search at a literal or scans in C (scan.py).
NAMED_PATTERNS: dict[str, tuple[str, Callable[[bytes], bytes]]] = {
    "sha40": (
        "a git SHA-1: exactly 40 lower-case hex digits with a letter among them → <sha>",
        lambda data: replace_hex_runs(data, 40, b"<sha>"),
    ),
    "vibe_kanban_short": (
        "squash-merge subjects end with (vibe-kanban <first 8 hex of the task id>) → (vibe-kanban <short>)",
        _literal_sub(b"(vibe-kanban ", rb"\(vibe-kanban [0-9a-f]{8}\)", b"(vibe-kanban <short>)"),
    ),
    "worktree_branch": (
        "branches and worktree dirs vk-<first 4 hex of the attempt id>-<slug> → vk-<xxxx>-<slug>",
        _literal_sub(b"vk-", rb"vk-(?<![0-9A-Za-z]vk-)[0-9a-f]{4}-", b"vk-<xxxx>-"),
    ),
}


class _CustomPattern(_Params):
    regex: str
    replacement: str
    paths: list[str] = Field(default_factory=lambda: ["/**"])

    @field_validator("regex")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"bad regex {value!r}: {exc}") from None
        return value


class _RegexParams(_Params):
    patterns: list[str] = Field(default_factory=list)
    custom: list[_CustomPattern] = Field(default_factory=list)

    @field_validator("patterns")
    @classmethod
    def _named(cls, value: list[str]) -> list[str]:
        for name in value:
            if name not in NAMED_PATTERNS:
                raise ValueError(f"unknown named pattern {name!r} (known: {', '.join(sorted(NAMED_PATTERNS))})")
        return value

    @model_validator(mode="after")
    def _something(self) -> _RegexParams:
        if not self.patterns and not self.custom:
            raise ValueError("give named patterns and/or custom ones")
        return self


@_rule("mask_regex", 60, _RegexParams)
def _mask_regex(params: _RegexParams) -> _Compiled:
    """Replace named (or custom) patterns inside strings: SHAs, short task ids, worktree branch names."""
    named = [NAMED_PATTERNS[name][1] for name in params.patterns]
    # Custom patterns could match JSON syntax, so they run on string values of the tree, never on bytes.
    custom = [(PathSet(c.paths), re.compile(c.regex), c.replacement) for c in params.custom]

    def raw(data: bytes, run: _Run, numbering: bool) -> bytes:
        for replace in named:
            data = replace(data)
        return data

    def tree(doc: Any, run: _Run) -> Any:
        for paths, pattern, replacement in custom:
            doc = transform(doc, paths, _string_sub(pattern, replacement))
        return doc

    return _Compiled("mask_regex", 60, raw=raw if named else None, tree=tree if custom else None)


def _string_sub(pattern: re.Pattern[str], replacement: str) -> Callable[[Any], Any]:
    return lambda node: pattern.sub(replacement, node) if isinstance(node, str) else node


class _TimestampParams(_Params):
    paths: list[str] = Field(default_factory=lambda: ["/**"], min_length=1)
    # "any": AutoSi precisions (s/ms/us/ns) are one format; "exact": the printed precision must match too.
    precision: Literal["any", "exact"] = "any"

    @field_validator("paths")
    @classmethod
    def _patterns_parse(cls, value: list[str]) -> list[str]:
        for text in value:
            PathPattern(text)
        return value


# Candidate spellings of an RFC 3339 timestamp (validated precisely by timestamps.py).
_TS_SHAPE = rb"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?(?:[Zz]|[+-][0-9]{2}:[0-9]{2})"


@_rule("mask_timestamp", 70, _TimestampParams)
def _mask_timestamp(params: _TimestampParams) -> _Compiled:
    """Replace RFC 3339 timestamps by a format token (``<ts>``); a non-timestamp stays as it is, so a
    different format family shows up as a FORMAT difference (see ``timestamps.py`` for the decision)."""
    exact = params.precision == "exact"
    autosi = AUTOSI_FAST.fullmatch

    def mask(value: bytes) -> bytes:
        return b"<ts>" if not exact and autosi(value) else mask_timestamp_bytes(value, exact=exact)

    patterns = [PathPattern(p) for p in params.paths]
    keys = [p.anywhere_key for p in patterns]
    if any(p.everywhere for p in patterns):
        anywhere = StringValues(_TS_SHAPE)
        return _Compiled("mask_timestamp", 70, raw=lambda data, run, numbering: anywhere.replace(data, mask))
    if all(keys):
        members = MemberStrings([key for key in keys if key])
        return _Compiled("mask_timestamp", 70, raw=lambda data, run, numbering: members.replace(data, mask))
    paths = PathSet(patterns)

    def mask_node(node: Any) -> Any:
        return (timestamp_token(node, exact=exact) or node) if isinstance(node, str) else node

    return _Compiled("mask_timestamp", 70, tree=lambda doc, run: transform(doc, paths, mask_node))


@_rule("mask_uuid", 100, _Params)
def _mask_uuid(params: _Params) -> _Compiled:
    """Number UUIDs by first appearance (``<uuid:1>``, ``<uuid:2>`` ...) in keys, values and inside strings,
    so the reference structure is still compared; ids correlated on both sides stay literal."""

    def raw(data: bytes, run: _Run, numbering: bool) -> bytes:
        pieces = split_uuids(data)
        if len(pieces) == 1:
            return data
        found = pieces[1::2]
        known = run.ctx.known_ids_bytes
        if not numbering:
            pieces[1::2] = [uuid if uuid in known else b"<uuid>" for uuid in found]
            return b"".join(pieces)
        # Distinct UUIDs in order of first appearance, numbered, then substituted: all in C but the filter.
        distinct = dict.fromkeys(found if not known else [uuid for uuid in found if uuid not in known])
        numbers = dict(zip(distinct, uuid_tokens(len(distinct)), strict=False))
        if known:
            numbers.update((uuid, uuid) for uuid in known)
        pieces[1::2] = map(numbers.__getitem__, found)
        return b"".join(pieces)

    return _Compiled("mask_uuid", 100, raw=raw)
