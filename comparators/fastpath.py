"""The equality fast path: prove from the raw bytes of two JSON responses that they normalize equal.

The exact path parses both bodies, serializes them canonically (sorted keys), runs the route's rules and
numbers UUIDs; most exchanges of a healthy migration are equal, and for them that work only confirms it.
Here the route's byte kernels (path prefixes, SHAs, short ids, timestamps: each replaces a match by a
token) run on the raw bytes of each side, the UUIDs are split out, and the two sides are equal when the
text between the UUIDs is the same and ``number_uuids`` gives the same list on both sides (a bijective
renaming, ``id_map`` and known ids honoured exactly as ``mask_uuid`` does). Only the primary is parsed, to
know it is JSON at all. ``equal`` answers True only when the exact path would find no body difference;
False means "not proven", never "different": the caller then runs the exact path.

Why equal bytes here mean equal normalized documents (each condition below is checked, or the answer is
False):

* The primary is valid JSON, and every byte kernel's match lies inside the content of one string (a UUID,
  a ``/``-path, ``(vibe-kanban``, ``vk-`` or a member value cannot occur outside a string in valid JSON; the
  fast form of the SHA mask leaves alone runs with 19 or more digits, which covers a 40-character number
  such as ``1…e…``). So the substituted text S is valid JSON of the same structure, with tokens inside
  strings.
* No match starts inside an escape sequence: the primary has no ``\\u``, ``\\b``, ``\\f`` or ``\\/`` (a
  match could begin at the escaped character). Tokens hold no quote or backslash. So the candidate, which
  is S with its own matches put back at token positions (``\\<`` is no valid escape, so those are fresh
  positions too), is valid JSON of the same structure, parsed by the same parser (its digit runs are the
  primary's: the masked values have fewer than 19 digits in a row).
* Without ``\\u`` and ``\\/`` the string contents of the raw bytes are byte for byte those of the canonical
  serialization, and the kernels decide from string contents only (``CompiledRule.fast_path``), so they
  match the same values in both; a value the raw form spells so that a kernel misses it (a string after
  ``[ `` for the anywhere-timestamps, say) is simply not masked here, which only asks for more equality.
* No token or UUID lies inside an object key: sorting keys by masked content could order the two sides
  differently. Other keys are equal on both sides, so canonical sorting permutes both documents alike,
  and first-appearance numbering agrees under the same permutation (equal numbering lists ⟺ a bijection
  between the UUIDs, which survives reordering and dropping duplicate members).
* Tree rules of the route select by structure only (ignore, mask_value), so they act alike on both sides.
  Routes with rules that look at values (sort_array, multiset, parse_json_string, custom regexes, path
  timestamps) have no fast path.
* Prefix paths hold no quotes, backslashes, control characters, UUIDs or 19-digit runs, and ``id_map``
  maps to UUIDs, so mapping ids after the other kernels (here) instead of before them (exact path)
  changes nothing they match.
* The order of the kernels differs from the exact path's: the member timestamps first (``raw_exact``),
  then the other kernels whose matches vary in length (path prefixes), then those of fixed lengths (the
  named patterns of mask_regex). That changes nothing: a timestamp holds none of the others' matches and
  no token is a timestamp. It lets the lengths be compared before most of the work (a cheap exit for
  answers that differ), and hands the timestamp pass over when equality is not proven.

Work is spared where it cannot change the outcome: a kernel that finds nothing in the primary and decides
alike on both sides (SHAs, short ids, branches; not path prefixes, which differ per side) is not run on the
candidate (equal text around it would be a match in the primary too); the candidate's UUIDs are cut
where the primary's are instead of being searched for; small answers with different numbers of quotes are
let go at once. A failed attempt is not wasted: ``Attempt.primary``/``.candidate`` carry each body with its
member timestamps masked (the member mask finds in raw JSON exactly what it finds in the canonical form,
unless a key is spelled with ``\\u``, checked), and ``compare`` parses those and skips that rule.
"""

from __future__ import annotations

import operator
import re
from dataclasses import dataclass
from functools import lru_cache

from comparators.canonical import NotJson, parse_json
from comparators.normalize import number_uuids
from comparators.normalizer import CompiledRule, NormalizeContext, Normalizer, RawKernel, Run
from comparators.scan import all_uuids, split_uuids, uuids_in_step

__all__ = ["Attempt", "FastPath", "Premasked", "fast_path_for"]

