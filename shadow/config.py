"""ShadowSettings: every knob of the shadow, built once at the edge and passed down through constructors.

Sources, strongest first: values passed in (mitmproxy options, CLI flags), ``SHADOW_*`` environment
variables (nested with ``__``, e.g. ``SHADOW_BREAKER__FAILURE_THRESHOLD=3``), a YAML or JSON settings file
(``shadow_config`` / ``--config``), then the defaults below. This module is the only reader of the
environment; core modules never look at ``os.environ`` or mitmproxy's options.
"""

from __future__ import annotations

import contextvars
import os
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    YamlConfigSettingsSource,
)

from shadow.errors import ConfigError

__all__ = [
    "BreakerSettings",
    "EventualSettings",
    "HeaderRule",
    "ShadowSettings",
    "StreamSettings",
    "WriterSettings",
    "load_settings",
]

_CONFIG_FILE: contextvars.ContextVar[Path | None] = contextvars.ContextVar("shadow_config_file", default=None)


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class HeaderRule(_Frozen):
    """Rewrite one header on the way to one target: ``value`` sets it, ``None`` removes it.

    The candidate usually needs other credentials than the primary (e.g. a Convex deploy key), so
    rules are per target; ``primary`` rules change what the primary receives (applied by the addon)."""

    target: Literal["primary", "candidate"] = "candidate"
    name: str = Field(min_length=1)
    value: str | None = None

    @field_validator("name")
    @classmethod
    def _token(cls, name: str) -> str:
        if any(ch in name for ch in " :\r\n\t"):
            raise ValueError(f"not a header name: {name!r}")
        return name


class BreakerSettings(_Frozen):
    """Circuit breaker on candidate calls: open after ``failure_threshold`` failures in a row, try one
    probe after ``reset_after`` seconds, close again after ``success_threshold`` probes succeed."""

    failure_threshold: int = Field(default=5, ge=1)
    reset_after: float = Field(default=10.0, gt=0)
    success_threshold: int = Field(default=1, ge=1)


class StreamSettings(_Frozen):
    """How much of an event stream each side records before comparing (the window). ``hold_writes``: the
    scope's later writes wait until the candidate's window has closed, so a live stream (a diff, a log)
    never shows the candidate changes the client made only after it stopped reading the primary's."""

    max_bytes: int = Field(default=1 << 20, ge=1)
    max_seconds: float = Field(default=5.0, gt=0)
    hold_writes: bool = False


class EventualSettings(_Frozen):
    """Re-reads of an eventual route's candidate answer: first after ``first_delay``, then backing off by
    ``factor``, until it matches (``converged``) or ``window`` seconds have passed (``mismatch``).

    ``barrier``: an eventual read holds back the exchanges of its scope that started after it completed
    (writes and reads) until it has settled. The client saw that state on the primary before it went on (a
    poll until an agent run ends, then a follow-up; a process list, then that process's logs), so the
    candidate first gets the chance to reach it too, and ids learned from it serve what follows. Otherwise a
    lagging candidate gets the next write mid-run. Costs shadow lag (at most ``window`` per differing read;
    reads after an eventual read wait for its first candidate answer), never client latency. A read older
    than ``barrier_max_lag`` seconds when its answer arrives holds nothing back: a candidate that never
    catches up (say, one that does not run agents yet) would otherwise put the shadow ever further behind.
    """

    window: float = Field(default=5.0, ge=0)
    first_delay: float = Field(default=0.1, gt=0)
    factor: float = Field(default=2.0, ge=1)
    barrier: bool = False
    barrier_max_lag: float = Field(default=10.0, gt=0)
    # A re-read also converges when it equals the primary's later answer to the same request (a client that
    # polls asks again; see shadow.primary_history): the candidate, asked later, went where the primary went.
    later_primary: bool = False


class WriterSettings(_Frozen):
    """Batched writes of comparison records; the buffer is bounded and drops (counted) when full."""

    batch_size: int = Field(default=256, ge=1)
    flush_interval: float = Field(default=0.5, gt=0)
    capacity: int = Field(default=10_000, ge=1)
    prune_interval: float | None = Field(default=300.0, gt=0)  # retention passes (age, size) of the store

    @model_validator(mode="after")
    def _capacity_holds_a_batch(self) -> WriterSettings:
        if self.capacity < self.batch_size:
            raise ValueError("capacity must hold at least one batch")
        return self


