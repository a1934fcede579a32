"""``GET /api/events``: subscribe last and read the whole in-memory history within a bounded window.

The feed never ends and has no initial snapshot: a late subscriber gets every event since the server
started, then silence (keep-alive comments every 15 s), so a short window holds the whole history."""

from __future__ import annotations

from shadow.workload.context import Context, Family, Phase

__all__ = ["FAMILY"]

FAMILY = Family("events")


@FAMILY.step("history", phase=Phase.FINAL)
def history(ctx: Context) -> None:
    ctx.stream("history", "/api/events", window=2.0)
