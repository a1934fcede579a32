"""A tiny, fast HTTP backend for the proxy benchmark (not a stand-in for vibe-kanban: it only answers).

``python bench/fast_backend.py PORT [--delay SECONDS]`` serves, on 127.0.0.1:
  GET  /api/tasks?project_id=...  a fixed ~2 KB 0.0.71-style envelope of five tasks (same bytes every time)
  POST /api/tasks                 echoes a fixed created task
  anything else                   {"success":true,"data":null,...}
``--delay`` makes every answer that slow (the "candidate 2 s slow" case).
"""

from __future__ import annotations

import argparse
import asyncio
import json

from aiohttp import web

TASK = {
    "id": "0b7c1a52-6d8e-4f3a-9c51-2e4a7d9f0c{:02d}",
    "project_id": "5e2b0c1d-7a3f-4b8e-9d6c-1f0e2a3b4c5d",
    "title": "Add hello file number {}",
    "description": "Create hello.txt with a short greeting; keep it under eighty characters and end with a newline.",
    "status": "inreview",
    "parent_task_attempt": None,
    "created_at": "2026-11-26T07:12:12.517Z",
    "updated_at": "2026-11-26T07:12:34Z",
    "has_in_progress_attempt": False,
    "has_merged_attempt": False,
    "last_attempt_failed": False,
    "profile": "CLAUDE_CODE",
}


def envelope(data: object) -> bytes:
    return json.dumps({"success": True, "data": data, "error_data": None, "message": None}).encode()


TASKS = envelope(
    [{k: (v.format(n) if isinstance(v, str) and "{" in v else v) for k, v in TASK.items()} for n in range(5)]
)
CREATED = envelope({k: (v.format(99) if isinstance(v, str) and "{" in v else v) for k, v in TASK.items()})
EMPTY = envelope(None)


def make_app(delay: float) -> web.Application:
    async def answer(request: web.Request) -> web.Response:
        if delay:
            await asyncio.sleep(delay)
        await request.read()
        body = {("GET", "/api/tasks"): TASKS, ("POST", "/api/tasks"): CREATED}.get(
            (request.method, request.path), EMPTY
        )
        return web.Response(body=body, content_type="application/json")

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", answer)
    return app


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("port", type=int)
    parser.add_argument("--delay", type=float, default=0.0)
    args = parser.parse_args()
    web.run_app(make_app(args.delay), host="127.0.0.1", port=args.port, print=None, access_log=None)


if __name__ == "__main__":
    main()