# An escape whose escaped character could begin a match (\b, \f: hex digits; \/: a path) or that the
# canonical form spells differently (\u, \/).
_ESCAPE_HAZARD = re.compile(rb"\\[ubf/]")
_UNICODE_ESCAPE = re.compile(rb"\\u")
_SMALL_BODY = 16 * 1024
# A UUID (marked \x00 once split out) or a token (all contain <) followed by the rest of its string and a
# colon: it lies inside an object key. Possessive: no backtracking over long strings. Two patterns, each
# starting at a literal: a character class at the start makes the regex engine crawl (10x slower).
_REST_OF_KEY = rb'[^"\\]*+(?:\\.[^"\\]*+)*+"[ \t\r\n]*+:'
_UUID_IN_KEY = re.compile(rb"\x00" + _REST_OF_KEY)
_TOKEN_IN_KEY = re.compile(rb"<" + _REST_OF_KEY)
_UUID_MARK = b"\x00"
_ENDS_A_VALUE = operator.methodcaller("startswith", (b'",', b'"}', b'"]'))


@dataclass(frozen=True)
class Premasked:
    """A raw body with some byte rules (``CompiledRule.raw_exact``) applied already: the exact path parses
    it instead of the body and skips those rules, so a failed fast path costs no work twice."""

    body: bytes
    applied: frozenset[CompiledRule]


@dataclass(frozen=True)
class Attempt:
    """``proven``: the bodies normalize equal. Otherwise what the exact path may take over, per side."""

    proven: bool
    primary: Premasked | None = None
    candidate: Premasked | None = None


_PROVEN = Attempt(True)  # immutable: one instance serves every proven attempt

Kernels = tuple[tuple[CompiledRule, RawKernel], ...]


