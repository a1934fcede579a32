"""image.copyToWorktree with real files."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

import pytest
from pydantic import ValidationError

from runner.confine import OUTSIDE_ROOTS, Roots
from runner.errors import CommandError
from runner.images import CopyImagePayload, copy_to_worktree

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(64))


def payload(**fields: str) -> CopyImagePayload:
    return CopyImagePayload.model_validate(fields)


def test_copies_from_a_source_file_with_a_gitignore(tmp_path: Path) -> None:
    worktree = tmp_path / "wt"
    worktree.mkdir()
    (tmp_path / "cache.png").write_bytes(PNG)
    result = copy_to_worktree(
        payload(worktreePath=str(worktree), fileName="abc.png", sourcePath=str(tmp_path / "cache.png")),
        Roots([tmp_path]),
    )
    assert result == {"path": ".vibe-images/abc.png", "size_bytes": len(PNG), "sha256": hashlib.sha256(PNG).hexdigest()}
    assert (worktree / ".vibe-images" / "abc.png").read_bytes() == PNG
    assert (worktree / ".vibe-images" / ".gitignore").read_text() == "*\n"


def test_inline_content_and_a_rerun_is_harmless(tmp_path: Path) -> None:
    (tmp_path / ".vibe-images").mkdir()
    (tmp_path / ".vibe-images" / ".gitignore").write_text("keep me\n")
    inline = payload(worktreePath=str(tmp_path), fileName="x.png", contentBase64=base64.b64encode(PNG).decode())
    first = copy_to_worktree(inline, Roots([tmp_path]))
    second = copy_to_worktree(inline, Roots([tmp_path]))
    assert first == second
    assert (tmp_path / ".vibe-images" / ".gitignore").read_text() == "keep me\n"
    assert sorted(p.name for p in (tmp_path / ".vibe-images").iterdir()) == [".gitignore", "x.png"]


def test_confined_worktree_and_source(tmp_path: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    (tmp_path / "outside.png").write_bytes(PNG)
    for bad in [
        payload(worktreePath=str(tmp_path), fileName="a.png", contentBase64="AA=="),
        payload(worktreePath=str(root), fileName="a.png", sourcePath=str(root / ".." / "outside.png")),
    ]:
        with pytest.raises(CommandError) as caught:
            copy_to_worktree(bad, Roots([root]))
        assert caught.value.message == OUTSIDE_ROOTS
    assert not (root / ".vibe-images").exists()


def test_a_vibe_images_symlink_out_of_the_roots_is_refused(tmp_path: Path) -> None:
    root, outside = tmp_path / "root", tmp_path / "outside"
    root.mkdir()
    outside.mkdir()
    (root / ".vibe-images").symlink_to(outside)
    with pytest.raises(CommandError):
        copy_to_worktree(payload(worktreePath=str(root), fileName="a.png", contentBase64="AA=="), Roots([root]))
    assert list(outside.iterdir()) == []


def test_bad_payloads(tmp_path: Path) -> None:
    for fields in [
        {"worktreePath": str(tmp_path), "fileName": "../x.png", "contentBase64": "AA=="},
        {"worktreePath": str(tmp_path), "fileName": "a/b.png", "contentBase64": "AA=="},
        {"worktreePath": str(tmp_path), "fileName": "a.png"},
        {"worktreePath": str(tmp_path), "fileName": "a.png", "contentBase64": "AA==", "sourcePath": "/x"},
    ]:
        with pytest.raises(ValidationError):
            CopyImagePayload.model_validate(fields)
    mismatch = payload(worktreePath=str(tmp_path), fileName="a.png", contentBase64="AA==", sha256="00" * 32)
    with pytest.raises(CommandError) as caught:
        copy_to_worktree(mismatch, Roots([tmp_path]))
    assert caught.value.kind == "internal"
