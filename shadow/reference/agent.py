"""Plug the scripted coding agent into a backend through its public ``PUT /api/profiles`` route.

0.0.71 rejects partial profile documents, so we GET the complete document, add the ``CLAUDE_CODE``
variant ``FAKE`` whose ``base_command_override`` runs ``fake_claude.py``, and PUT the whole thing back.
The same call works on the primary and on the candidate (it is just the contract). Callers must pass
``variant: "FAKE"`` on every follow-up: 0.0.71 does not inherit the variant.
"""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path

import httpx

__all__ = [
    "AGENT_EXECUTOR",
    "AGENT_SCRIPT",
    "AGENT_VARIANT",
    "agent_command",
    "agent_profile",
    "attempt_body",
    "install_scripted_agent",
]

AGENT_EXECUTOR = "CLAUDE_CODE"
AGENT_VARIANT = "FAKE"
AGENT_SCRIPT = Path(__file__).with_name("fake_claude.py")


def agent_command(python: str | None = None) -> str:
    """The shell command the backend runs (it appends Claude's own flags after it)."""
    return f"{shlex.quote(python or sys.executable)} {shlex.quote(str(AGENT_SCRIPT))}"


def agent_profile() -> dict[str, str]:
    """The ``executor_profile_id`` that selects the scripted agent (a fresh dict: callers may extend it)."""
    return {"executor": AGENT_EXECUTOR, "variant": AGENT_VARIANT}


def attempt_body(task_id: str, *, base_branch: str = "main") -> dict[str, object]:
    """The ``POST /api/task-attempts`` body that runs the scripted agent on ``task_id``."""
    return {"task_id": task_id, "executor_profile_id": agent_profile(), "base_branch": base_branch}


def install_scripted_agent(client: httpx.Client, *, python: str | None = None) -> dict[str, object]:
    """Add the FAKE variant on the backend ``client`` points at; returns the document that was PUT."""
    response = client.get("/api/profiles")
    response.raise_for_status()
    envelope = response.json()
    if not envelope.get("success"):
        raise RuntimeError(f"GET /api/profiles failed: {envelope}")
    document = json.loads(envelope["data"]["content"])
    variants = document.setdefault("executors", {}).setdefault(AGENT_EXECUTOR, {})
    variants[AGENT_VARIANT] = {AGENT_EXECUTOR: {"base_command_override": agent_command(python)}}
    put = client.put("/api/profiles", content=json.dumps(document), headers={"content-type": "application/json"})
    put.raise_for_status()
    result = put.json()
    if not result.get("success"):
        raise RuntimeError(f"PUT /api/profiles refused the scripted agent: {result.get('message')}")
    return dict(document)
