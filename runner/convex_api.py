"""``ConvexApi``: the runner's HTTP client for the deployment, and the only module that knows the
protocol's routes (``/runner/...`` HTTP actions, see ``convex/runnerHttp.ts``). Every request is signed
(``runner.signing``) with a fresh nonce, so calling a method again is a valid retry.

    ConvexApiError
    ├── AuthError            401: the deployment refused our signature (wrong key, clock skew): fatal
    ├── NotRegistered        409 on claim: register again
    ├── ProtocolError        other 4xx: our request was wrong: not retried
    └── TransientError       network errors, timeouts, 5xx: retry with backoff
"""

from __future__ import annotations

from typing import Any, Literal

import httpx
import orjson
from pydantic import BaseModel, ConfigDict, Field

from runner.host_env import HostEnvironment
from runner.signing import signed_headers

__all__ = [
    "AuthError",
    "ClaimedCommand",
    "CompletionAck",
    "ConvexApi",
    "ConvexApiError",
    "LogAck",
    "LogChunk",
    "NotRegistered",
    "ProtocolError",
    "Registration",
    "TransientError",
    "completion_key",
]

ROUTE_REGISTER = "/runner/register"
ROUTE_CLAIM = "/runner/claim"
ROUTE_HEARTBEAT = "/runner/heartbeat"
ROUTE_COMPLETE = "/runner/complete"
ROUTE_LOGS = "/runner/logs"

# The claim is held open by the server up to the wait we ask for; allow that plus network slack.
CLAIM_SLACK_S = 10.0


class ConvexApiError(Exception):
    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class AuthError(ConvexApiError):
    pass


class NotRegistered(ConvexApiError):
    pass


class ProtocolError(ConvexApiError):
    pass


class TransientError(ConvexApiError):
    pass


class _Wire(BaseModel):
    model_config = ConfigDict(populate_by_name=True, frozen=True)


class Registration(_Wire):
    runner_id: str = Field(alias="runnerId")
    lease_ms: float = Field(alias="leaseMs")
    max_wait_ms: float = Field(alias="maxWaitMs")


class ClaimedCommand(_Wire):
    command_id: str = Field(alias="commandId")
    kind: str
    payload: Any = None
    fencing_token: int = Field(alias="fencingToken")
    attempt: int
    lease_expires_at: float = Field(alias="leaseExpiresAt")


class CompletionAck(_Wire):
    accepted: bool
    duplicate: bool
    status: str | None = None
    reason: str | None = None


class LogChunk(_Wire):
    process_id: str = Field(alias="processId")
    stream: Literal["stdout", "stderr"]
    seq: int = Field(ge=0)
    content: str


class LogAck(_Wire):
    inserted: int
    duplicates: int


def completion_key(command: ClaimedCommand) -> str:
    """Dedup key of one claim's completion: the same claim always completes with the same key."""
    return f"{command.command_id}:{command.fencing_token}"


class ConvexApi:
    """Signed calls to the runner HTTP actions. Pass ``transport`` to test without a network."""

    def __init__(
        self,
        site_url: str,
        key_id: str,
        secret: str,
        *,
        timeout_s: float = 10.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._key_id = key_id
        self._secret = secret.encode("utf-8")
        self._timeout_s = timeout_s
        self._client = httpx.AsyncClient(base_url=site_url.rstrip("/"), transport=transport, timeout=timeout_s)

    async def aclose(self) -> None:
        await self._client.aclose()

    async def __aenter__(self) -> ConvexApi:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def _post(self, route: str, payload: dict[str, Any], *, timeout_s: float | None = None) -> httpx.Response:
        body = orjson.dumps(payload)
        headers = {"content-type": "application/json", **signed_headers(self._key_id, self._secret, body)}
        try:
            response = await self._client.post(
                route, content=body, headers=headers, timeout=timeout_s or self._timeout_s
            )
        except httpx.TransportError as exc:
            raise TransientError(f"{route}: {type(exc).__name__}: {exc}") from exc
        if response.status_code >= 500:
            raise TransientError(
                f"{route}: HTTP {response.status_code}: {response.text[:200]}", status=response.status_code
            )
        if response.status_code == 401:
            raise AuthError(f"{route}: refused: {_error_text(response)}", status=401)
        return response

    async def register(
        self, runner_id: str, name: str, version: str, *, environment: HostEnvironment | None = None
    ) -> Registration:
        """Registers (again: idempotent); ``environment`` reports the host, which the deployment serves."""
        payload: dict[str, Any] = {"runnerId": runner_id, "name": name, "version": version}
        if environment is not None:
            payload["environment"] = environment.model_dump()
        response = await self._post(ROUTE_REGISTER, payload)
        return Registration.model_validate(_ok_json(ROUTE_REGISTER, response))

    async def claim(self, runner_id: str, wait_s: float) -> ClaimedCommand | None:
        """Long poll: None when nothing was pending within ``wait_s``."""
        wait_ms = int(wait_s * 1000)
        response = await self._post(
            ROUTE_CLAIM, {"runnerId": runner_id, "waitMs": wait_ms}, timeout_s=wait_s + CLAIM_SLACK_S
        )
        if response.status_code == 204:
            return None
        if response.status_code == 409:
            raise NotRegistered(f"{ROUTE_CLAIM}: {_error_text(response)}", status=409)
        return ClaimedCommand.model_validate(_ok_json(ROUTE_CLAIM, response)["command"])

    async def heartbeat(self, runner_id: str, command: ClaimedCommand) -> bool:
        """True while we still hold the lease (it was extended)."""
        payload = {"runnerId": runner_id, "commandId": command.command_id, "fencingToken": command.fencing_token}
        return bool(_ok_json(ROUTE_HEARTBEAT, await self._post(ROUTE_HEARTBEAT, payload))["held"])

    async def complete(self, runner_id: str, command: ClaimedCommand, outcome: dict[str, Any]) -> CompletionAck:
        """Idempotent: a retry with the same claim gets the first answer. A refusal (409) is returned, not raised."""
        payload = {
            "runnerId": runner_id,
            "commandId": command.command_id,
            "fencingToken": command.fencing_token,
            "completionKey": completion_key(command),
            "outcome": outcome,
        }
        response = await self._post(ROUTE_COMPLETE, payload)
        if response.status_code == 409:
            return CompletionAck.model_validate(response.json())
        return CompletionAck.model_validate(_ok_json(ROUTE_COMPLETE, response))

    async def append_logs(self, runner_id: str, chunks: list[LogChunk]) -> LogAck:
        payload = {"runnerId": runner_id, "chunks": [chunk.model_dump(by_alias=True) for chunk in chunks]}
        return LogAck.model_validate(_ok_json(ROUTE_LOGS, await self._post(ROUTE_LOGS, payload)))


def _error_text(response: httpx.Response) -> str:
    try:
        return str(response.json().get("error", response.text))
    except ValueError:
        return response.text[:200]


def _ok_json(route: str, response: httpx.Response) -> dict[str, Any]:
    if response.status_code != 200:
        raise ProtocolError(
            f"{route}: HTTP {response.status_code}: {_error_text(response)}", status=response.status_code
        )
    try:
        data = response.json()
    except ValueError as exc:
        raise ProtocolError(f"{route}: answer is not JSON") from exc
    if not isinstance(data, dict):
        raise ProtocolError(f"{route}: answer is not a JSON object")
    return data
