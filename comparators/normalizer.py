"""The rule engine: what a side knows (``NormalizeContext``), how rules are registered and referenced
(``RULES``, ``RuleRef``) and how a route's rules run (``Normalizer``). The rules themselves are defined in
``normalize.py``, once each.

Rules run in a fixed order given by their *phase*, whatever order a profile lists them in, so that a
profile cannot number UUIDs before candidate ids were mapped back, or sort a list before its volatile
fields were masked. Each rule compiles to a *tree* kernel (walks the parsed value, visiting only what its
path patterns select) and/or a *byte* kernel (runs over the canonical serialization); a ``Normalizer`` runs
the tree kernels, serializes canonically once, then runs the byte kernels.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import orjson
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from comparators.canonical import canonical_bytes, canonical_bytes_fit, copy_json, parse_json
from comparators.paths import PathPattern
from comparators.scan import all_uuids, contains, replace_at_boundaries
from comparators.tokens import UUID_TEXT

__all__ = [
    "RULES",
    "CompiledRule",
    "NormalizeContext",
    "Normalizer",
    "Params",
    "PathsParams",
    "PrefixPattern",
    "RuleRef",
    "RuleSpec",
    "Run",
    "register_rule",
]

_PREFIX_NAME = re.compile(r"[A-Z][A-Z0-9_]*")


@dataclass(frozen=True)
class NormalizeContext:
    """What one side of a comparison needs beyond the document.

    ``prefixes``: token name → absolute path on this side (``{"WORK": "/tmp/w1", "HOME": "/tmp/h1"}``);
    ``id_map``: candidate id → primary id (given on the candidate side only); ``known_ids``: primary ids
    correlated on both sides, kept literal by ``mask_uuid`` so a wrong reference is a real finding.
    ``raw_safe``: the prefixes may be masked in unparsed bytes (``comparators.fastpath``).
    """

    prefixes: Mapping[str, str | Sequence[str]] = field(default_factory=dict)
    id_map: Mapping[str, str] = field(default_factory=dict)
    known_ids: frozenset[str] = frozenset()
    prefix_patterns: tuple[PrefixPattern, ...] = field(init=False, repr=False, compare=False)
    raw_safe: bool = field(init=False, repr=False, compare=False)
    id_map_bytes: dict[bytes, bytes] = field(init=False, repr=False, compare=False)
    maps_to_uuids: bool = field(init=False, repr=False, compare=False)  # every id_map value is a whole UUID
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
        object.__setattr__(self, "raw_safe", _raw_safe(pairs))
        self.__dict__.update(_id_fields(self.id_map, self.known_ids))

    def with_ids(
        self, id_map: Mapping[str, str], known_ids: frozenset[str], known_ids_bytes: frozenset[bytes] | None = None
    ) -> NormalizeContext:
        """This context with another ``id_map`` and ``known_ids`` (``known_ids_bytes``: their byte forms,
        when the caller has them): what it derived from its prefixes is shared, not checked and compiled
        again (a comparison with correlated ids builds two of these)."""
        derived = object.__new__(NormalizeContext)
        # A frozen dataclass keeps its fields in __dict__ (no slots): filled at once, as __init__ would.
        derived.__dict__.update(
            prefixes=self.prefixes,
            prefix_patterns=self.prefix_patterns,
            raw_safe=self.raw_safe,
            **_id_fields(id_map, known_ids, known_ids_bytes),
        )
        return derived

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


def _id_fields(
    id_map: Mapping[str, str], known_ids: frozenset[str], known_ids_bytes: frozenset[bytes] | None = None
) -> dict[str, Any]:
    """A context's id fields and what it derives from them (``__post_init__`` and ``with_ids``)."""
    id_map_bytes = {k.encode(): v.encode() for k, v in id_map.items()}
    return {
        "id_map": id_map,
        "known_ids": known_ids,
        "id_map_bytes": id_map_bytes,
        "maps_to_uuids": all_uuids(id_map_bytes.values()),
        "known_ids_bytes": known_ids_bytes
        if known_ids_bytes is not None
        else frozenset([value.encode() for value in known_ids]),
    }


