"""The host the runner runs on, described the way 0.0.71 describes its own (``Environment::new()`` over the
``os_info`` 3.12 crate on Linux), plus its HOME. The deployment serves it in ``/api/info`` and uses the HOME
for ``/api/profiles``' ``path`` and mcp-config's ``config_path``.

os_info on Linux, step by step (what this module repeats):
- ``lsb_release -a``: the word after ``Distributor ID:`` names the type, the word after ``Release:`` the
  version (``rolling`` is "Rolling Release"); if the command cannot be run, ``/etc/os-release``: ``ID`` names
  the type (an unknown ID means not found), ``VERSION_ID`` the version; neither: type ``Linux``;
- a version parses as up to three dot-separated numbers (``12`` → ``12.0.0``, ``16.04`` → ``16.4.0``),
  else it is shown as given; no version is "Unknown";
- ``getconf LONG_BIT`` → ``64-bit``/``32-bit``/``unknown bitness``; ``uname -m`` → architecture, "unknown"
  if it fails.
On this Debian 12 the real binary reports ``Debian``, ``12.0.0``, ``x86_64``, ``64-bit``.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Sequence
from pathlib import Path

from pydantic import BaseModel, ConfigDict

__all__ = [
    "HostEnvironment",
    "describe_host",
    "os_info_version",
    "parse_lsb_release",
    "parse_os_release",
]

# Command runner: argv → (exit status, stdout), or None when the command could not be started.
RunCommand = Callable[[Sequence[str]], tuple[int, bytes] | None]

# os_info's lsb_release.rs: Distributor ID → Type, shown by Type's Display (its Debug name unless renamed).
LSB_TYPES: dict[str, str] = {
    "Alpaquita": "Alpaquita Linux",
    "Amazon": "Amazon Linux AMI",
    "AmazonAMI": "Amazon Linux AMI",
    "AOSC": "AOSC OS",
    "Arch": "Arch Linux",
    "Artix": "Artix Linux",
    "Bluefin": "Bluefin",
    "cachyos": "CachyOS Linux",
    "CentOS": "CentOS",
    "Debian": "Debian",
    "EndeavourOS": "EndeavourOS",
    "Fedora": "Fedora",
    "Garuda": "Garuda Linux",
    "Gentoo": "Gentoo Linux",
    "Kali": "Kali Linux",
    "Linuxmint": "Linux Mint",
    "MaboxLinux": "Mabox",
    "ManjaroLinux": "Manjaro",
    "Manjaro-ARM": "Manjaro",
    "Mariner": "Mariner",
    "NixOS": "NixOS",
    "NobaraLinux": "Nobara Linux",
    "Uos": "UOS",
    "OpenCloudOS": "OpenCloudOS",
    "openEuler": "EulerOS",
    "openSUSE": "openSUSE",
    "OracleServer": "Oracle Linux",
    "Pop": "Pop!_OS",
    "Raspbian": "Raspberry Pi OS",
    "RedHatEnterprise": "Red Hat Enterprise Linux",
    "RedHatEnterpriseServer": "Red Hat Enterprise Linux",
    "Solus": "Solus",
    "SUSE": "SUSE Linux Enterprise Server",
    "Ubuntu": "Ubuntu",
    "UltramarineLinux": "Ultramarine Linux",
    "VoidLinux": "Void Linux",
}

# os_info's file_release.rs: /etc/os-release ID → Type's Display (IDs not listed: not recognised).
OS_RELEASE_TYPES: dict[str, str] = {
    "almalinux": "AlmaLinux",
    "alpaquita": "Alpaquita Linux",
    "alpine": "Alpine Linux",
    "amzn": "Amazon Linux AMI",
    "aosc": "AOSC OS",
    "arch": "Arch Linux",
    "archarm": "Arch Linux",
    "artix": "Artix Linux",
    "bluefin": "Bluefin",
    "cachyos": "CachyOS Linux",
    "centos": "CentOS",
    "debian": "Debian",
    "fedora": "Fedora",
    "kali": "Kali Linux",
    "manjaro-arm": "Manjaro",
    "linuxmint": "Linux Mint",
    "mariner": "Mariner",
    "nixos": "NixOS",
    "nobara": "Nobara Linux",
    "Uos": "UOS",
    "opencloudos": "OpenCloudOS",
    "openEuler": "EulerOS",
    "ol": "Oracle Linux",
    "opensuse": "openSUSE",
    "opensuse-leap": "openSUSE",
    "opensuse-microos": "openSUSE",
    "opensuse-tumbleweed": "openSUSE",
    "rhel": "Red Hat Enterprise Linux",
    "rocky": "Rocky Linux",
    "sled": "SUSE Linux Enterprise Server",
    "sles": "SUSE Linux Enterprise Server",
    "sles_sap": "SUSE Linux Enterprise Server",
    "ubuntu": "Ubuntu",
    "ultramarine": "Ultramarine Linux",
    "void": "Void Linux",
}


class HostEnvironment(BaseModel):
    """The deployment's ``environmentDocument`` (convex/lib/validators.ts)."""

    model_config = ConfigDict(frozen=True)
    home: str
    os_type: str
    os_version: str
    os_architecture: str
    bitness: str


