"""The seven notification sounds of ``GET /api/sounds/{sound}``, for seeding a candidate deployment.

The WAVs are vibe-kanban's own assets, embedded in the 0.0.71 binary; a Convex deployment cannot read that
binary, so they are uploaded once through the internal action ``sounds:store {name, wav}``. We obtain them from
the product itself: a real primary is started once (``start_instance()``), each sound is fetched over its
public route, and the bytes are cached next to the binary (``<cache>/vibe-kanban-0.0.71/sounds/NAME.wav``).

``ensure_sounds()`` returns the cached bytes (fetching them the first time, under a file lock so parallel test
workers fetch once); ``seed_sounds(url, admin_key)`` uploads them to a deployment through Convex's public HTTP
API with an admin key (``ConvexHttpClient``: works against the local host and a real deployment alike).
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from pathlib import Path

import httpx
from convex.http_client import ConvexHttpClient

from shadow.reference.binary import cache_dir
from shadow.reference.instance import Instance, running_instance

__all__ = ["SOUND_NAMES", "SoundsError", "ensure_sounds", "fetch_sounds", "seed_sounds", "sounds_dir"]

# The SoundFile variants of 0.0.71 (the route's path parameter), in declaration order.
SOUND_NAMES = (
    "ABSTRACT_SOUND1",
    "ABSTRACT_SOUND2",
    "ABSTRACT_SOUND3",
    "ABSTRACT_SOUND4",
    "COW_MOOING",
    "PHONE_VIBRATION",
    "ROOSTER",
)
STORE_ACTION = "sounds:store"


class SoundsError(RuntimeError):
    """A sound could not be fetched, cached or uploaded (the message says which and why)."""


def sounds_dir() -> Path:
    return cache_dir() / "sounds"


def _is_wav(data: bytes) -> bool:
    return len(data) > 12 and data[:4] == b"RIFF" and data[8:12] == b"WAVE"


def _cached(directory: Path) -> dict[str, bytes] | None:
    found: dict[str, bytes] = {}
    for name in SOUND_NAMES:
        try:
            data = (directory / f"{name}.wav").read_bytes()
        except OSError:
            return None
        if not _is_wav(data):
            return None
        found[name] = data
    return found


def fetch_sounds(base_url: str, *, timeout_s: float = 30.0) -> dict[str, bytes]:
    """GET every sound from a running server; each must be a WAV answered as ``audio/wav``."""
    sounds: dict[str, bytes] = {}
    with httpx.Client(base_url=base_url, timeout=timeout_s) as client:
        for name in SOUND_NAMES:
            response = client.get(f"/api/sounds/{name}")
            if response.status_code != 200 or response.headers.get("content-type") != "audio/wav":
                raise SoundsError(
                    f"GET /api/sounds/{name} answered {response.status_code} "
                    f"{response.headers.get('content-type')}: {response.text[:200]!r}"
                )
            if not _is_wav(response.content):
                raise SoundsError(f"GET /api/sounds/{name} did not answer a WAV file")
            sounds[name] = response.content
    return sounds


def _write_atomically(path: Path, data: bytes) -> None:
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    partial.write_bytes(data)
    os.replace(partial, path)  # a reader never sees half a file


def ensure_sounds(
    *,
    directory: Path | None = None,
    primary: Callable[[], AbstractContextManager[Instance]] = running_instance,
) -> dict[str, bytes]:
    """The seven WAVs by name, from the cache, or from a real primary started once for this."""
    directory = directory or sounds_dir()
    found = _cached(directory)
    if found is not None:
        return found
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        found = _cached(directory)  # another process may have fetched them while we waited
        if found is not None:
            return found
        with primary() as instance:
            sounds = fetch_sounds(instance.base_url)
        for name, data in sounds.items():
            _write_atomically(directory / f"{name}.wav", data)
    return sounds


def seed_sounds(convex_url: str, admin_key: str, sounds: Mapping[str, bytes] | None = None) -> list[str]:
    """Upload every sound with ``sounds:store`` (idempotent: an unchanged sound is kept as it is).

    ``convex_url`` is the deployment's API URL (``https://<name>.convex.cloud`` or the local host's API port).
    Returns the names uploaded, in order."""
    if not admin_key:
        raise SoundsError("an admin key is needed to call the internal action sounds:store")
    sounds = ensure_sounds() if sounds is None else sounds
    client = ConvexHttpClient(convex_url.rstrip("/"))
    client.set_admin_auth(admin_key)
    uploaded: list[str] = []
    for name in SOUND_NAMES:
        try:
            client.action(STORE_ACTION, {"name": name, "wav": sounds[name]})
        except Exception as exc:  # the client raises plain Exception subclasses for every failure
            raise SoundsError(f"uploading {name} to {convex_url} failed: {exc}") from exc
        uploaded.append(name)
    return uploaded
