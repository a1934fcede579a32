"""``python -m runner`` as a process: its exit codes for bad configuration and a refused key."""

from __future__ import annotations

import os
import subprocess
import sys

from shadow.candidate import Candidate


def run_runner(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    base = {key: value for key, value in os.environ.items() if not key.startswith("RUNNER_")}
    return subprocess.run(
        [sys.executable, "-m", "runner"], env={**base, **env}, capture_output=True, text=True, timeout=60, check=False
    )


def test_missing_configuration_exits_2_naming_the_variables() -> None:
    done = run_runner({})
    assert done.returncode == 2
    assert "RUNNER_CONVEX_SITE_URL" in done.stderr and "RUNNER_SECRET" in done.stderr
    assert done.stdout == ""


def test_a_wrong_secret_exits_3_without_printing_any_secret(stack: Candidate) -> None:
    env = {**stack.runner_env, "RUNNER_SECRET": "wrong-secret-value"}
    done = run_runner(env)
    assert done.returncode == 3
    assert "refused our signature" in done.stderr
    assert "wrong-secret-value" not in done.stderr + done.stdout
    assert stack.runner_env["RUNNER_SECRET"] not in done.stderr + done.stdout
