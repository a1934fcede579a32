"""Normalization rules: each defined once here, registered by name, referenced by name from profiles.

Every rule is a pure JSON -> JSON function (``apply_rule`` works on a copy) and idempotent. Their phases
(``normalizer.py`` runs them in this order, whatever order a profile lists them in):

    parse_json_string → ignore → mask_value → id_map → mask_path_prefix → mask_regex → mask_timestamp
    → sort_array → multiset → mask_uuid

The document-wide masks (UUIDs, SHAs, path prefixes, timestamps by member name) are byte kernels over the
canonical serialization, which keeps them cheap (``scan.py``): in compact canonical JSON a UUID, a 40-hex
SHA containing a letter, a ``/``-path or a ``"name":"`` member can only occur inside a string, and every
replacement token is free of quotes and backslashes, so the result is still valid JSON of the same shape.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from comparators.canonical import NotJson, parse_json
from comparators.normalizer import (
    RULES,
    CompiledRule,
    NormalizeContext,
    Normalizer,
    Params,
    PathsParams,
    RuleRef,
    Run,
    register_rule,
)
from comparators.paths import REMOVE, PathPattern, PathSet, split_pointer, transform
from comparators.scan import TS_PLAIN, MemberStrings, StringValues, contains, replace_hex_runs, split_uuids
from comparators.timestamps import AUTOSI_FAST, mask_timestamp_bytes, timestamp_token
from comparators.tokens import uuid_tokens

__all__ = ["NAMED_PATTERNS", "RULES", "NormalizeContext", "Normalizer", "RuleRef", "apply_rule", "normalize"]


def normalize(doc: Any, rules: Sequence[RuleRef | Mapping[str, Any] | str], ctx: NormalizeContext | None = None) -> Any:
    """Normalize a copy of ``doc`` with the given rules (phase order)."""
    refs = [r if isinstance(r, RuleRef) else RuleRef.model_validate(r) for r in rules]
    return Normalizer(refs).normalize(doc, ctx)


def apply_rule(name: str, doc: Any, ctx: NormalizeContext | None = None, **params: Any) -> Any:
    """One rule on a copy of ``doc``: ``apply_rule("ignore", body, paths=["/data/id"])``."""
    return normalize(doc, [RuleRef(rule=name, params=params)], ctx)


# --------------------------------------------------------------------------------------------- tree rules


@register_rule("parse_json_string", 10, PathsParams)
def _parse_json_string(params: PathsParams) -> CompiledRule:
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

    return CompiledRule("parse_json_string", 10, tree=lambda doc, run: transform(doc, paths, parse))


@register_rule("ignore", 20, PathsParams)
def _ignore(params: PathsParams) -> CompiledRule:
    """Drop the selected members or elements (presence is not compared either: prefer mask_value)."""
    paths = PathSet(params.paths)
    return CompiledRule("ignore", 20, tree=lambda doc, run: transform(doc, paths, lambda node: REMOVE), fast_path=True)


@register_rule("mask_value", 30, PathsParams)
def _mask_value(params: PathsParams) -> CompiledRule:
    """Hide the selected values but keep their presence, JSON types and container shapes."""
    paths = PathSet(params.paths)
    return CompiledRule("mask_value", 30, tree=lambda doc, run: transform(doc, paths, _placeholder), fast_path=True)


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


class _SortParams(PathsParams):
    keys: list[str] = Field(min_length=1)
    descending: bool = False

    @field_validator("keys")
    @classmethod
    def _keys_are_pointers(cls, value: list[str]) -> list[str]:
        for key in value:
            split_pointer(key if key.startswith("/") else f"/{key}")
        return value


@register_rule("sort_array", 80, _SortParams)
def _sort_array(params: _SortParams) -> CompiledRule:
    """Sort the selected arrays by one or more members of their elements (``keys: [name]``)."""
    paths = PathSet(params.paths)
    keys = [split_pointer(key if key.startswith("/") else f"/{key}") for key in params.keys]

    def tree(doc: Any, run: Run) -> Any:
        def sort(node: Any) -> Any:
            if not isinstance(node, list):
                return node
            return sorted(
                node, key=lambda e: tuple(run.sort_key(_member(e, k)) for k in keys), reverse=params.descending
            )

        return transform(doc, paths, sort)

    return CompiledRule("sort_array", 80, tree=tree)


def _member(element: Any, tokens: list[str]) -> Any:
    for token in tokens:
        if isinstance(element, dict):
            element = element.get(token)
        elif isinstance(element, list) and token.isdigit() and int(token) < len(element):
            element = element[int(token)]
        else:
            return None
    return element


@register_rule("multiset", 90, PathsParams)
def _multiset(params: PathsParams) -> CompiledRule:
    """Compare the selected arrays as multisets (order ignored, repetitions counted)."""
    paths = PathSet(params.paths)

    def tree(doc: Any, run: Run) -> Any:
        return transform(doc, paths, lambda node: sorted(node, key=run.sort_key) if isinstance(node, list) else node)

    return CompiledRule("multiset", 90, tree=tree)


# --------------------------------------------------------------------------------------------- byte rules


@register_rule("id_map", 40, Params)
def _id_map(params: Params) -> CompiledRule:
    """Map candidate ids back to primary ids (the context's ``id_map``) wherever they occur."""

    def raw(data: bytes, run: Run, numbering: bool) -> bytes:
        mapping = run.ctx.id_map_bytes
        if not mapping:
            return data
        pieces = split_uuids(data)
        pieces[1::2] = [mapping.get(found, found) for found in pieces[1::2]]
        return b"".join(pieces)

    return CompiledRule("id_map", 40, raw=raw)


class _PrefixParams(Params):
    names: list[str] | None = None  # which context prefixes; None = all of them


@register_rule("mask_path_prefix", 50, _PrefixParams)
def _mask_path_prefix(params: _PrefixParams) -> CompiledRule:
    """Replace each side's own directories (context prefixes) by ``<NAME>``, anywhere in a string; a
    worktree dir right below one (``vk-<4 hex>-<slug>``) keeps only its slug."""
    wanted = None if params.names is None else frozenset(params.names)

    def raw(data: bytes, run: Run, numbering: bool) -> bytes:
        if b"/" not in data:  # every prefix is an absolute path; a one-byte search is memchr, cheap
            return data
        for prefix in run.ctx.prefix_patterns:
            if wanted is None or prefix.name in wanted:
                data = prefix.mask(data)
        return data

    return CompiledRule("mask_path_prefix", 50, raw=raw, fast_path=True, side_specific=True)


def _literal_sub(literal: bytes, pattern: bytes, replacement: bytes) -> Callable[[bytes], bytes]:
    compiled = re.compile(pattern)
    return lambda data: compiled.sub(replacement, data) if contains(data, literal) else data


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
# Their forms for unparsed response bytes (comparators.fastpath), where a match must lie inside a string:
# outside strings, in canonical JSON, a 40-hex run cannot occur, but in raw JSON a 40-character number
# such as 1…e… can; it has 20 digits in a row, and so would a SHA that is mostly digits: both left alone.
_NAMED_FAST: dict[str, Callable[[bytes], bytes]] = {
    "sha40": lambda data: replace_hex_runs(data, 40, b"<sha>", max_digit_run=18),
}


class _CustomPattern(Params):
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


class _RegexParams(Params):
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


@register_rule("mask_regex", 60, _RegexParams)
def _mask_regex(params: _RegexParams) -> CompiledRule:
    """Replace named (or custom) patterns inside strings: SHAs, short task ids, worktree branch names."""
    named = [NAMED_PATTERNS[name][1] for name in params.patterns]
    named_fast = [_NAMED_FAST.get(name, NAMED_PATTERNS[name][1]) for name in params.patterns]
    # Custom patterns could match JSON syntax, so they run on string values of the tree, never on bytes.
    custom = [(PathSet(c.paths), re.compile(c.regex), c.replacement) for c in params.custom]

    def raw(data: bytes, run: Run, numbering: bool) -> bytes:
        for replace in named:
            data = replace(data)
        return data

    def raw_fast(data: bytes, run: Run, numbering: bool) -> bytes:
        for replace in named_fast:
            data = replace(data)
        return data

    def tree(doc: Any, run: Run) -> Any:
        for paths, pattern, replacement in custom:
            doc = transform(doc, paths, _string_sub(pattern, replacement))
        return doc

    # Custom patterns may match anything inside a string (part of a UUID, say): not for the fast path.
    return CompiledRule(
        "mask_regex",
        60,
        raw=raw if named else None,
        tree=tree if custom else None,
        fast_path=not custom,
        raw_fast=raw_fast if named else None,
        fixed_lengths=True,
    )


def _string_sub(pattern: re.Pattern[str], replacement: str) -> Callable[[Any], Any]:
    return lambda node: pattern.sub(replacement, node) if isinstance(node, str) else node


class _TimestampParams(PathsParams):
    # The inherited pattern check still applies; only the default differs (every string).
    paths: list[str] = Field(default_factory=lambda: ["/**"], min_length=1)
    # "any": AutoSi precisions (s/ms/us/ns) are one format; "exact": the printed precision must match too.
    precision: Literal["any", "exact"] = "any"


# Candidate spellings of an RFC 3339 timestamp (validated precisely by timestamps.py).
_TS_SHAPE = rb"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?(?:[Zz]|[+-][0-9]{2}:[0-9]{2})"

_TS_TOKEN = b"<ts>"


@register_rule("mask_timestamp", 70, _TimestampParams)
def _mask_timestamp(params: _TimestampParams) -> CompiledRule:
    """Replace RFC 3339 timestamps by a format token (``<ts>``); a non-timestamp stays as it is, so a
    different format family shows up as a FORMAT difference (see ``timestamps.py`` for the decision)."""
    exact = params.precision == "exact"
    autosi = AUTOSI_FAST.fullmatch

    def mask(value: bytes) -> bytes:
        return _TS_TOKEN if not exact and autosi(value) else mask_timestamp_bytes(value, exact=exact)

    # With any precision, TS_PLAIN values become <ts> in C and the mask only sees the rest (it maps TS_PLAIN
    # values to <ts> and leaves <ts> alone, so the result is the same).
    plain = None if exact else (TS_PLAIN, _TS_TOKEN)
    patterns = [PathPattern(p) for p in params.paths]
    keys = [p.anywhere_key for p in patterns]
    if any(p.everywhere for p in patterns):
        anywhere = StringValues(_TS_SHAPE, plain=plain)
        return CompiledRule(
            "mask_timestamp", 70, raw=lambda data, run, numbering: anywhere.replace(data, mask), fast_path=True
        )
    if all(keys):
        members = MemberStrings([key for key in keys if key], plain=plain)
        return CompiledRule(
            "mask_timestamp",
            70,
            raw=lambda data, run, numbering: members.replace(data, mask),
            fast_path=True,
            masks_keys=False,
            raw_exact=True,
        )
    paths = PathSet(patterns)

    def mask_node(node: Any) -> Any:
        return (timestamp_token(node, exact=exact) or node) if isinstance(node, str) else node

    return CompiledRule("mask_timestamp", 70, tree=lambda doc, run: transform(doc, paths, mask_node))


@register_rule("mask_uuid", 100, Params)
def _mask_uuid(params: Params) -> CompiledRule:
    """Number UUIDs by first appearance (``<uuid:1>``, ``<uuid:2>`` ...) in keys, values and inside strings,
    so the reference structure is still compared; ids correlated on both sides stay literal."""

    def raw(data: bytes, run: Run, numbering: bool) -> bytes:
        pieces = split_uuids(data)
        if len(pieces) == 1:
            return data
        found = pieces[1::2]
        known = run.ctx.known_ids_bytes
        if not numbering:
            pieces[1::2] = [uuid if uuid in known else b"<uuid>" for uuid in found]
            return b"".join(pieces)
        pieces[1::2] = number_uuids(found, known)
        return b"".join(pieces)

    return CompiledRule("mask_uuid", 100, raw=raw)


def number_uuids(found: Sequence[bytes], known: Collection[bytes] = frozenset()) -> list[bytes]:
    """What ``mask_uuid`` puts in place of each UUID found (in document order): ``<uuid:n>`` by first
    appearance, a known id itself. Two documents with the same text between their UUIDs normalize equal
    exactly when these lists are equal (the equality fast path relies on it)."""
    # Distinct UUIDs in order of first appearance, numbered, then substituted: all in C.
    distinct = dict.fromkeys(itertools.filterfalse(known.__contains__, found) if known else found)
    numbers = dict(zip(distinct, uuid_tokens(len(distinct)), strict=False))
    # A known id is not among the numbered ones: .get(uuid, uuid) keeps it (no pass over all known ids).
    return list(map(numbers.get, found, found)) if known else list(map(numbers.__getitem__, found))
