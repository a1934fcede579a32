"""``mcp.readServers`` and ``mcp.writeServers``: the agent's MCP servers in its own config file under the
runner's HOME, as 0.0.71's ``GET``/``POST /api/mcp-config`` read and write them (``routes/config.rs``).

Kept from the primary (checked against the real binary):
- the file is ``$HOME/<relativePath>``; ``config_path`` is that path as text (HOME as given, not resolved);
- reading: a file that cannot be read (missing, a directory, not UTF-8) is the agent's template; a file that
  does not parse fails (the route answers 500 ``ExecutorError: ...``);
- writing: the parent directories are created, the file read the same way, the servers replaced, the whole
  file written back; every failure is the soft error ``Failed to update MCP servers: <reason>``;
- the message counts the servers before and after: "No MCP servers configured", "Added N MCP server(s)",
  "Updated MCP server configuration (N server(s))", "Updated MCP server configuration (was A, now B)".

Ours: the file must resolve (symlinks followed) inside the runner's HOME or its roots, else the soft error of
``runner.confine`` (the primary follows a symlink anywhere).
"""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from runner.agent_config import (
    ConfigFormatError,
    get_servers,
    parse_json_config,
    parse_toml_config,
    render_compact_json,
    render_json_config,
    render_toml_config,
    set_servers,
)
from runner.confine import Roots
from runner.errors import api_error, internal_error, soft_error
from runner.fs import rust_io_error

__all__ = ["ReadServersPayload", "WriteServersPayload", "read_servers", "update_message", "write_servers"]

UPDATE_FAILED = "Failed to update MCP servers: "


class ReadServersPayload(BaseModel):
    """User JSON travels as text (Convex values refuse "$"-prefixed and non-ASCII keys, and JSON numbers keep
    their form): ``templateJson`` is what a missing file reads as."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    agent: str
    relative_path: str = Field(alias="relativePath", min_length=1)
    servers_path: list[str] = Field(alias="serversPath", min_length=1)
    is_toml: bool = Field(alias="isToml")
    template_json: str = Field(alias="templateJson")

    @field_validator("relative_path")
    @classmethod
    def _relative(cls, value: str) -> str:
        path = PurePosixPath(value)
        if path.is_absolute() or ".." in path.parts:
            raise ValueError("must be a path relative to HOME without '..'")
        return value

    def template(self) -> dict[str, Any]:
        """A fresh copy of the template (it is modified in place when servers are set)."""
        try:
            template = parse_json_config(self.template_json)
        except ConfigFormatError as exc:
            raise internal_error(f"templateJson is not JSON: {exc}") from exc
        if not isinstance(template, dict):
            raise internal_error("templateJson must be a JSON object")
        return template


class WriteServersPayload(ReadServersPayload):
    body_json: str = Field(alias="bodyJson")
    """The client's request body, ``{"servers": {...}}``, as sent (already validated by the deployment)."""

    def servers(self) -> dict[str, Any]:
        try:
            body = parse_json_config(self.body_json)
        except ConfigFormatError as exc:
            raise internal_error(f"bodyJson is not JSON: {exc}") from exc
        servers = body.get("servers") if isinstance(body, dict) else None
        if not isinstance(servers, dict):
            raise internal_error("bodyJson must hold a servers object")
        return servers


def _config_file(payload: ReadServersPayload, home: Path, roots: Roots) -> tuple[Path, str]:
    """The file to use and the text 0.0.71 reports for it; refused when it resolves outside HOME and roots."""
    shown = os.path.join(str(home), payload.relative_path)
    Roots([home, *roots.paths]).check(shown)
    return Path(shown), shown


def _read_config(path: Path, payload: ReadServersPayload, template: dict[str, Any]) -> Any:
    try:
        text = path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return template  # read_to_string failed: 0.0.71 falls back to the template
    return parse_toml_config(text) if payload.is_toml else parse_json_config(text)


def read_servers(payload: ReadServersPayload, home: Path, roots: Roots) -> dict[str, Any]:
    path, shown = _config_file(payload, home, roots)
    try:
        config = _read_config(path, payload, payload.template())
    except ConfigFormatError as exc:
        raise api_error(f"ExecutorError: {exc}") from exc
    servers = get_servers(config, payload.servers_path)
    return {"serversJson": render_compact_json(servers), "config_path": shown}


def update_message(old: int, new: int) -> str:
    if old == 0 and new == 0:
        return "No MCP servers configured"
    if old == 0:
        return f"Added {new} MCP server(s)"
    if old == new:
        return f"Updated MCP server configuration ({new} server(s))"
    return f"Updated MCP server configuration (was {old}, now {new})"


def write_servers(payload: WriteServersPayload, home: Path, roots: Roots) -> str:
    path, _ = _config_file(payload, home, roots)
    servers, template = payload.servers(), payload.template()  # a bad payload touches nothing
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        config = _read_config(path, payload, template)
        old = len(get_servers(config, payload.servers_path))
        config = set_servers(config, payload.servers_path, servers)
        text = render_toml_config(config) if payload.is_toml else render_json_config(config)
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise soft_error(UPDATE_FAILED + rust_io_error(exc)) from exc
    except ConfigFormatError as exc:
        raise soft_error(UPDATE_FAILED + str(exc)) from exc
    return update_message(old, len(servers))