class ShadowSettings(BaseSettings):
    """One per process. See the module docstring for where values come from."""

    model_config = SettingsConfigDict(
        env_prefix="SHADOW_", env_nested_delimiter="__", extra="forbid", frozen=True, validate_default=True
    )

    enabled: bool = True
    primary: str | None = None  # base URL; the reverse-mode target (parity proxy, replay)
    candidate: str | None = None  # base URL of the new stack's compatibility API
    profile: str = "vibe-kanban-0.0.71"
    noise_model: Path | None = None  # from `parity learn-noise`: volatile fields of a self-comparison are noise
    store: Path | None = None
    metrics_port: int | None = Field(default=None, ge=0, le=65535)
    metrics_host: str = "127.0.0.1"  # loopback unless a scraper elsewhere needs it (compose: 0.0.0.0)
    sample: float = Field(default=100.0, ge=0, le=100)  # percent of reads shadowed; writes always are
    filter: str | None = None  # a mitmproxy flow filter expression (compiled by the addon)

    candidate_timeout: float = Field(default=5.0, gt=0)
    max_pending: int = Field(default=1000, ge=1)  # exchanges admitted and not finished; beyond: shed
    workers: int = Field(default=32, ge=1)  # concurrent candidate calls
    max_body_bytes: int = Field(default=32 << 20, ge=0)  # larger request or response bodies are not shadowed
    connect_retries: int = Field(default=1, ge=0)  # resends only when the connection was refused
    drain_seconds: float = Field(default=5.0, ge=0)  # on stop, finish queued work for up to this long
    offload: bool = True  # run the shadow leg in a worker process (shadow.offload): the proxy only pickles
    offload_buffer_bytes: int = Field(default=64 << 20, ge=1 << 16)  # unsent bytes to the worker before shedding
    # The worker's CPU priority: "idle" (SCHED_IDLE on Linux, nice 19 elsewhere) or "nice" (nice 19 only).
    worker_priority: Literal["idle", "nice"] = "idle"
    # The CPUs the worker may run on (Linux affinity), e.g. [1]; empty: the proxy's. mitmdump's event loop
    # uses one core: on a machine with more, the worker can take its comparisons to another core's idle time.
    worker_cpus: tuple[int, ...] = ()
    # gc.freeze() once started (proxy and worker): full collections skip the long-lived start-up objects.
    gc_freeze: bool = True

    header_rules: tuple[HeaderRule, ...] = ()
    candidate_rewrites: dict[str, str] = Field(default_factory=dict)  # literal text swaps in candidate requests
    primary_prefixes: dict[str, str] = Field(default_factory=dict)  # masked by the comparator, e.g. WORK, HOME
    candidate_prefixes: dict[str, str] = Field(default_factory=dict)
    lane_scope_keys: tuple[str, ...] = ()  # e.g. ("project_id",); empty: see ``lanes``
    lanes: Literal["global", "profile"] = "global"  # one lane, or the profile's scope hints (see Pipeline._scope)

    idempotency_header: str = "Idempotency-Key"
    loop_guard_header: str = "x-shadow"
    primary_id_hint: bool = False  # send the primary's created id in ``primary_id_header``
    primary_id_header: str = "x-shadow-primary-id"
    correlation_max: int = Field(default=100_000, ge=1)

    breaker: BreakerSettings = BreakerSettings()
    stream: StreamSettings = StreamSettings()
    eventual: EventualSettings = EventualSettings()
    eventual_routes: tuple[str, ...] = ()  # route templates re-read like the profile's eventual ones (streams too)
    writer: WriterSettings = WriterSettings()
    redaction_key: SecretStr | None = None  # keyed hashes of secrets in the store; None: random per process

    @field_validator("primary", "candidate")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        if not value.startswith(("http://", "https://")) or "://" not in value or not value.split("://", 1)[1]:
            raise ValueError(f"not an http(s) URL: {value!r}")
        return value.rstrip("/")

    @field_validator("worker_cpus")
    @classmethod
    def _cpus_of_this_machine(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        if value and not hasattr(os, "sched_setaffinity"):
            raise ValueError("this platform cannot place a process on CPUs (no sched_setaffinity)")
        # The machine's CPUs, not this process's: the proxy itself may be pinned to another one.
        count = os.cpu_count() or 1
        if missing := sorted(cpu for cpu in set(value) if not 0 <= cpu < count):
            raise ValueError(f"CPUs {missing} are not among this machine's CPUs 0-{count - 1}")
        return value

    @model_validator(mode="after")
    def _candidate_when_enabled(self) -> ShadowSettings:
        if self.enabled and self.candidate is None:
            raise ValueError("shadowing is enabled but no candidate URL is set")
        return self

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        if (path := _CONFIG_FILE.get()) is not None:
            sources.append(YamlConfigSettingsSource(settings_cls, yaml_file=path))  # JSON is valid YAML
        return tuple(sources)


def load_settings(config_file: Path | str | None = None, **overrides: Any) -> ShadowSettings:
    """Build the settings; any problem becomes one ``ConfigError`` line naming the setting."""
    path = Path(config_file) if config_file else None
    if path is not None and not path.is_file():
        raise ConfigError(f"settings file not found: {path}")
    token = _CONFIG_FILE.set(path)
    try:
        return ShadowSettings(**{key: value for key, value in overrides.items() if value is not None})
    except ValidationError as exc:
        raise ConfigError(_one_line(exc)) from None
    except (ValueError, OSError, yaml.YAMLError) as exc:  # unreadable or malformed settings file
        raise ConfigError(f"cannot read settings file {path}: {' '.join(str(exc).split())}") from None
    finally:
        _CONFIG_FILE.reset(token)


def _one_line(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors():
        where = ".".join(str(part) for part in error["loc"]) or "settings"
        parts.append(f"{where}: {error['msg']}")
    return "invalid shadow settings: " + "; ".join(parts)
