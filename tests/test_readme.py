"""The README keeps its promises: the two commands at the top exist, and every `parity` command is described."""

from __future__ import annotations

import os
import re
from pathlib import Path

from shadow.cli import main

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


def test_the_two_commands_at_the_top_are_the_demo_and_the_tests() -> None:
    first_block = re.search(r"```sh\n(.*?)```", README, re.S)
    assert first_block is not None and README.index("```sh") < README.index("\n## ")
    commands = [line.split("#")[0].strip() for line in first_block.group(1).splitlines() if line.strip()]
    assert commands == ["./scripts/demo", "./scripts/test"]
    for command in commands:
        script = ROOT / command
        assert script.is_file() and os.access(script, os.X_OK), command
    assert "scripts/test" in (ROOT / ".ci" / "run").read_text()


def test_every_cli_command_is_in_the_readme() -> None:
    missing = [name for name in main.commands if f"parity {name}" not in README]
    assert missing == []
