import os

import pytest

from shadow.errors import ConfigError
from shadow.launch import ADDON_PATH, mitmdump_path, parse_listen, proxy_command


@pytest.mark.parametrize(
    ("text", "expected"),
    [("127.0.0.1:8080", ("127.0.0.1", 8080)), ("9000", ("127.0.0.1", 9000)), ("[::1]:81", ("::1", 81))],
)
def test_parse_listen(text: str, expected: tuple[str, int]) -> None:
    assert parse_listen(text) == expected


@pytest.mark.parametrize("text", ["host:http", "host:0", "host:70000", ""])
def test_parse_listen_rejects_bad_ports(text: str) -> None:
    with pytest.raises(ConfigError, match="--listen"):
        parse_listen(text)


def test_proxy_command_runs_mitmdump_in_reverse_mode_with_the_addon() -> None:
    argv = proxy_command(
        primary="http://127.0.0.1:3000/",
        listen=("127.0.0.1", 8080),
        shadow_options={"candidate": "http://127.0.0.1:4000", "sample": 25.0, "store": None, "enabled": False},
    )
    assert os.access(argv[0], os.X_OK) and argv[0] == mitmdump_path()
    assert argv[1:3] == ["--mode", "reverse:http://127.0.0.1:3000@127.0.0.1:8080"]
    assert ["-s", str(ADDON_PATH)] == argv[argv.index("-s") : argv.index("-s") + 2]
    sets = [argv[i + 1] for i, arg in enumerate(argv) if arg == "--set"]
    assert "shadow_candidate=http://127.0.0.1:4000" in sets and "shadow_sample=25.0" in sets
    assert "shadow_enabled=false" in sets and not any(s.startswith("shadow_store") for s in sets)