@lru_cache(maxsize=256)
def _prefix_patterns(pairs: frozenset[tuple[str, str]]) -> tuple[PrefixPattern, ...]:
    """Per prefix path, longest first (the worktrees root may sit inside a work dir or HOME)."""
    found = []
    for name, path in sorted(pairs, key=lambda item: (-len(item[1]), item)):
        literal = orjson.dumps(path)[1:-1]  # as it appears inside a JSON string
        escaped = re.escape(literal)
        found.append(
            PrefixPattern(
                name=name,
                literal=literal,
                # a worktree dir right below the prefix: vk-<4 hex of the attempt id>-<slug> keeps its slug
                worktree=re.compile(escaped + rb"/vk-[0-9a-f]{4}-"),
                # the prefix itself, ending at a path boundary (/tmp/w1 does not mask /tmp/w10)
                plain=re.compile(escaped + rb"(?!" + _PATH_CONTINUES + rb")"),
                token=f"<{name}>".encode(),
                worktree_literal=literal + b"/vk-",
            )
        )
    return tuple(found)


# What a prefix path must not hold for its mask to run on unparsed response bytes (comparators.fastpath):
# JSON escapes or control characters, a UUID (id_map runs after the mask there), 19 digits in a row (which
# would let the two sides be parsed by different parsers, see canonical.py).
_UNSAFE_IN_PATH = re.compile(r'["\\\x00-\x1f\x7f]|[0-9]{19}')


@lru_cache(maxsize=256)
def _raw_safe(pairs: frozenset[tuple[str, str]]) -> bool:
    return not any(_UNSAFE_IN_PATH.search(path) or UUID_TEXT.search(path) for _, path in pairs)


_PATH_CONTINUES = rb"[A-Za-z0-9._-]"  # a byte after a prefix that makes it part of a longer name


@dataclass(frozen=True)
class PrefixPattern:
    name: str
    literal: bytes
    worktree: re.Pattern[bytes]
    plain: re.Pattern[bytes]
    token: bytes  # <NAME>
    worktree_literal: bytes  # what every match of ``worktree`` starts with: <prefix>/vk-

    def mask(self, data: bytes) -> bytes:
        """Every occurrence of the prefix at a path boundary → ``<NAME>``; a worktree dir right below it
        keeps only its slug."""
        if contains(data, self.worktree_literal):
            data = self.worktree.sub(self.token + b"/vk-<xxxx>-", data)
        # Usually every occurrence ends at a boundary: then the regex would replace exactly the occurrences
        # a plain search finds (both take the leftmost, without overlaps). Otherwise the regex, which also
        # looks for occurrences overlapping a rejected one.
        replaced = replace_at_boundaries(data, self.literal, self.token)
        return replaced if replaced is not None else self.plain.sub(self.token, data)


class Run:
    """One normalization of one document: the context plus the key masker sort rules need."""

    def __init__(self, ctx: NormalizeContext, raw: Sequence[CompiledRule]) -> None:
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


TreeKernel = Callable[[Any, Run], Any]
RawKernel = Callable[[bytes, Run, bool], bytes]


