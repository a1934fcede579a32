"""``RunnerSettings``: the runner's only reader of the environment (prefix ``RUNNER_``).

Required: ``RUNNER_CONVEX_SITE_URL`` (the deployment's HTTP-actions URL, ``https://<name>.convex.site`` or
the local test host's site port), ``RUNNER_KEY_ID`` + ``RUNNER_SECRET`` (one entry of the deployment's
``RUNNER_HMAC_KEYS``), ``RUNNER_ROOTS`` (directories the runner may touch, separated by ``os.pathsep`` or
as a JSON list). The secret stays a ``SecretStr``: it is never written to disk or to a log.
"""

from __future__ import annotations

import json
import os
import socket
import uuid
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

__all__ = ["RunnerSettings"]


def _default_runner_id() -> str:
    return f"{socket.gethostname()}-{uuid.uuid4().hex[:8]}"


class RunnerSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="RUNNER_", extra="ignore")

    convex_site_url: str
    key_id: str = Field(min_length=1)
    secret: SecretStr
    roots: Annotated[list[Path], NoDecode]
    default_dir: Path | None = None
    home: Path = Field(default_factory=Path.home)
    """The host's HOME (default: this process's ``$HOME``): agents' config files live there, and it is reported
    to the deployment as the host's HOME."""
    """Listed when a directory command gets no path (the primary lists its $HOME); default: the first root."""
    runner_id: str = Field(default_factory=_default_runner_id, min_length=1, max_length=200)
    name: str = Field(default_factory=socket.gethostname)
    concurrency: int = Field(default=2, ge=1, le=32)
    claim_wait_s: float = Field(default=20.0, ge=0, le=20)
    request_timeout_s: float = Field(default=10.0, gt=0)
    heartbeat_every_s: float | None = Field(default=None, gt=0)
    """Default: a third of the lease the deployment announces at registration."""
    backoff_initial_s: float = Field(default=0.2, gt=0)
    backoff_max_s: float = Field(default=10.0, gt=0)
    enable_diagnostics: bool = False
    """Registers the ``diag.*`` commands (protocol tests only)."""
    complete_retry_s: float = Field(default=120.0, gt=0)
    """How long a completion is retried before the command is left to its lease (and re-run elsewhere)."""

    @field_validator("convex_site_url")
    @classmethod
    def _url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http(s) URL")
        return value.rstrip("/")

    @field_validator("roots", mode="before")
    @classmethod
    def _split_roots(cls, value: Any) -> Any:
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                return json.loads(text)
            return [part for part in text.split(os.pathsep) if part]
        return value

    @field_validator("roots")
    @classmethod
    def _roots_exist(cls, roots: list[Path]) -> list[Path]:
        if not roots:
            raise ValueError("at least one root is required")
        for root in roots:
            if not root.is_absolute():
                raise ValueError(f"root {root} is not an absolute path")
            if not root.is_dir():
                raise ValueError(f"root {root} is not an existing directory")
        return roots

    @field_validator("home")
    @classmethod
    def _home_absolute(cls, home: Path) -> Path:
        if not home.is_absolute():
            raise ValueError(f"home {home} is not an absolute path")
        return home

    @model_validator(mode="after")
    def _default_dir_inside(self) -> RunnerSettings:
        if self.default_dir is None:
            # Like 0.0.71, list HOME when no path is given, as long as HOME is inside the roots.
            home = self.home.resolve()
            inside = any(home == root.resolve() or root.resolve() in home.parents for root in self.roots)
            self.default_dir = self.home if inside else self.roots[0]
        return self

    @property
    def listing_default(self) -> Path:
        return self.default_dir if self.default_dir is not None else self.roots[0]
