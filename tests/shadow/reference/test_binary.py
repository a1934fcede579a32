from __future__ import annotations

import http.server
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from shadow.reference import binary
from tests.loopback import serving


def test_ensure_binary_is_cached_and_executable() -> None:
    path = binary.ensure_binary()
    assert path.name == "vibe-kanban" and os.access(path, os.X_OK)
    # Cached: a second call must not touch the network (an unroutable URL would fail).
    assert binary.ensure_binary(url="http://127.0.0.1:9/never") == path


@pytest.fixture
def wrong_tarball_server() -> Iterator[str]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = b"not the vibe-kanban tarball"
            self.send_response(200)
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    with serving(Handler) as base_url:
        yield f"{base_url}/vibe-kanban.tgz"


def test_tampered_download_is_refused(
    wrong_tarball_server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PARITY_CACHE_DIR", str(tmp_path))
    with pytest.raises(binary.BinaryFetchError, match="does not match the pinned integrity"):
        binary.ensure_binary(url=wrong_tarball_server)
    assert not (binary.cache_dir() / "vibe-kanban").exists()


def test_unreachable_registry_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PARITY_CACHE_DIR", str(tmp_path))
    with pytest.raises(binary.BinaryFetchError, match="cannot download"):
        binary.ensure_binary(url="http://127.0.0.1:9/vibe-kanban.tgz", timeout=2)
