"""Steps, families and the context a step runs in.

A *family* is a group of steps exercising one route family of the 0.0.71 contract. A *step* is a small
function of the :class:`Context`; it declares the state keys it ``needs`` (ids created by earlier steps).
When a step fails, the keys it would have set are missing, so exactly the steps that depend on it are
skipped, and the run goes on. Steps are declared in order; ``phase`` puts clean-up (deletes) after every
family's main steps.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import IntEnum
from pathlib import Path
from typing import Any

from shadow.workload.recorder import HarRecorder
from shadow.workload.session import Reply, Session

__all__ = ["JSON", "UNKNOWN_ID", "Context", "Family", "Phase", "Step", "StepFailed", "data_field_is"]


class Phase(IntEnum):
    MAIN = 1
    FINAL = 2  # deletes and end-of-run checks, after every family's main steps


class StepFailed(RuntimeError):
    """The backend's answer does not let this step go on (the message says which request and why)."""


@dataclass(frozen=True)
class Step:
    family: str
    name: str
    run: Callable[[Context], None]
    needs: tuple[str, ...] = ()
    phase: Phase = Phase.MAIN

    @property
    def qualified(self) -> str:
        return f"{self.family}.{self.name}"


@dataclass
class Family:
    """A route family: its steps in order, and the families whose state it needs (``requires``)."""

    name: str
    requires: frozenset[str] = frozenset()
    steps: list[Step] = field(default_factory=list)

    def step(
        self, name: str, *, needs: tuple[str, ...] = (), phase: Phase = Phase.MAIN
    ) -> Callable[[Callable[[Context], None]], Callable[[Context], None]]:
        def register(function: Callable[[Context], None]) -> Callable[[Context], None]:
            if any(existing.name == name for existing in self.steps):
                raise ValueError(f"step {self.name}.{name} declared twice")
            self.steps.append(Step(self.name, name, function, needs, phase))
            return function

        return register


@dataclass
class Context:
    """What a step sees: the session, the work directory, the shared state and the current family."""

    session: Session
    recorder: HarRecorder
    workdir: Path
    agent_python: str | None = None
    cancel: threading.Event | None = None
    state: dict[str, Any] = field(default_factory=dict)
    family: str = ""

    # Requests: ``name`` is the step-local part of the request id; the family is prefixed here.
    def call(self, name: str, method: str, path: str, **kwargs: Any) -> Reply:
        return self.session.call(f"{self.family}.{name}", method, path, **kwargs)

    def get(self, name: str, path: str, params: Mapping[str, str] | None = None) -> Reply:
        return self.call(name, "GET", path, params=params)

    def poll(self, name: str, path: str, until: Callable[[Reply], bool], **kwargs: Any) -> Reply:
        return self.session.poll(f"{self.family}.{name}", path, until, **kwargs)

    def stream(self, name: str, path: str, *, window: float, params: Mapping[str, str] | None = None) -> Reply:
        return self.session.stream(f"{self.family}.{name}", path, window=window, params=params)

    @staticmethod
    def data(reply: Reply) -> Any:
        """The ``data`` of a successful envelope, else :class:`StepFailed`."""
        if not reply.envelope_ok:
            raise StepFailed(f"expected a successful envelope: {reply.describe()}")
        return reply.data

    @staticmethod
    def entity(reply: Reply) -> dict[str, Any]:
        """``data`` that must be an object with an ``id`` (a created or fetched entity)."""
        data = Context.data(reply)
        if not isinstance(data, dict) or not isinstance(data.get("id"), str):
            raise StepFailed(f"expected an entity with an id: {reply.describe()}")
        return data


# Ids that exist on no backend: fixed, so unknown-id requests are identical on both sides.
UNKNOWN_ID = "00000000-0000-4000-8000-00000000dead"
JSON = {"content-type": "application/json"}


def data_field_is(key: str, value: Any) -> Callable[[Reply], bool]:
    """A poll condition: the envelope succeeded and ``data[key] == value``."""

    def holds(reply: Reply) -> bool:
        data = reply.data if reply.envelope_ok else None
        return isinstance(data, dict) and data.get(key) == value

    return holds
