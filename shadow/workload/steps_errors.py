"""Error paths every family shares: unknown ids (shape D), malformed JSON, missing content type (415),
wrong fields (422), bad UUIDs in path and query (400 texts), unknown API paths (the SPA's HTML) and wrong
methods (405)."""

from __future__ import annotations

from shadow.workload.context import JSON, UNKNOWN_ID, Context, Family

__all__ = ["FAMILY"]

FAMILY = Family("errors")


@FAMILY.step("unknown-ids")
def unknown_ids(ctx: Context) -> None:
    for family, path in {
        "project": f"/api/projects/{UNKNOWN_ID}",
        "task": f"/api/tasks/{UNKNOWN_ID}",
        "attempt": f"/api/task-attempts/{UNKNOWN_ID}",
        "process": f"/api/execution-processes/{UNKNOWN_ID}",
        "template": f"/api/templates/{UNKNOWN_ID}",
        "project-branches": f"/api/projects/{UNKNOWN_ID}/branches",
        "attempt-branch-status": f"/api/task-attempts/{UNKNOWN_ID}/branch-status",
        "process-raw-logs": f"/api/execution-processes/{UNKNOWN_ID}/raw-logs",
    }.items():
        ctx.get(f"unknown-{family}", path)
    ctx.call("unknown-project-update", "PUT", f"/api/projects/{UNKNOWN_ID}", json_body={"name": "x"})
    ctx.call("unknown-task-delete", "DELETE", f"/api/tasks/{UNKNOWN_ID}")
    ctx.call("unknown-template-delete", "DELETE", f"/api/templates/{UNKNOWN_ID}")
    ctx.call("unknown-process-stop", "POST", f"/api/execution-processes/{UNKNOWN_ID}/stop")
    ctx.call("unknown-project-task", "POST", "/api/tasks", json_body={"project_id": UNKNOWN_ID, "title": "Orphan"})


@FAMILY.step("bad-bodies")
def bad_bodies(ctx: Context) -> None:
    ctx.call("malformed-json", "POST", "/api/projects", content='{"name": "broken",', headers=JSON)
    body = '{"name": "x", "git_repo_path": "/nonexistent", "use_existing_repo": true}'
    ctx.call("missing-content-type", "POST", "/api/projects", content=body, headers={"content-type": "text/plain"})
    ctx.call("missing-field", "POST", "/api/tasks", json_body={"project_id": UNKNOWN_ID, "name": "no title"})
    ctx.call("wrong-type", "POST", "/api/tasks", json_body={"project_id": UNKNOWN_ID, "title": 42})


@FAMILY.step("bad-uuids")
def bad_uuids(ctx: Context) -> None:
    ctx.get("bad-uuid-project", "/api/projects/not-a-uuid")
    ctx.get("bad-uuid-task", "/api/tasks/not-a-uuid")
    ctx.get("bad-uuid-template", "/api/templates/not-a-uuid")
    ctx.get("bad-uuid-attempt", "/api/task-attempts/not-a-uuid")
    ctx.get("bad-uuid-query", "/api/tasks", {"project_id": "not-a-uuid"})
    ctx.get("missing-query", "/api/tasks")
    ctx.get("missing-query-processes", "/api/execution-processes")
    ctx.get("missing-query-mcp", "/api/mcp-config")


@FAMILY.step("routing")
def routing(ctx: Context) -> None:
    ctx.get("unknown-path", "/api/nonexistent")
    ctx.get("trailing-slash", "/api/projects/")
    ctx.call("wrong-method", "POST", "/api/health")
    ctx.call("wrong-method-unknown-path", "DELETE", "/api/nonexistent/thing")
    ctx.get("config-get-not-routed", "/api/config")
