"""Confinement: every path a command touches must resolve (symlinks followed, ``..`` collapsed) to a
place inside one of the configured roots. The primary has no such check (it lists ``/etc`` for
``<dir>/../../etc``); refusing is an intended divergence of the candidate.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from runner.errors import CommandError, soft_error

__all__ = ["OUTSIDE_ROOTS", "Roots"]

OUTSIDE_ROOTS = "Path is outside the runner's allowed roots"


class Roots:
    """The directories the runner may touch, stored resolved."""

    def __init__(self, roots: Iterable[Path | str]) -> None:
        self.paths = tuple(Path(os.path.realpath(root)) for root in roots)
        if not self.paths:
            raise ValueError("at least one root is required")

    def contains(self, path: Path | str) -> bool:
        real = Path(os.path.realpath(path))
        return any(real == root or real.is_relative_to(root) for root in self.paths)

    def check(self, path: Path | str) -> Path:
        """The resolved path, or a soft error when it escapes every root (``..``, symlinks, elsewhere).

        A path that does not exist yet is resolved as far as it exists, so creating it cannot escape either.
        """
        if not self.contains(path):
            raise self.refusal()
        return Path(os.path.realpath(path))

    @staticmethod
    def refusal() -> CommandError:
        return soft_error(OUTSIDE_ROOTS)
