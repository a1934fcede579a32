"""Which exchanges are shadowed.

Writes are always mirrored while shadowing is on: this API is stateful, and a skipped write would make
every later comparison in its scope meaningless. The sample rate therefore thins out reads only. The
decision is a hash of the exchange id, so it is reproducible (a replayed exchange gets the same answer)
and needs no random state.
"""

from __future__ import annotations

import hashlib
from typing import Protocol

from shadow.config import ShadowSettings

__all__ = ["READ_METHODS", "is_loop", "is_write", "sampled", "should_shadow"]

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_BUCKETS = 10_000


class _WithHeaders(Protocol):
    def header(self, name: str) -> str | None: ...


def is_write(method: str) -> bool:
    """Anything but GET/HEAD/OPTIONS may change state (the profile may say more precisely)."""
    return method.upper() not in READ_METHODS


def is_loop(request: _WithHeaders, settings: ShadowSettings) -> bool:
    """The request already went through a shadow (our own marker header): never tee it again."""
    return request.header(settings.loop_guard_header) is not None


def sampled(exchange_id: str, percent: float) -> bool:
    """True for ``percent`` % of exchange ids, the same answer every time for the same id."""
    if percent >= 100:
        return True
    if percent <= 0:
        return False
    digest = hashlib.blake2b(exchange_id.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") % _BUCKETS < percent * (_BUCKETS / 100)


def should_shadow(request: _WithHeaders, exchange_id: str, settings: ShadowSettings, *, write: bool) -> bool:
    """``request``: an ``HttpRequest`` or a ``Captured`` exchange (its request's headers)."""
    if not settings.enabled or is_loop(request, settings):
        return False
    return write or sampled(exchange_id, settings.sample)