def _prefixed_word(text: str, prefix: str) -> str | None:
    """os_info's Matcher::PrefixedWord: the first word after the first occurrence of ``prefix``."""
    at = text.find(prefix)
    if at < 0:
        return None
    rest = text[at + len(prefix) :].lstrip()
    return rest.split(maxsplit=1)[0] if rest.split() else ""


def os_info_version(text: str | None) -> str:
    """Version::from_string shown with Display."""
    if text is None or text == "":
        return "Unknown"
    parts = text.strip().split(".")
    if parts and parts[-1] == "":  # split_terminator drops one trailing empty piece
        parts.pop()
    if 1 <= len(parts) <= 3 and all(part.isascii() and part.isdigit() for part in parts):
        numbers = [int(part) for part in parts] + [0] * (3 - len(parts))
        if all(n < 2**64 for n in numbers):
            return ".".join(str(n) for n in numbers)
    return text


def parse_lsb_release(output: str) -> tuple[str, str]:
    """``lsb_release -a`` output → (os_type, os_version)."""
    distribution = _prefixed_word(output, "Distributor ID:")
    release = _prefixed_word(output, "Release:")
    if release is not None and (release.startswith(".") or release.endswith(".")):
        release = None  # Matcher::PrefixedVersion refuses such a word
    version = "Rolling Release" if release == "rolling" else os_info_version(release)
    return LSB_TYPES.get(distribution or "", "Linux"), version


def _key_value(text: str, key: str) -> str | None:
    """os_info's Matcher::KeyValue: ``KEY=value`` with quotes and whitespace trimmed."""
    for line in text.splitlines():
        if line.startswith(key + "="):
            return line[len(key) + 1 :].strip().strip('"').strip()
    return None


def parse_os_release(text: str) -> tuple[str, str] | None:
    """``/etc/os-release`` → (os_type, os_version), or None when its ID is not one os_info knows."""
    os_type = OS_RELEASE_TYPES.get(_key_value(text, "ID") or "")
    if os_type is None:
        return None
    version_id = _key_value(text, "VERSION_ID")
    return os_type, "Unknown" if version_id is None else os_info_version(version_id)


def _run(argv: Sequence[str]) -> tuple[int, bytes] | None:
    """Like Rust's ``Command::output()``: None only when the command could not be started."""
    try:
        done = subprocess.run(list(argv), capture_output=True, check=False, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.returncode, done.stdout


def describe_host(
    home: Path | str,
    *,
    run: RunCommand = _run,
    os_release: Path = Path("/etc/os-release"),
) -> HostEnvironment:
    """This machine as 0.0.71 would report it (``run``/``os_release`` are seams for other hosts' answers)."""
    lsb = run(["lsb_release", "-a"])
    if lsb is not None:  # its exit status is not looked at, only whether it ran
        os_type, os_version = parse_lsb_release(lsb[1].decode("utf-8", errors="replace"))
    else:
        try:
            found = parse_os_release(os_release.read_text(encoding="utf-8", errors="replace"))
        except OSError:
            found = None
        os_type, os_version = found or ("Linux", "Unknown")
    long_bit = run(["getconf", "LONG_BIT"])
    bitness = {b"64\n": "64-bit", b"32\n": "32-bit"}.get(long_bit[1] if long_bit else b"", "unknown bitness")
    machine = run(["uname", "-m"])
    architecture = (
        machine[1].decode("utf-8", errors="replace").rstrip() if machine is not None and machine[0] == 0 else "unknown"
    )
    return HostEnvironment(
        home=str(home), os_type=os_type, os_version=os_version, os_architecture=architecture, bitness=bitness
    )
