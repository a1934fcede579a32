"""Errors a command handler reports, shaped like the primary's failures.

    CommandError            a handler's refusal, sent back as the command's error
    ├── kind "soft"         the primary's shape A: HTTP 200, success:false, ``message`` (e.g. "Directory does not exist")
    ├── kind "api"          the primary's shape C: ``"<Kind>Error: <detail>"`` (e.g. "GitServiceError: ...")
    └── kind "internal"     our own failure: bad payload, unknown kind, a bug (never a primary shape)

Anything else a handler raises is caught by ``runner.dispatch`` and reported as kind "internal".
"""

from __future__ import annotations

from typing import Literal

__all__ = ["CommandError", "ErrorKind", "api_error", "internal_error", "soft_error"]

ErrorKind = Literal["soft", "api", "internal"]


class CommandError(Exception):
    def __init__(self, kind: ErrorKind, message: str) -> None:
        super().__init__(message)
        self.kind: ErrorKind = kind
        self.message = message

    def as_json(self) -> dict[str, str]:
        return {"kind": self.kind, "message": self.message}


def soft_error(message: str) -> CommandError:
    return CommandError("soft", message)


def api_error(message: str) -> CommandError:
    return CommandError("api", message)


def internal_error(message: str) -> CommandError:
    return CommandError("internal", message)
