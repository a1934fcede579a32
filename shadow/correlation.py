"""Id correlation: the primary and the candidate mint different ids for the same entity.

When both answer the same request, every JSON position where both hold a UUID-like string pairs the two
ids (``learn``). The map is bidirectional and bounded (least recently learned pairs go first). A pair that
contradicts a known one (a primary id already paired with another candidate id, or the reverse) is a
*conflict*: it is not learned, and the caller counts and records it, because it means the candidate
returned a different entity where the primary returned a known one.

Later candidate requests are rewritten through the map (path segments, query string, text bodies), and
the comparator gets ``candidate_to_primary`` so candidate ids are mapped back before diffing: an id that
still differs after that is a finding, not noise.
"""

from __future__ import annotations

import dataclasses
import re
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Literal

import orjson

from comparators.message import HttpRequest, HttpResponse

__all__ = ["UUID_PATTERN", "Conflict", "IdMap", "created_id", "json_body"]

UUID_PATTERN = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
_UUID_TEXT = re.compile(UUID_PATTERN)
_UUID_BYTES = re.compile(UUID_PATTERN.encode())
_WHOLE_UUID = re.compile(f"^{UUID_PATTERN}$")
# Bodies we rewrite as text; anything else (images, multipart files) is sent as it came.
_TEXT_TYPES = ("application/json", "application/x-www-form-urlencoded", "text/")


@dataclass(frozen=True)
class Conflict:
    """A pair seen at ``path`` that contradicts the map: ``side``'s id is already paired with ``known``."""

    path: str
    primary: str
    candidate: str
    side: Literal["primary", "candidate"]
    known: str


class IdMap:
    def __init__(self, max_pairs: int = 100_000) -> None:
        self._max_pairs = max_pairs
        self._to_candidate: OrderedDict[str, str] = OrderedDict()
        self._to_primary: dict[str, str] = {}
        self.conflicts = 0

    def __len__(self) -> int:
        return len(self._to_candidate)

    @property
    def candidate_to_primary(self) -> Mapping[str, str]:
        """Read-only live view, for ``compare_exchange(id_map=...)``."""
        return MappingProxyType(self._to_primary)

    def relevant(self, primary_body: bytes, candidate_body: bytes) -> dict[str, str]:
        """The candidate -> primary pairs either body mentions: what one comparison needs. Handing the
        comparator the whole map would cost O(map size) per exchange (it copies what it is given)."""
        found: dict[str, str] = {}
        for match in _UUID_BYTES.finditer(candidate_body):
            key = match.group().decode().lower()
            if (partner := self._to_primary.get(key)) is not None:
                found[key] = partner
        for match in _UUID_BYTES.finditer(primary_body):
            key = match.group().decode().lower()
            if (partner := self._to_candidate.get(key)) is not None:
                found[partner] = key
        return found

    def primary_of(self, candidate_id: str) -> str | None:
        return self._to_primary.get(candidate_id.lower())

    def candidate_of(self, primary_id: str) -> str | None:
        return self._to_candidate.get(primary_id.lower())

    def pair(self, primary_id: str, candidate_id: str, *, path: str = "") -> Conflict | None:
        """Record one pair, or return the conflict it would create (and learn nothing)."""
        primary_id, candidate_id = primary_id.lower(), candidate_id.lower()
        known_candidate = self._to_candidate.get(primary_id)
        if known_candidate is not None and known_candidate != candidate_id:
            self.conflicts += 1
            return Conflict(path, primary_id, candidate_id, "primary", known_candidate)
        known_primary = self._to_primary.get(candidate_id)
        if known_primary is not None and known_primary != primary_id:
            self.conflicts += 1
            return Conflict(path, primary_id, candidate_id, "candidate", known_primary)
        if known_candidate is not None:
            self._to_candidate.move_to_end(primary_id)
            return None
        self._to_candidate[primary_id] = candidate_id
        self._to_primary[candidate_id] = primary_id
        while len(self._to_candidate) > self._max_pairs:
            _, evicted = self._to_candidate.popitem(last=False)
            self._to_primary.pop(evicted, None)
        return None

    def learn(self, primary: Any, candidate: Any, *, path: str = "") -> list[Conflict]:
        """Pair ids found at the same JSON positions of two documents; returns the conflicts."""
        conflicts: list[Conflict] = []
        # Iterative, and the JSON Pointer of a position is only spelled out for a conflict: walking a
        # response is on every exchange's path, conflicts are rare.
        stack: list[tuple[Any, Any, tuple[str | int, ...]]] = [(primary, candidate, ())]
        while stack:
            left, right, where = stack.pop()
            if isinstance(left, dict):
                if isinstance(right, dict):
                    stack.extend((value, right[key], (*where, key)) for key, value in left.items() if key in right)
            elif isinstance(left, list):
                if isinstance(right, list) and len(left) == len(right):  # else they do not line up by index
                    stack.extend((a, b, (*where, index)) for index, (a, b) in enumerate(zip(left, right, strict=True)))
            elif _is_uuid(left) and _is_uuid(right):
                conflict = self.pair(left, right)
                if conflict is not None:
                    pointer = path + "".join(f"/{_escape(str(part))}" for part in where)
                    conflicts.append(dataclasses.replace(conflict, path=pointer))
        return conflicts

    def learn_responses(self, primary: HttpResponse, candidate: HttpResponse) -> list[Conflict]:
        """``learn`` over two JSON responses with the same status; anything else teaches nothing."""
        if primary.status != candidate.status:
            return []
        left, right = json_body(primary), json_body(candidate)
        if left is None or right is None:
            return []
        return self.learn(left, right, path="/body")

    def to_candidate(self, text: str) -> str:
        return _UUID_TEXT.sub(lambda m: self._to_candidate.get(m.group().lower(), m.group()), text)

    def rewrite(self, request: HttpRequest) -> HttpRequest:
        """The request with every known primary id replaced by its candidate id."""
        if not self._to_candidate:
            return request
        body = request.body
        content_type = (request.header("content-type") or "").lower()
        if body and content_type.startswith(_TEXT_TYPES):
            body = _UUID_BYTES.sub(self._swap_bytes, body)
        return request.model_copy(
            update={"path": self.to_candidate(request.path), "query": self.to_candidate(request.query), "body": body}
        )

    def _swap_bytes(self, match: re.Match[bytes]) -> bytes:
        found = self._to_candidate.get(match.group().decode().lower())
        return found.encode() if found is not None else match.group()


def json_body(response: HttpResponse) -> Any | None:
    """The parsed JSON body, or None when the response is not JSON."""
    if not response.body or "json" not in response.content_type:
        return None
    try:
        return orjson.loads(response.body)
    except orjson.JSONDecodeError:
        return None


def created_id(response: HttpResponse) -> str | None:
    """The id of the entity a write answered with (``data.id`` of the 0.0.71 envelope), if any."""
    document = json_body(response)
    if isinstance(document, dict):
        data = document.get("data")
        if isinstance(data, dict) and isinstance(data.get("id"), str) and _WHOLE_UUID.match(data["id"]):
            return str(data["id"])
    return None


def _is_uuid(value: Any) -> bool:
    return type(value) is str and len(value) == 36 and _WHOLE_UUID.match(value) is not None


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")
