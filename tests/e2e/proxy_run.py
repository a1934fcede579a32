"""The real ``parity proxy`` for end-to-end tests: ``shadow.proxyrun`` (the demo's own launcher), with the
signature these tests have always used (a work directory, settings, an optional store, extra CLI args)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from shadow.proxyrun import ProxyRun, start_proxy

__all__ = ["ProxyRun", "running_proxy", "stop"]


@contextlib.contextmanager
def running_proxy(
    primary: str,
    candidate: str,
    work: Path,
    *,
    settings: dict[str, Any] | None = None,
    store: Path | None = None,
    args: tuple[str, ...] = (),
) -> Iterator[ProxyRun]:
    run = start_proxy(primary, candidate, work, settings=settings, store=store, extra_args=args)
    try:
        yield run
    finally:
        run.stop()


def stop(run: ProxyRun) -> None:
    """Stop and drain now (the store is complete afterwards); the context manager's stop is then a no-op."""
    run.stop()
