"""Roots: resolution of symlinks and '..' before the containment check."""

from __future__ import annotations

from pathlib import Path

import pytest

from runner.confine import OUTSIDE_ROOTS, Roots
from runner.errors import CommandError


@pytest.fixture
def layout(tmp_path: Path) -> tuple[Path, Path]:
    root, outside = tmp_path / "root", tmp_path / "outside"
    (root / "sub").mkdir(parents=True)
    outside.mkdir()
    (root / "out-link").symlink_to(outside)
    (root / "in-link").symlink_to(root / "sub")
    return root, outside


def test_inside_paths_resolve(layout: tuple[Path, Path]) -> None:
    root, _ = layout
    roots = Roots([root])
    assert roots.check(root) == root.resolve()
    assert roots.check(f"{root}/sub/../sub") == (root / "sub").resolve()
    assert roots.check(root / "in-link") == (root / "sub").resolve()
    assert roots.check(root / "not-yet" / "created") == (root / "not-yet" / "created").resolve()


@pytest.mark.parametrize(
    "escape", ["{root}/..", "{root}/sub/../../outside", "{root}/out-link", "{root}/out-link/new", "/etc", "/"]
)
def test_escapes_are_refused(layout: tuple[Path, Path], escape: str) -> None:
    root, _ = layout
    with pytest.raises(CommandError) as caught:
        Roots([root]).check(escape.format(root=root))
    assert (caught.value.kind, caught.value.message) == ("soft", OUTSIDE_ROOTS)


def test_a_sibling_with_a_common_prefix_is_outside(tmp_path: Path) -> None:
    (tmp_path / "root").mkdir()
    (tmp_path / "root-evil").mkdir()
    assert not Roots([tmp_path / "root"]).contains(tmp_path / "root-evil")


def test_several_roots_and_a_symlinked_root(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "alias").symlink_to(tmp_path / "b")
    roots = Roots([tmp_path / "a", tmp_path / "alias"])
    assert roots.contains(tmp_path / "b" / "x")
    assert roots.contains(tmp_path / "a")
    with pytest.raises(ValueError):
        Roots([])