@dataclass(frozen=True, eq=False)  # compared by identity: one compiled rule of one route
class CompiledRule:
    """``fast_path``: the rule may run in ``comparators.fastpath`` (on the raw bytes of a response, before
    any parse). A byte kernel qualifies when each of its matches lies inside the content of one JSON string,
    is decided by that content alone (or, for a whole member value, by the member's name too), and is
    replaced by a token free of quotes and backslashes that contains ``<``; a tree kernel when it selects
    what it changes by the document's structure only (paths), never by values. ``id_map`` and ``mask_uuid``
    are the fast path's own business (it does their work on the UUIDs it splits out)."""

    name: str
    phase: int
    tree: TreeKernel | None = None
    raw: RawKernel | None = None
    fast_path: bool = False
    raw_fast: RawKernel | None = None  # the byte kernel's form for the fast path, when it must differ
    masks_keys: bool = True  # False: the byte kernel only ever replaces member values, never object keys
    # True: every match of one kind has the same length and the same token (a SHA is 40 digits), so two
    # documents that end up equal changed length alike here (the fast path compares lengths before it)
    fixed_lengths: bool = False
    # True: the byte kernel finds in unparsed JSON exactly what it finds in the canonical form (when no key
    # is spelled with a \u escape) and commutes with every rule a fast-path route may have (fast_path);
    # comparators.fastpath applies it first and the exact path takes the result over instead of doing the
    # work again.
    raw_exact: bool = False
    # True: the byte kernel depends on the side's context (path prefixes), so finding nothing in the primary
    # says nothing about the candidate: comparators.fastpath runs it on both sides always.
    side_specific: bool = False


class Params(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PathsParams(Params):
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
    params: type[Params]
    build: Callable[[Any], CompiledRule]
    summary: str


RULES: dict[str, RuleSpec] = {}


def register_rule(
    name: str, phase: int, params: type[Params]
) -> Callable[[Callable[[Any], CompiledRule]], Callable[[Any], CompiledRule]]:
    def register(build: Callable[[Any], CompiledRule]) -> Callable[[Any], CompiledRule]:
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

    def compile(self) -> CompiledRule:
        spec = RULES[self.rule]
        return spec.build(spec.params.model_validate(self.params))


class Normalizer:
    """A compiled, phase-ordered list of rules (built once per route, reused for every exchange)."""

    def __init__(self, rules: Sequence[RuleRef]) -> None:
        compiled = sorted((ref.compile() for ref in rules), key=lambda rule: rule.phase)
        self.rules = tuple(compiled)
        self.rule_names = tuple(rule.name for rule in compiled)
        self._tree = [rule for rule in compiled if rule.tree is not None]
        self._raw = [rule for rule in compiled if rule.raw is not None]

    def canonical(
        self,
        doc: Any,
        ctx: NormalizeContext | None = None,
        *,
        owned: bool = False,
        applied: Collection[CompiledRule] = (),
    ) -> bytes:
        """Canonical bytes of the normalized document. With ``owned=True`` the tree rules may modify
        ``doc`` in place (for a value the caller just parsed and will not reuse). ``applied``: byte rules
        (``raw_exact`` ones) already applied to the document before it was parsed."""
        return self.canonical_fit(doc, ctx, owned=owned, applied=applied)[0]

    def canonical_fit(
        self,
        doc: Any,
        ctx: NormalizeContext | None = None,
        *,
        owned: bool = False,
        applied: Collection[CompiledRule] = (),
    ) -> tuple[bytes, bool]:
        """``canonical``, and whether every integer in it fits 64 bits (``canonical_bytes_fit``; the byte
        rules only replace string contents by tokens, numbers stay as orjson wrote them): then
        ``parse_json(data, integers_fit=True)`` parses it exactly without its scan."""
        run = Run(ctx or NormalizeContext(), self._raw)
        if self._tree and not owned:
            doc = copy_json(doc)
        for rule in self._tree:
            assert rule.tree is not None
            doc = rule.tree(doc, run)
        data, fit = canonical_bytes_fit(doc)
        for rule in self._raw:
            assert rule.raw is not None
            if rule not in applied:
                data = rule.raw(data, run, True)
        return data, fit

    def normalize(self, doc: Any, ctx: NormalizeContext | None = None, *, owned: bool = False) -> Any:
        if not self._raw:
            run = Run(ctx or NormalizeContext(), self._raw)
            doc = doc if owned else copy_json(doc)
            for rule in self._tree:
                assert rule.tree is not None
                doc = rule.tree(doc, run)
            return doc
        return parse_json(self.canonical(doc, ctx, owned=owned))
