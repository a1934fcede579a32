"""The command line that runs the shadow proxy: ``mitmdump`` in reverse mode with ``shadow/addon.py``.

``parity proxy`` execs mitmdump instead of embedding mitmproxy's ``DumpMaster``: mitmproxy stays imported
by ``shadow/addon.py`` alone, the proxy gets mitmdump's own option parsing, signal handling and orderly
shutdown (the addon's ``done`` drains the shadow and closes the store), and the benchmark's "plain
mitmdump" baseline is the very same program minus one ``-s``.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Sequence
from pathlib import Path

from shadow.errors import ConfigError

__all__ = ["ADDON_PATH", "mitmdump_path", "parse_listen", "proxy_command"]

ADDON_PATH = Path(__file__).with_name("addon.py")


def mitmdump_path() -> str:
    """The mitmdump of this environment (next to the running Python), else the one on PATH."""
    beside = Path(sys.executable).with_name("mitmdump")
    if beside.exists():
        return str(beside)
    found = shutil.which("mitmdump")
    if found is None:
        raise ConfigError("mitmdump not found: install the project (./scripts/bootstrap) or put mitmdump on PATH")
    return found


def parse_listen(text: str) -> tuple[str, int]:
    """``HOST:PORT`` or ``PORT`` (on 127.0.0.1)."""
    host, _, port = text.rpartition(":")
    try:
        number = int(port)
    except ValueError:
        raise ConfigError(f"--listen must be HOST:PORT or PORT, not {text!r}") from None
    if not 0 < number < 65536:
        raise ConfigError(f"--listen port out of range: {number}")
    return (host.strip("[]") or "127.0.0.1"), number


def proxy_command(
    *,
    primary: str,
    listen: tuple[str, int],
    shadow_options: dict[str, object],
    extra: Sequence[str] = (),
    with_shadow: bool = True,
) -> list[str]:
    """argv for mitmdump: reverse proxy to ``primary`` on ``listen``, with the addon and its options
    (``shadow_options`` keys without the ``shadow_`` prefix; None values are left out)."""
    host, port = listen
    argv = [mitmdump_path(), "--mode", f"reverse:{primary.rstrip('/')}@{host}:{port}", "--set", "flow_detail=0"]
    if with_shadow:
        argv += ["-s", str(ADDON_PATH)]
        for name, value in shadow_options.items():
            if value is not None:
                rendered = str(value).lower() if isinstance(value, bool) else str(value)
                argv += ["--set", f"shadow_{name}={rendered}"]
    return [*argv, *extra]
