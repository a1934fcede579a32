"""The host description: on this machine it must equal what the real 0.0.71 binary reports in /api/info;
the parsing follows os_info 3.12 for other hosts' outputs (lsb_release / os-release texts as those tools print)."""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from pathlib import Path

import httpx
import pytest

from runner.host_env import describe_host, os_info_version, parse_lsb_release, parse_os_release


def test_this_host_is_described_as_the_real_binary_describes_it(reference: httpx.Client, tmp_path: Path) -> None:
    primary = reference.get("/api/info").json()["data"]["environment"]
    ours = describe_host(tmp_path).model_dump()
    assert ours.pop("home") == str(tmp_path)
    assert ours == primary


def test_without_lsb_release_os_release_decides(reference: httpx.Client, tmp_path: Path) -> None:
    """os_info falls back to /etc/os-release when lsb_release cannot be started (slim images): on this
    Debian both paths give the primary's answer."""
    primary = reference.get("/api/info").json()["data"]["environment"]

    def without_lsb(argv: Sequence[str]) -> tuple[int, bytes] | None:
        if argv[0] == "lsb_release":
            return None
        done = subprocess.run(list(argv), capture_output=True, check=False)
        return done.returncode, done.stdout

    ours = describe_host(tmp_path, run=without_lsb).model_dump()
    ours.pop("home")
    assert ours == primary


def test_nothing_answers_gives_linux_and_unknowns(tmp_path: Path) -> None:
    described = describe_host(tmp_path, run=lambda argv: None, os_release=tmp_path / "missing")
    assert described.model_dump() == {
        "home": str(tmp_path),
        "os_type": "Linux",
        "os_version": "Unknown",
        "os_architecture": "unknown",
        "bitness": "unknown bitness",
    }


def test_a_failing_uname_is_unknown_but_getconf_counts_whatever_its_status(tmp_path: Path) -> None:
    answers = {"lsb_release": (1, b""), "getconf": (1, b"32\n"), "uname": (1, b"x86_64\n")}
    described = describe_host(tmp_path, run=lambda argv: answers[argv[0]])
    assert (described.os_type, described.os_version) == ("Linux", "Unknown")
    assert (described.bitness, described.os_architecture) == ("32-bit", "unknown")


@pytest.mark.parametrize(
    ("output", "expected"),
    [
        (
            "Distributor ID:\tUbuntu\nDescription:\tUbuntu 16.04.5 LTS\nRelease:\t16.04\nCodename:\txenial\n",
            ("Ubuntu", "16.4.0"),
        ),
        (
            "LSB Version:\t1.4\nDistributor ID:\tArch\nDescription:\tArch Linux\nRelease:\trolling\n",
            ("Arch Linux", "Rolling Release"),
        ),
        ("Distributor ID:\tRedHatEnterpriseServer\nRelease:\t7.7\n", ("Red Hat Enterprise Linux", "7.7.0")),
        ("Distributor ID: Pop\nRelease: 20.04\n", ("Pop!_OS", "20.4.0")),
        ("Distributor ID:\tSomethingNew\nRelease:\t1.2.3.4\n", ("Linux", "1.2.3.4")),
        ("Distributor ID:\tDebian\nRelease:\t.12\n", ("Debian", "Unknown")),
        ("", ("Linux", "Unknown")),
    ],
)
def test_lsb_release_outputs(output: str, expected: tuple[str, str]) -> None:
    assert parse_lsb_release(output) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('ID=debian\nVERSION_ID="11"\n', ("Debian", "11.0.0")),
        ('NAME="Rocky Linux"\nID="rocky"\nVERSION_ID="9.2"\n', ("Rocky Linux", "9.2.0")),
        ("ID=alpine\nVERSION_ID=3.17.0\n", ("Alpine Linux", "3.17.0")),
        ("ID=opensuse-tumbleweed\nVERSION_ID=20230901\n", ("openSUSE", "20230901.0.0")),
        ("ID=void\n", ("Void Linux", "Unknown")),
        ("ID=gentoo\nVERSION_ID=2.14\n", None),  # os_info does not map this ID from os-release
    ],
)
def test_os_release_texts(text: str, expected: tuple[str, str] | None) -> None:
    assert parse_os_release(text) == expected


@pytest.mark.parametrize(
    ("given", "shown"),
    [
        ("12", "12.0.0"),
        ("16.04", "16.4.0"),
        ("1.2.3", "1.2.3"),
        ("12.", "12.0.0"),
        ("1.2.3.4", "1.2.3.4"),
        ("10.x", "10.x"),
        ("", "Unknown"),
        (None, "Unknown"),
    ],
)
def test_versions(given: str | None, shown: str) -> None:
    assert os_info_version(given) == shown
