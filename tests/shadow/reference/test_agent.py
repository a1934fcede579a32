from __future__ import annotations

import json

import httpx

from shadow.reference.agent import AGENT_EXECUTOR, AGENT_VARIANT, agent_command, install_scripted_agent
from shadow.reference.instance import Instance


def test_scripted_agent_is_installed_as_a_full_profile_document(primary: Instance) -> None:
    with httpx.Client(base_url=primary.base_url) as client:
        content = json.loads(client.get("/api/profiles").json()["data"]["content"])
        variant = content["executors"][AGENT_EXECUTOR][AGENT_VARIANT]
        assert variant == {AGENT_EXECUTOR: {"base_command_override": agent_command()}}
        # The built-in executors are still there: the document was PUT whole, as 0.0.71 requires.
        assert {"CODEX", "CURSOR", "GEMINI", "AMP"} <= set(content["executors"])
        # Installing twice is harmless.
        install_scripted_agent(client)
        again = json.loads(client.get("/api/profiles").json()["data"]["content"])
        assert again["executors"][AGENT_EXECUTOR][AGENT_VARIANT] == variant