class FastPath:
    """The fast path of one route's rules (``fast_path_for``)."""

    def __init__(
        self, first: Kernels, varying: Kernels, fixed: Kernels, *, maps_ids: bool, numbers_uuids: bool
    ) -> None:
        # In phase order within each group: the raw_exact rules (their result is handed to the exact path),
        # the other rules whose matches vary in length, then those of fixed lengths (CompiledRule).
        self._first, self._varying, self._fixed = first, varying, fixed
        self._first_rules = frozenset(rule for rule, _ in first)
        self._maps_ids = maps_ids
        self._numbers_uuids = numbers_uuids

    def equal(self, primary: bytes, candidate: bytes, contexts: tuple[NormalizeContext, NormalizeContext]) -> bool:
        """True when both bodies, parsed as JSON and normalized by the route's rules, are equal; False when
        that is not proven here."""
        return self.attempt(primary, candidate, contexts).proven

    def attempt(self, primary: bytes, candidate: bytes, contexts: tuple[NormalizeContext, NormalizeContext]) -> Attempt:
        """``equal``, and when not proven, the bodies with the ``raw_exact`` rules applied (when that was
        done for a side and is valid there) for the exact path."""
        p_ctx, c_ctx = contexts
        if not (p_ctx.raw_safe and c_ctx.raw_safe) or (b"\\" in primary and _ESCAPE_HAZARD.search(primary)):
            return Attempt(False)
        # Quotes are never masked, so provably equal answers have as many. On a small body the kernels'
        # fixed cost per call outweighs counting (1 µs for 2 KB) and what the exact path could take over, so
        # an answer of another structure is let go at once; on a large one counting would cost 0.1 ms for
        # nothing when the answers are equal (the usual case) and a failed attempt hands its work over.
        if len(primary) <= _SMALL_BODY and primary.count(b'"') != candidate.count(b'"'):
            return Attempt(False)
        runs = Run(p_ctx, ()), Run(c_ctx, ())
        p_first, c_first, c_done, in_keys = self._masked(self._first, primary, candidate, runs)
        p_text, c_text, _, varying_in_keys = self._masked(self._varying, p_first, c_first, runs)
        # UUIDs are 36 bytes and the remaining kernels change lengths alike on equal documents: unequal
        # lengths already tell (cheaply, before most of the work) that equality cannot be proven.
        if len(p_text) != len(c_text):
            return self._handed(p_first, c_first, c_done, candidate)
        p_text, c_text, _, fixed_in_keys = self._masked(self._fixed, p_text, c_text, runs)
        if len(p_text) != len(c_text):
            return self._handed(p_first, c_first, c_done, candidate)
        p_pieces = split_uuids(p_text)
        c_found = uuids_in_step(p_pieces[0::2], c_text)
        if c_found is None or not self._same_uuids(p_pieces[1::2], c_found, p_ctx, c_ctx):
            return self._handed(p_first, c_first, c_done, candidate)
        between = p_pieces[0::2]
        # A UUID that ends its string, followed by , } or ], is a value (a key is followed by a colon): the
        # usual case, checked in C; otherwise look at the rest of each UUID's string.
        if not all(map(_ENDS_A_VALUE, between[1:])) and _UUID_IN_KEY.search(_UUID_MARK.join(between)):
            return self._handed(p_first, c_first, c_done, candidate)
        in_keys = in_keys or varying_in_keys or fixed_in_keys
        if in_keys and b"<" in p_text and _TOKEN_IN_KEY.search(p_text):
            return self._handed(p_first, c_first, c_done, candidate)
        try:
            parse_json(primary)
        except NotJson:
            return self._handed(p_first, c_first, c_done, candidate)
        return _PROVEN

    def _handed(self, p_first: bytes, c_first: bytes, c_done: bool, candidate: bytes) -> Attempt:
        """Not proven: each side's body after the ``raw_exact`` kernels, for the exact path (the candidate's
        only when every kernel ran on it, and its keys hold no ``\\u`` escape). Built only here: a proven
        attempt needs none of it."""
        c_valid = c_done and not _unicode_escapes(candidate)
        return Attempt(
            False, Premasked(p_first, self._first_rules), Premasked(c_first, self._first_rules) if c_valid else None
        )

    @staticmethod
    def _masked(
        kernels: Kernels, primary: bytes, candidate: bytes, runs: tuple[Run, Run]
    ) -> tuple[bytes, bytes, bool, bool]:
        """Both sides through the byte kernels; whether every kernel ran on the candidate; whether a kernel
        whose tokens may sit in keys changed anything."""
        p_run, c_run = runs
        in_keys, c_done = False, True
        for rule, kernel in kernels:
            masked = kernel(primary, p_run, True)
            if masked is primary and not rule.side_specific:
                # Nothing of this kind in the primary, and the kernel decides alike on both sides. Whatever
                # the candidate holds at the same place must then be equal text (which would be a match in
                # the primary too), so the kernel would not change the outcome: spare the pass over the
                # candidate. Not for path prefixes: the candidate's own directory is no match in the primary.
                c_done = False
                continue
            primary, candidate = masked, kernel(candidate, c_run, True)
            in_keys = in_keys or rule.masks_keys
        return primary, candidate, c_done, in_keys

    def _same_uuids(
        self, p_found: list[bytes], c_found: list[bytes], p_ctx: NormalizeContext, c_ctx: NormalizeContext
    ) -> bool:
        mapping = c_ctx.id_map_bytes if self._maps_ids else None
        if mapping:
            mapped = list(map(mapping.get, c_found, c_found))
            # An id mapped to something that is not a UUID would change what the other kernels see.
            if not c_ctx.maps_to_uuids and not all_uuids(set(mapped).difference(c_found)):
                return False
            c_found = mapped
        if not self._numbers_uuids:
            return p_found == c_found
        # The numberings agree exactly when pairing the UUIDs position by position is a bijection (a
        # function both ways), cheaper to check than to number both sides.
        forward = dict(zip(p_found, c_found, strict=True))
        if len(forward) != len(set(forward.values())) or list(map(forward.__getitem__, p_found)) != c_found:
            return False
        p_known, c_known = p_ctx.known_ids_bytes, c_ctx.known_ids_bytes
        if not (p_known or c_known):
            return True
        if p_known != c_known:
            return number_uuids(p_found, p_known) == number_uuids(c_found, c_known)
        # Known ids stay literal and the others are numbered: with the same known ids on both sides that
        # also asks each known id, on either side, to be paired with itself.
        paired_known = p_known.intersection(forward).union(p_known.intersection(c_found))
        return all(forward.get(known) == known for known in paired_known)


def _unicode_escapes(body: bytes) -> bool:
    return b"\\" in body and _UNICODE_ESCAPE.search(body) is not None


@lru_cache(maxsize=256)
def fast_path_for(normalizer: Normalizer) -> FastPath | None:
    """The fast path for a route's compiled rules, or None when one of its rules may decide by values
    (see the module docstring); built once per normalizer."""
    first: list[tuple[CompiledRule, RawKernel]] = []
    varying: list[tuple[CompiledRule, RawKernel]] = []
    fixed: list[tuple[CompiledRule, RawKernel]] = []
    for rule in normalizer.rules:
        if rule.name in ("id_map", "mask_uuid"):
            continue
        if not rule.fast_path:
            return None
        if rule.raw is not None:
            group = first if rule.raw_exact else fixed if rule.fixed_lengths else varying
            group.append((rule, rule.raw_fast or rule.raw))
    names = set(normalizer.rule_names)
    return FastPath(
        tuple(first), tuple(varying), tuple(fixed), maps_ids="id_map" in names, numbers_uuids="mask_uuid" in names
    )
