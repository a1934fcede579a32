"""Ordered lanes: the candidate sees mirrored requests in an order consistent with the primary's.

Exchanges are admitted in the order the primary completed them. Per scope (one global scope by default;
a scope key such as a project id gives independent lanes):

* a **write** waits for the previous write of its scope (writes reach the candidate one at a time, in the
  primary's completion order) and for the reads of its scope that completed before it started (so a read
  is not answered from a state the primary had not reached yet);
* a **read** waits for the writes of its scope that completed before it started, and for nothing else:
  reads run concurrently with each other;
* a write or read in the global scope orders against every scope; a scoped one also against global writes.

Streams are reads that never hold writes back (a stream window lasts seconds). Admission is bounded:
beyond ``max_pending`` unfinished tickets ``admit`` raises ``ShedError`` at once, it never waits.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

import orjson

from comparators.message import HttpRequest
from shadow.errors import ShedError

__all__ = ["GLOBAL", "Lanes", "Ticket", "profile_scope", "scope_of"]

GLOBAL = "*"


@dataclass(eq=False)
class _Slot:
    completed_at: float
    started_at: float
    done: asyncio.Event = field(default_factory=asyncio.Event)


@dataclass
class _Scope:
    writes: list[_Slot] = field(default_factory=list)  # unfinished, in completion order
    reads: list[_Slot] = field(default_factory=list)  # unfinished reads that hold writes back


class Ticket:
    """One admitted exchange: ``await wait()`` before calling the candidate, ``release()`` after."""

    def __init__(self, lanes: Lanes, scope: str, slot: _Slot, kind: str, deps: list[asyncio.Event]) -> None:
        self.scope = scope
        self.kind = kind
        self._lanes = lanes
        self._slot = slot
        self._deps = deps
        self._released = False

    @property
    def waiting_on(self) -> int:
        return sum(1 for dep in self._deps if not dep.is_set())

    async def wait(self) -> None:
        for dep in self._deps:
            await dep.wait()

    def release(self) -> None:
        """Idempotent; always call it (in ``finally``), or later exchanges of the scope wait forever."""
        if not self._released:
            self._released = True
            self._lanes._release(self)


class Lanes:
    def __init__(self, max_pending: int) -> None:
        self._max_pending = max_pending
        self._pending = 0
        self._scopes: dict[str, _Scope] = {}

    @property
    def pending(self) -> int:
        return self._pending

    def admit(
        self, *, write: bool, started_at: float, completed_at: float, scope: str = GLOBAL, stream: bool = False
    ) -> Ticket:
        if self._pending >= self._max_pending:
            raise ShedError(f"{self._pending} exchanges already waiting for the candidate")
        slot = _Slot(completed_at=completed_at, started_at=started_at)
        deps = self._write_deps(scope, started_at) if write else self._read_deps(scope, started_at)
        lane = self._scopes.setdefault(scope, _Scope())
        kind = "write" if write else ("stream" if stream else "read")
        if write:
            lane.writes.append(slot)
        elif not stream:
            lane.reads.append(slot)
        self._pending += 1
        return Ticket(self, scope, slot, kind, deps)

    def _related(self, scope: str) -> list[tuple[str, _Scope]]:
        if scope == GLOBAL:
            return list(self._scopes.items())
        return [(name, lane) for name, lane in self._scopes.items() if name in (scope, GLOBAL)]

    def _write_deps(self, scope: str, started_at: float) -> list[asyncio.Event]:
        deps = []
        for _, lane in self._related(scope):
            if lane.writes:
                deps.append(lane.writes[-1].done)  # writes are chained: the last one implies the others
            deps.extend(read.done for read in lane.reads if read.completed_at <= started_at)
        return deps

    def _read_deps(self, scope: str, started_at: float) -> list[asyncio.Event]:
        deps = []
        for _, lane in self._related(scope):
            earlier = [write for write in lane.writes if write.completed_at <= started_at]
            if earlier:
                deps.append(earlier[-1].done)
        return deps

    def _release(self, ticket: Ticket) -> None:
        self._pending -= 1
        slot = ticket._slot
        slot.done.set()
        lane = self._scopes.get(ticket.scope)
        if lane is None:
            return
        if ticket.kind == "write" and slot in lane.writes:
            lane.writes.remove(slot)
        elif ticket.kind == "read" and slot in lane.reads:
            lane.reads.remove(slot)
        if not lane.writes and not lane.reads:
            del self._scopes[ticket.scope]


def profile_scope(request: HttpRequest, rule: Any, params: Mapping[str, str]) -> str:
    """The lane a profile rule names: ``<scope>=<id>`` with the id taken from ``rule.scope_key``
    (``path:<param>``, ``query:<name>`` or ``body:<member>``), ``<scope>`` alone when it has no key,
    ``GLOBAL`` for global rules, unknown routes, or a key the request does not carry."""
    scope = getattr(rule, "scope", None)
    if not scope or scope == "global":
        return GLOBAL
    key = getattr(rule, "scope_key", None)
    if not key:
        return str(scope)
    where, _, name = key.partition(":")
    value: object = None
    if where == "path":
        value = params.get(name)
    elif where == "query":
        value = dict(parse_qsl(request.query)).get(name)
    elif where == "body" and request.body:
        with contextlib.suppress(orjson.JSONDecodeError):
            document = orjson.loads(request.body)
            value = document.get(name) if isinstance(document, dict) else None
    return f"{scope}={value}" if isinstance(value, str) and value else GLOBAL


def scope_of(request: HttpRequest, template: str, keys: Sequence[str]) -> str:
    """The lane scope of a request: ``key=value`` for the first of ``keys`` found among the route's path
    parameters, the query string and a JSON body's top-level fields; ``GLOBAL`` when none is."""
    if not keys:
        return GLOBAL
    values: dict[str, str] = {}
    for name, segment in zip(template.split("/"), request.path.split("/"), strict=False):
        if name.startswith("{") and name.endswith("}"):
            values.setdefault(name[1:-1], segment)
    for name, value in parse_qsl(request.query):
        values.setdefault(name, value)
    if request.body and "json" in (request.header("content-type") or ""):
        with contextlib.suppress(orjson.JSONDecodeError):
            document = orjson.loads(request.body)
            if isinstance(document, dict):
                for name, value in document.items():
                    if isinstance(value, str):
                        values.setdefault(name, value)
    for key in keys:
        if values.get(key):
            return f"{key}={values[key]}"
    return GLOBAL
