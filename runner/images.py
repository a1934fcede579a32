"""``image.copyToWorktree``: put one image into ``<worktree>/.vibe-images/`` as the primary does when it
creates an attempt or takes a follow-up with images (``services/image.rs``: the directory, a
``.gitignore`` holding ``*`` so agents never commit them, then the file under its stored name).

The bytes come either from a file under the runner's roots (``sourcePath``) or inline (``contentBase64``,
for small images sent through the command). Writing is atomic (temp file + rename), so a re-run after a
crash just writes the same file again.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import re
import tempfile
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from runner.confine import Roots
from runner.errors import api_error, internal_error
from runner.fs import rust_io_error

__all__ = ["IMAGES_DIR", "CopyImagePayload", "copy_to_worktree"]

IMAGES_DIR = ".vibe-images"
SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,200}$")


class CopyImagePayload(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    worktree_path: str = Field(alias="worktreePath")
    file_name: str = Field(alias="fileName")
    source_path: str | None = Field(default=None, alias="sourcePath")
    content_base64: str | None = Field(default=None, alias="contentBase64")
    sha256: str | None = None

    @model_validator(mode="after")
    def _one_source(self) -> CopyImagePayload:
        if (self.source_path is None) == (self.content_base64 is None):
            raise ValueError("exactly one of sourcePath and contentBase64 is required")
        if not SAFE_NAME.fullmatch(self.file_name) or ".." in self.file_name:
            raise ValueError("fileName must be a plain file name (letters, digits, . _ -)")
        return self


def _read_source(payload: CopyImagePayload, roots: Roots) -> bytes:
    if payload.content_base64 is not None:
        try:
            return base64.b64decode(payload.content_base64, validate=True)
        except binascii.Error as exc:
            raise internal_error(f"contentBase64 is not base64: {exc}") from exc
    source = roots.check(payload.source_path or "")
    try:
        return source.read_bytes()
    except OSError as exc:
        raise api_error(f"IoError: IO error: {rust_io_error(exc)}") from exc


def _write_atomically(target: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def copy_to_worktree(payload: CopyImagePayload, roots: Roots) -> dict[str, Any]:
    worktree = roots.check(payload.worktree_path)
    if not worktree.is_dir():
        raise api_error(f"IoError: IO error: worktree {payload.worktree_path} is not a directory")
    data = _read_source(payload, roots)
    digest = hashlib.sha256(data).hexdigest()
    if payload.sha256 is not None and payload.sha256.lower() != digest:
        raise internal_error(f"image content does not match sha256 {payload.sha256}")
    images = worktree / IMAGES_DIR
    try:
        images.mkdir(exist_ok=True)
        roots.check(images)  # a pre-existing .vibe-images symlink must not lead out of the roots
        gitignore = images / ".gitignore"
        if not gitignore.exists():
            gitignore.write_text("*\n")
        _write_atomically(images / payload.file_name, data)
    except OSError as exc:
        raise api_error(f"IoError: IO error: {rust_io_error(exc)}") from exc
    return {"path": f"{IMAGES_DIR}/{payload.file_name}", "size_bytes": len(data), "sha256": digest}
