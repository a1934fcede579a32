"""System and config routes: health, info, config, sounds, MCP config, profiles, GitHub auth, containers."""

from __future__ import annotations

import copy
import json

from shadow.reference.agent import AGENT_EXECUTOR, AGENT_VARIANT, install_scripted_agent
from shadow.workload.context import JSON, Context, Family, Phase, StepFailed

__all__ = ["FAMILY"]

FAMILY = Family("system")

PROFILES_SUFFIX = "/.local/share/vibe-kanban/profiles.json"
# Looks like a classic GitHub PAT and is not one: exercises token redaction in the evidence store.
FAKE_GITHUB_TOKEN = "ghp_parityFAKEtoken000000000000000000000"


@FAMILY.step("install-agent")
def install_agent(ctx: Context) -> None:
    # install_scripted_agent is library code over a plain httpx client: its GET and PUT of /api/profiles
    # are recorded as system.install-agent.1 and .2.
    with ctx.session.scoped("system.install-agent") as client:
        install_scripted_agent(client, python=ctx.agent_python)
    ctx.state["agent"] = True


@FAMILY.step("health")
def health(ctx: Context) -> None:
    ctx.get("health", "/api/health")


@FAMILY.step("info")
def info(ctx: Context) -> None:
    data = ctx.data(ctx.get("info", "/api/info"))
    if not isinstance(data, dict) or not isinstance(data.get("config"), dict):
        raise StepFailed("GET /api/info has no config object")
    ctx.state["config.default"] = data["config"]


@FAMILY.step("profiles", needs=("agent",))
def profiles(ctx: Context) -> None:
    data = ctx.data(ctx.get("profiles", "/api/profiles"))
    path = str(data.get("path", ""))
    home = path[: -len(PROFILES_SUFFIX)] if path.endswith(PROFILES_SUFFIX) else path.rsplit("/", 1)[0]
    ctx.recorder.set_prefix("HOME", home)
    content = json.loads(data["content"])
    if AGENT_VARIANT not in content.get("executors", {}).get(AGENT_EXECUTOR, {}):
        raise StepFailed("the scripted agent variant is missing from GET /api/profiles")


@FAMILY.step("profiles-invalid")
def profiles_invalid(ctx: Context) -> None:
    ctx.call("profiles-invalid", "PUT", "/api/profiles", content="{not json", headers=JSON)


@FAMILY.step("config", needs=("config.default", "agent"))
def config(ctx: Context) -> None:
    document = copy.deepcopy(ctx.state["config.default"])
    document.update(
        executor_profile={"executor": AGENT_EXECUTOR, "variant": AGENT_VARIANT},  # create-and-start runs it
        disclaimer_acknowledged=True,
        onboarding_acknowledged=True,
        telemetry_acknowledged=True,
        analytics_enabled=False,
        # no sounds or desktop pushes when tasks finish: side effects outside the backend
        notifications={"sound_enabled": False, "push_enabled": False, "sound_file": "ROOSTER"},
        # open-editor then runs `true <path>`: harmless and the same on every machine
        editor={"editor_type": "CUSTOM", "custom_command": "true"},
    )
    saved = ctx.data(ctx.call("config", "PUT", "/api/config", json_body=document))
    ctx.state["config"] = saved


@FAMILY.step("config-missing-field", needs=("config.default",))
def config_missing_field(ctx: Context) -> None:
    document = {k: v for k, v in ctx.state["config.default"].items() if k != "theme"}
    ctx.call("config-missing-field", "PUT", "/api/config", json_body=document)


@FAMILY.step("sounds")
def sounds(ctx: Context) -> None:
    ctx.get("sound", "/api/sounds/COW_MOOING")
    ctx.get("sound-unknown", "/api/sounds/NOPE")


@FAMILY.step("mcp-config")
def mcp_config(ctx: Context) -> None:
    params = {"profile": AGENT_EXECUTOR}
    ctx.get("mcp-config", "/api/mcp-config", params)
    servers = {"servers": {"parity": {"command": "true", "args": ["--parity"]}}}
    ctx.call("mcp-config-add", "POST", "/api/mcp-config", params=params, json_body=servers)
    ctx.get("mcp-config-after", "/api/mcp-config", params)
    ctx.get("mcp-config-unknown", "/api/mcp-config", {"profile": "NOPE"})


@FAMILY.step("github-auth")
def github_auth(ctx: Context) -> None:
    ctx.get("github-check", "/api/auth/github/check")
    # Device flow needs github.com, unreachable here: both answers are errors, compared as such.
    ctx.call("github-device-start", "POST", "/api/auth/github/device/start")
    ctx.call("github-device-poll", "POST", "/api/auth/github/device/poll")


@FAMILY.step("containers-info-unknown")
def containers_info_unknown(ctx: Context) -> None:
    ctx.get("containers-info-unknown", "/api/containers/info", {"ref": "/nonexistent/parity/worktree"})


@FAMILY.step("github-token", needs=("config",), phase=Phase.FINAL)
def github_token(ctx: Context) -> None:
    # Last, so earlier push/pr calls see no token. A secret in a config body: the store must redact it.
    document = copy.deepcopy(ctx.state["config"])
    document["github"] = {**document.get("github", {}), "pat": FAKE_GITHUB_TOKEN, "username": "parity-bot"}
    ctx.call("config-github-token", "PUT", "/api/config", json_body=document)
    ctx.get("github-check-with-token", "/api/auth/github/check")
